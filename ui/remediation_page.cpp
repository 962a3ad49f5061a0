#include "remediation_page.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "app_settings.h"
#include "formatting.h"
#include "logging.h"
#include "session.h"
#include "widgets.h"

namespace imgprep::ui {

RemediationPage::RemediationPage(Session* session, QWidget* parent)
    : WizardPage(
          tr("Fix the source VM"),
          tr("A PowerShell script for the problems that must be fixed inside Windows. Run it as "
             "administrator in the source VM (add -DryRun to only see what it would change), shut the VM "
             "down and export the image again. imgprep runs nothing itself."),
          parent),
      session_(session) {
    stepsLabel_ = new QLabel(this);
    stepsLabel_->setWordWrap(true);
    stepsLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    body()->addWidget(stepsLabel_);

    sysprep_ =
        new QCheckBox(tr("Include the &Sysprep step (only when the ECSs must join a domain or need unique "
                         "SIDs)"),
                      this);
    sysprep_->setAccessibleName(tr("Include the Sysprep step"));
    body()->addWidget(sysprep_);

    editor_ = new QPlainTextEdit(this);
    editor_->setReadOnly(true);
    editor_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    editor_->setLineWrapMode(QPlainTextEdit::NoWrap);
    editor_->setFont(monospaceFont());
    editor_->setAccessibleName(tr("Remediation script"));
    editor_->setTabChangesFocus(true);
    body()->addWidget(editor_, 1);

    auto* row = new QHBoxLayout;
    copy_ = new QPushButton(tr("&Copy"), this);
    copy_->setAccessibleName(tr("Copy the script to the clipboard"));
    save_ = new QPushButton(tr("&Save…"), this);
    save_->setAccessibleName(tr("Save the script to a file"));
    copy_->setAutoDefault(false);
    save_->setAutoDefault(false);
    copy_->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    save_->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    status_ = new InlineMessage(this);
    row->addWidget(copy_);
    row->addWidget(save_);
    row->addWidget(status_, 10);
    row->addStretch(1);
    body()->addLayout(row);

    setTabOrder(sysprep_, editor_);
    setTabOrder(editor_, copy_);
    setTabOrder(copy_, save_);

    connect(sysprep_, &QCheckBox::toggled, this, &RemediationPage::regenerate);
    connect(copy_, &QPushButton::clicked, this, &RemediationPage::copyToClipboard);
    connect(save_, &QPushButton::clicked, this, &RemediationPage::saveAs);
    connect(session_, &Session::summaryChanged, this, &RemediationPage::regenerate);
    regenerate();
}

RemediationPage::~RemediationPage() {
    saving_.waitForFinished();
}

void RemediationPage::enterPage() {
    status_->clear();
    regenerate();
}

QString RemediationPage::script() const {
    return editor_->toPlainText();
}

QStringList RemediationPage::stepIds() const {
    QStringList ids;
    static const QRegularExpression re(QStringLiteral("^# imgprep-step: (\\S+)"),
                                       QRegularExpression::MultilineOption);
    auto it = re.globalMatch(script());
    while (it.hasNext())
        ids << it.next().captured(1);
    return ids;
}

void RemediationPage::regenerate() {
    const bool ready = session_->state() == Session::State::Checked;
    const QString text = ready ? qs(session_->remediationScript(sysprep_->isChecked())) : QString();
    if (text != editor_->toPlainText()) editor_->setPlainText(text);
    copy_->setEnabled(!text.isEmpty());
    save_->setEnabled(!text.isEmpty());
    if (!ready) {
        editor_->setPlaceholderText(tr("The script appears here when the checklist is complete."));
        stepsLabel_->setText(tr("Waiting for the checklist…"));
        return;
    }
    const QStringList ids = stepIds();
    if (ids.isEmpty())
        stepsLabel_->setText(
            tr("Nothing to change inside Windows: no failed check has a step in the script."));
    else
        stepsLabel_->setText(
            tr("%n step(s): %1", nullptr, int(ids.size())).arg(ids.join(QStringLiteral(", "))));
}

void RemediationPage::copyToClipboard() {
    QApplication::clipboard()->setText(script());
    status_->showMessage(InlineMessage::Kind::Success, tr("Copied to the clipboard."));
}

void RemediationPage::saveAs() {
    const QString base =
        QFileInfo(session_->derivedFrom().isEmpty() ? session_->path() : session_->derivedFrom())
            .completeBaseName();
    const QString suggested = QDir(settings::lastFolder()).filePath(base + QStringLiteral("-fix.ps1"));
    const QString f = QFileDialog::getSaveFileName(this, tr("Save the remediation script"), suggested,
                                                   tr("PowerShell scripts (*.ps1)") + QStringLiteral(";;") +
                                                       tr("All files (*)"));
    if (!f.isEmpty()) saveTo(f);
}

void RemediationPage::saveTo(const QString& path) {
    if (saving_.isRunning()) return;
    const QByteArray bytes = script().toUtf8();
    save_->setEnabled(false);
    status_->showMessage(InlineMessage::Kind::Info, tr("Saving…"));
    saving_ = QtConcurrent::run([this, path, bytes] {
        QSaveFile f(path);
        QString err;
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
            err = f.errorString();
        QMetaObject::invokeMethod(
            this,
            [this, path, err] {
                save_->setEnabled(true);
                if (err.isEmpty()) {
                    settings::setLastFolder(QFileInfo(path).absolutePath());
                    status_->showMessage(InlineMessage::Kind::Success,
                                         tr("Saved to %1").arg(QDir::toNativeSeparators(path)));
                    log::info(QStringLiteral("remediation script saved to %1").arg(path));
                } else {
                    status_->showMessage(InlineMessage::Kind::Error,
                                         tr("Could not save %1: %2").arg(path, err));
                }
                emit saved(path, err.isEmpty());
            },
            Qt::QueuedConnection);
    });
}

} // namespace imgprep::ui
