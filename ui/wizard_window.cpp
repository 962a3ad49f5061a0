#include "wizard_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QUrl>
#include <QVBoxLayout>

#include "app_settings.h"
#include "checklist_page.h"
#include "choose_page.h"
#include "convert_page.h"
#include "formatting.h"
#include "icons.h"
#include "log_viewer.h"
#include "logging.h"
#include "remediation_page.h"
#include "session.h"
#include "settings_dialog.h"
#include "summary_page.h"
#include "util/version.h"

namespace imgprep::ui {

WizardWindow::WizardWindow(QWidget* parent) : QMainWindow(parent), session_(new Session(this)) {
    setWindowIcon(appIcon());
    setAcceptDrops(true);

    auto* central = new QWidget(this);
    auto* outer = new QHBoxLayout(central);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(0);

    steps_ = new QListWidget(central);
    steps_->setAccessibleName(tr("Steps"));
    steps_->setFrameShape(QFrame::NoFrame);
    steps_->setFixedWidth(210);
    steps_->setBackgroundRole(QPalette::AlternateBase);
    steps_->setAutoFillBackground(true);
    steps_->setIconSize(QSize(20, 20));
    steps_->setSpacing(2);
    QFont sf = steps_->font();
    sf.setPointSizeF(sf.pointSizeF() * 1.05);
    steps_->setFont(sf);
    outer->addWidget(steps_);
    auto* line = new QFrame(central);
    line->setFrameShape(QFrame::VLine);
    line->setFrameShadow(QFrame::Sunken);
    outer->addWidget(line);

    auto* right = new QVBoxLayout;
    right->setContentsMargins(20, 16, 20, 14);
    right->setSpacing(8);
    title_ = new QLabel(central);
    QFont tf = title_->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.5);
    tf.setBold(true);
    title_->setFont(tf);
    subtitle_ = new QLabel(central);
    subtitle_->setWordWrap(true);
    subtitle_->setForegroundRole(QPalette::PlaceholderText);
    right->addWidget(title_);
    right->addWidget(subtitle_);
    right->addSpacing(4);

    stack_ = new QStackedWidget(central);
    choose_ = new ChoosePage(session_, stack_);
    checklist_ = new ChecklistPage(session_, stack_);
    remediation_ = new RemediationPage(session_, stack_);
    convert_ = new ConvertPage(session_, stack_);
    summary_ = new SummaryPage(session_, stack_);
    for (WizardPage* p : {static_cast<WizardPage*>(choose_), static_cast<WizardPage*>(checklist_),
                          static_cast<WizardPage*>(remediation_), static_cast<WizardPage*>(convert_),
                          static_cast<WizardPage*>(summary_)}) {
        stack_->addWidget(p);
        connect(p, &WizardPage::completeChanged, this, &WizardWindow::updateNavigation);
    }
    right->addWidget(stack_, 1);

    auto* buttons = new QHBoxLayout;
    back_ = new QPushButton(tr("< &Back"), central);
    next_ = new QPushButton(tr("&Next >"), central);
    back_->setAccessibleName(tr("Back to the previous step"));
    next_->setAccessibleName(tr("Go to the next step"));
    next_->setDefault(true);
    buttons->addStretch(1);
    buttons->addWidget(back_);
    buttons->addWidget(next_);
    right->addLayout(buttons);
    outer->addLayout(right, 1);
    setCentralWidget(central);

    const QStringList names = {tr("Choose image"), tr("Checklist"), tr("Fix the VM"), tr("Convert"),
                               tr("Summary")};
    for (int i = 0; i < names.size(); ++i) {
        auto* item = new QListWidgetItem(names[i], steps_);
        item->setSizeHint(QSize(0, 38));
        item->setData(Qt::AccessibleTextRole, tr("Step %1: %2").arg(i + 1).arg(names[i]));
    }

    buildMenus();
    statusBar()->setSizeGripEnabled(true);

    connect(steps_, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row != currentStep() && !goToStep(row)) {
            const QSignalBlocker block(steps_);
            steps_->setCurrentRow(currentStep());
        }
    });
    connect(back_, &QPushButton::clicked, this, &WizardWindow::back);
    connect(next_, &QPushButton::clicked, this, &WizardWindow::next);
    connect(choose_, &ChoosePage::openRequested, this, &WizardWindow::openImage);
    connect(convert_, &ConvertPage::conversionFinished, this, &WizardWindow::onConversionFinished);
    connect(convert_, &ConvertPage::settingsRequested, this, &WizardWindow::showToolSettings);
    connect(session_, &Session::stateChanged, this, [this] {
        updateNavigation();
        updateTitle();
    });
    connect(session_, &Session::summaryChanged, this, &WizardWindow::updateNavigation);
    connect(session_, &Session::fileChangedOnDisk, this, [this](const QString& path) {
        statusBar()->showMessage(tr("%1 changed on disk: checking it again.").arg(QFileInfo(path).fileName()),
                                 8000);
    });
    connect(session_, &Session::openFailed, this, [this] {
        if (currentStep() != ChooseStep) goToStep(ChooseStep); // the error is shown there, in place
    });

    {
        const QSignalBlocker block(steps_);
        steps_->setCurrentRow(0);
    }
    stack_->setCurrentIndex(0);
    choose_->enterPage();
    if (!restoreGeometry(settings::windowGeometry())) resize(1120, 780);
    restoreState(settings::windowState());
    updateNavigation();
    updateTitle();
}

