// Validates the synthetic Windows fixture images themselves (tests/fixtures/build_windows.sh) with
// independent tools only — qemu-img, sfdisk --json, sleuthkit (mmls, fsstat, fls, icat, istat), hivex
// (hivexget, hivexsh) and tar — never with imgprep's code. Every key of each NAME.expect.json under "image",
// "facts", "services" and "ntfs" is re-derived from the image by those tools; a key this test does not know
// how to check fails it, so the expectation files only claim what is proven. The inspector tests then use the
// files as oracles. The "checks"/"verdict" part is a judgement by the catalogue rules: it is checked for
// consistency with the catalogue (ids, levels, verdict rule) and with the facts it follows from.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QUuid>
#include <QXmlStreamReader>

#include <algorithm>
#include <memory>
#include <optional>

#include "testsupport.h"

using namespace testsupport;

namespace {

constexpr qint64 kGiB = qint64(1) << 30;
constexpr qint64 kTiB = qint64(1) << 40;

QString jsonText(const QJsonValue& v) {
    if (v.isObject()) return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray()) return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isNull() || v.isUndefined()) return "null";
    if (v.isBool()) return v.toBool() ? "true" : "false";
    if (v.isDouble()) return QString::number(qint64(v.toDouble()));
    return "\"" + v.toString() + "\"";
}

// hivex in its lenient mode (Win::Hivex, unsafe => 1), for hives hivex refuses in strict mode (a damaged hive
// bin): "get FILE KEY VALUE" prints a value as hivexget does; "ls FILE KEY" lists the subkeys and fails when
// some cannot be read (fewer listed than the key's count); "key FILE KEY" succeeds when the key can be
// reached.
const char* const kLenientHivex = R"pl(
use Win::Hivex;
my ($mode, $file, $key, $val) = @ARGV;
my $h = Win::Hivex->open($file, unsafe => 1);
my $n = $h->root;
for my $p (split /\\/, $key) { next unless length $p; $n = $h->node_get_child($n, $p) or exit 1; }
if ($mode eq "key") { exit 0; }
if ($mode eq "ls") {
    my @c = $h->node_children($n);
    exit 2 if @c != $h->node_nr_children($n);
    print $h->node_name($_), "\n" for @c;
    exit 0;
}
my $v = $h->node_get_value($n, $val) or exit 1;
my ($t) = $h->value_type($v);
if ($t == 1 || $t == 2 || $t == 6) { print $h->value_string($v), "\n"; }
elsif ($t == 4 || $t == 5) { print $h->value_dword($v), "\n"; }
elsif ($t == 11) { print $h->value_qword($v), "\n"; }
elsif ($t == 7) { print "$_\n" for $h->value_multiple_strings($v); }
else { my ($tt, $data) = $h->value_value($v); print $data; }
)pl";

// A registry hive read through hivexget / hivexsh, or hivex's lenient mode when strict hivex refuses it.
class Hive {
  public:
    explicit Hive(QString file) : file_(std::move(file)) {
        lenient_ = runTool("hivexsh", {file_}, 60000, "ls\n").exitCode != 0 &&
                   runTool("perl", {"-e", kLenientHivex, "key", file_, "\\"}).exitCode == 0;
    }
    // Strict hivex refuses the file, its lenient mode reads it.
    bool lenient() const { return lenient_; }
    std::optional<QByteArray> raw(const QString& key, const QString& value) const {
        auto r = lenient_ ? runTool("perl", {"-e", kLenientHivex, "get", file_, key, value})
                          : runTool("hivexget", {file_, key, value});
        if (r.exitCode != 0) return std::nullopt;
        return r.out;
    }
    std::optional<QString> str(const QString& key, const QString& value) const {
        auto r = raw(key, value);
        if (!r) return std::nullopt;
        QString s = QString::fromUtf8(*r);
        while (s.endsWith('\n'))
            s.chop(1);
        return s;
    }
    std::optional<qint64> dword(const QString& key, const QString& value) const {
        auto s = str(key, value);
        if (!s) return std::nullopt;
        bool ok = false;
        qint64 v = s->trimmed().toLongLong(&ok);
        return ok ? std::optional<qint64>(v) : std::nullopt;
    }
    QStringList multi(const QString& key, const QString& value) const {
        QStringList out;
        if (auto s = str(key, value))
            for (const auto& l : s->split('\n'))
                if (!l.isEmpty()) out << l;
        return out;
    }
    bool hasKey(const QString& key) const {
        return lenient_ ? runTool("perl", {"-e", kLenientHivex, "key", file_, key}).exitCode == 0
                        : runTool("hivexget", {file_, key}).exitCode == 0;
    }
    // Every subkey can be listed (in lenient mode: none of them lies in a damaged bin).
    bool subkeysReadable(const QString& key) const {
        return lenient_ ? runTool("perl", {"-e", kLenientHivex, "ls", file_, key}).exitCode == 0
                        : true; // strict hivex read the whole hive
    }
    QStringList subkeys(const QString& key) const {
        if (lenient_) {
            auto r = runTool("perl", {"-e", kLenientHivex, "ls", file_, key});
            return r.exitCode == 0 ? QString::fromUtf8(r.out).split('\n', Qt::SkipEmptyParts) : QStringList();
        }
        auto r = runTool("hivexsh", {file_}, 60000, ("cd " + key + "\nls\n").toUtf8());
        QStringList out;
        if (r.exitCode != 0) return out;
        for (const auto& l : QString::fromUtf8(r.out).split('\n'))
            if (!l.isEmpty()) out << l;
        return out;
    }
    bool valid() const { return lenient_ || runTool("hivexsh", {file_}, 60000, "ls\n").exitCode == 0; }
    const QString& file() const { return file_; }

  private:
    QString file_;
    bool lenient_ = false;
};

// Sequence numbers of a hive file's base block (primary, secondary).
QPair<quint32, quint32> sequenceNumbers(const QByteArray& hive) {
    auto u32 = [&](int off) {
        return hive.size() < off + 4
                   ? 0u
                   : quint32(quint8(hive[off])) | quint32(quint8(hive[off + 1])) << 8 |
                         quint32(quint8(hive[off + 2])) << 16 | quint32(quint8(hive[off + 3])) << 24;
    };
    return {u32(4), u32(8)};
}

struct Partition {
    int index = 0;
    qint64 start = 0, size = 0; // sectors
    QString type, uuid, name;
    bool bootable = false;
    QString fs, label;              // from fsstat ("NTFS", "FAT32", "Ext4"), "" when fsstat finds none
    QByteArray head;                // first 512 bytes
    QMap<QString, QString> files;   // lower-case path -> inode address for icat / istat (fls -r -p -u)
    QMap<QString, QString> display; // lower-case path -> path as stored
};

struct Disk {
    QString raw;
    QString label; // sfdisk: "gpt", "dos", "" (no partition table)
    QString id;    // disk GUID / MBR signature "0x…"
    int sectorSize = 512;
    qint64 virtualSize = 0;
    QList<Partition> parts;
};

QString fsName(const QString& fsstatType) {
    QString t = fsstatType.toLower();
    if (t == "ntfs") return "ntfs";
    if (t.startsWith("fat12")) return "fat12";
    if (t.startsWith("fat16")) return "fat16";
    if (t.startsWith("fat32")) return "fat32";
    if (t == "ext4" || t == "ext3" || t == "ext2") return t;
    return t;
}

QByteArray readAt(const QString& file, qint64 off, qint64 len) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly) || !f.seek(off)) return {};
    return f.read(len);
}

