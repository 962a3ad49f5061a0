// A conversion (ZVHD2 by imgprep or qemu-img-hw, or RAW + bitmap) run in a worker thread, as `imgprep
// convert` does it: outputs written through NAME.part and renamed when complete, optional verification,
// OUT.manifest.json. Progress arrives through SignalProgress; cancel() stops it and leaves no output behind.
#pragma once

#include <QFuture>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

#include "convert/raw_convert.h"
#include "image/identify.h"

namespace imgprep::ui {

class SignalProgress;

struct ConvertRequest {
    enum class Target { Raw, Zvhd2 };
    std::shared_ptr<const OpenedInput> input;
    int disk = 0;
    Target target = Target::Raw;
    QString output;      // OUT.raw or OUT.zvhd2
    bool bitmap = true;  // RAW: also write OUT.mf
    QString createMfJar; // RAW: make OUT.mf with the cloud's CreateMF.jar (java -jar) instead of imgprep's
    QString qemuImgHw;   // ZVHD2: write it with this qemu-img-hw ("" = imgprep's own writer)
    bool verify = false; // read the output back, SHA-256 of source and output compared
    bool overwrite = false;
};

struct ConvertOutcome {
    bool ok = false;
    bool cancelled = false;
    QString error;
    QStringList outputs; // image first, then the bitmap
    QList<qint64> sizes; // of outputs (bytes; -1 unknown)
    QString manifest;
    bool verified = false;
    double seconds = 0;
    std::uint64_t bytesWritten = 0;
};

// The files a request writes (image, bitmap, manifest), for the "exists already" check.
QStringList plannedOutputs(const ConvertRequest& request);
// OUT path for an input and a folder: folder/<base name>.raw|.zvhd2 (an OVA member's name when converting a
// disk inside an OVA).
QString outputPathFor(const OpenedInput& input, int disk, const QString& folder,
                      ConvertRequest::Target target);
// Runs the request on the calling thread (the job's worker).
ConvertOutcome runConversion(const ConvertRequest& request, Progress& progress);

class ConvertJob : public QObject {
    Q_OBJECT
  public:
    explicit ConvertJob(QObject* parent = nullptr);
    ~ConvertJob() override; // cancels and waits

    bool start(const ConvertRequest& request); // false while one is running
    void cancel();
    bool running() const { return running_; }
    SignalProgress* progress() const { return progress_; }

  signals:
    void started();
    void phaseBegan(const QString& phase, quint64 total);
    void progressed(quint64 done, quint64 total);
    void finished(const imgprep::ui::ConvertOutcome& outcome);

  private:
    SignalProgress* progress_ = nullptr;
    QFuture<void> future_;
    bool running_ = false;
};

} // namespace imgprep::ui
