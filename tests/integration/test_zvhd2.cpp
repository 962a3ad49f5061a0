// ZVHD2 and ZVHD: the golden files the cloud's own driver wrote (../shared/testdata/zvhd2, expected.json:
// what the driver reads back) read exactly by our readers; every fixture format converted to ZVHD2 (zstd and
// zlib) by imgprep's writer, its layout and payloads checked by the test's own parser and decoder
// (tests/support/zvhd2_testutil.h), and read back by our reader equal to `qemu-img convert -O raw` of the
// source; odd sizes, all-zero disks, thread counts, cancel and a full filesystem; the CLI with --verify,
// --compress and the manifest; ZVHD2 → RAW; a ready Windows image in ZVHD2 is `ready`.
#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "convert/zvhd2_writer.h"
#include "image/open.h"
#include "testsupport.h"
#include "util/sha256.h"
#include "zvhd2_testutil.h"

using namespace testsupport;

namespace {

constexpr quint64 MiB = 1u << 20;

// SHA-256 (hex) of [0, length) of a virtual disk, read through the reader in pieces of `piece` bytes.
QByteArray readerSha(const imgprep::ImageReader& r, quint64 length, quint64 piece, QString* err) {
    imgprep::Sha256 h;
    std::vector<std::uint8_t> buf;
    for (quint64 off = 0; off < length; off += piece) {
        buf.resize(std::size_t(qMin(piece, length - off)));
        auto st = r.read_at(off, buf);
        if (!st) {
            *err = QString::fromStdString(st.error().describe());
            return {};
        }
        h.update(buf);
    }
    return QByteArray::fromStdString(h.finish_hex());
}

QString detail(const imgprep::ImageReader& r, const std::string& key) {
    for (const auto& [k, v] : r.info().details)
        if (k == key) return QString::fromStdString(v);
    return {};
}

// A raw file of `size` bytes (sparse) with the given pieces written.
bool writeRaw(const QString& path, quint64 size, const QList<QPair<quint64, QByteArray>>& pieces) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || !f.resize(qint64(size))) return false;
    for (const auto& [off, bytes] : pieces) {
        if (!f.seek(qint64(off)) || f.write(bytes) != bytes.size()) return false;
    }
    return true;
}

// Deterministic bytes: half text-like (compressible), half pseudo-random.
QByteArray pattern(int n, quint64 seed) {
    QByteArray b(n, '\0');
    for (int i = 0; i < n; ++i) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        b[i] = (i / 4096) % 2 ? char(seed >> 56) : char('a' + (i * 7 + int(seed >> 60)) % 26);
    }
    return b;
}

QJsonObject readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

quint64 roundUp(quint64 v, quint64 to) {
    return (v + to - 1) / to * to;
}

} // namespace

