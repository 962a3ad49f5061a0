// `imgprep report` and the report library, checked with independent tools: poppler's pdfinfo (page size, page
// count), pdftotext (every check's title with its status, the verdict, the manifest's checksums,
// confirmations), pdftoppm (pages rendered to PNG under BUILD/report-artefacts/pages for people to look at,
// not compared); QXmlStreamReader for the HTML (well formed, self-contained, the same checks, hostile names
// escaped); a validator written here from docs/json-schema.md and docs/report.md for the JSON; `imgprep check
// --json` for the embedded check document; the Windows fixture's expectation files (written from what was put
// into the images) for verdicts and statuses; sha256sum for --checksum.
#include <QtTest>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include "checks/checks.h"
#include "inspect/inspect.h"
#include "report/report.h"
#include "report_pdf.h"
#include "testsupport.h"

using namespace testsupport;

namespace {

// The labels docs/report.md documents for each status and verdict.
QString statusLabel(const QString& s) {
    static const QHash<QString, QString> m = {{"pass", "PASS"},      {"fail", "FAIL"},
                                              {"warn", "WARNING"},   {"info", "INFO"},
                                              {"manual", "CONFIRM"}, {"unknown", "UNKNOWN"}};
    return m.value(s, "?");
}
QString verdictLabel(const QString& v) {
    if (v == "ready") return "READY FOR IMPORT";
    if (v == "not_ready") return "NOT READY";
    return "INCOMPLETE";
}

QString normalize(QString s) {
    s.replace(QChar(0xA0), ' ');
    return s.simplified();
}

QJsonObject readJson(const QString& path, QString* err = nullptr) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (err) *err = "cannot open " + path;
        return {};
    }
    QJsonParseError pe;
    auto d = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError && err) *err = path + ": " + pe.errorString();
    return d.object();
}

// The PDF's text in content-stream order (-raw): the order the report draws it, so that a check's status
// badge and its title are read together whatever pdftotext's column heuristics would make of the layout.
QString pdfText(const QString& pdf) {
    auto r = runTool("pdftotext", {"-raw", "-enc", "UTF-8", pdf, "-"});
    return r.exitCode == 0 ? normalize(QString::fromUtf8(r.out)) : QString();
}

// ---------------------------------------------------------------------------------------------------------------
// JSON validator, written from docs/json-schema.md (check document) and docs/report.md (report additions).

class Validator {
  public:
    QStringList errors;

    void validateReport(const QJsonObject& r) {
        need(r, "", "schema", {"int"});
        if (r.value("schema").toInt() != 1) errors << "schema is not 1";
        object(r, "", "tool", [&](const QJsonObject& t, const QString& at) {
            need(t, at, "name", {"string"});
            need(t, at, "version", {"string"});
        });
        object(r, "", "image", [&](const QJsonObject& o, const QString& at) { image(o, at); });
        object(r, "", "facts", [&](const QJsonObject& o, const QString& at) { facts(o, at); });
        need(r, "", "checks", {"array"});
        QSet<QString> ids, manual;
        int i = 0;
        for (const auto& c : r.value("checks").toArray()) {
            const QString at = QString("checks[%1]").arg(i++);
            if (!c.isObject()) {
                errors << at + " is not an object";
                continue;
            }
            check(c.toObject(), at);
            ids << c.toObject().value("id").toString();
            if (c.toObject().value("status").toString() == "manual")
                manual << c.toObject().value("id").toString();
        }
        object(r, "", "summary", [&](const QJsonObject& s, const QString& at) {
            summary(s, at, r.value("checks").toArray().size(), ids, manual);
        });
        object(r, "", "report", [&](const QJsonObject& m, const QString& at) {
            for (const char* k : {"title", "created", "tool_version", "image_name", "image_path"})
                need(m, at, k, {"string"});
            need(m, at, "manifest_path", {"string", "null"});
            strings(m, at, "warnings");
            iso(m.value("created").toString(), at + ".created");
        });
        need(r, "", "checksum", {"object", "null"});
        if (r.value("checksum").isObject()) {
            need(r.value("checksum").toObject(), "checksum", "sha256", {"string"});
            if (!QRegularExpression("^[0-9a-f]{64}$")
                     .match(r.value("checksum")["sha256"].toString())
                     .hasMatch())
                errors << "checksum.sha256 is not 64 lower-case hex digits";
        }
        need(r, "", "confirmations", {"array"});
        i = 0;
        for (const auto& c : r.value("confirmations").toArray()) {
            const QString at = QString("confirmations[%1]").arg(i++);
            const QJsonObject o = c.toObject();
            need(o, at, "id", {"string"});
            need(o, at, "title", {"string", "null"});
            need(o, at, "by", {"string"});
            need(o, at, "at", {"string"});
            iso(o.value("at").toString(), at + ".at");
        }
        need(r, "", "conversion", {"object", "null"});
        if (r.value("conversion").isObject()) {
            const QJsonObject m = r.value("conversion").toObject();
            need(m, "conversion", "schema", {"int"});
            need(m, "conversion", "target", {"string"});
            object(m, "conversion", "input",
                   [&](const QJsonObject& o, const QString& at) { need(o, at, "path", {"string"}); });
            need(m, "conversion", "outputs", {"array"});
            for (const auto& o : m.value("outputs").toArray())
                need(o.toObject(), "conversion.outputs[]", "path", {"string"});
        }
    }

