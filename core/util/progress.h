// The one small interface through which long work reports progress and is cancelled.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace imgprep {

class Progress {
public:
    virtual ~Progress() = default;
    // A new phase begins ("reading", "verifying", ...); total in bytes, 0 if unknown.
    virtual void begin_phase(const std::string& /*phase*/, std::uint64_t /*total*/) {}
    // Bytes done in the current phase (monotonic).
    virtual void update(std::uint64_t /*done*/) {}
    // Polled by the worker between blocks; true stops the work with a "cancelled" error.
    virtual bool cancelled() const { return cancel_.load(std::memory_order_relaxed); }
    void cancel() { cancel_.store(true, std::memory_order_relaxed); }

private:
    std::atomic<bool> cancel_{false};
};

// A Progress that reports nothing and is never cancelled.
Progress& null_progress();

} // namespace imgprep
