// QCOW version 1 reader. Layout (all big-endian), from the published QCOW v1 header description:
//   0 magic "QFI\xfb", 4 version (1), 8 backing_file_offset (u64), 16 backing_file_size (u32), 20 mtime
//   (u32), 24 size (u64), 32 cluster_bits (u8), 33 l2_bits (u8), 34 padding (u16), 36 crypt_method (u32), 40
//   l1_table_offset (u64); 48 bytes.
// L1 has ceil(size / 2^(cluster_bits + l2_bits)) entries; an L2 table has 2^l2_bits entries. An L2 entry is a
// host offset (0 = unallocated: read the backing file, or zeros); bit 63 marks a compressed cluster whose low
// (63 - cluster_bits) bits are the host offset and the next cluster_bits bits the compressed size in bytes.
// Compressed data is raw deflate and decompresses to exactly one cluster.
#include <array>
#include <cstdio>
#include <cstring>

#include "image/formats.h"
#include "image/qemu_common.h"

namespace imgprep {
namespace {

constexpr std::uint32_t kMagic = 0x514649fb;
constexpr std::uint32_t kHeaderSize = 48;
constexpr std::uint64_t kCompressed = 1ULL << 63;

std::string hex(std::uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

enum class Kind : std::uint8_t { Unallocated, Data, Compressed };

struct Piece {
    Kind kind = Kind::Unallocated;
    std::uint64_t length = 0;
    std::uint64_t host = 0; // Data: host offset of the queried byte; Compressed: the L2 entry
};

class QcowReader final : public ImageReader {
  public:
    QcowReader(SourcePtr src, ImagePtr backing, ImageInfo info, std::uint32_t cluster_bits,
               std::uint32_t l2_bits, std::uint64_t size, std::uint64_t l1_offset, qemu::WordTable l1)
        : src_(std::move(src)), backing_(std::move(backing)), info_(std::move(info)),
          cluster_bits_(cluster_bits), cluster_size_(std::uint64_t(1) << cluster_bits), l2_bits_(l2_bits),
          l2_entries_(std::uint64_t(1) << l2_bits), size_(size), l1_offset_(l1_offset), l1_(std::move(l1)),
          block_entries_(std::min<std::uint64_t>(l2_entries_, qemu::kTableBlockWords)),
          cache_(block_entries_ * 8), id_(qemu::next_reader_id()) {}

    const std::string& name() const override { return src_->name(); }
    std::uint64_t size() const override { return size_; }
    std::uint64_t bytes_read() const override { return src_->bytes_read(); }
    const ImageInfo& info() const override { return info_; }
    const ImageReader* backing() const override { return backing_.get(); }

    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        return qemu::read_by_pieces(
            *this, size_, offset, buf, [this](std::uint64_t v, std::uint64_t n) { return piece_at(v, n); },
            [this](const Piece& p, std::uint64_t voff, std::span<std::uint8_t> out) -> Status {
                switch (p.kind) {
                case Kind::Data:
                    IMGPREP_TRY(src_->read_at(p.host, out));
                    break;
                case Kind::Unallocated:
                    IMGPREP_TRY(qemu::read_below(backing_.get(), voff, out));
                    break;
                case Kind::Compressed: {
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
        if (p.kind != Kind::Unallocated) return Extent{offset, p.length, ExtentKind::Data};
        return qemu::extent_below(backing_.get(), offset, p.length);
    }

  private:
    Result<Kind> classify(std::uint64_t entry, std::uint64_t vcluster, std::uint64_t* host) const {
        if (entry == 0) return Kind::Unallocated;
        if (entry & kCompressed) return Kind::Compressed;
        if (entry < kHeaderSize || entry >= src_->size())
            return src_->error_at(entry, "L2 entry of guest cluster " + std::to_string(vcluster) +
                                             " points " +
                                             (entry < kHeaderSize ? "into the header"
                                                                  : "past the end of the file (size " +
                                                                        std::to_string(src_->size()) +
                                                                        "): truncated or corrupt image"));
        *host = entry;
        return Kind::Data;
    }

    Result<Piece> piece_at(std::uint64_t voff, std::uint64_t max_len) const {
        max_len = std::min(max_len, size_ - voff);
        const std::uint64_t vc = voff >> cluster_bits_;
        std::uint64_t l1i = vc >> l2_bits_;
        const std::uint64_t l2i = vc & (l2_entries_ - 1);
        if (l1i >= l1_.size()) return error_at(voff, "internal error: guest offset beyond the L1 table");
        const std::uint64_t l2_off = l1_[l1i];
        const std::uint64_t span = l2_entries_ << cluster_bits_;
        if (l2_off == 0) {
            while (l1i + 1 < l1_.size() && l1_[l1i + 1] == 0)
                ++l1i;
            return Piece{Kind::Unallocated, std::min(max_len, (l1i + 1) * span - voff), 0};
        }
        if (l2_off < kHeaderSize || !range_ok(l2_off, l2_entries_ * 8, src_->size()))
            return src_->error_at(l1_offset_ + 8 * l1i,
                                  "L1 entry points to an L2 table at " + hex(l2_off) +
                                      (l2_off < kHeaderSize
                                           ? ", inside the header"
                                           : " that extends past the end of the file (size " +
                                                 std::to_string(src_->size()) +
                                                 "): truncated or corrupt image"));
        const std::uint64_t bi = l2i / block_entries_;
        std::uint64_t i = l2i % block_entries_;
        IMGPREP_ASSIGN(auto block, cache_.get(*src_, l2_off + bi * block_entries_ * 8,
                                              std::size_t(block_entries_), true));
        const auto& t = *block;
        std::uint64_t host = 0;
        IMGPREP_ASSIGN(Kind kind, classify(t[i], vc, &host));
        const std::uint64_t in_cluster = voff & (cluster_size_ - 1);
        Piece p{kind, cluster_size_ - in_cluster, 0};
        if (kind == Kind::Compressed) {
            p.host = t[i];
            p.length = std::min(p.length, max_len);
            return p;
        }
        p.host = host + in_cluster;
        std::uint64_t next_host = host + cluster_size_;
        std::uint64_t cv = vc;
        while (p.length < max_len && ++i < block_entries_) {
            ++cv;
            std::uint64_t h = 0;
            auto next = classify(t[i], cv, &h);
            if (!next) break; // a bad entry ends the run; it is reported when the range is asked for itself
            const Kind k = *next;
            if (k != kind || k == Kind::Compressed || (k == Kind::Data && h != next_host)) break;
            p.length += cluster_size_;
            next_host = h + cluster_size_;
        }
        p.length = std::min(p.length, max_len);
        return p;
    }

    Result<const std::uint8_t*> decompress(std::uint64_t entry, std::uint64_t voff) const {
        struct Slot {
            std::uint64_t reader = 0, entry = 0;
            std::vector<std::uint8_t> in, out;
        };
        thread_local Slot slot;
        if (slot.reader == id_ && slot.entry == entry && slot.out.size() == cluster_size_)
            return slot.out.data();
        slot.reader = 0;
        const unsigned shift = 63 - cluster_bits_;
        const std::uint64_t coff = entry & ((std::uint64_t(1) << shift) - 1);
        std::uint64_t csize = (entry >> shift) & (cluster_size_ - 1);
        const std::uint64_t vc = voff >> cluster_bits_;
        if (coff < kHeaderSize || coff >= src_->size())
            return src_->error_at(coff, "compressed guest cluster " + std::to_string(vc) + " points " +
                                            (coff < kHeaderSize ? "into the header"
                                                                : "past the end of the file (size " +
                                                                      std::to_string(src_->size()) + ")"));
        if (csize == 0)
            return src_->error_at(coff, "compressed guest cluster " + std::to_string(vc) + " has size 0");
        if (!range_ok(coff, csize, src_->size()))
            return src_->error_at(coff, "compressed guest cluster " + std::to_string(vc) + " (" +
                                            std::to_string(csize) +
                                            " bytes) extends past the end of the file");
        slot.in.resize(std::size_t(csize));
        slot.out.resize(std::size_t(cluster_size_));
        IMGPREP_TRY(src_->read_at(coff, slot.in));
        std::string why;
        if (!qemu::inflate_exact(slot.in, slot.out, why))
            return src_->error_at(coff, "cannot decompress guest cluster " + std::to_string(vc) + ": " + why);
        slot.reader = id_;
        slot.entry = entry;
        return slot.out.data();
    }

    SourcePtr src_;
    ImagePtr backing_;
    ImageInfo info_;
    std::uint32_t cluster_bits_;
    std::uint64_t cluster_size_;
    std::uint32_t l2_bits_;
    std::uint64_t l2_entries_;
    std::uint64_t size_;
    std::uint64_t l1_offset_;
    qemu::WordTable l1_;
    std::uint64_t block_entries_;
    qemu::TableCache cache_;
    std::uint64_t id_;
};

} // namespace

Result<ImagePtr> open_qcow(SourcePtr src, OpenContext& ctx) {
    const std::uint64_t fsize = src->size();
    if (fsize < kHeaderSize)
        return src->error("file too short for a QCOW header (" + std::to_string(fsize) + " bytes, need 48)");
    std::array<std::uint8_t, kHeaderSize> h{};
    IMGPREP_TRY(src->read_at(0, h));
    if (be32(h.data()) != kMagic) return src->error_at(0, "not a QCOW image (bad magic)");
    if (be32(h.data() + 4) != 1)
        return src->error_at(4, "QCOW version " + std::to_string(be32(h.data() + 4)) + " is not version 1");
    const std::uint64_t backing_off = be64(h.data() + 8);
    const std::uint32_t backing_len = be32(h.data() + 16);
    const std::uint32_t mtime = be32(h.data() + 20);
    const std::uint64_t vsize = be64(h.data() + 24);
    const std::uint32_t cluster_bits = h[32];
    const std::uint32_t l2_bits = h[33];
    const std::uint32_t crypt = be32(h.data() + 36);
    const std::uint64_t l1_off = be64(h.data() + 40);

    if (cluster_bits < 9 || cluster_bits > 16)
        return src->error_at(32, "cluster_bits " + std::to_string(cluster_bits) + " is out of range (9..16)");
    if (l2_bits < 6 || l2_bits > 16)
        return src->error_at(33, "l2_bits " + std::to_string(l2_bits) + " is out of range (6..16)");
    if (crypt == 1)
        return src->error_at(36,
                             "encrypted image (QCOW v1 AES): decrypt it first with qemu-img convert --object "
                             "secret,id=sec0,data=PASSWORD --image-opts driver=qcow,file.filename=IMAGE,"
                             "encrypt.key-secret=sec0 -O qcow2 decrypted.qcow2");
    if (crypt != 0) return src->error_at(36, "unknown QCOW encryption method " + std::to_string(crypt));

    const std::uint64_t span = std::uint64_t(1) << (cluster_bits + l2_bits);
    const std::uint64_t l1_entries = vsize / span + (vsize % span != 0);
    if (l1_entries * 8 > qemu::kMaxL1Bytes)
        return src->error_at(24, "virtual size " + std::to_string(vsize) + " needs an L1 table of " +
                                     std::to_string(l1_entries) + " entries, beyond the 32 MiB limit");
    qemu::WordTable l1;
    if (l1_entries) {
        if (l1_off < kHeaderSize)
            return src->error_at(40, "L1 table offset " + hex(l1_off) + " points into the header");
        if (!range_ok(l1_off, l1_entries * 8, fsize))
            return src->error_at(40, "L1 table (" + std::to_string(l1_entries) + " entries at " +
                                         hex(l1_off) + ") extends past the end of the file (size " +
                                         std::to_string(fsize) + "): truncated or corrupt image");
        IMGPREP_ASSIGN(l1, qemu::WordTable::read(*src, l1_off, std::size_t(l1_entries), true));
    }

    ImageInfo info;
    info.format = "qcow";
    info.subformat = "v1";
    info.virtual_size = vsize;
    info.file_size = fsize;
    info.cluster_size = std::uint64_t(1) << cluster_bits;
    info.compression = "zlib"; // the format's only compression; clusters may or may not use it
    info.files = {src->name()};
    info.details.emplace_back("version", "1");
    info.details.emplace_back("l2_bits", std::to_string(l2_bits));
    info.details.emplace_back("mtime", std::to_string(mtime));

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
        info.details.emplace_back("backing_file", name);
        IMGPREP_ASSIGN(backing, qemu::open_backing_image(ctx, *src, name, "", info.warnings));
    }
    return ImagePtr(std::make_unique<QcowReader>(src, std::move(backing), std::move(info), cluster_bits,
                                                 l2_bits, vsize, l1_off, std::move(l1)));
}

} // namespace imgprep
