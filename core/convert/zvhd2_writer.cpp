#include "convert/zvhd2_writer.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "convert/output_file.h"
#include "util/endian.h"

namespace imgprep {

using namespace zvhd;

namespace {

constexpr int kZstdLevel = 3; // what the driver's ZSTD_compress(..., 0) means: the library default
constexpr int kZlibLevel = 1; // Z_BEST_SPEED, as the driver's zlib method
constexpr unsigned kMaxThreads = 16;
// Index segments a footer can describe (index_size is 32 bits) and blocks max_blk_num can count.
constexpr std::uint64_t kMaxIndexSegments = 0xffffffffu / kIndexSegment;
constexpr std::uint64_t kMaxBlocks = 0xffffffffu;

// Room for one compressed block: header + the larger of both libraries' bounds + sync-flush bytes + postfix.
std::size_t frame_capacity() {
    const std::size_t bound = std::max<std::size_t>(ZSTD_compressBound(kBlockSize),
                                                    std::size_t(compressBound(uLong(kBlockSize))) + 64);
    return std::size_t(frame_length(bound));
}

// One block compressed as the driver does it: a standalone zstd frame, or a zlib-wrapped deflate stream
// flushed with Z_SYNC_FLUSH and never finished (the driver's reader refuses a finished stream).
class Compressor {
  public:
    explicit Compressor(Method method) : method_(method) {
        if (method_ == Method::Zstd) {
            cctx_ = ZSTD_createCCtx();
            ok_ = cctx_ != nullptr;
        } else {
            ok_ = deflateInit2(&z_, kZlibLevel, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
        }
    }
    ~Compressor() {
        if (cctx_) ZSTD_freeCCtx(cctx_);
        if (method_ == Method::Zlib && ok_) deflateEnd(&z_);
    }
    Compressor(const Compressor&) = delete;
    Compressor& operator=(const Compressor&) = delete;

    // Compresses in into out; returns the payload size or an empty optional with why.
    std::optional<std::size_t> compress(std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                                        std::string& why) {
        if (!ok_) {
            why = "cannot create the compressor";
            return {};
        }
        if (method_ == Method::Zstd) {
            const std::size_t n =
                ZSTD_compressCCtx(cctx_, out.data(), out.size(), in.data(), in.size(), kZstdLevel);
            if (ZSTD_isError(n)) {
                why = std::string("zstd: ") + ZSTD_getErrorName(n);
                return {};
            }
            return n;
        }
        if (deflateReset(&z_) != Z_OK) {
            why = "zlib: deflateReset failed";
            return {};
        }
        z_.next_in = const_cast<Bytef*>(in.data());
        z_.avail_in = uInt(in.size());
        z_.next_out = out.data();
        z_.avail_out = uInt(out.size());
        const int ret = deflate(&z_, Z_SYNC_FLUSH);
        if (ret != Z_OK || z_.avail_in != 0 || z_.avail_out == 0) {
            why = "zlib: the block did not fit the output buffer (" + std::to_string(ret) + ")";
            return {};
        }
        return out.size() - z_.avail_out;
    }

  private:
    Method method_;
    bool ok_ = false;
    ZSTD_CCtx* cctx_ = nullptr;
    z_stream z_{};
};

// Hands out, in ascending order, the blocks that hold data according to the allocation map (blocks without a
// data extent read as zeros and are not stored). Not thread-safe: the pipeline calls it under its lock.
class BlockCursor {
  public:
    explicit BlockCursor(const ImageReader& src) : src_(src), size_(src.size()) {}
    Result<std::optional<std::uint64_t>> next() {
        while (pos_ < size_) {
            IMGPREP_ASSIGN(Extent e, checked_extent_at(src_, pos_));
            if (e.kind == ExtentKind::Data) {
                const std::uint64_t block = pos_ / kBlockSize;
                pos_ = (block + 1) * kBlockSize;
                return std::optional<std::uint64_t>(block);
            }
            pos_ = e.offset + e.length;
        }
        return std::optional<std::uint64_t>();
    }

