// FAT12/16/32 (core/fs/fat) against sleuthkit (fsstat, fls -r, icat), mtools (mdir, mtype), fsck.fat and
// blkid, on volumes built by mkfs.vfat + mtools (tests/fixtures/build_disks.sh); hostile variants are patched
// copies.
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "disk/partition_table.h"
#include "fs/fat.h"
#include "io/byte_source.h"
#include "testsupport.h"
#include "util/endian.h"

using namespace imgprep;

namespace {

QString fx(const QString& name) {
    return testsupport::fixtureDir("disks") + "/" + name;
}

SourcePtr openFile(const QString& path) {
    auto r = FileSource::open(path.toStdString());
    if (!r.ok()) qFatal("cannot open %s: %s", qPrintable(path), r.error().describe().c_str());
    return *r;
}

std::unique_ptr<FatVolume> openVolume(SourcePtr src) {
    auto r = FatVolume::open(std::move(src));
    if (!r.ok()) qFatal("FatVolume::open: %s", r.error().describe().c_str());
    return std::move(r).value();
}

QByteArray toBytes(const std::vector<std::uint8_t>& v) {
    return QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size()));
}

QString warningsText(const FatVolume& v) {
    QStringList l;
    for (const auto& w : v.warnings())
        l << QString::fromStdString(w.describe());
    return l.join("\n");
}

// fsstat "Key: value" lines.
QHash<QString, QString> fsstat(const QStringList& args) {
    auto r = testsupport::runTool("fsstat", args);
    if (r.exitCode != 0) qFatal("fsstat failed: %s", r.err.constData());
    QHash<QString, QString> kv;
    for (const QByteArray& line : r.out.split('\n')) {
        QString s = QString::fromUtf8(line);
        int c = s.indexOf(": ");
        if (c > 0 && !kv.contains(s.left(c))) kv.insert(s.left(c), s.mid(c + 2));
    }
    return kv;
}

struct FlsEntry {
    bool dir = false;
    QString inode;
};
// fls -r -p: allocated files and directories by path (deleted, virtual $ files and the label entry skipped).
QHash<QString, FlsEntry> fls(const QStringList& args) {
    auto r = testsupport::runTool("fls", QStringList{"-r", "-p"} + args);
    if (r.exitCode != 0) qFatal("fls failed: %s", r.err.constData());
    QHash<QString, FlsEntry> out;
    static const QRegularExpression re("^(\\S)/\\S (\\*\\s+)?(\\d+):\\t(.*)$");
    for (const QByteArray& line : r.out.split('\n')) {
        auto m = re.match(QString::fromUtf8(line));
        if (!m.hasMatch() || !m.captured(2).isEmpty()) continue;
        QString path = m.captured(4);
        if (path.startsWith('$') || path.endsWith("(Volume Label Entry)")) continue;
        out.insert(path, {m.captured(1) == "d", m.captured(3)});
    }
    return out;
}

// mdir -a listing: short name ("NAME.EXT"), size (-1 for <DIR>), long name (empty when none).
struct MdirEntry {
    QString shortName, longName;
    qint64 size = -1;
};
QList<MdirEntry> mdir(const QString& image, const QString& dir) {
    auto r = testsupport::runTool("mdir", {"-a", "-i", image, "::" + dir});
    if (r.exitCode != 0) qFatal("mdir failed: %s", r.err.constData());
    QList<MdirEntry> out;
    // "ENTRYN~1 TXT         7 2026-11-25  13:47  entry number 001 with a long name.txt"
    static const QRegularExpression re(
        "^(.{8}) (.{3}) +(<DIR>|\\d+) +\\d{4}-\\d\\d-\\d\\d +\\d+:\\d\\d ?(?: (.*))?$");
    for (const QByteArray& line : r.out.split('\n')) {
        auto m = re.match(QString::fromUtf8(line));
        if (!m.hasMatch()) continue;
        QString base = m.captured(1).trimmed(), ext = m.captured(2).trimmed();
        if (base == "." || base == "..") continue;
        MdirEntry e;
        e.shortName = ext.isEmpty() ? base : base + "." + ext;
        e.size = m.captured(3) == "<DIR>" ? -1 : m.captured(3).toLongLong();
        e.longName = m.captured(4);
        out << e;
    }
    return out;
}