  private:
    static QString typeOf(const QJsonValue& v) {
        if (v.isNull()) return "null";
        if (v.isBool()) return "bool";
        if (v.isDouble()) return v.toDouble() == std::floor(v.toDouble()) ? "int" : "number";
        if (v.isString()) return "string";
        if (v.isArray()) return "array";
        if (v.isObject()) return "object";
        return "undefined";
    }
    void need(const QJsonObject& o, const QString& at, const QString& key, const QStringList& types) {
        const QString where = at.isEmpty() ? key : at + "." + key;
        if (!o.contains(key)) {
            errors << where + " is missing";
            return;
        }
        QString t = typeOf(o.value(key));
        if (t == "int" && types.contains("number")) t = "number";
        if (!types.contains(t)) errors << where + " is " + t + ", expected " + types.join("|");
    }
    void oneOf(const QJsonObject& o, const QString& at, const QString& key, const QStringList& values,
               bool nullable = false) {
        const QJsonValue v = o.value(key);
        if (nullable && v.isNull()) return;
        if (!values.contains(v.toString()))
            errors << at + "." + key + " = \"" + v.toString() + "\" not in " + values.join(",");
    }
    void strings(const QJsonObject& o, const QString& at, const QString& key) {
        need(o, at, key, {"array"});
        for (const auto& s : o.value(key).toArray())
            if (!s.isString()) errors << at + "." + key + " holds a non-string";
    }
    template <typename F> void object(const QJsonObject& o, const QString& at, const QString& key, F f) {
        need(o, at, key, {"object"});
        if (o.value(key).isObject()) f(o.value(key).toObject(), at.isEmpty() ? key : at + "." + key);
    }
    void iso(const QString& s, const QString& where) {
        static const QRegularExpression re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$)");
        if (!re.match(s).hasMatch()) errors << where + " = \"" + s + "\" is not ISO 8601 with a time zone";
    }

    void image(const QJsonObject& o, const QString& at) {
        for (const char* k : {"path", "format", "subformat"})
            need(o, at, k, {"string"});
        need(o, at, "file_size", {"int"});
        need(o, at, "readable", {"bool"});
        if (!o.value("readable").toBool()) need(o, at, "message", {"string"});
        need(o, at, "virtual_size", {"int", "null"});
        need(o, at, "allocated_size", {"int", "null"});
        need(o, at, "chain", {"array"});
        for (const auto& c : o.value("chain").toArray())
            for (const char* k : {"path", "format", "subformat"})
                need(c.toObject(), at + ".chain[]", k, {"string"});
        strings(o, at, "warnings");
        if (o.contains("files")) strings(o, at, "files");
        if (o.contains("details")) need(o, at, "details", {"object"});
        if (o.contains("cluster_size")) need(o, at, "cluster_size", {"int"});
        if (o.contains("disks")) need(o, at, "disks", {"array"});
    }

    void facts(const QJsonObject& o, const QString& at) {
        need(o, at, "readable", {"bool"});
        if (!o.value("readable").toBool()) need(o, at, "unreadable_reason", {"string"});
        oneOf(o, at, "partition_table", {"gpt", "mbr", "none"});
        oneOf(o, at, "boot_mode", {"bios", "uefi", "unknown"});
        need(o, at, "boot_evidence", {"string"});
        need(o, at, "encrypted", {"bool"});
        need(o, at, "disks", {"int"});
        need(o, at, "sector_size", {"int"});
        need(o, at, "partitions", {"array"});
        for (const auto& pv : o.value("partitions").toArray()) {
            const QJsonObject p = pv.toObject();
            const QString pa = at + ".partitions[]";
            for (const char* k : {"index", "offset", "size"})
                need(p, pa, k, {"int"});
            for (const char* k : {"type", "type_name", "role", "name", "filesystem", "label"})
                need(p, pa, k, {"string"});
            for (const char* k :
                 {"active", "logical", "encrypted", "dirty", "hibernated", "is_system", "is_boot"})
                need(p, pa, k, {"bool"});
            strings(p, pa, "notes");
        }
        need(o, at, "boot_on_same_disk", {"bool", "null"});
        need(o, at, "windows", {"object", "null"});
        if (o.value("windows").isNull())
            need(o, at, "not_windows_reason", {"string"});
        else
            windows(o.value("windows").toObject(), at + ".windows");
        strings(o, at, "warnings");
        if (o.contains("per_disk")) {
            need(o, at, "windows_disk_index", {"int"});
            for (const auto& d : o.value("per_disk").toArray())
                facts(d.toObject(), at + ".per_disk[]");
        }
    }

    void windows(const QJsonObject& w, const QString& at) {
        for (const char* k : {"product_name", "edition_id", "installation_type", "current_version",
                              "display_version", "marketing_name", "system_root"})
            need(w, at, k, {"string"});
        for (const char* k : {"major_version", "minor_version", "build", "ubr"})
            need(w, at, k, {"int", "null"});
        need(w, at, "arch", {"string", "null"});
        object(w, at, "dhcp", [&](const QJsonObject& d, const QString& a) {
            need(d, a, "all_interfaces", {"bool", "null"});
            need(d, a, "interfaces", {"array"});
            for (const auto& i : d.value("interfaces").toArray()) {
                need(i.toObject(), a + ".interfaces[]", "guid", {"string"});
                need(i.toObject(), a + ".interfaces[]", "dhcp", {"bool", "null"});
                strings(i.toObject(), a + ".interfaces[]", "addresses");
            }
        });
        object(w, at, "virtio", [&](const QJsonObject& v, const QString& a) {
            for (const char* k : {"storage", "storage_boot_ready", "network"})
                need(v, a, k, {"bool"});
            need(v, a, "services", {"array"});
            for (const auto& s : v.value("services").toArray())
                service(s.toObject(), a + ".services[]");
            strings(v, a, "driver_packages");
        });
        object(w, at, "cloudbase_init", [&](const QJsonObject& c, const QString& a) {
            need(c, a, "installed", {"bool"});
            object(c, a, "service", [&](const QJsonObject& s, const QString& sa) { service(s, sa); });
            need(c, a, "config", {"object"});
        });
        object(w, at, "sysprep", [&](const QJsonObject& s, const QString& a) {
            need(s, a, "image_state", {"string", "null"});
        });
        for (const char* k : {"rtc_utc", "rdp_allowed", "hiberboot_enabled", "hibernate_enabled"})
            need(w, at, k, {"bool", "null"});
        need(w, at, "san_policy", {"int", "null"});
        for (const char* k : {"gpu_drivers", "legacy_tools", "group_policies", "antivirus", "warnings"})
            strings(w, at, k);
    }

    void service(const QJsonObject& s, const QString& at) {
        need(s, at, "name", {"string"});
        need(s, at, "present", {"bool"});
        for (const char* k : {"type", "start", "start_override"})
            need(s, at, k, {"int", "null"});
        need(s, at, "file_present", {"bool"});
    }

    void check(const QJsonObject& c, const QString& at) {
        for (const char* k : {"id", "title", "rule", "message"})
            need(c, at, k, {"string"});
        oneOf(c, at, "table", {"1", "2", "other", "extra"});
        oneOf(c, at, "level", {"required", "advised", "optional", "manual"});
        oneOf(c, at, "status", {"pass", "fail", "warn", "info", "manual", "unknown"});
        strings(c, at, "evidence");
        strings(c, at, "remediation");
        if (c.value("status").toString() == "pass" && !c.value("remediation").toArray().isEmpty())
            errors << at + ": a passing check has remediation steps";
        object(c, at, "doc", [&](const QJsonObject& d, const QString& a) {
            for (const char* k : {"page", "title", "topic", "section"})
                need(d, a, k, {"string"});
        });
    }

    void summary(const QJsonObject& s, const QString& at, int nchecks, const QSet<QString>& ids,
                 const QSet<QString>& manual) {
        oneOf(s, at, "verdict", {"ready", "not_ready", "incomplete"});
        oneOf(s, at, "import_path", {"direct", "fast", "unsupported", "unknown"});
        need(s, at, "min_system_disk_gb", {"int", "null"});
        need(s, at, "console_system_disk_gb", {"int", "null"});
        need(s, at, "register_os", {"string", "null"});
        oneOf(s, at, "register_boot_mode", {"BIOS", "UEFI"}, true);
        int total = 0;
        object(s, at, "counts", [&](const QJsonObject& c, const QString& a) {
            for (const char* k : {"pass", "fail", "warn", "info", "manual", "unknown"}) {
                need(c, a, k, {"int"});
                total += c.value(k).toInt();
            }
        });
        if (total != nchecks)
            errors << QString("%1.counts add up to %2, not %3 checks").arg(at).arg(total).arg(nchecks);
        strings(s, at, "pending_confirmations");
        for (const auto& p : s.value("pending_confirmations").toArray())
            if (!manual.contains(p.toString()))
                errors << at + ".pending_confirmations: " + p.toString() + " is not manual";
        strings(s, at, "blockers");
        for (const auto& b : s.value("blockers").toArray())
            if (!ids.contains(b.toString())) errors << at + ".blockers: " + b.toString() + " is not a check";
    }
};

