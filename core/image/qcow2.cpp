// QCOW2 reader (versions 2 and 3), written from QEMU's docs/interop/qcow2.rst.
//
// Reads the active L1/L2 tables (internal snapshots are ignored). L2 tables are loaded lazily in 64 KiB
// blocks through a bounded LRU cache, so memory does not grow with the virtual size. Supports zero clusters,
// compressed clusters (deflate and zstd; every cluster decompresses to exactly one cluster, never more),
// extended L2 entries (32 subclusters with allocation and zero bitmaps), external data files and backing
// files.
//
// Policy for header flags: the dirty bit and the corrupt bit are warnings (this reader only reads, and every
// table pointer is checked before use, so a real inconsistency still ends in an error naming the offset);
// unknown incompatible feature bits and encryption are refused.
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <map>

#include "image/formats.h"
#include "image/qemu_common.h"

namespace imgprep {
namespace {

constexpr std::uint32_t kMagic = 0x514649fb; // "QFI\xfb"
constexpr std::uint64_t kIncompatDirty = 1u << 0;
constexpr std::uint64_t kIncompatCorrupt = 1u << 1;
constexpr std::uint64_t kIncompatDataFile = 1u << 2;
constexpr std::uint64_t kIncompatCompression = 1u << 3;
constexpr std::uint64_t kIncompatExtL2 = 1u << 4;
constexpr std::uint64_t kIncompatKnown = 0x1f;
constexpr std::uint64_t kCompatLazyRefcounts = 1u << 0;
constexpr std::uint64_t kAutoclearBitmaps = 1u << 0;
constexpr std::uint64_t kAutoclearDataFileRaw = 1u << 1;

constexpr std::uint32_t kExtEnd = 0x00000000;
constexpr std::uint32_t kExtBackingFormat = 0xe2792aca;
constexpr std::uint32_t kExtFeatureTable = 0x6803f857;
constexpr std::uint32_t kExtBitmaps = 0x23852875;
constexpr std::uint32_t kExtCrypto = 0x0537be77;
constexpr std::uint32_t kExtDataFile = 0x44415441;

constexpr std::uint64_t kOffsetMask =
    0x00fffffffffffe00ULL; // bits 9-55 of L1 entries and standard descriptors
constexpr std::uint64_t kFlagCopied = 1ULL << 63;
constexpr std::uint64_t kFlagCompressed = 1ULL << 62;
constexpr std::uint64_t kFlagZero = 1ULL << 0;

constexpr int kZstdWindowLogMax = 22; // clusters are at most 2 MiB; refuse frames that want larger windows

std::string hex(std::uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

enum class Kind : std::uint8_t { Unallocated, Zero, Data, Compressed };

// A run of the virtual disk, starting at the queried offset, that this layer maps one way.
struct Piece {
    Kind kind = Kind::Unallocated;
    std::uint64_t length = 0;
    std::uint64_t host = 0; // Data: host offset (data file) of the queried byte; Compressed: the L2 entry
};

struct Layout {
    std::uint32_t version = 0;
    std::uint32_t cluster_bits = 0;
    std::uint64_t virtual_size = 0;
    bool ext_l2 = false;
    bool external_data = false;
    bool zstd = false;
    std::uint64_t l1_offset = 0;
    qemu::WordTable l1;
};

class Qcow2Reader final : public ImageReader {
  public:
    Qcow2Reader(SourcePtr src, SourcePtr data, ImagePtr backing, Layout layout, ImageInfo info)
        : src_(std::move(src)), data_(data ? std::move(data) : src_), backing_(std::move(backing)),
          info_(std::move(info)), cluster_bits_(layout.cluster_bits),
          cluster_size_(std::uint64_t(1) << layout.cluster_bits), size_(layout.virtual_size),
          ext_l2_(layout.ext_l2), external_data_(layout.external_data), zstd_(layout.zstd),
          l1_table_offset_(layout.l1_offset), l1_(std::move(layout.l1)), entry_words_(ext_l2_ ? 2 : 1),
          l2_entries_(cluster_size_ / (8 * entry_words_)),
          block_entries_(std::min<std::uint64_t>(l2_entries_, qemu::kTableBlockWords / entry_words_)),
          unit_bits_(ext_l2_ ? cluster_bits_ - 5 : cluster_bits_), cache_(block_entries_ * entry_words_ * 8),
          id_(qemu::next_reader_id()) {}

    const std::string& name() const override { return src_->name(); }
    std::uint64_t size() const override { return size_; }
    std::uint64_t bytes_read() const override {
        return src_->bytes_read() + (data_ != src_ ? data_->bytes_read() : 0);
    }
    const ImageInfo& info() const override { return info_; }
    const ImageReader* backing() const override { return backing_.get(); }

    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        return qemu::read_by_pieces(
            *this, size_, offset, buf, [this](std::uint64_t v, std::uint64_t n) { return piece_at(v, n); },
            [this](const Piece& p, std::uint64_t voff, std::span<std::uint8_t> out) -> Status {
                switch (p.kind) {
                case Kind::Data:
                    IMGPREP_TRY(data_->read_at(p.host, out));
                    break;
                case Kind::Zero:
                    std::memset(out.data(), 0, out.size());
                    break;
                case Kind::Unallocated:
                    IMGPREP_TRY(qemu::read_below(backing_.get(), voff, out));
                    break;
                case Kind::Compressed: {
                    if ((voff & (cluster_size_ - 1)) == 0 &&
                        out.size() == cluster_size_) { // whole cluster: in place
                        IMGPREP_TRY(decompress_into(p.host, voff >> cluster_bits_, out));
                        break;
                    }
                    IMGPREP_ASSIGN(const std::uint8_t* cluster, decompress(p.host, voff));
                    std::memcpy(out.data(), cluster + (voff & (cluster_size_ - 1)), out.size());
                    break;
                }
                }
                return {};
            });
    }

    Result<Extent> extent_at(std::uint64_t offset) const override {
        if (offset >= size_) return error_at(offset, "extent query past the end of the virtual disk");
        IMGPREP_ASSIGN(Piece p, piece_at(offset, size_ - offset));
        switch (p.kind) {
        case Kind::Data:
        case Kind::Compressed:
            return Extent{offset, p.length, ExtentKind::Data};
        case Kind::Zero:
            return Extent{offset, p.length, ExtentKind::Zero};
        case Kind::Unallocated:
            break;
        }
        return qemu::extent_below(backing_.get(), offset, p.length);
    }

  private:
    // Kind of the allocation unit (cluster, or subcluster with extended L2) `unit` of a cluster whose L2
    // entry is (entry, bitmap); for Data, *host is the unit's host offset. `vcluster` is for error messages.
    Result<Kind> classify(std::uint64_t entry, std::uint64_t bitmap, unsigned unit, std::uint64_t vcluster,
                          std::uint64_t* host) const {
        if (entry & kFlagCompressed) {
            if (external_data_)
                return error("corrupt L2 entry for guest cluster " + std::to_string(vcluster) +
                             ": compressed cluster in an image with an external data file");
            return Kind::Compressed;
        }
        const std::uint64_t off = entry & kOffsetMask;
        if (off & (cluster_size_ - 1))
            return error("corrupt L2 entry for guest cluster " + std::to_string(vcluster) + ": host offset " +
                         hex(off) + " is not aligned to the cluster size");
        const bool has_host = off != 0 || (external_data_ && (entry & kFlagCopied));
        Kind k;
        if (ext_l2_) {
            const bool alloc = (bitmap >> unit) & 1, zero = (bitmap >> (32 + unit)) & 1;
            if (alloc && zero)
                return error("corrupt extended L2 entry for guest cluster " + std::to_string(vcluster) +
                             ": subcluster " + std::to_string(unit) + " is marked both allocated and zero");
            if (alloc && !has_host)
                return error("corrupt extended L2 entry for guest cluster " + std::to_string(vcluster) +
                             ": subcluster " + std::to_string(unit) +
                             " is allocated but the cluster has no host offset");
            k = zero ? Kind::Zero : alloc ? Kind::Data : Kind::Unallocated;
        } else {
            k = (entry & kFlagZero) ? Kind::Zero : has_host ? Kind::Data : Kind::Unallocated;
        }
        if (k == Kind::Data) {
            *host = off + (std::uint64_t(unit) << unit_bits_);
            if (*host >= data_->size())
                return data_->error_at(*host, "guest cluster " + std::to_string(vcluster) +
                                                  " maps past the end of the file (size " +
                                                  std::to_string(data_->size()) +
                                                  "): truncated or corrupt image");
        }
        return k;
    }

    // The run at voff (at most max_len bytes, never past the disk end) that this layer maps one way. Runs are
    // extended over following clusters while the kind stays the same (and, for data, the host offsets stay
    // contiguous), within one cached table block; compressed clusters are one run each.
    Result<Piece> piece_at(std::uint64_t voff, std::uint64_t max_len) const {
        max_len = std::min(max_len, size_ - voff);
        const std::uint64_t vc = voff >> cluster_bits_;
        std::uint64_t l1i = vc / l2_entries_;
        const std::uint64_t l2i = vc % l2_entries_;
        if (l1i >= l1_.size()) return error_at(voff, "internal error: guest offset beyond the L1 table");
        const std::uint64_t l1e = l1_[l1i];
        const std::uint64_t l2_off = l1e & kOffsetMask;
        const std::uint64_t span = l2_entries_ << cluster_bits_; // guest bytes per L2 table
        if (l2_off == 0) {
            while (l1i + 1 < l1_.size() && (l1_[l1i + 1] & kOffsetMask) == 0)
                ++l1i; // empty L1 entries in a row
            const std::uint64_t end = (l1i + 1) * span;
            return Piece{Kind::Unallocated, std::min(max_len, end - voff), 0};
        }
        if (l2_off & (cluster_size_ - 1))
            return src_->error_at(l1_offset_of(vc / l2_entries_), "corrupt L1 entry: L2 table offset " +
                                                                      hex(l2_off) +
                                                                      " is not cluster aligned");
        if (!range_ok(l2_off, cluster_size_, src_->size()))
            return src_->error_at(l1_offset_of(vc / l2_entries_),
                                  "L1 entry points to an L2 table at " + hex(l2_off) +
                                      " past the end of the file (size " + std::to_string(src_->size()) +
                                      "): truncated or corrupt image");
        const std::uint64_t bi = l2i / block_entries_;
        std::uint64_t i = l2i % block_entries_;
        const std::uint64_t block_off = l2_off + bi * block_entries_ * entry_words_ * 8;
        IMGPREP_ASSIGN(auto block,
                       cache_.get(*src_, block_off, std::size_t(block_entries_ * entry_words_), true));
        const auto& t = *block;
        std::uint64_t cluster_v = vc; // guest cluster of entry i

        const std::uint64_t unit_size = std::uint64_t(1) << unit_bits_;
        auto entry = [&](std::uint64_t idx) { return t[idx * entry_words_]; };
        auto bitmap = [&](std::uint64_t idx) { return ext_l2_ ? t[idx * 2 + 1] : 0; };

        unsigned unit = unsigned((voff & (cluster_size_ - 1)) >> unit_bits_);
        std::uint64_t host = 0;
        IMGPREP_ASSIGN(Kind kind, classify(entry(i), bitmap(i), unit, cluster_v, &host));
        const std::uint64_t in_unit = voff & (unit_size - 1);
        Piece p{kind, 0, 0};
        if (kind == Kind::Compressed) {
            p.host = entry(i);
            p.length = std::min(max_len, cluster_size_ - (voff & (cluster_size_ - 1)));
            return p;
        }
        p.host = host + in_unit;
        p.length = unit_size - in_unit;
        std::uint64_t next_host = host + unit_size;
        const unsigned units_per_cluster = unsigned(cluster_size_ >> unit_bits_);
        while (p.length < max_len) {
            if (++unit == units_per_cluster) {
                unit = 0;
                ++i;
                ++cluster_v;
                if (i >= block_entries_) break; // block_entries_ divides l2_entries_ (powers of two)
            }
            std::uint64_t h = 0;
            auto next = classify(entry(i), bitmap(i), unit, cluster_v, &h);
            if (!next) break; // a bad entry ends the run; it is reported when the range is asked for itself
            const Kind k = *next;
            if (k != kind || k == Kind::Compressed || (k == Kind::Data && h != next_host)) break;
            p.length += unit_size;
            next_host = h + unit_size;
        }
        p.length = std::min(p.length, max_len);
        return p;
    }

    std::uint64_t l1_offset_of(std::uint64_t l1i) const { return l1_table_offset_ + 8 * l1i; }

    // Decompresses the compressed cluster `entry` (covering guest offset voff) into a per-thread buffer.
    // Decompresses the compressed cluster `entry` (guest cluster vc) into out, exactly one cluster.
    Status decompress_into(std::uint64_t entry, std::uint64_t vc, std::span<std::uint8_t> out) const {
        thread_local std::vector<std::uint8_t> in;
        const unsigned x = 70 - cluster_bits_; // 62 - (cluster_bits - 8)
        const std::uint64_t coff = entry & ((std::uint64_t(1) << x) - 1);
        const std::uint64_t sectors = ((entry >> x) & ((std::uint64_t(1) << (cluster_bits_ - 8)) - 1)) + 1;
        std::uint64_t csize = sectors * 512 - (coff & 511);
        if (coff < cluster_size_ || coff >= src_->size())
            return src_->error_at(coff, "compressed guest cluster " + std::to_string(vc) + " points " +
                                            (coff < cluster_size_ ? "into the image header"
                                                                  : "past the end of the file (size " +
                                                                        std::to_string(src_->size()) + ")"));
        // The final sector may legitimately be cut by the end of the file; a whole missing sector means
        // truncation.
        const std::uint64_t avail = src_->size() - coff;
        const bool clipped = csize > avail;
        if (clipped && csize - avail >= 512)
            return src_->error_at(coff, "compressed guest cluster " + std::to_string(vc) + " (" +
                                            std::to_string(csize) +
                                            " bytes) extends past the end of the file (size " +
                                            std::to_string(src_->size()) + "): truncated or corrupt image");
        if (clipped) csize = avail;
        in.resize(std::size_t(csize)); // at most 2 clusters (the sector count has cluster_bits - 8 bits)
        IMGPREP_TRY(src_->read_at(coff, in));
        std::string why;
        bool ok = zstd_ ? zstd_exact(in, out, why) : qemu::inflate_exact(in, out, why);
        if (!ok)
            return src_->error_at(
                coff, "cannot decompress guest cluster " + std::to_string(vc) + " (" + std::to_string(csize) +
                          " compressed bytes): " + why +
                          (clipped ? " (the data is cut by the end of the file: truncated?)" : ""));
        return {};
    }

    // The decompressed cluster `entry` (covering guest offset voff), kept per thread for the next small read.
    Result<const std::uint8_t*> decompress(std::uint64_t entry, std::uint64_t voff) const {
        struct Slot {
            std::uint64_t reader = 0, entry = 0;
            std::vector<std::uint8_t> out;
        };
        thread_local Slot slot;
        if (slot.reader == id_ && slot.entry == entry && slot.out.size() == cluster_size_)
            return slot.out.data();
        slot.reader = 0;
        slot.out.resize(std::size_t(cluster_size_));
        IMGPREP_TRY(decompress_into(entry, voff >> cluster_bits_, slot.out));
        slot.reader = id_;
        slot.entry = entry;
        return slot.out.data();
    }

    static bool zstd_exact(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::string& why) {
        struct Ctx {
            ZSTD_DCtx* d = ZSTD_createDCtx();
            Ctx() {
                if (d) ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, kZstdWindowLogMax);
            }
            ~Ctx() { ZSTD_freeDCtx(d); }
        };
        thread_local Ctx ctx;
        if (!ctx.d) {
            why = "cannot create a zstd context";
            return false;
        }
        // Fast path: one frame that declares exactly one cluster, decoded straight into out.
        const std::size_t frame = ZSTD_findFrameCompressedSize(in.data(), in.size());
        if (!ZSTD_isError(frame) && ZSTD_getFrameContentSize(in.data(), frame) == out.size()) {
            const std::size_t r = ZSTD_decompressDCtx(ctx.d, out.data(), out.size(), in.data(), frame);
            if (!ZSTD_isError(r) && r == out.size()) return true;
        }
        // General path (several frames, unknown sizes, larger frames): stream until one cluster is produced.
        ZSTD_DCtx_reset(ctx.d, ZSTD_reset_session_only);
        ZSTD_inBuffer ib{in.data(), in.size(), 0};
        ZSTD_outBuffer ob{out.data(), out.size(), 0};
        while (ob.pos < ob.size) {
            const std::size_t in_before = ib.pos, out_before = ob.pos;
            std::size_t r = ZSTD_decompressStream(ctx.d, &ob, &ib);
            if (ZSTD_isError(r)) {
                why = std::string("zstd data is corrupt (") + ZSTD_getErrorName(r) + ")";
                return false;
            }
            if (ib.pos == in_before && ob.pos == out_before) {
                why = "zstd data ends after " + std::to_string(ob.pos) + " of " + std::to_string(ob.size) +
                      " bytes";
                return false;
            }
        }
        return true;
    }

