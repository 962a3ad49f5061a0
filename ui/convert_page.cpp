#include "convert_page.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMetaObject>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "app_settings.h"
#include "convert/output_file.h"
#include "convert/qemu_img_hw.h"
#include "formatting.h"
#include "session.h"
#include "signal_progress.h"

namespace imgprep::ui {

namespace {

QString phaseText(const QString& phase) {
    if (phase == QLatin1String("converting")) return ConvertPage::tr("Converting to RAW");
    if (phase == QLatin1String("verifying"))
        return ConvertPage::tr("Verifying (SHA-256 of source and output)");
    if (phase == QLatin1String("converting with qemu-img-hw"))
        return ConvertPage::tr("Converting with qemu-img-hw");
    if (phase.startsWith(QLatin1String("bitmap")))
        return ConvertPage::tr("Making the bitmap with CreateMF.jar");
    return phase;
}

} // namespace

ConvertPage::ConvertPage(Session* session, QWidget* parent)
    : WizardPage(
          tr("Convert for import"),
          tr("Images over 128 GiB need fast import: a RAW file with its bitmap, or ZVHD2. Smaller images "
             "can be uploaded as they are, or converted too."),
          parent),
      session_(session), job_(new ConvertJob(this)) {
    // Target.
    auto* targetBox = new QGroupBox(tr("Output format"), this);
    auto* tl = new QVBoxLayout(targetBox);
    raw_ = new QRadioButton(tr("&RAW + bitmap file (fast import)"), targetBox);
    raw_->setAccessibleName(tr("Convert to RAW with a bitmap file"));
    bitmapNote_ = new QLabel(targetBox);
    bitmapNote_->setWordWrap(true);
    bitmapNote_->setForegroundRole(QPalette::PlaceholderText);
    bitmapNote_->setContentsMargins(24, 0, 0, 0);
    zvhd2_ = new QRadioButton(tr("&ZVHD2 (through the cloud's qemu-img-hw)"), targetBox);
    zvhd2_->setAccessibleName(tr("Convert to ZVHD2 with qemu-img-hw"));
    zvhd2Reason_ = new QLabel(targetBox);
    zvhd2Reason_->setWordWrap(true);
    zvhd2Reason_->setForegroundRole(QPalette::PlaceholderText);
    zvhd2Reason_->setContentsMargins(24, 0, 0, 0);
    zvhd2Reason_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* group = new QButtonGroup(this);
    group->addButton(raw_);
    group->addButton(zvhd2_);
    raw_->setChecked(true);
    auto* toolsRow = new QHBoxLayout;
    auto* settingsButton = new QPushButton(tr("&Tools…"), targetBox);
    settingsButton->setAccessibleName(tr("Set the paths of qemu-img-hw and CreateMF.jar"));
    settingsButton->setAutoDefault(false);
    toolsRow->addStretch();
    toolsRow->addWidget(settingsButton);
    tl->addWidget(raw_);
    tl->addWidget(bitmapNote_);
    tl->addWidget(zvhd2_);
    tl->addWidget(zvhd2Reason_);
    tl->addLayout(toolsRow);
    body()->addWidget(targetBox);

    // Where.
    auto* outBox = new QGroupBox(tr("Output"), this);
    auto* form = new QFormLayout(outBox);
    diskLabel_ = new QLabel(outBox);
    diskLabel_->setWordWrap(true);
    form->addRow(tr("Disk:"), diskLabel_);
    folder_ = new QLineEdit(outBox);
    folder_->setAccessibleName(tr("Output folder"));
    auto* browse = new QPushButton(tr("&Browse…"), outBox);
    browse->setAccessibleName(tr("Choose the output folder"));
    browse->setAutoDefault(false);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse);
    auto* folderLabel = new QLabel(tr("&Folder:"), outBox);
    folderLabel->setBuddy(folder_);
    form->addRow(folderLabel, folderRow);
    space_ = new QLabel(outBox);
    space_->setWordWrap(true);
    space_->setAccessibleName(tr("Free space"));
    form->addRow(tr("Space:"), space_);
    outputs_ = new QLabel(outBox);
    outputs_->setWordWrap(true);
    outputs_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Files:"), outputs_);
    verify_ = new QCheckBox(tr("&Verify the output (SHA-256 of the source and of the RAW file)"), outBox);
    verify_->setAccessibleName(tr("Verify the output"));
    verify_->setChecked(true);
    overwrite_ = new QCheckBox(tr("Replace &existing files"), outBox);
    overwrite_->setAccessibleName(tr("Replace existing output files"));
    form->addRow(QString(), verify_);
    form->addRow(QString(), overwrite_);
    body()->addWidget(outBox);