// Mixed-endian on-disk form of a GUID (as in GPT entries and MountedDevices "DMIO:ID:" values).
QByteArray guidBytesLe(const QString& guid) {
    QByteArray b = QUuid::fromString(guid).toRfc4122();
    if (b.size() != 16) return {};
    std::reverse(b.begin(), b.begin() + 4);
    std::reverse(b.begin() + 4, b.begin() + 6);
    std::reverse(b.begin() + 6, b.begin() + 8);
    return b;
}

class Checker {
  public:
    QStringList errors;
    void fail(const QString& where, const QString& what) { errors << where + ": " + what; }
    void eq(const QString& where, const QJsonValue& expected, const QJsonValue& actual) {
        bool same = expected == actual;
        if (!same && expected.isDouble() && actual.isDouble())
            same = qint64(expected.toDouble()) == qint64(actual.toDouble());
        if (!same && expected.isString() && actual.isString())
            same = QUuid::fromString(expected.toString()) != QUuid() &&
                   QUuid::fromString(expected.toString()) == QUuid::fromString(actual.toString());
        if (same) return;
        if (expected.isObject() && actual.isObject()) { // name the keys that differ
            const QJsonObject a = actual.toObject(), b = expected.toObject();
            QStringList keys = a.keys() + b.keys();
            keys.removeDuplicates();
            for (const auto& k : keys)
                if (a.value(k) != b.value(k))
                    fail(where + "." + k, "expectation says " + jsonText(b.value(k)) +
                                              ", the image (by the tools) has " + jsonText(a.value(k)));
            return;
        }
        fail(where,
             "expectation says " + jsonText(expected) + ", the image (by the tools) has " + jsonText(actual));
    }
};

QJsonValue optInt(const std::optional<qint64>& v) {
    return v ? QJsonValue(double(*v)) : QJsonValue();
}
QJsonValue optStr(const std::optional<QString>& v) {
    return v ? QJsonValue(*v) : QJsonValue();
}
QJsonArray strings(const QStringList& l) {
    QJsonArray a;
    for (const auto& s : l)
        a.append(s);
    return a;
}

Disk loadDisk(const QString& raw, Checker& c, const QString& where) {
    Disk d;
    d.raw = raw;
    d.virtualSize = QFileInfo(raw).size();
    auto sf = runTool("sfdisk", {"--json", raw});
    if (sf.exitCode == 0) {
        QJsonObject t = QJsonDocument::fromJson(sf.out).object().value("partitiontable").toObject();
        d.label = t.value("label").toString();
        d.id = t.value("id").toString();
        d.sectorSize = t.value("sectorsize").toInt(512);
        for (const auto& pv : t.value("partitions").toArray()) {
            QJsonObject p = pv.toObject();
            Partition part;
            part.index = p.value("node").toString().mid(raw.size()).toInt();
            part.start = qint64(p.value("start").toDouble());
            part.size = qint64(p.value("size").toDouble());
            part.type = p.value("type").toString();
            part.uuid = p.value("uuid").toString();
            part.name = p.value("name").toString();
            part.bootable = p.value("bootable").toBool();
            d.parts << part;
        }
    }
    // mmls (sleuthkit) must see the same partitions as sfdisk (util-linux).
    auto mm = runTool("mmls", {raw});
    QList<QPair<qint64, qint64>> mmParts;
    if (mm.exitCode == 0) {
        for (const auto& line : QString::fromUtf8(mm.out).split('\n')) {
            QStringList f = line.simplified().split(' ');
            if (f.size() < 5 || !f[0].endsWith(':') || f[1] == "Meta" || f[1].startsWith("---")) continue;
            mmParts << qMakePair(f[2].toLongLong(), f[4].toLongLong());
        }
    }
    QList<QPair<qint64, qint64>> sfParts;
    for (const auto& p : d.parts)
        if (!(d.label == "dos" && (p.type == "5" || p.type == "f"))) sfParts << qMakePair(p.start, p.size);
    std::sort(mmParts.begin(), mmParts.end());
    std::sort(sfParts.begin(), sfParts.end());
    if (mmParts != sfParts) c.fail(where, "mmls and sfdisk disagree about the partitions");
    for (auto& p : d.parts) {
        const QString off = QString::number(p.start);
        p.head = readAt(raw, p.start * d.sectorSize, 512);
        auto fs = runTool("fsstat", {"-o", off, raw});
        if (fs.exitCode != 0) continue;
        for (const auto& line : QString::fromUtf8(fs.out).split('\n')) {
            if (line.startsWith("File System Type:") && p.fs.isEmpty()) p.fs = line.mid(17).trimmed();
            if (line.startsWith("Volume Name:")) p.label = line.mid(12).trimmed();
            if (line.startsWith("Volume Label (Boot Sector):")) p.label = line.mid(27).trimmed();
        }
        auto ls = runTool("fls", {"-r", "-p", "-u", "-o", off, raw});
        for (const auto& line : QString::fromUtf8(ls.out).split('\n')) {
            int tab = line.indexOf('\t');
            if (tab < 0) continue;
            QStringList head = line.left(tab).split(' ', Qt::SkipEmptyParts);
            if (head.size() < 2) continue;
            QString inode = head.last();
            inode.chop(1); // trailing ':'
            QString path = line.mid(tab + 1);
            p.files.insert(path.toLower(), inode);
            p.display.insert(path.toLower(), path);
        }
    }
    return d;
}

bool hasFile(const Partition& p, const QString& path) {
    return p.files.contains(path.toLower());
}

QByteArray icat(const Disk& d, const Partition& p, const QString& path) {
    auto r = runTool("icat", {"-o", QString::number(p.start), d.raw, p.files.value(path.toLower())});
    return r.exitCode == 0 ? r.out : QByteArray();
}

QString istat(const Disk& d, const Partition& p, const QString& path) {
    auto r = runTool("istat", {"-o", QString::number(p.start), d.raw, p.files.value(path.toLower())});
    return QString::fromUtf8(r.out);
}

bool isEncrypted(const Partition& p) {
    return p.head.mid(3, 8) == "-FVE-FS-";
}

QString filesystemOf(const Partition& p) {
    return isEncrypted(p) ? "bitlocker" : fsName(p.fs);
}

bool isSystem(const Partition& p) {
    return hasFile(p, "Windows/System32/config/SYSTEM") && hasFile(p, "Windows/System32/config/SOFTWARE");
}

bool isBoot(const Partition& p) {
    return (hasFile(p, "bootmgr") && hasFile(p, "Boot/BCD")) || hasFile(p, "EFI/Microsoft/Boot/bootmgfw.efi");
}

const char* kEsp = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

QString bootMode(const Disk& d) {
    for (const auto& p : d.parts) {
        if (d.label == "gpt" && p.type.compare(kEsp, Qt::CaseInsensitive) == 0 &&
            hasFile(p, "EFI/Microsoft/Boot/bootmgfw.efi"))
            return "uefi";
        if (d.label == "dos" && p.bootable && hasFile(p, "bootmgr")) return "bios";
    }
    return "unknown";
}