struct Walked {
    QString path;
    FatDirEntry entry;
};
QList<Walked> walkAll(const FatVolume& v) {
    QList<Walked> all;
    auto st = v.walk([&](const std::string& p, const FatDirEntry& e) {
        all << Walked{QString::fromStdString(p), e};
        return true;
    });
    if (!st.ok()) qFatal("walk: %s", st.error().describe().c_str());
    return all;
}

QByteArray loadFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}
QString saveFile(const QTemporaryDir& dir, const QString& name, const QByteArray& data) {
    QString p = dir.filePath(name);
    QFile f(p);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
        qFatal("cannot write %s", qPrintable(p));
    return p;
}
SourcePtr memSource(const QByteArray& b, const std::string& name = "patched") {
    return std::make_shared<MemorySource>(std::vector<std::uint8_t>(b.begin(), b.end()), name);
}

// FAT entry byte position of a cluster in the first FAT, for patching.
struct Geometry {
    FatType type;
    std::uint64_t fatOffset;
};
Geometry geometry(const QByteArray& img) {
    auto v = openVolume(memSource(img));
    const auto* b = reinterpret_cast<const std::uint8_t*>(img.constData());
    return {v->type(), std::uint64_t(le16(b + 14)) * le16(b + 11)};
}
void setFatEntry(QByteArray& img, const Geometry& g, std::uint32_t cluster, std::uint32_t value) {
    auto* b = reinterpret_cast<std::uint8_t*>(img.data());
    switch (g.type) {
    case FatType::Fat12: {
        std::uint64_t off = g.fatOffset + cluster + cluster / 2;
        std::uint16_t x = le16(b + off);
        x = (cluster & 1) ? std::uint16_t((x & 0x000F) | (value << 4))
                          : std::uint16_t((x & 0xF000) | (value & 0xFFF));
        put_le16(b + off, x);
        break;
    }
    case FatType::Fat16:
        put_le16(b + g.fatOffset + 2 * cluster, std::uint16_t(value));
        break;
    case FatType::Fat32:
        put_le32(b + g.fatOffset + 4 * cluster, value);
        break;
    }
}

const QStringList kVolumes = {"fat12.img", "fat16.img", "fat32.img", "fat16-4k.img"};

} // namespace

