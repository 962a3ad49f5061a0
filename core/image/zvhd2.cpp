// ZVHD2 reader (Huawei's "z2strm" images, written by the cloud's qemu-img-hw or by imgprep's writer). What a
// read-only open of the cloud's driver uses: the trailing footer (the last 4096 bytes of the file), the
// allocation bitmap (one bit per 2 MiB block), the dense index of stored frames, and one zstd or zlib payload
// per stored block that decompresses to exactly 2 MiB. Layout and checks: docs/formats.md.
//
// The virtual size is the footer's curr_size, as the driver (and so `qemu-img-hw info/convert`) reports it:
// the written size rounded up to 1 GiB; the written size is details.orig_size.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>

#include "image/formats.h"
#include "image/qemu_common.h"
#include "image/zvhd_format.h"

namespace imgprep {
namespace {

using namespace zvhd;

// Virtual sizes above this are refused (the bitmap and its ranks are held in memory: 24 MiB at this limit).
constexpr std::uint64_t kMaxVirtual = std::uint64_t(1) << 48; // 256 TiB
constexpr std::uint64_t kEntriesPerCacheBlock = 4096;         // index entries per cached 64 KiB piece

std::string hex32(std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

struct Layout {
    Footer footer;
    Method method = Method::Zstd;
    std::uint64_t size = 0;        // curr_size
    std::uint64_t bitmap_bits = 0; // bitmap segments x 32768
    std::vector<std::uint64_t> bits;
    std::vector<std::uint32_t> rank; // set bits before each word
    std::uint64_t stored = 0;        // set bits in the whole bitmap = index entries used
};

class Zvhd2Reader final : public ImageReader {
  public:
    Zvhd2Reader(SourcePtr src, ImageInfo info, Layout layout)
        : src_(std::move(src)), info_(std::move(info)), l_(std::move(layout)),
          index_cache_(kEntriesPerCacheBlock * kIndexEntry), blocks_(8) {}

    const std::string& name() const override { return src_->name(); }
    std::uint64_t size() const override { return l_.size; }
    std::uint64_t bytes_read() const override { return src_->bytes_read(); }
    const ImageInfo& info() const override { return info_; }

    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), l_.size))
            return error_at(offset, "read of " + std::to_string(buf.size()) +
                                        " bytes past the end of the virtual disk (size " +
                                        std::to_string(l_.size) + ")");
        std::size_t pos = 0;
        while (pos < buf.size()) {
            const std::uint64_t voff = offset + pos;
            const std::uint64_t block = voff / kBlockSize;
            const std::uint64_t in = voff % kBlockSize;
            const std::size_t n = std::size_t(std::min<std::uint64_t>(kBlockSize - in, buf.size() - pos));
            auto out = buf.subspan(pos, n);
            std::optional<Entry> entry;
            if (stored(block)) {
                IMGPREP_ASSIGN(entry, entry_of_block(block));
            }
            if (!entry || entry->zero()) {
                std::memset(out.data(), 0, n);
            } else if (n == kBlockSize) {
                IMGPREP_TRY(decode(*entry, out));
            } else {
                auto cached = blocks_.find(block);
                if (!cached) {
                    // Threads reading pieces of the same block (a conversion's jobs are smaller than a block)
                    // wait for one decode instead of each decoding it.
                    std::lock_guard lock(decoding_[block % decoding_.size()]);
                    cached = blocks_.find(block);
                    if (!cached) {
                        auto fresh = BlockCache::make_block();
                        IMGPREP_TRY(decode(*entry, std::span(fresh.get(), kBlockSize)));
                        cached = fresh;
                        blocks_.put(block, cached);
                    }
                }
                std::memcpy(out.data(), cached.get() + in, n);
            }
            pos += n;
        }
        return {};
    }

    Result<Extent> extent_at(std::uint64_t offset) const override {
        if (offset >= l_.size) return error_at(offset, "extent query past the end of the virtual disk");
        std::uint64_t b = offset / kBlockSize;
        const bool data = stored(b);
        const std::uint64_t nblocks = l_.size / kBlockSize;
        ++b;
        while (b < nblocks) {
            if (b % 64 == 0 && b + 64 <= l_.bitmap_bits) {
                const std::uint64_t w = l_.bits[b / 64];
                if (w == (data ? ~std::uint64_t{0} : 0)) {
                    b += 64;
                    continue;
                }
            }
            if (stored(b) != data) break;
            ++b;
        }
        const std::uint64_t end = std::min(l_.size, b * kBlockSize);
        return Extent{offset, end - offset, data ? ExtentKind::Data : ExtentKind::Unallocated};
    }

  private:
    bool stored(std::uint64_t block) const {
        return block < l_.bitmap_bits && ((l_.bits[block / 64] >> (block % 64)) & 1);
    }
    std::uint64_t entry_of(std::uint64_t block) const {
        const std::uint64_t below = l_.bits[block / 64] & ((std::uint64_t(1) << (block % 64)) - 1);
        return l_.rank[block / 64] + std::uint64_t(std::popcount(below));
    }

    // A stored block's index entry: where its frame is, which block it names, and where the entry lies.
    struct Entry {
        std::uint64_t block = 0, entry = 0, at = 0; // the block, its index entry number, the entry's offset
        std::uint64_t frame_off = 0;
        std::uint32_t blk_num = 0, frame_len = 0;
        // The driver reads an entry with offset or length 0 as a zero block.
        bool zero() const { return frame_off == 0 || frame_len == 0; }
    };
    Result<Entry> entry_of_block(std::uint64_t block) const {
        Entry e;
        e.block = block;
        e.entry = entry_of(block);
        const std::uint64_t piece = e.entry / kEntriesPerCacheBlock;
        const std::uint64_t words =
            2 * std::min(kEntriesPerCacheBlock, l_.stored - piece * kEntriesPerCacheBlock);
        e.at = l_.footer.index_lba + e.entry * kIndexEntry;
        IMGPREP_ASSIGN(auto table,
                       index_cache_.get(*src_,
                                        l_.footer.index_lba + piece * kEntriesPerCacheBlock * kIndexEntry,
                                        std::size_t(words), false));
        const std::uint64_t i = 2 * (e.entry % kEntriesPerCacheBlock);
        e.frame_off = (*table)[i];
        e.blk_num = std::uint32_t((*table)[i + 1]);
        e.frame_len = std::uint32_t((*table)[i + 1] >> 32);
        return e;
    }

    // Decodes a stored block whose entry is not zero into out (2 MiB), as the driver's indexed read does.
    Status decode(const Entry& e, std::span<std::uint8_t> out) const {
        // Named in every error, built only when there is one.
        const auto which = [&] {
            return "block " + std::to_string(e.block) + " (index entry " + std::to_string(e.entry) + ")";
        };
        if (e.blk_num != e.block)
            return src_->error_at(e.at, "index entry " + std::to_string(e.entry) + " names block " +
                                            std::to_string(e.blk_num) + " but the bitmap places block " +
                                            std::to_string(e.block) + " there: corrupt index");
        if (e.frame_len < kFrameHeader || e.frame_len > kMaxFrame)
            return src_->error_at(e.at, which() + ": frame length " + std::to_string(e.frame_len) +
                                            " is outside 48.." + std::to_string(kMaxFrame) + " bytes");
        const std::uint64_t data_end = src_->size() - kSlot;
        if (e.frame_off < kSlot || !range_ok(e.frame_off, e.frame_len, data_end))
            return src_->error_at(e.at, which() + ": frame of " + std::to_string(e.frame_len) +
                                            " bytes at offset " + std::to_string(e.frame_off) +
                                            " lies outside the data area [4096, " + std::to_string(data_end) +
                                            ") of the file");
        thread_local std::vector<std::uint8_t> frame;
        frame.resize(e.frame_len);
        IMGPREP_TRY(src_->read_at(e.frame_off, frame));
        if (std::memcmp(frame.data(), "hwstream bg", 12) != 0)
            return src_->error_at(e.frame_off, which() + ": the frame does not start with \"hwstream bg\"");
        const std::uint32_t payload = le32(frame.data() + 12);
        const std::uint32_t hdr_blk = le32(frame.data() + 16);
        if (hdr_blk != e.block)
            return src_->error_at(e.frame_off + 16,
                                  which() + ": the frame header says block " + std::to_string(hdr_blk));
        if (payload == 0 || payload > e.frame_len - kFrameHeader)
            return src_->error_at(e.frame_off + 12, which() + ": payload size " + std::to_string(payload) +
                                                        " does not fit the frame of " +
                                                        std::to_string(e.frame_len) + " bytes");
        std::string why;
        if (!decompress_block(l_.method, std::span(frame.data() + kFrameHeader, payload), out, why))
            return src_->error_at(e.frame_off + kFrameHeader, which() + ": " + why);
        return {};
    }

    SourcePtr src_;
    ImageInfo info_;
    Layout l_;
    qemu::TableCache index_cache_;
    BlockCache blocks_;
    mutable std::array<std::mutex, 16> decoding_;
};

