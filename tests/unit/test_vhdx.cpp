// VHDX reader: every qemu-img-made VHDX (fixed, dynamic, 1 MiB blocks) against `qemu-img convert -O raw`;
// differencing chains (which qemu-img can neither write nor read) built by tests/fixtures/vhd_builder.py
// against an expected disk computed independently (parent oracle + dd'ed writes) and against libvhdi where
// python3-libvhdi is installed; logs that must be replayed — one left by qemu-io itself (blkdebug failed the
// in-place BAT update after the log entry was flushed), one built with a wrapping three-entry sequence —
// against qemu's own replay (`qemu-img check -r all` on a copy); missing parents, loops, corrupted copies;
// the source files never change.
#include <QtTest>

#include <QTemporaryDir>

#include "vhd_testutil.h"

using namespace imgprep;
using namespace testsupport;
using namespace vhdtest;

namespace {

QString vhdDir() {
    return fixtureDir("vhd");
}

// GUID text -> on-disk (Windows) byte order.
QByteArray guidBytes(const QString& s) {
    const QByteArray h = QByteArray::fromHex(QString(s).remove('-').toLatin1());
    QByteArray b(16, '\0');
    const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; ++i)
        b[i] = h[order[i]];
    return b;
}
const QString kBat = "2DC27766-F623-4200-9D64-115E9BFD4A08";
const QString kMeta = "8B7CA206-4790-4B9A-B8FE-575F050F886E";
const QString kFileParams = "CAA16737-FA36-4D43-B3B6-33F0AA44E76B";
const QString kDiskSize = "2FA54224-CD1B-4876-B211-5DBED83BF4B8";
const QString kLogicalSector = "8141BF1D-A96F-4709-BA47-F233A8FAAB5F";

struct Layout {
    qsizetype header = 0; // current header
    qsizetype other = 0;  // the other header
    qsizetype bat = 0, batLen = 0, meta = 0;
    std::uint64_t logOffset = 0, logLength = 0;
};
Layout layoutOf(QByteArray& f) {
    Layout l;
    const bool second = le64(u8(f, 128 * 1024 + 8)) > le64(u8(f, 64 * 1024 + 8));
    l.header = second ? 128 * 1024 : 64 * 1024;
    l.other = second ? 64 * 1024 : 128 * 1024;
    l.logLength = le32(u8(f, l.header + 68));
    l.logOffset = le64(u8(f, l.header + 72));
    const qsizetype rt = 192 * 1024;
    for (std::uint32_t i = 0; i < le32(u8(f, rt + 8)); ++i) {
        const qsizetype e = rt + 16 + 32 * i;
        const QByteArray g = f.mid(e, 16);
        if (g == guidBytes(kBat)) l.bat = qsizetype(le64(u8(f, e + 16))), l.batLen = le32(u8(f, e + 24));
        if (g == guidBytes(kMeta)) l.meta = qsizetype(le64(u8(f, e + 16)));
    }
    return l;
}
// File offset of a metadata item.
qsizetype itemOf(QByteArray& f, const Layout& l, const QString& guid) {
    for (int i = 0; i < le16(u8(f, l.meta + 10)); ++i) {
        const qsizetype e = l.meta + 32 + 32 * i;
        if (f.mid(e, 16) == guidBytes(guid)) return l.meta + qsizetype(le32(u8(f, e + 16)));
    }
    return -1;
}
void resign(QByteArray& f, qsizetype at, qsizetype len) {
    put_le32(u8(f, at + 4), crc32c(u8(f, at), std::size_t(len), 4));
}

QString pyvhdi(const QString& image, const QString& attr) {
    auto r = runTool(
        "/usr/bin/python3",
        {"-c", "import pyvhdi,sys\nf=pyvhdi.file()\nf.open(sys.argv[1])\nprint(getattr(f, sys.argv[2]))",
         image, attr});
    return r.exitCode == 0 ? QString::fromUtf8(r.out).trimmed() : QString();
}

QString entry(const QString& name) {
    for (const auto& e : readList(vhdDir()))
        if (e.name == name) return e.image;
    return {};
}
QString expectedOf(const QString& name) {
    for (const auto& e : readList(vhdDir()))
        if (e.name == name) return e.expected;
    return {};
}

} // namespace

