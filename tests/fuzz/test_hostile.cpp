// Hostile input through the real CLI: every fixture image truncated and with corrupted bytes, zero-length and
// tiny files, absurd claimed sizes. `imgprep info --checksum` must end with exit 0 or 2 (one clear line naming
// the file), never a crash, a hang or unbounded memory (the process runs under an address-space limit when the
// build is not sanitized), and must leave the source unchanged.
#include <QtTest>

#include <QTemporaryDir>

#include "testsupport.h"

using namespace testsupport;

namespace {

struct Outcome {
    int exitCode;
    QByteArray err;
};

Outcome runInfo(const QString& path) {
    QStringList args;
    QString program;
#ifdef IMGPREP_SANITIZED
    program = cliPath();
#else
    // 1 GiB of address space: far more than inspection needs, far less than absurd claimed sizes would take.
    program = "prlimit";
    args << "--as=1073741824" << "--" << cliPath();
#endif
    args << "info" << path << "--json" << "--checksum" << "sha256";
    QElapsedTimer t;
    t.start();
    auto r = runTool(program, args, 60000);
    if (t.elapsed() > 10000) qWarning() << "slow hostile case:" << path << t.elapsed() << "ms";
    return {r.exitCode, r.err};
}

void patch(const QString& path, qint64 offset, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.seek(offset));
    QCOMPARE(f.write(bytes), qint64(bytes.size()));
}

bool copyFixture(const QString& src, const QString& dst) {
    return runTool("cp", {"--sparse=always", src, dst}).exitCode == 0;
}

} // namespace

class TestHostile : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;

    void expectCleanOutcome(const QString& path, const QString& what) {
        const QByteArray before = sha256OfFile(path);
        Outcome o = runInfo(path);
        QVERIFY2(o.exitCode == 0 || o.exitCode == 2,
                 qPrintable(QString("%1: exit %2 (crash or signal?) stderr: %3").arg(what).arg(o.exitCode).arg(
                     QString::fromUtf8(o.err.left(2000)))));
        if (o.exitCode == 2) {
            const QByteArray line = o.err.trimmed();
            QVERIFY2(line.startsWith("imgprep: "), qPrintable(what + ": stderr: " + QString::fromUtf8(line)));
            QVERIFY2(!line.contains('\n'), qPrintable(what + ": more than one line: " + QString::fromUtf8(line)));
            // The image, or one of its own files (extent, external data file) named after it.
            QVERIFY2(line.contains(QFileInfo(path).completeBaseName().toUtf8()) || line.contains(path.toUtf8()),
                     qPrintable(what + ": error does not name the file: " + QString::fromUtf8(line)));
        }
        QCOMPARE(sha256OfFile(path), before);
    }