    // Run.
    auto* runRow = new QHBoxLayout;
    convert_ = new QPushButton(tr("Con&vert"), this);
    convert_->setAccessibleName(tr("Start the conversion"));
    cancel_ = new QPushButton(tr("C&ancel"), this);
    cancel_->setAccessibleName(tr("Cancel the conversion"));
    convert_->setAutoDefault(false);
    cancel_->setAutoDefault(false);
    phase_ = new QLabel(this);
    runRow->addWidget(convert_);
    runRow->addWidget(cancel_);
    runRow->addSpacing(12);
    runRow->addWidget(phase_, 1);
    body()->addLayout(runRow);
    bar_ = new QProgressBar(this);
    bar_->setRange(0, 1000);
    bar_->setValue(0);
    bar_->setFormat(QStringLiteral("%p %"));
    bar_->setAccessibleName(tr("Conversion progress"));
    body()->addWidget(bar_);
    rate_ = new QLabel(this);
    rate_->setAccessibleName(tr("Throughput and time left"));
    body()->addWidget(rate_);
    result_ = new InlineMessage(this);
    body()->addWidget(result_);
    body()->addStretch(1);

    setTabOrder(raw_, zvhd2_);
    setTabOrder(zvhd2_, settingsButton);
    setTabOrder(settingsButton, folder_);
    setTabOrder(folder_, browse);
    setTabOrder(browse, verify_);
    setTabOrder(verify_, overwrite_);
    setTabOrder(overwrite_, convert_);
    setTabOrder(convert_, cancel_);

    spaceTimer_ = new QTimer(this);
    spaceTimer_->setSingleShot(true);
    spaceTimer_->setInterval(300);
    connect(spaceTimer_, &QTimer::timeout, this, &ConvertPage::refreshSpace);
    connect(folder_, &QLineEdit::textEdited, this, [this] {
        folderEdited_ = true;
        spaceTimer_->start();
    });
    connect(browse, &QPushButton::clicked, this, &ConvertPage::chooseFolder);
    connect(settingsButton, &QPushButton::clicked, this, &ConvertPage::settingsRequested);
    connect(raw_, &QRadioButton::toggled, this, [this] {
        updateControls();
        spaceTimer_->start();
    });
    connect(overwrite_, &QCheckBox::toggled, this, &ConvertPage::updateControls);
    connect(convert_, &QPushButton::clicked, this, &ConvertPage::startConversion);
    connect(cancel_, &QPushButton::clicked, this, &ConvertPage::cancelConversion);
    connect(job_, &ConvertJob::phaseBegan, this, &ConvertPage::onPhase);
    connect(job_, &ConvertJob::progressed, this, &ConvertPage::onProgress);
    connect(job_, &ConvertJob::finished, this, &ConvertPage::onFinished);
    connect(session_, &Session::opened, this, [this] {
        if (!folderEdited_) folder_->setText(QDir::toNativeSeparators(defaultFolder()));
        refreshTools();
        refreshSpace();
    });
    connect(session_, &Session::diskIndexChanged, this, [this] {
        updateControls();
        refreshSpace();
    });
    refreshTools();
    updateControls();
}

ConvertPage::~ConvertPage() {
    for (auto& f : probes_)
        f.waitForFinished();
}