// Explains why the last 4096 bytes are not the trailing footer: bytes appended after a footer, or truncation.
Error missing_trailer(const ByteSource& src) {
    const std::uint64_t size = src.size();
    std::array<std::uint8_t, kFooterBytes> b{};
    const std::uint64_t last = size - kSlot;
    for (std::uint64_t back = 0; back < 256; ++back) {
        const std::uint64_t at = (last / kSlot) * kSlot - back * kSlot;
        if (at == 0 || at > last) break;
        if (!src.read_at(at, b)) break;
        if (std::memcmp(b.data(), "z2strm", 6) != 0 || !footer_checksum_ok(b)) continue;
        const Footer f = Footer::decode(b);
        if (f.bitmap_lba + f.bitmap_size != at) continue; // a footer copy, not the trailing footer
        const std::uint64_t extra = size - (at + kSlot);
        return src.error_at(at + kSlot,
                            std::to_string(extra) +
                                " byte(s) follow the ZVHD2 trailing footer at "
                                "offset " +
                                std::to_string(at) +
                                "; the cloud's driver reads the footer from the last 4096 bytes and "
                                "refuses such a file (cut the file to " +
                                std::to_string(at + kSlot) + " bytes)");
    }
    return src.error_at(last,
                        "the last 4096 bytes are not a ZVHD2 footer (no \"z2strm\" cookie): the file is "
                        "truncated, or its conversion did not finish");
}

} // namespace

