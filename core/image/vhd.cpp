// VHD (Microsoft "Virtual Hard Disk Image Format Specification" 1.0): fixed, dynamic and differencing disks.
//
// Layout. Every VHD ends with a 512-byte footer ("conectix", big-endian fields; very old images have a
// 511-byte footer). A fixed disk is the raw disk followed by the footer. Dynamic and differencing disks start
// with a copy of the footer, then a 1024-byte dynamic header ("cxsparse") that points to the block allocation
// table (BAT: one big-endian sector number per block, 0xFFFFFFFF = not allocated). An allocated block is a
// sector bitmap (one bit per 512-byte sector, most significant bit of byte 0 = first sector, padded to 512
// bytes) followed by the block's data.
//
// Reading. A sector whose bitmap bit is set is read from the block. A sector whose bit is clear, or in an
// unallocated block, reads zeros in a dynamic disk and comes from the parent in a differencing disk. (Windows
// and qemu ignore the bitmap of dynamic disks and read the block; the specification says the sector is not in
// use. This reader follows the specification; the images Windows and qemu write have set bits for every
// sector they wrote, so they read the same.)
//
// Checksums. The footer and the dynamic header carry a one's-complement byte-sum checksum. A mismatch is a
// warning, not an error, when the structure is otherwise sane (cookie, version, disk type, sizes and offsets
// are all validated on their own): a dynamic disk whose footer at the end is damaged falls back to the copy
// at offset 0 when that one is intact.
//
// Parent (differencing). The dynamic header holds the parent's UUID, its file name (UTF-16 big-endian) and up
// to eight platform locators: W2ru / W2ku (UTF-16LE relative / absolute Windows paths), MacX (UTF-8 file URL)
// and the deprecated Wi2r / Wi2k (ANSI). Candidates are tried relative first, then absolute, then the header
// name; backslashes become '/'. The parent's UUID (its footer) must match the one recorded here: a mismatch
// is a warning (the chain may be inconsistent), as is a parent that is not a VHD.
#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "image/formats.h"
#include "util/endian.h"
#include "util/text.h"

namespace imgprep {
namespace {

constexpr std::uint32_t kSector = 512;
constexpr std::uint32_t kUnused = 0xFFFFFFFFu;
// 16 MiB of BAT in memory at most: the VHD maximum of 2040 GiB needs 4,177,920 entries with 512 KiB blocks
// (1,044,480 with the usual 2 MiB).
constexpr std::uint64_t kMaxBatEntries = 4u << 20;
constexpr std::uint64_t kMaxVirtualSize = std::uint64_t(1) << 50; // 1 PiB: far beyond the 2 TiB of the spec

enum class DiskType : std::uint32_t { Fixed = 2, Dynamic = 3, Differencing = 4 };

std::uint32_t vhd_checksum(std::span<const std::uint8_t> b, std::size_t skip) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < b.size(); ++i)
        if (i < skip || i >= skip + 4) sum += b[i];
    return ~sum;
}

std::string hex(std::span<const std::uint8_t> b) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (auto c : b) {
        s += digits[c >> 4];
        s += digits[c & 15];
    }
    return s;
}

// VHD UUIDs are shown in the byte order they are stored in (RFC 4122 style), as libvhdi does.
std::string uuid_string(const std::uint8_t* p) {
    std::string h = hex(std::span(p, 16));
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
           h.substr(20);
}

std::string fourcc(const std::uint8_t* p) {
    std::string s;
    for (int i = 0; i < 4; ++i)
        s += (p[i] >= 0x20 && p[i] < 0x7f) ? char(p[i]) : '?';
    return s;
}