void ConvertPage::track(QFuture<void> f) {
    probes_.erase(
        std::remove_if(probes_.begin(), probes_.end(), [](const QFuture<void>& p) { return p.isFinished(); }),
        probes_.end());
    probes_.push_back(std::move(f));
}

QString ConvertPage::defaultFolder() const {
    const QString saved = settings::outputFolder();
    if (!saved.isEmpty()) return saved;
    const QString src = session_->derivedFrom().isEmpty() ? session_->path() : session_->derivedFrom();
    return src.isEmpty() ? QDir::homePath() : QFileInfo(src).absolutePath();
}

void ConvertPage::enterPage() {
    if (folder_->text().isEmpty()) folder_->setText(QDir::toNativeSeparators(defaultFolder()));
    refreshTools();
    refreshSpace();
    updateControls();
}

bool ConvertPage::isComplete() const {
    return !job_->running();
}

QString ConvertPage::outputPath() const {
    const auto input = session_->sourceInput();
    if (!input || folder_->text().trimmed().isEmpty()) return {};
    return outputPathFor(*input, session_->diskIndex(), QDir::fromNativeSeparators(folder_->text().trimmed()),
                         zvhd2_->isChecked() ? ConvertRequest::Target::Zvhd2 : ConvertRequest::Target::Raw);
}

ConvertRequest ConvertPage::request() const {
    ConvertRequest r;
    r.input = session_->sourceInput();
    r.disk = session_->diskIndex();
    r.target = zvhd2_->isChecked() ? ConvertRequest::Target::Zvhd2 : ConvertRequest::Target::Raw;
    r.output = outputPath();
    r.bitmap = true;
    r.createMfJar = settings::createMfJar();
    r.qemuImgHw = qemuImgHwPath_.isEmpty() ? settings::qemuImgHw() : qemuImgHwPath_;
    r.verify = r.target == ConvertRequest::Target::Raw && verify_->isChecked();
    r.overwrite = overwrite_->isChecked();
    return r;
}

void ConvertPage::refreshTools() {
    const QString given = settings::qemuImgHw();
    const std::uint64_t gen = ++toolGen_;
    track(QtConcurrent::run([this, given, gen] {
        auto r = locate_qemu_img_hw(utf8(given));
        const bool ok = bool(r);
        QString text;
        if (ok)
            text = qs(*r);
#ifdef _WIN32
        else
            text = tr("qemu-img-hw exists for Linux x86-64 only: use RAW + bitmap.");
#else
        else if (given.isEmpty())
            text = tr("qemu-img-hw was not found on PATH. It comes with the cloud's fast-import tool package "
                      "(Linux "
                      "x86-64 only); set its path under Tools.");
        else
            text = tr("%1 is not an executable file; set the path of qemu-img-hw under Tools.")
                       .arg(QDir::toNativeSeparators(given));
#endif
        QMetaObject::invokeMethod(
            this,
            [this, ok, text, gen] {
                if (gen != toolGen_) return;
                zvhd2Available_ = ok;
                qemuImgHwPath_ = ok ? text : QString();
                zvhd2Reason_->setText(ok ? tr("qemu-img-hw: %1").arg(QDir::toNativeSeparators(text))
                                         : tr("Not available: %1").arg(text));
                updateControls();
            },
            Qt::QueuedConnection);
    }));
    const QString jar = settings::createMfJar();
    bitmapNote_->setText(
        jar.isEmpty()
            ? tr("The bitmap is written in imgprep's own documented format in the same pass. For the "
                 "cloud's fast import you may need the bitmap made by its CreateMF.jar: set it "
                 "under Tools.")
            : tr("The bitmap is made by CreateMF.jar (%1) after the RAW file is written.")
                  .arg(QDir::toNativeSeparators(jar)));
}

