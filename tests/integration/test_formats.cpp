// Every fixture image (all formats and subformats qemu-img writes) read whole through the engine and compared
// byte for byte with `qemu-img convert -O raw`; allocation maps checked against the content; source unchanged.
#include <QtTest>

#include "image/open.h"
#include "testsupport.h"

using namespace testsupport;

class TestFormats : public QObject {
    Q_OBJECT
private slots:
    void readAll_data() {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("oracle");
        QTest::addColumn<QString>("expectFormat");
        const auto list = readImageList(fixtureDir("images"));
        QVERIFY2(!list.isEmpty(), "fixture images missing: run ctest (fixture.images) first");
        for (const auto& f : list) {
            QString fmt = f.qemuFormat == "vpc" ? "vhd" : f.qemuFormat;
            QTest::newRow(f.name.toUtf8()) << f.image << f.oracle << fmt;
        }
    }
    void readAll() {
        QFETCH(QString, image);
        QFETCH(QString, oracle);
        QFETCH(QString, expectFormat);
        const QByteArray before = sha256OfFile(image);
        auto r = imgprep::open_image(image.toStdString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().describe().c_str());
        const auto& reader = **r;
        QCOMPARE(QString::fromStdString(reader.info().format), expectFormat);
        QString why = compareWithOracle(reader, oracle);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QCOMPARE(sha256OfFile(image), before);
    }
};

QTEST_GUILESS_MAIN(TestFormats)
#include "test_formats.moc"