    SourcePtr src_;
    SourcePtr data_;
    ImagePtr backing_;
    ImageInfo info_;
    std::uint32_t cluster_bits_;
    std::uint64_t cluster_size_;
    std::uint64_t size_;
    bool ext_l2_;
    bool external_data_;
    bool zstd_;
    std::uint64_t l1_table_offset_;
    qemu::WordTable l1_;
    std::uint64_t entry_words_;
    std::uint64_t l2_entries_;
    std::uint64_t block_entries_;
    unsigned unit_bits_;
    qemu::TableCache cache_;
    std::uint64_t id_;
};

std::string crypt_refusal(std::uint32_t method) {
    const std::string how = "decrypt it first with qemu-img convert --object secret,id=sec0,data=PASSWORD "
                            "--image-opts driver=qcow2,file.filename=IMAGE,encrypt.key-secret=sec0";
    if (method == 1)
        return "encrypted image (legacy qcow AES, crypt_method 1): " + how +
               ",encrypt.format=aes -O qcow2 decrypted.qcow2";
    if (method == 2) return "encrypted image (LUKS, crypt_method 2): " + how + " -O qcow2 decrypted.qcow2";
    return "encrypted image with unknown crypt_method " + std::to_string(method) + ": cannot be read";
}

} // namespace

