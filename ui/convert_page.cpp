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
#include "convert/zvhd2_writer.h"
#include "formatting.h"
#include "session.h"
#include "signal_progress.h"

namespace imgprep::ui {

namespace {

QString phaseText(const QString& phase) {
    if (phase == QLatin1String("converting")) return ConvertPage::tr("Converting to RAW");
    if (phase == QLatin1String("compressing")) return ConvertPage::tr("Compressing to ZVHD2");
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
          tr("Images over 128 GiB need fast import: a ZVHD2 file, or a RAW file with its bitmap. Smaller "
             "images can be uploaded as they are, or converted too."),
          parent),
      session_(session), job_(new ConvertJob(this)) {
    // Target.
    auto* targetBox = new QGroupBox(tr("Output format"), this);
    auto* tl = new QVBoxLayout(targetBox);
    zvhd2_ = new QRadioButton(tr("&ZVHD2"), targetBox);
    zvhd2_->setAccessibleName(tr("Convert to ZVHD2"));
    zvhd2Note_ = new QLabel(targetBox);
    zvhd2Note_->setWordWrap(true);
    zvhd2Note_->setForegroundRole(QPalette::PlaceholderText);
    zvhd2Note_->setContentsMargins(24, 0, 0, 0);
    zvhd2Note_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    raw_ = new QRadioButton(tr("&RAW + bitmap file"), targetBox);
    raw_->setAccessibleName(tr("Convert to RAW with a bitmap file"));
    bitmapNote_ = new QLabel(targetBox);
    bitmapNote_->setWordWrap(true);
    bitmapNote_->setForegroundRole(QPalette::PlaceholderText);
    bitmapNote_->setContentsMargins(24, 0, 0, 0);
    auto* group = new QButtonGroup(this);
    group->addButton(zvhd2_);
    group->addButton(raw_);
    zvhd2_->setChecked(true);
    auto* toolsRow = new QHBoxLayout;
    auto* settingsButton = new QPushButton(tr("&Tools…"), targetBox);
    settingsButton->setAccessibleName(tr("Set the paths of the optional tools qemu-img-hw and CreateMF.jar"));
    settingsButton->setAutoDefault(false);
    toolsRow->addStretch();
    toolsRow->addWidget(settingsButton);
    tl->addWidget(zvhd2_);
    tl->addWidget(zvhd2Note_);
    tl->addWidget(raw_);
    tl->addWidget(bitmapNote_);
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
    verify_ =
        new QCheckBox(tr("&Verify the output (read it back, compare its SHA-256 with the source's)"), outBox);
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

    setTabOrder(zvhd2_, raw_);
    setTabOrder(raw_, settingsButton);
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
        estimate_.clear();
        estimateBytes_.reset();
        refreshTools();
        refreshSpace();
    });
    connect(session_, &Session::diskIndexChanged, this, [this] {
        estimate_.clear();
        estimateBytes_.reset();
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
    // qemu-img-hw only when Tools names it, it was found, and it can read the input (not inside an OVA).
    const bool ova = r.input && r.input->detection.format == "ova";
    r.qemuImgHw = r.target == ConvertRequest::Target::Zvhd2 && !ova ? qemuImgHwPath_ : QString();
    r.verify = verify_->isChecked();
    r.overwrite = overwrite_->isChecked();
    return r;
}

void ConvertPage::refreshTools() {
    const QString given = settings::qemuImgHw();
    const std::uint64_t gen = ++toolGen_;
    if (given.isEmpty()) {
        qemuImgHwPath_.clear();
        qemuImgHwProblem_.clear();
        updateZvhd2Note();
    } else {
        track(QtConcurrent::run([this, given, gen] {
            auto r = locate_qemu_img_hw(utf8(given));
            const bool ok = bool(r);
            const QString found = ok ? qs(*r) : QString();
#ifdef _WIN32
            const QString problem = ok ? QString() : tr("qemu-img-hw exists for Linux x86-64 only");
#else
            const QString problem =
                ok ? QString() : tr("%1 is not an executable file").arg(QDir::toNativeSeparators(given));
#endif
            QMetaObject::invokeMethod(
                this,
                [this, found, problem, gen] {
                    if (gen != toolGen_) return;
                    qemuImgHwPath_ = found;
                    qemuImgHwProblem_ = problem;
                    updateZvhd2Note();
                    updateControls();
                },
                Qt::QueuedConnection);
        }));
    }
    const QString jar = settings::createMfJar();
    bitmapNote_->setText(
        jar.isEmpty()
            ? tr("The .mf bitmap is written in imgprep's own documented format in the same pass. The format "
                 "of the cloud's CreateMF.jar is not documented, so whether fast import accepts this .mf "
                 "is not known; to use CreateMF.jar instead, set it under Tools.")
            : tr("The bitmap is made by CreateMF.jar (%1) after the RAW file is written.")
                  .arg(QDir::toNativeSeparators(jar)));
}

bool ConvertPage::needsFastImport() const {
    if (const auto& s = session_->summary(); s && s->import_path != "unknown")
        return s->import_path == "fast";
    const auto input = session_->sourceInput();
    if (!input || input->disks.empty()) return false;
    const int d = std::clamp(session_->diskIndex(), 0, int(input->disks.size()) - 1);
    return input->disks[std::size_t(d)].reader->size() > (std::uint64_t(128) << 30);
}

void ConvertPage::updateZvhd2Note() {
    const auto input = session_->sourceInput();
    const bool ova = input && input->detection.format == "ova";
    QStringList parts;
    if (needsFastImport())
        parts << tr("Recommended: the image needs fast import, and this one file is read by the cloud's own "
                    "ZVHD2 driver.");
    else
        parts << tr("One compressed file, read by the cloud's own ZVHD2 driver.");
    if (!qemuImgHwPath_.isEmpty() && !ova)
        parts << tr("Written by qemu-img-hw (%1), as set under Tools.")
                     .arg(QDir::toNativeSeparators(qemuImgHwPath_));
    else if (!qemuImgHwPath_.isEmpty())
        parts << tr("qemu-img-hw cannot read a disk inside an OVA: imgprep writes the file itself.");
    else if (!qemuImgHwProblem_.isEmpty())
        parts << tr("%1: imgprep writes the file itself.").arg(qemuImgHwProblem_);
    else
        parts << tr("Written by imgprep (zstd, on all cores); no other tool is needed.");
    if (!estimate_.isEmpty()) parts << estimate_;
    zvhd2Note_->setText(parts.join(QLatin1Char(' ')));
    zvhd2_->setText(needsFastImport() ? tr("&ZVHD2 (recommended for fast import)") : tr("&ZVHD2"));
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
    const bool estimate = !raw && estimate_.isEmpty();
    const std::optional<std::uint64_t> known = raw ? std::nullopt : estimateBytes_;
    const std::uint64_t gen = ++spaceGen_;
    space_->setText(tr("measuring…"));
    track(QtConcurrent::run([this, input, disk, folder, planned, raw, estimate, known, gen] {
        const bool isDir = QFileInfo(folder).isDir();
        const std::uint64_t free =
            isDir ? free_space_for(utf8(QDir(folder).filePath(QStringLiteral("x")))) : 0;
        const ImageReader& reader = *input->disks[std::size_t(disk)].reader;
        std::optional<std::uint64_t> needed = known;
        QString estimateText;
        if (raw) {
            if (auto n = raw_bytes_needed(reader)) needed = *n;
        } else if (estimate) {
            // Compresses a few blocks spread over the data (at most 16 × 2 MiB read).
            if (auto e = estimate_zvhd2_size(reader, zvhd::Method::Zstd, 16)) {
                needed = e->bytes;
                estimateText = tr("Estimated size: about %1 (from %2 sampled blocks of %3 holding data).")
                                   .arg(bytesText(e->bytes))
                                   .arg(e->sampled)
                                   .arg(e->data_blocks);
            }
        }
        QStringList existing;
        for (const QString& p : planned)
            if (QFileInfo::exists(p)) existing << QFileInfo(p).fileName();
        QMetaObject::invokeMethod(
            this,
            [this, isDir, free, needed, existing, raw, estimateText, gen] {
                if (gen != spaceGen_) return;
                if (!estimateText.isEmpty()) {
                    estimate_ = estimateText;
                    estimateBytes_ = needed;
                    updateZvhd2Note();
                }
                QString text;
                if (!isDir) {
                    text = tr("The folder does not exist.");
                } else {
                    text = free ? tr("%1 free").arg(bytesText(free)) : tr("free space unknown");
                    if (needed)
                        text += QStringLiteral(" · ") +
                                (raw ? tr("the conversion writes up to %1").arg(bytesText(*needed))
                                     : tr("the ZVHD2 file will be about %1").arg(bytesText(*needed)));
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
    zvhd2_->setEnabled(!running);
    raw_->setEnabled(!running);
    verify_->setEnabled(!running);
    overwrite_->setEnabled(!running);
    folder_->setEnabled(!running);
    convert_->setEnabled(haveDisk && !running);
    cancel_->setEnabled(running);
    updateZvhd2Note();
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
    currentPhase_ = phase;
    const bool jar = running_.target == ConvertRequest::Target::Raw && !running_.createMfJar.isEmpty();
    const int phases = 1 + (running_.verify ? 1 : 0) + (jar ? 1 : 0);
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
    const bool percent = currentPhase_ == QLatin1String("converting with qemu-img-hw");
    if (secs < 0.3 || percent) {
        rate_->setText(percent ? tr("%1 % done").arg(done / 100) : QString());
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