void ConvertPage::refreshSpace() {
    const auto input = session_->sourceInput();
    const QString folder = QDir::fromNativeSeparators(folder_->text().trimmed());
    if (!input || input->disks.empty() || folder.isEmpty()) {
        space_->setText(QStringLiteral("–"));
        outputs_->setText(QStringLiteral("–"));
        return;
    }
    const ConvertRequest req = request();
    const QStringList planned = plannedOutputs(req);
    QStringList names;
    for (const QString& p : planned)
        names << QFileInfo(p).fileName();
    outputs_->setText(names.join(QStringLiteral(", ")));
    const int disk = std::clamp(session_->diskIndex(), 0, int(input->disks.size()) - 1);
    const bool raw = req.target == ConvertRequest::Target::Raw;
    const std::uint64_t gen = ++spaceGen_;
    space_->setText(tr("measuring…"));
    track(QtConcurrent::run([this, input, disk, folder, planned, raw, gen] {
        const bool isDir = QFileInfo(folder).isDir();
        const std::uint64_t free =
            isDir ? free_space_for(utf8(QDir(folder).filePath(QStringLiteral("x")))) : 0;
        std::optional<std::uint64_t> needed;
        if (raw) {
            if (auto n = raw_bytes_needed(*input->disks[std::size_t(disk)].reader)) needed = *n;
        }
        QStringList existing;
        for (const QString& p : planned)
            if (QFileInfo::exists(p)) existing << QFileInfo(p).fileName();
        QMetaObject::invokeMethod(
            this,
            [this, isDir, free, needed, existing, gen] {
                if (gen != spaceGen_) return;
                QString text;
                if (!isDir) {
                    text = tr("The folder does not exist.");
                } else {
                    text = free ? tr("%1 free").arg(bytesText(free)) : tr("free space unknown");
                    if (needed)
                        text += QStringLiteral(" · ") +
                                tr("the conversion writes up to %1").arg(bytesText(*needed));
                    if (needed && free && free < *needed)
                        text += QStringLiteral(" · ") + tr("not enough space");
                }
                if (!existing.isEmpty())
                    text += QStringLiteral("\n") +
                            tr("Already there: %1").arg(existing.join(QStringLiteral(", ")));
                space_->setText(text);
            },
            Qt::QueuedConnection);
    }));
}

void ConvertPage::chooseFolder() {
    const QString start =
        folder_->text().isEmpty() ? defaultFolder() : QDir::fromNativeSeparators(folder_->text());
    const QString f = QFileDialog::getExistingDirectory(this, tr("Output folder"), start);
    if (f.isEmpty()) return;
    folder_->setText(QDir::toNativeSeparators(f));
    folderEdited_ = true;
    refreshSpace();
}

void ConvertPage::updateControls() {
    const auto input = session_->sourceInput();
    const bool running = job_->running();
    const bool haveDisk = input && !input->disks.empty();
    const bool ova = input && input->detection.format == "ova";
    const bool zvhd2Possible = zvhd2Available_ && !ova;
    if (ova && zvhd2Available_)
        zvhd2Reason_->setText(
            tr("Not available for a disk inside an OVA (qemu-img-hw cannot read it): use RAW + bitmap."));
    zvhd2_->setEnabled(zvhd2Possible && !running);
    if (!zvhd2Possible && zvhd2_->isChecked()) raw_->setChecked(true);
    raw_->setEnabled(!running);
    verify_->setEnabled(raw_->isChecked() && !running);
    overwrite_->setEnabled(!running);
    folder_->setEnabled(!running);
    convert_->setEnabled(haveDisk && !running);
    cancel_->setEnabled(running);
    if (input && haveDisk) {
        const int d = std::clamp(session_->diskIndex(), 0, int(input->disks.size()) - 1);
        const auto& disk = input->disks[std::size_t(d)];
        diskLabel_->setText(tr("%1 — %2 virtual, %3")
                                .arg(qs(disk.label), bytesText(disk.reader->size()),
                                     formatLabel(disk.reader->info().format, disk.reader->info().subformat)));
    } else {
        diskLabel_->setText(input ? tr("The image holds no readable disk.") : tr("No image chosen."));
    }
    emit completeChanged();
}

