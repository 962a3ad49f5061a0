// FAT12 / FAT16 / FAT32, read-only. Layout and rules from Microsoft's "FAT32 File System Specification"
// (version 1.03): BPB fields, the FAT type decided by the count of data clusters, 12/16/28-bit FAT entries,
// 32-byte directory entries, long-name entries with the short-name checksum.
#include "fs/fat.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "util/endian.h"
#include "util/text.h"

namespace imgprep {

const char* to_string(FatType t) {
    switch (t) {
    case FatType::Fat12:
        return "FAT12";
    case FatType::Fat16:
        return "FAT16";
    case FatType::Fat32:
        return "FAT32";
    }
    return "FAT";
}

std::string FatWarning::describe() const {
    return "at offset " + std::to_string(offset) + ": " + message;
}

namespace {

constexpr std::uint64_t kFatBlock = 64 * 1024;
constexpr std::size_t kMaxCachedBlocks = 64;
constexpr std::uint64_t kMaxDirBytes = 65536 * 32; // the specification's limit on directory entries
constexpr int kMaxDepth = 64;

// Code page 437, bytes 0x80-0xFF (short names store OEM bytes; 437 is the US default).
constexpr char16_t kCp437[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE,
    0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6,
    0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA,
    0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502,
    0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514,
    0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550,
    0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C,
    0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320,
    0x2321, 0x00F7, 0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

// The code point that starts at s[i], and advances i past it (an invalid sequence is U+FFFD and one byte).
char32_t next_code_point(std::string_view s, std::size_t& i) {
    auto b = std::uint8_t(s[i]);
    if (b < 0x80) {
        ++i;
        return char32_t(b);
    }
    int n = (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : -1;
    bool ok = n > 0 && i + std::size_t(n) < s.size();
    std::uint32_t cp = ok ? (b & (0x3F >> n)) : 0;
    for (int k = 1; ok && k <= n; ++k) {
        auto c = std::uint8_t(s[i + k]);
        if ((c & 0xC0) != 0x80)
            ok = false;
        else
            cp = (cp << 6) | (c & 0x3F);
    }
    if (!ok) {
        ++i;
        return U'\uFFFD';
    }
    i += std::size_t(n) + 1;
    return char32_t(cp);
}

// Simple upper-casing for case-insensitive names: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic.
char32_t fold(char32_t c) {
    if (c >= U'a' && c <= U'z') return c - 32;
    if (c < 0x80) return c;
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
    if (c == 0xFF) return 0x178;
    if (c >= 0x100 && c <= 0x17F) {
        // Pairs: even upper / odd lower, except 0x139-0x148 and 0x179-0x17E where odd is upper.
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
        if (odd_upper) return (c % 2 == 0) ? c - 1 : c;
        return (c % 2 == 1) ? c - 1 : c;
    }
    if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
    if (c == 0x3AC) return 0x386;
    if (c >= 0x3AD && c <= 0x3AF) return c - 37;
    if (c == 0x3CC) return 0x38C;
    if (c == 0x3CD || c == 0x3CE) return c - 63;
    if (c == 0x3C2) return 0x3A3;
    if (c >= 0x430 && c <= 0x44F) return c - 32;
    if (c >= 0x450 && c <= 0x45F) return c - 80;
    return c;
}

std::u32string fold_key(std::string_view s) {
    std::u32string k;
    for (std::size_t i = 0; i < s.size();)
        k += fold(next_code_point(s, i));
    return k;
}

// Whether name folds to key, decoding only up to the first difference: a lookup compares the key with every
// entry of a directory (up to 65,536), and nearly all differ in their first characters.
bool folds_to(std::string_view name, std::u32string_view key) {
    std::size_t i = 0, j = 0;
    for (; i < name.size(); ++j)
        if (j == key.size() || fold(next_code_point(name, i)) != key[j]) return false;
    return j == key.size();
}

std::uint8_t lfn_checksum(const std::uint8_t* name11) {
    std::uint8_t sum = 0;
    for (int i = 0; i < 11; ++i)
        sum = std::uint8_t(((sum & 1) ? 0x80 : 0) + (sum >> 1) + name11[i]);
    return sum;
}

std::string oem_to_utf8(const std::uint8_t* p, std::size_t n, bool lower) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t b = p[i];
        if (b < 0x80) {
            char ch = char(b);
            if (lower && ch >= 'A' && ch <= 'Z') ch = char(ch + 32);
            out += ch;
        } else {
            append_utf8(out, kCp437[b - 0x80]);
        }
    }
    return out;
}

std::string trim_label(const std::uint8_t* p) {
    std::string s = oem_to_utf8(p, 11, false);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    if (s == "NO NAME") s.clear();
    return s;
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : path) {
        if (c == '\\' || c == '/') {
            if (!cur.empty() && cur != ".") parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty() && cur != ".") parts.push_back(cur);
    return parts;
}

// A file's content: the cluster runs resolved when it was opened.
class FatFileSource final : public ByteSource {
  public:
    struct Run {
        std::uint64_t file_offset, volume_offset, length;
    };
    FatFileSource(SourcePtr vol, std::vector<Run> runs, std::uint64_t size, std::string name)
        : vol_(std::move(vol)), runs_(std::move(runs)), size_(size), name_(std::move(name)) {}
    const std::string& name() const override { return name_; }
    std::uint64_t size() const override { return size_; }
    std::uint64_t bytes_read() const override { return vol_->bytes_read(); }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), size_))
            return error_at(offset, "read of " + std::to_string(buf.size()) +
                                        " bytes past the end of the file (" + std::to_string(size_) +
                                        " bytes)");
        if (buf.empty()) return {};
        auto it = std::upper_bound(runs_.begin(), runs_.end(), offset,
                                   [](std::uint64_t off, const Run& r) { return off < r.file_offset; });
        if (it == runs_.begin()) return error_at(offset, "internal: no cluster run for this offset");
        --it; // the run containing offset (runs tile [0, size))
        std::size_t done = 0;
        while (done < buf.size()) {
            if (it == runs_.end())
                return error_at(offset + done, "internal: cluster runs do not cover the file");
            std::uint64_t in_run = offset + done - it->file_offset;
            std::size_t n = std::size_t(std::min<std::uint64_t>(it->length - in_run, buf.size() - done));
            IMGPREP_TRY(vol_->read_at(it->volume_offset + in_run, buf.subspan(done, n)));
            done += n;
            ++it;
        }
        return {};
    }

  private:
    SourcePtr vol_;
    std::vector<Run> runs_;
    std::uint64_t size_;
    std::string name_;
};

} // namespace

