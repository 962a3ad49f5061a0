// The core's Progress interface (util/progress.h) as a QObject: worker threads call begin_phase()/update(),
// the GUI receives queued signals (at most every 50 ms, plus the last update of a phase) and cancels through
// Progress::cancel().
#pragma once

#include <QObject>
#include <QString>

#include <chrono>
#include <cstdint>
#include <mutex>

#include "util/progress.h"

namespace imgprep::ui {

class SignalProgress : public QObject, public imgprep::Progress {
    Q_OBJECT
  public:
    explicit SignalProgress(QObject* parent = nullptr);

    void begin_phase(const std::string& phase, std::uint64_t total) override;
    void update(std::uint64_t done) override;

    void setMinimumInterval(std::chrono::milliseconds interval) { interval_ = interval; }

  signals:
    // Emitted from the worker thread; connect with Qt::QueuedConnection (the default across threads).
    void phaseBegan(const QString& phase, quint64 total);
    void progressed(quint64 done, quint64 total);

  private:
    std::mutex mu_;
    std::uint64_t total_ = 0;
    std::uint64_t last_ = 0;
    std::chrono::steady_clock::time_point last_emit_{};
    std::chrono::milliseconds interval_{50};
};

} // namespace imgprep::ui
