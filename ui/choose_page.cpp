#include "choose_page.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "app_settings.h"
#include "formatting.h"
#include "session.h"

namespace imgprep::ui {

ChoosePage::ChoosePage(Session* session, QWidget* parent)
    : WizardPage(tr("Choose the disk image"),
                 tr("Pick the exported disk of the Windows VM. It is only read, never changed."), parent),
      session_(session) {
    auto* grid = new QGridLayout;
    grid->setHorizontalSpacing(18);
    grid->setVerticalSpacing(8);
    body()->addLayout(grid, 1);

    // Left: where the image comes from.
    auto* left = new QVBoxLayout;
    left->setSpacing(8);
    drop_ = new DropArea(this);
    drop_->setMaximumHeight(300);
    left->addWidget(drop_, 3);

    auto* pathLabel = new QLabel(tr("Image &file:"), this);
    pathEdit_ = new QLineEdit(this);
    pathEdit_->setPlaceholderText(tr("Path of a disk image"));
    pathEdit_->setAccessibleName(tr("Image file path"));
    pathEdit_->setClearButtonEnabled(true);
    pathLabel->setBuddy(pathEdit_);
    auto* openButton = new QPushButton(tr("&Open"), this);
    openButton->setAccessibleName(tr("Open the image at this path"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(pathLabel);
    pathRow->addWidget(pathEdit_, 1);
    pathRow->addWidget(openButton);
    left->addLayout(pathRow);

    auto* recentLabel = new QLabel(tr("&Recent images:"), this);
    recent_ = new QListWidget(this);
    recent_->setAccessibleName(tr("Recent images"));
    recent_->setUniformItemSizes(true);
    recent_->setTextElideMode(Qt::ElideMiddle);
    recentLabel->setBuddy(recent_);
    left->addWidget(recentLabel);
    left->addWidget(recent_, 2);
    auto* leftBox = new QWidget(this);
    leftBox->setLayout(left);
    left->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(leftBox, 0, 0);

    // Right: what the image is.
    auto* rightBox = new QWidget(this);
    rightBox->setMinimumWidth(fontMetrics().horizontalAdvance(QLatin1Char('x')) * 50);
    auto* right = new QVBoxLayout(rightBox);
    right->setContentsMargins(0, 0, 0, 0);
    right->setSpacing(8);
    infoBox_ = new QGroupBox(tr("Image"), this);
    form_ = new QFormLayout(infoBox_);
    form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form_->setRowWrapPolicy(QFormLayout::DontWrapRows);
    auto makeValue = [this](const QString& accessible) {
        auto* l = new QLabel(this);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        l->setWordWrap(true);
        l->setAccessibleName(accessible);
        return l;
    };
    fileValue_ = makeValue(tr("File"));
    formatValue_ = makeValue(tr("Format"));
    virtualValue_ = makeValue(tr("Virtual size"));
    fileSizeValue_ = makeValue(tr("File size"));
    form_->addRow(tr("File:"), fileValue_);
    form_->addRow(tr("Format:"), formatValue_);
    form_->addRow(tr("Virtual size:"), virtualValue_);
    form_->addRow(tr("File size:"), fileSizeValue_);
    osValue_ = makeValue(tr("Windows"));
    bootValue_ = makeValue(tr("Boot"));
    form_->addRow(tr("Windows:"), osValue_);
    form_->addRow(tr("Boot:"), bootValue_);
    diskCombo_ = new QComboBox(this);
    diskCombo_->setAccessibleName(tr("Disk of the OVA to use"));
    disksLabel_ = new QLabel(tr("&Disk:"), this);
    disksLabel_->setBuddy(diskCombo_);
    form_->addRow(disksLabel_, diskCombo_);
    right->addWidget(infoBox_);
    verdict_ = new VerdictBanner(this);
    right->addWidget(verdict_);

    auto* busyRow = new QHBoxLayout;
    busy_ = new QProgressBar(this);
    busy_->setRange(0, 0);
    busy_->setTextVisible(false);
    busy_->setMaximumHeight(10);
    busy_->setAccessibleName(tr("Opening the image"));
    busyLabel_ = new QLabel(tr("Opening…"), this);
    busyRow->addWidget(busyLabel_);
    busyRow->addWidget(busy_, 1);
    right->addLayout(busyRow);
    error_ = new InlineMessage(this);
    error_->setAccessibleName(tr("Error"));
    warnings_ = new InlineMessage(this);
    warnings_->setAccessibleName(tr("Warnings"));
    right->addWidget(error_);
    right->addWidget(warnings_);
    right->addStretch(1);
    grid->addWidget(rightBox, 0, 1);
    grid->setColumnStretch(0, 3);
    grid->setColumnStretch(1, 2);

    setTabOrder(drop_->chooseButton(), pathEdit_);
    setTabOrder(pathEdit_, openButton);
    setTabOrder(openButton, recent_);
    setTabOrder(recent_, diskCombo_);

    connect(drop_, &DropArea::chooseRequested, this, &ChoosePage::chooseFile);
    connect(drop_, &DropArea::fileDropped, this, &ChoosePage::openRequested);
    auto openTyped = [this] {
        const QString p = pathEdit_->text().trimmed();
        if (!p.isEmpty()) emit openRequested(QDir::fromNativeSeparators(p));
    };
    connect(pathEdit_, &QLineEdit::returnPressed, this, openTyped);
    connect(openButton, &QPushButton::clicked, this, openTyped);
    connect(recent_, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { emit openRequested(item->data(Qt::UserRole).toString()); });
    connect(diskCombo_, &QComboBox::activated, this, [this](int i) { session_->setDiskIndex(i); });

    connect(session_, &Session::stateChanged, this, &ChoosePage::updateFromSession);
    connect(session_, &Session::opened, this, &ChoosePage::updateFromSession);
    connect(session_, &Session::diskIndexChanged, this, &ChoosePage::updateFromSession);
    connect(session_, &Session::summaryChanged, this, &ChoosePage::updateChecks);
    connect(session_, &Session::inspectionProgress, this, &ChoosePage::updateChecks);
    connect(session_, &Session::stateChanged, this, &ChoosePage::updateChecks);
    refreshRecent();
    updateFromSession();
    updateChecks();
}

void ChoosePage::updateChecks() {
    const auto state = session_->state();
    verdict_->setVisible(state == Session::State::Inspecting || state == Session::State::Checked ||
                         state == Session::State::InspectFailed);
    if (state == Session::State::Inspecting)
        verdict_->showChecking(session_->inspectionPercent());
    else if (state == Session::State::InspectFailed)
        verdict_->showError(session_->error());
    else if (state == Session::State::Checked && session_->summary())
        verdict_->showSummary(*session_->summary());
    const auto insp = session_->inspection();
    if (!insp) {
        setRow(osValue_, state == Session::State::Inspecting ? tr("inspecting…") : QString());
        setRow(bootValue_, QString());
        return;
    }
    const auto& f = insp->facts;
    if (f.windows) {
        const auto& w = *f.windows;
        QString os = qs(w.product_name.empty() ? w.marketing_name : w.product_name);
        if (w.build) os += tr(", build %1").arg(*w.build);
        if (!w.arch.empty()) os += QStringLiteral(", ") + qs(w.arch);
        setRow(osValue_, os);
    } else {
        setRow(osValue_, f.readable ? tr("not found (%1)").arg(qs(f.not_windows_reason))
                                    : tr("not readable (%1)").arg(qs(f.unreadable_reason)));
    }
    setRow(bootValue_, f.readable ? QStringLiteral("%1, %2").arg(qs(f.boot_mode).toUpper(),
                                                                 qs(f.partition_table).toUpper())
                                  : QString());
}

QString ChoosePage::fileFilter() {
    return tr("Disk images (*.vmdk *.vhd *.vhdx *.qcow2 *.qcow *.qed *.vdi *.raw *.img *.zvhd *.zvhd2 "
              "*.ova)") +
           QStringLiteral(";;") + tr("OVA packages (*.ova)") + QStringLiteral(";;") + tr("All files (*)");
}

void ChoosePage::chooseFile() {
    const QString start =
        session_->path().isEmpty() ? settings::lastFolder() : QFileInfo(session_->path()).absolutePath();
    const QString f = QFileDialog::getOpenFileName(this, tr("Choose a disk image"), start, fileFilter());
    if (!f.isEmpty()) emit openRequested(f);
}

void ChoosePage::refreshRecent() {
    recent_->clear();
    for (const QString& f : settings::recentFiles()) {
        const QFileInfo fi(f);
        auto* item = new QListWidgetItem(
            QStringLiteral("%1  —  %2").arg(fi.fileName(), QDir::toNativeSeparators(fi.absolutePath())),
            recent_);
        item->setData(Qt::UserRole, f);
        item->setToolTip(QDir::toNativeSeparators(f));
    }
    if (recent_->count() == 0) {
        auto* item = new QListWidgetItem(tr("(none yet)"), recent_);
        item->setFlags(Qt::NoItemFlags);
    }
}

void ChoosePage::enterPage() {
    refreshRecent();
}

bool ChoosePage::isComplete() const {
    const auto s = session_->state();
    return session_->input() && (s == Session::State::Inspecting || s == Session::State::Checked ||
                                 s == Session::State::InspectFailed);
}

void ChoosePage::setRow(QLabel* value, const QString& text) {
    value->setText(text.isEmpty() ? QStringLiteral("–") : text);
}

QString ChoosePage::infoText() const {
    QStringList lines;
    for (int i = 0; i < form_->rowCount(); ++i) {
        auto* l = qobject_cast<QLabel*>(form_->itemAt(i, QFormLayout::LabelRole)
                                            ? form_->itemAt(i, QFormLayout::LabelRole)->widget()
                                            : nullptr);
        auto* v = form_->itemAt(i, QFormLayout::FieldRole)
                      ? form_->itemAt(i, QFormLayout::FieldRole)->widget()
                      : nullptr;
        if (!l || !v || v->isHidden()) continue;
        QString value;
        if (auto* vl = qobject_cast<QLabel*>(v))
            value = vl->text();
        else if (auto* vc = qobject_cast<QComboBox*>(v))
            value = vc->currentText();
        lines << l->text().remove(QLatin1Char('&')) + QLatin1Char(' ') + value;
    }
    return lines.join(QLatin1Char('\n'));
}

void ChoosePage::updateFromSession() {
    const auto state = session_->state();
    const bool opening = state == Session::State::Opening;
    busy_->setVisible(opening);
    busyLabel_->setVisible(opening);
    if (!session_->path().isEmpty() && pathEdit_->text() != QDir::toNativeSeparators(session_->path()))
        pathEdit_->setText(QDir::toNativeSeparators(session_->path()));

    if (state == Session::State::OpenFailed)
        error_->showMessage(InlineMessage::Kind::Error, session_->error());
    else
        error_->clear();

    const auto input = session_->input();
    const QFileInfo fi(session_->path());
    setRow(fileValue_, session_->path().isEmpty() ? QString() : fi.fileName());
    fileValue_->setToolTip(QDir::toNativeSeparators(session_->path()));
    if (!input) {
        setRow(formatValue_, opening ? tr("reading…") : QString());
        setRow(virtualValue_, QString());
        setRow(fileSizeValue_, QString());
        diskCombo_->clear();
        diskCombo_->setVisible(false);
        disksLabel_->setVisible(false);
        warnings_->clear();
        emit completeChanged();
        return;
    }
    const bool ova = input->detection.format == "ova";
    if (ova) {
        setRow(formatValue_, tr("OVA package with %n disk(s)", nullptr, int(input->disks.size())));
    } else {
        const auto& info = input->disks.front().reader->info();
        setRow(formatValue_, formatLabel(info.format, info.subformat));
    }
    setRow(fileSizeValue_,
           QStringLiteral("%1 (%2)").arg(bytesText(input->file_size), bytesExact(input->file_size)));
    {
        const int d = std::clamp(session_->diskIndex(), 0, int(input->disks.size()) - 1);
        const auto size = input->disks[std::size_t(d)].reader->size();
        setRow(virtualValue_, QStringLiteral("%1 (%2)").arg(bytesText(size), bytesExact(size)));
    }
    diskCombo_->clear();
    for (std::size_t i = 0; i < input->disks.size(); ++i) {
        const auto& d = input->disks[i];
        diskCombo_->addItem(tr("Disk %1: %2 — %3, %4")
                                .arg(i + 1)
                                .arg(qs(d.label), bytesText(d.reader->size()),
                                     formatLabel(d.reader->info().format, d.reader->info().subformat)));
    }
    diskCombo_->setCurrentIndex(std::clamp(session_->diskIndex(), 0, std::max(0, diskCombo_->count() - 1)));
    diskCombo_->setVisible(ova);
    disksLabel_->setVisible(ova);

    QStringList notes;
    for (const auto& w : input->warnings)
        notes << qs(w);
    if (!notes.isEmpty())
        warnings_->showMessage(InlineMessage::Kind::Warning, notes.join(QLatin1Char('\n')));
    else
        warnings_->clear();
    emit completeChanged();
}

} // namespace imgprep::ui
