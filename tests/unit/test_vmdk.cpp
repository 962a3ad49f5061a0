// VMDK reader: every qemu-img-made VMDK fixture read whole and compared with `qemu-img convert -O raw`;
// metadata compared with `qemu-img info`; differencing disks built with qemu-img/qemu-io; refusals of ESX
// snapshot formats; hostile variants made by corrupting copies of qemu-img-made files. Also a quick
// throughput measurement.
#include <QtTest>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <atomic>
#include <filesystem>
#include <thread>

#include "image/formats.h"
#include "io/byte_source.h"
#include "testsupport.h"
#include "util/endian.h"

using namespace imgprep;
using namespace testsupport;

namespace {

// Opens a path as an image without the full dispatcher: .vmdk through open_vmdk, anything else as raw.
Result<ImagePtr> openPath(const std::string& path, OpenContext& ctx) {
    auto f = FileSource::open(path);
    if (!f) return f.take_error();
    SourcePtr src = std::move(f).value();
    std::error_code ec;
    auto canon = std::filesystem::weakly_canonical(path, ec);
    ctx.chain.push_back(ec ? path : canon.string());
    auto r = std::filesystem::path(path).extension() == ".vmdk" ? open_vmdk(src, ctx) : open_raw(src, ctx);
    ctx.chain.pop_back();
    return r;
}

Result<ImagePtr> openVmdk(const QString& path) {
    OpenContext ctx;
    ctx.open_path = openPath;
    return openPath(path.toStdString(), ctx);
}

QString describe(const Error& e) {
    return QString::fromStdString(e.describe());
}

QString detail(const ImageReader& r, const char* key) {
    for (const auto& [k, v] : r.info().details)
        if (k == key) return QString::fromStdString(v);
    return {};
}

bool patch(const QString& path, qint64 offset, const QByteArray& bytes) {
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite) || !f.seek(offset)) return false;
    return f.write(bytes) == bytes.size();
}

QByteArray le32b(quint32 v) {
    QByteArray b(4, '\0');
    put_le32(reinterpret_cast<std::uint8_t*>(b.data()), v);
    return b;
}
QByteArray le64b(quint64 v) {
    QByteArray b(8, '\0');
    put_le64(reinterpret_cast<std::uint8_t*>(b.data()), v);
    return b;
}

QByteArray readBytes(const QString& path, qint64 offset, qint64 n) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly) || !f.seek(offset)) return {};
    return f.read(n);
}

bool writeText(const QString& path, const QByteArray& text) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

// Reads the whole disk and walks its allocation map; returns the first error (empty when everything read).
QString readEverything(const ImageReader& r) {
    std::vector<std::uint8_t> buf(1 << 20);
    for (std::uint64_t off = 0; off < r.size(); off += buf.size()) {
        std::size_t n = std::size_t(std::min<std::uint64_t>(buf.size(), r.size() - off));
        auto st = r.read_at(off, std::span(buf.data(), n));
        if (!st) return describe(st.error());
    }
    auto st = for_each_extent(r, [](const Extent&) { return true; });
    if (!st) return describe(st.error());
    return {};
}

QJsonObject qemuInfo(const QString& path) {
    auto r = runTool("qemu-img", {"info", "--output=json", path});
    return QJsonDocument::fromJson(r.out).object();
}

QString fixture(const QString& name) {
    for (const auto& f : readImageList(fixtureDir("images")))
        if (f.name == name) return f.image;
    return {};
}
QString oracleOf(const QString& name) {
    for (const auto& f : readImageList(fixtureDir("images")))
        if (f.name == name) return f.oracle;
    return {};
}

} // namespace

