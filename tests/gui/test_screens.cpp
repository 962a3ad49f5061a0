// Screenshots of every step for people to look at (not compared with anything): the wizard on the static-IP
// Windows image, in the variant IMGPREP_SCREENSHOT_VARIANT (light-100, dark-100, light-200 with
// QT_SCALE_FACTOR=2, zh-100 in Simplified Chinese). PNGs: IMGPREP_SCREENSHOT_DIR/<variant>/NN-step.png. The
// test checks that each grab has the window's size in device pixels and that no step is blank.
#include <QtTest>

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QTemporaryDir>

#include "app.h"
#include "check_model.h"
#include "checklist_page.h"
#include "choose_page.h"
#include "convert_page.h"
#include "guitest.h"
#include "session.h"
#include "summary_page.h"
#include "wizard_window.h"

using namespace imgprep::ui;

namespace {

QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xdf, 0xe1, 0xe5),
        mid(0x5a, 0x5d, 0x63);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9e, 0xa6));
    p.setColor(QPalette::Highlight, QColor(0x35, 0x74, 0xf0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x58, 0x9d, 0xf6));
    p.setColor(QPalette::Mid, mid);
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4d));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x78, 0x7b, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x78, 0x7b, 0x80));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x78, 0x7b, 0x80));
    return p;
}

} // namespace

class TestScreens : public QObject {
    Q_OBJECT

    QString variant_;
    QString dir_;
    int shots_ = 0;

    void shoot(QWidget& w, const QString& name) {
        QApplication::processEvents();
        QTest::qWait(50);
        const QPixmap pm = w.grab();
        const qreal dpr = pm.devicePixelRatio();
        QCOMPARE(pm.size(), w.size() * dpr);
        if (variant_.endsWith("-200")) QCOMPARE(dpr, 2.0);
        // Not blank: more than a handful of distinct colours.
        const QImage img = pm.toImage().scaled(200, 140);
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x)
                colours.insert(img.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(name));
        const QString path =
            QDir(dir_).filePath(QStringLiteral("%1-%2.png").arg(++shots_, 2, 10, QLatin1Char('0')).arg(name));
        QVERIFY(pm.save(path));
    }

  private slots:
    void initTestCase() {
        variant_ = qEnvironmentVariable("IMGPREP_SCREENSHOT_VARIANT", QStringLiteral("light-100"));
        dir_ = QStringLiteral(IMGPREP_SCREENSHOT_DIR) + "/" + variant_;
        QDir(dir_).removeRecursively();
        QVERIFY(QDir().mkpath(dir_));
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        if (variant_.startsWith("dark"))
            QApplication::setPalette(darkPalette());
        else
            QApplication::setPalette(QApplication::style()->standardPalette());
        if (variant_.startsWith("zh"))
            QVERIFY(installTranslations(QLocale(QLocale::Chinese, QLocale::China)));
    }

    void everyStep() {
        auto img = guitest::windowsImage("win2012r2-bios-static");
        if (!img) QSKIP("windows fixture not built");
        QTemporaryDir out;
        WizardWindow w;
        w.resize(1120, 780);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        shoot(w, "choose-empty");

        // While checking: grab as soon as the rows are "checking…".
        bool grabbedChecking = false;
        connect(w.session(), &Session::checksStarted, this, [&] {
            if (grabbedChecking) return;
            grabbedChecking = true;
            w.goToStep(WizardWindow::ChecklistStep);
            const QPixmap pm = w.grab();
            pm.save(QDir(dir_).filePath(QStringLiteral("00-checklist-checking.png")));
        });
        w.openImage(img->image);
        QVERIFY(guitest::waitChecked(w));
        QVERIFY(grabbedChecking);
        QVERIFY(w.goToStep(WizardWindow::ChooseStep));
        shoot(w, "choose-opened");

        QVERIFY(w.goToStep(WizardWindow::ChecklistStep));
        w.checklistPage()->selectCheck("network.dhcp");
        shoot(w, "checklist-dhcp");
        w.checklistPage()->selectCheck("account.password_complexity");
        QTest::keyClicks(w.checklistPage()->details()->passwordEdit(), QStringLiteral("weakpass1"));
        shoot(w, "checklist-password");

        QVERIFY(w.goToStep(WizardWindow::RemediationStep));
        shoot(w, "remediation");

        QVERIFY(w.goToStep(WizardWindow::ConvertStep));
        w.convertPage()->folderEdit()->setText(out.path());
        w.convertPage()->refreshSpace();
        QTRY_VERIFY_WITH_TIMEOUT(!w.convertPage()->spaceLabel()->text().contains(QChar(0x2026)) &&
                                     w.convertPage()->spaceLabel()->text() != QStringLiteral("–"),
                                 20000);
        shoot(w, "convert");
        QSignalSpy finished(w.convertPage()->job(), &ConvertJob::finished);
        w.convertPage()->startConversion();
        QVERIFY(finished.wait(120000));
        shoot(w, "convert-done");
        QVERIFY(guitest::waitChecked(w));

        QVERIFY(w.goToStep(WizardWindow::SummaryStep));
        shoot(w, "summary");

        // An error in place.
        const QString garbage = guitest::guiInput("garbage.bin");
        if (!garbage.isEmpty()) {
            w.openImage(garbage);
            QTRY_COMPARE_WITH_TIMEOUT(w.session()->state(), Session::State::OpenFailed, 30000);
            shoot(w, "choose-error");
        }
        qInfo("screenshots in %s", qPrintable(dir_));
    }
};

int main(int argc, char** argv) {
    TestScreens t;
    return guitest::run(argc, argv, &t);
}

#include "test_screens.moc"