Result<std::unique_ptr<FatVolume>> FatVolume::open(SourcePtr src) {
    const ByteSource& s = *src;
    if (s.size() < 512)
        return s.error("too small for a FAT boot sector (" + std::to_string(s.size()) + " bytes)");
    std::uint8_t b[512];
    IMGPREP_TRY(s.read_at(0, b));
    auto v = std::make_unique<FatVolume>(Token{});
    v->src_ = src;
    auto warn = [&](std::uint64_t off, std::string msg) { v->warnings_.push_back({off, std::move(msg)}); };

    if (!((b[0] == 0xEB && b[2] == 0x90) || b[0] == 0xE9))
        warn(0, "boot sector does not start with a jump instruction (EB xx 90 or E9)");
    std::uint32_t bps = le16(b + 11);
    if (bps != 512 && bps != 1024 && bps != 2048 && bps != 4096)
        return s.error_at(11, "not a FAT volume: bytes per sector " + std::to_string(bps) +
                                  " (512..4096 expected)");
    std::uint32_t spc = b[13];
    if (spc == 0 || (spc & (spc - 1)) != 0)
        return s.error_at(13, "not a FAT volume: sectors per cluster " + std::to_string(spc) +
                                  " is not a power of 2");
    if (b[510] != 0x55 || b[511] != 0xAA) warn(510, "boot sector lacks the 0x55AA signature");
    std::uint32_t rsvd = le16(b + 14);
    if (rsvd == 0) return s.error_at(14, "not a FAT volume: zero reserved sectors");
    std::uint32_t nfats = b[16];
    if (nfats == 0) return s.error_at(16, "not a FAT volume: no FAT copies");
    std::uint32_t root_entries = le16(b + 17);
    std::uint64_t tot16 = le16(b + 19), tot32 = le32(b + 32);
    std::uint64_t totsec = tot16 ? tot16 : tot32;
    if (totsec == 0) return s.error_at(19, "not a FAT volume: zero total sectors");
    if (tot16 && tot32 && tot16 != tot32)
        warn(19, "both 16- and 32-bit total sector counts are set and differ; using the 16-bit one");
    std::uint8_t media = b[21];
    if (media != 0xF0 && media < 0xF8) warn(21, "unusual media descriptor byte");
    std::uint32_t fatsz16 = le16(b + 22);
    bool fat32_layout = fatsz16 == 0;
    std::uint64_t fatsz = fat32_layout ? le32(b + 36) : fatsz16;
    if (fatsz == 0) return s.error_at(36, "not a FAT volume: zero FAT size");
    if (std::uint64_t(spc) * bps > 256 * 1024)
        return s.error_at(13, "cluster size " + std::to_string(spc * bps) + " exceeds 256 KiB");

    std::uint64_t root_dir_sectors = (std::uint64_t(root_entries) * 32 + bps - 1) / bps;
    std::uint64_t first_data = rsvd + nfats * fatsz + root_dir_sectors;
    if (first_data >= totsec)
        return s.error_at(14, "FAT layout leaves no data area (first data sector " +
                                  std::to_string(first_data) + ", total sectors " + std::to_string(totsec) +
                                  ")");
    std::uint64_t clusters = (totsec - first_data) / spc;
    // The type follows from the cluster count alone (specification, "FAT Type Determination").
    FatType by_count = clusters < 4085 ? FatType::Fat12 : clusters < 65525 ? FatType::Fat16 : FatType::Fat32;
    if (fat32_layout) {
        if (by_count != FatType::Fat32)
            warn(22, "FAT32 layout (16-bit FAT size is 0) but only " + std::to_string(clusters) +
                         " clusters: the specification's count rule would say " + to_string(by_count) +
                         "; read as FAT32 (as Linux and mkfs.fat do)");
        v->type_ = FatType::Fat32;
    } else {
        if (by_count == FatType::Fat32)
            return s.error_at(22, std::to_string(clusters) +
                                      " clusters need FAT32, but the boot sector has a " +
                                      "FAT12/16 layout (16-bit FAT size " + std::to_string(fatsz16) + ")");
        if (root_entries == 0) return s.error_at(17, "FAT12/16 volume with no root directory entries");
        v->type_ = by_count;
    }
    if (root_entries * 32 % bps != 0) warn(17, "root directory entry count does not fill whole sectors");

    std::uint32_t active_fat = 0;
    std::uint64_t bs_off; // offset of the extended boot signature block
    if (v->type_ == FatType::Fat32) {
        if (root_entries != 0) warn(17, "FAT32 volume with a non-zero root entry count");
        std::uint16_t ext_flags = le16(b + 40);
        if (ext_flags & 0x80) {
            active_fat = ext_flags & 0x0F;
            if (active_fat >= nfats)
                return s.error_at(40, "active FAT " + std::to_string(active_fat) + " does not exist (" +
                                          std::to_string(nfats) + " FATs)");
        }
        if (le16(b + 42) != 0)
            return s.error_at(42, "unsupported FAT32 version " + std::to_string(b[43]) + "." +
                                      std::to_string(b[42]));
        bs_off = 64;
    } else {
        bs_off = 36;
    }
    if (b[bs_off + 2] == 0x29) {
        v->serial_ = le32(b + bs_off + 3);
        v->label_ = trim_label(b + bs_off + 7);
    }

    // Cluster numbers 2..clusters+1 must have FAT entries; reserved values cap the count too.
    unsigned bits = v->type_ == FatType::Fat12 ? 12 : v->type_ == FatType::Fat16 ? 16 : 32;
    std::uint64_t fat_bytes = fatsz * bps;
    std::uint64_t fat_capacity = fat_bytes * 8 / bits; // entries, including 0 and 1
    std::uint64_t max_clusters =
        v->type_ == FatType::Fat32 ? 0x0FFFFFF5u : (v->type_ == FatType::Fat16 ? 0xFFF5u : 0xFF5u);
    if (clusters + 2 > fat_capacity) {
        warn(bs_off == 64 ? 36 : 22, "FAT of " + std::to_string(fat_bytes) + " bytes cannot describe " +
                                         std::to_string(clusters) + " clusters; clusters past " +
                                         std::to_string(fat_capacity - 1) + " are unusable");
        clusters = fat_capacity >= 2 ? fat_capacity - 2 : 0;
    }
    if (clusters > max_clusters) clusters = max_clusters;
    if (clusters == 0) return s.error_at(22, "FAT describes no data clusters");

    v->bps_ = bps;
    v->cluster_bytes_ = spc * bps;
    v->cluster_count_ = std::uint32_t(clusters);
    v->total_sectors_ = totsec;
    v->fat_offset_ = (rsvd + active_fat * fatsz) * bps;
    v->fat_bytes_ = fat_bytes;
    v->root_offset_ = (rsvd + nfats * fatsz) * bps;
    v->root_entries_ = root_entries;
    v->data_offset_ = first_data * bps;
    if (totsec * bps > s.size())
        warn(totsec > 0xFFFF ? 32 : 19, "volume claims " + std::to_string(totsec * bps) +
                                            " bytes but the source holds " + std::to_string(s.size()) +
                                            " (truncated)");
    if (v->type_ == FatType::Fat32) {
        v->root_cluster_ = le32(b + 44);
        if (v->root_cluster_ < 2 || v->root_cluster_ > clusters + 1)
            return s.error_at(44, "FAT32 root directory cluster " + std::to_string(v->root_cluster_) +
                                      " is outside the data clusters 2.." + std::to_string(clusters + 1));
    }

    // FAT[1] high bits: clean-shutdown flag (FAT16 bit 15, FAT32 bit 27).
    if (v->type_ != FatType::Fat12) {
        auto f1 = v->fat_entry(1);
        if (f1.ok())
            v->dirty_ = v->type_ == FatType::Fat16 ? !(*f1 & 0x8000) : !(*f1 & 0x08000000);
        else
            warn(v->fat_offset_, "cannot read the FAT: " + f1.error().message);
    }

    // The root directory's volume-ID entry overrides the boot sector label.
    std::vector<std::uint64_t> offsets;
    auto root = v->read_directory_bytes(v->root_cluster_, true, offsets);
    if (!root.ok()) {
        warn(v->type_ == FatType::Fat32 ? v->data_offset_ : v->root_offset_,
             "cannot read the root directory: " + root.error().message);
    } else {
        std::string label;
        auto parsed = v->parse_directory(*root, offsets, &label);
        if (parsed.ok() && !label.empty()) v->label_ = label;
    }
    return v;
}

