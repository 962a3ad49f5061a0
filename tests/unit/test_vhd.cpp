// VHD reader: every qemu-img-made VHD (fixed, dynamic) against `qemu-img convert -O raw`; differencing chains
// (which qemu-img can neither write nor read) built by tests/fixtures/vhd_builder.py against an expected disk
// computed independently (the parent's qemu-img oracle with the overlay writes applied by dd) and, where
// python3-libvhdi is installed, against libvhdi's reading of the same chain; parents found through each
// locator kind; missing parents, loops and corrupted copies; the source files never change.
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

std::uint32_t vhdChecksum(const std::uint8_t* p, std::size_t n, std::size_t skip) {
    std::uint32_t s = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (i < skip || i >= skip + 4) s += p[i];
    return ~s;
}
void resignFooter(QByteArray& f, qsizetype at) {
    put_be32(u8(f, at + 64), vhdChecksum(u8(f, at), 512, 64));
}
void resignHeader(QByteArray& f, qsizetype at) {
    put_be32(u8(f, at + 36), vhdChecksum(u8(f, at), 1024, 36));
}

struct DynLayout {
    qsizetype footer, header, bat;
    std::uint32_t entries, blockSize;
};
DynLayout layoutOf(QByteArray& f) {
    DynLayout l{};
    l.footer = f.size() - 512;
    l.header = qsizetype(be64(u8(f, l.footer + 16)));
    l.bat = qsizetype(be64(u8(f, l.header + 16)));
    l.entries = be32(u8(f, l.header + 28));
    l.blockSize = be32(u8(f, l.header + 32));
    return l;
}

QString pyvhdi(const QString& image, const QString& attr) {
    auto r = runTool(
        "/usr/bin/python3",
        {"-c", "import pyvhdi,sys\nf=pyvhdi.file()\nf.open(sys.argv[1])\nprint(getattr(f, sys.argv[2]))",
         image, attr});
    return r.exitCode == 0 ? QString::fromUtf8(r.out).trimmed() : QString();
}

} // namespace

