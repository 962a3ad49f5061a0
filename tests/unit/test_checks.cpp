// Requirement checklist: every check with passing, failing and undecidable facts (built here as structs), the
// verdict rules, the import path and size limits, the OS and UEFI lists (cross-checked against the IMS pages
// in ../shared/reference), the catalogue data (cross-checked with Qt's own JSON parser), the JSON forms, the
// remediation script and the password tester.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "checks/checks.h"
#include "checks/common.h"
#include "checks/embedded_data.h"
#include "checks/os_identity.h"
#include "testsupport.h"

using namespace imgprep;

namespace {

constexpr std::uint64_t GiB = std::uint64_t{1} << 30;
constexpr std::uint64_t TiB = std::uint64_t{1} << 40;

const char* kDhcpOn =
    R"(SYSTEM\ControlSet001\Services\Tcpip\Parameters\Interfaces\{6A3C1E0B-9F2D-4B7A-8C11-2D4E5F60718A}\EnableDHCP = 1)";
const char* kDhcpOff =
    R"(SYSTEM\ControlSet001\Services\Tcpip\Parameters\Interfaces\{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\EnableDHCP = 0)";
const char* kBiosBoot = R"(MBR partition 1 active, \bootmgr and \Boot\BCD present)";
const char* kUefiBoot = R"(GPT partition 1 type EFI System, \EFI\Microsoft\Boot\bootmgfw.efi present)";

ImageSummary vmdk(std::uint64_t virtual_size = 40 * GiB, std::uint64_t file_size = 12 * GiB) {
    ImageSummary s;
    s.path = "/images/win2016.vmdk";
    s.format = "vmdk";
    s.subformat = "streamOptimized";
    s.readable = true;
    s.virtual_size = virtual_size;
    s.file_size = file_size;
    s.disk_sizes = {virtual_size};
    s.files = {s.path};
    return s;
}

ServiceFacts service(const std::string& name, std::uint32_t type, std::uint32_t start, bool file = true) {
    ServiceFacts s;
    s.name = name;
    s.present = true;
    s.type = type;
    s.start = start;
    s.file_present = file;
    s.file_path = "\\Windows\\System32\\drivers\\" + name + ".sys";
    s.evidence = "SYSTEM\\ControlSet001\\Services\\" + name + ": Type=" + std::to_string(type) +
                 " Start=" + std::to_string(start) + (file ? " file present" : " file missing");
    return s;
}

// A Windows Server 2016 Datacenter x64 image prepared as the pages ask (BIOS, MBR).
ImageFacts goodFacts() {
    ImageFacts f;
    f.readable = true;
    f.partition_table = "mbr";
    f.boot_mode = "bios";
    f.boot_evidence = kBiosBoot;
    f.boot_on_same_disk = true;
    PartitionFacts p1;
    p1.index = 1;
    p1.offset = 1048576;
    p1.size = 500 * 1048576ull;
    p1.type = "0x07";
    p1.type_name = "NTFS/exFAT (0x07)";
    p1.role = "basic_data";
    p1.active = true;
    p1.filesystem = "ntfs";
    p1.label = "System Reserved";
    p1.is_boot = true;
    p1.notes = {"bootmgr present", "\\Boot\\BCD present"};
    PartitionFacts p2 = p1;
    p2.index = 2;
    p2.offset = 525336576;
    p2.size = 39 * GiB;
    p2.active = false;
    p2.label = "";
    p2.is_boot = false;
    p2.is_system = true;
    p2.notes = {};
    f.partitions = {p1, p2};
    WindowsFacts w;
    w.system_root = "\\Windows";
    w.product_name = "Windows Server 2016 Datacenter";
    w.edition_id = "ServerDatacenter";
    w.installation_type = "Server";
    w.current_version = "6.3";
    w.major_version = 10;
    w.minor_version = 0;
    w.build = 14393;
    w.marketing_name = "Windows Server 2016";
    w.arch = "x64";
    w.arch_evidence = "System32\\cmd.exe PE machine 0x8664";
    w.current_control_set = 1;
    w.system_drive = "C:";
    w.evidence =
        "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion: ProductName=Windows Server 2016 Datacenter";
    InterfaceFacts i;
    i.guid = "{6A3C1E0B-9F2D-4B7A-8C11-2D4E5F60718A}";
    i.adapter = "Red Hat VirtIO Ethernet Adapter";
    i.dhcp = true;
    i.binding = "adapter";
    i.characteristics = 0x84;
    i.evidence = kDhcpOn;
    w.interfaces = {i};
    w.dhcp_all = true;
    w.virtio_services = {service("viostor", 1, 0), service("netkvm", 1, 3)};
    w.virtio_storage = true;
    w.virtio_storage_boot_ready = true;
    w.virtio_storage_evidence = "viostor: Type=1 Start=0, System32\\drivers\\viostor.sys present, "
                                "DriverDatabase DeviceIds PCI\\VEN_1AF4&DEV_1001";
    w.virtio_network = true;
    w.virtio_driver_packages = {"viostor.inf_amd64_c2e0f5e8b3a6d1f4", "netkvm.inf_amd64_0a1b2c3d4e5f6a7b"};
    w.ide_services = {service("intelide", 1, 0), service("pciide", 1, 3), service("atapi", 1, 0)};
    CloudbaseInitFacts cb;
    cb.installed = true;
    cb.service = service("cloudbase-init", 0x10, 2, true);
    cb.install_path = "C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init";
    cb.version = "1.1.2";
    cb.config_found = true;
    cb.config_path = "C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\conf\\cloudbase-init.conf";
    cb.config = {{"metadata_services", "cloudbaseinit.metadata.services.httpservice.HttpService"},
                 {"netbios_host_name_compatibility", "false"},
                 {"real_time_clock_utc", "true"},
                 {"username", "Administrator"}};
    cb.evidence = "SYSTEM\\ControlSet001\\Services\\cloudbase-init present";
    w.cloudbase_init = cb;
    w.sysprep_image_state = "IMAGE_STATE_COMPLETE";
    w.sysprep_evidence = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State: ImageState";
    w.san_policy = 1;
    w.rtc_utc = true;
    w.real_time_is_universal = 1;
    w.rdp_allowed = true;
    w.rdp_evidence = "SYSTEM\\ControlSet001\\Control\\Terminal Server fDenyTSConnections = 0";
    w.hiberboot_enabled = false;
    w.hibernate_enabled = false;
    w.pending_reboot = false;
    f.windows = w;
    return f;
}

ImageFacts unreadableFacts() {
    ImageFacts f;
    f.readable = false;
    f.unreadable_reason = "ZVHD2 has no public specification and cannot be read offline";
    return f;
}

const CheckResult& get(const std::vector<CheckResult>& results, const std::string& id) {
    for (const auto& r : results)
        if (r.id == id) return r;
    throw std::runtime_error("no result for " + id);
}

CheckResult run(const std::string& id, const ImageSummary& s, const ImageFacts& f,
                const Confirmations& c = {}) {
    return get(evaluate_checks(s, f, c), id);
}

bool hasEvidence(const CheckResult& r, const std::string& text) {
    for (const auto& e : r.evidence)
        if (e.find(text) != std::string::npos) return true;
    return false;
}

bool hasRemediation(const CheckResult& r, const std::string& text) {
    for (const auto& e : r.remediation)
        if (e.find(text) != std::string::npos) return true;
    return false;
}

QString dump(const CheckResult& r) {
    QString s = QString::fromStdString(r.id + " " + to_string(r.status) + ": " + r.message);
    for (const auto& e : r.evidence)
        s += "\n  evidence: " + QString::fromStdString(e);
    return s;
}

#define STATUS(r, st) QVERIFY2((r).status == (st), qPrintable(dump(r)))
#define EVIDENCE(r, text) QVERIFY2(hasEvidence((r), (text)), qPrintable(dump(r)))
#define MESSAGE(r, text) QVERIFY2((r).message.find(text) != std::string::npos, qPrintable(dump(r)))

// JSON written with single quotes (readable in C++ source) turned into real JSON.
std::string dq(std::string s) {
    std::replace(s.begin(), s.end(), '\'', '"');
    return s;
}

// Step ids present in a remediation script.
std::set<std::string> scriptSteps(const std::string& script) {
    std::set<std::string> out;
    std::istringstream in(script);
    std::string line;
    const std::string marker = "# imgprep-step: ";
    while (std::getline(in, line))
        if (line.rfind(marker, 0) == 0) out.insert(line.substr(marker.size()));
    return out;
}

// A structural check of the generated PowerShell (pwsh is not packaged for Debian, so the script cannot be
// run through PowerShell's own parser here): quotes terminated, (), {}, [] balanced outside strings and
// comments, ASCII only, no subexpressions inside double-quoted strings (the generator avoids them), every
// step marker followed by its comment lines and a Write-Host naming the step.
QString powershellStructureProblem(const std::string& s) {
    std::vector<std::pair<char, int>> stack;
    int line = 1;
    for (char ch : s)
        if (static_cast<unsigned char>(ch) > 0x7e || (ch < 0x20 && ch != '\n'))
            return QString("non-ASCII or control character");
    std::size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (c == '\n') {
            ++line;
            ++i;
            continue;
        }
        if (c == '#') {
            while (i < s.size() && s[i] != '\n')
                ++i;
            continue;
        }
        if (c == '\'') {
            int start = line;
            ++i;
            for (;;) {
                if (i >= s.size())
                    return QString("unterminated single-quoted string from line %1").arg(start);
                if (s[i] == '\'') {
                    if (i + 1 < s.size() && s[i + 1] == '\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                if (s[i] == '\n') ++line;
                ++i;
            }
            ++i;
            continue;
        }
        if (c == '"') {
            int start = line;
            ++i;
            for (;;) {
                if (i >= s.size())
                    return QString("unterminated double-quoted string from line %1").arg(start);
                if (s[i] == '`') {
                    i += 2;
                    continue;
                }
                if (s[i] == '"') break;
                if (s.compare(i, 2, "$(") == 0)
                    return QString("subexpression inside a double-quoted string at line %1").arg(line);
                if (s[i] == '$' && i + 1 < s.size() && s[i + 1] != '{') {
                    // "$name:" would be parsed as a drive-qualified variable.
                    std::size_t j = i + 1;
                    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                        ++j;
                    if (j > i + 1 && j < s.size() && s[j] == ':')
                        return QString("\"$name:\" inside a double-quoted string at line %1").arg(line);
                }
                if (s[i] == '\n') ++line;
                ++i;
            }
            ++i;
            continue;
        }
        if (c == '`') {
            i += 2;
            continue;
        }
        if (c == '(' || c == '{' || c == '[') stack.push_back({c, line});
        if (c == ')' || c == '}' || c == ']') {
            char open = c == ')' ? '(' : c == '}' ? '{' : '[';
            if (stack.empty()) return QString("unmatched '%1' at line %2").arg(c).arg(line);
            if (stack.back().first != open)
                return QString("'%1' at line %2 closes '%3' from line %4")
                    .arg(c)
                    .arg(line)
                    .arg(stack.back().first)
                    .arg(stack.back().second);
            stack.pop_back();
        }
        ++i;
    }
    if (!stack.empty())
        return QString("'%1' from line %2 is never closed").arg(stack.back().first).arg(stack.back().second);
    // Step markers.
    std::istringstream in(s);
    std::vector<std::string> lines;
    std::string l;
    while (std::getline(in, l))
        lines.push_back(l);
    for (std::size_t k = 0; k < lines.size(); ++k) {
        const std::string marker = "# imgprep-step: ";
        if (lines[k].rfind(marker, 0) != 0) continue;
        std::string id = lines[k].substr(marker.size());
        std::size_t m = k + 1;
        while (m < lines.size() && lines[m].rfind("#", 0) == 0)
            ++m;
        if (m >= lines.size() || lines[m].rfind("Write-Host '[" + id + "]", 0) != 0)
            return QString::fromStdString("step " + id + " does not start with Write-Host '[" + id +
                                          "] ...'");
    }
    return {};
}

} // namespace

class TestChecks : public QObject {
    Q_OBJECT
  private slots:
    // ---- catalogue and data
    // ---------------------------------------------------------------------------------
    void catalogueHasEveryPublicId() {
        const Catalogue& cat = builtin_catalogue();
        QVERIFY2(cat.load_error.empty(), cat.load_error.c_str());
        const std::vector<std::tuple<std::string, std::string, std::string>> expected = {
            {"network.dhcp", "1", "required"},
            {"network.nic_multiqueue", "1", "optional"},
            {"tools.cloudbase_init", "1", "advised"},
            {"tools.sysprep", "1", "optional"},
            {"drivers.virtio", "1", "required"},
            {"drivers.gpu", "1", "optional"},
            {"os.version", "2", "required"},
            {"os.architecture", "2", "required"},
            {"os.hardware_independent", "2", "manual"},
            {"os.full_virtualization", "2", "manual"},
            {"image.format", "2", "required"},
            {"image.size", "2", "required"},
            {"disk.single_system_disk", "other", "required"},
            {"disk.system_disk_size", "other", "required"},
            {"account.password_complexity", "other", "manual"},
            {"boot.same_disk", "other", "required"},
            {"account.tenant_admin", "other", "manual"},
            {"boot.mode", "other", "required"},
            {"disk.not_encrypted", "other", "required"},
            {"cloudbase_init.config", "extra", "advised"},
            {"windows.san_policy", "extra", "advised"},
            {"windows.clean_shutdown", "extra", "required"},
            {"windows.rdp", "extra", "advised"},
            {"windows.legacy_hypervisor_tools", "extra", "advised"},
            {"windows.rtc_utc", "extra", "advised"},
            {"windows.pending_reboot", "extra", "advised"},
            {"drivers.virtio_boot", "extra", "advised"},
        };
        QCOMPARE(cat.checks.size(), expected.size());
        for (const auto& [id, table, level] : expected) {
            const CheckDef* d = cat.find(id);
            QVERIFY2(d, id.c_str());
            QCOMPARE(d->table, table);
            QCOMPARE(d->level, level);
            QVERIFY(!d->title.empty() && !d->rule.empty() && !d->remediation.empty());
            QVERIFY2(!d->doc.page.empty() && !d->doc.title.empty() && !d->doc.section.empty(), id.c_str());
        }
        // Every catalogue id has an implementation except those meant to be confirmed by the user.
        std::set<std::string> impl;
        for (const auto& i : checks_detail::all_check_impls())
            impl.insert(i.id);
        for (const auto& d : cat.checks)
            QVERIFY2(impl.count(d.id), d.id.c_str());
        QCOMPARE(impl.size(), cat.checks.size());
    }

