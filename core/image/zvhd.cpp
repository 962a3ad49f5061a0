// ZVHD reader (Huawei's older "stream" images). The file is a 4096-byte header footer, one frame per non-zero
// 2 MiB block in ascending block order, and a trailing copy of the footer; there is no index or bitmap. All
// payloads together form ONE zlib stream (one compressor for the whole file, sync-flushed after every block),
// so a block can only be decoded after every block before it.
//
// Random access: the frames are listed at open (their 48-byte headers, no decompression), which gives the
// allocation map. Decoding keeps one inflate state that moves forward, plus checkpoints (copies of the
// inflate state, ~40 KiB each) taken every `interval` frames as decoding passes them, at most kMaxCheckpoints
// of them. A read at an earlier or far-away block restarts from the nearest checkpoint before it, so it costs
// at most `interval` blocks of inflate (8 blocks, 16 MiB, for images up to 8192 stored blocks; more for
// bigger ones). Reads in ascending order (conversion, checksum) decode every frame once. Decoding is
// serialised (one stream); the last few decoded blocks are cached for small reads.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "image/formats.h"
#include "image/zvhd_format.h"
#include "util/endian.h"

namespace imgprep {
namespace {

using namespace zvhd;

constexpr std::uint64_t kMaxVirtual = std::uint64_t(4) << 40; // 4 TiB: at most 2^21 frames listed (32 MiB)
constexpr std::size_t kMaxCheckpoints = 1024;
constexpr std::size_t kMinInterval = 8;

struct Frame {
    std::uint64_t offset;
    std::uint32_t payload;
    std::uint32_t block;
};

// An inflate state that owns its zlib allocations.
struct InflateState {
    z_stream z{};
    bool live = false;
    InflateState() = default;
    InflateState(const InflateState&) = delete;
    InflateState& operator=(const InflateState&) = delete;
    ~InflateState() { reset(); }
    void reset() {
        if (live) inflateEnd(&z);
        z = z_stream{};
        live = false;
    }
    bool init() {
        reset();
        live = inflateInit(&z) == Z_OK;
        return live;
    }
    bool copy_from(InflateState& other) {
        reset();
        live = inflateCopy(&z, &other.z) == Z_OK;
        return live;
    }
};

class ZvhdReader final : public ImageReader {
  public:
    ZvhdReader(SourcePtr src, ImageInfo info, std::uint64_t size, std::vector<Frame> frames)
        : src_(std::move(src)), info_(std::move(info)), size_(size), frames_(std::move(frames)), blocks_(8) {
        interval_ = std::max(kMinInterval, (frames_.size() + kMaxCheckpoints - 1) / kMaxCheckpoints);
    }