Result<ImagePtr> open_zvhd2(SourcePtr src, OpenContext&) {
    const std::uint64_t fsize = src->size();
    if (fsize < 2 * kSlot)
        return src->error("file too short for a ZVHD2 image (" + std::to_string(fsize) +
                          " bytes; the header and the trailing footer take 8192)");
    std::array<std::uint8_t, kFooterBytes> head{}, tail{};
    IMGPREP_TRY(src->read_at(0, head));
    if (std::memcmp(head.data(), "z2strm", 6) != 0)
        return src->error_at(0, "not a ZVHD2 image (no \"z2strm\" cookie)");
    ImageInfo info;
    const Footer header = Footer::decode(head);
    if (header.zvhd2_version == 0)
        return src->error_at(87,
                             "the header says ZVHD2 version 0: an image without index and bitmap, which the "
                             "cloud's driver cannot read either");
    if (!footer_checksum_ok(head))
        info.warnings.push_back(
            "the header footer's checksum does not match (the cloud's driver does not check it)");
    const std::uint64_t trailer_at = fsize - kSlot;
    IMGPREP_TRY(src->read_at(trailer_at, tail));
    if (std::memcmp(tail.data(), "z2strm", 6) != 0) return missing_trailer(*src);
    if (!footer_checksum_ok(tail))
        return src->error_at(trailer_at + 64, "trailing footer checksum is " + hex32(le32(tail.data() + 64)) +
                                                  " but the footer sums to " + hex32(footer_checksum(tail)) +
                                                  ": corrupt footer");
    Layout l;
    l.footer = Footer::decode(tail);
    const Footer& f = l.footer;
    if (f.block_size != kBlockSize)
        return src->error_at(trailer_at + 88,
                             "block size " + std::to_string(f.block_size) +
                                 ": only 2 MiB blocks can be read (the cloud's driver addresses 2 "
                                 "MiB blocks whatever this field says)");
    if (f.compress_method > 1)
        return src->error_at(trailer_at + 141, "unknown compression method " +
                                                   std::to_string(f.compress_method) +
                                                   " (0 = zlib, 1 = zstd)");
    l.method = f.compress_method == 1 ? Method::Zstd : Method::Zlib;
    if (f.index_contains_zero_blk != 0)
        return src->error_at(trailer_at + 140,
                             "index_contains_zero_blk = " + std::to_string(f.index_contains_zero_blk) +
                                 ": an index with an entry for every block is a layout the "
                                 "cloud's writer never produces; not supported");
    if (f.curr_size == 0 || f.curr_size % kBlockSize != 0)
        return src->error_at(trailer_at + 48, "virtual size (curr_size) " + std::to_string(f.curr_size) +
                                                  " is not a positive multiple of the 2 MiB block size");
    if (f.curr_size > kMaxVirtual)
        return src->error_at(trailer_at + 48, "virtual size (curr_size) " + std::to_string(f.curr_size) +
                                                  " is beyond the 256 TiB this reader supports");
    l.size = f.curr_size;
    const std::uint64_t nblocks = l.size / kBlockSize;
    if (f.max_blk_num > nblocks)
        return src->error_at(trailer_at + 92, "max_blk_num " + std::to_string(f.max_blk_num) +
                                                  " exceeds the " + std::to_string(nblocks) +
                                                  " blocks of the virtual disk");
    const std::uint64_t segments =
        (std::uint64_t(f.max_blk_num) + kBlocksPerBitmapSegment - 1) / kBlocksPerBitmapSegment;
    const std::uint64_t bitmap_bytes = segments * kBitmapSegment;
    if (segments && (f.bitmap_lba < kSlot || !range_ok(f.bitmap_lba, bitmap_bytes, trailer_at)))
        return src->error_at(trailer_at + 104, "bitmap (" + std::to_string(segments) +
                                                   " segment(s) of 4096 bytes at " +
                                                   std::to_string(f.bitmap_lba) +
                                                   ") lies outside the file's data area [4096, " +
                                                   std::to_string(trailer_at) + ")");
    l.bitmap_bits = segments * kBlocksPerBitmapSegment;
    l.bits.assign(std::size_t(l.bitmap_bits / 64), 0);
    if (segments) {
        std::vector<std::uint8_t> raw(static_cast<std::size_t>(bitmap_bytes));
        IMGPREP_TRY(src->read_at(f.bitmap_lba, raw));
        for (std::size_t w = 0; w < l.bits.size(); ++w)
            l.bits[w] = le64(raw.data() + 8 * w); // LSB first: block b is bit b % 8 of byte b / 8
    }
    l.rank.resize(l.bits.size());
    for (std::size_t w = 0; w < l.bits.size(); ++w) {
        l.rank[w] = std::uint32_t(l.stored);
        l.stored += std::uint64_t(std::popcount(l.bits[w]));
    }
    if (l.stored && (f.index_lba < kSlot || !range_ok(f.index_lba, l.stored * kIndexEntry, trailer_at)))
        return src->error_at(trailer_at + 96, "index (" + std::to_string(l.stored) +
                                                  " entries of 16 bytes at " + std::to_string(f.index_lba) +
                                                  ") lies outside the file's data area [4096, " +
                                                  std::to_string(trailer_at) + ")");
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges{{0, kSlot}, {trailer_at, fsize}};
    if (segments) ranges.emplace_back(f.bitmap_lba, f.bitmap_lba + bitmap_bytes);
    if (l.stored) ranges.emplace_back(f.index_lba, f.index_lba + l.stored * kIndexEntry);
    IMGPREP_TRY(check_disjoint(*src, std::move(ranges), "ZVHD2"));

    if (f.non_zero_blk_num != l.stored)
        info.warnings.push_back("the footer counts " + std::to_string(f.non_zero_blk_num) +
                                " stored blocks but the bitmap marks " + std::to_string(l.stored));
    if (f.orig_size > f.curr_size)
        info.warnings.push_back("the written size (orig_size " + std::to_string(f.orig_size) +
                                ") is larger than the virtual size (curr_size " +
                                std::to_string(f.curr_size) + ")");
    if (std::memcmp(header.uuid.data(), f.uuid.data(), 16) != 0 || header.orig_size != f.orig_size)
        info.warnings.push_back(
            "the header and the trailing footer describe different images (uuid or size)");

    info.format = "zvhd2";
    info.virtual_size = l.size;
    info.file_size = fsize;
    info.cluster_size = kBlockSize;
    info.compression = l.method == Method::Zstd ? "zstd" : "zlib";
    info.files = {src->name()};
    info.details.emplace_back("orig_size", std::to_string(f.orig_size));
    info.details.emplace_back("block_size", std::to_string(f.block_size));
    info.details.emplace_back("blocks", std::to_string(f.max_blk_num));
    info.details.emplace_back("stored_blocks", std::to_string(l.stored));
    info.details.emplace_back("compress_method", std::to_string(f.compress_method) +
                                                     (l.method == Method::Zstd ? " (zstd)" : " (zlib)"));
    info.details.emplace_back("zvhd2_version", std::to_string(f.zvhd2_version));
    info.details.emplace_back("uuid", uuid_text(f.uuid));
    info.details.emplace_back("created", timestamp_text(f.timestamp));
    info.details.emplace_back(
        "creator",
        std::string(f.crtr_app.data(),
                    std::size_t(std::find(f.crtr_app.begin(), f.crtr_app.end(), '\0') - f.crtr_app.begin())) +
            " " + std::to_string(f.crtr_ver >> 16) + "." + std::to_string(f.crtr_ver & 0xffff));
    return ImagePtr(std::make_unique<Zvhd2Reader>(std::move(src), std::move(info), std::move(l)));
}

} // namespace imgprep