void ConvertPage::startConversion() {
    if (job_->running()) return;
    const ConvertRequest req = request();
    result_->clear();
    if (!req.input || req.input->disks.empty()) {
        result_->showMessage(InlineMessage::Kind::Error, tr("There is no disk to convert."));
        return;
    }
    if (req.output.isEmpty()) {
        result_->showMessage(InlineMessage::Kind::Error, tr("Choose an output folder."));
        folder_->setFocus();
        return;
    }
    settings::setOutputFolder(QFileInfo(req.output).absolutePath());
    running_ = req;
    phaseNo_ = 0;
    bar_->setValue(0);
    rate_->clear();
    phase_->setText(tr("Starting…"));
    job_->start(req);
    updateControls();
}

void ConvertPage::cancelConversion() {
    if (!job_->running()) return;
    job_->cancel();
    phase_->setText(tr("Cancelling…"));
    cancel_->setEnabled(false);
}

void ConvertPage::onPhase(const QString& phase, quint64) {
    ++phaseNo_;
    const int phases = running_.verify ? 2 : (running_.createMfJar.isEmpty() ? 1 : 2);
    phase_->setText(
        phases > 1 ? tr("Step %1 of %2: %3").arg(std::min(phaseNo_, phases)).arg(phases).arg(phaseText(phase))
                   : phaseText(phase));
    bar_->setValue(0);
    rateEma_ = 0;
    lastDone_ = 0;
    phaseClock_.start();
}

void ConvertPage::onProgress(quint64 done, quint64 total) {
    if (!job_->running()) return;
    if (done < lastDone_) return;
    lastDone_ = done;
    if (total == 0) {
        bar_->setRange(0, 0);
        return;
    }
    bar_->setRange(0, 1000);
    bar_->setValue(int(std::min<double>(1000.0, 1000.0 * double(done) / double(total))));
    const double secs = phaseClock_.isValid() ? phaseClock_.elapsed() / 1000.0 : 0;
    if (secs < 0.3 || running_.target == ConvertRequest::Target::Zvhd2) {
        rate_->setText(running_.target == ConvertRequest::Target::Zvhd2 ? tr("%1 % done").arg(done / 100)
                                                                        : QString());
        return;
    }
    const double rate = double(done) / secs;
    rateEma_ = rateEma_ == 0 ? rate : 0.7 * rateEma_ + 0.3 * rate;
    const double left = rateEma_ > 0 ? double(total - std::min(done, total)) / rateEma_ : -1;
    rate_->setText(tr("%1 · about %2 left · %3 of %4")
                       .arg(rateText(rateEma_), durationText(left), bytesText(done), bytesText(total)));
}

void ConvertPage::onFinished(const ConvertOutcome& outcome) {
    bar_->setRange(0, 1000);
    if (outcome.ok) {
        bar_->setValue(1000);
        phase_->setText(tr("Done."));
        QStringList names;
        for (const QString& o : outcome.outputs)
            names << QDir::toNativeSeparators(o);
        QString text =
            tr("Wrote %1 in %2.").arg(names.join(QStringLiteral(", ")), durationText(outcome.seconds));
        if (outcome.verified)
            text += QLatin1Char(' ') + tr("Verified: the output has the same content as the source.");
        text += QLatin1Char('\n') + tr("The checklist now runs again on the output.");
        result_->showMessage(InlineMessage::Kind::Success, text);
        rate_->clear();
    } else if (outcome.cancelled) {
        bar_->setValue(0);
        phase_->setText(tr("Cancelled."));
        result_->showMessage(InlineMessage::Kind::Info,
                             tr("The conversion was cancelled; no output was left behind."));
        rate_->clear();
    } else {
        phase_->setText(tr("Failed."));
        result_->showMessage(InlineMessage::Kind::Error, outcome.error);
    }
    updateControls();
    refreshSpace();
    emit conversionFinished(outcome, running_);
}

} // namespace imgprep::ui