bool FatVolume::is_eoc(std::uint32_t x) const {
    switch (type_) {
    case FatType::Fat12:
        return x >= 0xFF8;
    case FatType::Fat16:
        return x >= 0xFFF8;
    case FatType::Fat32:
        return x >= 0x0FFFFFF8;
    }
    return true;
}

bool FatVolume::is_bad(std::uint32_t x) const {
    switch (type_) {
    case FatType::Fat12:
        return x == 0xFF7;
    case FatType::Fat16:
        return x == 0xFFF7;
    case FatType::Fat32:
        return x == 0x0FFFFFF7;
    }
    return false;
}

Result<std::shared_ptr<const std::vector<std::uint8_t>>> FatVolume::fat_block(std::uint64_t block) const {
    {
        std::lock_guard lock(cache_mutex_);
        auto it = cache_.find(block);
        if (it != cache_.end()) return it->second;
    }
    std::uint64_t off = block * kFatBlock;
    std::uint64_t n = std::min(kFatBlock, fat_bytes_ - off);
    std::vector<std::uint8_t> data(n);
    IMGPREP_TRY(src_->read_at(fat_offset_ + off, data));
    auto shared = std::make_shared<const std::vector<std::uint8_t>>(std::move(data));
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kMaxCachedBlocks) cache_.clear();
    cache_[block] = shared;
    return shared;
}

