// imgprep's ZVHD2 against the cloud's own driver: the ZVHD2 oracle (../shared/tools/zvhd2-oracle:
// ims-qemu-img's zvhd2.c / zvhd.c compiled unmodified on a qemu 2.3 block-layer shim) named by
// IMGPREP_ZVHD2_ORACLE (the zvhd2-oracle binary; zvhd2-oracle-zlib beside it). Skips when the variable is
// unset.
//  - The driver reads imgprep's output exactly (zstd and zlib): `read --trim` equals the source; its `info`
//    finds every frame through its own bitmap and index lookup, the footers as its writer makes them.
//  - imgprep reads the driver's output exactly (zstd, zlib, and old ZVHD with many frames read out of order).
//  - A sparse disk over 64 GiB with more than 32768 stored blocks: 2 bitmap segments and 2 index segments.
#include <QtTest>

#include <QTemporaryDir>

#include <fcntl.h>
#include <unistd.h>

#include "convert/zvhd2_writer.h"
#include "image/open.h"
#include "testsupport.h"
#include "zvhd2_testutil.h"

using namespace testsupport;

namespace {

constexpr quint64 MiB = 1u << 20;

QString oracle() {
    return qEnvironmentVariable("IMGPREP_ZVHD2_ORACLE");
}
QString oracleZlib() {
    return QFileInfo(oracle()).absolutePath() + "/zvhd2-oracle-zlib";
}

// `key: value` lines of the oracle's output.
QMap<QString, QString> keyValues(const QByteArray& out) {
    QMap<QString, QString> m;
    for (const QByteArray& line : out.split('\n')) {
        const int c = line.indexOf(": ");
        if (c > 0) m.insert(QString::fromUtf8(line.left(c)), QString::fromUtf8(line.mid(c + 2)));
    }
    return m;
}

bool writeRaw(const QString& path, quint64 size, const QList<QPair<quint64, QByteArray>>& pieces) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || !f.resize(qint64(size))) return false;
    for (const auto& [off, bytes] : pieces)
        if (!f.seek(qint64(off)) || f.write(bytes) != bytes.size()) return false;
    return true;
}

QByteArray pattern(int n, quint64 seed) {
    QByteArray b(n, '\0');
    for (int i = 0; i < n; ++i) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        b[i] = (i / 4096) % 2 ? char(seed >> 56) : char('a' + (i * 7 + int(seed >> 60)) % 26);
    }
    return b;
}

// Byte equality of two (sparse) files over the longer length, the shorter one read as zeros past its end;
// reads only where either file has data (SEEK_DATA / SEEK_HOLE), so 64 GiB sparse files compare quickly.
QString sparseEqual(const QString& a, const QString& b) {
    const int fa = ::open(a.toLocal8Bit().constData(), O_RDONLY);
    const int fb = ::open(b.toLocal8Bit().constData(), O_RDONLY);
    auto closer = qScopeGuard([&] {
        if (fa >= 0) ::close(fa);
        if (fb >= 0) ::close(fb);
    });
    if (fa < 0 || fb < 0) return "cannot open " + a + " or " + b;
    const off_t sa = ::lseek(fa, 0, SEEK_END), sb = ::lseek(fb, 0, SEEK_END);
    const off_t size = std::max(sa, sb);
    auto readAt = [](int fd, off_t fsize, off_t off, QByteArray& buf, qsizetype want) {
        std::memset(buf.data(), 0, size_t(want));
        if (off >= fsize) return;
        const qsizetype n = qsizetype(std::min<off_t>(want, fsize - off));
        if (::pread(fd, buf.data(), size_t(n), off) != n) std::memset(buf.data(), 1, size_t(want));
    };
    QByteArray x(int(MiB), '\0'), y(int(MiB), '\0');
    off_t pos = 0;
    while (pos < size) {
        off_t na = sa > pos ? ::lseek(fa, pos, SEEK_DATA) : -1;
        off_t nb = sb > pos ? ::lseek(fb, pos, SEEK_DATA) : -1;
        if (na < 0) na = size;
        if (nb < 0) nb = size;
        const off_t start = std::min(na, nb);
        if (start >= size) break;
        off_t ha = start < sa ? ::lseek(fa, start, SEEK_HOLE) : start;
        off_t hb = start < sb ? ::lseek(fb, start, SEEK_HOLE) : start;
        // The run where either has data: up to the first hole of the one whose data starts here.
        off_t end = std::max(na == start ? ha : start, nb == start ? hb : start);
        end = std::min<off_t>(std::max(end, start + 1), size);
        for (off_t off = start; off < end; off += off_t(x.size())) {
            const qsizetype n = qsizetype(std::min<off_t>(x.size(), end - off));
            readAt(fa, sa, off, x, n);
            readAt(fb, sb, off, y, n);
            if (std::memcmp(x.constData(), y.constData(), size_t(n)) != 0) {
                qsizetype i = 0;
                while (x[i] == y[i])
                    ++i;
                return QString("%1 and %2 differ at offset %3").arg(a, b).arg(off + i);
            }
        }
        pos = end;
    }
    return {};
}

