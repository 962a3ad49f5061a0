// Conversion to RAW (+ bitmap) for every fixture format: byte-identical to `qemu-img convert -O raw`, sparse,
// bitmap equal to an independent computation, --verify catching a flipped byte, .part handling on cancel and
// on a full filesystem (RLIMIT_FSIZE), --force, the source unchanged; ZVHD2 through a qemu-img-hw test double
// (--qemu-img-hw), and without it by imgprep itself (test_zvhd2 covers that writer).
#include <QtTest>

#include <QTemporaryDir>
#include <QtEndian>

#include <sys/stat.h>

#include "convert/bitmap.h"
#include "convert/raw_convert.h"
#include "convert/verify.h"
#include "image/open.h"
#include "testsupport.h"

using namespace testsupport;

namespace {

// The test's own simple reader: which 64 KiB blocks of a raw file hold a non-zero byte.
QVector<bool> independentBitmap(const QString& raw, qint64 block) {
    QFile f(raw);
    f.open(QIODevice::ReadOnly);
    QVector<bool> bits;
    while (!f.atEnd()) {
        QByteArray b = f.read(block);
        bits.append(b.count('\0') != b.size());
    }
    return bits;
}

// Parses the documented bitmap layout (docs/bitmap-format.md) by hand, independently of core/convert/bitmap.cpp.
bool parseBitmapFile(const QString& mf, quint64* blockSize, quint64* virtualSize, quint64* setBits,
                     QVector<bool>* bits) {
    QFile f(mf);
    if (!f.open(QIODevice::ReadOnly)) return false;
    QByteArray all = f.readAll();
    if (all.size() < 128 || !all.startsWith("IMGPREPM")) return false;
    auto u64 = [&](int off) { return qFromLittleEndian<quint64>(all.constData() + off); };
    *blockSize = u64(16);
    *virtualSize = u64(24);
    quint64 blocks = u64(32);
    *setBits = u64(40);
    QByteArray body = all.mid(128);
    if (quint64(body.size()) != (blocks + 7) / 8) return false;
    if (QCryptographicHash::hash(body, QCryptographicHash::Sha256) != all.mid(64, 32)) return false;
    bits->clear();
    for (quint64 i = 0; i < blocks; ++i) bits->append((quint8(body[int(i / 8)]) >> (i % 8)) & 1);
    return true;
}

qint64 allocatedBytes(const QString& path) {
    struct stat st {};
    if (::stat(path.toLocal8Bit().constData(), &st) != 0) return -1;
    return qint64(st.st_blocks) * 512;
}

} // namespace

class TestConvert : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    QString fixture(const QString& name) {
        for (const auto& f : readImageList(fixtureDir("images")))
            if (f.name == name) return f.image;
        return {};
    }

