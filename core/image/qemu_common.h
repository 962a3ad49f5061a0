// Pieces shared by the QEMU-family readers (qcow.cpp, qcow2.cpp, qed.cpp): a bounded LRU cache of metadata
// table blocks (L2 tables or pieces of them), reads that fall through to a backing image, exact-size
// raw-deflate decompression, and opening a declared-raw backing file without probing. Header-only, internal
// to core/image.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "image/image_reader.h"
#include "io/byte_source.h"
#include "util/endian.h"

namespace imgprep::qemu {

// Most bytes of table blocks one reader keeps in memory, whatever the image claims.
inline constexpr std::size_t kTableCacheBytes = std::size_t(32) << 20;
// Size of one cached block of a table (tables larger than this are read piecewise).
inline constexpr std::size_t kTableBlockWords = 8192; // 64 KiB
// Largest L1 table loaded at open (QEMU's own limit is 32 MiB).
inline constexpr std::uint64_t kMaxL1Bytes = std::uint64_t(32) << 20;

// A table of 64-bit words (an L1 table) kept as the bytes read from the file and decoded on access: loading
// one of kMaxL1Bytes costs one read, not a pass over every entry, and holds one copy.
class WordTable {
  public:
    WordTable() = default;
    // The `words` entries at `offset` of src (big- or little-endian on disk).
    static Result<WordTable> read(const ByteSource& src, std::uint64_t offset, std::size_t words,
                                  bool big_endian) {
        WordTable t;
        t.raw_.resize(words * 8);
        t.big_endian_ = big_endian;
        IMGPREP_TRY(src.read_at(offset, t.raw_));
        return t;
    }
    std::size_t size() const { return raw_.size() / 8; }
    std::uint64_t operator[](std::size_t i) const {
        return big_endian_ ? be64(raw_.data() + 8 * i) : le64(raw_.data() + 8 * i);
    }

  private:
    std::vector<std::uint8_t> raw_;
    bool big_endian_ = true;
};

// LRU cache of decoded 64-bit table words, keyed by the file offset of the block. Thread-safe; blocks are
// shared_ptr so that eviction never invalidates a block another thread is using. Loads happen outside the
// lock.
class TableCache {
  public:
    using Block = std::shared_ptr<const std::vector<std::uint64_t>>;

    explicit TableCache(std::size_t block_bytes) {
        capacity_ = std::max<std::size_t>(4, kTableCacheBytes / std::max<std::size_t>(block_bytes, 1));
    }

    // The `words` 64-bit entries at `offset` of src (big- or little-endian on disk).
    Result<Block> get(const ByteSource& src, std::uint64_t offset, std::size_t words, bool big_endian) const {
        {
            std::lock_guard lock(mu_);
            auto it = map_.find(offset);
            if (it != map_.end()) {
                lru_.splice(lru_.begin(), lru_, it->second);
                return it->second->second;
            }
        }
        auto block = std::make_shared<std::vector<std::uint64_t>>(words);
        auto bytes = std::span(reinterpret_cast<std::uint8_t*>(block->data()), words * 8);
        IMGPREP_TRY(src.read_at(offset, bytes));
        for (std::size_t i = 0; i < words; ++i) // decode in place: each word only reads its own 8 bytes
            (*block)[i] = big_endian ? be64(bytes.data() + 8 * i) : le64(bytes.data() + 8 * i);
        Block result = std::move(block);
        std::lock_guard lock(mu_);
        auto it = map_.find(offset);
        if (it != map_.end()) return it->second->second; // another thread loaded it meanwhile
        lru_.emplace_front(offset, result);
        map_[offset] = lru_.begin();
        while (lru_.size() > capacity_) {
            map_.erase(lru_.back().first);
            lru_.pop_back();
        }
        return result;
    }

    std::size_t capacity() const { return capacity_; }