class TestVhdx : public QObject {
    Q_OBJECT
  private slots:
    void qemuImages_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("oracle");
        QTest::addColumn<QString>("subformat");
        QTest::addColumn<qulonglong>("blockSize");
        int n = 0;
        for (const auto& f : readImageList(fixtureDir("images")))
            if (f.qemuFormat == "vhdx") {
                QTest::newRow(f.name.toUtf8()) << f.image << f.oracle << f.name.section('-', 1, 1)
                                               << qulonglong(f.name.endsWith("1M") ? 1 << 20 : 8 << 20);
                ++n;
            }
        QVERIFY2(n >= 3, "vhdx fixture images missing: run ctest (fixture.images) first");
    }
    void qemuImages() {
        QFETCH(QString, image);
        QFETCH(QString, oracle);
        QFETCH(QString, subformat);
        QFETCH(qulonglong, blockSize);
        const QByteArray before = sha256OfFile(image);
        auto r = openImage(image);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        const ImageInfo& info = (*r)->info();
        QCOMPARE(QString::fromStdString(info.format), QString("vhdx"));
        QCOMPARE(QString::fromStdString(info.subformat), subformat);
        QCOMPARE(info.sector_size, 512u);
        QCOMPARE(info.cluster_size, std::uint64_t(blockSize));
        QVERIFY2(info.warnings.empty(), info.warnings.empty() ? "" : info.warnings.front().c_str());
        QVERIFY(QString::fromStdString(detail(info, "creator")).startsWith("QEMU"));
        QString why = compareWithOracle(**r, oracle);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY(concurrentReads(**r, oracle).isEmpty());
        QCOMPARE(sha256OfFile(image), before);
    }

    void differencing_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("expected");
        int n = 0;
        for (const auto& e : readList(vhdDir()))
            if (e.format == "vhdx" && !e.name.startsWith("vhdx-log")) {
                QTest::newRow(e.name.toUtf8()) << e.image << e.expected;
                ++n;
            }
        QVERIFY2(n >= 6, "VHDX fixtures missing: run ctest (fixture.vhd) first");
    }
    void differencing() {
        QFETCH(QString, image);
        QFETCH(QString, expected);
        auto r = openImage(image);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        const ImageReader& img = **r;
        QCOMPARE(QString::fromStdString(img.info().subformat), QString("differencing"));
        QVERIFY(img.backing() != nullptr);
        std::vector<QByteArray> before;
        const auto chain = chain_of(img);
        for (const auto& p : chain)
            before.push_back(sha256OfFile(QString::fromStdString(p)));
        QString why = compareWithOracle(img, expected);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY(concurrentReads(img, expected).isEmpty());
        for (std::size_t i = 0; i < chain.size(); ++i)
            QCOMPARE(sha256OfFile(QString::fromStdString(chain[i])), before[i]);
    }

    void libvhdiAgrees_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("libvhdiRaw");
        const auto all = readList(vhdDir());
        for (const auto& e : readList(vhdDir(), "libvhdi.list"))
            for (const auto& a : all)
                if (a.name == e.name && a.format == "vhdx")
                    QTest::newRow(e.name.toUtf8()) << a.image << e.expected;
    }
    void libvhdiAgrees() {
        QFETCH(QString, image);
        QFETCH(QString, libvhdiRaw);
        auto r = openImage(image);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        QString why = compareWithOracle(**r, libvhdiRaw);
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }
    void libvhdiPresent() {
        if (readList(vhdDir(), "libvhdi.list").isEmpty())
            QSKIP("python3-libvhdi is not installed: the libvhdi cross-check did not run");
    }

    // libvhdi's "identifier" of a VHDX is its DataWriteGuid; its "parent_identifier" the parent_linkage.
    void identityMatchesLibvhdi() {
        if (pyvhdi(vhdDir() + "/vhdx-parent.vhdx", "identifier").isEmpty())
            QSKIP("python3-libvhdi is not installed");
        for (const QString name : {"vhdx-parent.vhdx", "vhdx-diff.vhdx", "vhdx-diff2.vhdx"}) {
            auto r = openImage(vhdDir() + "/" + name);
            QVERIFY(r.ok());
            QCOMPARE(QString::fromStdString(detail((*r)->info(), "data_write_guid")),
                     pyvhdi(vhdDir() + "/" + name, "identifier"));
        }
        auto r = openImage(vhdDir() + "/vhdx-diff2.vhdx");
        QVERIFY(r.ok());
        QCOMPARE("{" + pyvhdi(vhdDir() + "/vhdx-diff2.vhdx", "parent_identifier") + "}",
                 QString::fromStdString(detail((*r)->info(), "parent_linkage")));
        QCOMPARE(pyvhdi(vhdDir() + "/vhdx-diff2.vhdx", "parent_identifier"),
                 QString::fromStdString(detail((*r)->backing()->info(), "data_write_guid")));
    }

    void locatorsAndExtents() {
        const QString d = vhdDir();
        auto r = openImage(d + "/vhdx-diff.vhdx");
        QVERIFY(r.ok());
        QCOMPARE(QFileInfo(QString::fromStdString((*r)->backing()->name())).canonicalFilePath(),
                 QFileInfo(d + "/vhdx-parent.vhdx").canonicalFilePath());
        QCOMPARE((*r)->info().cluster_size, std::uint64_t(1 << 20));
        auto abs =
            openImage(d + "/vhdx-diff-abs.vhdx"); // relative_path missing -> absolute_win32_path (\\?\...)
        QVERIFY2(abs.ok(), abs.ok() ? "" : qPrintable(describe(abs.error())));
        QCOMPARE(QFileInfo(QString::fromStdString((*abs)->backing()->name())).canonicalFilePath(),
                 QFileInfo(d + "/vhdx-parent.vhdx").canonicalFilePath());
        auto two = openImage(d + "/vhdx-diff2.vhdx");
        QVERIFY(two.ok());
        QCOMPARE(chain_of(**two).size(), std::size_t(3));
        QCOMPARE((*two)->info().cluster_size, std::uint64_t(2 << 20));
        // Extents through the chain: the written block, a PAYLOAD_BLOCK_ZERO run over parent data, a block
        // left to the parent (parent data at 32M-64K-7), a partially present block's set and clear sectors.
        const ImageReader& img = **r;
        auto at = [&](std::uint64_t off) { return img.extent_at(off); };
        QCOMPARE(at(2 << 20)->kind, ExtentKind::Data);
        QCOMPARE(at(10 << 20)->kind, ExtentKind::Zero);
        QCOMPARE(at(10 << 20)->length, std::uint64_t(2 << 20));
        QCOMPARE(at((32 << 20) - 65536)->kind, ExtentKind::Data);
        QCOMPARE(at((20 << 20) + 512)->kind, ExtentKind::Data);
        QCOMPARE(at((20 << 20) + 512)->length, std::uint64_t(1024));
        QCOMPARE(at((40 << 20) + 512)->kind, ExtentKind::Zero); // clear bit -> the parent's ZERO block
        QCOMPARE(at((40 << 20) + 512)->length, std::uint64_t((8 << 20) - 512)); // to block 48 (present)
    }

    void parentLinkageMismatchWarns() {
        auto r = openImage(vhdDir() + "/vhdx-wronglink.vhdx");
        QVERIFY(r.ok());
        QVERIFY(hasWarning((*r)->info(), "parent linkage mismatch"));
        auto ok = openImage(vhdDir() + "/vhdx-diff.vhdx");
        QVERIFY(ok.ok());
        QVERIFY2((*ok)->info().warnings.empty(),
                 (*ok)->info().warnings.empty() ? "" : (*ok)->info().warnings[0].c_str());
    }

    void missingParentNamesWhatItLookedFor() {
        const QString d = vhdDir();
        auto r = openImage(d + "/vhdx-missing.vhdx");
        QVERIFY(!r.ok());
        const QString msg = describe(r.error());
        QVERIFY2(msg.contains("not found"), qPrintable(msg));
        QVERIFY2(msg.contains(d + "/../gone/gone-parent.vhdx"), qPrintable(msg));
        QVERIFY2(msg.contains("D:/nowhere/gone-parent.vhdx"), qPrintable(msg));
        QTemporaryDir tmp;
        QVERIFY(QFile::copy(d + "/vhdx-lv.vhdx", tmp.path() + "/child.vhdx"));
        auto c = openImage(tmp.path() + "/child.vhdx");
        QVERIFY(!c.ok());
        QVERIFY2(describe(c.error()).contains(tmp.path() + "/vhdx-parent.vhdx"),
                 qPrintable(describe(c.error())));
    }

    void selfParentIsALoop() {
        auto r = openImage(vhdDir() + "/vhdx-selfloop.vhdx");
        QVERIFY(!r.ok());
        QVERIFY2(describe(r.error()).contains("loops"), qPrintable(describe(r.error())));
    }

    // Logs replayed in memory, compared with qemu's replay of a copy.
    void logReplay_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("oracle");
        for (const QString n : {"vhdx-log-qemu", "vhdx-log-built"})
            QTest::newRow(n.toUtf8()) << entry(n) << expectedOf(n);
    }
    void logReplay() {
        QFETCH(QString, image);
        QFETCH(QString, oracle);
        QVERIFY2(!image.isEmpty(), "log fixtures missing");
        const QByteArray before = sha256OfFile(image);
        auto r = openImage(image);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        QVERIFY(hasWarning((*r)->info(), "replayed in memory"));
        QString why = compareWithOracle(**r, oracle);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY(concurrentReads(**r, oracle).isEmpty());
        QCOMPARE(sha256OfFile(image), before);
        // Without the log (LogGuid cleared in both headers) the same file reads differently: the replay is
        // what makes the content right.
        QTemporaryDir tmp;
        QByteArray f = readFile(image);
        for (qsizetype h : {64 * 1024, 128 * 1024}) {
            std::memset(f.data() + h + 48, 0, 16);
            resign(f, h, 4096);
        }
        QVERIFY(writeFile(tmp.path() + "/nolog.vhdx", f));
        auto n = openImage(tmp.path() + "/nolog.vhdx");
        if (n.ok()) QVERIFY(!compareWithOracle(**n, oracle).isEmpty());
    }

    void logHostile() {
        const QString built = entry("vhdx-log-built");
        QVERIFY(!built.isEmpty());
        const QByteArray base = readFile(built);
        QTemporaryDir tmp;
        int k = 0;
        auto write = [&](const QByteArray& b) {
            const QString p = tmp.path() + QString("/l%1.vhdx").arg(k++);
            writeFile(p, b);
            return p;
        };
        QByteArray f0 = base;
        const Layout l = layoutOf(f0);
        const qsizetype n = qsizetype(l.logLength / 4096);
        { // shorter than the head entry's FlushedFileOffset: truncated
            QByteArray f = base;
            f.truncate(f.size() - (1 << 20));
            auto r = openImage(write(f));
            QVERIFY(!r.ok());
            QVERIFY2(describe(r.error()).contains("truncated"), qPrintable(describe(r.error())));
        }
        { // another LogGuid in the header: no entry is valid, nothing is replayed (warning)
            QByteArray f = base;
            for (qsizetype h : {64 * 1024, 128 * 1024}) {
                f[h + 48] = char(f[h + 48] ^ 0x5a);
                resign(f, h, 4096);
            }
            auto r = openImage(write(f));
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
            QVERIFY(hasWarning((*r)->info(), "no valid entry sequence"));
        }
        { // log outside the file
            QByteArray f = base;
            put_le64(u8(f, l.header + 72), std::uint64_t(1) << 40);
            resign(f, l.header, 4096);
            auto r = openImage(write(f));
            QVERIFY(!r.ok());
            QVERIFY2(describe(r.error()).contains("location"), qPrintable(describe(r.error())));
        }
        { // unknown log version with a log to replay
            QByteArray f = base;
            put_le16(u8(f, l.header + 64), 1);
            resign(f, l.header, 4096);
            auto r = openImage(write(f));
            QVERIFY(!r.ok());
            QVERIFY2(describe(r.error()).contains("log has version"), qPrintable(describe(r.error())));
        }
        { // The tail entry E1 (log sector n-10) damaged: E2 and E3 no longer form a sequence that contains
            // their Tail, so they must not be replayed; the older complete sequence (one entry at sector 10
            // that writes junk over the first BAT sector) becomes the active one per [MS-VHDX] 2.3.3, and the
            // junk BAT is then refused. (qemu ignores Tail and would replay E3 alone.)
            QByteArray f = base;
            const qsizetype e1 = qsizetype(l.logOffset) + (n - 10) * 4096;
            QCOMPARE(f.mid(e1, 4), QByteArray("loge"));
            f[e1 + 100] = char(f[e1 + 100] ^ 1); // checksum now wrong
            auto r = openImage(write(f));
            QVERIFY2(!r.ok(), "opened with a broken log tail");
            QVERIFY2(describe(r.error()).contains("BAT entry 0"), qPrintable(describe(r.error())));
        }
        { // Random corruption inside the log and the headers: never a crash or a hang.
            std::uint64_t seed = 99;
            for (int i = 0; i < 60; ++i) {
                QByteArray f = base;
                for (int m = 0; m < 6; ++m) {
                    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                    const qsizetype at = qsizetype(l.logOffset) + qsizetype((seed >> 16) % l.logLength);
                    f[at] = char(seed >> 56);
                }
                exercise(write(f));
            }
        }
    }

    void headersAndRegionTables() {
        QString dyn, oracle;
        for (const auto& f : readImageList(fixtureDir("images")))
            if (f.name == "vhdx-dynamic-1M") dyn = f.image, oracle = f.oracle;
        QVERIFY(!dyn.isEmpty());
        const QByteArray base = readFile(dyn);
        QTemporaryDir tmp;
        QByteArray f0 = base;
        const Layout l = layoutOf(f0);
        { // current header damaged: the other one is used
            QByteArray f = base;
            f[l.header + 200] = 1;
            QVERIFY(writeFile(tmp.path() + "/h.vhdx", f));
            auto r = openImage(tmp.path() + "/h.vhdx");
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
            QVERIFY(hasWarning((*r)->info(), "header"));
            QVERIFY(compareWithOracle(**r, oracle).isEmpty());
        }
        { // both headers damaged
            QByteArray f = base;
            f[l.header + 200] = 1;
            f[l.other + 200] = 1;
            QVERIFY(writeFile(tmp.path() + "/hh.vhdx", f));
            auto r = openImage(tmp.path() + "/hh.vhdx");
            QVERIFY(!r.ok());
            QVERIFY2(describe(r.error()).contains("neither VHDX header"), qPrintable(describe(r.error())));
        }
        { // region table 1 damaged: its copy is used
            QByteArray f = base;
            f[192 * 1024 + 9000] = 1;
            QVERIFY(writeFile(tmp.path() + "/rt.vhdx", f));
            auto r = openImage(tmp.path() + "/rt.vhdx");
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
            QVERIFY(hasWarning((*r)->info(), "region table 1"));
            QVERIFY(compareWithOracle(**r, oracle).isEmpty());
        }
        { // both region tables damaged
            QByteArray f = base;
            f[192 * 1024 + 9000] = 1;
            f[256 * 1024 + 9000] = 1;
            QVERIFY(writeFile(tmp.path() + "/rr.vhdx", f));
            auto r = openImage(tmp.path() + "/rr.vhdx");
            QVERIFY(!r.ok());
            QVERIFY2(describe(r.error()).contains("region table"), qPrintable(describe(r.error())));
        }
    }

    void hostile() {
        QString dyn;
        for (const auto& f : readImageList(fixtureDir("images")))
            if (f.name == "vhdx-dynamic-1M") dyn = f.image;
        const QByteArray base = readFile(dyn);
        QTemporaryDir tmp;
        int k = 0;
        auto expectError = [&](const QByteArray& bytes, const QString& part) {
            const QString p = tmp.path() + QString("/h%1.vhdx").arg(k++);
            QVERIFY(writeFile(p, bytes));
            auto r = openImage(p);
            QVERIFY2(!r.ok(), qPrintable("opened, expected an error containing: " + part));
            QVERIFY2(describe(r.error()).contains(part), qPrintable(describe(r.error())));
        };
        QByteArray f0 = base;
        const Layout l = layoutOf(f0);
        QCOMPARE(le64(u8(f0, l.bat)) & 7, std::uint64_t(6)); // block 0 is present in this fixture
        {
            QByteArray f = base; // BAT entry past the end of the file
            put_le64(u8(f, l.bat), 6 | (std::uint64_t(1) << 40) << 20);
            expectError(f, "BAT entry 0");
        }
        {
            QByteArray f = base; // PARTIALLY_PRESENT in a dynamic disk
            put_le64(u8(f, l.bat), (le64(u8(f, l.bat)) & ~std::uint64_t(7)) | 7);
            expectError(f, "PARTIALLY_PRESENT");
        }
        {
            QByteArray f = base; // reserved state
            put_le64(u8(f, l.bat), (le64(u8(f, l.bat)) & ~std::uint64_t(7)) | 4);
            expectError(f, "reserved state");
        }
        {
            QByteArray f = base; // block placed inside the header section
            put_le64(u8(f, l.bat), 6);
            expectError(f, "BAT entry 0");
        }
        {
            QByteArray f = base; // two blocks at one place
            put_le64(u8(f, l.bat + 8), le64(u8(f, l.bat)));
            expectError(f, "overlap");
        }
        const qsizetype fp = itemOf(f0, l, kFileParams), ds = itemOf(f0, l, kDiskSize),
                        ls = itemOf(f0, l, kLogicalSector);
        QVERIFY(fp > 0 && ds > 0 && ls > 0);
        for (std::uint32_t bs : {0u, 3u << 20, 512u << 20, 4096u}) {
            QByteArray f = base;
            put_le32(u8(f, fp), bs);
            expectError(f, "block size");
        }
        {
            QByteArray f = base;
            put_le64(u8(f, ds), std::uint64_t(1) << 60);
            expectError(f, "64 TiB");
        }
        {
            QByteArray f = base;
            put_le64(u8(f, ds), 0);
            expectError(f, "size is 0");
        }
        {
            QByteArray f = base; // a larger disk than the BAT region can describe
            put_le64(u8(f, ds), std::uint64_t(4) << 40);
            expectError(f, "BAT region");
        }
        {
            QByteArray f = base;
            put_le32(u8(f, ls), 1000);
            expectError(f, "logical sector size");
        }
        {
            QByteArray f = base; // truncated
            f.truncate(f.size() / 2);
            expectError(f, "BAT entry");
        }
        {
            QByteArray f = base; // an unknown required region
            const qsizetype rt = 192 * 1024, e = rt + 16 + 32 * qsizetype(le32(u8(f, rt + 8)));
            f.replace(e, 16, guidBytes("01234567-89AB-CDEF-0123-456789ABCDEF"));
            put_le64(u8(f, e + 16), 5 << 20);
            put_le32(u8(f, e + 24), 1 << 20);
            put_le32(u8(f, e + 28), 1);
            put_le32(u8(f, rt + 8), le32(u8(f, rt + 8)) + 1);
            resign(f, rt, 65536);
            f.replace(256 * 1024, 65536, f.mid(rt, 65536));
            expectError(f, "requires region");
        }
        {
            QByteArray f = base; // an unknown required metadata item
            const qsizetype e = l.meta + 32 + 32 * qsizetype(le16(u8(f, l.meta + 10)));
            f.replace(e, 16, guidBytes("01234567-89AB-CDEF-0123-456789ABCDEF"));
            put_le32(u8(f, e + 16), 65536 + 4096);
            put_le32(u8(f, e + 20), 8);
            put_le32(u8(f, e + 24), 4);
            put_le16(u8(f, l.meta + 10), std::uint16_t(le16(u8(f, l.meta + 10)) + 1));
            expectError(f, "requires metadata item");
        }
        { // differencing: a PARTIALLY_PRESENT block whose sector bitmap block is missing
            QByteArray f = readFile(vhdDir() + "/vhdx-diff.vhdx");
            const Layout d = layoutOf(f);
            const qsizetype cr = 4096; // 512-byte sectors, 1 MiB blocks
            QCOMPARE(le64(u8(f, d.bat + 8 * cr)) & 7, std::uint64_t(6));
            put_le64(u8(f, d.bat + 8 * cr), 0);
            QVERIFY(QFile::copy(vhdDir() + "/vhdx-parent.vhdx", tmp.path() + "/vhdx-parent.vhdx"));
            expectError(f, "sector bitmap");
        }
        expectError(QByteArray("vhdxfile") + QByteArray(400000, '\0'), "header");
        expectError(QByteArray("vhdxfile") + QByteArray(100, '\0'), "too small");
        // Random corruption of headers, region tables, metadata and BAT: never a crash or a hang.
        std::uint64_t seed = 777;
        for (const QString& src : {dyn, vhdDir() + "/vhdx-diff.vhdx"}) {
            const QByteArray b = readFile(src);
            QByteArray c = b;
            const Layout x = layoutOf(c);
            const qsizetype hot[] = {x.header, 192 * 1024, x.meta, x.meta + 65536, x.bat};
            for (int i = 0; i < 60; ++i) {
                QByteArray f = b;
                for (int m = 0; m < 4; ++m) {
                    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                    const qsizetype at = hot[(seed >> 20) % 5] + qsizetype((seed >> 33) % 256);
                    f[at] = char(seed >> 56);
                }
                const QString p = tmp.path() + "/fuzz.vhdx";
                QVERIFY(writeFile(p, f));
                exercise(p);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestVhdx)
#include "test_vhdx.moc"