// ---------------------------------------------------------------------------------------------------------------
// HTML: parsed as XML (XHTML-compatible markup); text of the document, and what makes it not self-contained.

struct HtmlScan {
    bool ok = false;
    QString error;
    QString text;             // all character data, normalised
    QStringList elements;     // element names, lower case
    QStringList externalRefs; // src/href attributes, url(...) in CSS, <link>
    int svgCount = 0;
};

HtmlScan scanHtml(const QByteArray& html) {
    HtmlScan s;
    QXmlStreamReader x(html);
    QString text;
    while (!x.atEnd()) {
        x.readNext();
        if (x.isStartElement()) {
            const QString n = x.name().toString().toLower();
            s.elements << n;
            if (n == "svg") ++s.svgCount;
            if (n == "link" || n == "script" || n == "img" || n == "iframe" || n == "object")
                s.externalRefs << n;
            for (const auto& a : x.attributes()) {
                const QString an = a.name().toString().toLower();
                if (an == "src" || an == "href" || an.startsWith("on"))
                    s.externalRefs << an + "=" + a.value().toString();
            }
            // Block-level elements separate words; inline ones (b, span) do not.
            static const QSet<QString> blocks = {"p",  "li",    "td",    "th",   "tr",    "div",
                                                 "h1", "h2",    "h3",    "br",   "table", "ul",
                                                 "ol", "title", "style", "text", "svg"};
            if (blocks.contains(n)) text += ' ';
        } else if (x.isEndElement()) {
            if (x.name() != QLatin1String("b") && x.name() != QLatin1String("span")) text += ' ';
        } else if (x.isCharacters()) {
            if (x.text().contains(QLatin1String("url("))) s.externalRefs << "url()";
            text += x.text().toString();
        }
    }
    s.ok = !x.hasError();
    if (x.hasError())
        s.error =
            QString("%1 at line %2 column %3").arg(x.errorString()).arg(x.lineNumber()).arg(x.columnNumber());
    s.text = normalize(text);
    return s;
}

} // namespace