private slots:
    void initTestCase() { QVERIFY(tmp_.isValid()); }

    void tinyFiles() {
        QString empty = tmp_.filePath("empty.vmdk");
        QFile(empty).open(QIODevice::WriteOnly);
        Outcome o = runInfo(empty);
        QCOMPARE(o.exitCode, 2);
        QVERIFY(o.err.contains("zero-length"));
        for (int n : {1, 7, 511, 513}) {
            QString p = tmp_.filePath(QString("tiny%1.img").arg(n));
            QFile f(p);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(n, 'x'));
            f.close();
            expectCleanOutcome(p, QString("tiny file of %1 bytes").arg(n));
        }
        // Magic only: every format's signature followed by nothing.
        const QList<QByteArray> magics = {QByteArray("QFI\xfb\x00\x00\x00\x03", 8), QByteArray("QFI\xfb\x00\x00\x00\x01", 8),
                                          QByteArray("QED\x00", 4), QByteArray("vhdxfile"), QByteArray("KDMV"),
                                          QByteArray("conectix"), QByteArray("# Disk DescriptorFile\n")};
        int i = 0;
        for (const auto& m : magics) {
            QString p = tmp_.filePath(QString("magic%1.bin").arg(i++));
            QFile f(p);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(m);
            f.close();
            expectCleanOutcome(p, "magic only: " + QString::fromLatin1(m.toHex()));
        }
    }

    void mutated_data() {
        QTest::addColumn<QString>("image");
        for (const auto& f : readImageList(fixtureDir("images"))) {
            if (QFileInfo(f.image).size() > (256 << 20)) continue; // keep the suite fast
            QTest::newRow(f.name.toUtf8()) << f.image;
        }
    }
    void mutated() {
        QFETCH(QString, image);
        const QFileInfo fi(image);
        const qint64 size = fi.size();
        quint64 seed = 1469598103934665603ULL; // FNV-1a of the name: the same mutations on every run
        for (char c : fi.fileName().toUtf8()) seed = (seed ^ quint8(c)) * 1099511628211ULL;
        auto next = [&]() {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            return seed >> 17;
        };
        // Files beside the image (extents, data files) must come along: copy the whole fixture dir entry set
        // only for the image itself; sibling files resolve to the originals by relative name, so copy them too.
        const QString dir = tmp_.filePath(fi.completeBaseName());
        QDir().mkpath(dir);
        for (const QFileInfo& sib : QDir(fi.absolutePath()).entryInfoList(QDir::Files)) {
            if (sib.fileName().startsWith(fi.completeBaseName()) && sib.fileName() != fi.fileName() &&
                !sib.fileName().endsWith(".oracle.raw"))
                QVERIFY(copyFixture(sib.absoluteFilePath(), dir + "/" + sib.fileName()));
        }
        for (const auto& base : {QString("pattern.raw"), QString("qcow2-base.qcow2")})
            if (QFileInfo::exists(fi.absolutePath() + "/" + base))
                QVERIFY(copyFixture(fi.absolutePath() + "/" + base, dir + "/" + base));
        const QString victim = dir + "/" + fi.fileName();

        // Truncations: inside the header, inside the metadata, just short of the end.
        for (qint64 cut : {qint64(0), qint64(100), qint64(600), qint64(4096 + 17), size / 3, size / 2, size - 1}) {
            if (cut < 0 || cut >= size) continue;
            QVERIFY(copyFixture(image, victim));
            QVERIFY(QFile::resize(victim, cut));
            expectCleanOutcome(victim, QString("truncated to %1").arg(cut));
        }
        // Random corruption: bursts of garbage in the first 128 KiB (headers, tables) and the last 64 KiB
        // (footers, footer copies of headers).
#ifdef IMGPREP_SANITIZED
        const int rounds = 12; // ASan+UBSan runs every case several times slower; the fuzzers go much further
#else
        const int rounds = 24;
#endif
        for (int round = 0; round < rounds; ++round) {
            QVERIFY(copyFixture(image, victim));
            QFile f(victim);
            QVERIFY(f.open(QIODevice::ReadWrite));
            const int bursts = 1 + int(next() % 4);
            for (int b = 0; b < bursts; ++b) {
                qint64 window = round % 3 == 2 ? qMin<qint64>(size, 65536) : qMin<qint64>(size, 131072);
                qint64 off = round % 3 == 2 ? size - 1 - qint64(next() % quint64(window)) : qint64(next() % quint64(window));
                int len = 1 + int(next() % 8);
                QByteArray junk;
                for (int k = 0; k < len; ++k) {
                    quint64 v = next();
                    // Extremes provoke absurd sizes and offsets; random bytes the rest.
                    junk.append(char(v % 5 == 0 ? 0xff : v % 5 == 1 ? 0x00 : v % 5 == 2 ? 0x7f : int(v >> 8)));
                }
                f.seek(qMax<qint64>(0, qMin(off, size - len)));
                f.write(junk);
            }
            f.close();
            expectCleanOutcome(victim, QString("corruption round %1").arg(round));
        }
    }

    void absurdSizes() {
        // qcow2 with a claimed virtual size of 2^62 and an L1 table that cannot exist.
        QString q = tmp_.filePath("absurd.qcow2");
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "qcow2", q, "64M"}).exitCode, 0);
        patch(q, 24, QByteArray::fromHex("4000000000000000")); // size
        expectCleanOutcome(q, "qcow2 size 2^62");
        patch(q, 36, QByteArray::fromHex("7fffffff")); // l1_size
        expectCleanOutcome(q, "qcow2 l1_size 2^31");
        // VMDK sparse with an absurd capacity (sectors at offset 12).
        QString v = tmp_.filePath("absurd.vmdk");
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "vmdk", v, "64M"}).exitCode, 0);
        patch(v, 12, QByteArray::fromHex("ffffffffffffff7f"));
        expectCleanOutcome(v, "vmdk capacity 2^63 sectors");
        // VDI with a huge block count.
        QString d = tmp_.filePath("absurd.vdi");
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "vdi", d, "64M"}).exitCode, 0);
        patch(d, 0x180, QByteArray::fromHex("ffffff7f")); // cBlocks
        expectCleanOutcome(d, "vdi block count 2^31");
        patch(d, 0x170, QByteArray::fromHex("00000000000000f0")); // cbDisk
        expectCleanOutcome(d, "vdi disk size 2^63+");
        // VHD dynamic with a huge max table entries count.
        QString h = tmp_.filePath("absurd.vhd");
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "vpc", h, "64M"}).exitCode, 0);
        patch(h, 512 + 28, QByteArray::fromHex("7fffffff"));
        expectCleanOutcome(h, "vhd max table entries 2^31");
    }

    void backingLoop() {
        QString a = tmp_.filePath("loop-a.qcow2");
        QString b = tmp_.filePath("loop-b.qcow2");
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "qcow2", a, "16M"}).exitCode, 0);
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "qcow2", "-b", "loop-a.qcow2", "-F", "qcow2", b}).exitCode, 0);
        QCOMPARE(runTool("qemu-img", {"rebase", "-u", "-f", "qcow2", "-b", "loop-b.qcow2", "-F", "qcow2", a}).exitCode, 0);
        Outcome o = runInfo(b);
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains("loop"), o.err.constData());
        QString self = tmp_.filePath("self.qcow2");
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "qcow2", self, "16M"}).exitCode, 0);
        QCOMPARE(runTool("qemu-img", {"rebase", "-u", "-f", "qcow2", "-b", "self.qcow2", "-F", "qcow2", self}).exitCode, 0);
        o = runInfo(self);
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains("loop"), o.err.constData());
        // A missing backing file is named.
        QString orphan = tmp_.filePath("orphan.qcow2");
        QCOMPARE(runTool("qemu-img", {"create", "-q", "-f", "qcow2", "-u", "-b", "gone.qcow2", "-F", "qcow2", orphan, "16M"}).exitCode, 0);
        o = runInfo(orphan);
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains("gone.qcow2"), o.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "test_hostile.moc"
