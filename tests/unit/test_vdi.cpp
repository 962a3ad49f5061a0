// VDI reader: qemu-img's static and dynamic images against qemu-img's raw oracle and allocation map; variants
// derived from them (version 0 layout, per-block extra data, zero blocks, a differencing chain built with
// qemu-img and qemu-io); hostile corruptions; concurrent reads.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <atomic>
#include <filesystem>
#include <thread>

#include "image/formats.h"
#include "testsupport.h"
#include "util/endian.h"

using namespace imgprep;

namespace {

constexpr std::uint32_t MiB = 1024 * 1024;

// Version 1.1 header field offsets (pre-header of 72 bytes + VDIHEADER1 fields).
constexpr int kType = 0x4c, kOffBlocks = 0x154, kOffData = 0x158, kDiskSize = 0x170, kBlockSize = 0x178,
              kBlockExtra = 0x17c, kBlocks = 0x180, kAllocated = 0x184, kUuidCreate = 0x188,
              kUuidModify = 0x198, kUuidLinkage = 0x1a8, kUuidParentModify = 0x1b8;

QByteArray readAll(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll();
}
bool writeAll(const QString& path, const QByteArray& data) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    return f.write(data) == data.size();
}
std::uint32_t get32(const QByteArray& b, qint64 at) {
    return le32(reinterpret_cast<const std::uint8_t*>(b.data() + at));
}
std::uint64_t get64(const QByteArray& b, qint64 at) {
    return le64(reinterpret_cast<const std::uint8_t*>(b.data() + at));
}
void set32(QByteArray& b, qint64 at, std::uint32_t v) {
    put_le32(reinterpret_cast<std::uint8_t*>(b.data() + at), v);
}
void set64(QByteArray& b, qint64 at, std::uint64_t v) {
    put_le64(reinterpret_cast<std::uint8_t*>(b.data() + at), v);
}

OpenContext makeContext() {
    OpenContext ctx;
    ctx.open_path = [](const std::string& path, OpenContext& c) -> Result<ImagePtr> {
        IMGPREP_ASSIGN(auto f, FileSource::open(path));
        std::error_code ec;
        auto canon = std::filesystem::weakly_canonical(path, ec);
        c.chain.push_back(ec ? path : canon.string());
        auto r = open_vdi(std::move(f), c);
        c.chain.pop_back();
        return r;
    };
    return ctx;
}

Result<ImagePtr> openVdi(const QString& path) {
    OpenContext ctx = makeContext();
    IMGPREP_ASSIGN(auto f, FileSource::open(path.toStdString()));
    return open_vdi(std::move(f), ctx);
}

QString detail(const ImageInfo& info, const std::string& key) {
    for (const auto& [k, v] : info.details)
        if (k == key) return QString::fromStdString(v);
    return {};
}

// Data ranges [start, end) according to `qemu-img map`, merged.
QList<QPair<qint64, qint64>> qemuDataRanges(const QString& image, const QString& fmt) {
    QList<QPair<qint64, qint64>> out;
    auto r = testsupport::runTool("qemu-img", {"map", "--output=json", "-f", fmt, image});
    if (r.exitCode != 0) return out;
    for (const auto& v : QJsonDocument::fromJson(r.out).array()) {
        auto o = v.toObject();
        if (!o.value("data").toBool()) continue;
        qint64 s = qint64(o.value("start").toDouble()), e = s + qint64(o.value("length").toDouble());
        if (!out.isEmpty() && out.last().second == s)
            out.last().second = e;
        else
            out.append({s, e});
    }
    return out;
}

QList<QPair<qint64, qint64>> ourDataRanges(const ImageReader& r) {
    QList<QPair<qint64, qint64>> out;
    auto st = for_each_extent(r, [&](const Extent& e) {
        if (e.kind == ExtentKind::Data) {
            if (!out.isEmpty() && out.last().second == qint64(e.offset))
                out.last().second = qint64(e.offset + e.length);
            else
                out.append({qint64(e.offset), qint64(e.offset + e.length)});
        }
        return true;
    });
    if (!st) out.append({-1, -1});
    return out;
}

qint64 qemuVirtualSize(const QString& image) {
    auto r = testsupport::runTool("qemu-img", {"info", "--output=json", "-f", "vdi", image});
    return qint64(QJsonDocument::fromJson(r.out).object().value("virtual-size").toDouble());
}

} // namespace

class TestVdi : public QObject {
    Q_OBJECT

