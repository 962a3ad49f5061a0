// VDI: VirtualBox Disk Image (dynamic "normal" and fixed "static" images, header versions 0.x and 1.x,
// optional per-block extra data; differencing images whose parent .vdi is found by UUID next to them).
//
// Layout (VirtualBox VDICore.h description; all fields little-endian):
//   0x00  char[64] file info text ("<<< Oracle VM VirtualBox Disk Image >>>\n", "<<< QEMU VM Virtual Disk
//   Image >>>\n") 0x40  u32 signature 0xbeda107f, 0x44 u32 version (major << 16 | minor) version 1.x header
//   at 0x48: cbHeader, type, flags, comment[256], offBlocks, offData, legacy geometry (16),
//        dummy, cbDisk (u64), cbBlock, cbBlockExtra, cBlocks, cBlocksAllocated, uuidCreate, uuidModify,
//        uuidLinkage, uuidParentModify, [LCHS geometry (16) when cbHeader >= 400]
//   version 0.x header at 0x48: type, flags, comment[256], geometry (16), cbDisk (u64), cbBlock, cBlocks,
//        cBlocksAllocated, uuidCreate, uuidModify, uuidLinkage; block map right after it, data right after
//        the map.
//   Block map: cBlocks u32 entries; 0xffffffff = free (not stored: zeros in a base image, the parent's data
//   in a differencing image), 0xfffffffe = zero block, else the index of the block in the data area. Block i
//   of the data area lives at offData + i * (cbBlockExtra + cbBlock); its first cbBlockExtra bytes are
//   service data.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "image/formats.h"
#include "io/file_system.h"
#include "util/endian.h"

