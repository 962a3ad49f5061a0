#include "cli_progress.h"

#include <cstdio>

#include "io/process.h"
#include "util/format.h"

#ifdef _WIN32
#include <io.h>
#define isatty _isatty
#define fileno _fileno
#else
#include <unistd.h>
#endif

namespace imgprep::cli {

namespace {
Progress* g_progress = nullptr;
} // namespace

void install_cancel_handler(Progress* progress) {
    g_progress = progress;
    process::on_interrupt([] {
        if (g_progress) g_progress->cancel();
    });
}

CliProgress::CliProgress(bool quiet) : tty_(isatty(fileno(stderr)) != 0), quiet_(quiet) {}

CliProgress::~CliProgress() {
    finish();
}

void CliProgress::begin_phase(const std::string& phase, std::uint64_t total) {
    std::lock_guard<std::mutex> g(mu_);
    if (drawn_ && tty_) std::fputc('\n', stderr);
    drawn_ = false;
    phase_ = phase;
    total_ = total;
    last_done_ = 0;
    last_decile_ = -1;
    start_ = last_draw_ = std::chrono::steady_clock::now();
}

void CliProgress::update(std::uint64_t done) {
    std::lock_guard<std::mutex> g(mu_);
    if (done < last_done_) return;
    last_done_ = done;
    draw(done, false);
}

void CliProgress::finish() {
    std::lock_guard<std::mutex> g(mu_);
    if (drawn_ && tty_) {
        draw(last_done_, true);
        std::fputc('\n', stderr);
    }
    drawn_ = false;
}

void CliProgress::draw(std::uint64_t done, bool force) {
    if (quiet_) return;
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - start_).count();
    double frac = total_ ? double(done) / double(total_) : 0;
    if (tty_) {
        if (!force && now - last_draw_ < std::chrono::milliseconds(100) && done != total_) return;
        last_draw_ = now;
        double rate = elapsed > 0 ? double(done) / elapsed : 0;
        double eta = rate > 0 && total_ > done ? double(total_ - done) / rate : 0;
        const int width = 30;
        int fill = int(frac * width);
        std::string bar(std::size_t(fill), '#');
        bar.resize(width, '-');
        std::fprintf(stderr, "\r%-12s [%s] %5.1f%%  %s/s  ETA %02d:%02d ", phase_.c_str(), bar.c_str(),
                     frac * 100, human_bytes(std::uint64_t(rate)).c_str(), int(eta) / 60, int(eta) % 60);
        std::fflush(stderr);
        drawn_ = true;
    } else {
        int decile = int(frac * 10);
        if (decile == last_decile_ && !force) return;
        last_decile_ = decile;
        std::fprintf(stderr, "%s: %d%%\n", phase_.c_str(), decile * 10);
    }
}

} // namespace imgprep::cli