    QString dir_;
    testsupport::FixtureImage fixture(const QString& name) {
        for (const auto& im : testsupport::readImageList(dir_))
            if (im.name == name) return im;
        return {};
    }
    // Opens path expecting failure; returns the error text.
    QString openError(const QString& path) {
        auto r = openVdi(path);
        if (r) return QString();
        return QString::fromStdString(r.error().describe());
    }

  private slots:
    void initTestCase() {
        dir_ = testsupport::fixtureDir("images");
        QVERIFY2(QFile::exists(dir_ + "/images.list"), "images fixture missing");
        QVERIFY(!fixture("vdi-static").image.isEmpty());
        QVERIFY(!fixture("vdi-dynamic").image.isEmpty());
    }

    void fixturesMatchQemu_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("subformat");
        QTest::newRow("static") << "vdi-static"
                                << "static";
        QTest::newRow("dynamic") << "vdi-dynamic"
                                 << "dynamic";
    }
    void fixturesMatchQemu() {
        QFETCH(QString, name);
        QFETCH(QString, subformat);
        auto im = fixture(name);
        auto r = openVdi(im.image);
        QVERIFY2(r, r ? "" : r.error().describe().c_str());
        const ImageReader& reader = **r;
        QCOMPARE(QString::fromStdString(reader.info().format), QString("vdi"));
        QCOMPARE(QString::fromStdString(reader.info().subformat), subformat);
        QCOMPARE(qint64(reader.size()), qemuVirtualSize(im.image));
        QCOMPARE(reader.info().cluster_size, std::uint64_t(MiB));
        QCOMPARE(qint64(reader.info().file_size), QFileInfo(im.image).size());
        QCOMPARE(detail(reader.info(), "version"), QString("1.1"));
        QCOMPARE(detail(reader.info(), "creator"), QString("<<< QEMU VM Virtual Disk Image >>>"));
        // The UUID, as bytes in the file, formatted RTUUID-style (first three fields little-endian).
        QByteArray raw = readAll(im.image);
        QVERIFY(raw.size() > 0x200);
        QString expectUuid =
            QString("%1-%2-%3-%4-%5")
                .arg(get32(raw, kUuidCreate), 8, 16, QChar('0'))
                .arg(le16(reinterpret_cast<const std::uint8_t*>(raw.data() + kUuidCreate + 4)), 4, 16,
                     QChar('0'))
                .arg(le16(reinterpret_cast<const std::uint8_t*>(raw.data() + kUuidCreate + 6)), 4, 16,
                     QChar('0'))
                .arg(QString(raw.mid(kUuidCreate + 8, 2).toHex()))
                .arg(QString(raw.mid(kUuidCreate + 10, 6).toHex()));
        QCOMPARE(detail(reader.info(), "uuid"), expectUuid);
        QVERIFY(reader.info().warnings.empty());
        QString diff = testsupport::compareWithOracle(reader, im.oracle);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        // Allocation: our Data extents are exactly qemu-img map's data ranges.
        auto ours = ourDataRanges(reader);
        auto theirs = qemuDataRanges(im.image, "vdi");
        QVERIFY(!theirs.isEmpty());
        QCOMPARE(ours, theirs);
    }

    void version0Layout() {
        // Rewrite the dynamic image in the version 0.x layout (no offsets in the header: block map right
        // after the 348-byte header, data right after the map) and read it against qemu-img's oracle of the
        // original.
        auto im = fixture("vdi-dynamic");
        QByteArray v1 = readAll(im.image);
        const std::uint32_t blocks = get32(v1, kBlocks), offBlocks = get32(v1, kOffBlocks),
                            offData = get32(v1, kOffData), bs = get32(v1, kBlockSize);
        QByteArray v0(72 + 348, '\0');
        std::memcpy(v0.data(), v1.constData(), 64);
        set32(v0, 0x40, 0xbeda107f);
        set32(v0, 0x44, 0x00000002); // version 0.2
        set32(v0, 0x48, 1);          // type normal
        set64(v0, 0x48 + 280, get64(v1, kDiskSize));
        set32(v0, 0x48 + 288, bs);
        set32(v0, 0x48 + 292, blocks);
        set32(v0, 0x48 + 296, get32(v1, kAllocated));
        std::memcpy(v0.data() + 0x48 + 300, v1.constData() + kUuidCreate, 32);
        v0.append(v1.mid(offBlocks, blocks * 4));
        v0.append(v1.mid(offData));
        QTemporaryDir tmp;
        QVERIFY(writeAll(tmp.filePath("v0.vdi"), v0));
        auto r = openVdi(tmp.filePath("v0.vdi"));
        QVERIFY2(r, r ? "" : r.error().describe().c_str());
        QCOMPARE(detail((*r)->info(), "version"), QString("0.2"));
        QString diff = testsupport::compareWithOracle(**r, im.oracle);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void blockExtraData() {
        // Same blocks, each preceded by 4 KiB of service data (cbBlockExtra), which must not leak into the
        // disk.
        auto im = fixture("vdi-dynamic");
        QByteArray src = readAll(im.image);
        const std::uint32_t offData = get32(src, kOffData), bs = get32(src, kBlockSize);
        const std::uint32_t extra = 4096;
        QByteArray out = src.left(offData);
        set32(out, kBlockExtra, extra);
        const qint64 stored = (src.size() - offData) / bs;
        for (qint64 i = 0; i < stored; ++i) {
            out.append(QByteArray(extra, char(0xee)));
            out.append(src.mid(offData + i * bs, bs));
        }
        QTemporaryDir tmp;
        QVERIFY(writeAll(tmp.filePath("extra.vdi"), out));
        auto r = openVdi(tmp.filePath("extra.vdi"));
        QVERIFY2(r, r ? "" : r.error().describe().c_str());
        QCOMPARE(detail((*r)->info(), "block_extra_data"), QString("4096"));
        QString diff = testsupport::compareWithOracle(**r, im.oracle);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void zeroBlock() {
        // Mark a stored block (virtual block 8, which holds pattern data) as a zero block (0xfffffffe).
        auto im = fixture("vdi-dynamic");
        QByteArray img = readAll(im.image);
        const std::uint32_t offBlocks = get32(img, kOffBlocks);
        QVERIFY(get32(img, offBlocks + 8 * 4) < 0xfffffffe);
        set32(img, offBlocks + 8 * 4, 0xfffffffe);
        QByteArray oracle = readAll(im.oracle);
        QVERIFY(oracle.mid(8 * MiB, MiB).count('\0') != MiB);
        oracle.replace(8 * MiB, MiB, QByteArray(MiB, '\0'));
        QTemporaryDir tmp;
        QVERIFY(writeAll(tmp.filePath("z.vdi"), img));
        QVERIFY(writeAll(tmp.filePath("z.raw"), oracle));
        auto r = openVdi(tmp.filePath("z.vdi"));
        QVERIFY2(r, r ? "" : r.error().describe().c_str());
        auto e = (*r)->extent_at(8 * MiB + 5);
        QVERIFY(e);
        QCOMPARE(e->kind, ExtentKind::Zero);
        QCOMPARE(e->length, std::uint64_t(MiB - 5));
        auto u = (*r)->extent_at(MiB); // block 1 is free
        QVERIFY(u);
        QCOMPARE(u->kind, ExtentKind::Unallocated);
        QString diff = testsupport::compareWithOracle(**r, tmp.filePath("z.raw"));
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void differencingChain() {
        // VirtualBox layout: <VM>/base.vdi and <VM>/Snapshots/{uuid}.vdi. The overlay is a qemu-img dynamic
        // VDI written with qemu-io (whole blocks), then marked differencing (type 4) with the base's UUID as
        // linkage. Oracle: qemu-img's raw of the base with the same writes applied by qemu-io.
        auto im = fixture("vdi-dynamic");
        QTemporaryDir tmp;
        QVERIFY(QDir(tmp.path()).mkpath("VM/Snapshots"));
        const QString base = tmp.filePath("VM/base.vdi");
        const QString decoy = tmp.filePath("VM/other.vdi");
        const QString overlay = tmp.filePath("VM/Snapshots/{overlay}.vdi");
        const QString oracle = tmp.filePath("oracle.raw");
        QVERIFY(QFile::copy(im.image, base));
        QVERIFY(QFile::copy(fixture("vdi-static").image, decoy));
        QVERIFY(QFile::copy(im.oracle, oracle));
        QFile::setPermissions(oracle, QFile::ReadOwner | QFile::WriteOwner);
        auto c = testsupport::runTool("qemu-img", {"create", "-q", "-f", "vdi", overlay, "64M"});
        QCOMPARE(c.exitCode, 0);
        const QStringList writes{"write -P 0x5a 1M 1M", "write -P 0xa5 40M 1M", "write -P 0x11 63M 1M"};
        for (const QString& fmtFile : {QString("vdi|") + overlay, QString("raw|") + oracle}) {
            QStringList args{"-f", fmtFile.section('|', 0, 0)};
            for (const auto& w : writes)
                args << "-c" << w;
            args << fmtFile.section('|', 1);
            auto w = testsupport::runTool("qemu-io", args);
            QVERIFY2(w.exitCode == 0, w.err.constData());
        }
        // Mark block 8 (base data) as zero in the overlay: it reads zeros, not the base.
        auto z = testsupport::runTool("qemu-io", {"-f", "raw", "-c", "write -z 8M 1M", oracle});
        QCOMPARE(z.exitCode, 0);
        QByteArray ov = readAll(overlay), b = readAll(base);
        set32(ov, kType, 4);
        std::memcpy(ov.data() + kUuidLinkage, b.constData() + kUuidCreate, 16);
        std::memcpy(ov.data() + kUuidParentModify, b.constData() + kUuidModify, 16);
        QCOMPARE(get32(ov, get32(ov, kOffBlocks) + 8 * 4), 0xffffffffu);
        set32(ov, get32(ov, kOffBlocks) + 8 * 4, 0xfffffffe);
        QVERIFY(writeAll(overlay, ov));

        auto r = openVdi(overlay);
        QVERIFY2(r, r ? "" : r.error().describe().c_str());
        const ImageReader& reader = **r;
        QCOMPARE(QString::fromStdString(reader.info().subformat), QString("differencing"));
        QVERIFY(reader.backing() != nullptr);
        QCOMPARE(QFileInfo(QString::fromStdString(reader.backing()->name())).canonicalFilePath(),
                 QFileInfo(base).canonicalFilePath());
        QCOMPARE(chain_of(reader).size(), std::size_t(2));
        QVERIFY2(reader.info().warnings.empty(),
                 reader.info().warnings.empty() ? "" : reader.info().warnings.front().c_str());
        QString diff = testsupport::compareWithOracle(reader, oracle);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        // Extents through the chain: base data at 0, overlay data at 1M, zero block at 8M, base data at 9M.
        auto e0 = reader.extent_at(0);
        QVERIFY(e0 && e0->kind == ExtentKind::Data);
        auto e8 = reader.extent_at(8 * MiB);
        QVERIFY(e8 && e8->kind == ExtentKind::Zero);
        auto e9 = reader.extent_at(9 * MiB);
        QVERIFY(e9 && e9->kind == ExtentKind::Data);
        auto e30 = reader.extent_at(30 * MiB);
        QVERIFY(e30 && e30->kind == ExtentKind::Unallocated);

        // Without its parent, the differencing image is refused with the parent UUID and what to do.
        QTemporaryDir alone;
        QVERIFY(QFile::copy(overlay, alone.filePath("snap.vdi")));
        QString err = openError(alone.filePath("snap.vdi"));
        QVERIFY(!err.isEmpty());
        QVERIFY2(err.contains("differencing") && err.contains("clonemedium"), qPrintable(err));
        QVERIFY2(err.contains(detail((*openVdi(base))->info(), "uuid")), qPrintable(err));
    }

    void differencingSelfLoop() {
        // A differencing image whose linkage UUID is its own creation UUID, next to a copy of itself: must
        // end in an error (loop or missing parent), not recursion.
        auto im = fixture("vdi-dynamic");
        QTemporaryDir tmp;
        QByteArray ov = readAll(im.image);
        set32(ov, kType, 4);
        std::memcpy(ov.data() + kUuidLinkage, ov.constData() + kUuidCreate, 16);
        QVERIFY(writeAll(tmp.filePath("a.vdi"), ov));
        QVERIFY(writeAll(tmp.filePath("b.vdi"), ov));
        OpenContext ctx = makeContext();
        ctx.max_chain_depth = 8;
        auto f = FileSource::open(tmp.filePath("a.vdi").toStdString());
        QVERIFY(f);
        ctx.chain.push_back(std::filesystem::weakly_canonical(tmp.filePath("a.vdi").toStdString()).string());
        auto r = open_vdi(*f, ctx);
        QVERIFY(!r);
        QVERIFY2(QString::fromStdString(r.error().message).contains("loop") ||
                     QString::fromStdString(r.error().message).contains("deeper"),
                 r.error().describe().c_str());
    }

    void hostile_data() {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("expect");
        QTest::newRow("truncated-map") << "truncated-map"
                                       << "extends past the end";
        QTest::newRow("entry-past-eof") << "entry-past-eof"
                                        << "past the end of the file";
        QTest::newRow("duplicate-entries") << "duplicate-entries"
                                           << "both point to stored block";
        QTest::newRow("absurd-disk-size") << "absurd-disk-size"
                                          << "absurd";
        QTest::newRow("blocks-do-not-cover") << "blocks-do-not-cover"
                                             << "does not cover";
        QTest::newRow("huge-block-count") << "huge-block-count"
                                          << "inside the block map";
        QTest::newRow("block-size-not-pow2") << "block-size-not-pow2"
                                             << "power of two";
        QTest::newRow("block-size-zero") << "block-size-zero"
                                         << "power of two";
        QTest::newRow("extra-not-pow2") << "extra-not-pow2"
                                        << "extra data";
        QTest::newRow("bad-version") << "bad-version"
                                     << "unsupported VDI version 2.0";
        QTest::newRow("bad-type") << "bad-type"
                                  << "unknown VDI image type";
        QTest::newRow("small-header-size") << "small-header-size"
                                           << "header size";
        QTest::newRow("map-in-header") << "map-in-header"
                                       << "inside the header";
        QTest::newRow("truncated-header") << "truncated-header"
                                          << "truncated";
        QTest::newRow("pre-header-only") << "pre-header-only"
                                         << "truncated";
        QTest::newRow("empty") << "empty"
                               << "truncated";
        QTest::newRow("data-cut") << "data-cut"
                                  << "past the end of the file";
        QTest::newRow("zero-disk-size") << "zero-disk-size"
                                        << "zero";
    }
    void hostile() {
        QFETCH(QString, what);
        QFETCH(QString, expect);
        QByteArray b = readAll(fixture("vdi-dynamic").image);
        const std::uint32_t offBlocks = get32(b, kOffBlocks);
        if (what == "truncated-map") b.truncate(offBlocks + 10);
        if (what == "entry-past-eof") set32(b, offBlocks, 100000);
        if (what == "duplicate-entries") set32(b, offBlocks + 4 * 8, get32(b, offBlocks));
        if (what == "absurd-disk-size") set64(b, kDiskSize, std::uint64_t(1) << 62);
        if (what == "blocks-do-not-cover") set64(b, kDiskSize, std::uint64_t(65) * MiB);
        if (what == "huge-block-count") set32(b, kBlocks, 0xfffffff0u);
        if (what == "block-size-not-pow2") set32(b, kBlockSize, 3000);
        if (what == "block-size-zero") set32(b, kBlockSize, 0);
        if (what == "extra-not-pow2") set32(b, kBlockExtra, 1000);
        if (what == "bad-version") set32(b, 0x44, 0x00020000);
        if (what == "bad-type") set32(b, kType, 9);
        if (what == "small-header-size") set32(b, 0x48, 100);
        if (what == "map-in-header") set32(b, kOffBlocks, 0x100);
        if (what == "truncated-header") b.truncate(0x100);
        if (what == "pre-header-only") b.truncate(0x48);
        if (what == "empty") b.clear();
        if (what == "data-cut") b.truncate(b.size() - 100);
        if (what == "zero-disk-size") set64(b, kDiskSize, 0);
        QTemporaryDir tmp;
        QVERIFY(writeAll(tmp.filePath("bad.vdi"), b));
        QString err = openError(tmp.filePath("bad.vdi"));
        QVERIFY2(!err.isEmpty(), "corrupt image was accepted");
        QVERIFY2(err.contains(expect), qPrintable(err));
        QVERIFY2(err.contains("bad.vdi"), qPrintable(err));
    }

    void readsPastTheEnd() {
        auto r = openVdi(fixture("vdi-dynamic").image);
        QVERIFY(r);
        std::vector<std::uint8_t> buf(4096);
        QVERIFY(!(*r)->read_at((*r)->size() - 100, buf));
        QVERIFY(!(*r)->read_at(~std::uint64_t{0} - 10, buf));
        QVERIFY(!(*r)->extent_at((*r)->size()));
        QVERIFY((*r)->read_at((*r)->size() - 4096, buf));
    }

    void concurrentReads() {
        auto im = fixture("vdi-dynamic");
        auto r = openVdi(im.image);
        QVERIFY(r);
        const ImageReader& reader = **r;
        const QByteArray oracle = readAll(im.oracle);
        QCOMPARE(qint64(oracle.size()), qint64(reader.size()));
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 6; ++t)
            threads.emplace_back([&, t] {
                std::uint64_t seed = 0x9e3779b97f4a7c15ULL * std::uint64_t(t + 1);
                std::vector<std::uint8_t> buf;
                for (int k = 0; k < 400; ++k) {
                    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                    std::uint64_t off = (seed >> 17) % reader.size();
                    std::size_t n = std::size_t(
                        std::min<std::uint64_t>(1 + (seed >> 45) % (3 * MiB), reader.size() - off));
                    buf.resize(n);
                    if (!reader.read_at(off, buf) ||
                        std::memcmp(buf.data(), oracle.constData() + off, n) != 0)
                        ++failures;
                    if (!reader.extent_at(off)) ++failures;
                }
            });
        for (auto& th : threads)
            th.join();
        QCOMPARE(failures.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestVdi)
#include "test_vdi.moc"