// "file://localhost/a%20b" -> "/a b".
std::string file_url_path(std::string url) {
    if (url.rfind("file://", 0) == 0) {
        url.erase(0, 7);
        std::size_t slash = url.find('/');
        url = slash == std::string::npos ? std::string() : url.substr(slash); // drop the host part
    }
    std::string out;
    for (std::size_t i = 0; i < url.size(); ++i) {
        auto hexval = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        if (url[i] == '%' && i + 2 < url.size() && hexval(url[i + 1]) >= 0 && hexval(url[i + 2]) >= 0) {
            out += char(hexval(url[i + 1]) * 16 + hexval(url[i + 2]));
            i += 2;
        } else {
            out += url[i];
        }
    }
    return out;
}

// Seconds since 2000-01-01 00:00:00 UTC as "YYYY-MM-DD hh:mm:ss UTC".
std::string vhd_time(std::uint32_t t) {
    std::int64_t secs = std::int64_t(t) + 946684800; // Unix time
    std::int64_t days = secs / 86400, rem = secs % 86400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    std::int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    std::int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC", (long long)y,
                  (long long)m, (long long)d, (long long)(rem / 3600), (long long)(rem / 60 % 60),
                  (long long)(rem % 60));
    return buf;
}

// Where the bytes of one piece of a virtual read come from.
enum class Src : std::uint8_t { File, Zero, Parent };

struct Footer {
    std::array<std::uint8_t, 512> raw{};
    std::uint64_t offset = 0; // where it was read
    bool checksum_ok = false;
    std::uint64_t data_offset = 0;
    std::uint32_t timestamp = 0;
    std::uint64_t current_size = 0;
    std::uint32_t geometry = 0;
    std::uint32_t disk_type = 0;
    std::uint32_t version = 0;
};

Footer parse_footer(std::span<const std::uint8_t> b, std::uint64_t offset) {
    Footer f;
    std::memcpy(f.raw.data(), b.data(), std::min<std::size_t>(b.size(), 512));
    f.offset = offset;
    const std::uint8_t* p = f.raw.data();
    f.checksum_ok = be32(p + 64) == vhd_checksum(f.raw, 64);
    f.version = be32(p + 12);
    f.data_offset = be64(p + 16);
    f.timestamp = be32(p + 24);
    f.current_size = be64(p + 48);
    f.geometry = be32(p + 56);
    f.disk_type = be32(p + 60);
    return f;
}

bool footer_sane(const Footer& f) {
    return std::memcmp(f.raw.data(), "conectix", 8) == 0 && (f.version >> 16) == 1 && f.disk_type >= 2 &&
           f.disk_type <= 4 && f.current_size > 0 && f.current_size <= kMaxVirtualSize;
}