Result<ImagePtr> open_qcow2(SourcePtr src, OpenContext& ctx) {
    const std::uint64_t fsize = src->size();
    if (fsize < 72)
        return src->error("file too short for a qcow2 header (" + std::to_string(fsize) + " bytes, need 72)");
    std::array<std::uint8_t, 104> h{};
    IMGPREP_TRY(src->read_at(0, std::span(h.data(), std::size_t(std::min<std::uint64_t>(fsize, h.size())))));
    if (be32(h.data()) != kMagic) return src->error_at(0, "not a qcow2 image (bad magic)");
    const std::uint32_t version = be32(h.data() + 4);
    if (version != 2 && version != 3)
        return src->error_at(4,
                             "qcow2 version " + std::to_string(version) + " is not supported (2 and 3 are)");
    const std::uint64_t backing_off = be64(h.data() + 8);
    const std::uint32_t backing_len = be32(h.data() + 16);
    const std::uint32_t cluster_bits = be32(h.data() + 20);
    const std::uint64_t vsize = be64(h.data() + 24);
    const std::uint32_t crypt = be32(h.data() + 32);
    const std::uint32_t l1_size = be32(h.data() + 36);
    const std::uint64_t l1_off = be64(h.data() + 40);
    const std::uint32_t nb_snapshots = be32(h.data() + 60);

    if (cluster_bits < 9 || cluster_bits > 21)
        return src->error_at(20, "cluster_bits " + std::to_string(cluster_bits) +
                                     " is out of range (9..21, i.e. 512 bytes to 2 MiB clusters)");
    const std::uint64_t cluster_size = std::uint64_t(1) << cluster_bits;
    if (crypt != 0) return src->error_at(32, crypt_refusal(crypt));

    std::uint64_t incompat = 0, compat = 0, autoclear = 0;
    std::uint32_t refcount_order = 4, header_len = 72;
    if (version >= 3) {
        if (fsize < 104)
            return src->error("file too short for a qcow2 version 3 header (" + std::to_string(fsize) +
                              " bytes)");
        incompat = be64(h.data() + 72);
        compat = be64(h.data() + 80);
        autoclear = be64(h.data() + 88);
        refcount_order = be32(h.data() + 96);
        header_len = be32(h.data() + 100);
        if (header_len < 104 || header_len % 8 != 0 || header_len > cluster_size)
            return src->error_at(100, "invalid header_length " + std::to_string(header_len) +
                                          " (at least 104, a multiple of 8, within the first cluster)");
        if (header_len > fsize)
            return src->error_at(100, "header_length " + std::to_string(header_len) +
                                          " runs past the end of the file (" + std::to_string(fsize) +
                                          " bytes)");
        if (refcount_order > 6)
            return src->error_at(96, "refcount_order " + std::to_string(refcount_order) +
                                         " is out of range (0..6)");
    }

    // The first cluster: header, header extensions, backing file name.
    const std::uint64_t first = std::min(cluster_size, fsize);
    std::vector<std::uint8_t> head(static_cast<std::size_t>(first));
    IMGPREP_TRY(src->read_at(0, head));
    std::uint8_t compression_type = 0;
    if (header_len > 104) compression_type = head[104];

    std::string backing_format, data_file_name;
    bool have_backing_format = false, have_data_file = false, have_bitmaps = false;
    std::map<std::pair<int, int>, std::string> feature_names;
    ImageInfo info;
    {
        std::uint64_t end = first;
        if (backing_off > header_len && backing_off < end) end = backing_off;
        std::uint64_t pos = header_len;
        while (pos + 8 <= end) {
            const std::uint32_t type = be32(head.data() + pos);
            const std::uint32_t len = be32(head.data() + pos + 4);
            if (type == kExtEnd) break;
            if (len > end - pos - 8)
                return src->error_at(pos, "header extension " + hex(type) + " of " + std::to_string(len) +
                                              " bytes overruns the header area");
            const std::uint8_t* d = head.data() + pos + 8;
            switch (type) {
            case kExtBackingFormat:
                if (!have_backing_format) backing_format.assign(reinterpret_cast<const char*>(d), len);
                have_backing_format = true;
                break;
            case kExtDataFile:
                if (!have_data_file) data_file_name.assign(reinterpret_cast<const char*>(d), len);
                have_data_file = true;
                break;
            case kExtFeatureTable:
                for (std::uint32_t k = 0; k + 48 <= len; k += 48) {
                    const char* n = reinterpret_cast<const char*>(d + k + 2);
                    feature_names[{d[k], d[k + 1]}] = std::string(n, std::find(n, n + 46, '\0'));
                }
                break;
            case kExtBitmaps:
                have_bitmaps = true;
                break;
            case kExtCrypto:
                break;
            default:
                break; // unknown extensions may be ignored
            }
            pos += 8 + ((std::uint64_t(len) + 7) & ~std::uint64_t(7));
        }
    }
    // Strings from the file may hold anything; keep them printable for messages.
    auto printable = [](std::string s) {
        for (char& c : s)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
        return s;
    };

    if (std::uint64_t unknown = incompat & ~kIncompatKnown) {
        std::string list;
        for (int b = 0; b < 64; ++b) {
            if (!((unknown >> b) & 1)) continue;
            auto it = feature_names.find({0, b});
            list += (list.empty() ? "" : ", ") + std::string("bit ") + std::to_string(b) +
                    (it != feature_names.end() ? " (" + printable(it->second) + ")" : "");
        }
        return src->error_at(72,
                             "image uses incompatible qcow2 feature(s) this reader does not know: " + list +
                                 "; reading it could return wrong data. Convert it with a QEMU that supports "
                                 "them (qemu-img convert -O qcow2) first");
    }
    const bool ext_l2 = incompat & kIncompatExtL2;
    const bool external_data = incompat & kIncompatDataFile;
    if (ext_l2 && cluster_bits < 14)
        return src->error_at(20, "extended L2 entries need clusters of at least 16 KiB (cluster_bits " +
                                     std::to_string(cluster_bits) + ")");
    bool zstd = false;
    if (incompat & kIncompatCompression) {
        if (header_len <= 104)
            return src->error_at(100,
                                 "compression-type feature set but the header has no compression_type field");
        if (compression_type == 1)
            zstd = true;
        else
            return src->error_at(104, "unknown compression type " + std::to_string(compression_type) +
                                          " (known: 0 deflate, 1 zstd)");
    } else if (compression_type != 0) {
        return src->error_at(104, "compression_type " + std::to_string(compression_type) +
                                      " is set without the compression-type incompatible feature bit");
    }

    // L1 table: must cover the virtual size, lie inside the file, and stay within a sane size.
    const std::uint64_t l2_entries = cluster_size / (ext_l2 ? 16 : 8);
    const std::uint64_t span = l2_entries * cluster_size;
    const std::uint64_t needed = vsize / span + (vsize % span != 0);
    if (needed > l1_size)
        return src->error_at(36, "L1 table has " + std::to_string(l1_size) +
                                     " entries but the virtual size of " + std::to_string(vsize) +
                                     " bytes needs " + std::to_string(needed) +
                                     " (corrupt header or absurd virtual size)");
    if (needed * 8 > qemu::kMaxL1Bytes)
        return src->error_at(36,
                             "L1 table of " + std::to_string(needed) + " entries exceeds the 32 MiB limit");
    Layout layout;
    layout.version = version;
    layout.cluster_bits = cluster_bits;
    layout.virtual_size = vsize;
    layout.ext_l2 = ext_l2;
    layout.external_data = external_data;
    layout.zstd = zstd;
    if (needed > 0) {
        if (l1_off < cluster_size)
            return src->error_at(40, "L1 table offset " + hex(l1_off) + " points into the image header");
        if (l1_off % cluster_size)
            return src->error_at(40,
                                 "L1 table offset " + hex(l1_off) + " is not aligned to the cluster size");
        if (!range_ok(l1_off, needed * 8, fsize))
            return src->error_at(40, "L1 table (" + std::to_string(needed) + " entries at " + hex(l1_off) +
                                         ") extends past the end of the file (size " + std::to_string(fsize) +
                                         "): truncated or corrupt image");
        IMGPREP_ASSIGN(layout.l1, qemu::WordTable::read(*src, l1_off, std::size_t(needed), true));
    }

    info.format = "qcow2";
    info.subformat = version == 2 ? "v2" : "v3";
    info.virtual_size = vsize;
    info.file_size = fsize;
    info.cluster_size = cluster_size;
    info.compression = zstd ? "zstd" : "zlib";
    info.files = {src->name()};
    info.details.emplace_back("version", std::to_string(version));
    info.details.emplace_back("compat", version == 2 ? "0.10" : "1.1");
    info.details.emplace_back("refcount_order", std::to_string(refcount_order));
    info.details.emplace_back("compression_type", zstd ? "zstd" : "zlib (deflate)");
    info.details.emplace_back("dirty", (incompat & kIncompatDirty) ? "yes" : "no");
    info.details.emplace_back("corrupt", (incompat & kIncompatCorrupt) ? "yes" : "no");
    info.details.emplace_back("lazy_refcounts", (compat & kCompatLazyRefcounts) ? "yes" : "no");
    info.details.emplace_back("extended_l2", ext_l2 ? "yes" : "no");
    if (have_bitmaps || (autoclear & kAutoclearBitmaps))
        info.details.emplace_back("bitmaps", "present (ignored)");
    if (nb_snapshots) {
        info.details.emplace_back("snapshots", std::to_string(nb_snapshots));
        info.warnings.push_back(
            std::to_string(nb_snapshots) +
            " internal snapshot(s) present: only the active (current) disk state is read");
    }
    if (incompat & kIncompatDirty)
        info.warnings.push_back(
            "image is marked dirty (not closed cleanly, e.g. with lazy refcounts): refcounts "
            "may be inconsistent; guest data is read through the L1/L2 tables, which is not "
            "affected. Run qemu-img check -r all on a copy to repair it");
    if (incompat & kIncompatCorrupt)
        info.warnings.push_back(
            "image is marked corrupt by QEMU: its metadata may be inconsistent. It is read "
            "anyway (read-only, every table pointer is checked); verify the result and run "
            "qemu-img check on a copy");

    SourcePtr data;
    if (external_data) {
        if (!have_data_file || data_file_name.empty())
            return src->error(
                "image stores its data in an external data file but does not name it; open it with "
                "qemu-img using --image-opts data-file.filename=... and convert it");
        auto d = ctx.open_sibling(src->name(), data_file_name);
        if (!d) return d.take_error();
        data = std::move(d).value();
        info.files.push_back(data->name());
        info.file_size += data->size();
        info.details.emplace_back("data_file", printable(data_file_name));
        info.details.emplace_back("data_file_raw", (autoclear & kAutoclearDataFileRaw) ? "yes" : "no");
    } else if (have_data_file) {
        info.warnings.push_back("header names a data file ('" + printable(data_file_name) +
                                "') but the external-data-file feature bit is clear; ignored");
    }

    ImagePtr backing;
    if (backing_off != 0) {
        if (backing_len == 0 || backing_len > 1023)
            return src->error_at(16, "backing file name length " + std::to_string(backing_len) +
                                         " is out of range (1..1023)");
        if (!range_ok(backing_off, backing_len, fsize))
            return src->error_at(8, "backing file name at " + hex(backing_off) +
                                        " lies past the end of the file");
        std::string name(backing_len, '\0');
        IMGPREP_TRY(
            src->read_at(backing_off, std::span(reinterpret_cast<std::uint8_t*>(name.data()), name.size())));
        if (name.find('\0') != std::string::npos)
            return src->error_at(backing_off, "backing file name contains a NUL byte");
        if (external_data && (autoclear & kAutoclearDataFileRaw))
            info.warnings.push_back(
                "image has both a raw external data file and a backing file (not allowed by "
                "the specification); the backing file is used for unallocated clusters");
        info.details.emplace_back("backing_file", printable(name));
        if (have_backing_format) info.details.emplace_back("backing_format", printable(backing_format));
        IMGPREP_ASSIGN(backing, qemu::open_backing_image(ctx, *src, name, backing_format, info.warnings));
    }

    layout.l1_offset = l1_off;
    return ImagePtr(std::make_unique<Qcow2Reader>(src, std::move(data), std::move(backing), std::move(layout),
                                                  std::move(info)));
}

} // namespace imgprep
