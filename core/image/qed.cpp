// QED reader, written from QEMU's docs/interop/qed_spec. All fields little-endian:
//   0 magic "QED\0", 4 cluster_size, 8 table_size (clusters per table), 12 header_size (clusters), 16
//   features, 24 compat_features, 32 autoclear_features, 40 l1_table_offset, 48 image_size, 56
//   backing_filename_offset (u32), 60 backing_filename_size (u32).
// Tables (L1 and L2) are table_size clusters of 64-bit offsets. A data cluster offset of 0 is unallocated
// (read the backing file, zeros past its end), 1 is a zero cluster. L2 tables are read in 64 KiB blocks
// through a bounded cache, so a table of up to 1 GiB (16 x 64 MiB clusters) never has to be held in memory.
#include <array>
#include <cstdio>
#include <cstring>

#include "image/formats.h"
#include "image/qemu_common.h"

namespace imgprep {
namespace {

constexpr std::uint32_t kMagic = 0x00444551; // "QED\0" little-endian
constexpr std::uint64_t kBackingFile = 0x1;
constexpr std::uint64_t kNeedCheck = 0x2;
constexpr std::uint64_t kBackingNoProbe = 0x4;
constexpr std::uint64_t kKnownFeatures = 0x7;

std::string hex(std::uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

bool pow2(std::uint64_t v) {
    return v && !(v & (v - 1));
}

enum class Kind : std::uint8_t { Unallocated, Zero, Data };

struct Piece {
    Kind kind = Kind::Unallocated;
    std::uint64_t length = 0;
    std::uint64_t host = 0; // Data: host offset of the queried byte
};

struct Geometry {
    std::uint64_t cluster_size = 0;
    unsigned cluster_bits = 0;
    std::uint64_t table_entries = 0; // entries per table (L1 and L2)
    std::uint64_t header_bytes = 0;  // header_size * cluster_size: nothing may point below this
    std::uint64_t size = 0;
    std::uint64_t l1_offset = 0;
};

class QedReader final : public ImageReader {
  public:
    QedReader(SourcePtr src, ImagePtr backing, ImageInfo info, Geometry g, qemu::WordTable l1)
        : src_(std::move(src)), backing_(std::move(backing)), info_(std::move(info)), g_(g),
          l1_(std::move(l1)),
          block_entries_(std::min<std::uint64_t>(g.table_entries, qemu::kTableBlockWords)),
          cache_(block_entries_ * 8) {}

    const std::string& name() const override { return src_->name(); }
    std::uint64_t size() const override { return g_.size; }
    std::uint64_t bytes_read() const override { return src_->bytes_read(); }
    const ImageInfo& info() const override { return info_; }
    const ImageReader* backing() const override { return backing_.get(); }

    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        return qemu::read_by_pieces(
            *this, g_.size, offset, buf, [this](std::uint64_t v, std::uint64_t n) { return piece_at(v, n); },
            [this](const Piece& p, std::uint64_t voff, std::span<std::uint8_t> out) -> Status {
                switch (p.kind) {
                case Kind::Data:
                    IMGPREP_TRY(src_->read_at(p.host, out));
                    break;
                case Kind::Zero:
                    std::memset(out.data(), 0, out.size());
                    break;
                case Kind::Unallocated:
                    IMGPREP_TRY(qemu::read_below(backing_.get(), voff, out));
                    break;
                }
                return {};
            });
    }

    Result<Extent> extent_at(std::uint64_t offset) const override {
        if (offset >= g_.size) return error_at(offset, "extent query past the end of the virtual disk");
        IMGPREP_ASSIGN(Piece p, piece_at(offset, g_.size - offset));
        if (p.kind == Kind::Data) return Extent{offset, p.length, ExtentKind::Data};
        if (p.kind == Kind::Zero) return Extent{offset, p.length, ExtentKind::Zero};
        return qemu::extent_below(backing_.get(), offset, p.length);
    }

  private:
    Result<Kind> classify(std::uint64_t entry, std::uint64_t vcluster, std::uint64_t* host) const {
        if (entry == 0) return Kind::Unallocated;
        if (entry == 1) return Kind::Zero;
        if (entry & (g_.cluster_size - 1))
            return error("corrupt L2 entry for guest cluster " + std::to_string(vcluster) + ": offset " +
                         hex(entry) + " is not aligned to the cluster size");
        if (entry < g_.header_bytes || entry >= src_->size())
            return src_->error_at(entry, "L2 entry of guest cluster " + std::to_string(vcluster) +
                                             " points " +
                                             (entry < g_.header_bytes ? "into the header"
                                                                      : "past the end of the file (size " +
                                                                            std::to_string(src_->size()) +
                                                                            "): truncated or corrupt image"));
        *host = entry;
        return Kind::Data;
    }

    Result<Piece> piece_at(std::uint64_t voff, std::uint64_t max_len) const {
        max_len = std::min(max_len, g_.size - voff);
        const std::uint64_t vc = voff >> g_.cluster_bits;
        std::uint64_t l1i = vc / g_.table_entries;
        const std::uint64_t l2i = vc % g_.table_entries;
        if (l1i >= l1_.size()) return error_at(voff, "internal error: guest offset beyond the L1 table");
        const std::uint64_t l2_off = l1_[l1i];
        const std::uint64_t span = g_.table_entries * g_.cluster_size;
        if (l2_off == 0) {
            while (l1i + 1 < l1_.size() && l1_[l1i + 1] == 0)
                ++l1i;
            return Piece{Kind::Unallocated, std::min(max_len, (l1i + 1) * span - voff), 0};
        }
        const std::uint64_t at = g_.l1_offset + 8 * l1i;
        if (l2_off & (g_.cluster_size - 1))
            return src_->error_at(at, "corrupt L1 entry: L2 table offset " + hex(l2_off) +
                                          " is not cluster aligned");
        if (l2_off < g_.header_bytes)
            return src_->error_at(at,
                                  "L1 entry points to an L2 table at " + hex(l2_off) + ", inside the header");
        if (!range_ok(l2_off, g_.table_entries * 8, src_->size()))
            return src_->error_at(at, "L1 entry points to an L2 table at " + hex(l2_off) +
                                          " that extends past the end of the file (size " +
                                          std::to_string(src_->size()) + "): truncated or corrupt image");
        const std::uint64_t bi = l2i / block_entries_;
        std::uint64_t i = l2i % block_entries_;
        IMGPREP_ASSIGN(auto block, cache_.get(*src_, l2_off + bi * block_entries_ * 8,
                                              std::size_t(block_entries_), false));
        const auto& t = *block;
        std::uint64_t host = 0;
        IMGPREP_ASSIGN(Kind kind, classify(t[i], vc, &host));
        const std::uint64_t in_cluster = voff & (g_.cluster_size - 1);
        Piece p{kind, g_.cluster_size - in_cluster, host + in_cluster};
        std::uint64_t next_host = host + g_.cluster_size;
        std::uint64_t cv = vc;
        while (p.length < max_len && ++i < block_entries_) {
            ++cv;
            std::uint64_t h = 0;
            auto next = classify(t[i], cv, &h);
            if (!next) break; // a bad entry ends the run; it is reported when the range is asked for itself
            const Kind k = *next;
            if (k != kind || (k == Kind::Data && h != next_host)) break;
            p.length += g_.cluster_size;
            next_host = h + g_.cluster_size;
        }
        p.length = std::min(p.length, max_len);
        if (kind != Kind::Data) p.host = 0;
        return p;
    }

    SourcePtr src_;
    ImagePtr backing_;
    ImageInfo info_;
    Geometry g_;
    qemu::WordTable l1_;
    std::uint64_t block_entries_;
    qemu::TableCache cache_;
};

} // namespace

Result<ImagePtr> open_qed(SourcePtr src, OpenContext& ctx) {
    const std::uint64_t fsize = src->size();
    if (fsize < 64)
        return src->error("file too short for a QED header (" + std::to_string(fsize) + " bytes, need 64)");
    std::array<std::uint8_t, 64> h{};
    IMGPREP_TRY(src->read_at(0, h));
    if (le32(h.data()) != kMagic) return src->error_at(0, "not a QED image (bad magic)");
    const std::uint32_t cluster_size = le32(h.data() + 4);
    const std::uint32_t table_size = le32(h.data() + 8);
    const std::uint32_t header_size = le32(h.data() + 12);
    const std::uint64_t features = le64(h.data() + 16);
    const std::uint64_t compat = le64(h.data() + 24);
    const std::uint64_t autoclear = le64(h.data() + 32);
    const std::uint64_t l1_off = le64(h.data() + 40);
    const std::uint64_t vsize = le64(h.data() + 48);
    const std::uint32_t backing_off = le32(h.data() + 56);
    const std::uint32_t backing_len = le32(h.data() + 60);

    if (!pow2(cluster_size) || cluster_size < 4096 || cluster_size > (64u << 20))
        return src->error_at(4, "cluster_size " + std::to_string(cluster_size) +
                                    " is invalid (a power of two from 4 KiB to 64 MiB)");
    if (!pow2(table_size) || table_size > 16)
        return src->error_at(8, "table_size " + std::to_string(table_size) +
                                    " is invalid (a power of two, 1..16)");
    if (header_size == 0 || std::uint64_t(header_size) * cluster_size > (std::uint64_t(1) << 40))
        return src->error_at(12, "header_size " + std::to_string(header_size) + " clusters is invalid");
    if (std::uint64_t unknown = features & ~kKnownFeatures)
        return src->error_at(16, "image uses unknown incompatible QED feature bits " + hex(unknown) +
                                     "; it cannot be read safely");
    if (vsize % 512)
        return src->error_at(48, "image_size " + std::to_string(vsize) + " is not a multiple of 512");

    Geometry g;
    g.cluster_size = cluster_size;
    while ((std::uint64_t(1) << g.cluster_bits) < cluster_size)
        ++g.cluster_bits;
    g.table_entries = std::uint64_t(table_size) * cluster_size / 8;
    g.header_bytes = std::uint64_t(header_size) * cluster_size;
    g.size = vsize;
    g.l1_offset = l1_off;
    // image_size <= entries^2 * cluster_size, computed without overflow.
    const std::uint64_t span = g.table_entries * cluster_size; // <= 2^27 * 2^26
    const std::uint64_t l1_needed = vsize / span + (vsize % span != 0);
    if (l1_needed > g.table_entries)
        return src->error_at(48, "image_size " + std::to_string(vsize) +
                                     " exceeds what the tables can address (corrupt header or absurd size)");
    if (l1_needed * 8 > qemu::kMaxL1Bytes)
        return src->error_at(48, "L1 table of " + std::to_string(l1_needed) +
                                     " entries exceeds the 32 MiB limit");

    qemu::WordTable l1;
    if (l1_needed) {
        if (l1_off % cluster_size)
            return src->error_at(40,
                                 "L1 table offset " + hex(l1_off) + " is not aligned to the cluster size");
        if (l1_off < g.header_bytes)
            return src->error_at(40, "L1 table offset " + hex(l1_off) + " points into the header");
        if (!range_ok(l1_off, l1_needed * 8, fsize))
            return src->error_at(40, "L1 table at " + hex(l1_off) +
                                         " extends past the end of the file (size " + std::to_string(fsize) +
                                         "): truncated or corrupt image");
        IMGPREP_ASSIGN(l1, qemu::WordTable::read(*src, l1_off, std::size_t(l1_needed), false));
    }

    ImageInfo info;
    info.format = "qed";
    info.virtual_size = vsize;
    info.file_size = fsize;
    info.cluster_size = cluster_size;
    info.files = {src->name()};
    info.details.emplace_back("table_size", std::to_string(table_size));
    info.details.emplace_back("header_size", std::to_string(header_size));
    info.details.emplace_back("need_check", (features & kNeedCheck) ? "yes" : "no");
    if (compat) info.details.emplace_back("compat_features", hex(compat));
    if (autoclear) info.details.emplace_back("autoclear_features", hex(autoclear));
    if (features & kNeedCheck)
        info.warnings.push_back(
            "image is marked as needing a consistency check (not closed cleanly): metadata may "
            "be inconsistent; it is read anyway (every table pointer is checked). Run qemu-img "
            "check on a copy");

    ImagePtr backing;
    if (features & kBackingFile) {
        if (backing_len == 0 || backing_len > 1023)
            return src->error_at(60, "backing file name length " + std::to_string(backing_len) +
                                         " is out of range (1..1023)");
        if (!range_ok(backing_off, backing_len, std::min(g.header_bytes, fsize)))
            return src->error_at(56, "backing file name at " + hex(backing_off) + " lies outside the header");
        std::string name(backing_len, '\0');
        IMGPREP_TRY(
            src->read_at(backing_off, std::span(reinterpret_cast<std::uint8_t*>(name.data()), name.size())));
        if (name.find('\0') != std::string::npos)
            return src->error_at(backing_off, "backing file name contains a NUL byte");
        info.details.emplace_back("backing_file", name);
        const bool no_probe = features & kBackingNoProbe;
        if (no_probe) info.details.emplace_back("backing_format", "raw");
        IMGPREP_ASSIGN(backing,
                       qemu::open_backing_image(ctx, *src, name, no_probe ? "raw" : "", info.warnings));
    }
    return ImagePtr(std::make_unique<QedReader>(src, std::move(backing), std::move(info), g, std::move(l1)));
}

} // namespace imgprep