WizardWindow::~WizardWindow() = default;

WizardPage* WizardWindow::page(int step) const {
    return qobject_cast<WizardPage*>(stack_->widget(step));
}

int WizardWindow::currentStep() const {
    return stack_->currentIndex();
}

LogViewer* WizardWindow::logViewer() const {
    return logViewer_.data();
}

void WizardWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open image…"), this, &WizardWindow::chooseImage);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    connect(recentMenu_, &QMenu::aboutToShow, this, &WizardWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    QAction* recheck = tools->addAction(tr("&Re-check"), session_, &Session::recheck);
    recheck->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    tools->addAction(tr("&Conversion tools…"), this, &WizardWindow::showToolSettings);
    tools->addSeparator();
    QAction* showLogAction = tools->addAction(tr("Show &log"), this, &WizardWindow::showLog);
    showLogAction->setObjectName(QStringLiteral("showLogAction"));
    showLogAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About imgprep"), this, [this] {
        QMessageBox::about(
            this, tr("About imgprep"),
            tr("<h3>imgprep %1 — Image Prep Wizard</h3><p>Gets a Windows VM disk image ready for import "
               "into Huawei Cloud / Open Telekom Cloud IMS: checks it offline against “Preparing an "
               "Image File”, converts it for fast import and writes a report.</p><p>Log file: %2</p>")
                .arg(QStringLiteral(IMGPREP_VERSION_STRING), log::filePath().toHtmlEscaped()));
    });
}

void WizardWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList files = settings::recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString f = files[i];
        QAction* a =
            recentMenu_->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(QFileInfo(f).fileName()));
        a->setToolTip(f);
        connect(a, &QAction::triggered, this, [this, f] { openImage(f); });
    }
    if (files.isEmpty())
        recentMenu_->addAction(tr("(none yet)"))->setEnabled(false);
    else {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("&Clear the list"), this, [this] {
            settings::clearRecentFiles();
            choose_->refreshRecent();
        });
    }
}

bool WizardWindow::canEnter(int step) const {
    if (step < 0 || step >= StepCount) return false;
    if (step == ChooseStep) return true;
    const auto s = session_->state();
    return session_->input() && s != Session::State::Opening && s != Session::State::OpenFailed;
}

bool WizardWindow::goToStep(int step) {
    if (!canEnter(step)) return false;
    if (step == currentStep()) return true;
    if (auto* old = page(currentStep())) old->leavePage();
    stack_->setCurrentIndex(step);
    {
        const QSignalBlocker block(steps_);
        steps_->setCurrentRow(step);
    }
    page(step)->enterPage();
    updateNavigation();
    updateTitle();
    return true;
}

void WizardWindow::next() {
    const int s = currentStep();
    if (s == SummaryStep) {
        close();
        return;
    }
    if (page(s)->isComplete()) goToStep(s + 1);
}

void WizardWindow::back() {
    if (currentStep() > 0) goToStep(currentStep() - 1);
}

void WizardWindow::updateNavigation() {
    const int s = currentStep();
    back_->setEnabled(s > 0);
    const bool last = s == SummaryStep;
    next_->setText(last ? tr("&Finish") : tr("&Next >"));
    next_->setEnabled(last || (page(s)->isComplete() && canEnter(s + 1)));
    for (int i = 0; i < steps_->count(); ++i) {
        QListWidgetItem* item = steps_->item(i);
        item->setFlags(canEnter(i) ? Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::NoItemFlags);
    }
    // The checklist step shows the verdict.
    QIcon verdict;
    if (session_->state() == Session::State::Inspecting)
        verdict = statusIcon(std::nullopt);
    else if (session_->state() == Session::State::InspectFailed)
        verdict = statusIcon(CheckStatus::Fail);
    else if (const auto& sum = session_->summary()) {
        verdict = sum->verdict == "ready"       ? statusIcon(CheckStatus::Pass)
                  : sum->verdict == "not_ready" ? statusIcon(CheckStatus::Fail)
                                                : statusIcon(CheckStatus::Warn);
    }
    for (int i = 0; i < steps_->count(); ++i)
        steps_->item(i)->setIcon(stepIcon(i + 1, steps_->palette()));
    if (!verdict.isNull()) steps_->item(ChecklistStep)->setIcon(verdict);
    if (const auto& c = session_->conversion(); c && !c->outputs.isEmpty())
        steps_->item(ConvertStep)->setIcon(statusIcon(CheckStatus::Pass));
}