Result<std::uint32_t> FatVolume::fat_entry(std::uint32_t cluster) const {
    if (cluster > std::uint64_t(cluster_count_) + 1)
        return src_->error_at(fat_offset_, "cluster " + std::to_string(cluster) +
                                               " is past the last cluster " +
                                               std::to_string(std::uint64_t(cluster_count_) + 1));
    std::uint64_t off;
    unsigned width;
    switch (type_) {
    case FatType::Fat12:
        off = cluster + cluster / 2, width = 2;
        break;
    case FatType::Fat16:
        off = std::uint64_t(cluster) * 2, width = 2;
        break;
    default:
        off = std::uint64_t(cluster) * 4, width = 4;
        break;
    }
    if (!range_ok(off, width, fat_bytes_))
        return src_->error_at(fat_offset_ + off,
                              "FAT entry of cluster " + std::to_string(cluster) + " is past the FAT");
    std::uint8_t raw[4] = {};
    // A FAT12 entry may straddle two cached blocks.
    std::shared_ptr<const std::vector<std::uint8_t>> data;
    std::uint64_t have = ~std::uint64_t{0};
    for (unsigned i = 0; i < width; ++i) {
        std::uint64_t pos = off + i;
        if (pos / kFatBlock != have) {
            have = pos / kFatBlock;
            IMGPREP_ASSIGN(data, fat_block(have));
        }
        raw[i] = (*data)[pos % kFatBlock];
    }
    switch (type_) {
    case FatType::Fat12: {
        std::uint32_t x = le16(raw);
        return (cluster & 1) ? (x >> 4) : (x & 0x0FFF);
    }
    case FatType::Fat16:
        return std::uint32_t(le16(raw));
    default:
        return le32(raw) & 0x0FFFFFFF;
    }
}

