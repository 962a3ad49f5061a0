// One answer for files that are not disk images, from every command: exit 2, nothing on stdout, one line on
// stderr that names the file and says what it is, and no output file left behind (not even an empty report,
// script or .part file). The inputs are built here by real tools (gzip, tar, zip, genisoimage) or are plain
// bytes; the wizard's side of the rule is in tests/gui/test_wizard.cpp (errorsInPlace).
#include <QtTest>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

#include "testsupport.h"

using namespace testsupport;

class TestNonImages : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;

    QString path(const QString& name) const { return tmp_.filePath("in/" + name); }
    bool sh(const QString& cmd) {
        auto r = runTool("bash", {"-c", cmd});
        if (r.exitCode != 0) qWarning() << cmd << r.err;
        return r.exitCode == 0;
    }

  private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        QVERIFY(QDir().mkpath(tmp_.filePath("in/iso/sources")));
        const QString in = tmp_.filePath("in");
        // A small raw disk with an MBR (what the archives hold).
        QVERIFY(sh("cd '" + in +
                   "' && python3 -c 'import sys; sys.stdout.buffer.write(bytes(446) + bytes([0x80] + "
                   "[0] * 15) + bytes(48) + b\"\\x55\\xaa\" + bytes(1048064))' > disk.raw"));
        QVERIFY(sh("cd '" + in + "' && : > empty.vmdk"));
        QVERIFY(sh("cd '" + in + "' && head -c 1000 /dev/urandom > noise.img")); // no signature, not n*512
        QVERIFY(sh("cd '" + in + "' && printf 'hello, not a disk\\n' > notes.vhd"));
        QVERIFY(sh("cd '" + in + "' && gzip -n -c disk.raw > disk.img.gz"));
        QVERIFY(sh("cd '" + in + "' && xz -c disk.raw > disk.img.xz"));
        QVERIFY(sh("cd '" + in + "' && tar -cf disk.tar disk.raw"));
        QVERIFY(sh("cd '" + in + "' && zip -q disk.zip disk.raw"));
        // A streamed-zip signature at the start of a 1 TiB sparse file (a fuzzer finding: describing it used
        // to scan the whole file).
        QVERIFY(sh("cd '" + in +
                   "' && truncate -s 1T huge.zip && printf 'PK\\007\\010' | dd of=huge.zip "
                   "conv=notrunc status=none"));
        QVERIFY(sh("cd '" + in +
                   "' && echo readme > iso/sources/readme.txt && "
                   "genisoimage -quiet -V WIN_INSTALL -o media.iso iso"));
        QVERIFY(
            sh("cd '" + in +
               "' && printf '<?xml version=\"1.0\"?>\\n<Envelope "
               "xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"><References><File ovf:href=\"disk1.vmdk\" "
               "ovf:id=\"file1\"/></References></Envelope>\\n' > appliance.ovf"));
    }

    void everyCommand_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason"); // part of the one stderr line, after the file name
        QTest::newRow("empty") << "empty.vmdk"
                               << "zero-length file";
        QTest::newRow("noise") << "noise.img"
                               << "not a recognised disk image";
        QTest::newRow("text") << "notes.vhd"
                              << "not a recognised disk image";
        QTest::newRow("gzip") << "disk.img.gz"
                              << "gzip-compressed";
        QTest::newRow("xz") << "disk.img.xz"
                            << "xz-compressed";
        QTest::newRow("tar") << "disk.tar"
                             << "not a disk image";
        QTest::newRow("zip") << "disk.zip"
                             << "not a disk image";
        QTest::newRow("huge-zip") << "huge.zip"
                                  << "zip archive";
        QTest::newRow("iso") << "media.iso"
                             << "installation media";
        QTest::newRow("ovf") << "appliance.ovf"
                             << "OVF";
    }
    void everyCommand() {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const QString in = path(file);
        // Unchanged afterwards: the content, or for the 1 TiB sparse file its size and modification time.
        const bool huge = QFileInfo(in).size() > (qint64(1) << 30);
        auto stamp = [&]() {
            const QFileInfo fi(in);
            return huge ? QByteArray::number(fi.size()) + "@" +
                              QByteArray::number(fi.lastModified().toMSecsSinceEpoch())
                        : sha256OfFile(in);
        };
        const QByteArray before = stamp();
        const QString out = tmp_.filePath(QString("out-%1").arg(QTest::currentDataTag()));
        QVERIFY(QDir().mkpath(out));
        const QList<QStringList> commands = {
            {"info", in},
            {"info", in, "--json", "--checksum", "sha256"},
            {"inspect", in},
            {"inspect", in, "--json"},
            {"check", in},
            {"check", in, "--json"},
            {"remediate", in, "-o", out + "/fix.ps1"},
            {"report", in, "--pdf", out + "/r.pdf", "--html", out + "/r.html", "--json", out + "/r.json"},
            {"convert", in, "--to", "raw", "-o", out + "/disk.raw", "--bitmap"},
            {"convert", in, "--to", "zvhd2", "-o", out + "/disk.zvhd2"},
        };
        for (const QStringList& args : commands) {
            const QString what = args.join(' ');
            auto r = runTool(cliPath(), args, 60000);
            QVERIFY2(r.exitCode == 2, qPrintable(QString("%1: exit %2, stderr: %3")
                                                     .arg(what)
                                                     .arg(r.exitCode)
                                                     .arg(QString::fromUtf8(r.err))));
            QVERIFY2(r.out.isEmpty(), qPrintable(what + ": stdout: " + QString::fromUtf8(r.out.left(500))));
            const QString line = QString::fromUtf8(r.err).trimmed();
            QVERIFY2(!line.contains('\n'), qPrintable(what + ": more than one line: " + line));
            QVERIFY2(line.startsWith("imgprep: "), qPrintable(what + ": " + line));
            // "imgprep: [command: ]FILE: what it is"
            const int at = line.indexOf(in + ": ");
            QVERIFY2(at > 0, qPrintable(what + ": the line does not name the file: " + line));
            QVERIFY2(line.mid(at + in.size()).contains(reason), qPrintable(what + ": " + line));
            const QStringList left =
                QDir(out).entryList(QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot);
            QVERIFY2(left.isEmpty(), qPrintable(what + ": left behind: " + left.join(", ")));
        }
        QCOMPARE(stamp(), before); // opened read-only
    }
};

QTEST_GUILESS_MAIN(TestNonImages)
#include "test_non_images.moc"