    void catalogueAgreesWithQtJsonParser() {
        // The embedded text is the file in the source tree, and Qt's independent JSON parser reads the same
        // ids, tables, levels, titles and remediation counts from it as our parser.
        QFile file(QString(IMGPREP_SOURCE_DIR) + "/resources/checks/catalogue.json");
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray bytes = file.readAll();
        QCOMPARE(QByteArray::fromStdString(checks_data::catalogue_json()), bytes);
        QJsonParseError err;
        QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
        QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
        QJsonArray checks = doc.object().value("checks").toArray();
        const Catalogue& cat = builtin_catalogue();
        QCOMPARE(std::size_t(checks.size()), cat.checks.size());
        for (int i = 0; i < checks.size(); ++i) {
            QJsonObject o = checks[i].toObject();
            const CheckDef& d = cat.checks[std::size_t(i)];
            QCOMPARE(o.value("id").toString().toStdString(), d.id);
            QCOMPARE(o.value("table").toString().toStdString(), d.table);
            QCOMPARE(o.value("level").toString().toStdString(), d.level);
            QCOMPARE(o.value("title").toString().toStdString(), d.title);
            QCOMPARE(std::size_t(o.value("remediation").toArray().size()), d.remediation.size());
            QString ref = o.value("doc").toObject().value("ref").toString();
            QCOMPARE(doc.object()
                         .value("pages")
                         .toObject()
                         .value(ref)
                         .toObject()
                         .value("page")
                         .toString()
                         .toStdString(),
                     d.doc.page);
        }
        for (const char* name : {"supported_os.json", "uefi_os.json"}) {
            QFile f(QString(IMGPREP_SOURCE_DIR) + "/resources/checks/" + name);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QByteArray b = f.readAll();
            QCOMPARE(QByteArray::fromStdString(std::string(name) == "uefi_os.json"
                                                   ? checks_data::uefi_os_json()
                                                   : checks_data::supported_os_json()),
                     b);
            QVERIFY(!QJsonDocument::fromJson(b).isNull());
        }
    }

    void cataloguePagesExist() {
        // Every page the catalogue cites is one of the reference pages.
        QString shared = testsupport::sharedDir();
        if (shared.isEmpty()) QSKIP("../shared is absent");
        for (const auto& d : builtin_catalogue().checks) {
            QString page = QString::fromStdString(d.doc.page);
            QString path = page.startsWith("000_") ? shared + "/reference/" + page
                                                   : shared + "/reference/ims-docs/" + page;
            QVERIFY2(QFile::exists(path), qPrintable(d.id.c_str() + QString(": ") + path));
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(f.readAll().contains(d.doc.topic.c_str()), qPrintable(d.id.c_str() + QString(" topic")));
        }
    }

    void catalogueRejectsBrokenData() {
        std::string sup = checks_data::supported_os_json(), uefi = checks_data::uefi_os_json();
        auto entry = [](const std::string& id, const std::string& level) {
            return dq("{'id': '" + id + "', 'table': '1', 'level': '" + level +
                      "', 'title': 't', 'rule': 'r', 'doc': {'ref': 'seed', 'section': 's'}, 'remediation': "
                      "['x']}");
        };
        auto doc = [](const std::string& checks) {
            return dq("{'schema': 1, 'pages': {'seed': {'page': 'p', 'title': 't', 'topic': 'x'}}, 'checks': "
                      "[") +
                   checks + "]}";
        };
        QVERIFY(parse_catalogue(doc(entry("a.b", "required")), sup, uefi).ok());
        auto dup = parse_catalogue(doc(entry("a.b", "required") + "," + entry("a.b", "advised")), sup, uefi);
        QVERIFY(!dup.ok());
        QVERIFY2(dup.error().message.find("duplicate id") != std::string::npos,
                 dup.error().describe().c_str());
        auto lvl = parse_catalogue(doc(entry("a.b", "mandatory")), sup, uefi);
        QVERIFY(!lvl.ok());
        QVERIFY2(lvl.error().message.find("checks[0] (a.b): level") != std::string::npos,
                 lvl.error().describe().c_str());
        QCOMPARE(lvl.error().file, std::string("catalogue.json"));
        QVERIFY(!parse_catalogue("{not json", sup, uefi).ok());
        QVERIFY(
            !parse_catalogue(doc(entry("a.b", "required")), sup, "{\"schema\": 1, \"windows\": []}").ok());
    }

    void newRuleIsADataChange() {
        // A catalogue entry without an implementation becomes a manual check; raising a level in the data
        // changes the status the same facts give.
        std::string cat = checks_data::catalogue_json();
        std::size_t pos = cat.find("\"checks\": [");
        QVERIFY(pos != std::string::npos);
        std::string added =
            cat.substr(0, pos + 11) +
            dq("{'id': 'network.ipv6', 'table': 'extra', 'level': 'required', 'title': 'IPv6',"
               " 'rule': 'IPv6 must use DHCPv6.', 'doc': {'ref': 'dhcp', 'section': 'x'},"
               " 'remediation': ['Enable DHCPv6.']},") +
            cat.substr(pos + 11);
        std::string needle = dq("'id': 'tools.cloudbase_init', 'table': '1', 'level': 'advised'");
        std::size_t lp = added.find(needle);
        QVERIFY(lp != std::string::npos);
        added.replace(lp, needle.size(),
                      dq("'id': 'tools.cloudbase_init', 'table': '1', 'level': 'required'"));
        auto parsed = parse_catalogue(added, checks_data::supported_os_json(), checks_data::uefi_os_json());
        QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().describe().c_str());
        ImageFacts f = goodFacts();
        f.windows->cloudbase_init = CloudbaseInitFacts{};
        auto results = evaluate_checks(*parsed, vmdk(), f, {});
        const CheckResult& ipv6 = get(results, "network.ipv6");
        STATUS(ipv6, CheckStatus::Manual);
        QCOMPARE(ipv6.remediation, std::vector<std::string>{"Enable DHCPv6."});
        STATUS(get(results, "tools.cloudbase_init"), CheckStatus::Fail);
        Summary s = summarize(vmdk(), f, results, *parsed);
        QCOMPARE(s.verdict, std::string("not_ready"));
        QVERIFY(std::find(s.pending_confirmations.begin(), s.pending_confirmations.end(), "network.ipv6") !=
                s.pending_confirmations.end());
    }