Result<std::vector<std::uint32_t>> FatVolume::cluster_chain(std::uint32_t first,
                                                            std::uint64_t max_clusters) const {
    std::uint64_t last = std::uint64_t(cluster_count_) + 1;
    if (first < 2 || first > last)
        return src_->error_at(fat_offset_, "chain starts at cluster " + std::to_string(first) +
                                               ", outside the data clusters 2.." + std::to_string(last));
    std::vector<std::uint32_t> chain;
    auto loop_check = [&]() -> Status {
        std::vector<std::uint32_t> sorted = chain;
        std::sort(sorted.begin(), sorted.end());
        auto dup = std::adjacent_find(sorted.begin(), sorted.end());
        if (dup != sorted.end())
            return src_->error_at(fat_offset_, "cluster chain from " + std::to_string(first) +
                                                   " loops (cluster " + std::to_string(*dup) + " repeats)");
        return {};
    };
    std::uint32_t c = first;
    while (true) {
        chain.push_back(c);
        if (chain.size() > max_clusters) {
            IMGPREP_TRY(loop_check());
            return src_->error_at(fat_offset_, "cluster chain from " + std::to_string(first) +
                                                   " is longer than " + std::to_string(max_clusters) +
                                                   " clusters");
        }
        IMGPREP_ASSIGN(std::uint32_t next, fat_entry(c));
        if (is_eoc(next)) break;
        if (next == 0)
            return src_->error_at(fat_offset_, "cluster chain from " + std::to_string(first) +
                                                   " reaches free cluster " + "(FAT entry of cluster " +
                                                   std::to_string(c) + " is 0)");
        if (is_bad(next))
            return src_->error_at(fat_offset_, "cluster chain from " + std::to_string(first) +
                                                   " reaches a cluster marked bad (after cluster " +
                                                   std::to_string(c) + ")");
        if (next < 2 || next > last)
            return src_->error_at(fat_offset_, "cluster chain from " + std::to_string(first) + ": cluster " +
                                                   std::to_string(c) + " points to cluster " +
                                                   std::to_string(next) + ", outside the data clusters 2.." +
                                                   std::to_string(last));
        c = next;
    }
    IMGPREP_TRY(loop_check());
    return chain;
}