namespace imgprep {
namespace {

constexpr std::uint32_t kSignature = 0xbeda107f;
constexpr std::uint32_t kBlockFree = 0xffffffff;
constexpr std::uint32_t kBlockZero = 0xfffffffe;
constexpr std::uint64_t kPreHeaderSize = 72;
constexpr std::uint64_t kHeader0Size = 348;
constexpr std::uint64_t kHeader1Size = 384;
constexpr std::uint64_t kHeader1PlusSize = 400;
constexpr std::size_t kHeaderReadSize = kPreHeaderSize + kHeader1PlusSize;
// Caps on what file contents may make us allocate or accept.
constexpr std::uint64_t kMaxMapEntries = std::uint64_t{16}
                                         << 20;                // 64 MiB of block map (16 TiB at 1 MiB blocks)
constexpr std::uint64_t kMaxDiskSize = std::uint64_t{1} << 50; // 1 PiB
constexpr std::uint32_t kMinBlockSize = 512;
constexpr std::uint32_t kMaxBlockSize = 256u << 20;
constexpr std::uint32_t kMaxBlockExtra = 1u << 30;
// Bounds of the parent search of a differencing image.
constexpr std::size_t kMaxDirEntries = 4096;
constexpr std::size_t kMaxCandidates = 512;

enum ImageType : std::uint32_t { kNormal = 1, kFixed = 2, kUndo = 3, kDiff = 4 };

struct Uuid {
    std::array<std::uint8_t, 16> b{};
    bool is_null() const {
        return std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
    }
    bool operator==(const Uuid& o) const { return b == o.b; }
    // RTUUID text form: the first three fields are stored little-endian.
    std::string str() const {
        char s[40];
        std::snprintf(s, sizeof s, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(b.data()),
                      unsigned(le16(b.data() + 4)), unsigned(le16(b.data() + 6)), b[8], b[9], b[10], b[11],
                      b[12], b[13], b[14], b[15]);
        return s;
    }
};

Uuid uuid_at(const std::uint8_t* p) {
    Uuid u;
    std::memcpy(u.b.data(), p, 16);
    return u;
}

bool is_pow2(std::uint64_t v) {
    return v && !(v & (v - 1));
}

std::string text_field(const std::uint8_t* p, std::size_t n) {
    std::size_t len = 0;
    while (len < n && p[len])
        ++len;
    std::string s(reinterpret_cast<const char*>(p), len);
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n') c = ' ';
    return s;
}

struct Header {
    std::uint32_t version = 0;
    unsigned major = 0, minor = 0;
    std::string file_info;
    std::uint32_t header_size = 0;
    std::uint32_t type = 0;
    std::uint32_t flags = 0;
    std::string comment;
    std::uint64_t off_blocks = 0;
    std::uint64_t off_data = 0;
    std::uint64_t disk_size = 0;
    std::uint32_t block_size = 0;
    std::uint32_t block_extra = 0;
    std::uint32_t blocks = 0;
    std::uint32_t blocks_allocated = 0;
    Uuid create, modify, linkage, parent_modify;
    bool has_lchs = false;
    std::uint32_t lchs_c = 0, lchs_h = 0, lchs_s = 0;
    std::uint64_t create_uuid_offset = 0; // where uuidCreate lives (for error messages)
};

// Parses the pre-header and header (h holds up to kHeaderReadSize bytes from offset 0). Structural checks
// only.
Result<Header> parse_header(const ByteSource& src, std::span<const std::uint8_t> h) {
    if (h.size() < kPreHeaderSize)
        return src.error_at(0,
                            "truncated VDI pre-header (file has " + std::to_string(src.size()) + " bytes)");
    if (le32(h.data() + 0x40) != kSignature)
        return src.error_at(0x40, "not a VDI image (no 0xbeda107f signature)");
    Header hd;
    hd.file_info = text_field(h.data(), 64);
    while (!hd.file_info.empty() && (hd.file_info.back() == '\n' || hd.file_info.back() == ' '))
        hd.file_info.pop_back();
    hd.version = le32(h.data() + 0x44);
    hd.major = hd.version >> 16;
    hd.minor = hd.version & 0xffff;
    const std::uint8_t* p = h.data() + kPreHeaderSize;
    const std::string vtext = std::to_string(hd.major) + "." + std::to_string(hd.minor);
    if (hd.major == 0) {
        if (h.size() < kPreHeaderSize + kHeader0Size)
            return src.error_at(kPreHeaderSize, "truncated VDI " + vtext + " header");
        hd.header_size = std::uint32_t(kHeader0Size);
        hd.type = le32(p + 0);
        hd.flags = le32(p + 4);
        hd.comment = text_field(p + 8, 256);
        hd.disk_size = le64(p + 280);
        hd.block_size = le32(p + 288);
        hd.blocks = le32(p + 292);
        hd.blocks_allocated = le32(p + 296);
        hd.create = uuid_at(p + 300);
        hd.modify = uuid_at(p + 316);
        hd.linkage = uuid_at(p + 332);
        hd.create_uuid_offset = kPreHeaderSize + 300;
        hd.off_blocks = kPreHeaderSize + kHeader0Size;
        hd.off_data = hd.off_blocks + std::uint64_t(hd.blocks) * 4;
        return hd;
    }
    if (hd.major != 1)
        return src.error_at(0x44,
                            "unsupported VDI version " + vtext + " (this tool reads versions 0.x and 1.x)");
    if (h.size() < kPreHeaderSize + kHeader1Size)
        return src.error_at(kPreHeaderSize, "truncated VDI " + vtext + " header");
    hd.header_size = le32(p + 0);
    if (hd.header_size < kHeader1Size)
        return src.error_at(kPreHeaderSize, "VDI header size " + std::to_string(hd.header_size) +
                                                " is smaller than the " + std::to_string(kHeader1Size) +
                                                " bytes of a version 1 header");
    hd.type = le32(p + 4);
    hd.flags = le32(p + 8);
    hd.comment = text_field(p + 12, 256);
    hd.off_blocks = le32(p + 268);
    hd.off_data = le32(p + 272);
    hd.disk_size = le64(p + 296);
    hd.block_size = le32(p + 304);
    hd.block_extra = le32(p + 308);
    hd.blocks = le32(p + 312);
    hd.blocks_allocated = le32(p + 316);
    hd.create = uuid_at(p + 320);
    hd.modify = uuid_at(p + 336);
    hd.linkage = uuid_at(p + 352);
    hd.parent_modify = uuid_at(p + 368);
    hd.create_uuid_offset = kPreHeaderSize + 320;
    if (hd.header_size >= kHeader1PlusSize && h.size() >= kPreHeaderSize + kHeader1PlusSize) {
        hd.has_lchs = true;
        hd.lchs_c = le32(p + 384);
        hd.lchs_h = le32(p + 388);
        hd.lchs_s = le32(p + 392);
    }
    return hd;
}

// Semantic checks of the header against the file (sizes, offsets); appends non-fatal findings to warnings.
Status validate_header(const ByteSource& src, const Header& hd, std::vector<std::string>& warnings) {
    const std::uint64_t at = kPreHeaderSize;
    if (hd.type < kNormal || hd.type > kDiff)
        return src.error_at(at + (hd.major == 0 ? 0 : 4),
                            "unknown VDI image type " + std::to_string(hd.type) +
                                " (expected 1 normal, 2 fixed, 3 undo, 4 differencing)");
    if (hd.disk_size == 0) return src.error_at(at, "VDI virtual disk size is zero");
    if (hd.disk_size > kMaxDiskSize)
        return src.error_at(at, "absurd VDI virtual disk size " + std::to_string(hd.disk_size) + " bytes");
    if (!is_pow2(hd.block_size) || hd.block_size < kMinBlockSize || hd.block_size > kMaxBlockSize)
        return src.error_at(at, "VDI block size " + std::to_string(hd.block_size) +
                                    " is not a power of two between 512 bytes and 256 MiB");
    if (hd.block_extra != 0 && (!is_pow2(hd.block_extra) || hd.block_extra > kMaxBlockExtra))
        return src.error_at(at, "VDI per-block extra data size " + std::to_string(hd.block_extra) +
                                    " is not a power of two of at most 1 GiB");
    if (hd.blocks == 0) return src.error_at(at, "VDI header declares no blocks");
    if (std::uint64_t(hd.blocks) * hd.block_size < hd.disk_size)
        return src.error_at(at, "VDI block count " + std::to_string(hd.blocks) + " x block size " +
                                    std::to_string(hd.block_size) + " does not cover the virtual size " +
                                    std::to_string(hd.disk_size));
    if (hd.major == 1 && hd.off_blocks < kPreHeaderSize + kHeader1Size)
        return src.error_at(at + 268, "VDI block map offset " + std::to_string(hd.off_blocks) +
                                          " lies inside the header");
    if (hd.off_data < hd.off_blocks + std::uint64_t(hd.blocks) * 4)
        return src.error_at(at + 272, "VDI data offset " + std::to_string(hd.off_data) +
                                          " lies inside the block map (" + std::to_string(hd.blocks) +
                                          " entries at offset " + std::to_string(hd.off_blocks) + ")");
    if (!range_ok(hd.off_blocks, std::uint64_t(hd.blocks) * 4, src.size()))
        return src.error_at(hd.off_blocks, "VDI block map (" + std::to_string(hd.blocks) +
                                               " entries at offset " + std::to_string(hd.off_blocks) +
                                               ") extends past the end of the file (truncated image?)");
    if (hd.blocks_allocated > hd.blocks)
        warnings.push_back("header claims " + std::to_string(hd.blocks_allocated) + " allocated blocks of " +
                           std::to_string(hd.blocks));
    if (hd.disk_size % 512) warnings.push_back("virtual size is not a multiple of 512 bytes");
    if (hd.create.is_null()) warnings.push_back("image UUID is null");
    return {};
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// Looks for the parent of a differencing image: a .vdi whose creation UUID equals our linkage UUID, in the
// image's directory and the one above it (VirtualBox keeps snapshot differencing images in <VM>/Snapshots/
// and the base disk in <VM>/). Returns the path, or an empty string.
std::string find_parent_vdi(const std::string& self_path, const Uuid& want,
                            std::vector<std::string>& searched) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path self = files::to_path(files::weakly_canonical(self_path));
    std::vector<fs::path> dirs{self.parent_path()};
    if (self.parent_path().has_parent_path() && self.parent_path().parent_path() != self.parent_path())
        dirs.push_back(self.parent_path().parent_path());
    std::size_t candidates = 0;
    for (const auto& dir : dirs) {
        searched.push_back(files::to_utf8(dir));
        fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
        if (ec) continue;
        std::size_t entries = 0;
        for (; it != fs::directory_iterator() && entries < kMaxDirEntries && candidates < kMaxCandidates;
             it.increment(ec), ++entries) {
            if (ec) break;
            const fs::path& p = it->path();
            if (lower(files::to_utf8(p.extension())) != ".vdi") continue;
            std::error_code e2;
            if (!it->is_regular_file(e2)) continue;
            fs::path canon = fs::weakly_canonical(p, e2);
            if (!e2 && canon == self) continue;
            ++candidates;
            auto f = FileSource::open(files::to_utf8(p));
            if (!f) continue;
            std::array<std::uint8_t, kHeaderReadSize> buf{};
            const std::size_t n = std::size_t(std::min<std::uint64_t>((*f)->size(), buf.size()));
            if (!(*f)->read_at(0, std::span(buf.data(), n))) continue;
            auto hd = parse_header(**f, std::span<const std::uint8_t>(buf.data(), n));
            if (hd && hd->create == want) return files::to_utf8(p);
        }
    }
    return {};
}

class VdiReader final : public ImageReader {
  public:
    VdiReader(SourcePtr src, Header hd, std::vector<std::uint32_t> map, ImagePtr parent, ImageInfo info)
        : src_(std::move(src)), hd_(std::move(hd)), map_(std::move(map)), parent_(std::move(parent)),
          info_(std::move(info)) {}