    void osListsMatchTheDocPages() {
        // The Windows rows of the two IMS tables are exactly the rows our data lists, and each row agrees
        // with its entry's product, edition and bitness.
        QString shared = testsupport::sharedDir();
        if (shared.isEmpty()) QSKIP("../shared is absent");
        const Catalogue& cat = builtin_catalogue();
        for (const auto* list : {&cat.supported_os, &cat.uefi_os}) {
            QFile f(shared + "/reference/ims-docs/" + QString::fromStdString(list->source.page));
            QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
            std::set<std::string> page_rows;
            for (const QByteArray& raw : f.readAll().split('\n')) {
                QList<QByteArray> cols = raw.split('|');
                if (cols.size() < 4) continue;
                QByteArray cell = cols[2].trimmed();
                if (cell.startsWith("Windows") && cell.endsWith("bit")) page_rows.insert(cell.toStdString());
            }
            std::set<std::string> data_rows;
            for (const auto& e : list->windows)
                for (const auto& row : e.listed_as) {
                    data_rows.insert(row);
                    QString r = QString::fromStdString(row);
                    bool bits_ok = false;
                    for (int b : e.bits)
                        bits_ok = bits_ok || r.endsWith(QString::number(b) + "bit");
                    QVERIFY2(bits_ok, qPrintable(r));
                    for (const QString& word : QString::fromStdString(e.product).split(' '))
                        QVERIFY2(r.split(' ').contains(word), qPrintable(r + " / " + word));
                    if (!e.editions.empty()) {
                        bool ed = false;
                        for (const auto& edition : e.editions)
                            ed = ed || r.contains(QString::fromStdString(edition), Qt::CaseInsensitive);
                        QVERIFY2(ed, qPrintable(r));
                    }
                }
            QCOMPARE(data_rows, page_rows);
        }
    }

    void osLookups() {
        const Catalogue& cat = builtin_catalogue();
        QVERIFY(cat.supported_os.find("Windows Server 2016", "Datacenter", 64));
        QVERIFY(!cat.supported_os.find("Windows Server 2016", "Datacenter", 32));
        QVERIFY(!cat.supported_os.find("Windows Server 2016", "Essentials", 64));
        QCOMPARE(cat.supported_os.listed_as("Windows Server 2008 R2", "Web", 64),
                 std::string("Windows Server 2008 WEB R2 64bit"));
        QCOMPARE(cat.supported_os.listed_as("Windows 7", "Professional", 32),
                 std::string("Windows 7 Professional 32bit"));
        QVERIFY(!cat.supported_os.find("Windows 7", "Enterprise", 32));
        QCOMPARE(cat.supported_os.listed_as("Windows 10", "Professional", 64),
                 std::string("Windows 10 64bit"));
        QVERIFY(!cat.supported_os.find("Windows 11", "Professional", 64));
        QVERIFY(cat.uefi_os.find("Windows Server 2019", "Standard", 64));
        QVERIFY(!cat.uefi_os.find("Windows Server 2008 R2", "Datacenter", 64));
        QCOMPARE(cat.uefi_os.listed_as("Windows Server 2012 R2", "Essentials", 64),
                 std::string("Windows Server 2012 Essentials R2 64bit"));
        QCOMPARE(other_windows_name(cat.supported_os, 64), std::string("Other_Windows (64_bit)"));
        QCOMPARE(other_windows_name(cat.supported_os, 32), std::string("Other_Windows (32_bit)"));
    }

    void identifyWindows() {
        const OsList& list = builtin_catalogue().supported_os;
        WindowsFacts w = *goodFacts().windows;
        auto id = identify_windows(w, list);
        QCOMPARE(id.display(), std::string("Windows Server 2016 Datacenter 64bit"));
        // Windows 11 says "Windows 10" in ProductName; build 22000+ tells it apart.
        WindowsFacts w11;
        w11.product_name = "Windows 10 Pro";
        w11.edition_id = "Professional";
        w11.installation_type = "Client";
        w11.major_version = 10;
        w11.minor_version = 0;
        w11.build = 22631;
        w11.arch = "x64";
        QCOMPARE(identify_windows(w11, list).display(), std::string("Windows 11 Professional 64bit"));
        // Old hives: CurrentVersion only, EditionID through ProductName words.
        WindowsFacts web;
        web.product_name = "Windows Web Server 2008 R2";
        web.current_version = "6.1";
        web.installation_type = "Server";
        web.arch = "x64";
        QCOMPARE(identify_windows(web, list).display(), std::string("Windows Server 2008 R2 Web 64bit"));
        WindowsFacts essentials;
        essentials.product_name = "Windows Server 2012 R2 Essentials";
        essentials.edition_id = "ServerSolution";
        essentials.current_version = "6.3";
        essentials.arch = "x64";
        QCOMPARE(identify_windows(essentials, list).display(),
                 std::string("Windows Server 2012 R2 Essentials 64bit"));
        // Only ProductName known.
        WindowsFacts name_only;
        name_only.product_name = "Windows 7 Professional";
        name_only.arch = "x86";
        QCOMPARE(identify_windows(name_only, list).display(), std::string("Windows 7 Professional 32bit"));
        // Hostile ProductName: long, no crash, nothing identified.
        WindowsFacts junk;
        junk.product_name = std::string(1 << 20, ' ') + "Server " + std::string(100000, '9');
        QCOMPARE(identify_windows(junk, list).product, std::string());
    }

    // ---- Table 1 ------------------------------------------------------------------------------------------
    void networkDhcp() {
        auto r = run("network.dhcp", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, kDhcpOn);
        QVERIFY(r.remediation.empty());

        ImageFacts f = goodFacts();
        InterfaceFacts st;
        st.guid = "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}";
        st.adapter = "vmxnet3 Ethernet Adapter";
        st.dhcp = false;
        st.addresses = {"192.168.10.20"};
        st.binding = "adapter";
        st.characteristics = 0x84;
        st.evidence = kDhcpOff;
        f.windows->interfaces.push_back(st);
        f.windows->dhcp_all = false;
        r = run("network.dhcp", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, kDhcpOff);
        EVIDENCE(r, "IPAddress: 192.168.10.20");
        MESSAGE(r, "1 network adapter interface(s) use a static address");
        QVERIFY(hasRemediation(
            r, "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0} (vmxnet3 Ethernet Adapter) from 192.168.10.20"));
        QVERIFY(hasRemediation(r, "Obtain an IP address automatically"));

        r = run("network.dhcp", vmdk(), unreadableFacts());
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "ZVHD2 has no public specification");