Result<std::vector<std::uint8_t>> FatVolume::read_directory_bytes(std::uint32_t first_cluster, bool root,
                                                                  std::vector<std::uint64_t>& offsets) const {
    offsets.clear();
    if (root && type_ != FatType::Fat32) {
        std::vector<std::uint8_t> data(std::size_t(root_entries_) * 32);
        IMGPREP_TRY(src_->read_at(root_offset_, data));
        offsets.push_back(root_offset_);
        return data;
    }
    std::uint64_t max = std::max<std::uint64_t>(1, kMaxDirBytes / cluster_bytes_);
    auto chain = cluster_chain(first_cluster, max);
    if (!chain.ok()) {
        Error e = chain.take_error();
        e.message = "directory at cluster " + std::to_string(first_cluster) + ": " + e.message;
        return e;
    }
    std::vector<std::uint8_t> data(chain->size() * std::size_t(cluster_bytes_));
    for (std::size_t i = 0; i < chain->size(); ++i) {
        std::uint64_t off = cluster_offset((*chain)[i]);
        IMGPREP_TRY(src_->read_at(off, std::span(data).subspan(i * cluster_bytes_, cluster_bytes_)));
        offsets.push_back(off);
    }
    return data;
}

Result<std::vector<FatDirEntry>> FatVolume::parse_directory(std::span<const std::uint8_t> data,
                                                            const std::vector<std::uint64_t>& offsets,
                                                            std::string* label_out) const {
    std::vector<FatDirEntry> out;
    // Each element of offsets covers `piece` bytes of data (one cluster, or the whole fixed root).
    std::size_t piece = offsets.size() <= 1 ? std::max<std::size_t>(data.size(), 1) : cluster_bytes_;
    std::vector<std::uint16_t> units(20 * 13);
    int expect = 0, total = 0;
    std::uint8_t chk = 0;
    auto reset = [&] { expect = total = 0; };
    for (std::size_t pos = 0; pos + 32 <= data.size(); pos += 32) {
        const std::uint8_t* e = data.data() + pos;
        if (e[0] == 0x00) break;
        if (e[0] == 0xE5) {
            reset();
            continue;
        }
        std::uint8_t attr = e[11];
        if ((attr & 0x3F) == 0x0F) {
            std::uint8_t ord = e[0];
            if (ord & 0x40) {
                int n = ord & 0x1F;
                if (n == 0 || n > 20) {
                    reset();
                    continue;
                }
                total = expect = n;
                chk = e[13];
                std::fill(units.begin(), units.end(), 0xFFFF);
            } else if (expect == 0 || (ord & 0x1F) != expect || e[13] != chk) {
                reset();
                continue;
            }
            static const int pos13[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
            for (int k = 0; k < 13; ++k)
                units[std::size_t(expect - 1) * 13 + k] = le16(e + pos13[k]);
            --expect;
            continue;
        }
        if (attr & 0x08) { // volume label (not a long-name entry)
            if (label_out && label_out->empty()) *label_out = trim_label(e);
            reset();
            continue;
        }
        if (e[0] == '.' &&
            (std::memcmp(e + 1, "          ", 10) == 0 || std::memcmp(e + 1, ".         ", 10) == 0)) {
            reset();
            continue;
        }
        FatDirEntry d;
        std::uint8_t name11[11];
        std::memcpy(name11, e, 11);
        if (name11[0] == 0x05) name11[0] = 0xE5; // a real leading 0xE5 byte
        int blen = 8, elen = 3;
        while (blen > 0 && name11[blen - 1] == ' ')
            --blen;
        while (elen > 0 && name11[8 + elen - 1] == ' ')
            --elen;
        std::string base = oem_to_utf8(name11, blen, false), ext = oem_to_utf8(name11 + 8, elen, false);
        d.short_name = elen ? base + "." + ext : base;
        std::string shown = oem_to_utf8(name11, blen, e[12] & 0x08);
        if (elen) shown += "." + oem_to_utf8(name11 + 8, elen, e[12] & 0x10);
        if (total > 0 && expect == 0 && lfn_checksum(e) == chk) {
            std::vector<std::uint16_t> u;
            for (std::size_t k = 0; k < std::size_t(total) * 13 && units[k] != 0x0000; ++k)
                u.push_back(units[k]);
            if (!u.empty()) shown = utf16_units_to_utf8(std::u16string(u.begin(), u.end()));
        }
        reset();
        d.name = std::move(shown);
        d.attributes = attr;
        d.first_cluster = (type_ == FatType::Fat32 ? std::uint32_t(le16(e + 20)) << 16 : 0) | le16(e + 26);
        d.size = le32(e + 28);
        d.write_time = le16(e + 22);
        d.write_date = le16(e + 24);
        std::size_t idx = std::min(pos / piece, offsets.empty() ? 0 : offsets.size() - 1);
        d.entry_offset = (offsets.empty() ? 0 : offsets[idx]) + (pos - idx * piece);
        out.push_back(std::move(d));
    }
    return out;
}

Result<std::vector<FatDirEntry>> FatVolume::list_cluster(std::uint32_t first_cluster, bool root) const {
    std::vector<std::uint64_t> offsets;
    IMGPREP_ASSIGN(auto data, read_directory_bytes(first_cluster, root, offsets));
    return parse_directory(data, offsets, nullptr);
}

Result<std::vector<FatDirEntry>> FatVolume::list_root() const {
    return list_cluster(root_cluster_, true);
}

Result<std::vector<FatDirEntry>> FatVolume::list_directory(const FatDirEntry& dir) const {
    if (!dir.is_directory()) return src_->error_at(dir.entry_offset, "'" + dir.name + "' is not a directory");
    if (dir.first_cluster == 0) return list_root(); // ".." of a first-level directory
    return list_cluster(dir.first_cluster, false);
}

const FatDirEntry* FatVolume::find(const std::vector<FatDirEntry>& entries, std::string_view name) {
    const std::u32string key = fold_key(name);
    for (const auto& e : entries)
        if (folds_to(e.name, key) || folds_to(e.short_name, key)) return &e;
    return nullptr;
}

Result<FatDirEntry> FatVolume::lookup(std::string_view path) const {
    auto parts = split_path(path);
    if (parts.empty()) return src_->error("the root directory has no directory entry");
    IMGPREP_ASSIGN(auto entries, list_root());
    std::string walked;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const FatDirEntry* hit = find(entries, parts[i]);
        if (!hit) return src_->error("'" + parts[i] + "' not found in \\" + walked);
        walked += (walked.empty() ? "" : "\\") + hit->name;
        if (i + 1 == parts.size()) return *hit;
        if (!hit->is_directory()) return src_->error("\\" + walked + " is not a directory");
        FatDirEntry dir = *hit;
        IMGPREP_ASSIGN(entries, list_directory(dir));
    }
    return src_->error("unreachable");
}