class VhdReader final : public ImageReader {
  public:
    const std::string& name() const override { return src_->name(); }
    std::uint64_t size() const override { return size_; }
    std::uint64_t bytes_read() const override { return src_->bytes_read(); }
    const ImageInfo& info() const override { return info_; }
    const ImageReader* backing() const override { return parent_.get(); }

    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), size_))
            return error_at(offset, "read of " + std::to_string(buf.size()) +
                                        " bytes past the end of the virtual disk");
        if (buf.empty()) return {};
        if (type_ == DiskType::Fixed) return src_->read_at(offset, buf);

        // Walk the blocks and bitmap runs; merge consecutive pieces of the same source into one I/O.
        Src cur = Src::Zero;
        std::uint64_t cur_voff = offset, cur_foff = 0, cur_len = 0;
        auto flush = [&]() -> Status {
            if (cur_len == 0) return {};
            auto out = buf.subspan(std::size_t(cur_voff - offset), std::size_t(cur_len));
            cur_len = 0;
            return fill(cur, cur_voff, cur_foff, out);
        };
        auto emit = [&](Src s, std::uint64_t voff, std::uint64_t len, std::uint64_t foff) -> Status {
            if (cur_len && s == cur && cur_voff + cur_len == voff &&
                (s != Src::File || cur_foff + cur_len == foff)) {
                cur_len += len;
                return {};
            }
            IMGPREP_TRY(flush());
            cur = s;
            cur_voff = voff;
            cur_foff = foff;
            cur_len = len;
            return {};
        };
        const Src hole = type_ == DiskType::Differencing ? Src::Parent : Src::Zero;
        std::uint64_t pos = offset;
        const std::uint64_t end = offset + buf.size();
        while (pos < end) {
            const std::uint64_t blk = pos / block_size_, in_blk = pos % block_size_;
            const std::uint64_t n = std::min<std::uint64_t>(block_size_ - in_blk, end - pos);
            const std::uint32_t entry = blk < bat_.size() ? bat_[blk] : kUnused;
            if (entry == kUnused) {
                IMGPREP_TRY(emit(hole, pos, n, 0));
                pos += n;
                continue;
            }
            const std::uint64_t data = std::uint64_t(entry) * kSector + bitmap_bytes_;
            IMGPREP_ASSIGN(Bitmap bm, bitmap(blk));
            if (bm.state != Bitmap::Mixed) {
                IMGPREP_TRY(bm.state == Bitmap::AllSet ? emit(Src::File, pos, n, data + in_blk)
                                                       : emit(hole, pos, n, 0));
                pos += n;
                continue;
            }
            std::uint64_t p = pos;
            while (p < pos + n) {
                const std::uint64_t rel = p - blk * block_size_;
                const std::uint64_t s = rel / kSector;
                const bool set = bit(*bm.bits, s);
                const std::uint64_t run_end_sector = run_end(*bm.bits, s, set, sectors_in_block(blk));
                const std::uint64_t stop = std::min(pos + n, blk * block_size_ + run_end_sector * kSector);
                IMGPREP_TRY(set ? emit(Src::File, p, stop - p, data + rel) : emit(hole, p, stop - p, 0));
                p = stop;
            }
            pos += n;
        }
        return flush();
    }

    Result<Extent> extent_at(std::uint64_t offset) const override {
        if (offset >= size_) return error_at(offset, "extent query past the end of the disk");
        if (type_ == DiskType::Fixed) {
            if (!file_) return Extent{offset, size_ - offset, ExtentKind::Data};
            std::uint64_t data = std::min(file_->next_data(offset), size_);
            if (data > offset) return Extent{offset, data - offset, ExtentKind::Unallocated};
            std::uint64_t hole = file_->next_hole(offset);
            if (hole <= offset || hole > size_) hole = size_;
            return Extent{offset, hole - offset, ExtentKind::Data};
        }
        // This layer's run: stored here (Data) or not; bounded so that one call stays cheap.
        bool stored = false;
        std::uint64_t pos = offset;
        bool first = true;
        for (int blocks = 0; pos < size_ && blocks < 4096; ++blocks) {
            const std::uint64_t blk = pos / block_size_;
            const std::uint64_t blk_end = std::min(size_, (blk + 1) * block_size_);
            const std::uint32_t entry = blk < bat_.size() ? bat_[blk] : kUnused;
            bool here = false;
            std::uint64_t run_stop = blk_end;
            if (entry != kUnused) {
                IMGPREP_ASSIGN(Bitmap bm, bitmap(blk));
                if (bm.state == Bitmap::AllSet) {
                    here = true;
                } else if (bm.state == Bitmap::Mixed) {
                    const std::uint64_t s = (pos - blk * block_size_) / kSector;
                    here = bit(*bm.bits, s);
                    run_stop =
                        std::min(blk_end, blk * block_size_ +
                                              run_end(*bm.bits, s, here, sectors_in_block(blk)) * kSector);
                }
            }
            if (first) {
                stored = here;
                first = false;
            } else if (here != stored) {
                break;
            }
            pos = run_stop;
            if (run_stop < blk_end) break; // the kind changes inside this block
        }
        if (stored) return Extent{offset, pos - offset, ExtentKind::Data};
        if (type_ == DiskType::Dynamic) return Extent{offset, pos - offset, ExtentKind::Unallocated};
        // Differencing: what the parent holds there, clipped to this layer's run.
        const std::uint64_t psize = parent_->size();
        if (offset >= psize) return Extent{offset, pos - offset, ExtentKind::Unallocated};
        IMGPREP_ASSIGN(Extent pe, parent_->extent_at(offset));
        std::uint64_t len = std::min({pe.length, pos - offset, psize - offset});
        if (len == 0) return error_at(offset, "parent returned an empty extent");
        return Extent{offset, len, pe.kind};
    }

    static Result<ImagePtr> open(SourcePtr src, OpenContext& ctx);

  private:
    struct Bitmap {
        enum State : std::uint8_t { Unknown, AllSet, AllClear, Mixed } state = Unknown;
        std::shared_ptr<const std::vector<std::uint8_t>> bits; // when Mixed
    };

    static bool bit(const std::vector<std::uint8_t>& bits, std::uint64_t s) {
        return (bits[std::size_t(s / 8)] >> (7 - s % 8)) & 1; // most significant bit first
    }
    // First sector >= s (up to limit) whose bit differs from `set`.
    static std::uint64_t run_end(const std::vector<std::uint8_t>& bits, std::uint64_t s, bool set,
                                 std::uint64_t limit) {
        const std::uint8_t full = set ? 0xFF : 0x00;
        limit = std::min<std::uint64_t>(limit, bits.size() * 8);
        while (s < limit) {
            if (s % 8 == 0 && s + 8 <= limit && bits[std::size_t(s / 8)] == full) {
                s += 8;
                continue;
            }
            if (bit(bits, s) != set) break;
            ++s;
        }
        return s;
    }

    // The bitmap of an allocated block, summarised; mixed bitmaps are kept in a bounded cache.
    Result<Bitmap> bitmap(std::uint64_t blk) const {
        {
            std::lock_guard lock(mu_);
            const auto st = Bitmap::State(summary_[std::size_t(blk)]);
            if (st == Bitmap::AllSet || st == Bitmap::AllClear) return Bitmap{st, nullptr};
            if (st == Bitmap::Mixed) {
                auto it = cache_.find(blk);
                if (it != cache_.end()) return Bitmap{st, it->second};
            }
        }
        const std::uint64_t sectors = sectors_in_block(blk);
        auto bits = std::make_shared<std::vector<std::uint8_t>>(std::size_t((sectors + 7) / 8));
        IMGPREP_TRY(src_->read_at(std::uint64_t(bat_[blk]) * kSector, *bits));
        // Bits past the last sector of the disk do not count.
        if (sectors % 8) bits->back() |= std::uint8_t(0xFF >> (sectors % 8));
        bool all_set = std::all_of(bits->begin(), bits->end(), [](std::uint8_t b) { return b == 0xFF; });
        if (sectors % 8) bits->back() &= std::uint8_t(~(0xFF >> (sectors % 8)));
        bool all_clear = std::all_of(bits->begin(), bits->end(), [](std::uint8_t b) { return b == 0; });
        Bitmap bm{all_set ? Bitmap::AllSet : all_clear ? Bitmap::AllClear : Bitmap::Mixed, nullptr};
        std::lock_guard lock(mu_);
        summary_[std::size_t(blk)] = bm.state;
        if (bm.state == Bitmap::Mixed) {
            if (cache_.size() >= 1024 || cache_bytes_ > (16u << 20)) { // bounded cache
                cache_.clear();
                cache_bytes_ = 0;
            }
            bm.bits = bits;
            if (cache_.emplace(blk, bm.bits).second) cache_bytes_ += bits->size();
        }
        return bm;
    }

    std::uint64_t sectors_in_block(std::uint64_t blk) const {
        const std::uint64_t bytes = std::min<std::uint64_t>(block_size_, size_ - blk * block_size_);
        return (bytes + kSector - 1) / kSector;
    }

    Status fill(Src s, std::uint64_t voff, std::uint64_t foff, std::span<std::uint8_t> out) const {
        if (s == Src::File) return src_->read_at(foff, out);
        if (s == Src::Zero) {
            std::memset(out.data(), 0, out.size());
            return {};
        }
        const std::uint64_t psize = parent_->size();
        std::size_t have = voff >= psize ? 0 : std::size_t(std::min<std::uint64_t>(out.size(), psize - voff));
        if (have) IMGPREP_TRY(parent_->read_at(voff, out.first(have)));
        std::memset(out.data() + have, 0, out.size() - have);
        return {};
    }

    SourcePtr src_;
    const FileSource* file_ = nullptr;
    ImagePtr parent_;
    ImageInfo info_;
    DiskType type_ = DiskType::Fixed;
    std::uint64_t size_ = 0;
    std::uint64_t block_size_ = 0;
    std::uint64_t bitmap_bytes_ = 0;
    std::vector<std::uint32_t> bat_;
    mutable std::mutex mu_;
    mutable std::vector<std::uint8_t> summary_;
    mutable std::unordered_map<std::uint64_t, std::shared_ptr<const std::vector<std::uint8_t>>> cache_;
    mutable std::uint64_t cache_bytes_ = 0;
};