    const std::string& name() const override { return src_->name(); }
    std::uint64_t size() const override { return size_; }
    std::uint64_t bytes_read() const override { return src_->bytes_read(); }
    const ImageInfo& info() const override { return info_; }

    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), size_))
            return error_at(offset, "read of " + std::to_string(buf.size()) +
                                        " bytes past the end of the virtual disk (size " +
                                        std::to_string(size_) + ")");
        std::size_t pos = 0;
        while (pos < buf.size()) {
            const std::uint64_t voff = offset + pos;
            const std::uint64_t block = voff / kBlockSize;
            const std::uint64_t in = voff % kBlockSize;
            const std::size_t n = std::size_t(std::min<std::uint64_t>(kBlockSize - in, buf.size() - pos));
            auto out = buf.subspan(pos, n);
            const std::size_t f = frame_of(block);
            if (f == frames_.size()) {
                std::memset(out.data(), 0, n);
            } else if (auto cached = blocks_.find(block)) {
                std::memcpy(out.data(), cached.get() + in, n);
            } else if (n == kBlockSize) {
                IMGPREP_TRY(decode(f, out));
            } else {
                auto fresh = BlockCache::make_block();
                IMGPREP_TRY(decode(f, std::span(fresh.get(), kBlockSize)));
                std::memcpy(out.data(), fresh.get() + in, n);
                blocks_.put(block, std::move(fresh));
            }
            pos += n;
        }
        return {};
    }

    Result<Extent> extent_at(std::uint64_t offset) const override {
        if (offset >= size_) return error_at(offset, "extent query past the end of the virtual disk");
        const std::uint64_t block = offset / kBlockSize;
        auto it = std::lower_bound(frames_.begin(), frames_.end(), block,
                                   [](const Frame& fr, std::uint64_t b) { return fr.block < b; });
        std::uint64_t end;
        ExtentKind kind;
        if (it != frames_.end() && it->block == block) {
            kind = ExtentKind::Data;
            std::uint64_t last = block;
            while (++it != frames_.end() && it->block == last + 1)
                ++last;
            end = (last + 1) * kBlockSize;
        } else {
            kind = ExtentKind::Unallocated;
            end = it == frames_.end() ? size_ : std::uint64_t(it->block) * kBlockSize;
        }
        return Extent{offset, std::min(end, size_) - offset, kind};
    }

  private:
    // Index of the frame holding `block`, or frames_.size().
    std::size_t frame_of(std::uint64_t block) const {
        auto it = std::lower_bound(frames_.begin(), frames_.end(), block,
                                   [](const Frame& fr, std::uint64_t b) { return fr.block < b; });
        return it != frames_.end() && it->block == block ? std::size_t(it - frames_.begin()) : frames_.size();
    }

    // Inflates frame `i` with the current state into out (2 MiB) as the driver does: one
    // inflate(Z_SYNC_FLUSH) over the payload that must return Z_OK having produced the whole block. Caller
    // holds mu_.
    Status inflate_frame(std::size_t i, std::span<std::uint8_t> out) const {
        const Frame& fr = frames_[i];
        payload_.resize(fr.payload);
        IMGPREP_TRY(src_->read_at(fr.offset + kFrameHeader, payload_));
        z_stream& z = cur_.z;
        z.next_in = payload_.data();
        z.avail_in = uInt(payload_.size());
        z.next_out = out.data();
        z.avail_out = uInt(out.size());
        const int ret = inflate(&z, Z_SYNC_FLUSH);
        const std::uint64_t produced = out.size() - z.avail_out;
        const std::string which = "block " + std::to_string(fr.block) + " (frame " + std::to_string(i) + ")";
        if (ret == Z_STREAM_END)
            return src_->error_at(fr.offset + kFrameHeader,
                                  which +
                                      ": the zlib stream ends here, but ZVHD continues one stream over all "
                                      "blocks");
        if (ret != Z_OK)
            return src_->error_at(
                fr.offset + kFrameHeader,
                which + ": zlib: " + (z.msg ? std::string(z.msg) : "error " + std::to_string(ret)));
        if (produced != out.size())
            return src_->error_at(fr.offset + kFrameHeader, which + ": the payload decompresses to " +
                                                                std::to_string(produced) +
                                                                " bytes, not 2 MiB");
        return {};
    }

    // Moves the stream past frame cur_frame_ (after inflating it), taking a checkpoint where one is due.
    Status advance() const {
        ++cur_frame_;
        if (cur_frame_ % interval_ == 0 && cur_frame_ / interval_ == checkpoints_.size()) {
            auto cp = std::make_unique<InflateState>();
            if (!cp->copy_from(cur_)) return src_->error("cannot copy the zlib state (out of memory?)");
            checkpoints_.push_back(std::move(cp));
        }
        return {};
    }

    Status decode(std::size_t i, std::span<std::uint8_t> out) const {
        std::lock_guard lock(mu_);
        if (auto cached = blocks_.find(frames_[i].block)) { // decoded by another reader meanwhile
            std::memcpy(out.data(), cached.get(), out.size());
            return {};
        }
        if (checkpoints_.empty()) {
            auto first = std::make_unique<InflateState>();
            if (!first->init()) return src_->error("cannot initialise zlib");
            checkpoints_.push_back(std::move(first));
        }
        // One zlib stream: no frame at or after a frame that failed to decode can ever be decoded. Said at
        // once instead of inflating every frame before it again (a corrupt file read block by block).
        if (bad_) {
            if (i == bad_frame_) return Status(*bad_);
            if (i > bad_frame_)
                return src_->error_at(frames_[i].offset,
                                      "block " + std::to_string(frames_[i].block) +
                                          " cannot be decoded: the one zlib stream breaks before it (" +
                                          bad_->describe() + ")");
        }
        const std::size_t best = std::min(i / interval_, checkpoints_.size() - 1);
        if (!cur_ok_ || cur_frame_ > i || cur_frame_ < best * interval_) {
            if (!cur_.copy_from(*checkpoints_[best]))
                return src_->error("cannot copy the zlib state (out of memory?)");
            cur_frame_ = best * interval_;
            cur_ok_ = true;
        }
        while (cur_frame_ < i) {
            const bool keep = i - cur_frame_ <= 4; // blocks just before the wanted one are likely read next
            auto buf = keep ? BlockCache::make_block() : nullptr;
            if (!keep) scratch_.resize(kBlockSize);
            auto st =
                inflate_frame(cur_frame_, keep ? std::span(buf.get(), kBlockSize) : std::span(scratch_));
            if (!st) {
                remember_bad(cur_frame_, st.error());
                return st;
            }
            if (keep) blocks_.put(frames_[cur_frame_].block, std::move(buf));
            IMGPREP_TRY(advance());
        }
        auto st = inflate_frame(i, out);
        if (!st) {
            remember_bad(i, st.error());
            return st;
        }
        return advance();
    }

    void remember_bad(std::size_t frame, const Error& e) const {
        cur_ok_ = false;
        if (!bad_ || frame < bad_frame_) {
            bad_frame_ = frame;
            bad_ = e;
        }
    }

    SourcePtr src_;
    ImageInfo info_;
    std::uint64_t size_;
    std::vector<Frame> frames_;
    std::size_t interval_;
    BlockCache blocks_;
    mutable std::mutex mu_; // guards everything below
    mutable InflateState cur_;
    mutable std::size_t cur_frame_ = 0; // the frame cur_ decodes next
    mutable bool cur_ok_ = false;
    mutable std::optional<Error> bad_; // the first frame that failed to decode, and why
    mutable std::size_t bad_frame_ = 0;
    mutable std::vector<std::unique_ptr<InflateState>> checkpoints_; // [k]: state before frame k * interval_
    mutable std::vector<std::uint8_t> payload_, scratch_;
};

} // namespace

