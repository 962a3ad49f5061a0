// The wizard driven as a user would, on real images (offscreen): choose an image, watch the checklist fill
// in, confirm, test a password, read the remediation script, convert (and cancel), export the report.
// Expected check statuses come from the `windows` fixture's expectation files (written from what was put into
// each image, not from imgprep); sizes from qemu-img info; converted output compared with qemu-img compare;
// the bitmap recomputed here from the RAW file; the PDF read back with pdftotext.
#include <QtTest>

#include <QAccessible>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDirIterator>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFontInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollBar>
#include <QSettings>
#include <QTemporaryDir>
#include <QTreeView>

#include "app.h"
#include "app_settings.h"
#include "check_model.h"
#include "checklist_page.h"
#include "choose_page.h"
#include "convert_page.h"
#include "guitest.h"
#include "log_viewer.h"
#include "logging.h"
#include "remediation_page.h"
#include "session.h"
#include "settings_dialog.h"
#include "summary_page.h"
#include "testsupport.h"
#include "wizard_window.h"
#include "zvhd2_testutil.h"

using namespace imgprep;
using namespace imgprep::ui;

namespace {

QJsonObject qemuInfo(const QString& path) {
    auto r = testsupport::runTool("qemu-img", {"info", "--output=json", path});
    return QJsonDocument::fromJson(r.out).object();
}

// Bitmap of a RAW file computed here: bit i set when block i holds a non-zero byte.
QByteArray bitmapOf(const QString& raw, qint64 block) {
    QFile f(raw);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const qint64 size = f.size();
    const qint64 blocks = (size + block - 1) / block;
    QByteArray bits((blocks + 7) / 8, '\0');
    for (qint64 b = 0; b < blocks; ++b) {
        const QByteArray data = f.read(block);
        bool nonzero = false;
        for (char c : data)
            if (c) {
                nonzero = true;
                break;
            }
        if (nonzero) bits[int(b / 8)] = char(bits[int(b / 8)] | (1 << (b % 8)));
    }
    return bits;
}

quint64 le64(const QByteArray& d, int off) {
    quint64 v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | quint8(d[off + i]);
    return v;
}

} // namespace

class TestWizard : public QObject {
    Q_OBJECT

  private:
    std::optional<guitest::WindowsImage> need(const QString& name) {
        auto w = guitest::windowsImage(name);
        return w;
    }

    // Opens path in a fresh window and waits for the checklist.
    bool openAndCheck(WizardWindow& w, const QString& path) {
        w.openImage(path);
        return guitest::waitChecked(w);
    }

  private slots:
    void initTestCase() {
        if (guitest::windowsImages().isEmpty())
            qWarning("the `windows` fixture is missing: run ctest with fixtures (fixture.windows)");
    }

    void cleanup() {
        QSettings().remove(QStringLiteral("tools"));
        QSettings().remove(QStringLiteral("convert"));
    }

    // A ready image: the image facts appear on the first page (compared with qemu-img), every row reaches a
    // final status that matches the fixture's expectation, the verdict is "ready", and rows update one by
    // one.
    void readyImage() {
        auto img = need("win2016-uefi-ready");
        if (!img) QSKIP("windows fixture not built");
        WizardWindow w;
        w.show();
        QSignalSpy started(w.session(), &Session::checksStarted);
        QSignalSpy updated(w.session(), &Session::checkUpdated);
        QSignalSpy rowChanges(w.checklistPage()->model(), &QAbstractItemModel::dataChanged);
        int finalAtStart = -1;
        QList<int> finalAtEachUpdate; // rows with a final status, seen at each live update
        connect(w.session(), &Session::checksStarted, this,
                [&] { finalAtStart = w.checklistPage()->model()->finalCount(); });
        connect(w.session(), &Session::checkUpdated, this,
                [&] { finalAtEachUpdate << w.checklistPage()->model()->finalCount(); });
        QVERIFY(openAndCheck(w, img->image));
        QCOMPARE(started.count(), 1);
        QCOMPARE(finalAtStart, 0); // every row started as "checking…"

        // First page: format and sizes.
        const QJsonObject qi = qemuInfo(img->image);
        const QString info = w.choosePage()->infoText();
        QVERIFY2(info.contains("VMDK (streamOptimized)"), qPrintable(info));
        QVERIFY2(info.contains(QLocale().toString(qulonglong(qi["virtual-size"].toDouble()))),
                 qPrintable(info));
        QVERIFY2(info.contains(QLocale().toString(qulonglong(QFileInfo(img->image).size()))),
                 qPrintable(info));
        QVERIFY(w.choosePage()->errorMessage()->text().isEmpty());
        QVERIFY(w.nextButton()->isEnabled());

        // Checklist: every row final, statuses as expected.
        const CheckModel* m = w.checklistPage()->model();
        QVERIFY(m->checkCount() > 20);
        QCOMPARE(m->finalCount(), m->checkCount());
        const QJsonObject checks = img->expect["checks"].toObject();
        for (const QString& id : m->ids()) {
            QVERIFY2(checks.contains(id), qPrintable("no expectation for " + id));
            QCOMPARE(guitest::statusOf(m, id), checks[id].toString());
        }
        QCOMPARE(updated.count(), m->checkCount()); // one live update per check
        for (int i = 0; i < finalAtEachUpdate.size(); ++i)
            QCOMPARE(finalAtEachUpdate[i], i + 1); // row by row
        QVERIFY(rowChanges.count() >= m->checkCount());
        QCOMPARE(w.checklistPage()->banner()->verdict(), img->expect["verdict"].toString());
        QCOMPARE(w.checklistPage()->banner()->verdict(), QStringLiteral("ready"));
        QVERIFY(w.checklistPage()->banner()->headline().contains("Ready"));
        QVERIFY2(w.checklistPage()->banner()->detail().contains("direct import"),
                 qPrintable(w.checklistPage()->banner()->detail()));

        // Navigation: Next walks through every step.
        QVERIFY(w.goToStep(WizardWindow::ChecklistStep));
        QTest::mouseClick(w.nextButton(), Qt::LeftButton);
        QCOMPARE(w.currentStep(), int(WizardWindow::RemediationStep));
        QTest::mouseClick(w.nextButton(), Qt::LeftButton);
        QCOMPARE(w.currentStep(), int(WizardWindow::ConvertStep));
        QTest::mouseClick(w.nextButton(), Qt::LeftButton);
        QCOMPARE(w.currentStep(), int(WizardWindow::SummaryStep));
        QCOMPARE(w.summaryPage()->banner()->verdict(), QStringLiteral("ready"));
        QVERIFY2(w.summaryPage()->factsText().contains("Windows Server 2016"),
                 qPrintable(w.summaryPage()->factsText()));
        QVERIFY(w.summaryPage()->factsText().contains("UEFI"));
        QTest::mouseClick(w.backButton(), Qt::LeftButton);
        QCOMPARE(w.currentStep(), int(WizardWindow::ConvertStep));
    }