class TestFat : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { QVERIFY2(QFile::exists(fx("fat32.img")), "disks fixture not built"); }

    void bootSectorMatchesFsstat_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("type");
        for (const QString& v : kVolumes)
            QTest::newRow(qPrintable(v)) << v
                                         << (v.startsWith("fat12")   ? "FAT12"
                                             : v.startsWith("fat16") ? "FAT16"
                                                                     : "FAT32");
    }
    void bootSectorMatchesFsstat() {
        QFETCH(QString, image);
        QFETCH(QString, type);
        auto v = openVolume(openFile(fx(image)));
        QVERIFY2(v->warnings().empty(), qPrintable(warningsText(*v)));
        auto kv = fsstat({fx(image)});
        QCOMPARE(kv.value("File System Type"), type);
        QCOMPARE(QString(to_string(v->type())), type);
        QCOMPARE(QString::number(v->bytes_per_sector()), kv.value("Sector Size"));
        QCOMPARE(QString::number(v->cluster_size()), kv.value("Cluster Size"));
        static const QRegularExpression range("2 - (\\d+)");
        QCOMPARE(std::uint64_t(v->cluster_count()),
                 range.match(kv.value("Total Cluster Range")).captured(1).toULongLong() - 1);
        QCOMPARE(QString::fromStdString(v->label()), kv.value("Volume Label (Root Directory)").trimmed());
        QCOMPARE(std::uint64_t(v->serial()), kv.value("Volume ID").toULongLong(nullptr, 16));
        QVERIFY(!v->dirty());
    }

    void treeAndContentsMatchSleuthkit_data() {
        QTest::addColumn<QString>("image");
        for (const QString& v : kVolumes)
            QTest::newRow(qPrintable(v)) << v;
    }
    void treeAndContentsMatchSleuthkit() {
        QFETCH(QString, image);
        auto v = openVolume(openFile(fx(image)));
        auto oracle = fls({fx(image)});
        auto ours = walkAll(*v);
        QVERIFY(ours.size() > 170);
        QCOMPARE(ours.size(), oracle.size());
        int files = 0;
        for (const Walked& w : ours) {
            auto it = oracle.find(w.path);
            if (it == oracle.end()) {
                // sleuthkit cuts names at 247 characters; accept its prefix for the 253-character name.
                for (auto o = oracle.begin(); o != oracle.end(); ++o)
                    if (o.key().size() >= 240 && w.path.startsWith(o.key())) it = o;
            }
            QVERIFY2(it != oracle.end(), qPrintable("not listed by fls: " + w.path));
            QCOMPARE(w.entry.is_directory(), it->dir);
            if (w.entry.is_directory()) continue;
            auto cat = testsupport::runTool("icat", {fx(image), it->inode});
            QCOMPARE(cat.exitCode, 0);
            auto data = v->read_file(w.entry);
            QVERIFY2(data.ok(), data.ok() ? "" : data.error().describe().c_str());
            QCOMPARE(qsizetype(w.entry.size), cat.out.size());
            QVERIFY2(toBytes(*data) == cat.out, qPrintable(w.path));
            ++files;
        }
        QVERIFY(files > 160);
    }

    void listingsMatchMdir_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("dir");
        for (const QString& v : kVolumes)
            for (const char* d : {"/", "/many", "/EFI/Microsoft/Boot", "/frag"})
                QTest::newRow(qPrintable(v + ":" + d)) << v << QString(d);
    }
    void listingsMatchMdir() {
        QFETCH(QString, image);
        QFETCH(QString, dir);
        auto v = openVolume(openFile(fx(image)));
        auto ours = v->list(dir.toStdString());
        QVERIFY2(ours.ok(), ours.ok() ? "" : ours.error().describe().c_str());
        auto oracle = mdir(fx(image), dir);
        QCOMPARE(qsizetype(ours->size()), oracle.size());
        if (dir == "/many") QCOMPARE(oracle.size(), 150);
        for (qsizetype i = 0; i < oracle.size(); ++i) {
            const FatDirEntry& e = (*ours)[std::size_t(i)];
            const MdirEntry& m = oracle[i];
            // mdir shows short names with the NT lower-case flags applied, and in code page 850: compare
            // ASCII short names case-insensitively.
            QString sn = QString::fromStdString(e.short_name);
            if (m.shortName.toLatin1() == m.shortName.toUtf8() && !m.shortName.contains('?'))
                QCOMPARE(sn.toUpper(), m.shortName.toUpper());
            QCOMPARE(QString::fromStdString(e.name), m.longName.isEmpty() ? m.shortName : m.longName);
            QCOMPARE(e.is_directory() ? qint64(-1) : qint64(e.size), m.size);
        }
    }

    void lookupAndMtype_data() {
        QTest::addColumn<QString>("image");
        for (const QString& v : kVolumes)
            QTest::newRow(qPrintable(v)) << v;
    }
    void lookupAndMtype() {
        QFETCH(QString, image);
        auto v = openVolume(openFile(fx(image)));
        struct Case {
            const char* ours;   // how we ask (case-insensitive, \ or /, long or short names)
            const char* mtools; // the path as created
        };
        const Case cases[] = {
            {"\\EFI\\Microsoft\\Boot\\bootmgfw.efi", "/EFI/Microsoft/Boot/bootmgfw.efi"},
            {"\\efi\\MICROSOFT\\boot\\BOOTMGFW.EFI", "/EFI/Microsoft/Boot/bootmgfw.efi"},
            {"EFI/Microsoft/Boot/BCD", "/EFI/Microsoft/Boot/BCD"},
            {"\\EFI\\Boot\\bootx64.efi", "/EFI/Boot/bootx64.efi"},
            {"\\frag\\fragmented.bin", "/frag/fragmented.bin"},
            {"\\ünïcödé FÏLÉ.TXT", "/Ünïcödé fïlé.txt"},
            {"\\ΕΛΛΗΝΙΚΆ.DAT", "/Ελληνικά.dat"},
            {"\\кириллица.BIN", "/Кириллица.bin"},
            {"\\日本語のファイル名.txt", "/日本語のファイル名.txt"},
            {"\\long file name with spaces and many characters exceeding twenty six.txt",
             "/Long File Name With Spaces And Many Characters Exceeding Twenty Six.txt"},
            {"\\deep\\a\\b\\c\\d\\e\\f\\deep.txt", "/deep/a/b/c/d/e/f/deep.txt"},
            {"\\many\\ENTRY NUMBER 150 WITH A LONG NAME.TXT", "/many/entry number 150 with a long name.txt"},
            {"/empty.txt", "/empty.txt"},
        };
        for (const Case& c : cases) {
            auto data = v->read_file(std::string_view(c.ours));
            QVERIFY2(data.ok(), data.ok() ? c.ours : data.error().describe().c_str());
            auto mt =
                testsupport::runTool("mtype", {"-i", fx(image), QString("::") + QString::fromUtf8(c.mtools)});
            QCOMPARE(mt.exitCode, 0);
            QVERIFY2(toBytes(*data) == mt.out, c.ours);
        }
        // Short-name aliases, as mdir lists them.
        QString alias;
        for (const auto& m : mdir(fx(image), "/EFI"))
            if (m.longName == "Microsoft") alias = m.shortName;
        QVERIFY(alias.contains('~'));
        auto viaAlias = v->lookup(("\\EFI\\" + alias + "\\BOOT\\BCD").toStdString());
        QVERIFY(viaAlias.ok());
        QCOMPARE(viaAlias->name, std::string("BCD"));

        // Not found, not a directory, root, listing a file: clear errors.
        auto nf = v->lookup("\\EFI\\Microsoft\\Boot\\missing.efi");
        QVERIFY(!nf.ok());
        QVERIFY(QString::fromStdString(nf.error().message).contains("missing.efi"));
        QVERIFY(!v->lookup("\\EFI\\Boot\\bootx64.efi\\x").ok());
        QVERIFY(!v->lookup("\\").ok());
        // A name matches whole, never as a prefix or an extension of an entry's name.
        for (const char* p : {"\\EF", "\\EFIX", "\\empty.tx", "\\empty.txtx", "\\EFI\\Microsoft\\Boot\\BCDX"})
            QVERIFY2(!v->lookup(p).ok(), p);
        // find() on one listing, as the inspector uses it: long and short names, any case.
        auto root = v->list_root();
        QVERIFY(root.ok());
        const imgprep::FatDirEntry* efi = imgprep::FatVolume::find(*root, "eFi");
        QVERIFY(efi && efi->name == "EFI" && efi->is_directory());
        const imgprep::FatDirEntry* uni = imgprep::FatVolume::find(*root, "ÜNÏCÖDÉ FÏLÉ.TXT");
        QVERIFY(uni && uni->name == "Ünïcödé fïlé.txt");
        QVERIFY(imgprep::FatVolume::find(*root, uni->short_name) == uni);
        QVERIFY(!imgprep::FatVolume::find(*root, "Ünïcödé fïlé.tx"));
        QVERIFY(!imgprep::FatVolume::find(*root, ""));
        QVERIFY(!v->list("\\EFI\\Boot\\bootx64.efi").ok());
        QVERIFY(v->list("\\").ok());
        QVERIFY(!v->open_file("\\EFI").ok());
        // Size limit.
        auto big = v->read_file("\\EFI\\Microsoft\\Boot\\bootmgfw.efi", 1000);
        QVERIFY(!big.ok());
        QVERIFY(QString::fromStdString(big.error().message).contains("limit"));
    }

    void fileSourceRandomReads() {
        // Unaligned reads across cluster and fragment boundaries of a fragmented file, against icat.
        for (const QString& image : kVolumes) {
            auto v = openVolume(openFile(fx(image)));
            auto src = v->open_file(std::string_view("\\frag\\fragmented.bin"));
            QVERIFY(src.ok());
            QString inode = fls({fx(image)}).value("frag/fragmented.bin").inode;
            QByteArray whole = testsupport::runTool("icat", {fx(image), inode}).out;
            QCOMPARE(qsizetype((*src)->size()), whole.size());
            QVERIFY(whole.size() > 150 * 1024);
            std::uint64_t seed = 12345;
            for (int i = 0; i < 300; ++i) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                std::uint64_t off = (seed >> 20) % std::uint64_t(whole.size());
                std::uint64_t len =
                    std::min<std::uint64_t>((seed >> 50) % 9000 + 1, std::uint64_t(whole.size()) - off);
                std::vector<std::uint8_t> buf(len);
                QVERIFY((*src)->read_at(off, buf).ok());
                QVERIFY(toBytes(buf) == whole.mid(qsizetype(off), qsizetype(len)));
            }
            std::vector<std::uint8_t> one(1);
            QVERIFY(!(*src)->read_at(std::uint64_t(whole.size()), one).ok());
            QVERIFY(!(*src)->read_at(~std::uint64_t{0}, one).ok());
            std::vector<std::uint8_t> none;
            QVERIFY((*src)->read_at(std::uint64_t(whole.size()), none).ok());
        }
    }

    void fat32BelowClusterMinimum() {
        // mkfs.vfat made a FAT32 layout with fewer than 65525 clusters; fsck.fat -v and blkid read it as
        // FAT32.
        auto v = openVolume(openFile(fx("fat32-lowcount.img")));
        QCOMPARE(v->type(), FatType::Fat32);
        QCOMPARE(v->warnings().size(), std::size_t(1));
        QVERIFY(QString::fromStdString(v->warnings()[0].message).contains("FAT32 layout"));
        auto ck = testsupport::runTool("fsck.fat", {"-n", "-v", fx("fat32-lowcount.img")});
        QVERIFY(ck.out.contains("32 bit entries"));
        static const QRegularExpression clusters("(\\d+) data clusters");
        QCOMPARE(QString::number(v->cluster_count()), clusters.match(QString::fromUtf8(ck.out)).captured(1));
        auto bl =
            testsupport::runTool("blkid", {"-p", "-o", "value", "-s", "LABEL", fx("fat32-lowcount.img")});
        QCOMPARE(QString::fromStdString(v->label()), QString::fromUtf8(bl.out.trimmed()));
        auto root = v->list_root();
        QVERIFY(root.ok());
        QVERIFY(root->empty());
    }

    void throughPartitionTables() {
        struct Case {
            const char* disk;
            std::uint32_t number;
            const char* fatImage; // the volume that was copied into the partition
            QStringList icatGeometry;
        };
        const Case cases[] = {
            {"gpt.img", 1, "fat32.img", {"-o", "2048"}},
            {"gpt-4k.img", 1, "fat16-4k.img", {"-b", "4096", "-o", "256"}},
            {"mbr.img", 5, "fat16.img", {"-o", "28672"}},
        };
        for (const Case& c : cases) {
            SourcePtr disk = openFile(fx(c.disk));
            auto t = read_partition_table(*disk);
            QVERIFY(t.ok());
            const Partition* p = t->find(c.number);
            QVERIFY(p);
            auto part = std::make_shared<SubSource>(disk, p->offset, p->length,
                                                    std::string(c.disk) + "#" + std::to_string(c.number));
            auto v = openVolume(part);
            QVERIFY2(v->warnings().empty(), qPrintable(warningsText(*v)));
            QString inode =
                fls(c.icatGeometry + QStringList{fx(c.disk)}).value("EFI/Microsoft/Boot/bootmgfw.efi").inode;
            QVERIFY(!inode.isEmpty());
            auto cat = testsupport::runTool("icat", c.icatGeometry + QStringList{fx(c.disk), inode});
            auto data = v->read_file("\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
            QVERIFY(data.ok());
            QVERIFY(toBytes(*data) == cat.out);
            QVERIFY(cat.out.size() > 1000000);
            auto esp = v->lookup("\\EFI\\Boot\\BOOTX64.EFI");
            QVERIFY(esp.ok());
        }
    }

    // ---- hostile input: patched copies
    // ------------------------------------------------------------------------
    void clusterChainLoopAndPastFat_data() {
        QTest::addColumn<QString>("image");
        for (const QString& v : kVolumes)
            QTest::newRow(qPrintable(v)) << v;
    }
    void clusterChainLoopAndPastFat() {
        QFETCH(QString, image);
        QByteArray img = loadFile(fx(image));
        Geometry g = geometry(img);
        auto v0 = openVolume(memSource(img));
        auto boot = v0->lookup("\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
        QVERIFY(boot.ok());
        auto chain = v0->cluster_chain(boot->first_cluster, 1u << 20);
        QVERIFY(chain.ok());
        QVERIFY(chain->size() > 10);
        std::uint32_t c3 = (*chain)[3];

        QElapsedTimer timer;
        timer.start();
        { // loop: the 4th cluster points back to the first
            QByteArray p = img;
            setFatEntry(p, g, c3, boot->first_cluster);
            auto v = openVolume(memSource(p));
            auto r = v->read_file(*boot);
            QVERIFY(!r.ok());
            QVERIFY2(QString::fromStdString(r.error().message).contains("loops"),
                     r.error().describe().c_str());
            auto ch = v->cluster_chain(boot->first_cluster, v->cluster_count());
            QVERIFY(!ch.ok());
            QVERIFY(QString::fromStdString(ch.error().message).contains("loops"));
            // fsck.fat sees the damage too.
            QTemporaryDir dir;
            QVERIFY(testsupport::runTool("fsck.fat", {"-n", saveFile(dir, "loop.img", p)}).exitCode != 0);
        }
        { // a cluster number past the last cluster
            QByteArray p = img;
            std::uint32_t beyond = v0->cluster_count() + 10;
            if (g.type == FatType::Fat12) beyond = std::min<std::uint32_t>(beyond, 0xFF0);
            setFatEntry(p, g, c3, beyond);
            auto v = openVolume(memSource(p));
            auto r = v->read_file(*boot);
            QVERIFY(!r.ok());
            QVERIFY2(QString::fromStdString(r.error().message).contains("outside"),
                     r.error().describe().c_str());
        }
        { // free cluster and bad cluster inside the chain; a chain too short for the size
            QByteArray p = img;
            setFatEntry(p, g, c3, 0);
            QVERIFY(!openVolume(memSource(p))->read_file(*boot).ok());
            std::uint32_t bad = g.type == FatType::Fat12   ? 0xFF7
                                : g.type == FatType::Fat16 ? 0xFFF7
                                                           : 0x0FFFFFF7;
            setFatEntry(p, g, c3, bad);
            QVERIFY(!openVolume(memSource(p))->read_file(*boot).ok());
            setFatEntry(p, g, c3,
                        g.type == FatType::Fat12   ? 0xFFF
                        : g.type == FatType::Fat16 ? 0xFFFF
                                                   : 0x0FFFFFFF);
            auto r = openVolume(memSource(p))->read_file(*boot);
            QVERIFY(!r.ok());
            QVERIFY(QString::fromStdString(r.error().message).contains("ends after 4 clusters"));
        }
        { // absurd size in the directory entry
            QByteArray p = img;
            put_le32(reinterpret_cast<std::uint8_t*>(p.data()) + boot->entry_offset + 28, 0xFFFFFFFF);
            auto v = openVolume(memSource(p));
            auto e = v->lookup("\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
            QVERIFY(e.ok());
            QCOMPARE(e->size, 0xFFFFFFFFu);
            QVERIFY(!v->open_file(*e).ok());
            QVERIFY(!v->read_file(*e).ok());
        }
        QVERIFY(timer.elapsed() < 10000);
    }

    void directoryLoops_data() {
        QTest::addColumn<QString>("image");
        for (const QString& v : kVolumes)
            QTest::newRow(qPrintable(v)) << v;
    }
    void directoryLoops() {
        QFETCH(QString, image);
        QByteArray img = loadFile(fx(image));
        Geometry g = geometry(img);
        auto v0 = openVolume(memSource(img));
        auto deep = v0->lookup("\\deep");
        auto b = v0->lookup("\\deep\\a\\b");
        QVERIFY(deep.ok() && b.ok());
        QElapsedTimer timer;
        timer.start();
        { // \deep\a\b's entry points at \deep: a cycle in the tree
            QByteArray p = img;
            auto* d = reinterpret_cast<std::uint8_t*>(p.data()) + b->entry_offset;
            put_le16(d + 26, std::uint16_t(deep->first_cluster));
            put_le16(d + 20, std::uint16_t(deep->first_cluster >> 16));
            auto v = openVolume(memSource(p));
            auto st = v->walk([](const std::string&, const FatDirEntry&) { return true; });
            QVERIFY(!st.ok());
            QVERIFY2(QString::fromStdString(st.error().message).contains("directory loop"),
                     st.error().describe().c_str());
            // Path lookups stay bounded by the path.
            QVERIFY(v->lookup("\\deep\\a\\b\\a\\b\\a\\b\\a").ok());
        }
        { // the 150-entry directory's cluster chain loops onto itself
            auto many = v0->lookup("\\many");
            auto chain = v0->cluster_chain(many->first_cluster, 100000);
            QVERIFY(chain.ok());
            QVERIFY(chain->size() >= 2);
            QByteArray p = img;
            setFatEntry(p, g, chain->back(), chain->front());
            auto v = openVolume(memSource(p));
            auto l = v->list("\\many");
            QVERIFY(!l.ok());
            QVERIFY2(QString::fromStdString(l.error().message).contains("loops"),
                     l.error().describe().c_str());
            QVERIFY(!v->walk([](const std::string&, const FatDirEntry&) { return true; }).ok());
        }
        QVERIFY(timer.elapsed() < 10000);
    }

    void longNameChecksumAndSurrogates() {
        QByteArray img = loadFile(fx("fat16.img"));
        auto v0 = openVolume(memSource(img));
        auto e = v0->lookup("\\emoji x name.txt");
        QVERIFY(e.ok());
        // The LFN entries precede the short entry; the one just before holds characters 1-13.
        qsizetype lfn = qsizetype(e->entry_offset) - 32;
        auto* d = reinterpret_cast<std::uint8_t*>(img.data());
        QCOMPARE(d[lfn + 11], std::uint8_t(0x0F));
        QCOMPARE(d[lfn] & 0x1F, 1);
        QTemporaryDir dir;
        { // UTF-16 units 5 and 6 (" x") become U+1F600 as a surrogate pair
            QByteArray p = img;
            auto* q = reinterpret_cast<std::uint8_t*>(p.data());
            put_le16(q + lfn + 14, 0xD83D); // unit 5 (the second group of units starts at byte 14)
            put_le16(q + lfn + 16, 0xDE00);
            auto v = openVolume(memSource(p));
            auto root = v->list_root();
            QVERIFY(root.ok());
            QString oracleName;
            const auto oracle = fls({saveFile(dir, "emoji.img", p)});
            for (auto it = oracle.begin(); it != oracle.end(); ++it)
                if (it.key().startsWith("emoji")) oracleName = it.key();
            QCOMPARE(oracleName, QString::fromUtf8("emoji😀 name.txt"));
            QVERIFY(v->lookup(oracleName.toStdString()).ok());
        }
        { // a wrong checksum: the long name is ignored and the short name used, as mtools and fsck.fat do
            // (sleuthkit's fls is lenient here and shows a partial long name, so it is not the oracle)
            QByteArray p = img;
            p[lfn + 13] = char(p[lfn + 13] ^ 0x5A);
            auto v = openVolume(memSource(p));
            QString path = saveFile(dir, "badsum.img", p);
            auto ck = testsupport::runTool("fsck.fat", {"-n", path});
            QVERIFY2(ck.out.contains("Checksum in long filename part wrong"), ck.out.constData());
            bool seen = false;
            for (const auto& m : mdir(path, "/"))
                if (m.shortName == QString::fromStdString(e->short_name)) {
                    QVERIFY(m.longName.isEmpty());
                    seen = true;
                }
            QVERIFY(seen);
            QVERIFY(!v->lookup("\\emoji x name.txt").ok());
            auto viaShort = v->lookup(e->short_name);
            QVERIFY(viaShort.ok());
            QCOMPARE(viaShort->name, e->short_name);
        }
    }

    void badBootSectors() {
        QByteArray img = loadFile(fx("fat32.img"));
        auto patched = [&](int off, std::uint8_t val) {
            QByteArray p = img.left(1 << 20);
            p[off] = char(val);
            return FatVolume::open(memSource(p));
        };
        QVERIFY(!patched(12, 0).ok());    // bytes per sector 0
        QVERIFY(!patched(13, 3).ok());    // sectors per cluster not a power of 2
        QVERIFY(!patched(16, 0).ok());    // no FATs
        QVERIFY(!patched(42, 1).ok());    // FAT32 version
        QVERIFY(!patched(47, 0x7F).ok()); // root cluster far past the end
        // A truncated volume opens with a warning; reading past the source is an error, not a crash.
        auto t = FatVolume::open(memSource(img.left(1 << 20), "truncated"));
        QVERIFY(t.ok());
        bool truncated = false;
        for (const auto& w : (*t)->warnings())
            truncated |= QString::fromStdString(w.message).contains("truncated");
        QVERIFY(truncated);
        auto r = (*t)->read_file("\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
        QVERIFY(!r.ok());
        // Random bytes after a plausible BPB: open either fails or yields a bounded, non-crashing volume.
        std::uint64_t seed = 99;
        for (int round = 0; round < 100; ++round) {
            QByteArray p = img.left(256 * 1024);
            for (int k = 0; k < 64; ++k) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                qsizetype pos = qsizetype((seed >> 33) % std::uint64_t(p.size()));
                p[pos] = char(seed >> 56);
            }
            auto v = FatVolume::open(memSource(p));
            if (!v.ok()) continue;
            (void)(*v)->walk([&](const std::string&, const FatDirEntry& e) {
                if (!e.is_directory()) (void)(*v)->read_file(e, 1 << 20);
                return true;
            });
        }
        QVERIFY(!FatVolume::open(memSource(QByteArray(100, 0))).ok());
        QVERIFY(!FatVolume::open(memSource(QByteArray(4096, 0))).ok());
    }
};

QTEST_GUILESS_MAIN(TestFat)
#include "test_fat.moc"
