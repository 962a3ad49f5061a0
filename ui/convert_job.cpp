#include "convert_job.h"

#include <QDir>
#include <QFileInfo>
#include <QMetaObject>
#include <QtConcurrent>

#include <filesystem>

#include "convert/conversion.h"
#include "formatting.h"
#include "logging.h"
#include "signal_progress.h"
#include "util/version.h"

namespace imgprep::ui {

namespace {

namespace fs = std::filesystem;

Json toolSection() {
    Json t = Json::object();
    t.set("name", "imgprep-wizard");
    t.set("version", IMGPREP_VERSION_STRING);
    return t;
}

ConversionRequest coreRequest(const ConvertRequest& r) {
    ConversionRequest c;
    c.input = r.input.get();
    c.disk = r.disk < 0 ? ~std::size_t{0} : std::size_t(r.disk);
    c.target = r.target == ConvertRequest::Target::Raw ? ConversionRequest::Target::Raw
                                                      : ConversionRequest::Target::Zvhd2;
    c.output = utf8(r.output);
    c.bitmap = r.bitmap;
    c.create_mf_jar = utf8(r.createMfJar);
    c.qemu_img_hw = utf8(r.qemuImgHw);
    c.verify = r.verify;
    c.overwrite = r.overwrite;
    c.tool = toolSection();
    c.tool_output = [](const std::string& line) { log::info(QStringLiteral("CreateMF: %1").arg(qs(line))); };
    return c;
}

} // namespace

QString outputPathFor(const OpenedInput& input, int disk, const QString& folder,
                      ConvertRequest::Target target) {
    QString base;
    if (input.detection.format == "ova" && disk >= 0 && disk < int(input.disks.size()))
        base = QFileInfo(qs(input.disks[std::size_t(disk)].label)).completeBaseName();
    if (base.isEmpty()) base = QFileInfo(qs(input.path)).completeBaseName();
    if (base.isEmpty()) base = QStringLiteral("image");
    const QString ext =
        target == ConvertRequest::Target::Raw ? QStringLiteral(".raw") : QStringLiteral(".zvhd2");
    QString out = QDir(folder).filePath(base + ext);
    // Never propose the input itself (converting image.raw into the same folder).
    if (QFileInfo(out).absoluteFilePath() == QFileInfo(qs(input.path)).absoluteFilePath())
        out = QDir(folder).filePath(base + QStringLiteral("-converted") + ext);
    return out;
}

QStringList plannedOutputs(const ConvertRequest& r) {
    QStringList out;
    for (const auto& p : planned_outputs(coreRequest(r)))
        out << qs(p);
    return out;
}

ConvertOutcome runConversion(const ConvertRequest& req, Progress& progress) {
    ConvertOutcome res;
    std::error_code ec;
    // The wizard also refuses an existing manifest unless told to replace files (the CLI replaces it).
    if (!req.overwrite)
        for (const QString& p : plannedOutputs(req))
            if (fs::exists(utf8(p), ec)) {
                res.error = qs(make_error(utf8(p), "exists already; not overwriting it (tick \"Replace "
                                                   "existing files\" to replace it)")
                                   .describe());
                return res;
            }
    auto r = run_conversion(coreRequest(req), progress);
    if (!r) {
        res.cancelled = progress.cancelled();
        res.error = res.cancelled ? ConvertJob::tr("Cancelled.") : qs(r.error().describe());
        return res;
    }
    for (const auto& o : r->outputs) {
        res.outputs << qs(o);
        const auto size = fs::file_size(o, ec);
        res.sizes << (ec ? qint64(-1) : qint64(size));
    }
    res.ok = true;
    res.manifest = qs(r->manifest_path);
    res.verified = r->verified;
    res.bytesWritten = r->bytes_written;
    res.seconds = r->seconds;
    return res;
}

ConvertJob::ConvertJob(QObject* parent) : QObject(parent), progress_(new SignalProgress(this)) {
    connect(progress_, &SignalProgress::phaseBegan, this, &ConvertJob::phaseBegan, Qt::QueuedConnection);
    connect(progress_, &SignalProgress::progressed, this, &ConvertJob::progressed, Qt::QueuedConnection);
}

ConvertJob::~ConvertJob() {
    if (running_) {
        progress_->cancel();
        future_.waitForFinished();
    }
}

bool ConvertJob::start(const ConvertRequest& request) {
    if (running_) return false;
    // A fresh Progress for every run: the cancel flag of Progress cannot be reset.
    progress_->deleteLater();
    progress_ = new SignalProgress(this);
    connect(progress_, &SignalProgress::phaseBegan, this, &ConvertJob::phaseBegan, Qt::QueuedConnection);
    connect(progress_, &SignalProgress::progressed, this, &ConvertJob::progressed, Qt::QueuedConnection);
    running_ = true;
    log::info(QStringLiteral("convert %1 (disk %2) -> %3%4%5")
                  .arg(request.input ? qs(request.input->path) : QString())
                  .arg(request.disk)
                  .arg(request.output,
                       request.target == ConvertRequest::Target::Raw && request.bitmap
                           ? QStringLiteral(" + bitmap")
                           : QString(),
                       request.verify ? QStringLiteral(", verify") : QString()));
    emit started();
    SignalProgress* prog = progress_;
    future_ = QtConcurrent::run([this, request, prog] {
        ConvertOutcome outcome;
        try {
            outcome = runConversion(request, *prog);
        } catch (const std::exception& e) {
            outcome.error = tr("Internal error: %1").arg(QString::fromUtf8(e.what()));
        }
        QMetaObject::invokeMethod(
            this,
            [this, outcome] {
                running_ = false;
                if (outcome.ok)
                    log::info(QStringLiteral("conversion done in %1 s: %2")
                                  .arg(outcome.seconds, 0, 'f', 1)
                                  .arg(outcome.outputs.join(QStringLiteral(", "))));
                else
                    log::warn(
                        QStringLiteral("conversion %1: %2")
                            .arg(outcome.cancelled ? QStringLiteral("cancelled") : QStringLiteral("failed"),
                                 outcome.error));
                emit finished(outcome);
            },
            Qt::QueuedConnection);
    });
    return true;
}

void ConvertJob::cancel() {
    if (running_) progress_->cancel();
}

} // namespace imgprep::ui