    // Every image of the `windows` fixture: each listed check shows the expected status, and the banner the
    // expected verdict and import path.
    void everyFixtureImage_data() {
        QTest::addColumn<QString>("name");
        for (const auto& w : guitest::windowsImages())
            QTest::newRow(qPrintable(w.name)) << w.name;
        if (guitest::windowsImages().isEmpty()) QTest::newRow("none") << QString();
    }
    void everyFixtureImage() {
        QFETCH(QString, name);
        auto img = need(name);
        if (!img) QSKIP("windows fixture not built");
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, img->image));
        const CheckModel* m = w.checklistPage()->model();
        QCOMPARE(m->finalCount(), m->checkCount());
        const QJsonObject checks = img->expect["checks"].toObject();
        QVERIFY(!checks.isEmpty());
        for (auto it = checks.begin(); it != checks.end(); ++it)
            QVERIFY2(guitest::statusOf(m, it.key()) == it.value().toString(),
                     qPrintable(QStringLiteral("%1: shown %2, expected %3")
                                    .arg(it.key(), guitest::statusOf(m, it.key()), it.value().toString())));
        QCOMPARE(w.checklistPage()->banner()->verdict(), img->expect["verdict"].toString());
        const std::string path = w.session()->summary()->import_path;
        const QString detail = w.checklistPage()->banner()->detail();
        if (path == "direct") QVERIFY2(detail.contains("direct import"), qPrintable(detail));
        if (path == "fast") QVERIFY2(detail.contains("fast import"), qPrintable(detail));
        if (path == "unsupported") QVERIFY2(detail.contains("larger than 1 TiB"), qPrintable(detail));
        // The size on the first page is the one qemu-img reports (not for an OVA: its members are inside a
        // tar).
        if (!img->image.endsWith(".ova")) {
            const QJsonObject qi = qemuInfo(img->image);
            QVERIFY2(w.choosePage()->infoText().contains(
                         QLocale().toString(qulonglong(qi["virtual-size"].toDouble()))),
                     qPrintable(w.choosePage()->infoText()));
        }
    }

    // A BIOS image with a static IP: network.dhcp fails with its evidence, and the remediation script has the
    // DHCP step.
    void staticIpImage() {
        auto img = need("win2012r2-bios-static");
        if (!img) QSKIP("windows fixture not built");
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, img->image));
        const CheckModel* m = w.checklistPage()->model();
        QCOMPARE(m->finalCount(), m->checkCount());
        const QJsonObject checks = img->expect["checks"].toObject();
        for (const QString& id : m->ids())
            QCOMPARE(guitest::statusOf(m, id), checks[id].toString());
        QCOMPARE(guitest::statusOf(m, "network.dhcp"), QStringLiteral("fail"));
        QCOMPARE(w.checklistPage()->banner()->verdict(), QStringLiteral("not_ready"));

        QVERIFY(w.goToStep(WizardWindow::ChecklistStep));
        // The first problem is selected; select network.dhcp with the keyboard-free API and read the details.
        w.checklistPage()->selectCheck("network.dhcp");
        CheckDetails* d = w.checklistPage()->details();
        QCOMPARE(d->currentId(), QStringLiteral("network.dhcp"));
        const QString text = d->text();
        QVERIFY2(text.contains("EnableDHCP = 0"), qPrintable(text));
        QVERIFY2(text.contains("192.168.1.50"), qPrintable(text));
        QVERIFY(d->fixExpander()->isExpanded());
        QVERIFY2(text.contains("Obtain an IP address automatically"), qPrintable(text));
        QVERIFY2(text.contains("Configuring DHCP"), qPrintable(text)); // the documentation page
        // The tree row shows the finding, and its tooltip the evidence.
        const QModelIndex finding = m->indexOf("network.dhcp", CheckModel::FindingColumn);
        QVERIFY(finding.data().toString().contains("static address"));
        QVERIFY(m->indexOf("network.dhcp").data(Qt::ToolTipRole).toString().contains("EnableDHCP = 0"));

        QVERIFY(w.goToStep(WizardWindow::RemediationStep));
        RemediationPage* r = w.remediationPage();
        QVERIFY(r->script().contains("# imgprep-step: network.dhcp"));
        QVERIFY(r->stepIds().contains("network.dhcp"));
        QVERIFY(r->editor()->isReadOnly());
        // What the user sees: the face the editor's font resolves to is fixed-pitch, and narrow and wide letters
        // take the same width, so the script's columns line up (whatever fonts the desktop has).
        QVERIFY2(QFontInfo(r->editor()->font()).fixedPitch(), qPrintable(QFontInfo(r->editor()->font()).family()));
        const QFontMetrics fm(r->editor()->font());
        QCOMPARE(fm.horizontalAdvance(QStringLiteral("iiii")), fm.horizontalAdvance(QStringLiteral("WWWW")));
        // Copy and Save give the same text.
        r->copyToClipboard();
        QCOMPARE(QApplication::clipboard()->text(), r->script());
        QTemporaryDir tmp;
        QSignalSpy saved(r, &RemediationPage::saved);
        r->saveTo(tmp.filePath("fix.ps1"));
        QVERIFY(saved.wait(10000));
        QCOMPARE(saved.first().at(1).toBool(), true);
        QFile f(tmp.filePath("fix.ps1"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(f.readAll()), r->script());
        // Sysprep step on request.
        const bool hadSysprep = r->stepIds().contains("tools.sysprep");
        r->sysprepBox()->setChecked(true);
        QVERIFY(r->stepIds().contains("tools.sysprep"));
        r->sysprepBox()->setChecked(false);
        QCOMPARE(r->stepIds().contains("tools.sysprep"), hadSysprep);
    }

    // Confirmations and the password tester change the rows, the verdict banner and the summary at once; the
    // password is never kept (field cleared on leaving, not in the settings or the log).
    void confirmationsAndPassword() {
        auto img = need("win2016-uefi-ready");
        if (!img) QSKIP("windows fixture not built");
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, img->image));
        QVERIFY(w.goToStep(WizardWindow::ChecklistStep));
        ChecklistPage* page = w.checklistPage();
        CheckModel* m = page->model();
        QCOMPARE(int(w.session()->summary()->pending_confirmations.size()), 4);
        QVERIFY(page->banner()->detail().contains("4 items still to confirm"));

        // Confirm through the tree's check box.
        QVERIFY(m->setData(m->indexOf("os.hardware_independent", CheckModel::StatusColumn), Qt::Checked,
                           Qt::CheckStateRole));
        QCOMPARE(guitest::statusOf(m, "os.hardware_independent"), QStringLiteral("pass"));
        QCOMPARE(int(w.session()->summary()->pending_confirmations.size()), 3);
        QVERIFY(page->banner()->detail().contains("3 items still to confirm"));
        // ... and through the details pane's check box.
        page->selectCheck("account.tenant_admin");
        QVERIFY(page->details()->confirmBox()->isVisible());
        page->details()->confirmBox()->click();
        QCOMPARE(guitest::statusOf(m, "account.tenant_admin"), QStringLiteral("pass"));
        QCOMPARE(
            m->indexOf("account.tenant_admin", CheckModel::StatusColumn).data(Qt::CheckStateRole).toInt(),
            int(Qt::Checked));
        page->details()->confirmBox()->click();
        QCOMPARE(guitest::statusOf(m, "account.tenant_admin"), QStringLiteral("manual"));

        // The password: a weak one fails with the missing classes, a good one passes.
        page->selectCheck("account.password_complexity");
        QLineEdit* pw = page->details()->passwordEdit();
        QVERIFY(pw->isVisible());
        QCOMPARE(pw->echoMode(), QLineEdit::Password);
        const QString secret = QStringLiteral("lowercase7secret");
        pw->setFocus();
        QTest::keyClicks(pw, secret);
        QCOMPARE(guitest::statusOf(m, "account.password_complexity"), QStringLiteral("fail"));
        const QString fb = page->details()->passwordFeedback();
        QVERIFY2(fb.contains("uppercase letter (A–Z): missing"), qPrintable(fb));
        QVERIFY2(fb.contains("special character (one of !@$%^-_=+[{}]:,./?): missing"), qPrintable(fb));
        QVERIFY2(fb.contains("lowercase letter (a–z): present"), qPrintable(fb));
        QVERIFY2(fb.contains("digit (0–9): present"), qPrintable(fb));
        QCOMPARE(page->banner()->verdict(), QStringLiteral("not_ready")); // a failed password test blocks
        QTest::keyClicks(pw, QStringLiteral("X!"));
        QCOMPARE(guitest::statusOf(m, "account.password_complexity"), QStringLiteral("pass"));
        QCOMPARE(page->banner()->verdict(), QStringLiteral("ready"));
        QCOMPARE(int(w.session()->summary()->pending_confirmations.size()), 2);

        // Leaving the page clears the field; the result (not the password) stays.
        QVERIFY(w.goToStep(WizardWindow::RemediationStep));
        QVERIFY(pw->text().isEmpty());
        QCOMPARE(guitest::statusOf(m, "account.password_complexity"), QStringLiteral("pass"));
        // Never stored, never logged.
        QSettings().sync();
        log::flush();
        for (const QString& dir : {guitest::home() + "/config", guitest::home() + "/data"}) {
            QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile f(it.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                QVERIFY2(!f.readAll().contains(secret.toUtf8()), qPrintable(f.fileName()));
            }
        }
        // The summary lists what is left to confirm.
        QVERIFY(w.goToStep(WizardWindow::SummaryStep));
        QVERIFY2(w.summaryPage()->factsText().contains("To confirm"),
                 qPrintable(w.summaryPage()->factsText()));
    }

    // RAW + bitmap: progress reaches 100 %, the output equals the source (qemu-img compare), the bitmap
    // matches the RAW file's blocks, the manifest is written, and the checklist runs again on the output.
    void convertRawBitmap() {
        auto img = need("win2016-uefi-ready");
        if (!img) QSKIP("windows fixture not built");
        QTemporaryDir out;
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, img->image));
        QVERIFY(w.goToStep(WizardWindow::ConvertStep));
        ConvertPage* c = w.convertPage();
        c->folderEdit()->setText(out.path());
        c->refreshSpace();
        QTRY_VERIFY_WITH_TIMEOUT(c->spaceLabel()->text().contains("free"), 20000);
        QVERIFY(c->zvhd2Radio()->isChecked()); // ZVHD2 comes first
        c->rawRadio()->setChecked(true);
        QVERIFY(c->bitmapNote()->text().contains("not known"));
        c->verifyBox()->setChecked(true);
        int maxBar = 0;
        QStringList phases;
        connect(c->job(), &ConvertJob::phaseBegan, this, [&](const QString& p) { phases << p; });
        connect(c->job(), &ConvertJob::progressed, this,
                [&] { maxBar = std::max(maxBar, c->progressBar()->value()); });
        QSignalSpy finished(c->job(), &ConvertJob::finished);
        QSignalSpy reopened(w.session(), &Session::openStarted);
        // The event loop keeps running while the work is done elsewhere: a 10 ms timer never waits long.
        QElapsedTimer clock;
        qint64 last = 0, longestGap = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            longestGap = std::max(longestGap, now - last);
            last = now;
        });
        clock.start();
        ticker.start(10);
        QTest::mouseClick(c->convertButton(), Qt::LeftButton);
        QVERIFY(c->job()->running());
        QVERIFY(c->cancelButton()->isEnabled());
        QVERIFY(!w.nextButton()->isEnabled()); // no leaving while it runs
        QVERIFY(finished.wait(120000));
        const auto outcome = finished.first().at(0).value<ConvertOutcome>();
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QVERIFY(guitest::waitChecked(w)); // the re-check of the output
        ticker.stop();
        QVERIFY2(longestGap < 500,
                 qPrintable(QStringLiteral("the GUI thread was blocked for %1 ms").arg(longestGap)));
        qInfo("longest pause of the event loop during conversion and re-check: %lld ms", longestGap);
        QCOMPARE(c->progressBar()->value(), c->progressBar()->maximum()); // 100 %
        QVERIFY(maxBar > 0);
        QVERIFY(phases.contains("converting"));
        QVERIFY(phases.contains("verifying"));
        QVERIFY(outcome.verified);
        const QString raw = out.filePath("win2016-uefi-ready.raw");
        const QString mf = out.filePath("win2016-uefi-ready.mf");
        const QString manifest = out.filePath("win2016-uefi-ready.manifest.json");
        QCOMPARE(outcome.outputs, (QStringList{raw, mf}));
        QVERIFY(QFileInfo::exists(manifest));
        QVERIFY(!QFileInfo::exists(raw + ".part"));
        // Independent check: qemu-img compares the content.
        auto cmp = testsupport::runTool("qemu-img", {"compare", "-f", "vmdk", "-F", "raw", img->image, raw});
        QVERIFY2(cmp.exitCode == 0, cmp.out.constData());
        // The bitmap: header fields and bits as computed here from the RAW file.
        QFile mff(mf);
        QVERIFY(mff.open(QIODevice::ReadOnly));
        const QByteArray bm = mff.readAll();
        QVERIFY(bm.startsWith("IMGPREPM"));
        const quint64 block = le64(bm, 16);
        QCOMPARE(le64(bm, 24), quint64(QFileInfo(raw).size()));
        QCOMPARE(bm.mid(128), bitmapOf(raw, qint64(block)));
        // The manifest names both outputs.
        QFile mj(manifest);
        QVERIFY(mj.open(QIODevice::ReadOnly));
        const QJsonObject man = QJsonDocument::fromJson(mj.readAll()).object();
        QCOMPARE(man["target"].toString(), QStringLiteral("raw"));
        QCOMPARE(man["outputs"].toArray().size(), 2);
        QCOMPARE(man["verification"].toObject()["match"].toBool(), true);

        // The checklist re-runs on the output.
        QVERIFY(reopened.count() >= 1);
        QCOMPARE(w.session()->path(), raw);
        QVERIFY(guitest::waitChecked(w));
        QCOMPARE(w.session()->derivedFrom(), QFileInfo(img->image).absoluteFilePath());
        QCOMPARE(w.session()->inspection()->image.format, std::string("raw"));
        QCOMPARE(w.checklistPage()->model()->finalCount(), w.checklistPage()->model()->checkCount());
        QCOMPARE(w.checklistPage()->banner()->verdict(), QStringLiteral("ready"));
        // The summary shows the outputs and can open their folder.
        QVERIFY(w.goToStep(WizardWindow::SummaryStep));
        QCOMPARE(w.summaryPage()->outputFolder(), out.path());
        QVERIFY(w.summaryPage()->openFolderButton()->isEnabled());
        QVERIFY(w.summaryPage()->outputsList()->count() >= 3);
        QVERIFY(w.summaryPage()->factsText().contains("Converted from"));

        // Reports: JSON (parsed), HTML, PDF (read back with pdftotext).
        for (auto [kind, name] :
             {std::pair{report::Kind::Json, "r.json"}, std::pair{report::Kind::Html, "r.html"},
              std::pair{report::Kind::Pdf, "r.pdf"}}) {
            if (!report::available(kind)) {
                QVERIFY(!w.summaryPage()->exportButton(kind)->isEnabled());
                qWarning("report kind %s not available in this build", name);
                continue;
            }
            QVERIFY(w.summaryPage()->exportButton(kind)->isEnabled());
            QSignalSpy exported(w.summaryPage(), &SummaryPage::exported);
            w.summaryPage()->exportTo(kind, out.filePath(name));
            QVERIFY(exported.wait(60000));
            QVERIFY2(exported.first().at(1).toBool(), qPrintable(w.summaryPage()->status()->text()));
        }
        QFile jf(out.filePath("r.json"));
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonObject rep = QJsonDocument::fromJson(jf.readAll()).object();
        QCOMPARE(rep["summary"].toObject()["verdict"].toString(), QStringLiteral("ready"));
        QCOMPARE(rep["checks"].toArray().size(), w.checklistPage()->model()->checkCount());
        if (report::available(report::Kind::Html)) {
            QFile hf(out.filePath("r.html"));
            QVERIFY(hf.open(QIODevice::ReadOnly));
            const QByteArray html = hf.readAll();
            QVERIFY(html.contains("<html"));
            QVERIFY(html.contains("network.dhcp"));
        }
        if (report::available(report::Kind::Pdf)) {
            auto txt = testsupport::runTool("pdftotext", {out.filePath("r.pdf"), "-"});
            QCOMPARE(txt.exitCode, 0);
            QVERIFY2(txt.out.contains("win2016-uefi-ready"), txt.out.left(400).constData());
        }
    }

    // Cancel half-way: the conversion stops and nothing is left in the output folder.
    void cancelConversion() {
        const QString big = guitest::guiInput("big.qcow2");
        if (big.isEmpty()) QSKIP("gui fixture not built");
        QTemporaryDir out;
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, big));
        QVERIFY(w.goToStep(WizardWindow::ConvertStep));
        ConvertPage* c = w.convertPage();
        c->folderEdit()->setText(out.path());
        c->rawRadio()->setChecked(true);
        c->verifyBox()->setChecked(false);
        // Cancel once the throughput and the time left are shown (after 0.3 s of work).
        quint64 doneAtCancel = 0, totalAtCancel = 0;
        QString rateAtCancel;
        int barAtCancel = -1;
        connect(c->job(), &ConvertJob::progressed, this, [&](quint64 done, quint64 total) {
            if (totalAtCancel == 0 && c->rateLabel()->text().contains("left")) {
                doneAtCancel = done;
                totalAtCancel = total;
                rateAtCancel = c->rateLabel()->text();
                barAtCancel = c->progressBar()->value();
                QTest::mouseClick(c->cancelButton(), Qt::LeftButton);
            }
        });
        QSignalSpy finished(c->job(), &ConvertJob::finished);
        QTest::mouseClick(c->convertButton(), Qt::LeftButton);
        QVERIFY(finished.wait(120000));
        const auto outcome = finished.first().at(0).value<ConvertOutcome>();
        QVERIFY2(totalAtCancel > 0 && doneAtCancel < totalAtCancel, "cancelled before the end");
        QVERIFY2(rateAtCancel.contains("/s") && rateAtCancel.contains("of"), qPrintable(rateAtCancel));
        QVERIFY(barAtCancel > 0 && barAtCancel < c->progressBar()->maximum());
        qInfo("cancelled at %d/1000: %s", barAtCancel, qPrintable(rateAtCancel));
        QVERIFY(!outcome.ok);
        QVERIFY(outcome.cancelled);
        QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{});
        QVERIFY(c->resultMessage()->text().contains("cancelled"));
        QCOMPARE(c->progressBar()->value(), 0);
        QVERIFY(c->convertButton()->isEnabled());
        QCOMPARE(w.session()->path(), QFileInfo(big).absoluteFilePath()); // no re-check of a missing output
    }

    // Files that are not disk images, or are corrupt, or missing: the reason is shown in place, Next stays
    // off.
    void errorsInPlace_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("garbage") << guitest::guiInput("garbage.bin")
                                 << "garbage.bin: not a recognised disk image";
        QTest::newRow("empty") << guitest::guiInput("empty.vhd") << "empty.vhd: zero-length file";
        QTest::newRow("gzip") << guitest::guiInput("disk.img.gz") << "disk.img.gz: gzip-compressed";
        QTest::newRow("corrupt vmdk") << guitest::guiInput("corrupt.vmdk") << "sparse extent version";
        QTest::newRow("missing") << QStringLiteral("/nonexistent/dir/image.vmdk") << "image.vmdk";
    }
    void errorsInPlace() {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        if (file.isEmpty()) QSKIP("gui fixture not built");
        WizardWindow w;
        w.show();
        w.openImage(file);
        QTRY_COMPARE_WITH_TIMEOUT(w.session()->state(), Session::State::OpenFailed, 30000);
        const QString err = w.choosePage()->errorMessage()->text();
        QVERIFY2(err.contains(reason), qPrintable(err));
        QVERIFY(w.choosePage()->errorMessage()->isVisible());
        QCOMPARE(w.currentStep(), int(WizardWindow::ChooseStep));
        QVERIFY(!w.nextButton()->isEnabled());
        QVERIFY(!w.canEnter(WizardWindow::ChecklistStep));
        // A good image afterwards clears the error.
        if (auto img = need("win2016-uefi-ready")) {
            QVERIFY(openAndCheck(w, img->image));
            QVERIFY(w.choosePage()->errorMessage()->text().isEmpty());
        }
    }

    // An OVA with two disks: the disk picker lists both members; the pick drives the conversion.
    void ovaDiskPicker() {
        auto img = need("win2016-two-disks");
        if (!img) QSKIP("windows fixture not built");
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, img->image));
        QComboBox* disks = w.choosePage()->diskCombo();
        QVERIFY(disks->isVisible());
        const QJsonArray members = img->expect["ova_disks"].toArray();
        QCOMPARE(disks->count(), members.size());
        for (int i = 0; i < members.size(); ++i)
            QVERIFY(disks->itemText(i).contains(members[i].toString()));
        QCOMPARE(w.session()->diskIndex(), 0); // the Windows disk
        const QJsonArray sizes = img->expect["image"].toObject()["disk_sizes"].toArray();
        QVERIFY(w.choosePage()->infoText().contains(QLocale().toString(qulonglong(sizes[0].toDouble()))));
        disks->setCurrentIndex(1);
        emit disks->activated(1);
        QCOMPARE(w.session()->diskIndex(), 1);
        QVERIFY(w.choosePage()->infoText().contains(QLocale().toString(qulonglong(sizes[1].toDouble()))));
        QVERIFY(w.goToStep(WizardWindow::ConvertStep));
        QVERIFY(w.convertPage()->outputPath().endsWith(QFileInfo(members[1].toString()).completeBaseName() +
                                                       ".zvhd2"));
        QVERIFY(w.convertPage()->zvhd2Radio()->isEnabled()); // imgprep reads the disk inside the OVA itself
        w.convertPage()->rawRadio()->setChecked(true);
        QVERIFY(w.convertPage()->outputPath().endsWith(QFileInfo(members[1].toString()).completeBaseName() +
                                                       ".raw"));
    }

    // Drag and drop onto the drop area (and onto the window) opens the file; it joins the recent files.
    void dragAndDropAndRecent() {
        auto img = need("win7-x86");
        if (!img) QSKIP("windows fixture not built");
        settings::clearRecentFiles();
        WizardWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        DropArea* area = w.choosePage()->dropArea();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(img->image)});
        const QPoint at = area->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(area, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(area, &drop);
        QVERIFY(guitest::waitChecked(w));
        QCOMPARE(w.session()->path(), QFileInfo(img->image).absoluteFilePath());
        QCOMPARE(settings::recentFiles().value(0), QFileInfo(img->image).absoluteFilePath());
        QListWidget* recent = w.choosePage()->recentList();
        QVERIFY(recent->count() >= 1);
        QCOMPARE(recent->item(0)->data(Qt::UserRole).toString(), QFileInfo(img->image).absoluteFilePath());
        // A text drop is refused.
        QMimeData text;
        text.setText("hello");
        QDragEnterEvent enter2(at, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        enter2.setAccepted(false);
        QApplication::sendEvent(area, &enter2);
        QVERIFY(!enter2.isAccepted());
        // The recent entry opens the image again in a new window (the list survives: QSettings).
        WizardWindow w2;
        w2.show();
        QVERIFY(w2.choosePage()->recentList()->count() >= 1);
        emit w2.choosePage()->recentList()->itemActivated(w2.choosePage()->recentList()->item(0));
        QVERIFY(guitest::waitChecked(w2));
        QCOMPARE(w2.session()->path(), QFileInfo(img->image).absoluteFilePath());
    }

    // The file changes on disk: the wizard re-opens and re-checks it by itself.
    void recheckWhenFileChanges() {
        auto ready = need("win2016-uefi-ready");
        auto stat = need("win2012r2-bios-static");
        if (!ready || !stat) QSKIP("windows fixture not built");
        QTemporaryDir tmp;
        const QString path = tmp.filePath("changing.img");
        QVERIFY(QFile::copy(ready->image, path));
        WizardWindow w;
        w.show();
        w.session()->setChangeDelay(150);
        QVERIFY(openAndCheck(w, path));
        QCOMPARE(guitest::statusOf(w.checklistPage()->model(), "network.dhcp"), QStringLiteral("pass"));
        QSignalSpy changed(w.session(), &Session::fileChangedOnDisk);
        // Rewrite it in place with the static-IP image.
        {
            QFile src(stat->image), dst(path);
            QVERIFY(src.open(QIODevice::ReadOnly));
            QVERIFY(dst.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QCOMPARE(dst.write(src.readAll()), src.size());
        }
        QVERIFY(changed.wait(20000));
        QVERIFY(guitest::waitChecked(w));
        QCOMPARE(guitest::statusOf(w.checklistPage()->model(), "network.dhcp"), QStringLiteral("fail"));
        // Re-check by hand (F5 / the button) runs the checks again.
        QSignalSpy started(w.session(), &Session::checksStarted);
        QVERIFY(w.goToStep(WizardWindow::ChecklistStep));
        QTest::mouseClick(w.checklistPage()->recheckButton(), Qt::LeftButton);
        QCOMPARE(started.count(), 1);
        QVERIFY(guitest::waitChecked(w));
    }

    // ZVHD2 by imgprep's own writer, the default: the note recommends it when fast import is needed and gives
    // the estimated size; progress reaches 100 % through "compressing"; --verify reads it back; the file is
    // the driver's layout (the tests' own parser and decoder) with the source's content (qemu-img); the
    // checklist runs again on the ZVHD2 file.
    void convertZvhd2() {
        auto img = need("win2016-uefi-ready");
        if (!img) QSKIP("windows fixture not built");
        settings::setQemuImgHw(QString());
        QTemporaryDir out;
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, img->image));
        QVERIFY(w.goToStep(WizardWindow::ConvertStep));
        ConvertPage* c = w.convertPage();
        c->folderEdit()->setText(out.path());
        c->refreshSpace();
        QVERIFY(c->zvhd2Radio()->isChecked());
        QVERIFY(c->zvhd2Radio()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(c->zvhd2Note()->text().contains("Estimated size"), 20000);
        QVERIFY2(c->zvhd2Note()->text().contains("Written by imgprep"), qPrintable(c->zvhd2Note()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(c->spaceLabel()->text().contains("ZVHD2 file will be about"), 20000);
        c->verifyBox()->setChecked(true);
        QStringList phases;
        int maxBar = 0;
        connect(c->job(), &ConvertJob::phaseBegan, this, [&](const QString& p) { phases << p; });
        connect(c->job(), &ConvertJob::progressed, this,
                [&] { maxBar = std::max(maxBar, c->progressBar()->value()); });
        QSignalSpy finished(c->job(), &ConvertJob::finished);
        QTest::mouseClick(c->convertButton(), Qt::LeftButton);
        QVERIFY(finished.wait(120000));
        const auto outcome = finished.first().at(0).value<ConvertOutcome>();
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QVERIFY(outcome.verified);
        QVERIFY(guitest::waitChecked(w));
        QVERIFY(phases.contains("compressing"));
        QVERIFY(phases.contains("verifying"));
        QVERIFY(maxBar > 0);
        QCOMPARE(c->progressBar()->value(), c->progressBar()->maximum());
        const QString z = out.filePath("win2016-uefi-ready.zvhd2");
        QCOMPARE(outcome.outputs, QStringList{z});
        QVERIFY(!QFileInfo::exists(z + ".part"));
        const QString raw = out.filePath("source.raw");
        auto conv = testsupport::runTool("qemu-img", {"convert", "-O", "raw", img->image, raw});
        QVERIFY2(conv.exitCode == 0, conv.err.constData());
        const QString why = zvhd2test::checkZvhd2(z, raw, 1);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QFile mj(out.filePath("win2016-uefi-ready.manifest.json"));
        QVERIFY(mj.open(QIODevice::ReadOnly));
        const QJsonObject man = QJsonDocument::fromJson(mj.readAll()).object();
        QCOMPARE(man["target"].toString(), QStringLiteral("zvhd2"));
        QCOMPARE(man["zvhd2"].toObject()["writer"].toString(), QStringLiteral("imgprep"));
        // The re-check runs on the ZVHD2 file itself.
        QCOMPARE(w.session()->path(), QFileInfo(z).absoluteFilePath());
        QCOMPARE(QString::fromStdString(w.session()->input()->disks.front().reader->info().format),
                 QString("zvhd2"));
    }

    // qemu-img-hw is optional: without it (or with a wrong path) ZVHD2 is written by imgprep; set under Tools
    // (here the test double) it writes the file instead.
    void zvhd2WithQemuImgHw() {
        auto img = need("win2016-uefi-ready");
        if (!img) QSKIP("windows fixture not built");
        settings::setQemuImgHw(QString());
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, img->image));
        QVERIFY(w.goToStep(WizardWindow::ConvertStep));
        ConvertPage* c = w.convertPage();
        QVERIFY(c->zvhd2Radio()->isEnabled());
        QVERIFY(c->zvhd2Note()->text().contains("Written by imgprep"));
        QVERIFY(c->request().qemuImgHw.isEmpty());
        settings::setQemuImgHw(QStringLiteral("/nonexistent/qemu-img-hw"));
        c->refreshTools();
        QTRY_VERIFY_WITH_TIMEOUT(c->zvhd2Note()->text().contains("not an executable file"), 10000);
        QVERIFY(c->zvhd2Radio()->isEnabled());
        QVERIFY(c->request().qemuImgHw.isEmpty());
        settings::setQemuImgHw(QStringLiteral(IMGPREP_FAKE_QEMU_IMG_HW));
        c->refreshTools();
        QTRY_VERIFY_WITH_TIMEOUT(c->zvhd2Note()->text().contains("fake-qemu-img-hw.sh"), 10000);
        QCOMPARE(c->request().qemuImgHw, QStringLiteral(IMGPREP_FAKE_QEMU_IMG_HW));
        // The test double converts (it writes a small stand-in file, so no verification).
        QTemporaryDir out;
        c->folderEdit()->setText(out.path());
        c->zvhd2Radio()->setChecked(true);
        c->verifyBox()->setChecked(false);
        QSignalSpy finished(c->job(), &ConvertJob::finished);
        QTest::mouseClick(c->convertButton(), Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        const auto outcome = finished.first().at(0).value<ConvertOutcome>();
        QVERIFY2(outcome.ok, qPrintable(outcome.error));
        QVERIFY(QFileInfo::exists(out.filePath("win2016-uefi-ready.zvhd2")));
        QFile mj(out.filePath("win2016-uefi-ready.manifest.json"));
        QVERIFY(mj.open(QIODevice::ReadOnly));
        QVERIFY(mj.readAll().contains("test double"));
        settings::setQemuImgHw(QString());
    }

    // The tools dialog (opened without blocking) stores the paths; the convert page picks them up.
    void toolSettingsDialog() {
        auto img = need("win2016-uefi-ready");
        if (!img) QSKIP("windows fixture not built");
        settings::setQemuImgHw(QString());
        settings::setCreateMfJar(QString());
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, img->image));
        QVERIFY(w.goToStep(WizardWindow::ConvertStep));
        w.showToolSettings();
        auto* dlg = w.findChild<SettingsDialog*>();
        QVERIFY(dlg);
        QTRY_VERIFY(dlg->isVisible());
        dlg->qemuImgHwEdit()->setText(QStringLiteral(IMGPREP_FAKE_QEMU_IMG_HW));
        dlg->createMfEdit()->setText(QStringLiteral("/opt/cloud/CreateMF.jar"));
        dlg->accept();
        QCOMPARE(settings::qemuImgHw(), QStringLiteral(IMGPREP_FAKE_QEMU_IMG_HW));
        QCOMPARE(settings::createMfJar(), QStringLiteral("/opt/cloud/CreateMF.jar"));
        QTRY_VERIFY_WITH_TIMEOUT(w.convertPage()->zvhd2Note()->text().contains("fake-qemu-img-hw.sh"), 10000);
        const ConvertRequest r = w.convertPage()->request();
        QCOMPARE(r.createMfJar, QStringLiteral("/opt/cloud/CreateMF.jar"));
        QCOMPARE(r.qemuImgHw, QStringLiteral(IMGPREP_FAKE_QEMU_IMG_HW));
        settings::setCreateMfJar(QString());
        settings::setQemuImgHw(QString());
    }

    // Every control that takes keyboard focus has an accessible name, and Tab walks through each page.
    void accessibilityAndKeyboard() {
        auto img = need("win2012r2-bios-static");
        if (!img) QSKIP("windows fixture not built");
        WizardWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openAndCheck(w, img->image));
        for (int step = 0; step < WizardWindow::StepCount; ++step) {
            QVERIFY(w.goToStep(step));
            QApplication::processEvents();
            const auto widgets = w.page(step)->findChildren<QWidget*>();
            for (QWidget* c : widgets) {
                if (!c->isVisible() || !(c->focusPolicy() & Qt::TabFocus) || !c->isEnabled()) continue;
                if (qobject_cast<QScrollBar*>(c)) continue;
                QAccessibleInterface* a = QAccessible::queryAccessibleInterface(c);
                QVERIFY(a);
                QVERIFY2(!a->text(QAccessible::Name).trimmed().isEmpty(),
                         qPrintable(QStringLiteral("step %1: %2 (%3) has no accessible name")
                                        .arg(step)
                                        .arg(c->metaObject()->className(), c->objectName())));
            }
            // Tab moves focus through the page and reaches Next/Back.
            w.stepList()->setFocus();
            QSet<QWidget*> seen;
            for (int i = 0; i < 60; ++i) {
                QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
                seen.insert(QApplication::focusWidget());
            }
            QVERIFY(seen.contains(w.backButton()) || !w.backButton()->isEnabled());
            QVERIFY(seen.size() >= 3);
        }
        // Keyboard: Next has the mnemonic Alt+N, and Space on the focused button goes to the next step.
        QVERIFY(w.goToStep(WizardWindow::ChooseStep));
        QCOMPARE(w.nextButton()->shortcut(), QKeySequence(Qt::ALT | Qt::Key_N));
        QCOMPARE(w.backButton()->shortcut(), QKeySequence(Qt::ALT | Qt::Key_B));
        w.nextButton()->setFocus();
        QTest::keyClick(w.nextButton(), Qt::Key_Space);
        QCOMPARE(w.currentStep(), int(WizardWindow::ChecklistStep));
        // The checklist's tree: arrows move, the details follow.
        QTreeView* tree = w.checklistPage()->view();
        tree->setFocus();
        tree->setCurrentIndex(w.checklistPage()->model()->indexOf("network.dhcp"));
        QTest::keyClick(tree, Qt::Key_Down);
        QCOMPARE(w.checklistPage()->details()->currentId(), QStringLiteral("network.nic_multiqueue"));
        // Space on a manual row confirms it.
        tree->setCurrentIndex(w.checklistPage()->model()->indexOf("os.full_virtualization"));
        QTest::keyClick(tree, Qt::Key_Space);
        QVERIFY(w.session()->isConfirmed("os.full_virtualization"));
    }

    // "Show log" opens a non-modal window with the log, which records what the wizard did.
    void showLog() {
        auto img = need("win2016-uefi-ready");
        if (!img) QSKIP("windows fixture not built");
        WizardWindow w;
        w.show();
        QVERIFY(openAndCheck(w, img->image));
        w.showLog();
        QVERIFY(w.logViewer());
        QVERIFY(!w.logViewer()->isModal());
        QTRY_VERIFY_WITH_TIMEOUT(w.logViewer()->text()->toPlainText().contains("win2016-uefi-ready.vmdk"),
                                 10000);
        QVERIFY(w.logViewer()->text()->toPlainText().contains("verdict ready"));
        QVERIFY2(QFontInfo(w.logViewer()->text()->font()).fixedPitch(),
                 qPrintable(QFontInfo(w.logViewer()->text()->font()).family()));
        QVERIFY(log::filePath().startsWith(guitest::home()));
        QVERIFY(log::filePath().endsWith("imgprep.log"));
    }

    // Window geometry is remembered.
    void geometryRemembered() {
        {
            WizardWindow w;
            w.show();
            w.resize(1000, 700);
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.close();
        }
        WizardWindow w2;
        QCOMPARE(w2.size(), QSize(1000, 700));
    }

    // The UI follows the locale: Simplified Chinese is built in; English is the fallback.
    void translations() {
        QVERIFY(installTranslations(QLocale(QLocale::Chinese, QLocale::China)));
        {
            WizardWindow w;
            QVERIFY(w.choosePage()->title() != QStringLiteral("Choose the disk image"));
            QVERIFY(w.nextButton()->text().contains(QChar(0x4E0B))); // 下一步
        }
        installTranslations(QLocale(QLocale::German, QLocale::Germany)); // no German: English
        {
            WizardWindow w;
            QCOMPARE(w.choosePage()->title(), QStringLiteral("Choose the disk image"));
        }
        installTranslations(QLocale(QLocale::English, QLocale::UnitedStates));
    }
};

int main(int argc, char** argv) {
    TestWizard t;
    return guitest::run(argc, argv, &t);
}

#include "test_wizard.moc"