QString detail(const imgprep::ImageReader& r, const std::string& key) {
    for (const auto& [k, v] : r.info().details)
        if (k == key) return QString::fromStdString(v);
    return {};
}

} // namespace

class TestZvhd2Oracle : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;
    QString ours(const QString& src, const QString& out, imgprep::zvhd::Method m, unsigned threads = 2) {
        return zvhd2test::writeWithImgprep(src, out, m, threads);
    }

  private slots:
    void initTestCase() {
        if (oracle().isEmpty()) QSKIP("IMGPREP_ZVHD2_ORACLE is not set (path of the zvhd2-oracle binary)");
        QVERIFY2(QFileInfo(oracle()).isExecutable(), qPrintable(oracle()));
        QVERIFY2(QFileInfo(oracleZlib()).isExecutable(), qPrintable(oracleZlib()));
        QVERIFY(tmp_.isValid());
    }

    void driverReadsOurs_data() {
        QTest::addColumn<QString>("source"); // an image path or "raw:SIZE"
        QTest::addColumn<int>("method");
        for (int m : {1, 0}) {
            const char* c = m ? "-zstd" : "-zlib";
            for (const char* f : {"raw", "qcow2-zstd", "vmdk-streamOptimized", "vpc-dynamic", "vdi-dynamic"})
                QTest::newRow(qPrintable(QString(f) + c)) << QString(f) << m;
            QTest::newRow(qPrintable(QString("odd-1MiB+1000") + c)) << QString("raw:%1").arg(MiB + 1000) << m;
            QTest::newRow(qPrintable(QString("odd-100MiB+4KiB") + c))
                << QString("raw:%1").arg(100 * MiB + 4096) << m;
            QTest::newRow(qPrintable(QString("all-zero-48MiB") + c)) << QString("zero:%1").arg(48 * MiB) << m;
        }
    }
    void driverReadsOurs() {
        QFETCH(QString, source);
        QFETCH(int, method);
        QString image, content;
        if (source.startsWith("raw:") || source.startsWith("zero:")) {
            const quint64 size = source.section(':', 1).toULongLong();
            image = content = tmp_.filePath(source.replace(':', '-') + ".raw");
            QByteArray head = source.startsWith("zero") ? QByteArray(4096, '\0') : pattern(4096, size);
            if (!source.startsWith("zero")) {
                head[510] = char(0x55);
                head[511] = char(0xaa);
            }
            QVERIFY(writeRaw(
                image, size,
                {{0, head},
                 {size / 2, source.startsWith("zero") ? QByteArray(3000, '\0') : pattern(3000, 3)}}));
        } else {
            const FixtureImage f = findFixtureImage(source);
            image = f.image;
            content = f.oracle;
        }
        QVERIFY(!image.isEmpty());
        const QString out = tmp_.filePath(QTest::currentDataTag() + QString(".zvhd2"));
        const QString err = ours(image, out, imgprep::zvhd::Method(method));
        QVERIFY2(err.isEmpty(), qPrintable(err));

        // The driver's read-back (qemu-img-hw convert -O raw, cut to orig_size) equals the source's content.
        const QString back = tmp_.filePath("back.raw");
        auto r = runTool(oracle(), {"read", "--trim", out, back}, 600000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        auto kv = keyValues(r.out);
        const quint64 size = quint64(QFileInfo(content).size());
        QCOMPARE(kv["orig_size"].toULongLong(), (size + 511) / 512 * 512);
        const quint64 orig = (size + 511) / 512 * 512;
        QCOMPARE(kv["virtual_size"].toULongLong(), (orig + (1u << 30) - 1) / (1u << 30) * (1u << 30));
        const QString eq = sparseEqual(back, content);
        QVERIFY2(eq.isEmpty(), qPrintable(eq));

        // The driver's own view: every frame found through its bitmap + index lookup, consistent; footers as
        // its writer makes them (the same fields as a file the driver writes itself from the same source, but
        // uuid, timestamp, checksum and the metadata offsets, which depend on compressed sizes).
        r = runTool(oracle(), {"info", "--blocks", out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        kv = keyValues(r.out);
        QCOMPARE(kv["format"], QString("zvhd2"));
        QCOMPARE(kv["blocks.inconsistent"], QString("0"));
        QCOMPARE(kv["footer.checksum_ok"], QString("yes"));
        QCOMPARE(kv["header.checksum_ok"], QString("yes"));
        QCOMPARE(kv["midfooter.checksum_ok"], QString(kv["footer.non_zero_blk_num"] == "0" ? "yes" : "no"));
        QCOMPARE(kv["walk.frames"], kv["footer.non_zero_blk_num"]);
        QCOMPARE(kv["blocks.present"], kv["footer.non_zero_blk_num"]);
        QVERIFY(kv["walk.stopped_on"].startsWith("\"z2strm"));

        // The same source written by the driver itself (through a raw copy of the content).
        const QString theirs = tmp_.filePath("theirs.zvhd2");
        r = runTool(method ? oracle() : oracleZlib(), {"write", content, theirs}, 600000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runTool(oracle(), {"info", "--blocks", theirs});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto tkv = keyValues(r.out);
        for (auto it = tkv.begin(); it != tkv.end(); ++it) {
            const QString& k = it.key();
            if (!(k.startsWith("footer.") || k.startsWith("header.") || k.startsWith("midfooter.")) ||
                k.endsWith(".uuid") || k.endsWith(".timestamp") || k.contains("checksum") ||
                k.endsWith("_lba") || k.endsWith(".offset"))
                continue;
            QVERIFY2(kv.value(k) == it.value(),
                     qPrintable(QString("%1: ours %2, the driver's %3").arg(k, kv.value(k), it.value())));
        }
        // The same blocks stored.
        QStringList ourBlocks, theirBlocks;
        for (const QByteArray& l : runTool(oracle(), {"info", "--blocks", out}).out.split('\n'))
            if (l.startsWith("block ")) ourBlocks << QString::fromUtf8(l).section(QLatin1Char(58), 0, 0);
        for (const QByteArray& l : r.out.split('\n'))
            if (l.startsWith("block ")) theirBlocks << QString::fromUtf8(l).section(QLatin1Char(58), 0, 0);
        QCOMPARE(ourBlocks, theirBlocks);
        // And imgprep reads the driver's file exactly.
        auto img = imgprep::open_image(theirs.toStdString());
        QVERIFY2(img.ok(), img.ok() ? "" : img.error().describe().c_str());
        const QString cmp = zvhd2test::compareZvhd2(**img, content);
        QVERIFY2(cmp.isEmpty(), qPrintable(cmp));
        QFile::remove(back);
        QFile::remove(out);
        QFile::remove(theirs);
    }

    void oldZvhdManyFrames() {
        // 60 blocks with data over 200 MiB, written by the driver's ZVHD writer (one zlib stream); read in
        // ascending, descending and scattered order (checkpoints every 8 frames).
        const QString raw = tmp_.filePath("zvhd-src.raw");
        QList<QPair<quint64, QByteArray>> pieces;
        for (int b = 0; b < 100; ++b)
            if (b % 5 != 2)
                pieces.append({quint64(b) * 2 * MiB + quint64(b) * 4097, pattern(int(MiB / 4), quint64(b))});
        QVERIFY(writeRaw(raw, 200 * MiB, pieces));
        const QString z = tmp_.filePath("many.zvhd");
        auto r = runTool(oracle(), {"-f", "zvhd", "write", raw, z}, 600000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        auto img = imgprep::open_image(z.toStdString());
        QVERIFY2(img.ok(), img.ok() ? "" : img.error().describe().c_str());
        QCOMPARE(QString::fromStdString((*img)->info().format), QString("zvhd"));
        QCOMPARE(detail(**img, "stored_blocks"), QString("80"));
        const QString cmp = zvhd2test::compareZvhd2(**img, raw);
        QVERIFY2(cmp.isEmpty(), qPrintable(cmp));
        QFile f(raw);
        QVERIFY(f.open(QIODevice::ReadOnly));
        std::vector<std::uint8_t> buf(2 * MiB);
        QList<int> order;
        for (int b = 99; b >= 0; --b)
            order << b;
        for (int k = 0; k < 100; ++k)
            order << int((k * 37 + 11) % 100);
        for (int b : order) {
            QVERIFY((*img)->read_at(quint64(b) * 2 * MiB, buf).ok());
            f.seek(qint64(b) * qint64(2 * MiB));
            const QByteArray want = f.read(qint64(2 * MiB));
            QVERIFY2(std::memcmp(buf.data(), want.constData(), buf.size()) == 0,
                     qPrintable(QString("block %1").arg(b)));
        }
    }

    void sparseOver64GiB() {
        // 34000 blocks of 2 MiB (66.4 GiB); blocks 1..33499 hold 16 bytes: 2 bitmap segments (> 32768 blocks)
        // and 33499 stored blocks (> 32768 index entries: 2 index segments). The driver reads it back
        // exactly.
        const quint64 blocks = 34000;
        const QString raw = tmp_.filePath("big.raw");
        {
            QFile f(raw);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.resize(qint64(blocks * 2 * MiB)));
            for (quint64 b = 1; b < 33500; ++b) {
                QByteArray v(16, '\0');
                qToLittleEndian<quint64>(b * 0x9e3779b97f4a7c15ULL, v.data());
                qToLittleEndian<quint64>(b, v.data() + 8);
                f.seek(qint64(b * 2 * MiB + (b % 512) * 4096));
                f.write(v);
            }
        }
        const QString out = tmp_.filePath("big.zvhd2");
        QElapsedTimer t;
        t.start();
        const QString err = ours(raw, out, imgprep::zvhd::Method::Zstd);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        qInfo() << "imgprep wrote the 66 GiB sparse disk in" << t.elapsed() << "ms";
        zvhd2test::Parsed p;
        const QString why = zvhd2test::checkZvhd2(out, QString(), 1, &p);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        auto r = runTool(oracle(), {"info", "--blocks", out}, 600000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto kv = keyValues(r.out);
        QCOMPARE(kv["footer.bitmap_seg_num"], QString("2"));
        QCOMPARE(kv["footer.index_seg_num"], QString("2"));
        QCOMPARE(kv["footer.non_zero_blk_num"], QString("33499"));
        QCOMPARE(kv["blocks.present"], QString("33499"));
        QCOMPARE(kv["blocks.inconsistent"], QString("0"));
        for (const char* b : {"block 1:", "block 32767:", "block 32768:", "block 32769:", "block 33499:"})
            QVERIFY2(r.out.contains(b), b);
        QVERIFY(!r.out.contains("block 33500:"));
        const QString back = tmp_.filePath("big-back.raw");
        t.restart();
        r = runTool(oracle(), {"read", out, back}, 1800000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        qInfo() << "the driver read it back in" << t.elapsed() << "ms";
        const QString eq = sparseEqual(back, raw);
        QVERIFY2(eq.isEmpty(), qPrintable(eq));
        QFile::remove(back);
        QFile::remove(raw);
        QFile::remove(out);
    }
};

QTEST_GUILESS_MAIN(TestZvhd2Oracle)
#include "test_zvhd2_oracle.moc"