class TestReport : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString artefacts_;
    QString demo_, raw_, overlay_, zvhd2_, hostile_, windowsDir_;
    QString windowsSkip_;

    // Runs `imgprep report IMAGE --pdf --html --json [extra]` into tmp/<tag>.*; returns the exit code.
    int report(const QString& tag, const QString& image, const QStringList& extra,
               ToolResult* res = nullptr) {
        const QString base = tmp_.filePath(tag);
        QStringList args = {"report", image,          "--pdf",  base + ".pdf",
                            "--html", base + ".html", "--json", base + ".json"};
        args += extra;
        auto r = runTool(cliPath(), args);
        if (res) *res = r;
        if (r.exitCode != 0) qWarning() << "imgprep report" << args << "->" << r.exitCode << r.err;
        return r.exitCode;
    }

    // Every check of the JSON, with its status label, in the PDF text and in the HTML text; the verdict too.
    void verifyOutputs(const QString& tag, const QString& pageSize, const QJsonObject& json) {
        const QString base = tmp_.filePath(tag);
        // pdfinfo: page size and count.
        auto info = runTool("pdfinfo", {base + ".pdf"});
        QCOMPARE(info.exitCode, 0);
        const QString inf = QString::fromUtf8(info.out);
        auto pages = QRegularExpression(R"(Pages:\s+(\d+))").match(inf);
        QVERIFY2(pages.hasMatch(), qPrintable(inf));
        QVERIFY2(pages.captured(1).toInt() > 1, qPrintable("only " + pages.captured(1) + " page(s)"));
        if (pageSize == "letter")
            QVERIFY2(inf.contains(QRegularExpression(R"(Page size:\s+612 x 792 pts)")), qPrintable(inf));
        else
            QVERIFY2(inf.contains(QRegularExpression(R"(Page size:\s+595(\.\d+)? x 842(\.\d+)? pts)")),
                     qPrintable(inf));

        const QString text = pdfText(base + ".pdf");
        QVERIFY(!text.isEmpty());
        const QString verdict = json.value("summary")["verdict"].toString();
        QVERIFY2(text.contains(verdictLabel(verdict)), qPrintable(verdict));
        QVERIFY2(text.contains(QString("Page 1 of %1").arg(pages.captured(1))), "no 'Page 1 of N' footer");
        QVERIFY2(text.contains(QString("Page %1 of %1").arg(pages.captured(1))),
                 "no footer on the last page");
        QVERIFY(text.contains(json.value("report")["image_name"].toString()));
        QVERIFY(text.contains("imgprep " + json.value("tool")["version"].toString()));

        QFile hf(base + ".html");
        QVERIFY(hf.open(QIODevice::ReadOnly));
        const QByteArray html = hf.readAll();
        const HtmlScan scan = scanHtml(html);
        QVERIFY2(scan.ok, qPrintable(scan.error));
        QVERIFY2(scan.externalRefs.isEmpty(),
                 qPrintable("not self-contained: " + scan.externalRefs.join(", ")));
        QVERIFY(scan.elements.contains("style"));
        QVERIFY(scan.text.contains(verdictLabel(verdict)));

        const QJsonArray checks = json.value("checks").toArray();
        QVERIFY(checks.size() > 10);
        for (const auto& cv : checks) {
            const QJsonObject c = cv.toObject();
            const QString want =
                statusLabel(c.value("status").toString()) + " " + normalize(c.value("title").toString());
            QVERIFY2(text.contains(want), qPrintable(tag + ": PDF lacks \"" + want + "\""));
            QVERIFY2(scan.text.contains(want), qPrintable(tag + ": HTML lacks \"" + want + "\""));
        }
        // Disk maps: one SVG per disk in the HTML when the contents are readable.
        const QJsonObject facts = json.value("facts").toObject();
        if (facts.value("readable").toBool()) {
            const int disks = facts.contains("per_disk") ? facts.value("per_disk").toArray().size() : 1;
            QCOMPARE(scan.svgCount, disks);
            QVERIFY(text.contains("Disk 1:"));
        } else {
            QCOMPARE(scan.svgCount, 0);
        }

        // Vector only: no raster image anywhere (the disk map is drawn, the text is text).
        auto images = runTool("pdfimages", {"-list", base + ".pdf"});
        QCOMPARE(images.exitCode, 0);
        QVERIFY2(QString::fromUtf8(images.out).trimmed().split('\n').size() == 2, images.out.constData());

        // Pages as PNG for people to look at.
        QDir().mkpath(artefacts_ + "/pages");
        auto png = runTool("pdftoppm", {"-r", "50", "-png", base + ".pdf", artefacts_ + "/pages/" + tag});
        QCOMPARE(png.exitCode, 0);
        const auto made = QDir(artefacts_ + "/pages").entryList({tag + "-*.png"});
        QCOMPARE(made.size(), pages.captured(1).toInt());
    }

    void validate(const QJsonObject& json) {
        Validator v;
        v.validateReport(json);
        QVERIFY2(v.errors.isEmpty(), qPrintable(v.errors.mid(0, 20).join("\n")));
    }

  private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        artefacts_ = QStringLiteral(IMGPREP_REPORT_ARTEFACTS);
        QDir(artefacts_ + "/pages").removeRecursively();
        QVERIFY(QDir().mkpath(artefacts_ + "/pages"));
        for (const char* tool : {"pdfinfo", "pdftotext", "pdftoppm", "pdfimages"})
            QVERIFY2(!QStandardPaths::findExecutable(tool).isEmpty(), tool);

        // The demo disk (GPT with ESP, MSR and an empty NTFS volume; no Windows), built by its fixture
        // script.
        auto demo = runTool("bash",
                            {QStringLiteral(IMGPREP_SOURCE_DIR) + "/tests/fixtures/build_demo.sh",
                             artefacts_ + "/demo-fixture"},
                            300000);
        QVERIFY2(demo.exitCode == 0, demo.err.constData());
        demo_ = artefacts_ + "/demo-fixture/demo-windows.vmdk";
        QVERIFY(QFileInfo::exists(demo_));

        raw_ = fixtureDir("images") + "/raw.img";
        overlay_ = fixtureDir("images") + "/qcow2-overlay.qcow2";
        QVERIFY2(QFileInfo::exists(raw_), qPrintable(raw_));
        QVERIFY2(QFileInfo::exists(overlay_), qPrintable(overlay_));

        // The raw fixture as ZVHD2, written by imgprep (read like any format). (Files that are not disk
        // images are errors for `report` as for every command: test_non_images.)
        zvhd2_ = tmp_.filePath("upload.zvhd2");
        auto conv = runTool(cliPath(), {"convert", raw_, "--to", "zvhd2", "-o", zvhd2_, "--quiet"});
        QVERIFY2(conv.exitCode == 0, conv.err.constData());

        // A hostile file name: markup, quotes, an ampersand and a comment opener.
        hostile_ = tmp_.filePath("evil <script>alert('x')<\\script> & \"q\" <!-- .img");
        QVERIFY(QFile::link(raw_, hostile_));

        // The synthetic Windows images of the `windows` fixture (tests/fixtures/build_windows.sh), when it is
        // built (it needs libntfs-3g for ntfs_populate).
        windowsDir_ = fixtureDir("windows");
        if (!QFileInfo::exists(windowsDir_ + "/windows.list")) {
            windowsSkip_ = "the windows fixture is not built (" + windowsDir_ + "/windows.list)";
            windowsDir_.clear();
        }
    }

    void reports_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("pageSize");
        QTest::addColumn<QString>("expectFile");
        QTest::newRow("demo-gpt-not-windows-a4") << demo_ << "a4"
                                                 << "";
        QTest::newRow("demo-gpt-not-windows-letter") << demo_ << "letter"
                                                     << "";
        QTest::newRow("raw-no-partitions") << raw_ << "a4"
                                           << "";
        QTest::newRow("qcow2-backing-chain") << overlay_ << "letter"
                                             << "";
        QTest::newRow("zvhd2") << zvhd2_ << "a4"
                               << "";
        if (windowsDir_.isEmpty()) return;
        QFile list(windowsDir_ + "/windows.list");
        if (!list.open(QIODevice::ReadOnly)) return;
        int n = 0;
        while (!list.atEnd()) {
            const QStringList p = QString::fromUtf8(list.readLine()).trimmed().split('|');
            if (p.size() < 3) continue;
            QTest::newRow(qPrintable("windows-" + p[0]))
                << windowsDir_ + "/" + p[1] << (n++ % 2 ? "letter" : "a4") << windowsDir_ + "/" + p[2];
        }
    }

    void reports() {
        QFETCH(QString, image);
        QFETCH(QString, pageSize);
        QFETCH(QString, expectFile);
        const QString tag = QTest::currentDataTag();
        QCOMPARE(report(tag, image, {"--page-size", pageSize}), 0);
        for (const char* ext : {".pdf", ".html", ".json"}) {
            QVERIFY(QFileInfo(tmp_.filePath(tag + ext)).size() > 0);
            QVERIFY2(!QFileInfo::exists(tmp_.filePath(tag + ext + ".part")), "a .part file was left behind");
        }
        QString err;
        const QJsonObject json = readJson(tmp_.filePath(tag + ".json"), &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        validate(json);
        verifyOutputs(tag, pageSize, json);

        // The embedded check document is exactly `imgprep check --json` for the same image.
        auto chk = runTool(cliPath(), {"check", image, "--json"});
        QVERIFY2(chk.exitCode == 0 || chk.exitCode == 1, chk.err.constData());
        const QJsonObject c = QJsonDocument::fromJson(chk.out).object();
        for (const char* k : {"schema", "tool", "image", "facts", "checks", "summary"})
            QVERIFY2(c.value(k) == json.value(k), k);

        if (!expectFile.isEmpty()) {
            // The fixture's expectations (written from what was put into the image).
            const QJsonObject expect = readJson(expectFile);
            QCOMPARE(json.value("summary")["verdict"].toString(), expect.value("verdict").toString());
            const QString text = pdfText(tmp_.filePath(tag + ".pdf"));
            const QJsonObject want = expect.value("checks").toObject();
            for (auto it = want.begin(); it != want.end(); ++it) {
                QString title;
                for (const auto& cv : json.value("checks").toArray())
                    if (cv.toObject().value("id").toString() == it.key())
                        title = cv.toObject().value("title").toString();
                QVERIFY2(!title.isEmpty(), qPrintable(it.key()));
                const QString line = statusLabel(it.value().toString()) + " " + normalize(title);
                QVERIFY2(text.contains(line), qPrintable(tag + ": PDF lacks \"" + line + "\""));
            }
            const QJsonValue product = expect.value("facts")["windows"]["product_name"];
            if (product.isString())
                QVERIFY2(text.contains(normalize(product.toString())), qPrintable(product.toString()));
        }
    }

    void windowsFixtureAvailable() {
        if (!windowsSkip_.isEmpty()) QSKIP(qPrintable(windowsSkip_));
        QVERIFY(QFileInfo::exists(windowsDir_ + "/windows.list"));
    }

    void manifestInAllOutputs() {
        const QString out = tmp_.filePath("converted.raw");
        auto conv = runTool(cliPath(),
                            {"convert", raw_, "--to", "raw", "--bitmap", "--verify", "-o", out, "--quiet"});
        QVERIFY2(conv.exitCode == 0, conv.err.constData());
        const QString manifest = tmp_.filePath("converted.manifest.json");
        QVERIFY(QFileInfo::exists(manifest));
        QCOMPARE(report("with-manifest", raw_, {"--manifest", manifest}), 0);

        QString err;
        const QJsonObject m = readJson(manifest, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        const QJsonObject json = readJson(tmp_.filePath("with-manifest.json"));
        validate(json);
        QCOMPARE(json.value("conversion").toObject(), m);
        QCOMPARE(json.value("report")["manifest_path"].toString(), manifest);

        // The RAW output's checksum as sha256sum computes it, shown in PDF and HTML with the bitmap
        // statistics.
        auto sum = runTool("sha256sum", {out});
        QCOMPARE(sum.exitCode, 0);
        const QString outSha = QString::fromUtf8(sum.out).section(' ', 0, 0);
        const QString pdf = pdfText(tmp_.filePath("with-manifest.pdf"));
        QFile hf(tmp_.filePath("with-manifest.html"));
        QVERIFY(hf.open(QIODevice::ReadOnly));
        const HtmlScan html = scanHtml(hf.readAll());
        QVERIFY2(html.ok, qPrintable(html.error));
        QVERIFY2(pdf.contains(outSha), "the output's SHA-256 is not in the PDF");
        QVERIFY2(html.text.contains(outSha), "the output's SHA-256 is not in the HTML");
        for (const auto& o : m.value("outputs").toArray()) {
            const QString path = o.toObject().value("path").toString();
            QVERIFY2(pdf.contains(path), qPrintable(path));
            QVERIFY2(html.text.contains(path), qPrintable(path));
            if (o.toObject().contains("sha256")) {
                QVERIFY(pdf.contains(o.toObject().value("sha256").toString()));
                QVERIFY(html.text.contains(o.toObject().value("sha256").toString()));
            }
        }
        const QJsonObject bm = m.value("bitmap").toObject();
        const QString blocks =
            QString("%1 of %2").arg(bm.value("set_bits").toInteger()).arg(bm.value("blocks").toInteger());
        QVERIFY2(pdf.contains(blocks), qPrintable(blocks));
        QVERIFY2(html.text.contains(blocks), qPrintable(blocks));
        QVERIFY(pdf.contains("PASSED: the output reads back identical to the source"));
        QVERIFY(html.text.contains("PASSED: the output reads back identical to the source"));
    }

    void badManifest_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("not json") << QByteArray("{ this is not json");
        QTest::newRow("not an object") << QByteArray("[1, 2]");
        QTest::newRow("no outputs") << QByteArray(
            R"({"schema": 1, "target": "raw", "input": {"path": "x"}})");
        QTest::newRow("output without path")
            << QByteArray(R"({"schema": 1, "target": "raw", "input": {"path": "x"},
            "outputs": [{"role": "image", "size": 5}]})");
        QTest::newRow("schema 2") << QByteArray(
            R"({"schema": 2, "target": "raw", "input": {"path": "x"}, "outputs": []})");
        QTest::newRow("verification without performed") << QByteArray(
            R"({"schema": 1, "target": "raw", "input": {"path": "x"}, "outputs": [], "verification": {}})");
    }
    void badManifest() {
        QFETCH(QByteArray, content);
        const QString mf = tmp_.filePath("bad.manifest.json");
        QFile f(mf);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(content);
        f.close();
        ToolResult r;
        QCOMPARE(report("bad-manifest", raw_, {"--manifest", mf, "--force"}, &r), 2);
        QVERIFY2(r.err.contains("bad.manifest.json"), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1); // one line on stderr
        for (const char* ext : {".pdf", ".html", ".json"}) {
            QVERIFY(!QFileInfo::exists(tmp_.filePath(QString("bad-manifest") + ext)));
            QVERIFY(!QFileInfo::exists(tmp_.filePath(QString("bad-manifest") + ext + ".part")));
        }
    }

    void errors_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("stderrHas");
        const QString t = tmp_.path();
        QTest::newRow("missing image")
            << QStringList{"report", t + "/no-such.vmdk", "--pdf", t + "/e1.pdf"} << "no-such.vmdk";
        QTest::newRow("unwritable pdf")
            << QStringList{"report", raw_, "--pdf", "/nonexistent-dir/x.pdf"} << "/nonexistent-dir/x.pdf";
        QTest::newRow("unwritable html")
            << QStringList{"report", raw_, "--html", "/nonexistent-dir/x.html"} << "/nonexistent-dir/x.html";
        QTest::newRow("unwritable json")
            << QStringList{"report", raw_, "--json", "/proc/x.json"} << "/proc/x.json";
        QTest::newRow("no output") << QStringList{"report", raw_} << "no output";
        QTest::newRow("bad page size")
            << QStringList{"report", raw_, "--pdf", t + "/e2.pdf", "--page-size", "a5"} << "--page-size";
        QTest::newRow("unknown confirm id")
            << QStringList{"report", raw_, "--pdf", t + "/e3.pdf", "--confirm", "no.such.check"}
            << "no.such.check";
        QTest::newRow("confirm of an automatic check")
            << QStringList{"report", raw_, "--pdf", t + "/e4.pdf", "--confirm", "network.dhcp"}
            << "network.dhcp";
        QTest::newRow("missing manifest")
            << QStringList{"report", raw_, "--pdf", t + "/e5.pdf", "--manifest", t + "/none.json"}
            << "none.json";
        QTest::newRow("output is the image")
            << QStringList{"report", raw_, "--json", raw_} << "source is never written";
        QTest::newRow("unknown option")
            << QStringList{"report", raw_, "--pdf", t + "/e6.pdf", "--bogus"} << "--bogus";
    }
    void errors() {
        QFETCH(QStringList, args);
        QFETCH(QString, stderrHas);
        const QByteArray before = sha256OfFile(raw_);
        auto r = runTool(cliPath(), args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(stderrHas), r.err.constData());
        for (int i = 1; i <= 6; ++i)
            QVERIFY(!QFileInfo::exists(tmp_.filePath(QString("e%1.pdf").arg(i))));
        QCOMPARE(sha256OfFile(raw_), before);
    }

    void corruptImage() {
        // A QCOW2 header with an absurd cluster size: an unreadable input is an error, not a report.
        QByteArray q("QFI\xfb\0\0\0\3", 8);
        q += QByteArray(504, '\xee');
        const QString path = tmp_.filePath("corrupt.qcow2");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(q);
        f.close();
        ToolResult r;
        QCOMPARE(report("corrupt", path, {}, &r), 2);
        QVERIFY2(r.err.contains("corrupt.qcow2"), r.err.constData());
        QVERIFY(!QFileInfo::exists(tmp_.filePath("corrupt.pdf")));
    }

    void existingOutputNeedsForce() {
        const QString pdf = tmp_.filePath("keep.pdf");
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("precious");
        f.close();
        auto r = runTool(cliPath(), {"report", raw_, "--pdf", pdf});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("--force"));
        QFile g(pdf);
        QVERIFY(g.open(QIODevice::ReadOnly));
        QCOMPARE(g.readAll(), QByteArray("precious"));
        g.close();
        r = runTool(cliPath(), {"report", raw_, "--pdf", pdf, "--force"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QFileInfo(pdf).size() > 1000);
    }

    void confirmationsAndChecksum() {
        QCOMPARE(report("confirmed", demo_,
                        {"--confirm", "os.hardware_independent", "--confirm", "account.tenant_admin",
                         "--confirmed-by", "Jane Q. Auditor", "--checksum", "sha256"}),
                 0);
        const QJsonObject json = readJson(tmp_.filePath("confirmed.json"));
        validate(json);
        const QJsonArray conf = json.value("confirmations").toArray();
        QCOMPARE(conf.size(), 2);
        QSet<QString> ids;
        for (const auto& c : conf) {
            ids << c.toObject().value("id").toString();
            QCOMPARE(c.toObject().value("by").toString(), QString("Jane Q. Auditor"));
            QCOMPARE(c.toObject().value("at").toString(), json.value("report")["created"].toString());
        }
        QCOMPARE(ids, (QSet<QString>{"os.hardware_independent", "account.tenant_admin"}));
        for (const auto& c : json.value("checks").toArray())
            if (ids.contains(c.toObject().value("id").toString()))
                QCOMPARE(c.toObject().value("status").toString(), QString("pass"));
        for (const auto& p : json.value("summary")["pending_confirmations"].toArray())
            QVERIFY(!ids.contains(p.toString()));
        const QString pdf = pdfText(tmp_.filePath("confirmed.pdf"));
        QVERIFY(pdf.contains("Jane Q. Auditor"));
        QVERIFY(pdf.contains("Tenant administrator account (account.tenant_admin)"));

        // --checksum: the SHA-256 of the virtual disk, as qemu-img convert -O raw + sha256sum compute it.
        const QString flat = tmp_.filePath("demo-flat.raw");
        auto conv = runTool("qemu-img", {"convert", "-f", "vmdk", "-O", "raw", demo_, flat});
        QCOMPARE(conv.exitCode, 0);
        auto sum = runTool("sha256sum", {flat});
        const QString want = QString::fromUtf8(sum.out).section(' ', 0, 0);
        QCOMPARE(json.value("checksum")["sha256"].toString(), want);
        QVERIFY(pdf.contains(want));
        QFile::remove(flat);
    }

    void hostileNameEscaped() {
        QCOMPARE(report("hostile", hostile_, {}), 0);
        QFile hf(tmp_.filePath("hostile.html"));
        QVERIFY(hf.open(QIODevice::ReadOnly));
        const QByteArray html = hf.readAll();
        QVERIFY2(!html.toLower().contains("<script"), "an unescaped <script in the HTML");
        QVERIFY(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;\\script&gt;"));
        QVERIFY(!html.contains("<!-- .img"));
        const HtmlScan scan = scanHtml(html);
        QVERIFY2(scan.ok, qPrintable(scan.error));
        QVERIFY(!scan.elements.contains("script"));
        const QString name = QFileInfo(hostile_).fileName();
        QVERIFY(scan.text.contains(normalize(name)));
        const QJsonObject json = readJson(tmp_.filePath("hostile.json"));
        QCOMPARE(json.value("report")["image_name"].toString(), name);
        // In the PDF the name is text, shown as it is.
        QVERIFY2(pdfText(tmp_.filePath("hostile.pdf")).contains(normalize(name)), qPrintable(name));
    }

    // The library on its own: hostile strings from inside the image (partition labels, registry values with
    // control characters and invalid UTF-8) through build_report, render_html and write_pdf_report.
    void libraryHostileStrings() {
        imgprep::Inspection in;
        in.image.path = "/images/disk\x01.vmdk";
        in.image.format = "vmdk";
        in.image.readable = true;
        in.image.virtual_size = 64ull << 30;
        in.image.disk_sizes = {64ull << 30};
        in.image_json = imgprep::Json::object();
        in.image_json.set("path", in.image.path);
        in.image_json.set("format", "vmdk");
        in.image_json.set("subformat", "monolithicSparse");
        in.image_json.set("readable", true);
        in.image_json.set("virtual_size", std::uint64_t(64ull << 30));
        in.image_json.set("file_size", 12345);
        in.image_json.set("allocated_size", 4096);
        in.image_json.set("chain", imgprep::Json::array());
        in.image_json.set("warnings", imgprep::Json::array());
        auto& f = in.facts;
        f.readable = true;
        f.partition_table = "gpt";
        f.boot_mode = "uefi";
        auto part = [&](int idx, std::uint64_t off, std::uint64_t size, std::string fs, std::string label,
                        std::string role) {
            imgprep::PartitionFacts p;
            p.index = idx;
            p.offset = off;
            p.size = size;
            p.filesystem = std::move(fs);
            p.label = std::move(label);
            p.role = std::move(role);
            p.type_name = "Microsoft basic data";
            f.partitions.push_back(p);
        };
        part(1, 1 << 20, 100 << 20, "fat32", "<svg onload=alert(1)>", "esp");
        part(2, 101 << 20, 16 << 20, "none", "", "msr");
        part(3, 117 << 20, (64ull << 30) - (118 << 20), "ntfs", "]]></text><script>x</script>\xff\xfe",
             "basic_data");
        f.partitions.back().is_system = true;
        imgprep::WindowsFacts w;
        w.product_name = "Windows </td></table><script>evil()</script> \x07 Server";
        w.build = 17763;
        w.arch = "x64";
        imgprep::InterfaceFacts nic;
        nic.guid = "{<b>}";
        nic.dhcp = false;
        nic.addresses = {"10.0.0.5\"><img src=x>"};
        w.interfaces.push_back(nic);
        w.dhcp_all = false;
        f.windows = w;
        const auto results = imgprep::evaluate_checks(in.image, in.facts);
        const auto summary = imgprep::summarize(in.image, in.facts, results);
        imgprep::ReportOptions opt;
        opt.confirmations.push_back({"os.full_virtualization", "<admin>", "2026-01-02T03:04:05+01:00"});
        const imgprep::Json r = imgprep::build_report(in, results, summary, opt);
        // The confirmation was recorded but the checks were evaluated without it: the report says so.
        QVERIFY(
            QString::fromStdString(r.get_path("report.warnings").dump()).contains("os.full_virtualization"));

        const std::string html = imgprep::render_html(r);
        const HtmlScan scan = scanHtml(QByteArray::fromStdString(html));
        QVERIFY2(scan.ok, qPrintable(scan.error));
        QVERIFY(!scan.elements.contains("script"));
        QVERIFY(!scan.elements.contains("img"));
        QVERIFY(html.find("{<b>}") == std::string::npos);
        QVERIFY2(scan.externalRefs.isEmpty(), qPrintable(scan.externalRefs.join(",")));
        QVERIFY(scan.text.contains("<svg onload=alert(1)>"));
        QVERIFY(scan.text.contains("</td></table><script>evil()</script>"));
        QVERIFY(scan.text.contains("<admin>"));
        QCOMPARE(scan.svgCount, 1);

        const QString pdf = tmp_.filePath("library.pdf");
        QString error;
        QVERIFY2(imgprep::write_pdf_report(r, pdf, QPageSize::A4, &error), qPrintable(error));
        QVERIFY(!QFileInfo::exists(pdf + ".part"));
        const QString text = pdfText(pdf);
        QVERIFY(text.contains("</td></table><script>evil()</script>"));
        QVERIFY(text.contains("<svg onload=alert(1)>"));
        QVERIFY(text.contains("10.0.0.5\"><img src=x>"));
        QVERIFY(text.contains("<admin>"));
        runTool("pdftoppm", {"-r", "50", "-png", pdf, artefacts_ + "/pages/library-hostile"});
    }

    void pdfWriterErrors() {
        imgprep::Inspection in;
        in.image.path = "x.raw";
        in.image_json = imgprep::Json::object();
        const auto results = imgprep::evaluate_checks(in.image, in.facts);
        const auto r =
            imgprep::build_report(in, results, imgprep::summarize(in.image, in.facts, results), {});
        QString error;
        QVERIFY(!imgprep::write_pdf_report(r, "/nonexistent-dir/r.pdf", QPageSize::A4, &error));
        QVERIFY2(error.contains("/nonexistent-dir/r.pdf"), qPrintable(error));
        QVERIFY(!QFileInfo::exists("/nonexistent-dir/r.pdf.part"));
        // Replacing an existing file, and Letter through the library.
        const QString path = tmp_.filePath("replace.pdf");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("old");
        f.close();
        QVERIFY2(imgprep::write_pdf_report(r, path, QPageSize::Letter, &error), qPrintable(error));
        auto info = runTool("pdfinfo", {path});
        QVERIFY(QString::fromUtf8(info.out).contains(QRegularExpression(R"(Page size:\s+612 x 792 pts)")));
    }

    // The disk map layout: to scale, tiny partitions widened to the minimum, boxes in disk order without
    // overlap, and every partition labelled (inside its box or in a callout below).
    void diskMapLayout() {
        using imgprep::Json;
        using namespace imgprep::report_detail;
        const std::uint64_t MiB = 1 << 20, disk = 2ull << 40; // 2 TiB
        Json facts = Json::object();
        facts.set("readable", true);
        facts.set("partition_table", "gpt");
        Json parts = Json::array();
        struct P {
            int index;
            std::uint64_t off, size;
        };
        const std::vector<P> ps = {{1, MiB, 100 * MiB},
                                   {2, 101 * MiB, 16 * MiB},
                                   {3, 117 * MiB, 1ull << 40},
                                   {4, (1ull << 40) + 117 * MiB, 512 * MiB},
                                   {5, (1ull << 40) + 629 * MiB, 1ull << 39},
                                   {6, disk - 2 * MiB, MiB}};
        for (const auto& p : ps) {
            Json j = Json::object();
            j.set("index", p.index);
            j.set("offset", p.off);
            j.set("size", p.size);
            j.set("filesystem", p.index == 3 ? "ntfs" : "fat32");
            j.set("role", p.index == 1 ? "esp" : "basic_data");
            j.set("label", p.index == 3 ? "Windows" : "");
            j.set("is_system", p.index == 3);
            parts.push(std::move(j));
        }
        facts.set("partitions", std::move(parts));
        const DiskMap map = layout_disk_map(facts, disk, "Disk 1");
        QVERIFY(map.height > 0);
        QHash<int, const DiskMapShape*> box;
        for (const auto& s : map.shapes)
            if (s.kind == DiskMapShape::Kind::Rect && s.partition > 0) box.insert(s.partition, &s);
        QCOMPARE(box.size(), int(ps.size()));
        double prevEnd = 0;
        for (const auto& p : ps) {
            const DiskMapShape* b = box.value(p.index);
            QVERIFY(b->w >= kDiskMapMinWidth - 1e-9);
            QVERIFY2(b->x >= prevEnd - 1e-6,
                     qPrintable(QString("partition %1 overlaps the previous one").arg(p.index)));
            QVERIFY(b->x + b->w <= map.width + 1e-6);
            prevEnd = b->x + b->w;
            bool labelled = false;
            for (const auto& s : map.shapes)
                labelled = labelled || (s.kind == DiskMapShape::Kind::Text && s.partition == p.index &&
                                        QString::fromStdString(s.text).contains(QString::number(p.index)));
            QVERIFY2(labelled, qPrintable(QString("partition %1 has no label").arg(p.index)));
        }
        // To scale: partition 3 (1 TiB) is twice partition 5 (512 GiB), within 1 %.
        const double ratio = box.value(3)->w / box.value(5)->w;
        QVERIFY2(std::abs(ratio - 2.0) < 0.02, qPrintable(QString::number(ratio)));
        // Tiny partitions are exactly at the minimum.
        QVERIFY(std::abs(box.value(2)->w - kDiskMapMinWidth) < 1e-6);
        QVERIFY(std::abs(box.value(6)->w - kDiskMapMinWidth) < 1e-6);
        // Callout texts below the bar do not overlap each other (estimated extents).
        struct Ext {
            double l, r, t, b;
        };
        QList<Ext> exts;
        const DiskMapShape* bar = box.value(1);
        for (const auto& s : map.shapes)
            if (s.kind == DiskMapShape::Kind::Text && s.y > bar->y + bar->h)
                exts.append({s.x, s.x + double(s.text.size()) * s.size * 0.5, s.y - s.size, s.y});
        for (int i = 0; i < exts.size(); ++i)
            for (int k = i + 1; k < exts.size(); ++k) {
                const bool overlap = exts[i].l < exts[k].r && exts[k].l < exts[i].r &&
                                     exts[i].t < exts[k].b && exts[k].t < exts[i].b;
                QVERIFY2(!overlap, "two callout labels overlap");
            }
        // Hundreds of partitions: bounded, still within the bar.
        Json many = Json::object();
        many.set("readable", true);
        Json mp = Json::array();
        for (int i = 0; i < 1000; ++i) {
            Json j = Json::object();
            j.set("index", i + 1);
            j.set("offset", std::uint64_t(i) * MiB);
            j.set("size", MiB);
            mp.push(std::move(j));
        }
        many.set("partitions", std::move(mp));
        const DiskMap big = layout_disk_map(many, 1000 * MiB, "many");
        for (const auto& s : big.shapes)
            if (s.kind == DiskMapShape::Kind::Rect) QVERIFY(s.x >= -1e-6 && s.x + s.w <= big.width + 1e-6);
        QVERIFY(big.shapes.size() < 2000);
    }

    void sanitizedText() {
        using imgprep::report_detail::xml_escape;
        const std::string bad = std::string("a\x01"
                                            "b\x7f"
                                            "c\xff"
                                            "d\xc3\x28"
                                            "e\xed\xa0\x80"
                                            "f\xef\xbf\xbe"
                                            "g<&>\"'") +
                                "\xe2\x82\xac"; // euro sign stays
        const std::string esc = xml_escape(bad);
        const QByteArray doc = QByteArray("<r>") + QByteArray::fromStdString(esc) + "</r>";
        QXmlStreamReader x(doc);
        QString text;
        while (!x.atEnd()) {
            x.readNext();
            if (x.isCharacters()) text += x.text();
        }
        QVERIFY2(!x.hasError(), qPrintable(x.errorString()));
        QVERIFY(text.contains(QChar(0x20AC)));
        QVERIFY(text.contains("g<&>\"'"));
        QVERIFY(!text.contains(QChar(0x01)));
        QVERIFY(!text.contains(QChar(0xFFFE)));
    }
};

QTEST_MAIN(TestReport)
#include "test_report.moc"