QString roleOf(const Disk& d, const Partition& p) {
    static const QMap<QString, QString> gpt = {{"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "esp"},
                                               {"E3C9E316-0B5C-4DB8-817D-F92DF00215AE", "msr"},
                                               {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "basic_data"},
                                               {"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", "recovery"},
                                               {"0FC63DAF-8483-4772-8E79-3D69D8477DE4", "linux"},
                                               {"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", "swap"}};
    if (d.label == "gpt") return gpt.value(p.type.toUpper(), "unknown");
    if (p.type == "82") return "swap";
    if (p.type == "83") return "linux";
    if (p.type == "5" || p.type == "f") return "extended";
    return QString();
}

// Windows path of a service ImagePath -> path inside the system volume.
QString driverPath(QString imagePath) {
    imagePath = imagePath.trimmed();
    if (imagePath.startsWith('"')) imagePath = imagePath.mid(1).section('"', 0, 0);
    QString l = imagePath.toLower();
    if (l.startsWith("\\systemroot\\"))
        imagePath = "Windows\\" + imagePath.mid(12);
    else if (l.startsWith("system32\\"))
        imagePath = "Windows\\" + imagePath;
    else if (l.startsWith("c:\\"))
        imagePath = imagePath.mid(3);
    else if (l.startsWith("\\??\\c:\\"))
        imagePath = imagePath.mid(7);
    return imagePath.replace('\\', '/');
}

QMap<QString, QString> iniDefault(const QByteArray& text) {
    QMap<QString, QString> out;
    bool inDefault = false;
    for (QString line : QString::fromUtf8(text).split('\n')) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith('#') || line.startsWith(';')) continue;
        if (line.startsWith('[')) {
            inDefault = line.compare("[DEFAULT]", Qt::CaseInsensitive) == 0;
            continue;
        }
        int eq = line.indexOf('=');
        if (inDefault && eq > 0) out.insert(line.left(eq).trimmed().toLower(), line.mid(eq + 1).trimmed());
    }
    return out;
}