class TestVmdk : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    QString copyOf(const QString& name, const QString& as) {
        QString dst = tmp_.filePath(as);
        QFile::remove(dst);
        if (!QFile::copy(fixture(name), dst)) return {};
        QFile(dst).setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return dst;
    }

    // The image must fail to open, or fail cleanly while being read; returns the error text.
    QString expectFailure(const QString& path, const char* what) {
        auto r = openVmdk(path);
        QString err;
        if (!r) {
            err = describe(r.error());
        } else {
            err = readEverything(**r);
            // Also unaligned small reads and extent queries across the disk must stay clean.
            std::vector<std::uint8_t> b(5000);
            for (std::uint64_t off = 777; off + b.size() < (*r)->size(); off += (*r)->size() / 97) {
                (void)(*r)->read_at(off, b);
                (void)(*r)->extent_at(off);
            }
        }
        if (err.isEmpty())
            qWarning() << what << ": no error reported for" << path;
        else
            qDebug().noquote() << what << "->" << err;
        return err;
    }

  private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        QVERIFY2(!readImageList(fixtureDir("images")).isEmpty(), "fixture images missing: run ctest first");
    }

    // ---- every qemu-img-made VMDK fixture against its oracle ----
    void fixtures_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("oracle");
        int n = 0;
        for (const auto& f : readImageList(fixtureDir("images")))
            if (f.name.startsWith("vmdk-")) {
                QTest::newRow(f.name.toUtf8()) << f.image << f.oracle;
                ++n;
            }
        QVERIFY(n >= 5);
    }
    void fixtures() {
        QFETCH(QString, image);
        QFETCH(QString, oracle);
        const QByteArray before = sha256OfFile(image);
        auto r = openVmdk(image);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        const ImageReader& img = **r;
        QString why = compareWithOracle(img, oracle);
        QVERIFY2(why.isEmpty(), qPrintable(why));

        // Metadata against qemu-img info.
        const QJsonObject q = qemuInfo(image);
        const QJsonObject spec = q["format-specific"].toObject()["data"].toObject();
        const ImageInfo& info = img.info();
        QCOMPARE(QString::fromStdString(info.format), QString("vmdk"));
        QCOMPARE(QString::fromStdString(info.subformat), spec["create-type"].toString());
        QCOMPARE(qint64(info.virtual_size), qint64(q["virtual-size"].toInteger()));
        QCOMPARE(detail(img, "CID").toULongLong(nullptr, 16), quint64(spec["cid"].toInteger()));
        QCOMPARE(detail(img, "parentCID").toULongLong(nullptr, 16), quint64(spec["parent-cid"].toInteger()));
        const QJsonArray extents = spec["extents"].toArray();
        bool compressed = false;
        quint64 cluster = 0;
        QSet<QString> files{QFileInfo(image).fileName()};
        for (const auto& e : extents) {
            const QJsonObject o = e.toObject();
            compressed = compressed || o["compressed"].toBool();
            if (!cluster && o.contains("cluster-size")) cluster = quint64(o["cluster-size"].toInteger());
            files.insert(QFileInfo(o["filename"].toString()).fileName());
        }
        QCOMPARE(QString::fromStdString(info.compression), QString(compressed ? "deflate" : "none"));
        QCOMPARE(quint64(info.cluster_size), cluster);
        QSet<QString> ours;
        qint64 sum = 0;
        for (const auto& f : info.files) {
            ours.insert(QFileInfo(QString::fromStdString(f)).fileName());
            sum += QFileInfo(QString::fromStdString(f)).size();
        }
        QCOMPARE(ours, files);
        QCOMPARE(qint64(info.file_size), sum);
        QCOMPARE(detail(img, "adapterType"), QString("ide"));
        QCOMPARE(detail(img, "hwversion"), QString("4"));
        QVERIFY(!detail(img, "toolsVersion").isEmpty());
        QVERIFY(img.backing() == nullptr);
        QCOMPARE(sha256OfFile(image), before);
    }

    // ---- many threads reading small unaligned pieces at once (grain-table and grain caches) ----
    void concurrentReads_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("streamOptimized") << "vmdk-streamOptimized";
        QTest::newRow("monolithicSparse") << "vmdk-monolithicSparse";
    }
    void concurrentReads() {
        QFETCH(QString, name);
        auto r = openVmdk(fixture(name));
        QVERIFY(r.ok());
        QFile o(oracleOf(name));
        QVERIFY(o.open(QIODevice::ReadOnly));
        const QByteArray want = o.readAll();
        QCOMPARE(quint64(want.size()), (*r)->size());
        std::atomic<int> bad{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                std::uint64_t seed = 99 + t;
                std::vector<std::uint8_t> b(70000);
                for (int k = 0; k < 3000; ++k) {
                    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                    // Mostly inside the first 12 MiB where the data is, so grains are shared between threads.
                    std::uint64_t off =
                        (seed >> 13) % (k % 4 ? (12u << 20) : std::uint64_t(want.size()) - 70000);
                    std::size_t n = 1 + std::size_t((seed >> 40) % 69999);
                    if (!(*r)->read_at(off, std::span(b.data(), n)) ||
                        std::memcmp(b.data(), want.constData() + off, n) != 0)
                        ++bad;
                }
            });
        for (auto& t : threads)
            t.join();
        QCOMPARE(bad.load(), 0);
    }

    // ---- differencing disks made by qemu-img, with qemu-img convert as the oracle ----
    void differencing_data() {
        QTest::addColumn<QString>("subformat");
        QTest::newRow("monolithicSparse") << "monolithicSparse";
        QTest::newRow("twoGbMaxExtentSparse") << "twoGbMaxExtentSparse";
    }
    void differencing() {
        QFETCH(QString, subformat);
        QDir dir(tmp_.filePath("diff-" + subformat));
        QVERIFY(dir.mkpath("."));
        const QString base = dir.filePath("base.vmdk");
        QVERIFY(QFile::copy(fixture("vmdk-monolithicSparse"), base));
        const QString top = dir.filePath("top.vmdk");
        auto c = runTool("qemu-img",
                         {"create", "-q", "-f", "vmdk", "-o", "subformat=" + subformat + ",zeroed_grain=on",
                          "-b", "base.vmdk", "-F", "vmdk", top});
        QVERIFY2(c.exitCode == 0, c.err.constData());
        auto w = runTool("qemu-io",
                         {"-f", "vmdk", "-c", "write -P 0x5a 1M 64k", "-c", "write -P 0x11 8388700 3000",
                          "-c", "write -z 40M 128k", "-c", "write -P 0x77 63M 64k", top});
        QVERIFY2(w.exitCode == 0, w.err.constData());
        const QString oracle = dir.filePath("top.oracle.raw");
        QCOMPARE(runTool("qemu-img", {"convert", "-f", "vmdk", "-O", "raw", top, oracle}).exitCode, 0);

        auto r = openVmdk(top);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        const ImageReader& img = **r;
        QVERIFY(img.backing() != nullptr);
        QCOMPARE(QFileInfo(QString::fromStdString(img.backing()->name())).fileName(), QString("base.vmdk"));
        QCOMPARE(QString::fromStdString(img.info().subformat), subformat);
        QCOMPARE(detail(img, "parentCID"), detail(*img.backing(), "CID"));
        for (const auto& warn : img.info().warnings)
            qDebug() << "warning:" << QString::fromStdString(warn);
        QString why = compareWithOracle(img, oracle);
        QVERIFY2(why.isEmpty(), qPrintable(why));

        // The allocation map, as seen through the chain: the top's own data, its zeroed grains, the base's
        // data.
        auto at = [&](std::uint64_t off) { return img.extent_at(off); };
        auto e1 = at(1 << 20);
        QVERIFY(e1.ok());
        QCOMPARE(e1->kind, ExtentKind::Data);
        auto ez = at(40 << 20);
        QVERIFY(ez.ok());
        QCOMPARE(ez->kind, ExtentKind::Zero);
        QCOMPARE(ez->length, std::uint64_t(128 << 10));
        auto eb = at(9 << 20); // base data that the top does not hold
        QVERIFY(eb.ok());
        QCOMPARE(eb->kind, ExtentKind::Data);
        auto eu = at(50 << 20); // a hole in both
        QVERIFY(eu.ok());
        QCOMPARE(eu->kind, ExtentKind::Unallocated);
    }

    void largeDisk() {
        // 4 TiB: a grain directory of 131072 entries, with data written by qemu-io at far offsets (one write
        // straddling a grain-table boundary). Allocation checked against `qemu-img map` around the writes.
        QDir dir(tmp_.filePath("large"));
        QVERIFY(dir.mkpath("."));
        const QString img = dir.filePath("big.vmdk");
        const quint64 T = quint64(1) << 40;
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "vmdk", img, "4T"}).exitCode, 0);
        auto w = runTool("qemu-io", {"-f", "vmdk", "-c", QString("write -P 0x42 %1 64k").arg(3 * T), "-c",
                                     QString("write -P 0x43 %1 1024").arg(T - 512), img});
        QVERIFY2(w.exitCode == 0, w.err.constData());
        auto r = openVmdk(img);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        const ImageReader& disk = **r;
        QCOMPARE(disk.size(), std::uint64_t(4 * T));
        std::vector<std::uint8_t> b(200000);
        QVERIFY(disk.read_at(3 * T - 1000, b).ok());
        for (std::size_t i = 0; i < b.size(); ++i) {
            const std::uint64_t off = 3 * T - 1000 + i;
            const std::uint8_t want = off >= 3 * T && off < 3 * T + 65536 ? 0x42 : 0;
            if (b[i] != want) QFAIL(qPrintable(QString("byte at %1 is %2").arg(off).arg(b[i])));
        }
        QVERIFY(disk.read_at(T - 100000, b).ok());
        for (std::size_t i = 0; i < b.size(); ++i) {
            const std::uint64_t off = T - 100000 + i;
            const std::uint8_t want = off >= T - 512 && off < T + 512 ? 0x43 : 0;
            if (b[i] != want) QFAIL(qPrintable(QString("byte at %1 is %2").arg(off).arg(b[i])));
        }
        quint64 qemuData = 0;
        for (quint64 start : {T - (1 << 20), 3 * T - (1 << 20)}) {
            auto m = runTool("qemu-img", {"map", "--output=json", "--start-offset=" + QString::number(start),
                                          "--max-length=" + QString::number(2 << 20), img});
            QCOMPARE(m.exitCode, 0);
            for (const auto& v : QJsonDocument::fromJson(m.out).array()) {
                const QJsonObject o = v.toObject();
                if (!o["data"].toBool()) continue;
                qemuData += quint64(o["length"].toInteger());
                auto e = disk.extent_at(quint64(o["start"].toInteger()));
                QVERIFY(e.ok());
                QCOMPARE(e->kind, ExtentKind::Data);
            }
        }
        QCOMPARE(qemuData, quint64(3 * 65536));
        auto total = allocated_bytes(disk); // the whole 4 TiB map: only those grains
        QVERIFY(total.ok());
        QCOMPARE(quint64(*total), qemuData);
    }

    void parentMissingAndLoop() {
        QDir dir(tmp_.filePath("loop"));
        QVERIFY(dir.mkpath("."));
        const QString a = dir.filePath("a.vmdk");
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "vmdk", a, "1M"}).exitCode, 0);
        const QString b = dir.filePath("b.vmdk");
        QCOMPARE(
            runTool("qemu-img", {"create", "-q", "-f", "vmdk", "-b", "a.vmdk", "-F", "vmdk", b}).exitCode, 0);
        QVERIFY(openVmdk(b).ok());
        // Make a's embedded descriptor name b as its parent: a -> b -> a.
        QByteArray head = readBytes(a, 512, 1024);
        int at = head.indexOf("parentCID=ffffffff\n");
        QVERIFY(at > 0);
        QByteArray repl = "parentCID=ffffffff\nparentFileNameHint=\"b.vmdk\"\n";
        QByteArray rest = head.mid(at + 19, head.indexOf('\0') - at - 19);
        QVERIFY(patch(a, 512 + at, repl + rest));
        auto r = openVmdk(b);
        QVERIFY(!r.ok());
        QVERIFY2(describe(r.error()).contains("loop") || describe(r.error()).contains("deeper"),
                 qPrintable(describe(r.error())));
        QFile::remove(a);
        auto m = openVmdk(b);
        QVERIFY(!m.ok());
        QVERIFY2(describe(m.error()).contains("a.vmdk"), qPrintable(describe(m.error())));
    }

    // ---- hand-written descriptors (text) over qemu-img-made extents, qemu-img as the oracle ----
    void handWrittenDescriptor() {
        QDir dir(tmp_.filePath("hand"));
        QVERIFY(dir.mkpath("sub dir"));
        QVERIFY(QFile::copy(fixtureDir("images") + "/pattern.raw", dir.filePath("sub dir/data one.bin")));
        QVERIFY(QFile::copy(fixture("vmdk-streamOptimized"), dir.filePath("sub dir/stream.vmdk")));
        const QString desc = dir.filePath("hand.vmdk");
        QVERIFY(writeText(desc, "# Disk DescriptorFile\r\nversion=1\r\nCID=12345678\r\nparentCID=ffffffff\r\n"
                                "createType=\"monolithicFlat\"\r\n\r\n# Extent description\r\n"
                                "RW 4096 FLAT \"sub dir/data one.bin\" 0\r\n"
                                "RW 131072 SPARSE \"sub dir/stream.vmdk\"\r\n"
                                "RW 20000 FLAT \"sub dir/data one.bin\" 2040\r\n\r\n"
                                "ddb.adapterType = \"lsilogic\"\r\nddb.virtualHWVersion = \"14\"\r\n"));
        const QString oracle = dir.filePath("hand.oracle.raw");
        auto c = runTool("qemu-img", {"convert", "-f", "vmdk", "-O", "raw", desc, oracle});
        QVERIFY2(c.exitCode == 0, c.err.constData());
        auto r = openVmdk(desc);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        QCOMPARE((*r)->size(), std::uint64_t(4096 + 131072 + 20000) * 512);
        QString why = compareWithOracle(**r, oracle);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QCOMPARE((*r)->info().files.size(), std::size_t(3));
        QCOMPARE(detail(**r, "adapterType"), QString("lsilogic"));
        QCOMPARE(QString::fromStdString((*r)->info().compression), QString("deflate"));

        // RDONLY extents hold data like RW ones (qemu-img skips every non-RW extent, so it cannot be the
        // oracle here: the RW reading above is).
        QFile d(desc);
        QVERIFY(d.open(QIODevice::ReadOnly));
        QByteArray text = d.readAll();
        d.close();
        QVERIFY(writeText(desc, text.replace("RW 131072 SPARSE", "RDONLY 131072 SPARSE")));
        auto ro = openVmdk(desc);
        QVERIFY2(ro.ok(), ro.ok() ? "" : qPrintable(describe(ro.error())));
        why = compareWithOracle(**ro, oracle);
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }

    void sparseFileNamedTwice() {
        // Two streamOptimized extents of different content, each named by two lines: a file named again is
        // opened once (its directory and caches are not repeated), the caches are per disk, and the small
        // unaligned reads of compareWithOracle go through the decompressed-grain cache of both extents.
        QDir dir(tmp_.filePath("twice"));
        QVERIFY(dir.mkpath("."));
        for (int k = 0; k < 2; ++k) {
            QByteArray raw(1 << 20, '\0');
            for (int i = 0; i < raw.size(); ++i)
                raw[i] = char(k ? (i * 13 + (i >> 10) + 5) : (i * 7 + (i >> 9)));
            const QString name = dir.filePath(k ? "b" : "a");
            QFile f(name + ".raw");
            QVERIFY(f.open(QIODevice::WriteOnly) && f.write(raw) == raw.size());
            f.close();
            auto c = runTool("qemu-img", {"convert", "-f", "raw", "-O", "vmdk", "-o",
                                          "subformat=streamOptimized", name + ".raw", name + ".vmdk"});
            QVERIFY2(c.exitCode == 0, c.err.constData());
        }
        const QString desc = dir.filePath("twice.vmdk");
        QVERIFY(writeText(desc, "# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\n"
                                "createType=\"twoGbMaxExtentSparse\"\n"
                                "RW 2048 SPARSE \"a.vmdk\"\nRW 2048 SPARSE \"b.vmdk\"\n"
                                "RW 2048 SPARSE \"a.vmdk\"\nRW 2048 SPARSE \"b.vmdk\"\n"));
        const QString oracle = dir.filePath("twice.oracle.raw");
        auto c = runTool("qemu-img", {"convert", "-f", "vmdk", "-O", "raw", desc, oracle});
        QVERIFY2(c.exitCode == 0, c.err.constData());
        auto r = openVmdk(desc);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        QCOMPARE((*r)->size(), std::uint64_t(4 * 2048) * 512);
        QCOMPARE((*r)->info().files.size(), std::size_t(3));
        const QString why = compareWithOracle(**r, oracle);
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }

    void directoryBudget() {
        // A qemu-img-made 1 MiB sparse extent given a 64 TiB capacity (2M grain directory entries, 8 MiB, the
        // file extended so that the directory lies inside it): one such extent opens, and so does a
        // descriptor naming it three times (opened once); three distinct copies would load 6M entries, past
        // the disk's 4M, and are refused.
        QDir dir(tmp_.filePath("budget"));
        QVERIFY(dir.mkpath("."));
        const QString first = dir.filePath("x0.vmdk");
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "vmdk", first, "1M"}).exitCode, 0);
        {
            QFile f(first);
            QVERIFY(f.open(QIODevice::ReadWrite));
            const QByteArray h = f.read(512);
            quint64 gd = 0;
            for (int i = 7; i >= 0; --i)
                gd = (gd << 8) | quint8(h[56 + i]);
            QVERIFY(gd > 0 && gd < 1000);
            const quint64 capacity = quint64(1) << 37; // sectors: 2^21 tables of 512 64 KiB grains
            QByteArray cap(8, '\0');
            for (int i = 0; i < 8; ++i)
                cap[i] = char(capacity >> (8 * i));
            QVERIFY(f.seek(12) && f.write(cap) == 8);
            QVERIFY(f.resize(qint64(gd * 512 + (quint64(4) << 21) + 65536)));
        }
        for (int k = 1; k < 3; ++k)
            QVERIFY(QFile::copy(first, dir.filePath(QString("x%1.vmdk").arg(k))));
        const QByteArray head = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n"
                                "createType=\"twoGbMaxExtentSparse\"\n";
        const QString once = dir.filePath("once.vmdk"), distinct = dir.filePath("distinct.vmdk");
        QVERIFY(writeText(once, head + QByteArray("RW 137438953472 SPARSE \"x0.vmdk\"\n").repeated(3)));
        QVERIFY(writeText(distinct, head + "RW 137438953472 SPARSE \"x0.vmdk\"\nRW 137438953472 SPARSE "
                                           "\"x1.vmdk\"\nRW 137438953472 SPARSE \"x2.vmdk\"\n"));
        auto single = openVmdk(first);
        QVERIFY2(single.ok(), single.ok() ? "" : qPrintable(describe(single.error())));
        auto r = openVmdk(once);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        QCOMPARE((*r)->size(), (quint64(3) << 37) * 512);
        std::vector<std::uint8_t> buf(4096, 0xff);
        QVERIFY((*r)->read_at((quint64(2) << 37) * 512 + 12345, buf).ok());
        QVERIFY(std::all_of(buf.begin(), buf.end(), [](std::uint8_t b) { return b == 0; }));
        auto refused = openVmdk(distinct);
        QVERIFY(!refused.ok());
        QVERIFY2(QString::fromStdString(refused.error().message).contains("in all"),
                 qPrintable(describe(refused.error())));
        QCOMPARE(QString::fromStdString(refused.error().file), dir.filePath("x2.vmdk"));
    }

    void zeroExtent() {
        // qemu-img skips ZERO extent lines (its disk comes out short), so the expected content is built here.
        QDir dir(tmp_.filePath("zero"));
        QVERIFY(dir.mkpath("."));
        QVERIFY(QFile::copy(fixtureDir("images") + "/pattern.raw", dir.filePath("p.bin")));
        const QString desc = dir.filePath("z.vmdk");
        QVERIFY(writeText(desc, "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\n"
                                "createType=\"custom\"\nRW 2048 FLAT \"p.bin\" 0\nRW 1000 ZERO\n"
                                "RW 2048 FLAT \"p.bin\" 0\n"));
        auto r = openVmdk(desc);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        QCOMPARE((*r)->size(), std::uint64_t(5096) * 512);
        QFile p(dir.filePath("p.bin"));
        QVERIFY(p.open(QIODevice::ReadOnly));
        QByteArray first = p.read(2048 * 512);
        QByteArray want = first + QByteArray(1000 * 512, '\0') + first;
        std::vector<std::uint8_t> got(want.size());
        QVERIFY((*r)->read_at(0, got).ok());
        QVERIFY(std::memcmp(got.data(), want.constData(), got.size()) == 0);
        auto e = (*r)->extent_at(2048 * 512 + 5);
        QVERIFY(e.ok());
        QCOMPARE(e->kind, ExtentKind::Zero);
        QCOMPARE(e->length, std::uint64_t(1000 * 512 - 5));
    }

    // ---- GD_AT_END: a streamOptimized file whose grain directory is named only by the footer ----
    void footerGrainDirectory() {
        const QString f = copyOf("vmdk-streamOptimized", "footer.vmdk");
        QVERIFY(!f.isEmpty());
        QByteArray header = readBytes(f, 0, 512);
        QCOMPARE(header.left(4), QByteArray("KDMV"));
        // End of stream as the specification lays it out: footer marker, footer (header copy), EOS marker.
        QByteArray tail(1536, '\0');
        tail.replace(0, 8, le64b(1));
        tail.replace(12, 4, le32b(3)); // MARKER_FOOTER
        tail.replace(512, 512, header);
        {
            QFile file(f);
            QVERIFY(file.open(QIODevice::ReadWrite));
            qint64 size = file.size();
            QVERIFY(size % 512 == 0);
            file.seek(size);
            file.write(tail);
        }
        QVERIFY(patch(f, 56, le64b(~quint64(0)))); // gdOffset = GD_AT_END in the header
        QVERIFY(patch(f, 48, le64b(0)));           // and no redundant copy there either
        auto r = openVmdk(f);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        QString why = compareWithOracle(**r, oracleOf("vmdk-streamOptimized"));
        QVERIFY2(why.isEmpty(), qPrintable(why));
        // Cut the footer off: a clear error.
        QVERIFY(QFile(f).resize(QFileInfo(f).size() - 1536));
        QVERIFY(!expectFailure(f, "GD_AT_END without footer").isEmpty());
    }

    // ---- refusals ----
    void refusals_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("mustSay");
        const QByteArray head = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n";
        QTest::newRow("vmfsSparse") << head + "createType=\"vmfsSparse\"\nparentFileNameHint=\"base.vmdk\"\n"
                                              "RW 2097152 VMFSSPARSE \"disk-delta.vmdk\"\n"
                                    << "vmfsSparse";
        QTest::newRow("seSparse")
            << head + "createType=\"seSparse\"\nRW 2097152 SESPARSE \"disk-sesparse.vmdk\"\n"
            << "seSparse";
        QTest::newRow("vsanSparse") << head +
                                           "createType=\"vsanSparse\"\nRW 2097152 VSANSPARSE \"vsan://x\"\n"
                                    << "vsanSparse";
        QTest::newRow("rdm") << head +
                                    "createType=\"vmfsRawDeviceMap\"\nRW 2097152 VMFSRDM \"disk-rdm.vmdk\"\n"
                             << "raw device";
        QTest::newRow("unknownExtent")
            << head + "createType=\"monolithicFlat\"\nRW 2048 FROBNICATED \"x.bin\"\n"
            << "FROBNICATED";
        QTest::newRow("sesparseExtentOnly") << head + "createType=\"custom\"\nRW 2048 SESPARSE \"x.bin\"\n"
                                            << "SESPARSE";
        QTest::newRow("noAccess") << head + "createType=\"monolithicFlat\"\nNOACCESS 2048 FLAT \"x.bin\" 0\n"
                                  << "NOACCESS";
    }
    void refusals() {
        QFETCH(QByteArray, text);
        QFETCH(QString, mustSay);
        const QString desc = tmp_.filePath("refuse.vmdk");
        QVERIFY(writeText(desc, text));
        auto r = openVmdk(desc);
        QVERIFY(!r.ok());
        const QString msg = describe(r.error());
        qDebug().noquote() << msg;
        QVERIFY2(msg.contains(mustSay), qPrintable(msg));
        if (mustSay != "FROBNICATED" && mustSay != "NOACCESS")
            QVERIFY2(msg.contains("consolidate") || msg.contains("export") || msg.contains("clone"),
                     qPrintable(msg));
    }

    // ---- hostile sparse files: corrupted copies of qemu-img-made images ----
    void hostileSparse_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("mustFailOpen");
        const QString ms = "vmdk-monolithicSparse", so = "vmdk-streamOptimized";
        QTest::newRow("capacity 2^63") << ms << qint64(12) << le64b(quint64(1) << 63) << true;
        QTest::newRow("capacity 2^41") << ms << qint64(12) << le64b(quint64(1) << 41) << true;
        QTest::newRow("capacity 0") << ms << qint64(12) << le64b(0) << true;
        QTest::newRow("grain 3") << ms << qint64(20) << le64b(3) << true;
        QTest::newRow("grain 0") << ms << qint64(20) << le64b(0) << true;
        QTest::newRow("grain 2^20 sectors") << ms << qint64(20) << le64b(1 << 20) << true;
        QTest::newRow("grain 2^62") << so << qint64(20) << le64b(quint64(1) << 62) << true;
        QTest::newRow("numGTEsPerGT 0") << ms << qint64(44) << le32b(0) << true;
        QTest::newRow("numGTEsPerGT 2^30") << ms << qint64(44) << le32b(1u << 30) << true;
        QTest::newRow("both GDs past EOF")
            << ms << qint64(48) << (le64b(0x7fffffff) + le64b(0x7ffffff0)) << true;
        QTest::newRow("version 7") << ms << qint64(4) << le32b(7) << true;
        QTest::newRow("text-mode transfer") << ms << qint64(75) << QByteArray("\n") << true;
        QTest::newRow("compression 9") << so << qint64(77) << QByteArray("\x09\x00", 2) << true;
        QTest::newRow("descriptor past EOF") << ms << qint64(28) << le64b(0x7fffffff) << true;
        QTest::newRow("GD_AT_END, no footer") << so << qint64(56) << le64b(~quint64(0)) << true;
        // First GD entry (primary at sector 30, redundant at 21) pointing past the end: both copies.
        QTest::newRow("GD entries past EOF") << ms << qint64(-1) << le32b(0x7ffffff0) << true;
        // A GT entry pointing past EOF: the first GT of the primary is at sector GD[0].
        QTest::newRow("GT entry past EOF") << ms << qint64(-2) << le32b(0x7ffffff0) << false;
        // streamOptimized grain damage (the first grain's marker is at sector 128).
        QTest::newRow("garbage deflate") << so << qint64(128 * 512 + 14) << QByteArray(200, '\xa7') << false;
        QTest::newRow("marker size huge") << so << qint64(128 * 512 + 8) << le32b(0x7fffffff) << false;
        QTest::newRow("marker size short") << so << qint64(128 * 512 + 8) << le32b(100) << false;
        QTest::newRow("marker lba wrong") << so << qint64(128 * 512) << le64b(12345) << false;
        QTest::newRow("marker size 0") << so << qint64(128 * 512 + 8) << le32b(0) << false;
    }
    void hostileSparse() {
        QFETCH(QString, source);
        QFETCH(qint64, offset);
        QFETCH(QByteArray, bytes);
        QFETCH(bool, mustFailOpen);
        const QString f = copyOf(source, "hostile.vmdk");
        QVERIFY(!f.isEmpty());
        QByteArray h = readBytes(f, 0, 512);
        const quint64 gd = le64(reinterpret_cast<const std::uint8_t*>(h.constData()) + 56);
        const quint64 rgd = le64(reinterpret_cast<const std::uint8_t*>(h.constData()) + 48);
        if (offset == -1) {
            QVERIFY(patch(f, qint64(gd * 512), bytes));
            QVERIFY(patch(f, qint64(rgd * 512), bytes));
        } else if (offset == -2) {
            QByteArray g = readBytes(f, qint64(gd * 512), 4);
            const quint32 gt = le32(reinterpret_cast<const std::uint8_t*>(g.constData()));
            QVERIFY(gt != 0);
            QVERIFY(patch(f, qint64(gt) * 512 + 4 * 3, bytes)); // grain 3 of table 0
            QByteArray rg = readBytes(f, qint64(rgd * 512), 4);
            QVERIFY(patch(f, qint64(le32(reinterpret_cast<const std::uint8_t*>(rg.constData()))) * 512 + 12,
                          bytes));
        } else {
            QVERIFY(patch(f, offset, bytes));
        }
        const QByteArray before = sha256OfFile(f);
        QString err = expectFailure(f, QTest::currentDataTag());
        QVERIFY2(!err.isEmpty(), "no error reported");
        if (mustFailOpen) QVERIFY2(!openVmdk(f).ok(), "opened although it should not");
        QVERIFY(err.contains("hostile.vmdk"));
        if (offset == -1) // the bad entry is named, in both copies
            QVERIFY2(err.contains("grain directory entry 0 points to sector 2147483632") &&
                         err.contains("redundant copy: grain directory entry 0"),
                     qPrintable(err));
        QCOMPARE(sha256OfFile(f), before);
    }

    void checksum() {
        // Incompressible data is stored (not compressed) inside the deflate stream, so a flipped byte there
        // is caught only by the zlib stream's Adler-32.
        QDir dir(tmp_.filePath("sum"));
        QVERIFY(dir.mkpath("."));
        const QString raw = dir.filePath("r.raw"), img = dir.filePath("r.vmdk");
        QCOMPARE(runTool("bash", {"-c", "head -c 1048576 /dev/urandom > '" + raw + "'"}).exitCode, 0);
        QCOMPARE(runTool("qemu-img",
                         {"convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", raw, img})
                     .exitCode,
                 0);
        {
            auto r = openVmdk(img);
            QVERIFY(r.ok());
            QString why = compareWithOracle(**r, raw);
            QVERIFY2(why.isEmpty(), qPrintable(why));
        }
        auto u32 = [&](qint64 off) {
            QByteArray b = readBytes(img, off, 4);
            return b.size() == 4 ? le32(reinterpret_cast<const std::uint8_t*>(b.constData())) : 0u;
        };
        QByteArray h = readBytes(img, 0, 512);
        const quint64 gd = le64(reinterpret_cast<const std::uint8_t*>(h.constData()) + 56);
        const quint32 gt = u32(qint64(gd) * 512);
        QVERIFY(gt != 0);
        const quint32 grain5 = u32(qint64(gt) * 512 + 4 * 5);
        QVERIFY(grain5 > 1);
        const qint64 at = qint64(grain5) * 512 + 12 + 3000;
        QByteArray b = readBytes(img, at, 1);
        b[0] = char(b[0] ^ 0x10);
        QVERIFY(patch(img, at, b));
        auto r = openVmdk(img);
        QVERIFY(r.ok());
        std::vector<std::uint8_t> buf(65536);
        QVERIFY((*r)->read_at(4 * 65536, buf).ok()); // the grain before is intact
        auto st = (*r)->read_at(5 * 65536, buf);
        QVERIFY(!st.ok());
        QVERIFY2(describe(st.error()).contains("Adler-32"), qPrintable(describe(st.error())));
        auto part = (*r)->read_at(5 * 65536 + 100, std::span(buf.data(), 10)); // through the grain cache
        QVERIFY(!part.ok());
    }

    void redundantGrainDirectory() {
        // Primary GD damaged (points past the end), redundant copy intact: read through the redundant one.
        const QString f = copyOf("vmdk-monolithicSparse", "rgd.vmdk");
        QVERIFY(patch(f, 56, le64b(0x7ffffff0)));
        auto r = openVmdk(f);
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(describe(r.error())));
        bool warned = false;
        for (const auto& w : (*r)->info().warnings)
            warned = warned || w.find("redundant") != std::string::npos;
        QVERIFY(warned);
        QString why = compareWithOracle(**r, oracleOf("vmdk-monolithicSparse"));
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }

    void truncated_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<qint64>("keep");
        QTest::newRow("monolithicSparse half") << "vmdk-monolithicSparse" << qint64(-2);
        QTest::newRow("monolithicSparse 1000 bytes") << "vmdk-monolithicSparse" << qint64(1000);
        QTest::newRow("monolithicSparse header only") << "vmdk-monolithicSparse" << qint64(512);
        QTest::newRow("monolithicSparse 100 bytes") << "vmdk-monolithicSparse" << qint64(100);
        QTest::newRow("streamOptimized half") << "vmdk-streamOptimized" << qint64(-2);
        QTest::newRow("streamOptimized mid-grain") << "vmdk-streamOptimized" << qint64(128 * 512 + 3000);
        QTest::newRow("empty") << "vmdk-streamOptimized" << qint64(0);
    }
    void truncated() {
        QFETCH(QString, source);
        QFETCH(qint64, keep);
        const QString f = copyOf(source, "trunc.vmdk");
        const qint64 size = QFileInfo(f).size();
        QVERIFY(QFile(f).resize(keep == -2 ? size / 2 / 512 * 512 + 100 : keep));
        QVERIFY(!expectFailure(f, QTest::currentDataTag()).isEmpty());
    }

    // ---- hostile descriptors ----
    void hostileDescriptor_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("mustSay");
        const QByteArray head = "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n"
                                "createType=\"monolithicFlat\"\n";
        QByteArray many = head;
        for (int i = 0; i < 20000; ++i)
            many += "RW 1 FLAT \"p.bin\" " + QByteArray::number(i) + "\n";
        QTest::newRow("20000 extents") << many << "more than";
        QTest::newRow("absurd size") << head + "RW 18446744073709551615 FLAT \"p.bin\" 0\n"
                                     << "absurd";
        QTest::newRow("size overflow") << head + "RW 99999999999999999999999 FLAT \"p.bin\" 0\n"
                                       << "not a number";
        QTest::newRow("sum past 512 TiB") << head + "RW 1099511627776 ZERO\nRW 1099511627776 ZERO\n"
                                          << "512 TiB";
        QTest::newRow("flat larger than file") << head + "RW 200000 FLAT \"p.bin\" 0\n"
                                               << "truncated";
        QTest::newRow("flat offset past file") << head + "RW 2048 FLAT \"p.bin\" 131072\n"
                                               << "truncated";
        QTest::newRow("flat offset overflow") << head + "RW 2048 FLAT \"p.bin\" 18446744073709551000\n"
                                              << "truncated";
        QTest::newRow("lists itself") << head + "RW 1 FLAT \"self.vmdk\" 0\n"
                                      << "itself";
        QTest::newRow("lists itself via path") << head + "RW 1 FLAT \"./../desc/self.vmdk\" 0\n"
                                               << "itself";
        QTest::newRow("sparse is descriptor") << head + "RW 1 SPARSE \"other.vmdk\"\n"
                                              << "KDMV";
        QTest::newRow("sparse too small") << head + "RW 999999 SPARSE \"s.vmdk\"\n"
                                          << "capacity";
        QTest::newRow("missing file") << head + "RW 2048 FLAT \"nowhere.bin\" 0\n"
                                      << "nowhere.bin";
        QTest::newRow("no extents") << head << "no extents";
        QTest::newRow("unterminated quote") << head + "RW 2048 FLAT \"p.bin 0\n"
                                            << "quote";
        QTest::newRow("binary") << head + QByteArray("RW 2048 FLAT \"p.bin\" 0\n\x01\x02\x03"
                                                     "garbage")
                                << "binary";
        QTest::newRow("missing parent") << head + "parentFileNameHint=\"C:\\VMs\\gone-parent.vmdk\"\n"
                                                  "RW 2048 FLAT \"p.bin\" 0\n"
                                        << "gone-parent.vmdk";
    }
    void hostileDescriptor() {
        QFETCH(QByteArray, text);
        QFETCH(QString, mustSay);
        QDir dir(tmp_.filePath("desc"));
        QVERIFY(dir.mkpath("."));
        if (!QFileInfo::exists(dir.filePath("p.bin"))) {
            QFile p(dir.filePath("p.bin"));
            QVERIFY(p.open(QIODevice::WriteOnly));
            QVERIFY(p.resize(64 << 20)); // 131072 sectors
            QVERIFY(writeText(dir.filePath("other.vmdk"),
                              "# Disk DescriptorFile\ncreateType=\"custom\"\n" + QByteArray(2000, '#')));
            QCOMPARE(
                runTool("qemu-img", {"create", "-q", "-f", "vmdk", dir.filePath("s.vmdk"), "1M"}).exitCode,
                0);
        }
        const QString desc = dir.filePath("self.vmdk");
        QVERIFY(writeText(desc, text));
        QString err = expectFailure(desc, QTest::currentDataTag());
        QVERIFY2(err.contains(mustSay), qPrintable(err));
    }

    // ---- throughput (informational, not an assertion) ----
    void throughput() {
        // The fixtures, then a 64 MiB disk full of data (half random, half text) in both sparse subformats,
        // each timed against `qemu-img convert -O raw` of the same file.
        QDir dir(tmp_.filePath("speed"));
        QVERIFY(dir.mkpath("."));
        const QString src = dir.filePath("full.raw");
        auto mk =
            runTool("bash", {"-c", "set -e; head -c 33554432 /dev/urandom > '" + src +
                                       "'; seq -f '%015.0f' 1 3000000 | head -c 33554432 >> '" + src + "'"});
        QCOMPARE(mk.exitCode, 0);
        struct Case {
            QString label, image;
        };
        QList<Case> cases{{"fixture streamOptimized", fixture("vmdk-streamOptimized")},
                          {"fixture monolithicSparse", fixture("vmdk-monolithicSparse")}};
        for (QString sub : {"streamOptimized", "monolithicSparse"}) {
            const QString img = dir.filePath("full-" + sub + ".vmdk");
            QCOMPARE(runTool("qemu-img",
                             {"convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + sub, src, img})
                         .exitCode,
                     0);
            cases.append({"64 MiB data " + sub, img});
        }
        for (const auto& c : cases) {
            auto r = openVmdk(c.image);
            QVERIFY(r.ok());
            const ImageReader& img = **r;
            auto data = allocated_bytes(img);
            QVERIFY(data.ok());
            std::vector<std::uint8_t> buf(8 << 20);
            QElapsedTimer t;
            t.start();
            for (std::uint64_t off = 0; off < img.size(); off += buf.size()) {
                std::size_t n = std::size_t(std::min<std::uint64_t>(buf.size(), img.size() - off));
                QVERIFY(img.read_at(off, std::span(buf.data(), n)).ok());
            }
            const double ours = std::max<qint64>(t.nsecsElapsed(), 1) / 1e9;
            const QString out = dir.filePath("out.raw");
            t.restart();
            QCOMPARE(runTool("qemu-img", {"convert", "-f", "vmdk", "-O", "raw", c.image, out}).exitCode, 0);
            const double qemu = std::max<qint64>(t.nsecsElapsed(), 1) / 1e9;
            QFile::remove(out);
            const double mib = double(img.size()) / (1 << 20), dmib = double(*data) / (1 << 20);
            qDebug().noquote()
                << QString("%1: virtual %2 MiB, data %3 MiB: ours %4 s = %5 MiB/s virtual, %6 MiB/s "
                           "of data; qemu-img convert %7 s (process start included)")
                       .arg(c.label)
                       .arg(mib, 0, 'f', 0)
                       .arg(dmib, 0, 'f', 1)
                       .arg(ours, 0, 'f', 3)
                       .arg(mib / ours, 0, 'f', 0)
                       .arg(dmib / ours, 0, 'f', 0)
                       .arg(qemu, 0, 'f', 3);
        }
    }
};

QTEST_GUILESS_MAIN(TestVmdk)
#include "test_vmdk.moc"
