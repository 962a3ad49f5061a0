// `imgprep inspect --json` and `imgprep check --json` end to end: the synthetic Windows disks of
// tests/fixtures/build_windows.sh (each with an .expect.json written by construction and validated against
// hivex/sleuthkit by test_windows_fixtures), real third-party images from ../shared/testdata, not-Windows and
// unreadable inputs, and the metadata-only promise (a 200 GiB image inspected reading < 64 MiB).
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "testsupport.h"

using namespace testsupport;

namespace {

QJsonObject runJson(const QStringList& args, int* exitCode, QByteArray* err = nullptr) {
    auto r = runTool(cliPath(), args, 300000);
    *exitCode = r.exitCode;
    if (err) *err = r.err;
    return QJsonDocument::fromJson(r.out).object();
}

// The comparison rules of tests/fixtures/windows/README.md: objects as subsets; `partitions` matched by
// index, `interfaces` by guid, `per_disk` by position (each entry a subset, same count); arrays of scalars
// equal; the cloudbase-init config maps equal; GUID strings case-insensitive.
QString subsetMismatch(const QJsonValue& expect, const QJsonValue& actual, const QString& where,
                       const QString& key = {}) {
    if (expect.isObject()) {
        if (!actual.isObject()) return where + ": expected an object";
        const QJsonObject e = expect.toObject(), a = actual.toObject();
        if (key == "config" || key == "unattend_config")
            if (e.keys() != a.keys())
                return where + ": keys differ: expected " + e.keys().join(",") + ", got " +
                       a.keys().join(",");
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (!a.contains(it.key())) return where + "." + it.key() + ": missing";
            QString m = subsetMismatch(it.value(), a.value(it.key()), where + "." + it.key(), it.key());
            if (!m.isEmpty()) return m;
        }
        return {};
    }
    if (expect.isArray()) {
        if (!actual.isArray()) return where + ": expected an array";
        const QJsonArray e = expect.toArray(), a = actual.toArray();
        if (e.size() != a.size())
            return QString("%1: expected %2 entries, got %3").arg(where).arg(e.size()).arg(a.size());
        const QString by = key == "partitions" ? "index" : key == "interfaces" ? "guid" : QString();
        for (int i = 0; i < e.size(); ++i) {
            QJsonValue match = a.at(i);
            if (!by.isEmpty()) {
                match = QJsonValue();
                for (const auto& x : a)
                    if (x.toObject()[by].toVariant().toString().compare(
                            e.at(i).toObject()[by].toVariant().toString(), Qt::CaseInsensitive) == 0)
                        match = x;
                if (match.isNull())
                    return where + ": no entry with " + by + " " +
                           e.at(i).toObject()[by].toVariant().toString();
            }
            QString m = subsetMismatch(e.at(i), match, QString("%1[%2]").arg(where).arg(i));
            if (!m.isEmpty()) return m;
        }
        return {};
    }
    if (expect.isDouble() && actual.isDouble())
        return expect.toDouble() == actual.toDouble() ? QString()
                                                      : QString("%1: expected %2, got %3")
                                                            .arg(where)
                                                            .arg(expect.toDouble())
                                                            .arg(actual.toDouble());
    if (expect.isString() && actual.isString() && (key == "type" || key == "guid"))
        return expect.toString().compare(actual.toString(), Qt::CaseInsensitive) == 0
                   ? QString()
                   : where + ": expected " + expect.toString() + ", got " + actual.toString();
    if (expect != actual)
        return where + ": expected " +
               QString::fromUtf8(QJsonDocument(QJsonArray{expect}).toJson(QJsonDocument::Compact)) +
               ", got " + QString::fromUtf8(QJsonDocument(QJsonArray{actual}).toJson(QJsonDocument::Compact));
    return {};
}