  private:
    const ImageReader& src_;
    std::uint64_t size_;
    std::uint64_t pos_ = 0;
};

// The 16 bytes of a random (version 4) UUID, as uuid_generate() gives on Linux.
std::array<std::uint8_t, 16> random_uuid() {
    std::random_device rd;
    std::mt19937_64 gen((std::uint64_t(rd()) << 32) ^ rd() ^
                        std::uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::array<std::uint8_t, 16> u{};
    for (auto& b : u)
        b = std::uint8_t(gen());
    u[6] = std::uint8_t((u[6] & 0x0f) | 0x40);
    u[8] = std::uint8_t((u[8] & 0x3f) | 0x80);
    return u;
}

// The footer zvhd2_create writes at offset 0 (index and bitmap fields 0, checksum valid).
Footer creation_footer(std::uint64_t orig_size, Method method) {
    Footer f;
    std::memcpy(f.cookie.data(), "z2strm", 6);
    f.features = 0x00000002;
    f.ff_version = 0x00010000;
    f.data_offset = ~std::uint64_t{0};
    f.timestamp = std::uint32_t(std::uint64_t(std::time(nullptr)) - kVhdEpoch);
    std::memcpy(f.crtr_app.data(), "tap", 3);
    f.crtr_ver = kCreatorVersion;
    f.crtr_os = 0;
    f.orig_size = orig_size;
    f.curr_size = (orig_size + kGiB - 1) / kGiB * kGiB;
    f.geometry = chs_geometry(orig_size);
    f.type = 4;
    f.uuid = random_uuid();
    f.zvhd2_version = 1;
    f.block_size = std::uint32_t(kBlockSize);
    f.max_blk_num = std::uint32_t((orig_size + kBlockSize - 1) / kBlockSize);
    f.index_contains_zero_blk = 0;
    f.compress_method = std::uint8_t(method);
    return f;
}

// A 4096-byte slot holding the footer; the checksum is recomputed when `checksum` is true, else kept.
std::vector<std::uint8_t> footer_slot(Footer f, bool checksum) {
    std::vector<std::uint8_t> slot(kSlot, 0);
    auto head = std::span<std::uint8_t, kFooterBytes>(slot.data(), kFooterBytes);
    if (checksum) {
        f.checksum = 0;
        f.encode(head);
        f.checksum = footer_checksum(head);
    }
    f.encode(head);
    return slot;
}

unsigned thread_count(unsigned wanted) {
    unsigned t = wanted ? wanted : std::thread::hardware_concurrency();
    return std::clamp(t, 1u, kMaxThreads);
}

// Reads block `block` of src into buf (2 MiB; zeros past the end of the source). Only the data extents are
// read: a block of a sparse disk with a few KiB of data costs a few KiB of reading.
Status read_block(const ImageReader& src, std::uint64_t block, std::span<std::uint8_t> buf) {
    const std::uint64_t off = block * kBlockSize;
    const std::size_t n = std::size_t(std::min<std::uint64_t>(kBlockSize, src.size() - off));
    if (n < buf.size()) std::memset(buf.data() + n, 0, buf.size() - n);
    Status inner;
    IMGPREP_TRY(for_each_extent(
        src,
        [&](const Extent& e) {
            auto part = buf.subspan(std::size_t(e.offset - off), std::size_t(e.length));
            if (e.kind == ExtentKind::Data)
                inner = src.read_at(e.offset, part);
            else
                std::memset(part.data(), 0, part.size());
            return bool(inner);
        },
        off, n));
    return inner;
}

// Fills frame (capacity frame_capacity()) with the frame for `block` compressed from in; returns its length.
std::optional<std::size_t> make_frame(Compressor& c, std::uint64_t block, std::span<const std::uint8_t> in,
                                      std::span<std::uint8_t> frame, std::string& why) {
    auto payload =
        c.compress(in, frame.subspan(kFrameHeader, frame.size() - kFrameHeader - kFramePostfix), why);
    if (!payload) return {};
    const std::size_t len = std::size_t(frame_length(*payload));
    std::memset(frame.data(), 0, kFrameHeader);
    std::memcpy(frame.data(), "hwstream bg", 11); // byte 11 stays 0
    put_le32(frame.data() + 12, std::uint32_t(*payload));
    put_le32(frame.data() + 16, std::uint32_t(block));
    // The filler between payload and postfix is zero (the driver leaves stale bytes there; nothing reads it).
    std::memset(frame.data() + kFrameHeader + *payload, 0, len - kFrameHeader - *payload - kFramePostfix);
    std::memcpy(frame.data() + len - kFramePostfix, "end", 4);
    return len;
}

// What is known of a stored frame once written: its block and its length in 4096-byte units (≤ 1026).
struct Stored {
    std::vector<std::uint32_t> block;
    std::vector<std::uint16_t> units;
};

// Writes the metadata after the frames (from `data_end`): mid footer, index segments, bitmap segments and the
// trailing footer, as zvhd2_write's end-of-data branch does. Returns the file size.
Result<std::uint64_t> write_metadata(OutputFile& out, Footer f, std::uint64_t data_end,
                                     const Stored& stored) {
    const std::uint64_t n = stored.block.size();
    if (n > kMaxIndexSegments * kEntriesPerSegment)
        return make_error(out.path(),
                          "more stored blocks (" + std::to_string(n) + ") than a ZVHD2 index can hold");
    // Mid footer: the creation footer with the block count, checksum not recomputed (as the driver writes
    // it).
    f.non_zero_blk_num = std::uint32_t(n);
    IMGPREP_TRY(out.write_at(data_end, footer_slot(f, false)));
    std::uint64_t pos = data_end + kSlot;

    const std::uint64_t index_segments = (n + kEntriesPerSegment - 1) / kEntriesPerSegment;
    f.index_lba = pos;
    f.index_seg_size = std::uint32_t(kIndexSegment);
    f.index_seg_num = std::uint32_t(index_segments);
    f.index_size = std::uint32_t(index_segments * kIndexSegment);
    std::vector<std::uint8_t> seg(kIndexSegment);
    std::uint64_t frame_at = kSlot;
    for (std::uint64_t s = 0; s < index_segments; ++s) {
        std::fill(seg.begin(), seg.end(), 0);
        const std::uint64_t first = s * kEntriesPerSegment;
        const std::uint64_t count = std::min(kEntriesPerSegment, n - first);
        for (std::uint64_t k = 0; k < count; ++k) {
            std::uint8_t* e = seg.data() + k * kIndexEntry;
            const std::uint64_t len = std::uint64_t(stored.units[first + k]) * kSlot;
            put_le64(e, frame_at);
            put_le32(e + 8, stored.block[first + k]);
            put_le32(e + 12, std::uint32_t(len));
            frame_at += len;
        }
        IMGPREP_TRY(out.write_at(pos, seg));
        pos += kIndexSegment;
    }
    if (frame_at != data_end) return make_error(out.path(), "internal error: frame lengths do not add up");

    const std::uint64_t bitmap_segments =
        (std::uint64_t(f.max_blk_num) + kBlocksPerBitmapSegment - 1) / kBlocksPerBitmapSegment;
    f.bitmap_lba = pos;
    f.bitmap_seg_size = std::uint32_t(kBitmapSegment);
    f.bitmap_seg_num = std::uint32_t(bitmap_segments);
    f.bitmap_size = std::uint32_t(bitmap_segments * kBitmapSegment);
    // Bitmap segments in batches of up to 1 MiB; bit b % 8 of byte b / 8 (LSB first) for block b.
    constexpr std::uint64_t kBatch = 256;
    std::vector<std::uint8_t> bm;
    std::uint64_t next = 0; // first stored block not yet placed
    for (std::uint64_t s = 0; s < bitmap_segments; s += kBatch) {
        const std::uint64_t segs = std::min(kBatch, bitmap_segments - s);
        bm.assign(std::size_t(segs * kBitmapSegment), 0);
        const std::uint64_t first_block = s * kBlocksPerBitmapSegment;
        const std::uint64_t end_block = first_block + segs * kBlocksPerBitmapSegment;
        for (; next < n && stored.block[next] < end_block; ++next) {
            const std::uint64_t b = stored.block[next] - first_block;
            bm[std::size_t(b / 8)] |= std::uint8_t(1u << (b % 8));
        }
        IMGPREP_TRY(out.write_at(pos, bm));
        pos += bm.size();
    }
    IMGPREP_TRY(out.write_at(pos, footer_slot(f, true)));
    return pos + kSlot;
}

} // namespace

Result<Zvhd2WriteResult> write_zvhd2(const ImageReader& src, const Zvhd2WriteOptions& opt,
                                     Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    Zvhd2WriteResult res;
    if (opt.output.empty()) return src.error("no output file given");
    const std::uint64_t size = src.size();
    if (size == 0) return src.error("the virtual disk is empty: nothing to write");
    res.source_size = size;
    res.orig_size = (size + 511) / 512 * 512;
    res.blocks = (res.orig_size + kBlockSize - 1) / kBlockSize;
    if (res.blocks > kMaxBlocks)
        return src.error("virtual size " + std::to_string(size) +
                         " is beyond what ZVHD2 can describe (2^32 - 1 blocks of 2 MiB)");
    Footer footer = creation_footer(res.orig_size, opt.method);
    res.virtual_size = footer.curr_size;

    // Blocks to look at (metadata only), for the progress total.
    std::uint64_t candidates = 0;
    {
        std::uint64_t last = ~std::uint64_t{0};
        IMGPREP_TRY(for_each_extent(src, [&](const Extent& e) {
            if (e.kind != ExtentKind::Data) return true;
            std::uint64_t first = e.offset / kBlockSize;
            const std::uint64_t end = (e.offset + e.length - 1) / kBlockSize;
            if (first == last) ++first;
            if (first <= end) candidates += end - first + 1;
            last = end;
            return true;
        }));
    }

    IMGPREP_ASSIGN(OutputFile out, OutputFile::create(opt.output, opt.overwrite));
    const std::vector<std::uint8_t> header = footer_slot(footer, true);
    footer.checksum = le32(header.data() + 64); // the mid footer keeps the header's checksum
    IMGPREP_TRY(out.write_at(0, header));

    const unsigned threads = thread_count(opt.threads);
    res.threads = threads;
    const std::size_t window = 2 * threads + 2;
    const std::size_t capacity = frame_capacity();
    struct Slot {
        std::vector<std::uint8_t> frame;
        std::uint64_t block = 0;
        std::size_t length = 0; // 0: the block was all zero
        bool ready = false;
    };
    std::vector<Slot> slots(window);
    for (auto& s : slots)
        s.frame.resize(capacity);

    std::mutex mu;
    std::condition_variable work_cv, write_cv;
    BlockCursor cursor(src);
    std::uint64_t next_seq = 0, next_write = 0;
    bool cursor_done = false;
    std::optional<Error> failure;
    auto fail = [&](Error e) { // caller holds mu
        if (!failure) failure = std::move(e);
        work_cv.notify_all();
        write_cv.notify_all();
    };

    auto worker = [&]() {
        Compressor comp(opt.method);
        std::vector<std::uint8_t> in(kBlockSize);
        std::string why;
        for (;;) {
            std::uint64_t seq = 0, block = 0;
            {
                std::unique_lock lock(mu);
                work_cv.wait(lock, [&] { return failure || cursor_done || next_seq < next_write + window; });
                if (failure || cursor_done) return;
                auto b = cursor.next();
                if (!b) {
                    fail(b.take_error());
                    return;
                }
                if (!*b) {
                    cursor_done = true;
                    write_cv.notify_all();
                    work_cv.notify_all();
                    return;
                }
                block = **b;
                seq = next_seq++;
            }
            Slot& slot = slots[seq % window];
            std::size_t length = 0;
            auto st = read_block(src, block, in);
            if (st && !is_all_zero(in)) {
                auto len = make_frame(comp, block, in, slot.frame, why);
                if (len)
                    length = *len;
                else
                    st =
                        make_error(opt.output, "cannot compress block " + std::to_string(block) + ": " + why);
            }
            std::lock_guard lock(mu);
            if (!st) {
                fail(st.take_error());
                return;
            }
            slot.block = block;
            slot.length = length;
            slot.ready = true;
            write_cv.notify_all();
        }
    };

    progress.begin_phase("compressing", candidates * kBlockSize);
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back(worker);

    // The writer: frames in block order, contiguous from 4096.
    Stored stored;
    std::uint64_t data_end = kSlot;
    std::uint64_t since_writeback = 0, writeback_from = kSlot;
    for (;;) {
        Slot* slot = nullptr;
        {
            std::unique_lock lock(mu);
            write_cv.wait(lock, [&] {
                return failure || slots[next_write % window].ready || (cursor_done && next_write == next_seq);
            });
            if (failure) break;
            if (!slots[next_write % window].ready) break; // every block handed out has been written
            slot = &slots[next_write % window];
        }
        Status st;
        const std::uint64_t got = std::min<std::uint64_t>(kBlockSize, size - slot->block * kBlockSize);
        res.bytes_read += got;
        if (slot->length) {
            st = out.write_at(data_end, std::span(slot->frame.data(), slot->length));
            stored.block.push_back(std::uint32_t(slot->block));
            stored.units.push_back(std::uint16_t(slot->length / kSlot));
            data_end += slot->length;
            since_writeback += slot->length;
            if (opt.sync && since_writeback >= (64u << 20)) {
                out.start_writeback(writeback_from, data_end - writeback_from);
                writeback_from = data_end;
                since_writeback = 0;
            }
        } else {
            ++res.zero_blocks_read;
            res.zero_bytes_read += got;
        }
        std::lock_guard lock(mu);
        slot->ready = false;
        ++next_write;
        if (!st)
            fail(st.take_error());
        else if (progress.cancelled())
            fail(make_error(opt.output, "cancelled"));
        work_cv.notify_all();
        if (failure) break;
        progress.update(next_write * kBlockSize);
    }
    for (auto& t : pool)
        t.join();
    if (failure) return std::move(*failure); // `out` is discarded: the .part file is removed

    res.stored_blocks = stored.block.size();
    IMGPREP_ASSIGN(res.file_size, write_metadata(out, footer, data_end, stored));
    if (progress.cancelled()) return make_error(opt.output, "cancelled");
    IMGPREP_TRY(out.commit(opt.sync));
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

Result<Zvhd2Estimate> estimate_zvhd2_size(const ImageReader& src, Method method, unsigned samples) {
    Zvhd2Estimate est;
    const std::uint64_t orig = (src.size() + 511) / 512 * 512;
    const std::uint64_t blocks = (orig + kBlockSize - 1) / kBlockSize;
    // Data blocks, and the first block of each data run as sampling positions.
    std::vector<std::uint64_t> data_runs; // pairs: first block, block count
    std::uint64_t last = ~std::uint64_t{0};
    IMGPREP_TRY(for_each_extent(src, [&](const Extent& e) {
        if (e.kind != ExtentKind::Data) return true;
        std::uint64_t first = e.offset / kBlockSize;
        const std::uint64_t end = (e.offset + e.length - 1) / kBlockSize;
        if (first == last) ++first;
        if (first <= end) {
            est.data_blocks += end - first + 1;
            if (data_runs.size() < 2 * 4096) {
                data_runs.push_back(first);
                data_runs.push_back(end - first + 1);
            }
        }
        last = end;
        return true;
    }));
    const std::uint64_t index_segments = (est.data_blocks + kEntriesPerSegment - 1) / kEntriesPerSegment;
    const std::uint64_t metadata =
        3 * kSlot + index_segments * kIndexSegment +
        (blocks + kBlocksPerBitmapSegment - 1) / kBlocksPerBitmapSegment * kBitmapSegment;
    est.upper_bound = metadata + est.data_blocks * frame_length(ZSTD_compressBound(kBlockSize));
    if (est.data_blocks == 0 || samples == 0) {
        est.bytes = est.data_blocks ? est.upper_bound : metadata;
        return est;
    }
    // Evenly spaced samples over the data blocks (the k-th data block found through the runs).
    Compressor comp(method);
    std::vector<std::uint8_t> in(kBlockSize), frame(frame_capacity());
    const std::uint64_t n = std::min<std::uint64_t>(samples, est.data_blocks);
    std::uint64_t sampled_frames = 0;
    std::string why;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t k = (2 * i + 1) * est.data_blocks / (2 * n); // the k-th data block
        std::uint64_t block = 0;
        for (std::size_t r = 0; r < data_runs.size(); r += 2) {
            if (k < data_runs[r + 1]) {
                block = data_runs[r] + k;
                break;
            }
            k -= data_runs[r + 1];
            block = data_runs[r] + data_runs[r + 1] - 1;
        }
        IMGPREP_TRY(read_block(src, block, in));
        if (is_all_zero(in)) continue;
        auto len = make_frame(comp, block, in, frame, why);
        if (!len) return src.error("cannot compress a sample block: " + why);
        sampled_frames += *len;
    }
    est.sampled = n;
    // Average frame bytes per data block (zero blocks count as 0), extrapolated.
    est.bytes = metadata + std::uint64_t(double(sampled_frames) / double(n) * double(est.data_blocks));
    return est;
}

} // namespace imgprep
