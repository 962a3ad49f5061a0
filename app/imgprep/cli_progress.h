// Progress on the terminal: a bar with throughput and ETA on a TTY, plain lines otherwise; Ctrl-C cancels.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "util/progress.h"

namespace imgprep::cli {

class CliProgress : public Progress {
  public:
    explicit CliProgress(bool quiet = false);
    ~CliProgress() override;
    void begin_phase(const std::string& phase, std::uint64_t total) override;
    void update(std::uint64_t done) override;
    void finish();

  private:
    void draw(std::uint64_t done, bool force);
    std::mutex mu_;
    std::string phase_;
    std::uint64_t total_ = 0;
    std::uint64_t last_done_ = 0;
    int last_decile_ = -1;
    bool tty_ = false;
    bool quiet_ = false;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

// Ctrl-C (SIGINT, SIGTERM; on Windows also Ctrl-Break and closing the console) cancels the given progress
// (io/process.h; SIGXFSZ is ignored so that a file-size limit becomes a write error instead of killing the
// process).
void install_cancel_handler(Progress* progress);

} // namespace imgprep::cli