QJsonObject readJsonFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestInspect : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;

  private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    void windowsFixtures_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("expect");
        QFile list(fixtureDir("windows") + "/windows.list");
        QVERIFY2(list.open(QIODevice::ReadOnly), "windows fixtures missing (fixture.windows)");
        while (!list.atEnd()) {
            const QStringList p = QString::fromUtf8(list.readLine()).trimmed().split('|');
            if (p.size() < 3) continue;
            QTest::newRow(p[0].toUtf8())
                << fixtureDir("windows") + "/" + p[1] << fixtureDir("windows") + "/" + p[2];
        }
    }
    void windowsFixtures() {
        QFETCH(QString, image);
        QFETCH(QString, expect);
        const QJsonObject ex = readJsonFile(expect);
        QVERIFY2(!ex.isEmpty(), qPrintable("cannot read " + expect));
        // The source stays unchanged (hashing the 1.5 TiB sparse file would read 1.5 TiB: the others prove
        // it).
        const bool hash = QFileInfo(image).size() < (qint64(4) << 30);
        const QByteArray before = hash ? sha256OfFile(image) : QByteArray();
        int rc = -1;
        QByteArray err;
        const QJsonObject ins = runJson({"inspect", image, "--json"}, &rc, &err);
        QVERIFY2(rc == 0, err.constData());
        QCOMPARE(ins["schema"].toInt(), 1);
        if (ex.contains("facts")) {
            QString m = subsetMismatch(ex["facts"], ins["facts"], "facts");
            QVERIFY2(m.isEmpty(), qPrintable(m));
        }
        const QJsonObject img = ins["image"].toObject();
        if (ex["image"].toObject().contains("format"))
            QCOMPARE(img["format"].toString(), ex["image"].toObject()["format"].toString());
        if (ex["image"].toObject().contains("virtual_size"))
            QCOMPARE(img["virtual_size"].toDouble(), ex["image"].toObject()["virtual_size"].toDouble());
        // Services by name in virtio.services, ide_services and cloudbase_init.service.
        const QJsonObject win = ins["facts"].toObject()["windows"].toObject();
        QMap<QString, QJsonObject> services;
        for (const auto& v : win["virtio"].toObject()["services"].toArray())
            services[v.toObject()["name"].toString().toLower()] = v.toObject();
        for (const auto& v : win["ide_services"].toArray())
            services[v.toObject()["name"].toString().toLower()] = v.toObject();
        services["cloudbase-init"] = win["cloudbase_init"].toObject()["service"].toObject();
        const QJsonObject exServices = ex["services"].toObject();
        for (auto it = exServices.begin(); it != exServices.end(); ++it) {
            const QJsonObject want = it.value().toObject();
            const QJsonObject got = services.value(it.key().toLower());
            if (got.isEmpty() && want.value("present") == QJsonValue(false)) continue;
            QString m = subsetMismatch(want, got, "services." + it.key());
            QVERIFY2(m.isEmpty(), qPrintable(m));
        }
        // Inspection reads metadata only.
        QVERIFY2(ins["stats"].toObject()["bytes_read"].toDouble() < 64.0 * 1024 * 1024,
                 qPrintable(QString("read %1 bytes").arg(ins["stats"].toObject()["bytes_read"].toDouble())));
        const QJsonObject chk = runJson({"check", image, "--json"}, &rc, &err);
        QVERIFY2(rc == 0 || rc == 1, err.constData());
        QCOMPARE(chk["schema"].toInt(), 1);
        QMap<QString, QString> statuses;
        for (const auto& c : chk["checks"].toArray())
            statuses[c.toObject()["id"].toString()] = c.toObject()["status"].toString();
        const QJsonObject exChecks = ex["checks"].toObject();
        for (auto it = exChecks.begin(); it != exChecks.end(); ++it)
            QVERIFY2(
                statuses.value(it.key()) == it.value().toString(),
                qPrintable(QString("%1: expected %2, got %3")
                               .arg(it.key(), it.value().toString(), statuses.value(it.key(), "(absent)"))));
        const QString verdict = chk["summary"].toObject()["verdict"].toString();
        if (ex.contains("verdict")) QCOMPARE(verdict, ex["verdict"].toString());
        QCOMPARE(rc, verdict == "ready" ? 0 : 1);
        if (ex.contains("import_path"))
            QCOMPARE(chk["summary"].toObject()["import_path"].toString(), ex["import_path"].toString());
        if (hash) QCOMPARE(sha256OfFile(image), before);
    }

    void staticIpRemediationScript() {
        // The BIOS image with a static address gets the DHCP step; the ready image gets none of it.
        QFile list(fixtureDir("windows") + "/windows.list");
        QVERIFY(list.open(QIODevice::ReadOnly));
        int checked = 0;
        while (!list.atEnd()) {
            const QStringList p = QString::fromUtf8(list.readLine()).trimmed().split('|');
            if (p.size() < 3) continue;
            const QJsonObject ex = readJsonFile(fixtureDir("windows") + "/" + p[2]);
            const QString dhcp = ex["checks"].toObject()["network.dhcp"].toString();
            if (dhcp.isEmpty()) continue;
            const QString out = tmp_.filePath(p[0] + ".ps1");
            auto r = runTool(cliPath(), {"remediate", fixtureDir("windows") + "/" + p[1], "-o", out});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QFile f(out);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray script = f.readAll();
            QCOMPARE(script.contains("# imgprep-step: network.dhcp"), dhcp == "fail");
            ++checked;
        }
        QVERIFY(checked > 0);
    }

    // A dirty SYSTEM hive is replayed from the logs beside it (the builder made them with sequence numbers
    // 4201 and 4202 from a hivex chain); a missing Select\Current set falls back with a warning; a damaged
    // hive bin leaves the interfaces unreadable: network.dhcp unknown with the reason, never pass.
    void dirtyAndDamagedSystemHives() {
        int rc = -1;
        QByteArray err;
        QJsonObject ins =
            runJson({"inspect", fixtureDir("windows") + "/win10-vbox-dirty.qcow2", "--json"}, &rc, &err);
        QVERIFY2(rc == 0, err.constData());
        QJsonObject w = ins["facts"].toObject()["windows"].toObject();
        const QJsonObject sys = w["hives"].toArray().at(0).toObject();
        QCOMPARE(sys["name"].toString(), QString("SYSTEM"));
        QCOMPARE(sys["replay"].toObject()["format"].toString(), QString("new"));
        QCOMPARE(sys["replay"].toObject()["from_sequence"].toInt(), 4201);
        QCOMPARE(sys["replay"].toObject()["to_sequence"].toInt(), 4202);
        QCOMPARE(sys["replay"].toObject()["logs"].toArray(), (QJsonArray{"SYSTEM.LOG1", "SYSTEM.LOG2"}));
        QString warnings;
        for (const auto& v : w["warnings"].toArray())
            warnings += v.toString() + "\n";
        QVERIFY2(
            warnings.contains("hive was dirty (primary sequence number 4201, secondary 4200): replayed 2 log "
                              "entries (sequence 4201 to 4202)") &&
                warnings.contains("up to sequence 4202"),
            qPrintable(warnings));
        QVERIFY2(warnings.contains(
                     "Select\\Current = 2 names ControlSet002, which does not exist; ControlSet001 was "
                     "read instead (Select\\Default = 1)"),
                 qPrintable(warnings));
        QCOMPARE(w["current_control_set"].toInt(), 1);
        QVERIFY(w["rtc_utc"].isNull());
        QVERIFY(w["real_time_is_universal"].isNull());

        ins = runJson({"inspect", fixtureDir("windows") + "/win2019-damaged-system.qcow2", "--json"}, &rc,
                      &err);
        QVERIFY2(rc == 0, err.constData());
        w = ins["facts"].toObject()["windows"].toObject();
        QVERIFY2(w["unreadable"].toObject()["network"].toString().contains("lies in a damaged hive bin"),
                 qPrintable(QJsonDocument(w["unreadable"].toObject()).toJson()));
        QCOMPARE(w["hives"].toArray().at(0).toObject()["damaged_bytes"].toInt(), 4096);
        QJsonObject chk =
            runJson({"check", fixtureDir("windows") + "/win2019-damaged-system.qcow2", "--json"}, &rc, &err);
        QCOMPARE(rc, 1);
        for (const auto& c : chk["checks"].toArray())
            if (c.toObject()["id"].toString() == "network.dhcp") {
                QCOMPARE(c.toObject()["status"].toString(), QString("unknown"));
                QVERIFY(c.toObject()["message"].toString().contains("damaged hive bin"));
            }
        QCOMPARE(chk["summary"].toObject()["verdict"].toString(), QString("incomplete"));
    }

    void notWindowsAndUnreadable() {
        // A plain fixture disk holds no filesystem: inspect succeeds, windows is null, os.version fails.
        const QString raw = fixtureDir("images") + "/raw.img";
        int rc = -1;
        QJsonObject ins = runJson({"inspect", raw, "--json"}, &rc);
        QCOMPARE(rc, 0);
        QVERIFY(ins["facts"].toObject()["windows"].isNull());
        QJsonObject chk = runJson({"check", raw, "--json"}, &rc);
        QCOMPARE(rc, 1);
        QCOMPARE(chk["summary"].toObject()["verdict"].toString(), QString("not_ready"));
        // A ZVHD2 written by imgprep from the same disk is read like any format: the same facts and verdict.
        const QString z = tmp_.filePath("disk.zvhd2");
        auto conv = runTool(cliPath(), {"convert", raw, "--to", "zvhd2", "-o", z, "--quiet"});
        QVERIFY2(conv.exitCode == 0, conv.err.constData());
        QByteArray err;
        chk = runJson({"check", z, "--json"}, &rc, &err);
        QCOMPARE(rc, 1);
        QCOMPARE(chk["image"].toObject()["format"].toString(), QString("zvhd2"));
        QCOMPARE(chk["summary"].toObject()["verdict"].toString(), QString("not_ready"));
        QMap<QString, QString> st;
        for (const auto& c : chk["checks"].toArray())
            st[c.toObject()["id"].toString()] = c.toObject()["status"].toString();
        QCOMPARE(st["image.format"], QString("pass"));
        QCOMPARE(st["os.version"], QString("fail"));
        ins = runJson({"inspect", z, "--json"}, &rc);
        QCOMPARE(rc, 0);
        QVERIFY(ins["facts"].toObject()["windows"].isNull());
        // A header that only looks like ZVHD2 (cookie and a "hwstream bg" record, no trailing footer): an
        // error that says what is missing.
        const QString fake = tmp_.filePath("fake.zvhd2");
        {
            QFile f(fake);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray header(4096, '\0');
            header.replace(0, 7, QByteArray("z2strm\0", 7));
            header[87] = 1;
            f.write(header);
            f.write("hwstream bg");
            f.write(QByteArray(8192, '\x5a'));
        }
        auto info = runTool(cliPath(), {"info", fake});
        QCOMPARE(info.exitCode, 2);
        QVERIFY2(info.err.contains("fake.zvhd2") && info.err.contains("not a ZVHD2 footer"),
                 info.err.constData());
    }

    void sharedImages() {
        if (sharedDir().isEmpty()) QSKIP("../shared/testdata is absent");
        int rc = -1;
        // A Windows-made bare NTFS volume (no partition table) whose config folder holds no hives.
        QJsonObject ins =
            runJson({"inspect", sharedDir() + "/testdata/images/dfvfs-windows_volume.qcow2", "--json"}, &rc);
        QCOMPARE(rc, 0);
        QJsonObject facts = ins["facts"].toObject();
        QCOMPARE(facts["partition_table"].toString(), QString("none"));
        QCOMPARE(facts["partitions"].toArray().at(0).toObject()["filesystem"].toString(), QString("ntfs"));
        // An ext2 volume: not Windows, said plainly.
        ins = runJson({"inspect", sharedDir() + "/testdata/images/dfvfs-ext2.qcow2", "--json"}, &rc);
        QCOMPARE(rc, 0);
        facts = ins["facts"].toObject();
        QVERIFY(facts["windows"].isNull());
        QVERIFY2(facts["not_windows_reason"].toString().contains("ext2"),
                 qPrintable(facts["not_windows_reason"].toString()));
        auto info = runTool(cliPath(), {"info", sharedDir() + "/testdata/images/dfvfs-windows_volume.qcow2",
                                        "--checksum", "sha256"});
        QCOMPARE(info.exitCode, 0);
        const QString raw = tmp_.filePath("dfvfs.raw");
        QCOMPARE(runTool("qemu-img", {"convert", "-O", "raw",
                                      sharedDir() + "/testdata/images/dfvfs-windows_volume.qcow2", raw})
                     .exitCode,
                 0);
        const QByteArray oracle = sha256OfFile(raw);
        QVERIFY2(!oracle.isEmpty() && info.out.contains(oracle), info.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestInspect)
#include "test_inspect.moc"
