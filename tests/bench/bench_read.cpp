// Reads the whole virtual disk of an image through the engine, the way conversion does (data extents read,
// holes and zero extents skipped), and prints throughput. Used by run_bench.sh next to qemu-img in one run.
// Usage: bench_read IMAGE [--threads N] [--all]   (--all also reads unallocated ranges)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "image/open.h"

using namespace imgprep;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_read IMAGE [--threads N] [--all]\n");
        return 2;
    }
    std::string path = argv[1];
    unsigned threads = 1;
    bool all = false;
    for (int i = 2; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = unsigned(std::max(1, std::atoi(argv[++i])));
        if (!std::strcmp(argv[i], "--all")) all = true;
    }
    auto t0 = std::chrono::steady_clock::now();
    auto img = open_image(path);
    if (!img) {
        std::fprintf(stderr, "bench_read: %s\n", img.error().describe().c_str());
        return 2;
    }
    const ImageReader& r = **img;
    // Work list: data extents cut into 8 MiB jobs.
    struct Job {
        std::uint64_t off, len;
    };
    std::vector<Job> jobs;
    const std::uint64_t job = 8 << 20;
    auto st = for_each_extent(r, [&](const Extent& e) {
        if (e.kind == ExtentKind::Data || all)
            for (std::uint64_t o = e.offset; o < e.offset + e.length; o += job)
                jobs.push_back({o, std::min(job, e.offset + e.length - o)});
        return true;
    });
    if (!st) {
        std::fprintf(stderr, "bench_read: %s\n", st.error().describe().c_str());
        return 2;
    }
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> checksum{0};
    std::mutex err_mu;
    std::string err;
    auto worker = [&]() {
        std::vector<std::uint8_t> buf(job);
        for (;;) {
            std::size_t i = next.fetch_add(1);
            if (i >= jobs.size()) return;
            auto s = r.read_at(jobs[i].off, std::span(buf.data(), jobs[i].len));
            if (!s) {
                std::lock_guard<std::mutex> g(err_mu);
                err = s.error().describe();
                return;
            }
            checksum.fetch_add(buf[0] + buf[jobs[i].len - 1]); // keep the reads observable
            bytes.fetch_add(jobs[i].len);
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!err.empty()) {
        std::fprintf(stderr, "bench_read: %s\n", err.c_str());
        return 2;
    }
    const double gib = 1024.0 * 1024 * 1024;
    std::printf("%s %.3f s, virtual %.2f GiB/s, data %.2f GiB (%.2f GiB/s) [%u thread(s)] (%llu)\n",
                r.info().format.c_str(), secs, double(r.size()) / gib / secs, double(bytes.load()) / gib,
                double(bytes.load()) / gib / secs, threads, static_cast<unsigned long long>(checksum.load() & 1));
    return 0;
}