QJsonObject mapJson(const QMap<QString, QString>& m) {
    QJsonObject o;
    for (auto it = m.begin(); it != m.end(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

// What the registry and files of one Windows installation say, read by hivex and sleuthkit.
class Windows {
  public:
    // systemOracle: for a dirty SYSTEM hive, the hive Windows loads after replaying its transaction logs
    // (made by hivex next to the image by the fixture builder); the image's own file is only checked to be
    // dirty with its logs beside it.
    Windows(const Disk& d, const Partition& p, const QString& dir, const QString& systemOracle = {})
        : d_(d), p_(p), ok_(false) {
        QFile sys(dir + "/SYSTEM"), soft(dir + "/SOFTWARE");
        systemBytes_ = icat(d, p, "Windows/System32/config/SYSTEM");
        softwareBytes_ = icat(d, p, "Windows/System32/config/SOFTWARE");
        if (sys.open(QIODevice::WriteOnly)) sys.write(systemBytes_);
        if (soft.open(QIODevice::WriteOnly)) soft.write(softwareBytes_);
        sys.close();
        soft.close();
        system_ = std::make_unique<Hive>(systemOracle.isEmpty() ? dir + "/SYSTEM" : systemOracle);
        fromOracle_ = !systemOracle.isEmpty();
        software_ = std::make_unique<Hive>(dir + "/SOFTWARE");
        ok_ = system_->valid() && software_->valid();
        // The control set read: Select\Current when it exists, else Default, LastKnownGood, the lowest one.
        auto exists = [&](std::optional<qint64> n) {
            return n && *n > 0 && system_->hasKey(QString("\\ControlSet%1").arg(*n, 3, 10, QChar('0')));
        };
        for (const char* v : {"Current", "Default", "LastKnownGood"}) {
            auto n = system_->dword("\\Select", v);
            if (exists(n)) {
                currentSet_ = *n;
                break;
            }
        }
        ccs_ = QString("\\ControlSet%1").arg(currentSet_, 3, 10, QChar('0'));
    }
    const QByteArray& hiveBytes(const QString& name) const {
        return name == "SYSTEM" ? systemBytes_ : softwareBytes_;
    }
    bool systemFromOracle() const { return fromOracle_; }
    bool ok() const { return ok_; }
    const Hive& sys() const { return *system_; }
    const Hive& soft() const { return *software_; }
    QString ccs() const { return ccs_; }
    qint64 currentSet() const { return currentSet_; }
    std::optional<QString> cv(const QString& v) const {
        return software_->str("\\Microsoft\\Windows NT\\CurrentVersion", v);
    }
    std::optional<qint64> cvDword(const QString& v) const {
        return software_->dword("\\Microsoft\\Windows NT\\CurrentVersion", v);
    }
    qint64 build() const { return cv("CurrentBuildNumber").value_or("0").toLongLong(); }
    bool fileExists(const QString& path) const { return hasFile(p_, path); }
    QByteArray file(const QString& path) const { return icat(d_, p_, path); }

    struct Service {
        bool present = false;
        std::optional<qint64> type, start;
        QString imagePath, group, displayName;
        bool filePresent = false;
    };
    Service service(const QString& name) const {
        Service s;
        QString key = ccs_ + "\\Services\\" + name;
        s.present = system_->hasKey(key);
        if (!s.present) return s;
        s.type = system_->dword(key, "Type");
        s.start = system_->dword(key, "Start");
        s.imagePath = system_->str(key, "ImagePath").value_or("");
        s.group = system_->str(key, "Group").value_or("");
        s.displayName = system_->str(key, "DisplayName").value_or("");
        QString path =
            s.imagePath.isEmpty() ? "Windows/System32/drivers/" + name + ".sys" : driverPath(s.imagePath);
        s.filePresent = fileExists(path);
        return s;
    }
    // Uninstall entries: DisplayName -> DisplayVersion.
    QMap<QString, QString> programs() const {
        QMap<QString, QString> out;
        const QString un = "\\Microsoft\\Windows\\CurrentVersion\\Uninstall";
        for (const auto& k : software_->subkeys(un)) {
            auto name = software_->str(un + "\\" + k, "DisplayName");
            if (name) out.insert(*name, software_->str(un + "\\" + k, "DisplayVersion").value_or(""));
        }
        return out;
    }

  private:
    const Disk& d_;
    const Partition& p_;
    std::unique_ptr<Hive> system_, software_;
    QByteArray systemBytes_, softwareBytes_;
    bool fromOracle_ = false;
    bool ok_;
    qint64 currentSet_ = -1;
    QString ccs_;
};

const QString kNetClass = "{4D36E972-E325-11CE-BFC1-08002BE10318}";
const QString kDisplayClass = "{4D36E968-E325-11CE-BFC1-08002BE10318}";

QString marketingName(const Windows& w) {
    const bool server = w.cv("InstallationType").value_or("").contains("Server", Qt::CaseInsensitive);
    const auto major = w.cvDword("CurrentMajorVersionNumber");
    const qint64 build = w.build();
    if (major && *major == 10) {
        if (!server) return build >= 22000 ? "Windows 11" : "Windows 10";
        static const QMap<qint64, QString> servers = {{14393, "Windows Server 2016"},
                                                      {17763, "Windows Server 2019"},
                                                      {20348, "Windows Server 2022"},
                                                      {26100, "Windows Server 2025"}};
        return servers.value(build);
    }
    static const QMap<QString, QPair<QString, QString>> nt6 = {
        {"6.0", {"Windows Server 2008", "Windows Vista"}},
        {"6.1", {"Windows Server 2008 R2", "Windows 7"}},
        {"6.2", {"Windows Server 2012", "Windows 8"}},
        {"6.3", {"Windows Server 2012 R2", "Windows 8.1"}}};
    auto it = nt6.find(w.cv("CurrentVersion").value_or(""));
    return it == nt6.end() ? QString() : (server ? it->first : it->second);
}

QString archOfPe(const QByteArray& pe) {
    if (pe.size() < 0x40 || !pe.startsWith("MZ")) return {};
    quint32 lfanew =
        quint8(pe[0x3C]) | quint8(pe[0x3D]) << 8 | quint8(pe[0x3E]) << 16 | quint32(quint8(pe[0x3F])) << 24;
    if (qint64(lfanew) + 6 > pe.size() || pe.mid(lfanew, 4) != QByteArray("PE\0\0", 4)) return {};
    quint16 machine = quint8(pe[lfanew + 4]) | quint8(pe[lfanew + 5]) << 8;
    return machine == 0x8664 ? "x64" : machine == 0x14c ? "x86" : machine == 0xaa64 ? "arm64" : "?";
}

void verifyWindows(Checker& c, const QString& where, const Windows& w, const Disk& d,
                   const Partition& sysPart, const QJsonObject& e) {
    const Hive& S = w.sys();
    const QString ccs = w.ccs();
    for (auto it = e.begin(); it != e.end(); ++it) {
        const QString k = it.key(), at = where + "." + k;
        const QJsonValue v = it.value();
        if (k == "system_root") {
            c.eq(at, v,
                 w.fileExists("Windows/System32") && w.fileExists("Windows/System32/cmd.exe")
                     ? QJsonValue("\\Windows")
                     : QJsonValue());
        } else if (k == "product_name" || k == "edition_id" || k == "installation_type" ||
                   k == "current_version") {
            static const QMap<QString, QString> names = {{"product_name", "ProductName"},
                                                         {"edition_id", "EditionID"},
                                                         {"installation_type", "InstallationType"},
                                                         {"current_version", "CurrentVersion"}};
            c.eq(at, v, optStr(w.cv(names.value(k))));
        } else if (k == "major_version") {
            c.eq(at, v, optInt(w.cvDword("CurrentMajorVersionNumber")));
        } else if (k == "minor_version") {
            c.eq(at, v, optInt(w.cvDword("CurrentMinorVersionNumber")));
        } else if (k == "build") {
            c.eq(at, v, double(w.build()));
        } else if (k == "ubr") {
            c.eq(at, v, optInt(w.cvDword("UBR")));
        } else if (k == "display_version") {
            c.eq(at, v, w.cv("DisplayVersion").value_or(w.cv("ReleaseId").value_or("")));
        } else if (k == "marketing_name") {
            c.eq(at, v, marketingName(w));
        } else if (k == "arch") {
            QString pe = archOfPe(w.file("Windows/System32/cmd.exe"));
            QString env =
                S.str(ccs + "\\Control\\Session Manager\\Environment", "PROCESSOR_ARCHITECTURE").value_or("");
            QString envArch = env == "AMD64" ? "x64" : env == "x86" ? "x86" : env == "ARM64" ? "arm64" : env;
            if (pe != envArch) c.fail(at, "cmd.exe says " + pe + " but PROCESSOR_ARCHITECTURE says " + env);
            c.eq(at, v, pe);
        } else if (k == "current_control_set") {
            c.eq(at, v, double(w.currentSet()));
        } else if (k == "system_drive") {
            auto mdc = S.raw("\\MountedDevices", "\\DosDevices\\C:");
            QByteArray want =
                d.label == "gpt" ? QByteArray("DMIO:ID:") + guidBytesLe(sysPart.uuid) : QByteArray();
            if (d.label == "dos") {
                quint32 sig = d.id.mid(2).toUInt(nullptr, 16);
                quint64 off = quint64(sysPart.start) * quint64(d.sectorSize);
                for (int i = 0; i < 4; ++i)
                    want.append(char(sig >> (8 * i)));
                for (int i = 0; i < 8; ++i)
                    want.append(char(off >> (8 * i)));
            }
            c.eq(at, v, mdc && *mdc == want ? QJsonValue("C:") : QJsonValue(""));
        } else if (k == "dhcp") {
            const QJsonObject de = v.toObject();
            const QString ifs = ccs + "\\Services\\Tcpip\\Parameters\\Interfaces";
            const QStringList keys = S.subkeys(ifs);
            // adapter descriptions and bindings by NetCfgInstanceId: "adapter" when the class entry's
            // Characteristics has NCF_PHYSICAL (0x4) or is not set, else "virtual"; no entry: "none".
            QMap<QString, QString> adapters, bindings;
            const QString cls = ccs + "\\Control\\Class\\" + kNetClass;
            for (const auto& n : S.subkeys(cls)) {
                auto id = S.str(cls + "\\" + n, "NetCfgInstanceId");
                if (!id) continue;
                adapters.insert(id->toUpper(), S.str(cls + "\\" + n, "DriverDesc").value_or(""));
                auto ch = S.dword(cls + "\\" + n, "Characteristics");
                bindings.insert(id->toUpper(), !ch || (*ch & 4) ? "adapter" : "virtual");
            }
            std::optional<bool> all;
            for (const auto& key : keys) {
                auto en = S.dword(ifs + "\\" + key, "EnableDHCP");
                if (en) all = all.value_or(true) && *en == 1;
            }
            for (auto jt = de.begin(); jt != de.end(); ++jt) {
                if (jt.key() == "all_interfaces") {
                    c.eq(at + ".all_interfaces", jt.value(), all ? QJsonValue(*all) : QJsonValue());
                } else if (jt.key() == "interfaces") {
                    const QJsonArray list = jt.value().toArray();
                    if (list.size() != keys.size())
                        c.fail(at + ".interfaces", QString("expectation lists %1, the hive has %2 (%3)")
                                                       .arg(list.size())
                                                       .arg(keys.size())
                                                       .arg(keys.join(", ")));
                    for (const auto& iv : list) {
                        const QJsonObject ie = iv.toObject();
                        const QString guid = ie.value("guid").toString();
                        const QString iat = at + ".interfaces[" + guid + "]";
                        QString found;
                        for (const auto& key : keys)
                            if (key.compare(guid, Qt::CaseInsensitive) == 0) found = key;
                        if (found.isEmpty()) {
                            c.fail(iat, "no such interface key in the hive");
                            continue;
                        }
                        const QString ik = ifs + "\\" + found;
                        auto en = S.dword(ik, "EnableDHCP");
                        for (auto kt = ie.begin(); kt != ie.end(); ++kt) {
                            if (kt.key() == "guid") continue;
                            if (kt.key() == "dhcp")
                                c.eq(iat + ".dhcp", kt.value(), en ? QJsonValue(*en == 1) : QJsonValue());
                            else if (kt.key() == "addresses") {
                                QStringList addrs;
                                for (const auto& a :
                                     (en && *en == 0 ? S.multi(ik, "IPAddress") : QStringList()))
                                    if (!a.isEmpty() && a != "0.0.0.0") addrs << a;
                                c.eq(iat + ".addresses", kt.value(), strings(addrs));
                            } else if (kt.key() == "adapter")
                                c.eq(iat + ".adapter", kt.value(), adapters.value(found.toUpper()));
                            else if (kt.key() == "binding")
                                c.eq(iat + ".binding", kt.value(), bindings.value(found.toUpper(), "none"));
                            else
                                c.fail(iat + "." + kt.key(), "claim not verified by this test");
                        }
                    }
                } else {
                    c.fail(at + "." + jt.key(), "claim not verified by this test");
                }
            }
        } else if (k == "virtio") {
            // The rules of windows-offline-facts.md, applied to the hives by hivex.
            bool storage = false, ready = false;
            const qint64 build = w.build();
            for (const QString n : {"viostor", "vioscsi"}) {
                auto s = w.service(n);
                if (!s.present || !s.filePresent) continue;
                storage = true;
                bool mapped = false;
                if (build >= 9200) {
                    const QString ids = "\\DriverDatabase\\DeviceIds\\PCI";
                    for (const auto& id : S.subkeys(ids))
                        if (id.startsWith("VEN_1AF4&", Qt::CaseInsensitive) &&
                            S.raw(ids + "\\" + id, n + ".inf"))
                            mapped = true;
                } else {
                    const QString cdd = ccs + "\\Control\\CriticalDeviceDatabase";
                    for (const auto& id : S.subkeys(cdd))
                        if (id.startsWith("pci#ven_1af4", Qt::CaseInsensitive) &&
                            S.str(cdd + "\\" + id, "Service").value_or("").compare(n, Qt::CaseInsensitive) ==
                                0)
                            mapped = true;
                }
                if (s.type == 1 && s.start == 0 && mapped) ready = true;
            }
            auto net = w.service("netkvm");
            const QJsonObject ve = v.toObject();
            for (auto jt = ve.begin(); jt != ve.end(); ++jt) {
                if (jt.key() == "storage")
                    c.eq(at + ".storage", jt.value(), storage);
                else if (jt.key() == "storage_boot_ready")
                    c.eq(at + ".storage_boot_ready", jt.value(), ready);
                else if (jt.key() == "network")
                    c.eq(at + ".network", jt.value(), net.present && net.filePresent);
                else
                    c.fail(at + "." + jt.key(), "claim not verified by this test");
            }
        } else if (k == "cloudbase_init") {
            const QJsonObject ce = v.toObject();
            QString version;
            bool listed = false;
            const auto progs = w.programs();
            for (auto pt = progs.begin(); pt != progs.end(); ++pt)
                if (pt.key().startsWith("Cloudbase-Init")) {
                    listed = true;
                    version = pt.value();
                }
            const QString conf = "Program Files/Cloudbase Solutions/Cloudbase-Init/conf/";
            for (auto jt = ce.begin(); jt != ce.end(); ++jt) {
                const QString ck = jt.key();
                if (ck == "installed")
                    c.eq(at + ".installed", jt.value(), w.service("cloudbase-init").present || listed);
                else if (ck == "version")
                    c.eq(at + ".version", jt.value(), version);
                else if (ck == "config_found")
                    c.eq(at + ".config_found", jt.value(), w.fileExists(conf + "cloudbase-init.conf"));
                else if (ck == "unattend_config_found")
                    c.eq(at + ".unattend_config_found", jt.value(),
                         w.fileExists(conf + "cloudbase-init-unattend.conf"));
                else if (ck == "config")
                    c.eq(at + ".config", jt.value(),
                         mapJson(iniDefault(w.file(conf + "cloudbase-init.conf"))));
                else if (ck == "unattend_config")
                    c.eq(at + ".unattend_config", jt.value(),
                         mapJson(iniDefault(w.file(conf + "cloudbase-init-unattend.conf"))));
                else
                    c.fail(at + "." + ck, "claim not verified by this test");
            }
        } else if (k == "sysprep") {
            const QJsonObject se = v.toObject();
            for (auto jt = se.begin(); jt != se.end(); ++jt) {
                if (jt.key() == "image_state")
                    c.eq(at + ".image_state", jt.value(),
                         optStr(w.soft().str("\\Microsoft\\Windows\\CurrentVersion\\Setup\\State",
                                             "ImageState")));
                else
                    c.fail(at + "." + jt.key(), "claim not verified by this test");
            }
        } else if (k == "san_policy") {
            c.eq(at, v, optInt(S.dword(ccs + "\\Services\\partmgr\\Parameters", "SanPolicy")));
        } else if (k == "rtc_utc") {
            auto r = S.dword(ccs + "\\Control\\TimeZoneInformation", "RealTimeIsUniversal");
            c.eq(at, v, r ? QJsonValue(*r == 1) : QJsonValue());
        } else if (k == "rdp_allowed") {
            auto pol =
                w.soft().dword("\\Policies\\Microsoft\\Windows NT\\Terminal Services", "fDenyTSConnections");
            auto ctl = S.dword(ccs + "\\Control\\Terminal Server", "fDenyTSConnections");
            auto deny = pol ? pol : ctl;
            c.eq(at, v, deny ? QJsonValue(*deny == 0) : QJsonValue());
        } else if (k == "hiberboot_enabled") {
            auto r = S.dword(ccs + "\\Control\\Session Manager\\Power", "HiberbootEnabled");
            c.eq(at, v, r ? QJsonValue(*r == 1) : QJsonValue());
        } else if (k == "hibernate_enabled") {
            auto r = S.dword(ccs + "\\Control\\Power", "HibernateEnabled");
            c.eq(at, v, r ? QJsonValue(*r == 1) : QJsonValue());
        } else if (k == "pending_reboot") {
            const QString wcv = "\\Microsoft\\Windows\\CurrentVersion";
            bool pending =
                w.soft().hasKey(wcv + "\\WindowsUpdate\\Auto Update\\RebootRequired") ||
                w.soft().hasKey(wcv + "\\Component Based Servicing\\RebootPending") ||
                !S.multi(ccs + "\\Control\\Session Manager", "PendingFileRenameOperations").isEmpty();
            const QJsonObject pe = v.toObject();
            for (auto jt = pe.begin(); jt != pe.end(); ++jt) {
                if (jt.key() == "pending")
                    c.eq(at + ".pending", jt.value(), pending);
                else
                    c.fail(at + "." + jt.key(), "claim not verified by this test");
            }
        } else if (k == "legacy_tools") {
            QStringList tools;
            for (const auto& name : w.programs().keys()) {
                if (name.contains("VMware Tools")) tools << "VMware Tools";
                if (name.contains("VirtualBox Guest Additions")) tools << "VirtualBox Guest Additions";
                if (name.contains("Xen", Qt::CaseInsensitive)) tools << "Xen PV drivers";
            }
            c.eq(at, v, strings(tools));
        } else if (k == "gpu_drivers") {
            QStringList gpus;
            const QString cls = ccs + "\\Control\\Class\\" + kDisplayClass;
            for (const auto& n : S.subkeys(cls)) {
                QString desc = S.str(cls + "\\" + n, "DriverDesc").value_or("");
                // The basic display and the virtual display adapters of hypervisors are not GPUs.
                if (!desc.isEmpty() && desc != "Microsoft Basic Display Adapter" &&
                    !desc.startsWith("VirtualBox Graphics Adapter"))
                    gpus << desc;
            }
            c.eq(at, v, strings(gpus));
        } else if (k == "hives") {
            // name, readable (hivex opens it, strictly or leniently), dirty (its base block's sequence
            // numbers differ), logs_found (the files beside it), replayed (dirty, logs beside it, and the
            // expectation names the hive Windows loads after the replay as the oracle read above).
            const QJsonArray list = v.toArray();
            for (int i = 0; i < list.size(); ++i) {
                const QJsonObject he = list[i].toObject();
                const QString name = he.value("name").toString(), hat = at + "[" + name + "]";
                if (name != "SYSTEM" && name != "SOFTWARE") {
                    c.fail(hat, "unknown hive");
                    continue;
                }
                const auto seq = sequenceNumbers(w.hiveBytes(name));
                QStringList logs;
                for (const char* ext : {".LOG", ".LOG1", ".LOG2"})
                    if (w.fileExists("Windows/System32/config/" + name + ext)) logs << name + ext;
                for (auto jt = he.begin(); jt != he.end(); ++jt) {
                    if (jt.key() == "name") continue;
                    if (jt.key() == "readable")
                        c.eq(hat + ".readable", jt.value(), (name == "SYSTEM" ? w.sys() : w.soft()).valid());
                    else if (jt.key() == "dirty")
                        c.eq(hat + ".dirty", jt.value(), seq.first != seq.second);
                    else if (jt.key() == "logs_found")
                        c.eq(hat + ".logs_found", jt.value(), strings(logs));
                    else if (jt.key() == "replayed")
                        c.eq(hat + ".replayed", jt.value(),
                             seq.first != seq.second && !logs.isEmpty() && name == "SYSTEM" &&
                                 w.systemFromOracle());
                    else
                        c.fail(hat + "." + jt.key(), "claim not verified by this test");
                }
            }
        } else {
            c.fail(at, "claim not verified by this test");
        }
    }
}

void verifyServices(Checker& c, const Windows& w, const QJsonObject& services) {
    for (auto it = services.begin(); it != services.end(); ++it) {
        const QString at = "services." + it.key();
        auto s = w.service(it.key());
        const QJsonObject e = it.value().toObject();
        for (auto jt = e.begin(); jt != e.end(); ++jt) {
            const QString k = jt.key();
            if (k == "present")
                c.eq(at + ".present", jt.value(), s.present);
            else if (k == "type")
                c.eq(at + ".type", jt.value(), optInt(s.type));
            else if (k == "start")
                c.eq(at + ".start", jt.value(), optInt(s.start));
            else if (k == "image_path")
                c.eq(at + ".image_path", jt.value(), s.imagePath);
            else if (k == "group")
                c.eq(at + ".group", jt.value(), s.group);
            else if (k == "display_name")
                c.eq(at + ".display_name", jt.value(), s.displayName);
            else if (k == "file_present")
                c.eq(at + ".file_present", jt.value(), s.filePresent);
            else
                c.fail(at + "." + k, "claim not verified by this test");
        }
    }
}

void verifyPartition(Checker& c, const QString& at, const Disk& d, const Partition& p, const QJsonObject& e) {
    for (auto it = e.begin(); it != e.end(); ++it) {
        const QString k = it.key();
        const QJsonValue v = it.value();
        if (k == "index") {
            continue;
        } else if (k == "offset") {
            c.eq(at + ".offset", v, double(p.start * d.sectorSize));
        } else if (k == "size") {
            c.eq(at + ".size", v, double(p.size * d.sectorSize));
        } else if (k == "type") {
            c.eq(at + ".type", v,
                 d.label == "gpt" ? p.type
                                  : QString("0x%1").arg(p.type.toUInt(nullptr, 16), 2, 16, QChar('0')));
        } else if (k == "name") {
            c.eq(at + ".name", v, p.name);
        } else if (k == "role") {
            QString role = roleOf(d, p);
            if (role.isEmpty())
                c.fail(at + ".role", "no role can be derived from the type alone");
            else
                c.eq(at + ".role", v, role);
        } else if (k == "active") {
            c.eq(at + ".active", v, p.bootable);
        } else if (k == "logical") {
            c.eq(at + ".logical", v, d.label == "dos" && p.index >= 5);
        } else if (k == "filesystem") {
            c.eq(at + ".filesystem", v, filesystemOf(p));
        } else if (k == "label") {
            c.eq(at + ".label", v, p.label);
        } else if (k == "encrypted") {
            c.eq(at + ".encrypted", v, isEncrypted(p));
        } else if (k == "dirty") {
            // $Volume's $VOLUME_INFORMATION: flags at offset 10, bit 0 = dirty
            auto r = runTool("icat", {"-o", QString::number(p.start), d.raw, "3-112"});
            if (r.exitCode != 0 || r.out.size() < 12)
                c.fail(at + ".dirty", "cannot read $VOLUME_INFORMATION");
            else
                c.eq(at + ".dirty", v, (quint8(r.out[10]) & 1) != 0);
        } else if (k == "hibernated") {
            bool hib = false;
            if (hasFile(p, "hiberfil.sys")) {
                QByteArray head = icat(d, p, "hiberfil.sys").left(4).toLower();
                hib = head == "hibr" || head == "wake";
            }
            c.eq(at + ".hibernated", v, hib);
        } else if (k == "is_system") {
            c.eq(at + ".is_system", v, isSystem(p));
        } else if (k == "is_boot") {
            c.eq(at + ".is_boot", v, isBoot(p));
        } else {
            c.fail(at + "." + k, "claim not verified by this test");
        }
    }
}

// facts of one disk (per_disk entries use the same function).
void verifyFacts(Checker& c, const QString& where, const QList<Disk>& disks, int diskIndex,
                 const QJsonObject& f, const QJsonObject& services, const QJsonObject& ntfs,
                 const QString& tmp, const QString& systemOracle = {}) {
    const Disk& d = disks[diskIndex];
    const Partition* sysPart = nullptr;
    for (const auto& p : d.parts)
        if (isSystem(p)) sysPart = &p;
    std::unique_ptr<Windows> win;
    if (sysPart) {
        QDir(tmp).mkpath(QString("hives%1").arg(diskIndex));
        win = std::make_unique<Windows>(d, *sysPart, tmp + QString("/hives%1").arg(diskIndex), systemOracle);
        if (!systemOracle.isEmpty()) {
            const auto seq = sequenceNumbers(win->hiveBytes("SYSTEM"));
            if (seq.first == seq.second)
                c.fail(where, "a replay oracle is given but the image's SYSTEM hive is not dirty");
        }
        if (!win->ok()) c.fail(where, "hivex cannot open the SYSTEM/SOFTWARE hives of the system partition");
    }
    for (auto it = f.begin(); it != f.end(); ++it) {
        const QString k = it.key(), at = where + "." + k;
        const QJsonValue v = it.value();
        if (k == "readable") {
            c.eq(at, v, QFileInfo(d.raw).size() > 0);
        } else if (k == "partition_table") {
            c.eq(at, v, d.label == "gpt" ? "gpt" : d.label == "dos" ? "mbr" : "none");
        } else if (k == "boot_mode") {
            c.eq(at, v, bootMode(d));
        } else if (k == "encrypted") {
            bool enc = false;
            for (const auto& p : d.parts)
                enc = enc || isEncrypted(p);
            c.eq(at, v, enc);
        } else if (k == "disks") {
            c.eq(at, v, double(disks.size()));
        } else if (k == "sector_size") {
            c.eq(at, v, double(d.sectorSize));
        } else if (k == "partitions") {
            const QJsonArray list = v.toArray();
            if (list.size() != d.parts.size())
                c.fail(at, QString("expectation lists %1 partitions, sfdisk/mmls see %2")
                               .arg(list.size())
                               .arg(d.parts.size()));
            for (const auto& pv : list) {
                const QJsonObject pe = pv.toObject();
                const int index = pe.value("index").toInt();
                const Partition* p = nullptr;
                for (const auto& q : d.parts)
                    if (q.index == index) p = &q;
                if (!p)
                    c.fail(at + QString("[%1]").arg(index), "no such partition");
                else
                    verifyPartition(c, at + QString("[%1]").arg(index), d, *p, pe);
            }
        } else if (k == "boot_on_same_disk") {
            bool boot = false;
            for (const auto& p : d.parts)
                boot = boot || isBoot(p);
            c.eq(at, v, sysPart ? QJsonValue(boot) : QJsonValue());
        } else if (k == "windows") {
            if (v.isNull()) {
                if (sysPart) c.fail(at, "expectation says no Windows, but a partition holds the hives");
            } else if (!sysPart || !win || !win->ok()) {
                c.fail(at, "expectation describes Windows, but no partition holds readable SYSTEM and "
                           "SOFTWARE hives");
            } else {
                verifyWindows(c, at, *win, d, *sysPart, v.toObject());
            }
        } else if (k == "windows_disk_index") {
            c.eq(at, v, double(diskIndex));
        } else if (k == "per_disk") {
            const QJsonArray list = v.toArray();
            if (list.size() != disks.size()) c.fail(at, "per_disk must have one entry per disk");
            for (int i = 0; i < list.size() && i < disks.size(); ++i)
                verifyFacts(c, at + QString("[%1]").arg(i), disks, i, list[i].toObject(), {}, {}, tmp);
        } else {
            c.fail(at, "claim not verified by this test");
        }
    }
    if (!services.isEmpty()) {
        if (!win || !win->ok())
            c.fail("services", "no Windows to look the services up in");
        else
            verifyServices(c, *win, services);
    }
    for (auto it = ntfs.begin(); it != ntfs.end(); ++it) {
        for (const auto& pv : it.value().toArray()) {
            const QString path = pv.toString(), at = "ntfs." + it.key() + "[" + path + "]";
            if (!sysPart || !hasFile(*sysPart, path)) {
                c.fail(at, "file not found in the system partition");
                continue;
            }
            const QString st = istat(d, *sysPart, path);
            if (it.key() == "attribute_list") {
                if (!st.contains("$ATTRIBUTE_LIST")) c.fail(at, "istat shows no $ATTRIBUTE_LIST");
            } else if (it.key() == "compressed") {
                bool compressed = false;
                for (const auto& line : st.split('\n'))
                    compressed =
                        compressed || (line.startsWith("Type: $DATA") && line.contains("Compressed"));
                if (!compressed) c.fail(at, "istat shows no compressed $DATA");
            } else {
                c.fail(at, "claim not verified by this test");
            }
            if (!Hive(tmp + "/hives" + QString::number(diskIndex) + "/" + QFileInfo(path).fileName()).valid())
                c.fail(at, "the file read back through sleuthkit is not a valid hive");
        }
    }
}

// The catalogue: check id -> level.
QMap<QString, QString> catalogueLevels() {
    QMap<QString, QString> out;
    QFile f(QStringLiteral(IMGPREP_SOURCE_DIR) + "/resources/checks/catalogue.json");
    if (!f.open(QIODevice::ReadOnly)) return out;
    for (const auto& cv : QJsonDocument::fromJson(f.readAll()).object().value("checks").toArray())
        out.insert(cv.toObject().value("id").toString(), cv.toObject().value("level").toString());
    return out;
}

} // namespace

class TestWindowsFixtures : public QObject {
    Q_OBJECT
  private:
    struct Entry {
        QString name, image, expect;
    };
    QList<Entry> entries() {
        QList<Entry> out;
        const QString dir = fixtureDir("windows");
        QFile f(dir + "/windows.list");
        if (!f.open(QIODevice::ReadOnly)) return out;
        for (const auto& line : QString::fromUtf8(f.readAll()).split('\n')) {
            QStringList p = line.trimmed().split('|');
            if (p.size() == 3) out.append({p[0], dir + "/" + p[1], dir + "/" + p[2]});
        }
        return out;
    }

  private slots:
    void listIsComplete() {
        QStringList names;
        for (const auto& e : entries())
            names << e.name;
        const QStringList want = {"win2016-uefi-ready",
                                  "win2016-200g",
                                  "win2016-1536g",
                                  "win2016-two-disks",
                                  "win2012r2-bios-static",
                                  "win2008r2-virtio-noboot",
                                  "win7-x86",
                                  "win-bitlocker",
                                  "win10-hibernated",
                                  "win2019-no-boot-partition",
                                  "linux-ext4",
                                  "win2022-fragmented-software",
                                  "win2019-compressed-system",
                                  "win10-vbox-dirty",
                                  "win2019-damaged-system"};
        for (const auto& n : want)
            QVERIFY2(names.contains(n),
                     qPrintable("windows.list lacks " + n + " (run ctest -R fixture.windows)"));
    }

    void image_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("expect");
        const auto list = entries();
        QVERIFY2(!list.isEmpty(), "fixture images missing: run ctest (fixture.windows) first");
        for (const auto& e : list)
            QTest::newRow(e.name.toUtf8()) << e.image << e.expect;
    }
    void image() {
        QFETCH(QString, image);
        QFETCH(QString, expect);
        QFile ef(expect);
        QVERIFY2(ef.open(QIODevice::ReadOnly), qPrintable("cannot open " + expect));
        QJsonParseError perr;
        const QJsonObject e = QJsonDocument::fromJson(ef.readAll(), &perr).object();
        QVERIFY2(perr.error == QJsonParseError::NoError, qPrintable(expect + ": " + perr.errorString()));
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        Checker c;

        // ---- container and disks (qemu-img, tar) ----
        const QJsonObject ie = e.value("image").toObject();
        const QString format = ie.value("format").toString();
        QStringList diskFiles;
        if (format == "ova") {
            auto t = runTool("tar", {"-tf", image});
            QVERIFY2(t.exitCode == 0, t.err.constData());
            QStringList members = QString::fromUtf8(t.out).split('\n', Qt::SkipEmptyParts);
            QVERIFY2(!members.isEmpty() && members.first().endsWith(".ovf"),
                     "an OVA starts with its .ovf descriptor");
            QVERIFY(runTool("tar", {"-xf", image, "-C", tmp.path()}).exitCode == 0);
            QFile ovf(tmp.path() + "/" + members.first());
            QVERIFY(ovf.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(&ovf);
            QMap<QString, QString> fileById;
            QStringList diskRefs;
            while (!xml.atEnd()) {
                xml.readNext();
                if (!xml.isStartElement()) continue;
                const auto a = xml.attributes();
                if (xml.name() == QLatin1String("File"))
                    fileById.insert(a.value("ovf:id").toString(), a.value("ovf:href").toString());
                if (xml.name() == QLatin1String("Disk")) diskRefs << a.value("ovf:fileRef").toString();
            }
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
            for (const auto& r : diskRefs)
                diskFiles << fileById.value(r);
            QStringList want;
            for (const auto& v : e.value("ova_disks").toArray())
                want << v.toString();
            QCOMPARE(diskFiles, want);
            for (auto& f : diskFiles)
                f = tmp.path() + "/" + f;
        } else {
            diskFiles << image;
        }
        QList<Disk> disks;
        QJsonArray sizes;
        for (int i = 0; i < diskFiles.size(); ++i) {
            auto info = runTool("qemu-img", {"info", "--output=json", diskFiles[i]});
            QVERIFY2(info.exitCode == 0, info.err.constData());
            const QJsonObject qi = QJsonDocument::fromJson(info.out).object();
            QString fmt = qi.value("format").toString();
            if (fmt == "vpc") fmt = "vhd";
            if (format != "ova")
                c.eq("image.format", format, fmt);
            else if (fmt != "vmdk")
                c.fail("image.format", "OVA disk " + diskFiles[i] + " is " + fmt);
            sizes.append(qi.value("virtual-size"));
            QString raw = diskFiles[i];
            if (fmt != "raw") {
                raw = tmp.path() + QString("/disk%1.raw").arg(i);
                auto conv = runTool("qemu-img", {"convert", "-O", "raw", diskFiles[i], raw}, 600000);
                QVERIFY2(conv.exitCode == 0, conv.err.constData());
            }
            disks << loadDisk(raw, c, QString("disk %1").arg(i + 1));
        }
        for (auto it = ie.begin(); it != ie.end(); ++it) {
            if (it.key() == "format") continue;
            if (it.key() == "virtual_size")
                c.eq("image.virtual_size", it.value(), sizes.first());
            else if (it.key() == "disk_sizes")
                c.eq("image.disk_sizes", it.value(), sizes);
            else
                c.fail("image." + it.key(), "claim not verified by this test");
        }

        // ---- facts, services, NTFS properties (sfdisk, mmls, fsstat, fls, icat, istat, hivex) ----
        const QJsonObject facts = e.value("facts").toObject();
        const int winDisk = facts.value("windows_disk_index").toInt(0);
        QVERIFY(winDisk >= 0 && winDisk < disks.size());
        // A dirty SYSTEM hive is checked against the hive its logs replay to (made by hivex, beside the
        // image).
        QString oracle;
        if (e.contains("registry_oracle")) {
            oracle = QFileInfo(image).dir().filePath(
                e.value("registry_oracle").toObject().value("SYSTEM").toString());
            QVERIFY2(QFile::exists(oracle), qPrintable("missing " + oracle));
        }
        verifyFacts(c, "facts", disks, winDisk, facts, e.value("services").toObject(),
                    e.value("ntfs").toObject(), tmp.path(), oracle);

        // ---- checks and verdict: consistent with the catalogue and with the facts ----
        const auto levels = catalogueLevels();
        QVERIFY2(!levels.isEmpty(), "cannot read resources/checks/catalogue.json");
        const QJsonObject checks = e.value("checks").toObject();
        const QStringList statuses = {"pass", "fail", "warn", "info", "manual", "unknown"};
        bool anyFail = false, anyBlocker = false;
        for (auto it = checks.begin(); it != checks.end(); ++it) {
            const QString st = it.value().toString();
            if (!levels.contains(it.key())) c.fail("checks." + it.key(), "not a catalogue check id");
            if (!statuses.contains(st)) c.fail("checks." + it.key(), "not a check status: " + st);
            const QString level = levels.value(it.key());
            if (level != "required" && st == "fail")
                c.fail("checks." + it.key(), "only required checks fail");
            if (level == "required" && (st == "warn" || st == "info") && it.key() != "image.size")
                c.fail("checks." + it.key(), "a required check is pass, fail or unknown");
            bool blocks = (level == "required" && (st == "fail" || st == "unknown")) ||
                          (level == "manual" && st == "fail");
            anyBlocker = anyBlocker || blocks;
            anyFail = anyFail || (blocks && st == "fail");
        }
        const QString verdict = anyBlocker ? (anyFail ? "not_ready" : "incomplete") : "ready";
        if (e.value("verdict").toString() != verdict)
            c.fail("verdict",
                   "expectation says " + jsonText(e.value("verdict")) + ", its checks give " + verdict);
        const QJsonObject w = facts.value("windows").toObject();
        if (!facts.value("windows").isNull()) {
            for (auto it = levels.begin(); it != levels.end(); ++it)
                if (!checks.contains(it.key()))
                    c.fail("checks", "Windows image without an expectation for " + it.key());
            auto expectStatus = [&](const QString& id, const QString& st) {
                if (checks.value(id).toString() != st)
                    c.fail("checks." + id, "expectation says " + jsonText(checks.value(id)) +
                                               ", the expected facts give " + st + " by the catalogue rule");
            };
            // network.dhcp (docs/checks.md): fail for an interface with EnableDHCP = 0 bound to an adapter
            // and with an address; unknown when hivex (lenient) cannot read every interface key.
            bool staticAdapter = false;
            for (const auto& iv : w.value("dhcp").toObject().value("interfaces").toArray()) {
                const QJsonObject i = iv.toObject();
                staticAdapter = staticAdapter || (i.value("dhcp") == QJsonValue(false) &&
                                                  i.value("binding").toString() == "adapter" &&
                                                  !i.value("addresses").toArray().isEmpty());
            }
            bool interfacesReadable = true;
            for (const Partition& p : disks[winDisk].parts)
                if (isSystem(p)) {
                    QDir(tmp.path()).mkpath("check");
                    Windows win(disks[winDisk], p, tmp.path() + "/check", oracle);
                    interfacesReadable =
                        win.sys().subkeysReadable(win.ccs() + "\\Services\\Tcpip\\Parameters\\Interfaces");
                }
            expectStatus("network.dhcp", !interfacesReadable ? "unknown" : staticAdapter ? "fail" : "pass");
            const QJsonObject vio = w.value("virtio").toObject();
            expectStatus("drivers.virtio",
                         vio.value("storage").toBool() && vio.value("network").toBool() ? "pass" : "fail");
            expectStatus("drivers.virtio_boot", vio.value("storage_boot_ready").toBool() ? "pass" : "warn");
            expectStatus("windows.san_policy", w.value("san_policy").toInt() == 1 ? "pass" : "warn");
            expectStatus("windows.rtc_utc", w.value("rtc_utc").toBool() ? "pass" : "warn");
            expectStatus("windows.rdp", w.value("rdp_allowed").toBool() ? "pass" : "warn");
            expectStatus("windows.pending_reboot",
                         w.value("pending_reboot").toObject().value("pending").toBool() ? "warn" : "pass");
            expectStatus("windows.legacy_hypervisor_tools",
                         w.value("legacy_tools").toArray().isEmpty() ? "pass" : "warn");
            bool hib = false;
            for (const auto& p : facts.value("partitions").toArray())
                hib = hib || p.toObject().value("hibernated").toBool();
            expectStatus("windows.clean_shutdown", hib ? "fail" : "pass");
            expectStatus("disk.single_system_disk", disks.size() == 1 ? "pass" : "fail");
            const qint64 vs = qint64(sizes.first().toDouble());
            expectStatus("disk.system_disk_size", vs >= kGiB && vs <= kTiB ? "pass" : "fail");
            // Size limits on the system disk's virtual size: 128 GiB direct, up to 1 TiB fast import as
            // RAW/ZVHD2.
            const bool fastFormat = format == "raw";
            expectStatus("image.size", vs > kTiB          ? "fail"
                                       : vs <= 128 * kGiB ? "pass"
                                       : fastFormat       ? "pass"
                                                          : "warn");
        }
        const bool enc = facts.value("encrypted").toBool();
        if (checks.contains("disk.not_encrypted") &&
            checks.value("disk.not_encrypted").toString() != (enc ? "fail" : "pass"))
            c.fail("checks.disk.not_encrypted", "inconsistent with facts.encrypted");

        for (const auto& err : c.errors)
            qWarning("%s", qPrintable(err));
        QVERIFY2(c.errors.isEmpty(),
                 qPrintable(QString("%1 claim(s) of %2 are not true of the image (listed above)")
                                .arg(c.errors.size())
                                .arg(QFileInfo(expect).fileName())));
    }
};

QTEST_GUILESS_MAIN(TestWindowsFixtures)
#include "test_windows_fixtures.moc"