Result<std::vector<FatDirEntry>> FatVolume::list(std::string_view path) const {
    if (split_path(path).empty()) return list_root();
    IMGPREP_ASSIGN(auto dir, lookup(path));
    return list_directory(dir);
}

Result<SourcePtr> FatVolume::open_file(const FatDirEntry& f, const std::string& display_path) const {
    std::string name = src_->name() + ":" + (display_path.empty() ? f.name : display_path);
    if (f.is_directory()) return src_->error_at(f.entry_offset, "'" + f.name + "' is a directory");
    std::vector<FatFileSource::Run> runs;
    if (f.size > 0) {
        if (f.first_cluster == 0)
            return src_->error_at(f.entry_offset, "'" + f.name + "' has " + std::to_string(f.size) +
                                                      " bytes but no first cluster");
        std::uint64_t needed = (std::uint64_t(f.size) + cluster_bytes_ - 1) / cluster_bytes_;
        if (needed > cluster_count_)
            return src_->error_at(f.entry_offset, "'" + f.name + "' claims " + std::to_string(f.size) +
                                                      " bytes, more than the volume's clusters hold");
        // Walk exactly as many clusters as the size needs; a shorter chain is an error.
        std::vector<std::uint32_t> chain;
        chain.reserve(std::size_t(needed));
        std::uint64_t last = std::uint64_t(cluster_count_) + 1;
        if (f.first_cluster < 2 || f.first_cluster > last)
            return src_->error_at(f.entry_offset,
                                  "'" + f.name + "' starts at cluster " + std::to_string(f.first_cluster) +
                                      ", outside the data clusters 2.." + std::to_string(last));
        auto at = [&] { return "'" + f.name + "': cluster chain "; };
        std::uint32_t c = f.first_cluster;
        for (std::uint64_t i = 0; i < needed; ++i) {
            chain.push_back(c);
            if (i + 1 == needed) break;
            IMGPREP_ASSIGN(std::uint32_t next, fat_entry(c));
            if (is_eoc(next))
                return src_->error_at(f.entry_offset, at() + "ends after " + std::to_string(i + 1) +
                                                          " clusters; the size needs " +
                                                          std::to_string(needed));
            if (next == 0)
                return src_->error_at(f.entry_offset,
                                      at() + "reaches a free cluster after cluster " + std::to_string(c));
            if (is_bad(next))
                return src_->error_at(f.entry_offset,
                                      at() + "reaches a bad cluster after cluster " + std::to_string(c));
            if (next < 2 || next > last)
                return src_->error_at(f.entry_offset, at() + "points from cluster " + std::to_string(c) +
                                                          " to cluster " + std::to_string(next) +
                                                          ", outside 2.." + std::to_string(last));
            c = next;
        }
        std::vector<std::uint32_t> sorted = chain;
        std::sort(sorted.begin(), sorted.end());
        if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end())
            return src_->error_at(f.entry_offset, "'" + f.name + "': cluster chain loops (cluster " +
                                                      std::to_string(*dup) + " repeats)");
        std::uint64_t file_off = 0;
        for (std::uint32_t cl : chain) {
            std::uint64_t len = std::min<std::uint64_t>(cluster_bytes_, f.size - file_off);
            std::uint64_t voff = cluster_offset(cl);
            if (!runs.empty() && runs.back().volume_offset + runs.back().length == voff)
                runs.back().length += len;
            else
                runs.push_back({file_off, voff, len});
            file_off += len;
        }
    }
    return SourcePtr(std::make_shared<FatFileSource>(src_, std::move(runs), f.size, std::move(name)));
}