void WizardWindow::updateTitle() {
    WizardPage* p = page(currentStep());
    title_->setText(p->title());
    subtitle_->setText(p->subtitle());
    const QString app = tr("imgprep — Image Prep Wizard");
    setWindowTitle(session_->path().isEmpty()
                       ? app
                       : QStringLiteral("%1 — %2").arg(QFileInfo(session_->path()).fileName(), app));
}

void WizardWindow::openImage(const QString& path) {
    if (path.isEmpty()) return;
    if (convert_->job()->running()) {
        statusBar()->showMessage(tr("A conversion is running: cancel it before choosing another image."),
                                 8000);
        return;
    }
    const QFileInfo fi(path);
    settings::addRecentFile(fi.absoluteFilePath());
    settings::setLastFolder(fi.absolutePath());
    session_->open(fi.absoluteFilePath());
    choose_->refreshRecent();
    rebuildRecentMenu();
}

void WizardWindow::chooseImage() {
    if (currentStep() != ChooseStep) goToStep(ChooseStep);
    choose_->chooseFile();
}

void WizardWindow::onConversionFinished(const ConvertOutcome& outcome, const ConvertRequest& request) {
    updateNavigation();
    if (!outcome.ok || outcome.outputs.isEmpty()) return;
    ConversionRecord rec;
    rec.source = session_->derivedFrom().isEmpty() ? session_->path() : session_->derivedFrom();
    rec.target =
        request.target == ConvertRequest::Target::Raw ? QStringLiteral("raw") : QStringLiteral("zvhd2");
    rec.outputs = outcome.outputs;
    rec.sizes = outcome.sizes;
    rec.manifest = outcome.manifest;
    rec.verified = outcome.verified;
    rec.seconds = outcome.seconds;
    const QString source = rec.source;
    session_->setConversion(rec);
    // The checklist runs again on what will be uploaded.
    session_->open(outcome.outputs.first(), source);
    statusBar()->showMessage(
        tr("Conversion done: checking the output %1.").arg(QFileInfo(outcome.outputs.first()).fileName()),
        8000);
}

void WizardWindow::showLog() {
    if (!logViewer_) {
        logViewer_ = new LogViewer(this);
        logViewer_->setAttribute(Qt::WA_DeleteOnClose);
    } else {
        logViewer_->reload();
    }
    logViewer_->show();
    logViewer_->raise();
    logViewer_->activateWindow();
}

void WizardWindow::showToolSettings() {
    if (!settingsDialog_) {
        settingsDialog_ = new SettingsDialog(this);
        settingsDialog_->setAttribute(Qt::WA_DeleteOnClose);
        connect(settingsDialog_, &QDialog::accepted, convert_, [this] {
            convert_->refreshTools();
            convert_->refreshSpace();
        });
    }
    settingsDialog_->open(); // window-modal, does not block the event loop
}

void WizardWindow::saveWindowState() {
    settings::setWindowGeometry(saveGeometry());
    settings::setWindowState(saveState());
    checklist_->saveState();
}

void WizardWindow::closeEvent(QCloseEvent* e) {
    if (convert_->job()->running()) {
        if (e->spontaneous()) {
            const auto answer =
                QMessageBox::question(this, tr("Conversion running"),
                                      tr("A conversion is running. Cancel it and quit? The partial "
                                         "output is removed."),
                                      QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
            if (answer != QMessageBox::Yes) {
                e->ignore();
                return;
            }
        }
        convert_->cancelConversion();
    }
    checklist_->leavePage(); // clears the password field
    saveWindowState();
    log::info(QStringLiteral("window closed"));
    QMainWindow::closeEvent(e);
}

void WizardWindow::changeEvent(QEvent* e) {
    QMainWindow::changeEvent(e);
    if (e->type() == QEvent::PaletteChange) updateNavigation();
}

void WizardWindow::dragEnterEvent(QDragEnterEvent* e) {
    const QMimeData* m = e->mimeData();
    if (m && m->hasUrls() && m->urls().size() == 1 && m->urls().first().isLocalFile())
        e->acceptProposedAction();
}

void WizardWindow::dropEvent(QDropEvent* e) {
    const QMimeData* m = e->mimeData();
    if (!m || !m->hasUrls() || m->urls().size() != 1 || !m->urls().first().isLocalFile()) return;
    e->acceptProposedAction();
    openImage(m->urls().first().toLocalFile());
}

} // namespace imgprep::ui
