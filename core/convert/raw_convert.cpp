// The conversion pipeline: worker threads take jobs (chunks of data extents), read them through the image
// reader (which decompresses), find zero blocks, write the non-zero runs at their offsets in the sparse
// output and mark the bitmap. Reading, decompression, zero detection and writing of different chunks overlap
// across threads. Memory: threads × chunk bytes.
#include "convert/raw_convert.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "convert/output_file.h"
#include "util/endian.h"

namespace imgprep {

namespace {

struct Job {
    std::uint64_t off, len;
};

// Hands out the next piece of data to convert: consecutive Data extents cut on chunk boundaries. Thread-safe.
class JobCursor {
  public:
    JobCursor(const ImageReader& src, std::uint64_t chunk) : src_(src), size_(src.size()), chunk_(chunk) {}

    Result<std::optional<Job>> next() {
        std::lock_guard<std::mutex> g(mu_);
        while (pos_ < size_) {
            IMGPREP_TRY(load());
            if (!data_) {
                pos_ = ext_end_;
                continue;
            }
            const std::uint64_t start = pos_;
            const std::uint64_t limit = std::min(size_, (start / chunk_ + 1) * chunk_);
            std::uint64_t end = std::min(ext_end_, limit);
            while (end == ext_end_ && end < limit) { // the next extent may continue the data
                pos_ = end;
                IMGPREP_TRY(load());
                if (!data_) break;
                end = std::min(ext_end_, limit);
            }
            pos_ = end;
            return std::optional<Job>(Job{start, end - start});
        }
        return std::optional<Job>();
    }

  private:
    // The extent holding pos_ (pos_ < size_).
    Status load() {
        if (pos_ < ext_end_) return {};
        IMGPREP_ASSIGN(Extent e, checked_extent_at(src_, pos_));
        ext_end_ = pos_ + e.length;
        data_ = e.kind == ExtentKind::Data;
        return {};
    }

    const ImageReader& src_;
    const std::uint64_t size_, chunk_;
    std::mutex mu_;
    std::uint64_t pos_ = 0, ext_end_ = 0;
    bool data_ = false;
};

} // namespace

Result<std::uint64_t> raw_bytes_needed(const ImageReader& src) {
    return allocated_bytes(src);
}

Result<RawConvertResult> convert_to_raw(const ImageReader& src, const RawConvertOptions& opt,
                                        Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    RawConvertResult res;
    res.virtual_size = src.size();
    if (opt.output.empty()) return src.error("no output file given");
    const std::uint64_t gran = std::max<std::uint64_t>(512, opt.sparse_granularity);
    const std::uint64_t chunk = std::max<std::uint64_t>(gran, opt.chunk / gran * gran);

    // The amount of data (metadata only, no data read), for the free-space check and the progress total. Jobs
    // are cut from the data extents on demand by JobCursor: memory stays constant whatever the disk size.
    std::uint64_t data_bytes = 0;
    IMGPREP_TRY(for_each_extent(src, [&](const Extent& e) {
        if (e.kind == ExtentKind::Data) data_bytes += e.length;
        return true;
    }));

    std::uint64_t free_bytes = free_space_for(opt.output);
    if (free_bytes && free_bytes < data_bytes)
        return make_error(opt.output, "not enough free space: the conversion may write up to " +
                                          std::to_string(data_bytes) + " bytes and " +
                                          std::to_string(free_bytes) + " are free");

    IMGPREP_ASSIGN(OutputFile out, OutputFile::create(opt.output, opt.overwrite));
    std::optional<Bitmap> bitmap;
    std::optional<OutputFile> bitmap_out;
    if (opt.bitmap) {
        bitmap.emplace(src.size(), opt.bitmap_block);
        std::string mf = opt.bitmap_output.empty() ? bitmap_path_for(opt.output) : opt.bitmap_output;
        IMGPREP_ASSIGN(OutputFile bf, OutputFile::create(mf, opt.overwrite));
        bitmap_out.emplace(std::move(bf));
    }

    unsigned threads = opt.threads ? opt.threads : std::thread::hardware_concurrency();
    threads = std::clamp(threads, 2u, 8u);
    progress.begin_phase("converting", data_bytes);

    JobCursor cursor(src, chunk);
    std::atomic<std::uint64_t> done{0}, written{0};
    std::atomic<bool> failed{false};
    std::mutex err_mu;
    std::optional<Error> first_error;
    auto fail = [&](Error e) {
        std::lock_guard<std::mutex> g(err_mu);
        if (!first_error) first_error = std::move(e);
        failed = true;
    };

    auto worker = [&]() {
        std::vector<std::uint8_t> buf(static_cast<std::size_t>(chunk));
        for (;;) {
            if (failed.load(std::memory_order_relaxed)) return;
            if (progress.cancelled()) {
                fail(make_error(opt.output, "cancelled"));
                return;
            }
            auto taken = cursor.next();
            if (!taken) {
                fail(taken.take_error());
                return;
            }
            if (!*taken) return;
            const Job j = **taken;
            std::span<std::uint8_t> data(buf.data(), std::size_t(j.len));
            if (auto st = src.read_at(j.off, data); !st) {
                fail(st.take_error());
                return;
            }
            // Zero detection on granularity-aligned blocks; contiguous non-zero blocks written in one call.
            std::uint64_t run_start = 0;
            bool in_run = false;
            std::uint64_t local_written = 0;
            auto flush = [&](std::uint64_t end) -> bool {
                if (!in_run) return true;
                in_run = false;
                auto w = data.subspan(std::size_t(run_start), std::size_t(end - run_start));
                if (auto st = out.write_at(j.off + run_start, w); !st) {
                    fail(st.take_error());
                    return false;
                }
                if (bitmap) bitmap->mark(j.off + run_start, end - run_start);
                local_written += end - run_start;
                return true;
            };
            std::uint64_t pos = 0;
            while (pos < j.len) {
                // Blocks follow the disk's granularity grid (the job may start unaligned).
                std::uint64_t block_end = std::min(j.len, ((j.off + pos) / gran + 1) * gran - j.off);
                bool zero = is_all_zero(data.subspan(std::size_t(pos), std::size_t(block_end - pos)));
                if (zero) {
                    if (!flush(pos)) return;
                } else if (!in_run) {
                    in_run = true;
                    run_start = pos;
                }
                pos = block_end;
            }
            if (!flush(j.len)) return;
            if (local_written && opt.sync) out.start_writeback(j.off, j.len);
            written.fetch_add(local_written, std::memory_order_relaxed);
            std::uint64_t d = done.fetch_add(j.len, std::memory_order_relaxed) + j.len;
            progress.update(d);
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back(worker);
    for (auto& t : pool)
        t.join();
    if (first_error) return std::move(*first_error); // `out` is discarded: the .part file is removed

    // The final size last: a trailing hole is not written, and the file only reaches its full size when done.
    IMGPREP_TRY(out.set_size(src.size()));
    if (bitmap) IMGPREP_TRY(bitmap_out->write_at(0, bitmap->serialize()));
    IMGPREP_TRY(out.commit(opt.sync));
    if (bitmap) {
        IMGPREP_TRY(bitmap_out->commit(opt.sync));
        res.bitmap_set_bits = bitmap->set_bits();
        res.bitmap_blocks = bitmap->block_count();
    }
    res.bytes_read = done.load();
    res.bytes_written = written.load();
    res.zero_bytes_skipped = res.bytes_read - res.bytes_written;
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

} // namespace imgprep