    const std::string& name() const override { return src_->name(); }
    std::uint64_t size() const override { return hd_.disk_size; }
    std::uint64_t bytes_read() const override {
        return src_->bytes_read() + (parent_ ? parent_->bytes_read() : 0);
    }
    const ImageInfo& info() const override { return info_; }
    const ImageReader* backing() const override { return parent_.get(); }

    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), hd_.disk_size))
            return error_at(offset, "read of " + std::to_string(buf.size()) + " bytes past the end of the " +
                                        std::to_string(hd_.disk_size) + "-byte virtual disk");
        const std::uint64_t bs = hd_.block_size;
        std::size_t done = 0;
        while (done < buf.size()) {
            const std::uint64_t pos = offset + done;
            const std::uint64_t block = pos / bs;
            const std::uint64_t within = pos % bs;
            const std::size_t n = std::size_t(std::min<std::uint64_t>(bs - within, buf.size() - done));
            auto piece = buf.subspan(done, n);
            const std::uint32_t e = map_[std::size_t(block)];
            if (e < kBlockZero) {
                IMGPREP_TRY(src_->read_at(data_offset(e) + within, piece));
            } else if (e == kBlockFree && parent_) {
                IMGPREP_TRY(read_parent(pos, piece));
            } else {
                std::fill(piece.begin(), piece.end(), std::uint8_t{0});
            }
            done += n;
        }
        return {};
    }

    Result<Extent> extent_at(std::uint64_t offset) const override {
        if (offset >= hd_.disk_size) return error_at(offset, "extent query past the end of the disk");
        const std::uint64_t bs = hd_.block_size;
        std::uint64_t block = offset / bs;
        const std::uint32_t e = map_[std::size_t(block)];
        const std::uint64_t block_end = std::min(hd_.disk_size, (block + 1) * bs);
        if (e == kBlockFree && parent_) {
            // As the parent sees it, within this block.
            const std::uint64_t psize = parent_->size();
            if (offset >= psize) return Extent{offset, block_end - offset, ExtentKind::Unallocated};
            IMGPREP_ASSIGN(Extent pe, parent_->extent_at(offset));
            std::uint64_t len = std::min({pe.length, block_end - offset, psize - offset});
            return Extent{offset, len, pe.kind};
        }
        const ExtentKind kind = kind_of(e);
        // Merge following blocks of the same kind (free blocks only when there is no parent).
        std::uint64_t end = block_end;
        while (end < hd_.disk_size) {
            const std::uint32_t next = map_[std::size_t(end / bs)];
            if ((next == kBlockFree && parent_) || kind_of(next) != kind) break;
            end = std::min(hd_.disk_size, end + bs);
        }
        return Extent{offset, end - offset, kind};
    }

  private:
    static ExtentKind kind_of(std::uint32_t e) {
        if (e < kBlockZero) return ExtentKind::Data;
        return e == kBlockZero ? ExtentKind::Zero : ExtentKind::Unallocated;
    }
    std::uint64_t data_offset(std::uint32_t index) const {
        return hd_.off_data + std::uint64_t(index) * (std::uint64_t(hd_.block_size) + hd_.block_extra) +
               hd_.block_extra;
    }
    Status read_parent(std::uint64_t pos, std::span<std::uint8_t> piece) const {
        const std::uint64_t psize = parent_->size();
        std::size_t from_parent = 0;
        if (pos < psize) from_parent = std::size_t(std::min<std::uint64_t>(piece.size(), psize - pos));
        if (from_parent) IMGPREP_TRY(parent_->read_at(pos, piece.first(from_parent)));
        std::fill(piece.begin() + std::ptrdiff_t(from_parent), piece.end(), std::uint8_t{0});
        return {};
    }

    SourcePtr src_;
    Header hd_;
    std::vector<std::uint32_t> map_; // one entry per block of the virtual disk
    ImagePtr parent_;
    ImageInfo info_;
};