class TestVhd : public QObject {
    Q_OBJECT
  private slots:
    void qemuImages_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("oracle");
        QTest::addColumn<QString>("subformat");
        int n = 0;
        for (const auto& f : readImageList(fixtureDir("images")))
            if (f.qemuFormat == "vpc") {
                QTest::newRow(f.name.toUtf8()) << f.image << f.oracle << f.name.section('-', 1);
                ++n;
            }
        QVERIFY2(n >= 2, "vpc fixture images missing: run ctest (fixture.images) first");
    }
    void qemuImages() {
        QFETCH(QString, image);
        QFETCH(QString, oracle);
        QFETCH(QString, subformat);
        const QByteArray before = sha256OfFile(image);
        auto r = openImage(image);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        const ImageInfo& info = (*r)->info();
        QCOMPARE(QString::fromStdString(info.format), QString("vhd"));
        QCOMPARE(QString::fromStdString(info.subformat), subformat);
        QVERIFY2(info.warnings.empty(), info.warnings.empty() ? "" : info.warnings.front().c_str());
        QCOMPARE(QString::fromStdString(detail(info, "creator_application")), QString("qem2"));
        QVERIFY(!detail(info, "disk_geometry").empty());
        if (subformat == "dynamic") QCOMPARE(info.cluster_size, std::uint64_t(2 << 20));
        QString why = compareWithOracle(**r, oracle);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY(concurrentReads(**r, oracle).isEmpty());
        QCOMPARE(sha256OfFile(image), before);
    }

    // Differencing chains against the expected disk computed by the fixture script.
    void differencing_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("expected");
        int n = 0;
        for (const auto& e : readList(vhdDir()))
            if (e.format == "vhd") {
                QTest::newRow(e.name.toUtf8()) << e.image << e.expected;
                ++n;
            }
        QVERIFY2(n >= 8, "VHD fixtures missing: run ctest (fixture.vhd) first");
    }
    void differencing() {
        QFETCH(QString, image);
        QFETCH(QString, expected);
        auto r = openImage(image);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        const ImageReader& img = **r;
        QCOMPARE(QString::fromStdString(img.info().subformat), QString("differencing"));
        QVERIFY(img.backing() != nullptr);
        QCOMPARE(img.info().cluster_size, std::uint64_t(2 << 20));
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

    // libvhdi (python3-libvhdi) reads the chains written for it; our reading must be byte-identical.
    void libvhdiAgrees_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("libvhdiRaw");
        const auto lv = readList(vhdDir(), "libvhdi.list");
        const auto all = readList(vhdDir());
        for (const auto& e : lv)
            for (const auto& a : all)
                if (a.name == e.name && a.format == "vhd")
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

    // UUIDs as libvhdi reports them.
    void identityMatchesLibvhdi() {
        if (pyvhdi(vhdDir() + "/vhd-parent.vhd", "identifier").isEmpty())
            QSKIP("python3-libvhdi is not installed");
        for (const QString name : {"vhd-parent.vhd", "vhd-diff.vhd", "vhd-diff2.vhd"}) {
            auto r = openImage(vhdDir() + "/" + name);
            QVERIFY(r.ok());
            QCOMPARE(QString::fromStdString(detail((*r)->info(), "uuid")),
                     pyvhdi(vhdDir() + "/" + name, "identifier"));
        }
        auto r = openImage(vhdDir() + "/vhd-diff2.vhd");
        QVERIFY(r.ok());
        QCOMPARE(QString::fromStdString(detail((*r)->info(), "parent_uuid")),
                 pyvhdi(vhdDir() + "/vhd-diff2.vhd", "parent_identifier"));
        QCOMPARE(QString::fromStdString(detail((*r)->info(), "parent_name")),
                 pyvhdi(vhdDir() + "/vhd-diff2.vhd", "parent_filename"));
    }

    void locators() {
        const QString d = vhdDir();
        auto parentOf = [&](const QString& image) -> QString {
            auto r = openImage(d + "/" + image);
            if (!r) return "error: " + describe(r.error());
            return QFileInfo(QString::fromStdString((*r)->backing()->name())).fileName();
        };
        QCOMPARE(parentOf("vhd-diff.vhd"), QString("vhd-parent.vhd"));           // W2ru
        QCOMPARE(parentOf("vhd-diff-abs.vhd"), QString("vhd-parent-fixed.vhd")); // W2ru missing -> W2ku
        QCOMPARE(parentOf("vhd-diff-macx.vhd"), QString("vhd parent copy.vhd")); // MacX file URL
        QCOMPARE(parentOf("vhd-diff-name.vhd"), QString("vhd-parent.vhd"));      // header name only
        auto r = openImage(d + "/vhd-diff2.vhd");
        QVERIFY(r.ok());
        QCOMPARE(chain_of(**r).size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(detail((*r)->info(), "parent_locator_W2ru")),
                 QString(".\\vhd-diff.vhd")); // as stored in the file
        auto abs = openImage(d + "/vhd-diff-abs.vhd");
        QVERIFY(abs.ok());
        QCOMPARE(QString::fromStdString((*abs)->backing()->info().subformat), QString("fixed"));
        QVERIFY(!hasWarning((*abs)->info(), "UUID"));
    }

    void parentUuidMismatchWarns() {
        auto r = openImage(vhdDir() + "/vhd-wronguuid.vhd");
        QVERIFY(r.ok());
        QVERIFY(hasWarning((*r)->info(), "parent UUID mismatch"));
        auto ok = openImage(vhdDir() + "/vhd-diff.vhd");
        QVERIFY(ok.ok());
        QVERIFY2((*ok)->info().warnings.empty(),
                 (*ok)->info().warnings.empty() ? "" : (*ok)->info().warnings[0].c_str());
    }

    void missingParentNamesWhatItLookedFor() {
        const QString d = vhdDir();
        auto r = openImage(d + "/vhd-missing.vhd");
        QVERIFY(!r.ok());
        const QString msg = describe(r.error());
        QVERIFY2(msg.contains("not found"), qPrintable(msg));
        QVERIFY2(msg.contains(d + "/gone/gone-parent.vhd"), qPrintable(msg)); // relative locator
        QVERIFY2(msg.contains("/nowhere/gone-parent.vhd"), qPrintable(msg));  // absolute locator
        QVERIFY2(msg.contains(d + "/gone-parent.vhd"), qPrintable(msg));      // header name
        // A child copied away from its parent.
        QTemporaryDir tmp;
        QVERIFY(QFile::copy(d + "/vhd-diff-name.vhd", tmp.path() + "/child.vhd"));
        auto c = openImage(tmp.path() + "/child.vhd");
        QVERIFY(!c.ok());
        QVERIFY2(describe(c.error()).contains(tmp.path() + "/vhd-parent.vhd"),
                 qPrintable(describe(c.error())));
    }

    void selfParentIsALoop() {
        auto r = openImage(vhdDir() + "/vhd-selfloop.vhd");
        QVERIFY(!r.ok());
        QVERIFY2(describe(r.error()).contains("loops"), qPrintable(describe(r.error())));
    }

    // A dynamic disk: a sector whose bitmap bit is clear reads zeros (and is not Data), per the
    // specification.
    void dynamicClearBitReadsZeros() {
        const auto list = readImageList(fixtureDir("images"));
        QString image, oracle;
        for (const auto& f : list)
            if (f.name == "vpc-dynamic") image = f.image, oracle = f.oracle;
        QVERIFY(!image.isEmpty());
        QTemporaryDir tmp;
        QByteArray f = readFile(image);
        DynLayout l = layoutOf(f);
        const std::uint32_t b0 = be32(u8(f, l.bat));
        QVERIFY(b0 != 0xFFFFFFFFu);
        // Block 0 holds pattern data at [0, 1 MiB): clear sectors 8..15 (byte 1 of the bitmap).
        QCOMPARE(std::uint8_t(f[qsizetype(b0) * 512 + 1]), std::uint8_t(0xFF));
        f[qsizetype(b0) * 512 + 1] = 0;
        QVERIFY(writeFile(tmp.path() + "/d.vhd", f));
        QByteArray expect = readFile(oracle);
        QVERIFY(QByteArray(expect.constData() + 4096, 4096) !=
                QByteArray(4096, '\0')); // the oracle has data there
        std::memset(expect.data() + 4096, 0, 4096);
        QVERIFY(writeFile(tmp.path() + "/expect.raw", expect));
        auto r = openImage(tmp.path() + "/d.vhd");
        QVERIFY(r.ok());
        QString why = compareWithOracle(**r, tmp.path() + "/expect.raw");
        QVERIFY2(why.isEmpty(), qPrintable(why));
        auto e = (*r)->extent_at(4096);
        QVERIFY(e.ok());
        QCOMPARE(e->kind, ExtentKind::Unallocated);
        QCOMPARE(e->length, std::uint64_t(4096));
        auto e0 = (*r)->extent_at(0);
        QVERIFY(e0.ok());
        QCOMPARE(e0->kind, ExtentKind::Data);
        QCOMPARE(e0->length, std::uint64_t(4096));
    }

    // Footer variants: 511-byte footer, bad checksums, footer copy at offset 0.
    void footers() {
        QString fixed, fixedOracle, dyn, dynOracle;
        for (const auto& f : readImageList(fixtureDir("images"))) {
            if (f.name == "vpc-fixed") fixed = f.image, fixedOracle = f.oracle;
            if (f.name == "vpc-dynamic") dyn = f.image, dynOracle = f.oracle;
        }
        QTemporaryDir tmp;
        { // old 511-byte footer: drop the last (reserved, zero) byte
            QByteArray f = readFile(fixed);
            QCOMPARE(f.back(), '\0');
            f.chop(1);
            QVERIFY(writeFile(tmp.path() + "/old.vhd", f));
            auto r = openImage(tmp.path() + "/old.vhd");
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
            QVERIFY(hasWarning((*r)->info(), "511"));
            QVERIFY(compareWithOracle(**r, fixedOracle).isEmpty());
        }
        { // fixed footer with a wrong checksum: warning, same content
            QByteArray f = readFile(fixed);
            f[f.size() - 512 + 67] = char(f[f.size() - 512 + 67] ^ 0x55);
            QVERIFY(writeFile(tmp.path() + "/cks.vhd", f));
            auto r = openImage(tmp.path() + "/cks.vhd");
            QVERIFY(r.ok());
            QVERIFY(hasWarning((*r)->info(), "checksum mismatch"));
            QVERIFY(compareWithOracle(**r, fixedOracle).isEmpty());
        }
        { // dynamic: damaged footer at the end -> the copy at offset 0
            QByteArray f = readFile(dyn);
            f[f.size() - 512 + 50] = char(0x7f); // current size, checksum now wrong
            QVERIFY(writeFile(tmp.path() + "/dynfoot.vhd", f));
            auto r = openImage(tmp.path() + "/dynfoot.vhd");
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
            QVERIFY(hasWarning((*r)->info(), "copy at offset 0"));
            QVERIFY(compareWithOracle(**r, dynOracle).isEmpty());
        }
        { // dynamic header checksum wrong: warning, same content
            QByteArray f = readFile(dyn);
            DynLayout l = layoutOf(f);
            f[l.header + 36] = char(f[l.header + 36] ^ 1);
            QVERIFY(writeFile(tmp.path() + "/hdrcks.vhd", f));
            auto r = openImage(tmp.path() + "/hdrcks.vhd");
            QVERIFY(r.ok());
            QVERIFY(hasWarning((*r)->info(), "dynamic header checksum"));
            QVERIFY(compareWithOracle(**r, dynOracle).isEmpty());
        }
    }

    void hostile() {
        QString fixed, dyn;
        for (const auto& f : readImageList(fixtureDir("images"))) {
            if (f.name == "vpc-fixed") fixed = f.image;
            if (f.name == "vpc-dynamic") dyn = f.image;
        }
        const QString diff = vhdDir() + "/vhd-diff.vhd";
        QTemporaryDir tmp;
        int k = 0;
        auto expectError = [&](const QByteArray& bytes, const QString& part) {
            const QString p = tmp.path() + QString("/h%1.vhd").arg(k++);
            QVERIFY(writeFile(p, bytes));
            auto r = openImage(p);
            QVERIFY2(!r.ok(), qPrintable("opened, expected an error containing: " + part));
            QVERIFY2(describe(r.error()).contains(part), qPrintable(describe(r.error())));
        };
        const QByteArray d0 = readFile(dyn);
        {
            QByteArray f = d0; // BAT entry past the end of the file
            DynLayout l = layoutOf(f);
            put_be32(u8(f, l.bat), 0x7FFFFFF0u);
            expectError(f, "BAT entry 0");
        }
        {
            QByteArray f = d0; // two BAT entries for one block
            DynLayout l = layoutOf(f);
            put_be32(u8(f, l.bat + 4), be32(u8(f, l.bat)));
            expectError(f, "overlap");
        }
        {
            QByteArray f = d0; // truncated in the middle of the blocks (the footer copy at 0 is used)
            f.truncate(f.size() / 2);
            expectError(f, "truncated");
        }
        for (std::uint32_t bs : {0u, 3u, 1u << 30}) { // absurd block sizes
            QByteArray f = d0;
            DynLayout l = layoutOf(f);
            put_be32(u8(f, l.header + 32), bs);
            resignHeader(f, l.header);
            expectError(f, "block size");
        }
        {
            QByteArray f = d0; // dynamic header offset past the end
            put_be64(u8(f, f.size() - 512 + 16), std::uint64_t(1) << 40);
            resignFooter(f, f.size() - 512);
            put_be64(u8(f, 16), std::uint64_t(1) << 40);
            resignFooter(f, 0);
            expectError(f, "dynamic header offset");
        }
        {
            QByteArray f = d0; // BAT offset past the end
            DynLayout l = layoutOf(f);
            put_be64(u8(f, l.header + 16), std::uint64_t(1) << 41);
            resignHeader(f, l.header);
            expectError(f, "BAT at offset");
        }
        {
            QByteArray f = readFile(fixed); // absurd virtual size
            put_be64(u8(f, f.size() - 512 + 48), std::uint64_t(1) << 62);
            resignFooter(f, f.size() - 512);
            expectError(f, "absurd");
        }
        {
            QByteArray f = readFile(fixed); // fixed disk bigger than the file
            put_be64(u8(f, f.size() - 512 + 48), std::uint64_t(f.size()) * 2);
            resignFooter(f, f.size() - 512);
            expectError(f, "truncated");
        }
        {
            QByteArray f = readFile(fixed); // unknown disk type
            put_be32(u8(f, f.size() - 512 + 60), 9);
            resignFooter(f, f.size() - 512);
            expectError(f, "disk type");
        }
        for (const auto& [bytes, part] :
             {std::pair{QByteArray(100, 'x'), QString("too small")},
              std::pair{QByteArray("conectix") + QByteArray(600, '\0'), QString("no VHD footer")},
              std::pair{QByteArray(4096, '\0'), QString("no VHD footer")}}) {
            OpenContext ctx;
            auto r = open_vhd(std::make_shared<MemorySource>(
                                  std::vector<std::uint8_t>(bytes.begin(), bytes.end()), "mem.vhd"),
                              ctx);
            QVERIFY(!r.ok());
            QVERIFY2(describe(r.error()).contains(part), qPrintable(describe(r.error())));
        }
        { // a huge claimed size with a small BAT: warning, reads zeros past the table, no huge allocation
            QByteArray f = d0;
            for (qsizetype at : {qsizetype(0), f.size() - 512}) {
                put_be64(u8(f, at + 48), std::uint64_t(1) << 45);
                resignFooter(f, at);
            }
            const QString p = tmp.path() + "/huge.vhd";
            QVERIFY(writeFile(p, f));
            auto r = openImage(p);
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
            QVERIFY(hasWarning((*r)->info(), "BAT has"));
            std::vector<std::uint8_t> b(4096, 0xEE);
            QVERIFY((*r)->read_at((std::uint64_t(1) << 45) - 4096, b).ok());
            QVERIFY(is_all_zero(b));
            auto e = (*r)->extent_at(std::uint64_t(1) << 40);
            QVERIFY(e.ok());
            QCOMPARE(e->kind, ExtentKind::Unallocated);
        }
        { // differencing: locator pointing outside the file -> ignored, the others still work
            QByteArray f = readFile(diff);
            DynLayout l = layoutOf(f);
            put_be64(u8(f, l.header + 576 + 16), std::uint64_t(1) << 50);
            resignHeader(f, l.header);
            const QString p = tmp.path() + "/loc.vhd";
            QVERIFY(writeFile(p, f));
            QVERIFY(QFile::copy(vhdDir() + "/vhd-parent.vhd", tmp.path() + "/vhd-parent.vhd"));
            auto r = openImage(p);
            QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
            QVERIFY(hasWarning((*r)->info(), "points outside the file"));
        }
        // Random corruption of headers, BAT and bitmaps: never a crash or a hang.
        std::uint64_t seed = 4242;
        for (const QString& src : {dyn, diff}) {
            const QByteArray base = readFile(src);
            if (src == diff) QFile::copy(vhdDir() + "/vhd-parent.vhd", tmp.path() + "/vhd-parent.vhd");
            QByteArray f0 = base;
            const DynLayout l = layoutOf(f0);
            const qsizetype hot[] = {0, l.header, l.bat, f0.size() - 512};
            for (int i = 0; i < 60; ++i) {
                QByteArray f = base;
                for (int m = 0; m < 4; ++m) {
                    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                    const qsizetype at = hot[(seed >> 20) % 4] + qsizetype((seed >> 33) % 1024);
                    if (at < f.size()) f[at] = char(seed >> 56);
                }
                const QString p = tmp.path() + "/fuzz.vhd";
                QVERIFY(writeFile(p, f));
                exercise(p); // any outcome but a crash
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestVhd)
#include "test_vhd.moc"