private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    void toRaw_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("oracle");
        const auto list = readImageList(fixtureDir("images"));
        QVERIFY(!list.isEmpty());
        for (const auto& f : list) QTest::newRow(f.name.toUtf8()) << f.image << f.oracle;
    }
    void toRaw() {
        QFETCH(QString, image);
        QFETCH(QString, oracle);
        const QByteArray before = sha256OfFile(image);
        auto img = imgprep::open_image(image.toStdString());
        QVERIFY2(img.ok(), img.ok() ? "" : img.error().describe().c_str());
        const QString out = tmp_.filePath(QFileInfo(image).completeBaseName().replace(' ', '_') + ".raw");
        imgprep::RawConvertOptions opt;
        opt.output = out.toStdString();
        opt.bitmap = true;
        opt.overwrite = true;
        auto r = imgprep::convert_to_raw(**img, opt, imgprep::null_progress());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().describe().c_str());
        // Byte-identical to qemu-img's output.
        auto cmp = runTool("cmp", {out, oracle});
        QVERIFY2(cmp.exitCode == 0, cmp.out.constData());
        // Sparse: allocated blocks ≤ non-zero data of the oracle (4 KiB granularity) + slack.
        qint64 nonZero4k = 0;
        for (bool b : independentBitmap(oracle, 4096)) nonZero4k += b ? 4096 : 0;
        QVERIFY2(allocatedBytes(out) <= nonZero4k + (1 << 20),
                 qPrintable(QString("output allocates %1 bytes, data is %2").arg(allocatedBytes(out)).arg(nonZero4k)));
        // Bitmap equals the independent computation.
        quint64 bs = 0, vs = 0, setBits = 0;
        QVector<bool> bits;
        const QString mf = out.left(out.size() - 4) + ".mf";
        QVERIFY2(parseBitmapFile(mf, &bs, &vs, &setBits, &bits), qPrintable("bad bitmap file " + mf));
        QCOMPARE(bs, quint64(imgprep::kDefaultBitmapBlock));
        QCOMPARE(vs, quint64(QFileInfo(oracle).size()));
        QVector<bool> expect = independentBitmap(oracle, qint64(bs));
        QCOMPARE(bits, expect);
        QCOMPARE(setBits, quint64(expect.count(true)));
        // Jobs of other sizes (cut inside clusters and grains, across extents of different kinds) and more
        // threads give the same bytes.
        for (std::uint64_t chunk : {std::uint64_t(12) << 10, std::uint64_t(3) << 20}) {
            imgprep::RawConvertOptions o2;
            o2.output = out.toStdString();
            o2.overwrite = true;
            o2.chunk = chunk;
            o2.threads = 3;
            o2.sync = false;
            auto r2 = imgprep::convert_to_raw(**img, o2, imgprep::null_progress());
            QVERIFY2(r2.ok(), r2.ok() ? "" : r2.error().describe().c_str());
            QCOMPARE(r2->bytes_written, r->bytes_written);
            auto cmp2 = runTool("cmp", {out, oracle});
            QVERIFY2(cmp2.exitCode == 0, qPrintable(QString("chunk %1: %2").arg(chunk).arg(QString(cmp2.out))));
        }
        QCOMPARE(sha256OfFile(image), before);
        QFile::remove(out);
        QFile::remove(mf);
    }

    void verifyCatchesFlippedByte() {
        const QString image = fixture("qcow2-v3");
        auto img = imgprep::open_image(image.toStdString());
        QVERIFY(img.ok());
        const QString out = tmp_.filePath("flip.raw");
        imgprep::RawConvertOptions opt;
        opt.output = out.toStdString();
        QVERIFY(imgprep::convert_to_raw(**img, opt, imgprep::null_progress()).ok());
        auto v = imgprep::verify_raw_output(**img, out.toStdString(), imgprep::null_progress());
        QVERIFY(v.ok());
        QVERIFY(v->match);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(8 * 1024 * 1024 + 12345);
        char c;
        f.getChar(&c);
        f.seek(8 * 1024 * 1024 + 12345);
        f.putChar(char(c ^ 0x01));
        f.close();
        v = imgprep::verify_raw_output(**img, out.toStdString(), imgprep::null_progress());
        QVERIFY(v.ok());
        QVERIFY(!v->match);
        // The standalone bitmap verifier notices a changed block too (a byte written into a hole).
        auto mk = runTool(cliPath(), {"bitmap", out, "-o", tmp_.filePath("flip.mf"), "--quiet"});
        QCOMPARE(mk.exitCode, 0);
        QCOMPARE(runTool(cliPath(), {"bitmap", "--verify", out, tmp_.filePath("flip.mf"), "--quiet"}).exitCode, 0);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(3 * 1024 * 1024 + 100); // inside the pattern's hole
        f.putChar('x');
        f.close();
        auto bad = runTool(cliPath(), {"bitmap", "--verify", out, tmp_.filePath("flip.mf"), "--quiet"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("does NOT match"), bad.err.constData());
    }

    void cancelLeavesNothing() {
        auto img = imgprep::open_image(fixture("qcow2-zlib").toStdString());
        QVERIFY(img.ok());
        const QString out = tmp_.filePath("cancel.raw");
        imgprep::RawConvertOptions opt;
        opt.output = out.toStdString();
        opt.bitmap = true;
        opt.chunk = 1 << 20;
        CancelAfter cancel(2);
        auto r = imgprep::convert_to_raw(**img, opt, cancel);
        QVERIFY(!r.ok());
        QVERIFY2(QString::fromStdString(r.error().message).contains("cancelled"), r.error().describe().c_str());
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(!QFileInfo::exists(out + ".part"));
        QVERIFY(!QFileInfo::exists(tmp_.filePath("cancel.mf")));
        QVERIFY(!QFileInfo::exists(tmp_.filePath("cancel.mf.part")));
    }

    void fullFilesystemLeavesNothing() {
        // RLIMIT_FSIZE of 8 MiB: writes past it fail with EFBIG mid-way (SIGXFSZ is ignored by the CLI).
        const QString out = tmp_.filePath("full.raw");
        auto r = runTool("prlimit", {"--fsize=8388608", "--", cliPath(), "convert", fixture("vmdk-monolithicSparse"),
                                     "--to", "raw", "--bitmap", "-o", out, "--quiet"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.startsWith("imgprep: ") && r.err.contains("full.raw"), r.err.constData());
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(!QFileInfo::exists(out + ".part"));
        QVERIFY(!QFileInfo::exists(tmp_.filePath("full.mf")));
    }

    void forceAndManifest() {
        const QString out = tmp_.filePath("exists.raw");
        {
            QFile f(out);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("precious");
        }
        const QString src = fixture("vpc-dynamic");
        const QByteArray srcBefore = sha256OfFile(src);
        auto r = runTool(cliPath(), {"convert", src, "--to", "raw", "-o", out, "--quiet"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--force"), r.err.constData());
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("precious"));
        f.close();
        r = runTool(cliPath(), {"convert", src, "--to", "raw", "-o", out, "--force", "--bitmap", "--verify", "--quiet"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(runTool("cmp", {out, fixtureDir("images") + "/vpc-dynamic.oracle.raw"}).exitCode, 0);
        QFile m(tmp_.filePath("exists.manifest.json"));
        QVERIFY(m.open(QIODevice::ReadOnly));
        QJsonObject doc = QJsonDocument::fromJson(m.readAll()).object();
        QCOMPARE(doc["schema"].toInt(), 1);
        QCOMPARE(doc["target"].toString(), QString("raw"));
        QCOMPARE(doc["input"].toObject()["disk_format"].toString(), QString("vhd"));
        QVERIFY(doc["verification"].toObject()["match"].toBool());
        const QJsonArray outs = doc["outputs"].toArray();
        QCOMPARE(outs.size(), 2);
        QCOMPARE(outs[0].toObject()["sha256"].toString().toUtf8(), sha256OfFile(out));
        QCOMPARE(outs[1].toObject()["sha256"].toString().toUtf8(), sha256OfFile(tmp_.filePath("exists.mf")));
        QVERIFY(doc["bitmap"].toObject()["set_bits"].toInteger() > 0);
        QVERIFY(!doc["created"].toString().isEmpty());
        QCOMPARE(sha256OfFile(src), srcBefore);
    }

    void officialBitmapToolIsRun() {
        // --bitmap-tool runs `java -jar CreateMF.jar RAW MF`; a stand-in `java` on PATH records its arguments and
        // writes the .mf, or fails with a message that must be shown.
        const QString bin = tmp_.filePath("fakebin");
        QDir().mkpath(bin);
        {
            QFile j(bin + "/java");
            QVERIFY(j.open(QIODevice::WriteOnly));
            j.write("#!/bin/sh\n"
                    "echo \"$@\" > \"$(dirname \"$0\")/args.txt\"\n"
                    "[ \"$FAKE_JAVA_FAIL\" = 1 ] && { echo 'Exception in thread main: bad raw' >&2; exit 1; }\n"
                    "printf 'MF' > \"$4\"\n");
            j.close();
            QFile::setPermissions(bin + "/java", QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        }
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("PATH", bin + ":" + env.value("PATH"));
        const QString out = tmp_.filePath("official.raw");
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(cliPath(), {"convert", fixture("qcow2-v3"), "--to", "raw", "-o", out, "--bitmap-tool", "/opt/CreateMF.jar",
                            "--quiet"});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QFile args(bin + "/args.txt");
        QVERIFY(args.open(QIODevice::ReadOnly));
        QCOMPARE(args.readAll().trimmed(), ("-jar /opt/CreateMF.jar " + out + " " + tmp_.filePath("official.mf")).toUtf8());
        QVERIFY(QFileInfo(tmp_.filePath("official.mf")).size() > 0);
        env.insert("FAKE_JAVA_FAIL", "1");
        QProcess q;
        q.setProcessEnvironment(env);
        q.start(cliPath(), {"convert", fixture("qcow2-v3"), "--to", "raw", "-o", tmp_.filePath("official2.raw"),
                            "--bitmap-tool", "/opt/CreateMF.jar", "--quiet"});
        QVERIFY(q.waitForFinished(60000));
        QCOMPARE(q.exitCode(), 2);
        const QByteArray err = q.readAllStandardError();
        QVERIFY2(err.contains("bad raw"), err.constData());
        // A failed step after the RAW was renamed into place takes the RAW back out: nothing looks complete.
        for (const char* f : {"official2.raw", "official2.raw.part", "official2.mf", "official2.manifest.json"})
            QVERIFY2(!QFileInfo::exists(tmp_.filePath(f)), f);
    }

    void zvhd2ThroughTestDouble() {
        const QString fake = QStringLiteral(IMGPREP_SOURCE_DIR) + "/tests/support/fake-qemu-img-hw.sh";
        const QString src = fixture("qcow2-v3");
        const QString out = tmp_.filePath("out.zvhd2");
        auto r = runTool(cliPath(), {"convert", src, "--to", "zvhd2", "-o", out, "--qemu-img-hw", fake});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFileInfo::exists(out));
        QVERIFY(!QFileInfo::exists(out + ".part"));
        QVERIFY2(r.err.contains("50%") || r.err.contains("50.0%"), r.err.constData()); // progress relayed
        QFile m(tmp_.filePath("out.manifest.json"));
        QVERIFY(m.open(QIODevice::ReadOnly));
        QVERIFY(m.readAll().contains("test double"));
        // Failure: the tool's message is relayed verbatim and the partial output removed.
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("FAKE_QEMU_IMG_HW_FAIL", "1");
        p.setProcessEnvironment(env);
        const QString out2 = tmp_.filePath("fail.zvhd2");
        p.start(cliPath(), {"convert", src, "--to", "zvhd2", "-o", out2, "--qemu-img-hw", fake});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(err.contains("error while writing sector 123456: No space left on device"), err.constData());
        QVERIFY(!QFileInfo::exists(out2));
        QVERIFY(!QFileInfo::exists(out2 + ".part"));
        // Asked for but not installed: says so, and that imgprep's own writer needs no such tool.
        QProcess q;
        QProcessEnvironment env2 = QProcessEnvironment::systemEnvironment();
        env2.insert("PATH", "/nonexistent");
        q.setProcessEnvironment(env2);
        q.start(cliPath(), {"convert", src, "--to", "zvhd2", "-o", tmp_.filePath("none.zvhd2"),
                            "--qemu-img-hw", "qemu-img-hw"});
        QVERIFY(q.waitForFinished(60000));
        QCOMPARE(q.exitCode(), 2);
        const QByteArray err2 = q.readAllStandardError();
        QVERIFY2(err2.contains("not an executable file") && err2.contains("leave out --qemu-img-hw"),
                 err2.constData());
        QVERIFY(!QFileInfo::exists(tmp_.filePath("none.zvhd2")));
        // Without --qemu-img-hw, imgprep writes ZVHD2 itself: no external tool is looked for.
        QProcess n;
        n.setProcessEnvironment(env2);
        n.start(cliPath(), {"convert", src, "--to", "zvhd2", "-o", tmp_.filePath("native.zvhd2"), "--quiet"});
        QVERIFY(n.waitForFinished(60000));
        QVERIFY2(n.exitCode() == 0, n.readAllStandardError().constData());
        QVERIFY(QFileInfo(tmp_.filePath("native.zvhd2")).size() > 0);
        QFile nm(tmp_.filePath("native.manifest.json"));
        QVERIFY(nm.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(nm.readAll()).object();
        QCOMPARE(doc["zvhd2"].toObject()["writer"].toString(), QString("imgprep"));
        QVERIFY(!doc.contains("external_tool"));
    }
};

QTEST_GUILESS_MAIN(TestConvert)
#include "test_convert.moc"