const char* type_name(std::uint32_t type) {
    switch (type) {
    case kNormal:
        return "dynamic";
    case kFixed:
        return "static";
    case kUndo:
        return "undo";
    case kDiff:
        return "differencing";
    }
    return "unknown";
}

} // namespace

Result<ImagePtr> open_vdi(SourcePtr src, OpenContext& ctx) {
    std::array<std::uint8_t, kHeaderReadSize> hbuf{};
    const std::size_t hn = std::size_t(std::min<std::uint64_t>(src->size(), hbuf.size()));
    IMGPREP_TRY(src->read_at(0, std::span(hbuf.data(), hn)));
    IMGPREP_ASSIGN(Header hd, parse_header(*src, std::span<const std::uint8_t>(hbuf.data(), hn)));

    ImageInfo info;
    IMGPREP_TRY(validate_header(*src, hd, info.warnings));

    // Block map: only the entries that cover the virtual disk are needed.
    const std::uint64_t bs = hd.block_size;
    const std::uint64_t needed = hd.disk_size / bs + (hd.disk_size % bs ? 1 : 0);
    if (needed > kMaxMapEntries)
        return src->error_at(hd.off_blocks, "VDI block map of " + std::to_string(needed) +
                                                " entries is larger than this tool accepts (" +
                                                std::to_string(kMaxMapEntries) + ")");
    std::vector<std::uint32_t> map(std::size_t(needed), 0);
    {
        std::vector<std::uint8_t> raw;
        const std::size_t chunk_entries = 256 * 1024;
        raw.resize(std::min<std::size_t>(map.size(), chunk_entries) * 4);
        for (std::size_t i = 0; i < map.size(); i += chunk_entries) {
            const std::size_t cnt = std::min(chunk_entries, map.size() - i);
            IMGPREP_TRY(src->read_at(hd.off_blocks + std::uint64_t(i) * 4, std::span(raw.data(), cnt * 4)));
            for (std::size_t k = 0; k < cnt; ++k)
                map[i + k] = le32(raw.data() + 4 * k);
        }
    }

    // Every stored block must lie inside the file, and no two virtual blocks may share one stored block.
    const std::uint64_t stride = bs + hd.block_extra;
    const std::uint64_t fsize = src->size();
    std::vector<std::uint32_t> used;
    std::uint64_t allocated = 0, zero_blocks = 0;
    for (std::size_t i = 0; i < map.size(); ++i) {
        const std::uint32_t e = map[i];
        if (e == kBlockZero) ++zero_blocks;
        if (e >= kBlockZero) continue;
        const std::uint64_t begin = hd.off_data + std::uint64_t(e) * stride;
        const std::uint64_t need = std::min<std::uint64_t>(bs, hd.disk_size - std::uint64_t(i) * bs);
        if (!range_ok(begin, hd.block_extra + need, fsize))
            return src->error_at(hd.off_blocks + std::uint64_t(i) * 4,
                                 "VDI block map entry " + std::to_string(i) + " points to stored block " +
                                     std::to_string(e) + " at offset " + std::to_string(begin) +
                                     ", past the end of the file (" + std::to_string(fsize) + " bytes)");
        used.push_back(e);
        ++allocated;
    }
    std::sort(used.begin(), used.end());
    if (auto dup = std::adjacent_find(used.begin(), used.end()); dup != used.end()) {
        std::vector<std::size_t> who;
        for (std::size_t i = 0; i < map.size() && who.size() < 2; ++i)
            if (map[i] == *dup) who.push_back(i);
        return src->error_at(hd.off_blocks + std::uint64_t(who.size() > 1 ? who[1] : 0) * 4,
                             "VDI block map entries " + std::to_string(who.empty() ? 0 : who[0]) + " and " +
                                 std::to_string(who.size() > 1 ? who[1] : 0) +
                                 " both point to stored block " + std::to_string(*dup) +
                                 " (corrupt block map)");
    }
    used = {};
    if (hd.blocks_allocated <= hd.blocks && allocated != hd.blocks_allocated)
        info.warnings.push_back("header claims " + std::to_string(hd.blocks_allocated) +
                                " allocated blocks, the block map has " + std::to_string(allocated));

    // Differencing images: find the parent by UUID next to the image.
    ImagePtr parent;
    const bool wants_parent = hd.type == kDiff || (hd.type == kUndo && !hd.linkage.is_null());
    if (wants_parent) {
        if (hd.linkage.is_null())
            return src->error_at(hd.create_uuid_offset + 32,
                                 "VDI differencing image without a parent UUID: cannot be read on its own");
        std::vector<std::string> searched;
        std::string found = find_parent_vdi(src->name(), hd.linkage, searched);
        if (found.empty()) {
            std::string where;
            for (std::size_t i = 0; i < searched.size(); ++i)
                where += (i ? ", " : "") + searched[i];
            return src->error(
                "VDI differencing image (snapshot) whose parent has UUID {" + hd.linkage.str() +
                "}: no .vdi with that UUID found in " +
                (where.empty() ? std::string("the image's directory") : where) +
                ". VirtualBox records the parent only in its media registry (the VM's .vbox file); export or "
                "clone "
                "the complete disk on the VirtualBox host first, e.g. VBoxManage clonemedium disk \"" +
                src->name() + "\" full.vdi (or export the VM as an OVA)");
        }
        IMGPREP_ASSIGN(parent, ctx.open_backing(src->name(), {found}));
        if (parent->size() != hd.disk_size)
            info.warnings.push_back("parent " + parent->name() + " has virtual size " +
                                    std::to_string(parent->size()) + ", this image " +
                                    std::to_string(hd.disk_size));
        if (!hd.parent_modify.is_null() && parent->info().format == "vdi") {
            for (const auto& [k, v] : parent->info().details)
                if (k == "modification_uuid" && v != hd.parent_modify.str())
                    info.warnings.push_back("parent was modified after this differencing image was created "
                                            "(parent modification UUID " +
                                            v + ", expected " + hd.parent_modify.str() + ")");
        }
    } else if (hd.type == kUndo) {
        info.warnings.push_back("legacy VDI undo image without a parent UUID: read as a dynamic image");
    }

    info.format = "vdi";
    info.subformat = type_name(hd.type);
    info.virtual_size = hd.disk_size;
    info.file_size = fsize;
    info.cluster_size = bs;
    info.files = {src->name()};
    auto& d = info.details;
    d.emplace_back("version", std::to_string(hd.major) + "." + std::to_string(hd.minor));
    if (!hd.file_info.empty()) d.emplace_back("creator", hd.file_info);
    if (!hd.comment.empty()) d.emplace_back("comment", hd.comment);
    d.emplace_back("uuid", hd.create.str());
    d.emplace_back("modification_uuid", hd.modify.str());
    if (!hd.linkage.is_null()) d.emplace_back("parent_uuid", hd.linkage.str());
    if (!hd.parent_modify.is_null()) d.emplace_back("parent_modification_uuid", hd.parent_modify.str());
    d.emplace_back("image_type", std::to_string(hd.type) + " (" + type_name(hd.type) + ")");
    if (hd.flags) d.emplace_back("flags", std::to_string(hd.flags));
    d.emplace_back("block_size", std::to_string(bs));
    if (hd.block_extra) d.emplace_back("block_extra_data", std::to_string(hd.block_extra));
    d.emplace_back("blocks", std::to_string(hd.blocks));
    d.emplace_back("blocks_allocated", std::to_string(allocated));
    if (zero_blocks) d.emplace_back("zero_blocks", std::to_string(zero_blocks));
    d.emplace_back("header_size", std::to_string(hd.header_size));
    if (hd.has_lchs && hd.lchs_c)
        d.emplace_back("lchs_geometry", std::to_string(hd.lchs_c) + "/" + std::to_string(hd.lchs_h) + "/" +
                                            std::to_string(hd.lchs_s));
    if (parent) d.emplace_back("parent", parent->name());

    return ImagePtr(std::make_unique<VdiReader>(std::move(src), std::move(hd), std::move(map),
                                                std::move(parent), std::move(info)));
}

} // namespace imgprep