  private:
    std::size_t capacity_;
    mutable std::mutex mu_;
    mutable std::list<std::pair<std::uint64_t, Block>> lru_;
    mutable std::unordered_map<std::uint64_t, std::list<std::pair<std::uint64_t, Block>>::iterator> map_;
};

// The read loop of the QEMU-family readers: checks the range against the virtual size, then asks
// piece_at(voff, max_len) for each run the layer maps one way and lets fill(piece, voff, out) produce its
// bytes.
template <class PieceAt, class Fill>
Status read_by_pieces(const ImageReader& image, std::uint64_t size, std::uint64_t offset,
                      std::span<std::uint8_t> buf, const PieceAt& piece_at, const Fill& fill) {
    if (!range_ok(offset, buf.size(), size))
        return image.error_at(offset, "read of " + std::to_string(buf.size()) +
                                          " bytes past the end of the virtual disk (size " +
                                          std::to_string(size) + ")");
    std::size_t pos = 0;
    while (pos < buf.size()) {
        const std::uint64_t voff = offset + pos;
        IMGPREP_ASSIGN(auto p, piece_at(voff, buf.size() - pos));
        auto out = buf.subspan(pos, std::size_t(p.length));
        IMGPREP_TRY(fill(p, voff, out));
        pos += out.size();
    }
    return {};
}

// Reads [offset, offset+buf.size()) of the layer below: the backing image where it has bytes, zeros past its
// end or when there is none.
inline Status read_below(const ImageReader* backing, std::uint64_t offset, std::span<std::uint8_t> buf) {
    std::size_t from_backing = 0;
    if (backing && offset < backing->size())
        from_backing = std::size_t(std::min<std::uint64_t>(buf.size(), backing->size() - offset));
    if (from_backing) IMGPREP_TRY(backing->read_at(offset, buf.first(from_backing)));
    if (from_backing < buf.size()) std::memset(buf.data() + from_backing, 0, buf.size() - from_backing);
    return {};
}

// The extent of the layer below for a range this layer leaves unallocated: [offset, offset+max_len).
inline Result<Extent> extent_below(const ImageReader* backing, std::uint64_t offset, std::uint64_t max_len) {
    if (!backing || offset >= backing->size()) return Extent{offset, max_len, ExtentKind::Unallocated};
    IMGPREP_ASSIGN(Extent e, backing->extent_at(offset));
    std::uint64_t len = std::min({max_len, e.length, backing->size() - offset});
    if (len == 0) return backing->error_at(offset, "backing image returned an empty extent");
    return Extent{offset, len, e.kind};
}

// A raw-deflate stream (no zlib header) that must decompress to exactly out.size() bytes; input after that is
// ignored (compressed clusters share sectors). Never produces more than out.size() bytes.
inline bool inflate_exact(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::string& why) {
    struct Stream {
        z_stream z{};
        bool ok = false;
        Stream() { ok = inflateInit2(&z, -15) == Z_OK; }
        ~Stream() {
            if (ok) inflateEnd(&z);
        }
    };
    thread_local Stream s;
    if (!s.ok) {
        why = "cannot initialise zlib";
        return false;
    }
    inflateReset(&s.z);
    s.z.next_in = const_cast<Bytef*>(in.data());
    s.z.avail_in = uInt(in.size());
    s.z.next_out = out.data();
    s.z.avail_out = uInt(out.size());
    int rc = inflate(&s.z, Z_FINISH);
    if (s.z.avail_out == 0 && (rc == Z_STREAM_END || rc == Z_BUF_ERROR || rc == Z_OK)) return true;
    if (rc == Z_BUF_ERROR && s.z.avail_in == 0)
        why = "deflate data runs out after producing " + std::to_string(out.size() - s.z.avail_out) + " of " +
              std::to_string(out.size()) + " bytes";
    else if (rc == Z_STREAM_END)
        why = "deflate stream ends after " + std::to_string(out.size() - s.z.avail_out) + " of " +
              std::to_string(out.size()) + " bytes";
    else
        why = std::string("deflate data is corrupt (zlib: ") + (s.z.msg ? s.z.msg : std::to_string(rc)) + ")";
    return false;
}

// A process-unique id per reader instance (keys of per-thread decompression caches).
inline std::uint64_t next_reader_id() {
    static std::atomic<std::uint64_t> counter{1};
    return counter.fetch_add(1, std::memory_order_relaxed);
}

// A file read as a raw disk without probing (backing files declared raw). Holes are not looked for: all Data.
class RawView final : public ImageReader {
  public:
    explicit RawView(SourcePtr src) : src_(std::move(src)) {
        info_.format = "raw";
        info_.virtual_size = info_.file_size = src_->size();
        info_.files = {src_->name()};
    }
    const std::string& name() const override { return src_->name(); }
    std::uint64_t size() const override { return src_->size(); }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        return src_->read_at(offset, buf);
    }
    std::uint64_t bytes_read() const override { return src_->bytes_read(); }
    const ImageInfo& info() const override { return info_; }
    Result<Extent> extent_at(std::uint64_t offset) const override {
        if (offset >= size()) return error_at(offset, "extent query past the end of the disk");
        return Extent{offset, size() - offset, ExtentKind::Data};
    }

  private:
    SourcePtr src_;
    ImageInfo info_;
};

// Opens the backing image `name` of `referrer`. When the referrer declares that the backing file is raw
// (qcow2 backing format "raw", QED no-probe flag) the file is read as raw even if it happens to start with
// another format's magic. Mismatches between a declared and a detected format become warnings.
inline Result<ImagePtr> open_backing_image(OpenContext& ctx, const ByteSource& referrer,
                                           const std::string& name, const std::string& declared_format,
                                           std::vector<std::string>& warnings) {
    auto opened = ctx.open_backing(referrer.name(), {name});
    if (!opened) {
        Error e = opened.take_error();
        return make_error(e.file, e.offset,
                          e.message + " (backing file '" + name + "' of " + referrer.name() + ")");
    }
    ImagePtr b = std::move(opened).value();
    const bool declared_raw = declared_format == "raw" || declared_format == "file";
    if (declared_raw && b->info().format != "raw") {
        warnings.push_back("backing file '" + name + "' is declared raw but looks like " + b->info().format +
                           "; reading it as raw, as the image says");
        auto f = FileSource::open(b->name());
        if (!f) return f.take_error();
        return ImagePtr(std::make_unique<RawView>(std::move(f).value()));
    }
    if (!declared_format.empty() && !declared_raw && declared_format != b->info().format)
        warnings.push_back("backing file '" + name + "' is declared as " + declared_format + " but is " +
                           b->info().format);
    return b;
}

} // namespace imgprep::qemu