class TestZvhd2 : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;
    QString fixture(const QString& name) { return findFixtureImage(name).image; }
    QString oracleOf(const QString& name) { return findFixtureImage(name).oracle; }
    // Writes src (an image path) to out with imgprep's writer; returns "" or the error.
    QString write(const QString& src, const QString& out, imgprep::zvhd::Method m, unsigned threads = 0) {
        return zvhd2test::writeWithImgprep(src, out, m, threads);
    }

  private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    // ----- the driver's own files
    // -----------------------------------------------------------------------------

    void golden_data() {
        QTest::addColumn<QString>("name");
        if (sharedDir().isEmpty()) return;
        const QJsonObject files = readJson(sharedDir() + "/testdata/zvhd2/expected.json")["files"].toObject();
        for (auto it = files.begin(); it != files.end(); ++it)
            QTest::newRow(it.key().toUtf8()) << it.key();
    }
    void golden() {
        if (sharedDir().isEmpty()) QSKIP("../shared/testdata is absent");
        QFETCH(QString, name);
        const QJsonObject e =
            readJson(sharedDir() + "/testdata/zvhd2/expected.json")["files"].toObject()[name].toObject();
        const QString path = sharedDir() + "/testdata/zvhd2/" + name;
        auto img = imgprep::open_image(path.toStdString());
        QVERIFY2(img.ok(), img.ok() ? "" : img.error().describe().c_str());
        const imgprep::ImageReader& r = **img;
        QCOMPARE(QString::fromStdString(r.info().format), e["format"].toString());
        QCOMPARE(r.size(), quint64(e["driver_virtual_size"].toInteger()));
        QCOMPARE(detail(r, "orig_size"), QString::number(e["orig_size"].toInteger()));
        if (e["non_zero_blocks"].isString())
            QCOMPARE(detail(r, "stored_blocks"), e["non_zero_blocks"].toString());
        QVERIFY2(r.info().warnings.empty(),
                 r.info().warnings.empty() ? "" : r.info().warnings.front().c_str());
        QString err;
        QCOMPARE(readerSha(r, r.size(), 4 * MiB, &err), e["driver_raw_sha256"].toString().toUtf8());
        QVERIFY2(err.isEmpty(), qPrintable(err));
        const quint64 orig = quint64(e["orig_size"].toInteger());
        QCOMPARE(readerSha(r, orig, 3 * MiB + 4096 + 17, &err), e["orig_raw_sha256"].toString().toUtf8());
        QVERIFY2(err.isEmpty(), qPrintable(err));

        // Whole blocks in reverse order and partial reads anywhere give the same bytes as an ascending read
        // (for ZVHD: decoding restarts from inflate checkpoints).
        // Stored blocks read in reverse order equal an ascending read.
        const quint64 blocks = orig / zvhd2test::kBlock;
        QVector<quint64> stored;
        QVERIFY(imgprep::for_each_extent(r, [&](const imgprep::Extent& x) {
                    if (x.kind == imgprep::ExtentKind::Data)
                        for (quint64 b = x.offset / zvhd2test::kBlock;
                             b * zvhd2test::kBlock < x.offset + x.length; ++b)
                            stored.append(b);
                    return true;
                }).ok());
        QCOMPARE(quint64(stored.size()), detail(r, "stored_blocks").toULongLong());
        QMap<quint64, QByteArray> forward;
        QByteArray buf(int(zvhd2test::kBlock), '\0');
        auto span = [](QByteArray& b, int n) {
            return std::span(reinterpret_cast<std::uint8_t*>(b.data()), std::size_t(n));
        };
        for (quint64 b : stored) {
            QVERIFY(r.read_at(b * zvhd2test::kBlock, span(buf, buf.size())).ok());
            forward[b] = QCryptographicHash::hash(buf, QCryptographicHash::Sha256);
        }
        for (auto it = stored.crbegin(); it != stored.crend(); ++it) {
            QVERIFY(r.read_at(*it * zvhd2test::kBlock, span(buf, buf.size())).ok());
            QCOMPARE(QCryptographicHash::hash(buf, QCryptographicHash::Sha256), forward[*it]);
        }
        quint64 seed = 99;
        QByteArray part;
        for (int k = 0; k < 60 && blocks; ++k) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            const quint64 b = (seed >> 20) % blocks;
            const quint64 in = (seed >> 8) % zvhd2test::kBlock;
            const int n = int(qMin<quint64>(1 + (seed >> 40) % 70000, zvhd2test::kBlock - in));
            part.resize(n);
            QVERIFY(r.read_at(b * zvhd2test::kBlock + in, span(part, n)).ok());
            QVERIFY(r.read_at(b * zvhd2test::kBlock, span(buf, buf.size())).ok());
            QCOMPARE(part, buf.mid(int(in), n));
        }
    }

    void goldenWindowsIsReady() {
        if (sharedDir().isEmpty()) QSKIP("../shared/testdata is absent");
        const QString path = sharedDir() + "/testdata/zvhd2/win2016-uefi-ready.zvhd2";
        auto r = runTool(cliPath(), {"check", path, "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject c = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(c["summary"].toObject()["verdict"].toString(), QString("ready"));
        QCOMPARE(c["image"].toObject()["format"].toString(), QString("zvhd2"));
        QCOMPARE(c["image"].toObject()["details"].toObject()["orig_size"].toString(), QString("1073741824"));
        QMap<QString, QString> st;
        for (const auto& v : c["checks"].toArray())
            st[v.toObject()["id"].toString()] = v.toObject()["status"].toString();
        QCOMPARE(st["image.format"], QString("pass"));
        QCOMPARE(st["image.size"], QString("pass"));
        auto ins = runTool(cliPath(), {"inspect", path, "--json"});
        QCOMPARE(ins.exitCode, 0);
        QVERIFY(QJsonDocument::fromJson(ins.out).object()["facts"].toObject()["windows"].isObject());
    }

    void goldenToRaw() {
        if (sharedDir().isEmpty()) QSKIP("../shared/testdata is absent");
        const QJsonObject files = readJson(sharedDir() + "/testdata/zvhd2/expected.json")["files"].toObject();
        for (const QString& name : {QString("g1-zlib.zvhd2"), QString("g1.zvhd")}) {
            const QString out = tmp_.filePath(name + ".raw");
            auto r = runTool(cliPath(), {"convert", sharedDir() + "/testdata/zvhd2/" + name, "--to", "raw",
                                         "--bitmap", "--verify", "-o", out, "--quiet"});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QCOMPARE(QFileInfo(out).size(), files[name].toObject()["driver_virtual_size"].toInteger());
            auto sum = runTool("sha256sum", {out});
            QCOMPARE(sum.out.left(64), files[name].toObject()["driver_raw_sha256"].toString().toUtf8());
            QFile::remove(out);
        }
    }

    // ----- imgprep's writer
    // -----------------------------------------------------------------------------------

    void fixtures_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("oracle");
        QTest::addColumn<int>("method");
        QTest::addColumn<unsigned>("threads");
        const auto list = readImageList(fixtureDir("images"));
        QVERIFY(!list.isEmpty());
        unsigned t = 0;
        for (const auto& f : list)
            for (int m : {1, 0})
                QTest::newRow(qPrintable(f.name + (m ? "-zstd" : "-zlib")))
                    << f.image << f.oracle << m << (t++ % 3 + 1);
    }
    void fixtures() {
        QFETCH(QString, image);
        QFETCH(QString, oracle);
        QFETCH(int, method);
        QFETCH(unsigned, threads);
        const QByteArray before = sha256OfFile(image);
        const QString out = tmp_.filePath(QFileInfo(image).completeBaseName().replace(' ', '_') + ".zvhd2");
        const QString err = write(image, out, imgprep::zvhd::Method(method), threads);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QVERIFY(!QFileInfo::exists(out + ".part"));
        // The layout and every payload, by the test's own parser and decoder, against qemu-img's content.
        const QString why = zvhd2test::checkZvhd2(out, oracle, method);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        // Read back by our reader: qemu-img's content, then zeros up to the 1 GiB rounding.
        auto img = imgprep::open_image(out.toStdString());
        QVERIFY2(img.ok(), img.ok() ? "" : img.error().describe().c_str());
        const quint64 osize = quint64(QFileInfo(oracle).size());
        QCOMPARE((*img)->size(), roundUp(roundUp(osize, 512), 1u << 30));
        QCOMPARE(detail(**img, "orig_size"), QString::number(roundUp(osize, 512)));
        QCOMPARE(QString::fromStdString((*img)->info().compression), QString(method ? "zstd" : "zlib"));
        const QString cmp = zvhd2test::compareZvhd2(**img, oracle);
        QVERIFY2(cmp.isEmpty(), qPrintable(cmp));
        QCOMPARE(sha256OfFile(image), before);
        QFile::remove(out);
    }

    void oddSizes_data() {
        QTest::addColumn<quint64>("size");
        QTest::newRow("1MiB+1000 (not a multiple of 512)") << quint64(MiB + 1000);
        QTest::newRow("2MiB exactly") << quint64(2 * MiB);
        QTest::newRow("2MiB+512") << quint64(2 * MiB + 512);
        QTest::newRow("100MiB+4KiB") << quint64(100 * MiB + 4096);
        QTest::newRow("1GiB+2MiB (two GiB virtual)") << quint64(1026 * MiB);
    }
    void oddSizes() {
        QFETCH(quint64, size);
        const QString raw = tmp_.filePath("odd.raw");
        QByteArray head = pattern(4096, size);
        head[510] = char(0x55); // an MBR signature: a raw disk of any size
        head[511] = char(0xaa);
        QVERIFY(writeRaw(raw, size,
                         {{0, head},
                          {size - qMin<quint64>(size, 5000), pattern(int(qMin<quint64>(size, 5000)), 7)},
                          {size / 2, pattern(3000, 9)}}));
        const QString out = tmp_.filePath("odd.zvhd2");
        QString err = write(raw, out, imgprep::zvhd::Method::Zstd);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        zvhd2test::Parsed p;
        const QString why = zvhd2test::checkZvhd2(out, raw, 1, &p);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QCOMPARE(p.trailer.origSize(), roundUp(size, 512));
        auto img = imgprep::open_image(out.toStdString());
        QVERIFY(img.ok());
        const QString cmp = zvhd2test::compareZvhd2(**img, raw);
        QVERIFY2(cmp.isEmpty(), qPrintable(cmp));
    }

    void allZeroDisk() {
        // 48 MiB of written (allocated) zeros: nothing stored; the file is header, mid footer, one bitmap
        // segment and the trailing footer, 16384 bytes, as the driver writes it (golden g4-allzero).
        const QString raw = tmp_.filePath("zero.raw");
        QVERIFY(writeRaw(raw, 48 * MiB, {{0, QByteArray(int(48 * MiB), '\0')}}));
        const QString out = tmp_.filePath("zero.zvhd2");
        QVERIFY(write(raw, out, imgprep::zvhd::Method::Zstd).isEmpty());
        QCOMPARE(QFileInfo(out).size(), qint64(16384));
        const QString why = zvhd2test::checkZvhd2(out, raw, 1);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        auto img = imgprep::open_image(out.toStdString());
        QVERIFY(img.ok());
        QCOMPARE(detail(**img, "stored_blocks"), QString("0"));
    }

    void threadCountsGiveTheSameFile() {
        // Frames are written in block order whatever the number of threads: everything but the footers
        // (uuid, timestamp) is byte-identical.
        const QString raw = tmp_.filePath("many.raw");
        QList<QPair<quint64, QByteArray>> pieces;
        for (int b = 0; b < 40; ++b)
            if (b % 7 != 3)
                pieces.append(
                    {quint64(b) * 2 * MiB + quint64(b) * 333, pattern(int(MiB / 2 + b * 1000), quint64(b))});
        QVERIFY(writeRaw(raw, 80 * MiB, pieces));
        QByteArray first;
        for (unsigned t : {1u, 2u, 7u}) {
            const QString out = tmp_.filePath(QString("many%1.zvhd2").arg(t));
            QVERIFY(write(raw, out, imgprep::zvhd::Method::Zstd, t).isEmpty());
            zvhd2test::Parsed p;
            const QString why = zvhd2test::checkZvhd2(out, raw, 1, &p);
            QVERIFY2(why.isEmpty(), qPrintable(why));
            QCOMPARE(p.blocks.size(), 34);
            QFile f(out);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QByteArray all = f.readAll();
            all = all.mid(4096, int(p.dataEnd - 4096)) +
                  all.mid(int(p.dataEnd + 4096), all.size() - int(p.dataEnd) - 8192);
            if (first.isEmpty())
                first = all;
            else
                QVERIFY2(all == first, qPrintable(QString("%1 threads wrote other bytes").arg(t)));
        }
    }

    void estimate() {
        const QString image = fixture("qcow2-zstd");
        auto img = imgprep::open_image(image.toStdString());
        QVERIFY(img.ok());
        const QString out = tmp_.filePath("est.zvhd2");
        QVERIFY(write(image, out, imgprep::zvhd::Method::Zstd).isEmpty());
        // Sampling every data block gives the exact size (compression is deterministic).
        auto all = imgprep::estimate_zvhd2_size(**img, imgprep::zvhd::Method::Zstd, 1000);
        QVERIFY(all.ok());
        QCOMPARE(all->bytes, quint64(QFileInfo(out).size()));
        QVERIFY(all->upper_bound >= all->bytes);
        auto few = imgprep::estimate_zvhd2_size(**img, imgprep::zvhd::Method::Zstd, 3);
        QVERIFY(few.ok());
        QVERIFY2(few->bytes <= few->upper_bound && few->bytes > 0, qPrintable(QString::number(few->bytes)));
    }

    void cancelLeavesNothing() {
        const QString raw = tmp_.filePath("cancel.raw");
        QList<QPair<quint64, QByteArray>> pieces;
        for (int b = 0; b < 30; ++b)
            pieces.append({quint64(b) * 2 * MiB, pattern(4096, quint64(b))});
        QVERIFY(writeRaw(raw, 60 * MiB, pieces));
        auto img = imgprep::open_image(raw.toStdString());
        QVERIFY(img.ok());
        const QString out = tmp_.filePath("cancel.zvhd2");
        imgprep::Zvhd2WriteOptions o;
        o.output = out.toStdString();
        o.threads = 2;
        CancelAfter cancel(3);
        auto r = imgprep::write_zvhd2(**img, o, cancel);
        QVERIFY(!r.ok());
        QVERIFY2(QString::fromStdString(r.error().message).contains("cancelled"),
                 r.error().describe().c_str());
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(!QFileInfo::exists(out + ".part"));
    }

    void fullFilesystemLeavesNothing() {
        // RLIMIT_FSIZE of 1 MiB: the frames of the fixture's ~10 MiB of data do not fit.
        const QString out = tmp_.filePath("full.zvhd2");
        auto r = runTool("prlimit", {"--fsize=1048576", "--", cliPath(), "convert", fixture("qcow2-v3"),
                                     "--to", "zvhd2", "-o", out, "--compress", "zlib", "--quiet"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("imgprep: ") && r.err.contains("full.zvhd2"), r.err.constData());
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(!QFileInfo::exists(out + ".part"));
        QVERIFY(!QFileInfo::exists(tmp_.filePath("full.manifest.json")));
    }

    void cli() {
        const QString src = fixture("vmdk-streamOptimized");
        const QString out = tmp_.filePath("cli.zvhd2");
        auto r = runTool(cliPath(), {"convert", src, "--to", "zvhd2", "-o", out, "--verify", "--quiet"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("verified: output matches the source"), r.out.constData());
        const QJsonObject m = readJson(tmp_.filePath("cli.manifest.json"));
        QCOMPARE(m["schema"].toInt(), 1);
        QCOMPARE(m["target"].toString(), QString("zvhd2"));
        QCOMPARE(m["zvhd2"].toObject()["writer"].toString(), QString("imgprep"));
        QCOMPARE(m["zvhd2"].toObject()["compression"].toString(), QString("zstd"));
        QCOMPARE(m["zvhd2"].toObject()["orig_size"].toInteger(),
                 QFileInfo(oracleOf("vmdk-streamOptimized")).size());
        QVERIFY(m["verification"].toObject()["match"].toBool());
        const QJsonObject o = m["outputs"].toArray()[0].toObject();
        QCOMPARE(o["sha256"].toString().toUtf8(), sha256OfFile(out));
        QCOMPARE(o["size"].toInteger(), QFileInfo(out).size());
        QVERIFY(m["stats"].toObject()["threads"].toInt() >= 1);
        // The report shows the conversion with its ZVHD2 facts.
        const QString html = tmp_.filePath("cli.html");
        r = runTool(cliPath(),
                    {"report", out, "--manifest", tmp_.filePath("cli.manifest.json"), "--html", html});
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1, r.err.constData());
        QFile hf(html);
        QVERIFY(hf.open(QIODevice::ReadOnly));
        const QByteArray page = hf.readAll();
        QVERIFY(page.contains("written by imgprep, zstd;"));
        QVERIFY(page.contains("blocks of 2 MiB stored"));
        QVERIFY(page.contains("PASSED"));
        // Not overwritten without --force; --compress zlib writes compress_method 0.
        r = runTool(cliPath(), {"convert", src, "--to", "zvhd2", "-o", out, "--quiet"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--force"), r.err.constData());
        r = runTool(cliPath(), {"convert", src, "--to", "zvhd2", "-o", out, "--compress", "zlib", "--force",
                                "--threads", "3", "--quiet"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(zvhd2test::checkZvhd2(out, oracleOf("vmdk-streamOptimized"), 0).isEmpty());
        // Usage errors: exit 2, one line.
        for (const QStringList& bad : {QStringList{"--compress", "lzma"}, QStringList{"--threads", "0"},
                                       QStringList{"--compress", "zlib", "--qemu-img-hw", "/bin/true"}}) {
            r = runTool(cliPath(),
                        QStringList{"convert", src, "--to", "zvhd2", "-o", tmp_.filePath("u.zvhd2")} + bad);
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.trimmed().count('\n') == 0 && r.err.contains("convert:"), r.err.constData());
        }
        r = runTool(cliPath(),
                    {"convert", src, "--to", "raw", "--compress", "zstd", "-o", tmp_.filePath("u.raw")});
        QCOMPARE(r.exitCode, 2);
        // `info` on the output: what the cloud reports.
        r = runTool(cliPath(), {"info", out, "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject info = QJsonDocument::fromJson(r.out).object()["image"].toObject();
        QCOMPARE(info["format"].toString(), QString("zvhd2"));
        QCOMPARE(info["virtual_size"].toInteger(), qint64(1) << 30);
        QCOMPARE(info["compression"].toString(), QString("zlib"));
    }
};

QTEST_GUILESS_MAIN(TestZvhd2)
#include "test_zvhd2.moc"