Result<ImagePtr> VhdReader::open(SourcePtr src, OpenContext& ctx) {
    const std::uint64_t fsize = src->size();
    if (fsize < 511)
        return src->error("file too small for a VHD footer (" + std::to_string(fsize) + " bytes)");
    auto r = std::unique_ptr<VhdReader>(new VhdReader());
    r->src_ = src;
    ImageInfo& info = r->info_;
    info.format = "vhd";
    info.file_size = fsize;
    info.files = {src->name()};

    // The footer: at the end (512 bytes, or 511 for old images), else the copy at offset 0.
    std::array<std::uint8_t, 512> buf{};
    std::optional<Footer> end_footer, head_footer;
    std::uint64_t data_end = fsize; // where block data must end (start of the footer at the end)
    if (fsize >= 512) {
        IMGPREP_TRY(src->read_at(fsize - 512, buf));
        if (std::memcmp(buf.data(), "conectix", 8) == 0) {
            end_footer = parse_footer(buf, fsize - 512);
            data_end = fsize - 512;
        }
    }
    if (!end_footer) {
        std::array<std::uint8_t, 512> old{};
        IMGPREP_TRY(src->read_at(fsize - 511, std::span(old.data(), 511)));
        if (std::memcmp(old.data(), "conectix", 8) == 0) {
            end_footer = parse_footer(old, fsize - 511);
            data_end = fsize - 511;
            info.warnings.push_back("old-style 511-byte VHD footer");
        }
    }
    if (fsize >= 512 + 512) {
        IMGPREP_TRY(src->read_at(0, buf));
        if (std::memcmp(buf.data(), "conectix", 8) == 0) head_footer = parse_footer(buf, 0);
    }
    Footer foot;
    if (end_footer && footer_sane(*end_footer) && end_footer->checksum_ok) {
        foot = *end_footer;
    } else if (head_footer && footer_sane(*head_footer) && head_footer->checksum_ok &&
               head_footer->disk_type != std::uint32_t(DiskType::Fixed)) {
        foot = *head_footer;
        info.warnings.push_back(
            end_footer ? "the footer at the end of the file is damaged; using its copy at offset 0"
                       : "no footer at the end of the file (truncated?); using its copy at offset 0");
    } else if (end_footer && footer_sane(*end_footer)) {
        foot = *end_footer;
        info.warnings.push_back("VHD footer checksum mismatch (stored " +
                                std::to_string(be32(foot.raw.data() + 64)) + ", computed " +
                                std::to_string(vhd_checksum(foot.raw, 64)) +
                                "); the footer is otherwise consistent and is used");
    } else if (!end_footer && head_footer && footer_sane(*head_footer) &&
               head_footer->disk_type != std::uint32_t(DiskType::Fixed)) {
        foot = *head_footer;
        info.warnings.push_back(
            "no footer at the end of the file and the checksum of the copy at offset 0 is wrong");
    } else {
        const Footer* f = end_footer ? &*end_footer : head_footer ? &*head_footer : nullptr;
        if (!f) return src->error("no VHD footer ('conectix') at the end of the file or at offset 0");
        if ((f->version >> 16) != 1)
            return src->error_at(f->offset + 12, "unsupported VHD format version " +
                                                     std::to_string(f->version >> 16) + "." +
                                                     std::to_string(f->version & 0xFFFF));
        if (f->disk_type < 2 || f->disk_type > 4)
            return src->error_at(f->offset + 60, "unknown VHD disk type " + std::to_string(f->disk_type) +
                                                     " (2 fixed, 3 dynamic, 4 differencing)");
        if (f->current_size == 0) return src->error_at(f->offset + 48, "VHD current size is 0");
        return src->error_at(f->offset + 48,
                             "VHD current size " + std::to_string(f->current_size) + " is absurd");
    }
    r->type_ = DiskType(foot.disk_type);
    r->size_ = foot.current_size;
    info.virtual_size = foot.current_size;
    const std::uint8_t* fp = foot.raw.data();
    info.subformat = r->type_ == DiskType::Fixed     ? "fixed"
                     : r->type_ == DiskType::Dynamic ? "dynamic"
                                                     : "differencing";
    info.details.emplace_back("creator_application", fourcc(fp + 28));
    info.details.emplace_back("creator_version",
                              std::to_string(be16(fp + 32)) + "." + std::to_string(be16(fp + 34)));
    const std::uint32_t host = be32(fp + 36);
    info.details.emplace_back("creator_host_os", host == 0x5769326B   ? "Windows"
                                                 : host == 0x4D616320 ? "Macintosh"
                                                                      : fourcc(fp + 36));
    info.details.emplace_back("created", vhd_time(foot.timestamp));
    info.details.emplace_back("uuid", uuid_string(fp + 68));
    const std::uint32_t cyl = foot.geometry >> 16, heads = (foot.geometry >> 8) & 0xFF,
                        spt = foot.geometry & 0xFF;
    const std::uint64_t chs_bytes = std::uint64_t(cyl) * heads * spt * kSector;
    info.details.emplace_back("disk_geometry", std::to_string(cyl) + "/" + std::to_string(heads) + "/" +
                                                   std::to_string(spt) + " (C/H/S, " +
                                                   std::to_string(chs_bytes) + " bytes)");
    info.details.emplace_back("original_size", std::to_string(be64(fp + 40)));
    if (fp[84])
        info.warnings.push_back("the VHD is marked as in a saved state (a suspended Virtual PC machine)");
    if (fourcc(fp + 28) == "vpc " && chs_bytes && chs_bytes < foot.current_size)
        info.warnings.push_back("created by Virtual PC, which uses the CHS geometry size (" +
                                std::to_string(chs_bytes) +
                                " bytes); this reader exposes the full current size of " +
                                std::to_string(foot.current_size) + " bytes");

    if (r->type_ == DiskType::Fixed) {
        if (foot.offset == 0) return src->error("fixed VHD without a footer at the end of the file");
        if (foot.current_size > foot.offset)
            return src->error_at(foot.offset + 48, "fixed VHD is truncated: the footer says " +
                                                       std::to_string(foot.current_size) +
                                                       " bytes of disk but only " +
                                                       std::to_string(foot.offset) + " precede the footer");
        if (foot.current_size < foot.offset)
            info.warnings.push_back(std::to_string(foot.offset - foot.current_size) +
                                    " bytes between the end of the disk and the footer are ignored");
        if (foot.current_size % kSector)
            info.warnings.push_back("virtual size is not a multiple of 512 bytes");
        r->file_ = dynamic_cast<const FileSource*>(src.get());
        return ImagePtr(std::move(r));
    }

    // Dynamic header.
    const std::uint64_t hoff = foot.data_offset;
    if (!range_ok(hoff, 1024, fsize) || hoff % kSector)
        return src->error_at(foot.offset + 16, "dynamic header offset " + std::to_string(hoff) +
                                                   " is outside the file or not sector aligned");
    std::array<std::uint8_t, 1024> hdr{};
    IMGPREP_TRY(src->read_at(hoff, hdr));
    if (std::memcmp(hdr.data(), "cxsparse", 8) != 0)
        return src->error_at(hoff, "no dynamic disk header ('cxsparse') where the footer points");
    if (be32(hdr.data() + 36) != vhd_checksum(hdr, 36))
        info.warnings.push_back(
            "dynamic header checksum mismatch; the header is otherwise consistent and is used");
    if ((be32(hdr.data() + 24) >> 16) != 1)
        return src->error_at(hoff + 24,
                             "unsupported dynamic header version " + std::to_string(be32(hdr.data() + 24)));
    const std::uint64_t table = be64(hdr.data() + 16);
    const std::uint32_t max_entries = be32(hdr.data() + 28);
    const std::uint32_t bs = be32(hdr.data() + 32);
    if (bs < kSector || bs > (256u << 20) || (bs & (bs - 1)))
        return src->error_at(hoff + 32, "block size " + std::to_string(bs) +
                                            " is not a power of two between 512 bytes and 256 MiB");
    r->block_size_ = bs;
    r->bitmap_bytes_ = (std::uint64_t(bs) / kSector / 8 + kSector - 1) / kSector * kSector;
    info.cluster_size = bs;
    const std::uint64_t needed = (foot.current_size + bs - 1) / bs;
    std::uint64_t entries = std::min<std::uint64_t>(needed, max_entries);
    if (max_entries < needed)
        info.warnings.push_back("the BAT has " + std::to_string(max_entries) +
                                " entries but the disk needs " + std::to_string(needed) +
                                "; the blocks past the table read as not allocated");
    if (entries > kMaxBatEntries)
        return src->error_at(hoff + 28, "BAT of " + std::to_string(entries) +
                                            " entries is larger than this reader " + "accepts (" +
                                            std::to_string(kMaxBatEntries) + ")");
    if (!range_ok(table, entries * 4, fsize) || table % kSector)
        return src->error_at(hoff + 16,
                             "BAT at offset " + std::to_string(table) + " (" + std::to_string(entries * 4) +
                                 " bytes) lies outside the file (size " + std::to_string(fsize) + ")");
    // Read in place and decoded from big-endian entry by entry below (no second copy of the table).
    r->bat_.resize(std::size_t(entries));
    IMGPREP_TRY(src->read_at(table, std::span(reinterpret_cast<std::uint8_t*>(r->bat_.data()), entries * 4)));
    r->summary_.assign(std::size_t(entries), 0);
    // Each allocated block must lie inside the file and must not overlap another block or the metadata.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> used; // [start, end) in the file
    if (head_footer) used.emplace_back(0, 512);
    used.emplace_back(hoff, hoff + 1024);
    used.emplace_back(table, table + entries * 4);
    std::uint64_t allocated = 0;
    for (std::uint64_t i = 0; i < entries; ++i) {
        const std::uint32_t e = be32(reinterpret_cast<const std::uint8_t*>(&r->bat_[std::size_t(i)]));
        r->bat_[std::size_t(i)] = e;
        if (e == kUnused) continue;
        const std::uint64_t start = std::uint64_t(e) * kSector;
        const std::uint64_t len = r->bitmap_bytes_ + std::min<std::uint64_t>(bs, foot.current_size - i * bs);
        if (!range_ok(start, len, data_end))
            return src->error_at(table + 4 * i,
                                 "BAT entry " + std::to_string(i) + " places block data at offset " +
                                     std::to_string(start) + " (" + std::to_string(len) +
                                     " bytes), past the end of the data (" + std::to_string(data_end) +
                                     "): the file is truncated or the BAT is corrupt");
        used.emplace_back(start, start + len);
        ++allocated;
    }
    IMGPREP_TRY(check_disjoint(*src, std::move(used), "VHD"));
    info.details.emplace_back("allocated_blocks",
                              std::to_string(allocated) + " of " + std::to_string(needed));

    if (r->type_ == DiskType::Dynamic) return ImagePtr(std::move(r));

    // Differencing: locate and open the parent.
    const std::string parent_uuid = uuid_string(hdr.data() + 40);
    const std::string parent_name = utf16_to_utf8(std::span(hdr.data() + 64, 512), true);
    info.details.emplace_back("parent_uuid", parent_uuid);
    info.details.emplace_back("parent_time", vhd_time(be32(hdr.data() + 56)));
    if (!parent_name.empty()) info.details.emplace_back("parent_name", parent_name);
    std::vector<std::string> relative, absolute, other;
    for (int i = 0; i < 8; ++i) {
        const std::uint8_t* le = hdr.data() + 576 + 24 * i;
        const std::uint32_t code = be32(le), len = be32(le + 8);
        const std::uint64_t off = be64(le + 16);
        if (code == 0) continue;
        const std::string code_s = fourcc(le);
        if (len == 0 || len > 65536 || !range_ok(off, len, fsize)) {
            info.warnings.push_back("parent locator " + std::to_string(i) + " (" + code_s +
                                    ") points outside the file; ignored");
            continue;
        }
        std::vector<std::uint8_t> data(len);
        IMGPREP_TRY(src->read_at(off, data));
        const std::string text(reinterpret_cast<const char*>(data.data()),
                               strnlen(reinterpret_cast<const char*>(data.data()), data.size()));
        std::string raw, path;
        if (code_s == "W2ru" || code_s == "W2ku") {
            raw = utf16_to_utf8(data, false);
            path = windows_path_to_generic(raw);
        } else if (code_s == "Wi2r" || code_s == "Wi2k") {
            raw = text;
            path = windows_path_to_generic(raw);
        } else if (code_s == "MacX") {
            raw = text;
            path = file_url_path(raw);
        } else {
            if (code_s != "Mac ")
                info.warnings.push_back("unknown parent locator platform code '" + code_s + "'");
            continue; // "Mac ": a Mac OS alias record, not a path
        }
        if (path.empty()) continue;
        info.details.emplace_back("parent_locator_" + code_s, raw);
        (code_s == "W2ru" || code_s == "Wi2r" ? relative
         : code_s == "MacX"                   ? other
                                              : absolute)
            .push_back(path);
    }
    std::vector<std::string> candidates = relative;
    candidates.insert(candidates.end(), absolute.begin(), absolute.end());
    candidates.insert(candidates.end(), other.begin(), other.end());
    if (!parent_name.empty()) candidates.push_back(windows_path_to_generic(parent_name));
    auto parent = ctx.open_backing(src->name(), candidates);
    if (!parent) return parent.take_error();
    r->parent_ = std::move(parent).value();
    const ImageInfo& pi = r->parent_->info();
    info.details.emplace_back("parent_path", r->parent_->name());
    if (pi.format != "vhd") {
        info.warnings.push_back("the parent is a " + pi.format +
                                " image, not a VHD; its identity cannot be checked");
    } else {
        std::string puuid;
        for (const auto& [k, v] : pi.details)
            if (k == "uuid") puuid = v;
        if (puuid != parent_uuid)
            info.warnings.push_back("parent UUID mismatch: this image expects " + parent_uuid + " but " +
                                    r->parent_->name() + " has " + puuid +
                                    " (the parent was modified or replaced; the chain may be inconsistent)");
    }
    if (r->parent_->size() != r->size_)
        info.warnings.push_back("the parent's virtual size (" + std::to_string(r->parent_->size()) +
                                ") differs from this image's (" + std::to_string(r->size_) + ")");
    return ImagePtr(std::move(r));
}

} // namespace

Result<ImagePtr> open_vhd(SourcePtr src, OpenContext& ctx) {
    return VhdReader::open(std::move(src), ctx);
}

} // namespace imgprep