Result<SourcePtr> FatVolume::open_file(std::string_view path) const {
    IMGPREP_ASSIGN(auto e, lookup(path));
    return open_file(e, std::string(path));
}

Result<std::vector<std::uint8_t>> FatVolume::read_file(const FatDirEntry& f, std::uint64_t max_bytes) const {
    if (f.size > max_bytes)
        return src_->error_at(f.entry_offset, "'" + f.name + "' is " + std::to_string(f.size) +
                                                  " bytes, more than the " + std::to_string(max_bytes) +
                                                  "-byte limit");
    IMGPREP_ASSIGN(auto s, open_file(f));
    std::vector<std::uint8_t> data(f.size);
    IMGPREP_TRY(s->read_at(0, data));
    return data;
}

Result<std::vector<std::uint8_t>> FatVolume::read_file(std::string_view path, std::uint64_t max_bytes) const {
    IMGPREP_ASSIGN(auto e, lookup(path));
    return read_file(e, max_bytes);
}

Status FatVolume::walk(const std::function<bool(const std::string&, const FatDirEntry&)>& fn) const {
    std::set<std::uint32_t> visited{type_ == FatType::Fat32 ? root_cluster_ : 0u};
    bool stop = false;
    std::function<Status(const std::vector<FatDirEntry>&, const std::string&, int)> rec =
        [&](const std::vector<FatDirEntry>& entries, const std::string& prefix, int depth) -> Status {
        for (const auto& e : entries) {
            std::string path = prefix.empty() ? e.name : prefix + "/" + e.name;
            if (!fn(path, e)) {
                stop = true;
                return {};
            }
            if (!e.is_directory()) continue;
            std::uint32_t key = e.first_cluster;
            if (!visited.insert(key).second)
                return src_->error_at(e.entry_offset, "directory loop: '" + path + "' points to cluster " +
                                                          std::to_string(key) + ", already visited");
            if (depth + 1 > kMaxDepth)
                return src_->error_at(e.entry_offset,
                                      "directories nested deeper than " + std::to_string(kMaxDepth));
            IMGPREP_ASSIGN(auto sub, list_directory(e));
            IMGPREP_TRY(rec(sub, path, depth + 1));
            if (stop) return {};
        }
        return {};
    };
    IMGPREP_ASSIGN(auto root, list_root());
    return rec(root, "", 0);
}

} // namespace imgprep
