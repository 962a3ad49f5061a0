#include "signal_progress.h"

namespace imgprep::ui {

SignalProgress::SignalProgress(QObject* parent) : QObject(parent) {}

void SignalProgress::begin_phase(const std::string& phase, std::uint64_t total) {
    {
        std::lock_guard lock(mu_);
        total_ = total;
        last_ = 0;
        last_emit_ = std::chrono::steady_clock::now();
    }
    emit phaseBegan(QString::fromStdString(phase), quint64(total));
}

void SignalProgress::update(std::uint64_t done) {
    std::uint64_t total = 0;
    {
        std::lock_guard lock(mu_);
        if (done < last_) return; // several workers may report out of order: keep it monotonic
        last_ = done;
        total = total_;
        const auto now = std::chrono::steady_clock::now();
        const bool final = total != 0 && done >= total;
        if (!final && now - last_emit_ < interval_) return;
        last_emit_ = now;
    }
    emit progressed(quint64(done), quint64(total));
}

} // namespace imgprep::ui