        f = goodFacts();
        f.windows->interfaces.clear();
        f.windows->dhcp_all.reset();
        r = run("network.dhcp", vmdk(), f);
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "no interface with EnableDHCP under SYSTEM\\ControlSet001\\Services\\Tcpip\\Parameters\\"
                    "Interfaces");

        f = goodFacts();
        f.windows->interfaces[0].dhcp.reset();
        f.windows->interfaces[0].evidence.clear();
        r = run("network.dhcp", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        EVIDENCE(r, "{6A3C1E0B-9F2D-4B7A-8C11-2D4E5F60718A}\\EnableDHCP not set");

        // Interfaces with EnableDHCP = 0 that are not adapters with an address are evidence only: a WAN
        // miniport (software adapter, 0.0.0.0), a VPN adapter with an address, an interface whose adapter was
        // removed. An address on an interface whose binding could not be read leaves the check open.
        f = goodFacts();
        auto off = [](const char* guid, const char* adapter, std::vector<std::string> addrs,
                      const char* binding, std::optional<std::uint32_t> ch) {
            InterfaceFacts x;
            x.guid = guid;
            x.adapter = adapter;
            x.dhcp = false;
            x.addresses = std::move(addrs);
            x.binding = binding;
            x.characteristics = ch;
            x.evidence = std::string("SYSTEM\\ControlSet001\\Services\\Tcpip\\Parameters\\Interfaces\\") +
                         guid + "\\EnableDHCP = 0";
            return x;
        };
        f.windows->interfaces.push_back(off("{A1}", "WAN Miniport (IP)", {}, "virtual", 0x29));
        f.windows->interfaces.push_back(off("{A2}", "TAP-Windows Adapter V9", {"10.8.0.6"}, "virtual", 0x81));
        f.windows->interfaces.push_back(off("{A3}", "", {"192.168.1.50"}, "none", std::nullopt));
        f.windows->interfaces.push_back(off("{A4}", "Intel(R) PRO/1000", {}, "adapter", 0x84));
        f.windows->dhcp_all = false;
        r = run("network.dhcp", vmdk(), f);
        STATUS(r, CheckStatus::Pass);
        MESSAGE(r, "4 with EnableDHCP = 0 are not network adapters with an address");
        EVIDENCE(r, "{A1}: EnableDHCP = 0 does not count: bound to a software adapter (no NCF_PHYSICAL)");
        EVIDENCE(r, "{A3}: EnableDHCP = 0 does not count: bound to no network adapter");
        EVIDENCE(r, "{A4}: EnableDHCP = 0 does not count: no address set");
        QVERIFY(r.remediation.empty());
        f.windows->interfaces.push_back(off("{A5}", "", {"10.0.0.9"}, "unknown", std::nullopt));
        r = run("network.dhcp", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "the network adapter class key");
        // The interface list itself unreadable (a damaged hive bin): unknown with the reason, never pass.
        f = goodFacts();
        f.windows->unreadable["network"] = "subkey of key \\ControlSet001\\Services\\Tcpip\\Parameters: cell "
                                           "offset 0x9020 lies in a damaged hive bin";
        r = run("network.dhcp", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "lies in a damaged hive bin");
        f.windows->interfaces.clear();
        STATUS(run("network.dhcp", vmdk(), f), CheckStatus::Unknown);
        // ...but a static adapter that was read still fails.
        f.windows->interfaces.push_back(st);
        r = run("network.dhcp", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "could not be read: network: subkey of key");

        ImageFacts linux_disk;
        linux_disk.readable = true;
        linux_disk.not_windows_reason = "no Windows system volume: partitions hold ext4, swap";
        r = run("network.dhcp", vmdk(), linux_disk);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "partitions hold ext4, swap");
    }

    void nicMultiqueue() {
        auto r = run("network.nic_multiqueue", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Info);
        MESSAGE(r, "Windows Server 2016 Datacenter 64bit is listed for NIC multi-queue");
        ImageFacts f = goodFacts();
        f.windows->build = 17763; // Server 2019: not on the multi-queue page
        r = run("network.nic_multiqueue", vmdk(), f);
        STATUS(r, CheckStatus::Info);
        MESSAGE(r, "not listed");
        f.windows->virtio_network = false;
        r = run("network.nic_multiqueue", vmdk(), f);
        MESSAGE(r, "needs the VirtIO network driver");
        STATUS(run("network.nic_multiqueue", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void cloudbaseInit() {
        auto r = run("tools.cloudbase_init", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Services\\cloudbase-init: Type=16 Start=2");
        EVIDENCE(r, "version 1.1.2");
        ImageFacts f = goodFacts();
        f.windows->cloudbase_init = CloudbaseInitFacts{};
        r = run("tools.cloudbase_init", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "no cloudbase-init service under SYSTEM\\ControlSet001\\Services");
        QVERIFY(hasRemediation(r, "CloudbaseInitSetup_Stable_x64.msi"));
        f = goodFacts();
        f.windows->cloudbase_init.version = "0.9.11";
        r = run("tools.cloudbase_init", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "0.9.11");
        f.windows->cloudbase_init.version = "1.1.6";
        STATUS(run("tools.cloudbase_init", vmdk(), f), CheckStatus::Pass);
        f.windows->cloudbase_init.service.start = 4;
        r = run("tools.cloudbase_init", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "disabled");
        STATUS(run("tools.cloudbase_init", vmdk(), unreadableFacts()), CheckStatus::Unknown);
        // Not found while the program entries could not be read: unknown, not "not installed".
        f = goodFacts();
        f.windows->cloudbase_init = CloudbaseInitFacts{};
        f.windows->unreadable["applications"] = "SOFTWARE hive could not be read (base block checksum wrong)";
        r = run("tools.cloudbase_init", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "whether Cloudbase-Init is installed");
        // A default install folder is said to be assumed.
        f = goodFacts();
        f.windows->cloudbase_init.install_path_assumed = true;
        r = run("tools.cloudbase_init", vmdk(), f);
        EVIDENCE(r, "(the installer's default folder: neither the program entry nor the service names one)");
    }

    void cloudbaseConfig() {
        auto r = run("cloudbase_init.config", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "cloudbase-init.conf [DEFAULT] metadata_services = "
                    "cloudbaseinit.metadata.services.httpservice.HttpService");
        EVIDENCE(r, "optional: cloudbase-init.conf [DEFAULT] retry_count not set");
        ImageFacts f = goodFacts();
        auto& cfg = f.windows->cloudbase_init.config;
        cfg.erase("netbios_host_name_compatibility");
        cfg["metadata_services"] = "cloudbaseinit.metadata.services.configdrive.ConfigDriveService";
        cfg["real_time_clock_utc"] = "True"; // booleans compare case-insensitively
        r = run("cloudbase_init.config", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "cloudbase-init.conf [DEFAULT] netbios_host_name_compatibility not set");
        MESSAGE(r, "metadata_services in cloudbase-init.conf");
        MESSAGE(r, "netbios_host_name_compatibility in cloudbase-init.conf");
        QVERIFY2(r.message.find("real_time_clock_utc") == std::string::npos, r.message.c_str());
        QVERIFY(hasRemediation(r, "set netbios_host_name_compatibility=false (not set now)"));
        QVERIFY(hasRemediation(
            r, "set metadata_services=cloudbaseinit.metadata.services.httpservice.HttpService (now: "
               "cloudbaseinit.metadata.services.configdrive.ConfigDriveService)"));
        f = goodFacts();
        f.windows->cloudbase_init.config["plugins"] =
            "cloudbaseinit.plugins.common.mtu.MTUPlugin,cloudbaseinit.plugins.windows.winrmlistener."
            "ConfigWinRMListenerPlugin";
        r = run("cloudbase_init.config", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "plugin cloudbaseinit.plugins.windows.winrmlistener.ConfigWinRMListenerPlugin");
        f = goodFacts();
        f.windows->cloudbase_init.unattend_config_found = true;
        f.windows->cloudbase_init.unattend_config = {{"netbios_host_name_compatibility", "false"}};
        r = run("cloudbase_init.config", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "metadata_services in cloudbase-init-unattend.conf");
        f = goodFacts();
        f.windows->cloudbase_init.config_found = false;
        STATUS(run("cloudbase_init.config", vmdk(), f), CheckStatus::Warn);
        f.windows->cloudbase_init.installed = false;
        STATUS(run("cloudbase_init.config", vmdk(), f), CheckStatus::Info);
        STATUS(run("cloudbase_init.config", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void sysprep() {
        auto r = run("tools.sysprep", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Info);
        EVIDENCE(
            r,
            "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State: ImageState = IMAGE_STATE_COMPLETE");
        MESSAGE(r, "not generalized");
        ImageFacts f = goodFacts();
        f.windows->sysprep_image_state = "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE";
        STATUS(run("tools.sysprep", vmdk(), f), CheckStatus::Pass);
        f.windows->cloudbase_init.installed = false;
        r = run("tools.sysprep", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "Cloudbase-Init is not installed");
        f.windows->sysprep_image_state = "IMAGE_STATE_UNDEPLOYABLE";
        STATUS(run("tools.sysprep", vmdk(), f), CheckStatus::Warn);
        f.windows->sysprep_image_state.clear();
        STATUS(run("tools.sysprep", vmdk(), f), CheckStatus::Unknown);
        f.windows->unreadable["sysprep"] = "SOFTWARE hive could not be read (no regf signature)";
        r = run("tools.sysprep", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "could not be read (sysprep: SOFTWARE hive could not be read");
        STATUS(run("tools.sysprep", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void virtio() {
        auto r = run("drivers.virtio", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Services\\netkvm: Type=1 Start=3 file present");
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Services\\vioscsi: not present");
        EVIDENCE(r, "driver package viostor.inf_amd64_c2e0f5e8b3a6d1f4");
        ImageFacts f = goodFacts();
        f.windows->virtio_services = {service("viostor", 1, 0)};
        f.windows->virtio_network = false;
        r = run("drivers.virtio", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Services\\netkvm: not present");
        MESSAGE(r, "ECS NICs cannot be detected");
        QVERIFY(hasRemediation(
            r, "https://fedorapeople.org/groups/virt/virtio-win/direct-downloads/archive-virtio/"));
        f = goodFacts();
        f.windows->virtio_services[1].start = 4;
        r = run("drivers.virtio", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        MESSAGE(r, "disabled");
        f = goodFacts();
        f.windows->virtio_storage = false;
        f.windows->virtio_services = {service("netkvm", 1, 3)};
        r = run("drivers.virtio", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        MESSAGE(r, "no VirtIO storage driver");
        STATUS(run("drivers.virtio", vmdk(), unreadableFacts()), CheckStatus::Unknown);
        f.windows->unreadable["services"] = "SYSTEM hive could not be read";
        r = run("drivers.virtio", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "services: SYSTEM hive could not be read");
        f = goodFacts();
        f.windows->unreadable["drivers"] = "x"; // found and read: the pass stands
        STATUS(run("drivers.virtio", vmdk(), f), CheckStatus::Pass);
    }

    void virtioBoot() {
        auto r = run("drivers.virtio_boot", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        MESSAGE(r, "Boot-ready");
        EVIDENCE(r, "DriverDatabase DeviceIds PCI\\VEN_1AF4&DEV_1001");
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Services\\viostor: Type=1 Start=0 file present");
        ImageFacts f = goodFacts();
        f.windows->virtio_storage_boot_ready = false;
        f.windows->virtio_services[0] = service("viostor", 1, 3);
        f.windows->virtio_services[0].start_override = 4;
        r = run("drivers.virtio_boot", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        QVERIFY2(r.message.rfind("Installed but not boot-start", 0) == 0, r.message.c_str());
        MESSAGE(r, "viostor: Start=3 (not 0, boot), StartOverride\\0=4");
        MESSAGE(r, "INACCESSIBLE_BOOT_DEVICE");
        MESSAGE(r, "IDE driver(s) intelide, atapi start at boot");
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Services\\pciide: Type=1 Start=3 file present");
        f = goodFacts();
        f.windows->virtio_storage = false;
        f.windows->virtio_storage_boot_ready = false;
        f.windows->virtio_services = {service("netkvm", 1, 3)};
        f.windows->ide_services.clear();
        r = run("drivers.virtio_boot", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        QVERIFY2(r.message.rfind("Not installed", 0) == 0, r.message.c_str());
        MESSAGE(r, "No IDE driver is set to start at boot");
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Services\\intelide: not present");
        STATUS(run("drivers.virtio_boot", vmdk(), unreadableFacts()), CheckStatus::Unknown);
        f.windows->unreadable["drivers"] =
            "subkey of key \\DriverDatabase\\DeviceIds: lies in a damaged hive bin";
        STATUS(run("drivers.virtio_boot", vmdk(), f), CheckStatus::Unknown);
    }

    void gpu() {
        auto r = run("drivers.gpu", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Info);
        MESSAGE(r, "only for GPU-accelerated ECSs");
        ImageFacts f = goodFacts();
        f.windows->gpu_drivers = {"NVIDIA GRID (nvlddmkm)"};
        r = run("drivers.gpu", vmdk(), f);
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "display driver NVIDIA GRID (nvlddmkm)");
        STATUS(run("drivers.gpu", vmdk(), unreadableFacts()), CheckStatus::Unknown);
        f = goodFacts();
        f.windows->unreadable["display"] = "SYSTEM hive could not be read";
        STATUS(run("drivers.gpu", vmdk(), f), CheckStatus::Unknown);
    }

    // ---- Table 2 ------------------------------------------------------------------------------------------
    void osVersion() {
        auto r = run("os.version", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(
            r, "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion: ProductName=Windows Server 2016 Datacenter");
        EVIDENCE(r, "EditionID=ServerDatacenter (edition Datacenter)");
        EVIDENCE(r, "as \"Windows Server 2016 Datacenter 64bit\"");
        QVERIFY(r.remediation.empty());

        ImageFacts f = goodFacts();
        WindowsFacts& w = *f.windows;
        w.product_name = "Windows 10 Pro";
        w.edition_id = "Professional";
        w.installation_type = "Client";
        w.build = 22631;
        w.marketing_name = "Windows 11";
        r = run("os.version", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "Windows 11 Professional 64bit is not in the supported OS list");
        MESSAGE(r, "Other_Windows (64_bit)");
        QVERIFY(hasRemediation(r, "select Other_Windows (64_bit)"));

        // Windows 7 Enterprise is listed only as 64-bit.
        w = WindowsFacts{};
        w.product_name = "Windows 7 Enterprise";
        w.edition_id = "Enterprise";
        w.current_version = "6.1";
        w.installation_type = "Client";
        w.arch = "x86";
        r = run("os.version", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "Other_Windows (32_bit)");
        w.edition_id = "Professional";
        w.product_name = "Windows 7 Professional";
        STATUS(run("os.version", vmdk(), f), CheckStatus::Pass);
        w.arch.clear();
        r = run("os.version", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "architecture");
        w = WindowsFacts{};
        r = run("os.version", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);

        ImageFacts linux_disk;
        linux_disk.readable = true;
        linux_disk.not_windows_reason = "no Windows system volume: partitions hold ext4, swap";
        r = run("os.version", vmdk(), linux_disk);
        STATUS(r, CheckStatus::Fail);
        MESSAGE(r, "partitions hold ext4, swap");
        STATUS(run("os.version", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void osArchitecture() {
        auto r = run("os.architecture", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "System32\\cmd.exe PE machine 0x8664");
        ImageFacts f = goodFacts();
        f.windows->arch = "x86";
        r = run("os.architecture", vmdk(), f);
        STATUS(r, CheckStatus::Pass);
        MESSAGE(r, "4 GB");
        f.windows->arch = "arm64";
        f.windows->arch_evidence = "System32\\cmd.exe PE machine 0xaa64";
        r = run("os.architecture", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "0xaa64");
        f.windows->arch.clear();
        STATUS(run("os.architecture", vmdk(), f), CheckStatus::Unknown);
        STATUS(run("os.architecture", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void manualChecks() {
        for (const char* id : {"os.hardware_independent", "os.full_virtualization", "account.tenant_admin",
                               "account.password_complexity"}) {
            auto r = run(id, vmdk(), goodFacts());
            STATUS(r, CheckStatus::Manual);
            QVERIFY(!r.remediation.empty());
            QVERIFY(!hasEvidence(r, "confirmed by the user"));
            Confirmations c;
            c.confirm(id);
            r = run(id, vmdk(), goodFacts(), c);
            STATUS(r, CheckStatus::Pass);
            QCOMPARE(r.evidence.front(), std::string("confirmed by the user"));
            QVERIFY(r.remediation.empty());
            // Also when the image cannot be read: the confirmation is the user's, not the image's.
            STATUS(run(id, vmdk(), unreadableFacts(), c), CheckStatus::Pass);
            STATUS(run(id, vmdk(), unreadableFacts()), CheckStatus::Manual);
        }
    }

    void confirmById() {
        Confirmations c;
        QVERIFY(confirm_checks(c, {"os.hardware_independent", "account.tenant_admin"}).ok());
        QVERIFY(c.is_confirmed("account.tenant_admin"));
        auto bad = confirm_checks(c, {"network.dhcp"});
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().message.find("\"network.dhcp\" is checked by imgprep") != std::string::npos,
                 bad.error().describe().c_str());
        auto unknown = confirm_checks(c, {"os.full_virtualization", "no.such"});
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().message.find("no.such") != std::string::npos);
        QVERIFY(!c.is_confirmed("os.full_virtualization")); // nothing is added when one id is wrong
    }

    void passwordConfirmation() {
        Confirmations c;
        c.password = check_password("Cloud-Image2024");
        auto r = run("account.password_complexity", vmdk(), goodFacts(), c);
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "all four classes present (the password itself was not stored)");
        c.password = check_password("cloudimage");
        r = run("account.password_complexity", vmdk(), goodFacts(), c);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "missing uppercase, digit, special");
        QVERIFY2(!hasEvidence(r, "cloudimage") && r.message.find("cloudimage") == std::string::npos,
                 "the password must not appear in the result");
        // A failed test is not overridden by a confirmation, and blocks the verdict.
        c.confirm("account.password_complexity");
        auto results = evaluate_checks(vmdk(), goodFacts(), c);
        STATUS(get(results, "account.password_complexity"), CheckStatus::Fail);
        Summary s = summarize(vmdk(), goodFacts(), results);
        QCOMPARE(s.verdict, std::string("not_ready"));
        QCOMPARE(s.blockers, std::vector<std::string>{"account.password_complexity"});
    }

    void imageFormat() {
        auto r = run("image.format", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "format vmdk (streamOptimized), file /images/win2016.vmdk");
        for (const char* fmt : {"vhd", "qcow2", "raw", "vhdx", "qed", "vdi", "qcow", "zvhd2", "zvhd"}) {
            ImageSummary s = vmdk();
            s.format = fmt;
            STATUS(run("image.format", s, goodFacts()), CheckStatus::Pass);
        }
        ImageSummary ova = vmdk();
        ova.format = "ova";
        ova.subformat = "vmdk";
        r = run("image.format", ova, goodFacts());
        STATUS(r, CheckStatus::Fail);
        MESSAGE(r, "OVA archive");
        MESSAGE(r, "VMDK, VHD, QCOW2, RAW, VHDX, QED, VDI, QCOW, ZVHD2, ZVHD");
        ImageSummary overlay = vmdk();
        overlay.format = "qcow2";
        overlay.backing_chain = {"/images/base.qcow2"};
        r = run("image.format", overlay, goodFacts());
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "backing file: /images/base.qcow2");
        ImageSummary avhd = vmdk();
        avhd.format = "vhdx";
        avhd.subformat = "differencing";
        r = run("image.format", avhd, goodFacts());
        STATUS(r, CheckStatus::Fail);
        MESSAGE(r, "depends on a parent image");
        QCOMPARE(plan_import(avhd).measured, std::string("virtual"));
        ImageSummary split = vmdk();
        split.subformat = "twoGbMaxExtentSparse";
        split.files = {"/images/w.vmdk", "/images/w-s001.vmdk", "/images/w-s002.vmdk"};
        r = run("image.format", split, goodFacts());
        STATUS(r, CheckStatus::Fail);
        MESSAGE(r, "3 files");
        ImageSummary iso = vmdk();
        iso.format = "iso";
        STATUS(run("image.format", iso, goodFacts()), CheckStatus::Fail);
        ImageSummary unknown;
        unknown.format = "unknown";
        r = run("image.format", unknown, unreadableFacts());
        STATUS(r,
               CheckStatus::Fail); // the format is always known: "not an image" is a failure, not "unknown"
        MESSAGE(r, "not a recognized disk image");
    }

    void imageSizeBoundaries() {
        auto raw = [](std::uint64_t n) {
            ImageSummary s = vmdk(n, n);
            s.format = "raw";
            s.subformat.clear();
            return s;
        };
        auto qcow2 = [](std::uint64_t file, std::uint64_t virt) {
            ImageSummary s = vmdk(virt, file);
            s.format = "qcow2";
            return s;
        };
        const ImageFacts f = goodFacts();
        auto r = run("image.size", raw(128 * GiB), f);
        STATUS(r, CheckStatus::Pass);
        MESSAGE(r, "imported directly");
        EVIDENCE(r, "image file 137438953472 bytes (128.0 GiB)");
        QCOMPARE(plan_import(raw(128 * GiB)).path, std::string("direct"));

        r = run("image.size", raw(128 * GiB + 1), f);
        STATUS(r, CheckStatus::Pass); // already RAW: fast import as it is
        MESSAGE(r, "fast import");
        MESSAGE(r, "bitmap (.mf)");
        QCOMPARE(plan_import(raw(128 * GiB + 1)).path, std::string("fast"));
        QVERIFY(plan_import(raw(128 * GiB + 1)).format_ready);

        r = run("image.size", qcow2(128 * GiB + 1, 200 * GiB), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "convert it to ZVHD2, or RAW (with a bitmap file)");
        QCOMPARE(plan_import(qcow2(128 * GiB + 1, 200 * GiB)).path, std::string("fast"));
        QVERIFY(!plan_import(qcow2(128 * GiB + 1, 200 * GiB)).format_ready);
        ImageSummary z = qcow2(300 * GiB, 600 * GiB);
        z.format = "zvhd2";
        STATUS(run("image.size", z, unreadableFacts()), CheckStatus::Pass);

        r = run("image.size", raw(TiB), f);
        STATUS(r, CheckStatus::Pass);
        QCOMPARE(plan_import(raw(TiB)).path, std::string("fast"));
        r = run("image.size", qcow2(TiB, TiB), f);
        STATUS(r, CheckStatus::Warn);

        r = run("image.size", raw(TiB + 1), f);
        STATUS(r, CheckStatus::Fail);
        MESSAGE(r, "cannot be imported");
        QCOMPARE(plan_import(raw(TiB + 1)).path, std::string("unsupported"));
        // A small file of a disk above 1 TiB cannot be imported either.
        QCOMPARE(plan_import(qcow2(10 * GiB, TiB + 1)).path, std::string("unsupported"));
        STATUS(run("image.size", qcow2(10 * GiB, TiB + 1), f), CheckStatus::Fail);

        // The virtual disk is measured: a 60 GiB QCOW2 file of a 500 GiB disk still needs fast import.
        r = run("image.size", qcow2(60 * GiB, 500 * GiB), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "measured: the virtual disk, 536870912000 bytes (500.0 GiB)");
        // A disk that must be converted first (OVA) is measured by its virtual size.
        ImageSummary ova = vmdk(200 * GiB, 20 * GiB);
        ova.format = "ova";
        QCOMPARE(plan_import(ova).measured, std::string("virtual"));
        STATUS(run("image.size", ova, f), CheckStatus::Warn);

        ImageSummary none;
        none.format = "unknown";
        STATUS(run("image.size", none, unreadableFacts()), CheckStatus::Unknown);
        QCOMPARE(plan_import(none).path, std::string("unknown"));
    }

    // ---- Other --------------------------------------------------------------------------------------------
    void singleSystemDisk() {
        auto r = run("disk.single_system_disk", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "disk 1: virtual size 42949672960 bytes (40.0 GiB)");
        ImageSummary ova = vmdk();
        ova.format = "ova";
        ova.disk_sizes = {40 * GiB, 100 * GiB};
        ImageFacts f = goodFacts();
        f.disks = 2;
        r = run("disk.single_system_disk", ova, f);
        STATUS(r, CheckStatus::Fail);
        MESSAGE(r, "holds 2 disks");
        EVIDENCE(r, "disk 2: virtual size 107374182400 bytes (100.0 GiB)");
        ImageSummary none;
        none.format = "unknown";
        STATUS(run("disk.single_system_disk", none, unreadableFacts()), CheckStatus::Unknown);
    }

    void systemDiskSize() {
        struct Case {
            std::uint64_t size;
            CheckStatus status;
        };
        for (const Case& c : {Case{GiB - 1, CheckStatus::Fail}, Case{GiB, CheckStatus::Pass},
                              Case{TiB, CheckStatus::Pass}, Case{TiB + 1, CheckStatus::Fail}}) {
            auto r = run("disk.system_disk_size", vmdk(c.size, 1), goodFacts());
            STATUS(r, c.status);
            EVIDENCE(r, "system disk virtual size " + std::to_string(c.size) + " bytes");
        }
        auto r = run("disk.system_disk_size", vmdk(GiB), goodFacts());
        MESSAGE(r, "enter at least 40 GB"); // the console's minimum
        r = run("disk.system_disk_size", vmdk(100 * GiB + 1), goodFacts());
        MESSAGE(r, "enter at least 101 GB");
        ImageSummary s = vmdk();
        s.virtual_size.reset();
        s.message = "ZVHD2: no public specification";
        r = run("disk.system_disk_size", s, unreadableFacts());
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "ZVHD2: no public specification");
    }

    void bootSameDisk() {
        auto r = run("boot.same_disk", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "partition 1 (NTFS/exFAT (0x07), ntfs, label \"System Reserved\"");
        EVIDENCE(r, "holds the boot files (bootmgr present; \\Boot\\BCD present)");
        EVIDENCE(r, "partition 2 (NTFS/exFAT (0x07), ntfs, 39.0 GiB at offset 525336576): holds Windows");
        ImageFacts f = goodFacts();
        f.boot_on_same_disk = false;
        STATUS(run("boot.same_disk", vmdk(), f), CheckStatus::Fail);
        // Boot files found only on the other disk of an OVA.
        f = goodFacts();
        f.boot_on_same_disk.reset();
        f.partitions[0].is_boot = false;
        ImageFacts other;
        other.partitions = {goodFacts().partitions[0]};
        f.per_disk = {f, other};
        f.windows_disk_index = 0;
        r = run("boot.same_disk", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "disk 2 partition 1");
        f.per_disk.clear();
        r = run("boot.same_disk", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "no partition with the boot files");
        STATUS(run("boot.same_disk", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void bootMode() {
        auto r = run("boot.mode", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, kBiosBoot);
        MESSAGE(r, "select BIOS");

        ImageFacts f = goodFacts();
        f.partition_table = "gpt";
        f.boot_mode = "uefi";
        f.boot_evidence = kUefiBoot;
        f.windows->build = 17763; // Server 2019 Datacenter
        r = run("boot.mode", vmdk(), f);
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, kUefiBoot);
        EVIDENCE(r, "as \"Windows Server 2019 Datacenter 64bit\"");
        MESSAGE(r, "select UEFI");

        // Server 2008 R2 is not in the UEFI list (it is only in the supported OS list).
        f.windows->major_version.reset();
        f.windows->minor_version.reset();
        f.windows->build = 7601;
        f.windows->current_version = "6.1";
        f.windows->product_name = "Windows Server 2008 R2 Datacenter";
        f.windows->marketing_name = "Windows Server 2008 R2";
        r = run("boot.mode", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        MESSAGE(r, "Windows Server 2008 R2 Datacenter 64bit is not in the list of OSs supporting UEFI");
        EVIDENCE(r, "overview_supported_oss_oss_supporting_uefi_boot_mode.rst");
        STATUS(run("os.version", vmdk(), f), CheckStatus::Pass); // but it is a supported OS

        f = goodFacts();
        f.boot_mode = "uefi";
        f.windows->build = 22631;
        f.windows->installation_type = "Client";
        f.windows->product_name = "Windows 10 Pro";
        f.windows->edition_id = "Professional";
        STATUS(run("boot.mode", vmdk(), f), CheckStatus::Fail); // Windows 11
        f.windows->build = 19045;
        STATUS(run("boot.mode", vmdk(), f), CheckStatus::Pass); // Windows 10 64bit is listed
        f.windows->arch.clear();
        STATUS(run("boot.mode", vmdk(), f), CheckStatus::Unknown);
        f.windows.reset();
        STATUS(run("boot.mode", vmdk(), f), CheckStatus::Unknown);

        f = goodFacts();
        f.boot_mode = "unknown";
        STATUS(run("boot.mode", vmdk(), f), CheckStatus::Unknown);
        STATUS(run("boot.mode", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void notEncrypted() {
        auto r = run("disk.not_encrypted", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "partition 2 (NTFS/exFAT (0x07), ntfs, 39.0 GiB at offset 525336576): not encrypted");
        ImageFacts f = goodFacts();
        f.partitions[1].filesystem = "bitlocker";
        f.partitions[1].encrypted = true;
        f.encrypted = true;
        r = run("disk.not_encrypted", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "partition 2 (NTFS/exFAT (0x07), bitlocker, 39.0 GiB at offset 525336576): encrypted");
        // An encrypted container cannot be read, but it is known to be encrypted.
        ImageFacts enc = unreadableFacts();
        enc.unreadable_reason = "QCOW2 AES encryption";
        enc.encrypted = true;
        r = run("disk.not_encrypted", vmdk(), enc);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "the disk is encrypted (QCOW2 AES encryption)");
        STATUS(run("disk.not_encrypted", vmdk(), unreadableFacts()), CheckStatus::Unknown);
        // A partition whose first sector could not be read is not "not encrypted".
        f = goodFacts();
        f.partitions[0].read_error = "first sector unreadable: at offset 1048576: read error";
        r = run("disk.not_encrypted", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        EVIDENCE(r, "first sector unreadable");
    }

    // ---- extra --------------------------------------------------------------------------------------------
    void sanPolicy() {
        auto r = run("windows.san_policy", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Services\\partmgr\\Parameters SanPolicy = 1 (OnlineAll)");
        ImageFacts f = goodFacts();
        f.windows->san_policy = 2;
        r = run("windows.san_policy", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "SanPolicy = 2 (OfflineShared)");
        QVERIFY(hasRemediation(r, "san policy=onlineall"));
        f.windows->san_policy.reset();
        r = run("windows.san_policy", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "SanPolicy not set");
        f.windows->unreadable["san_policy"] =
            "value list of key \\ControlSet001\\Services\\partmgr\\Parameters: "
            "cell offset 0x4000 lies in a damaged hive bin";
        r = run("windows.san_policy", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "Cannot tell the SAN policy");
        STATUS(run("windows.san_policy", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void cleanShutdown() {
        auto r = run("windows.clean_shutdown", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(
            r, "partition 2 (NTFS/exFAT (0x07), ntfs, 39.0 GiB at offset 525336576): clean, not hibernated");
        EVIDENCE(r, "HiberbootEnabled = 0");
        ImageFacts f = goodFacts();
        f.partitions[1].hibernated = true;
        r = run("windows.clean_shutdown", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "hiberfil.sys holds a hibernation / Fast Startup image");
        f = goodFacts();
        f.partitions[1].dirty = true;
        r = run("windows.clean_shutdown", vmdk(), f);
        STATUS(r, CheckStatus::Fail);
        EVIDENCE(r, "partition 2 (NTFS/exFAT (0x07), ntfs, 39.0 GiB at offset 525336576): NTFS volume dirty "
                    "flag set");
        f = goodFacts();
        f.windows->hiberboot_enabled = true;
        f.windows->hibernate_enabled = true;
        r = run("windows.clean_shutdown", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Control\\Session Manager\\Power HiberbootEnabled non-zero (Fast "
                    "Startup on)");
        // HibernateEnabled not set: Windows' default (on) applies, and the evidence says so.
        f.windows->hibernate_enabled.reset();
        r = run("windows.clean_shutdown", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "HibernateEnabled not set (Windows default: hibernation on)");
        // Power settings unreadable: clean volumes, but no pass on what was not read.
        f = goodFacts();
        f.windows->unreadable["power"] = "SYSTEM hive could not be read";
        r = run("windows.clean_shutdown", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "whether Fast Startup is on could not be read");
        // An NTFS volume whose state could not be read: unknown.
        f = goodFacts();
        f.partitions[0].read_error = "\\hiberfil.sys could not be read: at offset 0: read error";
        r = run("windows.clean_shutdown", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        EVIDENCE(r, "hiberfil.sys could not be read");
        STATUS(run("windows.clean_shutdown", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void rdp() {
        auto r = run("windows.rdp", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Control\\Terminal Server fDenyTSConnections = 0");
        ImageFacts f = goodFacts();
        f.windows->rdp_allowed = false;
        f.windows->rdp_evidence =
            "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services fDenyTSConnections = 1";
        r = run("windows.rdp", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "Policies\\Microsoft\\Windows NT\\Terminal Services fDenyTSConnections = 1");
        f.windows->rdp_allowed.reset();
        f.windows->rdp_evidence.clear();
        r = run("windows.rdp", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "fDenyTSConnections not set");
        f.windows->unreadable["rdp"] = "SOFTWARE hive could not be read";
        STATUS(run("windows.rdp", vmdk(), f), CheckStatus::Unknown);
        STATUS(run("windows.rdp", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void legacyTools() {
        STATUS(run("windows.legacy_hypervisor_tools", vmdk(), goodFacts()), CheckStatus::Pass);
        ImageFacts f = goodFacts();
        f.windows->legacy_tools = {"VMware Tools", "Hyper-V integration services"};
        auto r = run("windows.legacy_hypervisor_tools", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "installed: VMware Tools");
        MESSAGE(r, "VMware Tools");
        QVERIFY(r.message.find("Hyper-V") == std::string::npos);
        f.windows->legacy_tools = {"Hyper-V integration services"};
        STATUS(run("windows.legacy_hypervisor_tools", vmdk(), f), CheckStatus::Pass);
        f.windows->legacy_tools = {"VirtualBox Guest Additions"};
        f.windows->legacy_tools_evidence = {
            "VirtualBox Guest Additions: SYSTEM\\ControlSet001\\Services\\VBoxGuest "
            "present (Start=0)"};
        r = run("windows.legacy_hypervisor_tools", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        MESSAGE(r, "VirtualBox Guest Additions");
        EVIDENCE(r, "Services\\VBoxGuest present");
        // Nothing found, but the services could not be read: unknown (a damaged hive must not pass).
        f = goodFacts();
        f.windows->unreadable["services"] =
            "subkey of key \\ControlSet001\\Services: cell offset 0x2a020 lies in "
            "a damaged hive bin";
        r = run("windows.legacy_hypervisor_tools", vmdk(), f);
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "damaged hive bin");
        f.windows->legacy_tools = {"VMware Tools"};
        STATUS(run("windows.legacy_hypervisor_tools", vmdk(), f), CheckStatus::Warn);
        STATUS(run("windows.legacy_hypervisor_tools", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void rtcUtc() {
        auto r = run("windows.rtc_utc", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        EVIDENCE(r, "SYSTEM\\ControlSet001\\Control\\TimeZoneInformation RealTimeIsUniversal = 1");
        ImageFacts f = goodFacts();
        f.windows->rtc_utc = false;
        f.windows->real_time_is_universal = 0;
        r = run("windows.rtc_utc", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "RealTimeIsUniversal = 0");
        // Not set: Windows reads the clock as local time; the evidence says "not set", never "= 0".
        f.windows->rtc_utc.reset();
        f.windows->real_time_is_universal.reset();
        f.windows->current_control_set.reset();
        r = run("windows.rtc_utc", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation RealTimeIsUniversal not set "
                    "(Windows default: local time)");
        for (const auto& e : r.evidence)
            QVERIFY2(e.find("= 0") == std::string::npos, e.c_str());
        f.windows->unreadable["rtc"] = "SYSTEM hive could not be read";
        STATUS(run("windows.rtc_utc", vmdk(), f), CheckStatus::Unknown);
        STATUS(run("windows.rtc_utc", vmdk(), unreadableFacts()), CheckStatus::Unknown);
    }

    void pendingReboot() {
        auto r = run("windows.pending_reboot", vmdk(), goodFacts());
        STATUS(r, CheckStatus::Pass);
        ImageFacts f = goodFacts();
        f.windows->pending_reboot = true;
        f.windows->pending_reboot_evidence = {"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\A"
                                              "uto Update\\RebootRequired present"};
        r = run("windows.pending_reboot", vmdk(), f);
        STATUS(r, CheckStatus::Warn);
        EVIDENCE(r, "Auto Update\\RebootRequired present");
        STATUS(run("windows.pending_reboot", vmdk(), unreadableFacts()), CheckStatus::Unknown);
        f = goodFacts();
        f.windows->unreadable["pending_reboot"] = "SOFTWARE hive could not be read";
        STATUS(run("windows.pending_reboot", vmdk(), f), CheckStatus::Unknown);
    }

    // ---- evaluator, verdict, summary ----------------------------------------------------------------------
    void verdictReadyWithPendingManualChecks() {
        auto results = evaluate_checks(vmdk(), goodFacts());
        for (const auto& r : results)
            QVERIFY2(r.status != CheckStatus::Fail && r.status != CheckStatus::Unknown, qPrintable(dump(r)));
        Summary s = summarize(vmdk(), goodFacts(), results);
        QCOMPARE(s.verdict, std::string("ready"));
        QVERIFY(s.blockers.empty());
        std::set<std::string> pending(s.pending_confirmations.begin(), s.pending_confirmations.end());
        QCOMPARE(pending, (std::set<std::string>{"os.hardware_independent", "os.full_virtualization",
                                                 "account.password_complexity", "account.tenant_admin"}));
        QCOMPARE(s.counts[std::size_t(CheckStatus::Manual)], 4);
        int total = 0;
        for (int n : s.counts)
            total += n;
        QCOMPARE(std::size_t(total), results.size());
        QCOMPARE(s.import_path, std::string("direct"));
        QCOMPARE(s.min_system_disk_gb.value_or(0), std::uint64_t(40));
        QCOMPARE(s.register_os, std::string("Windows Server 2016 Datacenter 64bit"));
        QCOMPARE(s.register_boot_mode, std::string("BIOS"));

        Confirmations c;
        for (const auto& id : s.pending_confirmations)
            c.confirm(id);
        results = evaluate_checks(vmdk(), goodFacts(), c);
        s = summarize(vmdk(), goodFacts(), results);
        QCOMPARE(s.verdict, std::string("ready"));
        QVERIFY(s.pending_confirmations.empty());
        QCOMPARE(s.counts[std::size_t(CheckStatus::Manual)], 0);
    }

    void verdictNotReadyAndAdvisedDoNotBlock() {
        ImageFacts f = goodFacts();
        f.windows->san_policy = 3;                   // advised: warn
        f.windows->cloudbase_init.installed = false; // advised: warn
        auto results = evaluate_checks(vmdk(), f);
        Summary s = summarize(vmdk(), f, results);
        QCOMPARE(s.verdict, std::string("ready"));
        QVERIFY(s.counts[std::size_t(CheckStatus::Warn)] >= 2);
        f.windows->interfaces[0].dhcp = false; // required: fail
        f.windows->interfaces[0].addresses = {"10.0.0.5"};
        f.windows->rtc_utc.reset();
        results = evaluate_checks(vmdk(), f);
        s = summarize(vmdk(), f, results);
        QCOMPARE(s.verdict, std::string("not_ready"));
        QCOMPARE(s.blockers, std::vector<std::string>{"network.dhcp"});
        // A required unknown next to a fail: still not_ready.
        f.windows->arch.clear();
        results = evaluate_checks(vmdk(), f);
        s = summarize(vmdk(), f, results);
        QCOMPARE(s.verdict, std::string("not_ready"));
        QVERIFY(std::find(s.blockers.begin(), s.blockers.end(), "os.architecture") != s.blockers.end());
    }

    void verdictIncompleteWhenUnreadable() {
        ImageSummary z;
        z.path = "/images/win.zvhd2";
        z.format = "zvhd2";
        z.readable = false;
        z.message = "ZVHD2 has no public specification and cannot be read offline";
        z.file_size = 30 * GiB;
        ImageFacts f = unreadableFacts();
        std::vector<std::string> order;
        auto results = evaluate_checks(z, f, {}, [&](const CheckResult& r) { order.push_back(r.id); });
        QCOMPARE(order.size(), results.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            QCOMPARE(order[i], results[i].id);
        std::set<std::string> needs_contents = {"network.dhcp",
                                                "network.nic_multiqueue",
                                                "tools.cloudbase_init",
                                                "tools.sysprep",
                                                "drivers.virtio",
                                                "drivers.gpu",
                                                "os.version",
                                                "os.architecture",
                                                "boot.same_disk",
                                                "boot.mode",
                                                "disk.not_encrypted",
                                                "cloudbase_init.config",
                                                "windows.san_policy",
                                                "windows.clean_shutdown",
                                                "windows.rdp",
                                                "windows.legacy_hypervisor_tools",
                                                "windows.rtc_utc",
                                                "windows.pending_reboot",
                                                "drivers.virtio_boot",
                                                "disk.system_disk_size",
                                                "disk.single_system_disk"};
        for (const auto& r : results) {
            if (needs_contents.count(r.id)) {
                STATUS(r, CheckStatus::Unknown);
                QVERIFY2(r.message.find("ZVHD2 has no public specification") != std::string::npos,
                         qPrintable(dump(r)));
            }
        }
        STATUS(get(results, "image.format"), CheckStatus::Pass);
        STATUS(get(results, "image.size"), CheckStatus::Pass);
        Summary s = summarize(z, f, results);
        QCOMPARE(s.verdict, std::string("incomplete"));
        QVERIFY(!s.blockers.empty());
        for (const auto& id : s.blockers)
            QCOMPARE(std::string(to_string(get(results, id).status)), std::string("unknown"));
        QCOMPARE(s.import_path, std::string("direct"));
        QVERIFY(!s.min_system_disk_gb);
        QCOMPARE(s.register_os, std::string());
    }

    void throwingCheckDoesNotStopOthers() {
        std::vector<checks_detail::CheckImpl> impls = checks_detail::all_check_impls();
        for (auto& i : impls)
            if (std::string(i.id) == "windows.rdp")
                i.fn = [](const checks_detail::CheckContext&) -> checks_detail::CheckOutcome {
                    throw std::runtime_error("registry value of wrong type");
                };
        int calls = 0;
        auto results = checks_detail::run_checks(builtin_catalogue(), impls, vmdk(), goodFacts(), {},
                                                 [&](const CheckResult&) { ++calls; });
        QCOMPARE(std::size_t(calls), results.size());
        QCOMPARE(results.size(), builtin_catalogue().checks.size());
        auto r = get(results, "windows.rdp");
        STATUS(r, CheckStatus::Unknown);
        MESSAGE(r, "registry value of wrong type");
        STATUS(get(results, "windows.rtc_utc"), CheckStatus::Pass); // the next check still ran
        // A check the catalogue lacks still runs, as required.
        std::vector<checks_detail::CheckImpl> extra = {{"test.extra", [](const checks_detail::CheckContext&) {
                                                            return checks_detail::make_outcome(
                                                                CheckStatus::Fail, "extra");
                                                        }}};
        results = checks_detail::run_checks(builtin_catalogue(), extra, vmdk(), goodFacts(), {}, {});
        QCOMPARE(results.back().id, std::string("test.extra"));
        QCOMPARE(results.back().level, std::string("required"));
        // A broken catalogue makes every check unknown, not a crash.
        Catalogue broken;
        broken.load_error = "catalogue.json: bad";
        broken.checks = builtin_catalogue().checks;
        results = evaluate_checks(broken, vmdk(), goodFacts(), {});
        for (const auto& x : results)
            STATUS(x, CheckStatus::Unknown);
    }

    void minSystemDiskRounding() {
        auto gb = [](std::uint64_t v) { return plan_import(vmdk(v, 1)).min_system_disk_gb.value(); };
        QCOMPARE(gb(40 * GiB), std::uint64_t(40));
        QCOMPARE(gb(40 * GiB + 1), std::uint64_t(41));
        QCOMPARE(gb(40 * GiB - 1), std::uint64_t(40));
        QCOMPARE(gb(2147991552), std::uint64_t(3)); // the VHD FAQ's 2.0004 GB disk
        QCOMPARE(gb(1), std::uint64_t(1));
        QCOMPARE(gb(TiB), std::uint64_t(1024));
        ImageSummary none = vmdk();
        none.virtual_size.reset();
        QVERIFY(!plan_import(none).min_system_disk_gb);
        Summary s = summarize(vmdk(3 * GiB, GiB), goodFacts(), {});
        QCOMPARE(s.min_system_disk_gb.value(), std::uint64_t(3));
        QCOMPARE(s.console_system_disk_gb.value(), std::uint64_t(40));
        s = summarize(vmdk(500 * GiB + 5, GiB), goodFacts(), {});
        QCOMPARE(s.console_system_disk_gb.value(), std::uint64_t(501));
        s = summarize(vmdk(TiB + GiB, GiB), goodFacts(), {});
        QVERIFY(!s.console_system_disk_gb);
        QCOMPARE(s.import_path, std::string("unsupported"));
    }

    // ---- JSON ---------------------------------------------------------------------------------------------
    void jsonForms() {
        ImageFacts f = goodFacts();
        f.windows->interfaces[0].dhcp = false;
        f.windows->interfaces[0].addresses = {"10.0.0.5"};
        f.windows->interfaces[0].evidence = kDhcpOff;
        auto results = evaluate_checks(vmdk(), f);
        Summary s = summarize(vmdk(), f, results);
        Json image = Json::object();
        image.set("path", "/images/win2016.vmdk");
        Json doc = check_document(image, Json::object(), results, s);
        std::string text = doc.dump();
        // Read back with Qt's parser (independent of ours).
        QJsonParseError err;
        QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(text), &err).object();
        QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
        QCOMPARE(o.value("schema").toInt(), 1);
        QCOMPARE(o.keys(), (QStringList{"checks", "facts", "image", "schema", "summary"}));
        QJsonArray checks = o.value("checks").toArray();
        QCOMPARE(std::size_t(checks.size()), results.size());
        QJsonObject dhcp;
        for (const auto& c : checks)
            if (c.toObject().value("id").toString() == "network.dhcp") dhcp = c.toObject();
        QCOMPARE(dhcp.value("table").toString(), QString("1"));
        QCOMPARE(dhcp.value("level").toString(), QString("required"));
        QCOMPARE(dhcp.value("status").toString(), QString("fail"));
        QCOMPARE(dhcp.value("title").toString(), QString("Network adapters use DHCP"));
        QCOMPARE(dhcp.value("evidence").toArray().first().toString(), QString(kDhcpOff));
        QVERIFY(dhcp.value("remediation").toArray().size() >= 2);
        QCOMPARE(dhcp.value("doc").toObject().value("page").toString(),
                 QString("windows_operations_configuring_dhcp.rst"));
        QCOMPARE(dhcp.value("doc").toObject().value("topic").toString(), QString("en-us_topic_0030713152"));
        for (const auto& c : checks)
            for (const char* k : {"id", "table", "level", "status", "title", "rule", "message", "evidence",
                                  "remediation", "doc"})
                QVERIFY2(c.toObject().contains(k), k);
        QJsonObject sum = o.value("summary").toObject();
        QCOMPARE(sum.value("verdict").toString(), QString("not_ready"));
        QCOMPARE(sum.value("import_path").toString(), QString("direct"));
        QCOMPARE(sum.value("min_system_disk_gb").toInt(), 40);
        QCOMPARE(sum.value("counts").toObject().keys(),
                 (QStringList{"fail", "info", "manual", "pass", "unknown", "warn"}));
        QCOMPARE(sum.value("counts").toObject().value("fail").toInt(), 1);
        QCOMPARE(sum.value("pending_confirmations").toArray().size(), 4);
        QCOMPARE(sum.value("blockers").toArray().first().toString(), QString("network.dhcp"));
        // Unknown values are null, not 0.
        ImageSummary none;
        none.format = "unknown";
        Json sj = summary_to_json(summarize(none, unreadableFacts(), {}));
        QVERIFY(sj.get("min_system_disk_gb").is_null());
        QVERIFY(sj.get("register_os").is_null());
        QCOMPARE(sj.get("import_path").as_string(), std::string("unknown"));
        QCOMPARE(*check_status_from_string("manual"), CheckStatus::Manual);
        QVERIFY(!check_status_from_string("maybe"));
    }

    // ---- remediation script -------------------------------------------------------------------------------
    void remediationScriptSteps() {
        ImageFacts f = goodFacts();
        InterfaceFacts st;
        st.guid = "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}";
        st.dhcp = false;
        st.addresses = {"10.1.2.3"};
        st.binding = "adapter";
        st.evidence = kDhcpOff;
        f.windows->interfaces.push_back(st);
        f.windows->san_policy = 2;
        f.windows->rdp_allowed = false;
        f.windows->cloudbase_init.config.erase("netbios_host_name_compatibility");
        ImageSummary big = vmdk(300 * GiB, 200 * GiB); // image.size warns, fixed outside the VM
        auto results = evaluate_checks(big, f);
        std::string script = remediation_script(results, f, {});
        std::set<std::string> expected;
        for (const auto& r : results)
            if ((r.status == CheckStatus::Fail || r.status == CheckStatus::Warn) &&
                std::find(remediation_step_ids().begin(), remediation_step_ids().end(), r.id) !=
                    remediation_step_ids().end())
                expected.insert(r.id);
        QCOMPARE(expected, (std::set<std::string>{"network.dhcp", "windows.san_policy", "windows.rdp",
                                                  "cloudbase_init.config"}));
        QCOMPARE(scriptSteps(script), expected);
        QString problem = powershellStructureProblem(script);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(script.find("# imgprep-step: image.size") == std::string::npos);
        QVERIFY(script.find("#   image.size: ") != std::string::npos); // listed as done outside the VM
        QVERIFY(script.find("foreach ($guid in @('{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}'))") !=
                std::string::npos);
        QVERIFY(script.find("Set-ImgprepIniValue (Join-Path $cloudbaseConf 'cloudbase-init.conf') "
                            "'netbios_host_name_compatibility' 'false' ''") != std::string::npos);
        QVERIFY(script.find("'metadata_services'") == std::string::npos); // already right: not rewritten
        QVERIFY(script.find("$imageConf = 'C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\conf\\"
                            "cloudbase-init.conf'") != std::string::npos);
        QVERIFY(script.find("'fDenyTSConnections' 0") != std::string::npos);
        QVERIFY(script.find("san policy=onlineall") != std::string::npos);
        QVERIFY(script.find("param([switch]$DryRun)") != std::string::npos);

        // Everything that can be fixed in the VM is, in a fixed order; Sysprep only on request.
        ImageFacts bad = goodFacts();
        WindowsFacts& w = *bad.windows;
        w.interfaces[0].dhcp = false;
        w.interfaces[0].addresses = {"192.168.5.5"};
        w.san_policy.reset();
        w.rdp_allowed = false;
        w.rtc_utc = false;
        w.cloudbase_init = CloudbaseInitFacts{};
        w.virtio_services.clear();
        w.virtio_storage = w.virtio_network = w.virtio_storage_boot_ready = false;
        w.legacy_tools = {"VMware Tools"};
        w.pending_reboot = true;
        w.hiberboot_enabled = true;
        w.hibernate_enabled = true;
        bad.partitions[1].encrypted = true;
        bad.encrypted = true;
        results = evaluate_checks(vmdk(), bad);
        RemediationOptions opt;
        opt.include_sysprep = true;
        opt.image_name = "win2016.vmdk";
        script = remediation_script(results, bad, opt);
        std::set<std::string> all(remediation_step_ids().begin(), remediation_step_ids().end());
        all.erase("cloudbase_init.config"); // Cloudbase-Init is not installed: nothing to configure (info)
        QCOMPARE(scriptSteps(script), all);
        problem = powershellStructureProblem(script);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        std::size_t last = 0;
        for (const auto& id : remediation_step_ids()) {
            std::size_t pos = script.find("# imgprep-step: " + id + "\n");
            if (pos == std::string::npos) continue;
            QVERIFY2(pos > last, id.c_str());
            last = pos;
        }
        QVERIFY(script.find("sysprep.exe /generalize /oobe /unattend:Unattend.xml") != std::string::npos);
        QVERIFY(script.find("CloudbaseInitSetup_Stable_x64.msi") != std::string::npos);
        QVERIFY(script.find("virtio-win-gt-x64.msi") != std::string::npos);
        QVERIFY(script.find("# imgprep remediation script for win2016.vmdk") == 0);

        // Nothing failed: no steps, still a valid script.
        results = evaluate_checks(vmdk(), goodFacts());
        script = remediation_script(results, goodFacts());
        QVERIFY(scriptSteps(script).empty());
        QVERIFY(powershellStructureProblem(script).isEmpty());
    }

    void remediationScriptResistsHostileFacts() {
        // Facts come from the image: a crafted GUID, adapter name or config path must not become code.
        ImageFacts f = goodFacts();
        InterfaceFacts evil;
        evil.guid = "{x'); Remove-Item C:\\ -Recurse; ('}";
        evil.adapter = "EVIL\n Remove-Item C:\\Windows -Recurse #\u2019";
        evil.dhcp = false;
        evil.addresses = {"10.0.0.9"};
        evil.binding = "adapter";
        evil.evidence = "EVIL evidence\r\nStop-Computer";
        f.windows->interfaces = {evil};
        f.windows->cloudbase_init.config_path = "C:\\x'; Stop-Computer; '.conf";
        f.windows->cloudbase_init.config.erase("real_time_clock_utc");
        auto results = evaluate_checks(vmdk(), f);
        std::string script = remediation_script(results, f);
        QVERIFY(scriptSteps(script).count("network.dhcp"));
        QVERIFY(scriptSteps(script).count("cloudbase_init.config"));
        QString problem = powershellStructureProblem(script);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        std::istringstream in(script);
        std::string line;
        while (std::getline(in, line)) {
            bool code = !line.empty() && line[0] != '#';
            if (code) {
                QVERIFY2(line.find("Remove-Item C:\\") == std::string::npos, line.c_str());
                QVERIFY2(line.find("Stop-Computer") == std::string::npos, line.c_str());
                QVERIFY2(line.find("EVIL") == std::string::npos, line.c_str());
            }
        }
        QVERIFY(script.find("foreach ($guid in") == std::string::npos); // the only GUID was not a GUID
        QVERIFY(script.find("$imageConf") == std::string::npos);        // unsafe path not used
    }

    // ---- password -----------------------------------------------------------------------------------------
    void passwordTester() {
        auto missing = [](std::string_view pw) {
            std::vector<std::string> out;
            for (auto c : check_password(pw).missing)
                out.push_back(to_string(c));
            return out;
        };
        QVERIFY(check_password("Cloud-Image2024").ok());
        QCOMPARE(missing("password"), (std::vector<std::string>{"uppercase", "digit", "special"}));
        QCOMPARE(missing("PASSWORD1#"), (std::vector<std::string>{"lowercase", "special"}));
        QVERIFY(check_password("PASSWORD1#").has_other_characters);
        QVERIFY(!check_password("Aa1!").has_other_characters);
        QCOMPARE(missing(""), (std::vector<std::string>{"uppercase", "lowercase", "digit", "special"}));
        QVERIFY(check_password("").empty);
        // Each listed special character counts; characters outside the list do not.
        for (char ch : std::string("!@$%^-_=+[{}]:,./?")) {
            std::string pw = std::string("Aa1") + ch;
            QVERIFY2(check_password(pw).ok(), pw.c_str());
        }
        for (char ch : std::string("#&*()<>;'\"\\|~` ")) {
            std::string pw = std::string("Aa1") + ch;
            QCOMPARE(missing(pw), std::vector<std::string>{"special"});
            QVERIFY(check_password(pw).has_other_characters);
        }
        // Non-ASCII letters are not A-Z / a-z.
        QCOMPARE(missing("\xc3\x84\xc3\xa4"
                         "1!"),
                 (std::vector<std::string>{"uppercase", "lowercase"}));
        // Embedded NUL is just another character (string_view, not C string).
        QVERIFY(check_password(std::string_view("Aa1!\0x", 6)).has_other_characters);
        QCOMPARE(std::string(describe(PasswordClass::Special)),
                 std::string("a special character (one of !@$%^-_=+[{}]:,./?)"));
    }
};

QTEST_GUILESS_MAIN(TestChecks)
#include "test_checks.moc"