Result<ImagePtr> open_zvhd(SourcePtr src, OpenContext&) {
    const std::uint64_t fsize = src->size();
    if (fsize < 2 * kSlot)
        return src->error("file too short for a ZVHD image (" + std::to_string(fsize) +
                          " bytes; the header and the trailing footer take 8192)");
    std::array<std::uint8_t, kFooterBytes> head{};
    IMGPREP_TRY(src->read_at(0, head));
    if (std::memcmp(head.data(), "stream", 6) != 0)
        return src->error_at(0, "not a ZVHD image (no \"stream\" cookie)");
    if (!footer_checksum_ok(head))
        return src->error_at(64, "header checksum does not match the footer's bytes: corrupt header");
    const Footer f = Footer::decode(head);
    if (f.curr_size == 0 || f.curr_size % kBlockSize != 0)
        return src->error_at(48, "virtual size (curr_size) " + std::to_string(f.curr_size) +
                                     " is not a positive multiple of the 2 MiB block size");
    if (f.curr_size > kMaxVirtual)
        return src->error_at(48, "virtual size (curr_size) " + std::to_string(f.curr_size) +
                                     " is beyond the 4 TiB this reader supports for ZVHD");
    const std::uint64_t nblocks = f.curr_size / kBlockSize;

    // The frames, as the driver's sequential reader meets them, up to the trailing footer.
    std::vector<Frame> frames;
    std::uint64_t pos = kSlot;
    ImageInfo info;
    for (;;) {
        std::array<std::uint8_t, kFrameHeader> h{};
        if (!range_ok(pos, kFrameHeader, fsize))
            return src->error_at(pos, "the file ends before the trailing footer: truncated");
        IMGPREP_TRY(src->read_at(pos, h));
        if (std::memcmp(h.data(), "stream", 6) == 0) break; // the trailing footer
        if (std::memcmp(h.data(), "hwstream bg", 12) != 0)
            return src->error_at(
                pos, "expected a frame (\"hwstream bg\") or the trailing footer (\"stream\") here");
        const std::uint32_t payload = le32(h.data() + 12);
        const std::uint32_t block = le32(h.data() + 16);
        if (payload == 0) return src->error_at(pos + 12, "frame with an empty payload");
        const std::uint64_t len = frame_length(payload);
        if (len > kMaxZvhdFrame)
            return src->error_at(pos + 12, "frame payload of " + std::to_string(payload) +
                                               " bytes is larger than the driver's 4 MiB buffer");
        if (!range_ok(pos, len, fsize))
            return src->error_at(pos, "frame of " + std::to_string(len) +
                                          " bytes runs past the end of the file: "
                                          "truncated");
        std::array<std::uint8_t, kFramePostfix> post{};
        IMGPREP_TRY(src->read_at(pos + len - kFramePostfix, post));
        if (std::memcmp(post.data(), "end", 4) != 0)
            return src->error_at(pos + len - kFramePostfix, "frame does not end with \"end\"");
        if (block >= nblocks)
            return src->error_at(pos + 16, "frame for block " + std::to_string(block) +
                                               " lies beyond the virtual disk (" + std::to_string(nblocks) +
                                               " blocks)");
        if (!frames.empty() && block <= frames.back().block)
            return src->error_at(pos + 16, "frame for block " + std::to_string(block) + " follows block " +
                                               std::to_string(frames.back().block) +
                                               ": blocks must ascend (the stream is read in order)");
        frames.push_back(Frame{pos, payload, block});
        pos += len;
    }
    if (pos + kSlot != fsize)
        info.warnings.push_back(std::to_string(fsize - std::min(fsize, pos + kSlot)) +
                                " byte(s) follow the trailing footer at offset " + std::to_string(pos) +
                                " (the driver ignores them)");

    info.format = "zvhd";
    info.virtual_size = f.curr_size;
    info.file_size = fsize;
    info.cluster_size = kBlockSize;
    info.compression = "zlib";
    info.files = {src->name()};
    info.details.emplace_back("orig_size", std::to_string(f.orig_size));
    info.details.emplace_back("stored_blocks", std::to_string(frames.size()));
    info.details.emplace_back("uuid", uuid_text(f.uuid));
    info.details.emplace_back("created", timestamp_text(f.timestamp));
    info.details.emplace_back(
        "random_access",
        "sequential zlib stream: reads restart from a checkpoint at most " +
            std::to_string(std::max(kMinInterval, (frames.size() + kMaxCheckpoints - 1) / kMaxCheckpoints)) +
            " blocks back");
    return ImagePtr(
        std::make_unique<ZvhdReader>(std::move(src), std::move(info), f.curr_size, std::move(frames)));
}

} // namespace imgprep
