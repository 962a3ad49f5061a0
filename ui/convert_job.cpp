#include "convert_job.h"

#include <QDir>
#include <QFileInfo>
#include <QMetaObject>
#include <QtConcurrent>

#include <chrono>
#include <filesystem>

#include "convert/bitmap.h"
#include "convert/external_tool.h"
#include "convert/manifest.h"
#include "convert/verify.h"
#include "convert/zvhd2.h"
#include "formatting.h"
#include "logging.h"
#include "signal_progress.h"
#include "util/version.h"

namespace imgprep::ui {

namespace {

namespace fs = std::filesystem;

std::string qemuFormatName(const std::string& ours) {
    return ours == "vhd" ? "vpc" : ours;
}

Json outputEntry(const std::string& role, const std::string& path) {
    Json o = Json::object();
    o.set("role", role);
    o.set("path", path);
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    o.set("size", ec ? Json() : Json(std::uint64_t(size)));
    return o;
}

Json toolSection() {
    Json t = Json::object();
    t.set("name", "imgprep-wizard");
    t.set("version", IMGPREP_VERSION_STRING);
    return t;
}

void removeQuietly(const std::string& path) {
    std::error_code ec;
    fs::remove(path, ec);
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
    QStringList out{r.output};
    if (r.target == ConvertRequest::Target::Raw && (r.bitmap || !r.createMfJar.isEmpty()))
        out << qs(bitmap_path_for(utf8(r.output)));
    out << qs(manifest_path_for(utf8(r.output)));
    return out;
}

ConvertOutcome runConversion(const ConvertRequest& req, Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    ConvertOutcome res;
    auto failWith = [&](const Error& e) {
        res.cancelled = progress.cancelled();
        res.error = res.cancelled ? ConvertJob::tr("Cancelled.") : qs(e.describe());
        return res;
    };
    if (!req.input || req.disk < 0 || req.disk >= int(req.input->disks.size()))
        return failWith(make_error(req.input ? req.input->path : "", "the input holds no disk to convert"));
    const OpenedInput& in = *req.input;
    const ImageReader& src = *in.disks[std::size_t(req.disk)].reader;
    const std::string out = utf8(req.output);
    const std::string mf = bitmap_path_for(out);
    const std::string manifestPath = manifest_path_for(out);
    const bool wantBitmap =
        req.target == ConvertRequest::Target::Raw && (req.bitmap || !req.createMfJar.isEmpty());

    std::error_code ec;
    if (!req.overwrite) {
        for (const QString& p : plannedOutputs(req))
            if (fs::exists(utf8(p), ec))
                return failWith(make_error(utf8(p),
                                           "exists already; not overwriting it (tick \"Replace existing "
                                           "files\" to replace it)"));
    }

    Json manifest = Json::object();
    manifest.set("schema", 1);
    manifest.set("tool", toolSection());
    manifest.set("created", iso8601_now());
    Json input = Json::object();
    input.set("path", in.path);
    input.set("format", in.detection.format);
    input.set("disk", in.disks[std::size_t(req.disk)].label);
    input.set("disk_format", src.info().format);
    input.set("subformat", src.info().subformat);
    input.set("virtual_size", src.size());
    input.set("file_size", in.file_size);
    manifest.set("input", std::move(input));
    manifest.set("target", req.target == ConvertRequest::Target::Raw ? "raw" : "zvhd2");
    Json outputs = Json::array();

    // Everything written so far is removed when the conversion fails or is cancelled after a commit.
    bool committed = false;
    auto cleanup = [&] {
        if (!committed) return;
        removeQuietly(out);
        if (wantBitmap) removeQuietly(mf);
        removeQuietly(manifestPath);
    };

    if (req.target == ConvertRequest::Target::Zvhd2) {
        if (in.detection.format == "ova")
            return failWith(make_error(in.path,
                                       "qemu-img-hw cannot read a disk inside an OVA; convert it to RAW "
                                       "with a bitmap file instead"));
        Zvhd2Options zo;
        zo.input = in.path;
        zo.input_format = qemuFormatName(src.info().format);
        zo.output = out;
        zo.tool = utf8(req.qemuImgHw);
        zo.overwrite = req.overwrite;
        auto r = convert_to_zvhd2(zo, progress);
        if (!r) return failWith(r.error());
        committed = true;
        if (progress.cancelled()) {
            cleanup();
            return failWith(make_error(out, "cancelled"));
        }
        outputs.push(outputEntry("image", out));
        Json tool = Json::object();
        tool.set("path", r->tool_path);
        tool.set("version", r->tool_version);
        manifest.set("external_tool", std::move(tool));
        manifest.set("outputs", std::move(outputs));
        if (auto st = write_manifest(manifest, manifestPath, true); !st) {
            cleanup();
            return failWith(st.error());
        }
        res.outputs << req.output;
    } else {
        RawConvertOptions ro;
        ro.output = out;
        ro.overwrite = req.overwrite;
        ro.bitmap = req.bitmap && req.createMfJar.isEmpty();
        auto r = convert_to_raw(src, ro, progress);
        if (!r) return failWith(r.error());
        committed = true;
        res.bytesWritten = r->bytes_written;
        Json rawOut = outputEntry("image", out);
        rawOut.set("bytes_written", r->bytes_written);
        Json stats = Json::object();
        stats.set("seconds", r->seconds);
        stats.set("bytes_read", r->bytes_read);
        stats.set("bytes_written", r->bytes_written);
        stats.set("zero_bytes_skipped", r->zero_bytes_skipped);
        manifest.set("stats", std::move(stats));

        if (!req.createMfJar.isEmpty()) {
            const std::string jar = utf8(req.createMfJar);
            auto java = find_executable("java");
            if (!java) {
                cleanup();
                return failWith(make_error(jar, "CreateMF.jar needs Java (java not found on PATH)"));
            }
            progress.begin_phase("bitmap (CreateMF.jar)", 0);
            auto run = run_tool(
                *java, {"-jar", jar, out, mf},
                [](const std::string& line) { log::info(QStringLiteral("CreateMF: %1").arg(qs(line))); },
                progress);
            if (!run) {
                cleanup();
                return failWith(run.error());
            }
            if (run->exit_code != 0 || !fs::exists(mf, ec) || fs::file_size(mf, ec) == 0) {
                cleanup();
                return failWith(make_error(jar, "CreateMF.jar failed (exit code " +
                                                    std::to_string(run->exit_code) + "): " + run->output));
            }
            Json bm = Json::object();
            bm.set("format", "CreateMF.jar");
            bm.set("tool", jar);
            manifest.set("bitmap", std::move(bm));
        } else if (ro.bitmap) {
            Json bm = Json::object();
            bm.set("format", "imgprep-bitmap-1");
            bm.set("block_size", ro.bitmap_block);
            bm.set("blocks", r->bitmap_blocks);
            bm.set("set_bits", r->bitmap_set_bits ? Json(*r->bitmap_set_bits) : Json());
            manifest.set("bitmap", std::move(bm));
        }

        Json vj = Json::object();
        if (req.verify) {
            auto v = verify_raw_output(src, out, progress);
            if (!v) {
                cleanup();
                return failWith(v.error());
            }
            vj.set("performed", true);
            vj.set("match", v->match);
            vj.set("source_sha256", v->source_sha256);
            vj.set("output_sha256", v->output_sha256);
            rawOut.set("sha256", v->output_sha256);
            if (!v->match) {
                cleanup();
                return failWith(make_error(out, "verification FAILED: the output's SHA-256 " +
                                                    v->output_sha256 + " differs from the source's " +
                                                    v->source_sha256));
            }
            res.verified = true;
        } else {
            vj.set("performed", false);
        }
        manifest.set("verification", std::move(vj));
        outputs.push(std::move(rawOut));
        if (wantBitmap) {
            Json b = outputEntry("bitmap", mf);
            if (auto sum = file_sha256(mf)) b.set("sha256", *sum);
            outputs.push(std::move(b));
        }
        manifest.set("outputs", std::move(outputs));
        if (progress.cancelled()) {
            cleanup();
            return failWith(make_error(out, "cancelled"));
        }
        if (auto st = write_manifest(manifest, manifestPath, true); !st) {
            cleanup();
            return failWith(st.error());
        }
        res.outputs << req.output;
        if (wantBitmap) res.outputs << qs(mf);
    }
    for (const QString& o : res.outputs) {
        const auto size = fs::file_size(utf8(o), ec);
        res.sizes << (ec ? qint64(-1) : qint64(size));
    }
    res.ok = true;
    res.manifest = qs(manifestPath);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
