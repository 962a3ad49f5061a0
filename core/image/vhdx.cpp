// VHDX ([MS-VHDX] "Virtual Hard Disk v2 (VHDX) File Format"): fixed, dynamic and differencing disks.
//
// Layout (all little-endian). 0: file type identifier ("vhdxfile" + creator). 64 KiB and 128 KiB: two 4 KiB
// headers with CRC-32C checksums; the valid one with the greater SequenceNumber is current. 192 KiB and
// 256 KiB: two copies of the region table, which locates the BAT and the metadata region. The metadata
// region holds a table of items: file parameters (block size, LeaveBlockAllocated, HasParent), virtual disk
// size, virtual disk id, logical and physical sector size, and (differencing) the parent locator.
//
// BAT. One 64-bit entry per payload block (state in bits 0-2, file offset in MiB in bits 20-63), with one
// sector-bitmap entry after every chunk-ratio payload entries (chunk ratio = 2^23 * logical sector size /
// block size). Payload states: NOT_PRESENT (dynamic: reads zeros; differencing: the parent), UNDEFINED and
// UNMAPPED (read as zeros, which the spec allows), ZERO (zeros), FULLY_PRESENT (the block in the file),
// PARTIALLY_PRESENT (differencing only: the chunk's 1 MiB sector bitmap, bit 0 of byte 0 = first sector, says
// per logical sector whether it is in this file or in the parent). Value 5 (UNMAPPED in the 0.95 draft) is
// read as UNMAPPED.
//
// Log. When the current header's LogGuid is not zero, the log holds metadata updates that may not have
// reached their place in the file. The log is replayed IN MEMORY (the file is never written): the active
// sequence is found as [MS-VHDX] 2.3.3 describes (every entry valid: signature, LogGuid, sequence numbers in
// descriptors and data sectors, CRC-32C; consecutive sequence numbers; the head's Tail inside the sequence;
// the greatest head sequence number wins), then its descriptors are applied, in order from the tail entry, to
// an overlay of 4 KiB sectors and zeroed ranges through which every read after the headers goes (region
// tables, metadata, BAT, bitmaps, payload). A file shorter than the head's FlushedFileOffset is refused as
// truncated; the file is treated as at least LastFileOffset long. A LogGuid with no valid sequence behind it
// is a warning, not an error: log entries are written and flushed before the updates they describe, so
// without a valid entry nothing pending can have reached the file.
//
// Parent (differencing). Locator keys relative_path, volume_path, absolute_win32_path are tried in that
// order ("\\?\" prefix dropped, backslashes turned into '/'); parent_linkage / parent_linkage2 must match the
// parent's DataWriteGuid, else a warning (the chain may be inconsistent).
#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "image/formats.h"
#include "util/endian.h"
#include "util/text.h"

namespace imgprep {
namespace {

constexpr std::uint64_t KiB = 1024, MiB = 1024 * 1024;
constexpr std::uint64_t kLogSector = 4096;
constexpr std::uint64_t kMaxVirtualSize = 64ull << 40; // 64 TiB ([MS-VHDX] 2.6.2.2)
// 64 MiB of BAT in memory at most: 8 TiB with the smallest blocks (1 MiB), the 64 TiB maximum from 8 MiB
// blocks up (the default is 32 MiB).
constexpr std::uint64_t kMaxPayloadBlocks = 8ull << 20;
constexpr std::uint64_t kMaxLogLength = 64 * MiB;  // held in memory while it is replayed
constexpr std::uint64_t kMaxCacheBytes = 16 * MiB; // sector bitmaps kept in memory

// ---------------------------------------------------------------------------------------------- CRC-32C

struct Crc32cTable {
    std::array<std::uint32_t, 256> t{};
    constexpr Crc32cTable() {
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            t[i] = c;
        }
    }
};
constexpr Crc32cTable kCrc;

std::uint32_t crc32c_update(std::uint32_t crc, std::span<const std::uint8_t> b) {
    for (auto c : b)
        crc = kCrc.t[(crc ^ c) & 0xFF] ^ (crc >> 8);
    return crc;
}

// CRC-32C of a structure whose 4-byte checksum field at `at` counts as zero.
std::uint32_t crc32c_skip(std::span<const std::uint8_t> b, std::size_t at) {
    static const std::uint8_t zeros[4] = {0, 0, 0, 0};
    std::uint32_t c = 0xFFFFFFFFu;
    c = crc32c_update(c, b.first(at));
    c = crc32c_update(c, zeros);
    c = crc32c_update(c, b.subspan(at + 4));
    return ~c;
}

// ---------------------------------------------------------------------------------------------- GUIDs, text

struct Guid {
    std::array<std::uint8_t, 16> b{};
    bool zero() const {
        return std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
    }
    bool operator==(const Guid&) const = default;
    // Windows layout: Data1 (LE32), Data2 (LE16), Data3 (LE16), Data4 (8 bytes).
    std::string str() const {
        char s[40];
        std::snprintf(s, sizeof s, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(b.data()),
                      le16(b.data() + 4), le16(b.data() + 6), b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                      b[15]);
        return s;
    }
};

Guid guid_at(const std::uint8_t* p) {
    Guid g;
    std::memcpy(g.b.data(), p, 16);
    return g;
}

// "2DC27766-F623-4200-9D64-115E9BFD4A08" -> on-disk bytes.
Guid guid_of(const char* s) {
    auto nib = [](char c) -> std::uint8_t {
        return std::uint8_t(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    };
    std::array<std::uint8_t, 16> v{};
    int k = 0;
    for (const char* p = s; *p && k < 16; ++p) {
        if (*p == '-') continue;
        v[k++] = std::uint8_t(nib(p[0]) << 4 | nib(p[1]));
        ++p;
    }
    Guid g;
    const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; ++i)
        g.b[i] = v[order[i]];
    return g;
}

const Guid kBatRegion = guid_of("2DC27766-F623-4200-9D64-115E9BFD4A08");
const Guid kMetadataRegion = guid_of("8B7CA206-4790-4B9A-B8FE-575F050F886E");
const Guid kFileParameters = guid_of("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
const Guid kVirtualDiskSize = guid_of("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
const Guid kVirtualDiskId = guid_of("BECA12AB-B2E6-4523-93EF-C309E000C746");
const Guid kLogicalSectorSize = guid_of("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
const Guid kPhysicalSectorSize = guid_of("CDA348C7-445D-4471-9CC9-E9885251C556");
const Guid kParentLocator = guid_of("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");
const Guid kVhdxParentType = guid_of("B04AEFB7-D19E-4A81-B789-25B8E9445913");

std::string normalize_guid_text(std::string s) {
    std::string out;
    for (char c : s)
        if (c != '{' && c != '}' && c != ' ') out += char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// ---------------------------------------------------------------------------------------------- log overlay

// The file as it is after the log replay: the source, with 4 KiB sectors and zeroed ranges laid over it, and
// zeros past the source's end up to the replayed file size. Immutable once built.
class OverlaySource final : public ByteSource {
  public:
    OverlaySource(SourcePtr base, std::uint64_t size) : base_(std::move(base)), size_(size) {}
    const std::string& name() const override { return base_->name(); }
    std::uint64_t size() const override { return size_; }
    std::uint64_t bytes_read() const override { return base_->bytes_read(); }

    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), size_))
            return error_at(offset,
                            "read of " + std::to_string(buf.size()) + " bytes past the end of the file");
        const std::uint64_t bsize = base_->size();
        const std::size_t have =
            offset >= bsize ? 0 : std::size_t(std::min<std::uint64_t>(buf.size(), bsize - offset));
        if (have) IMGPREP_TRY(base_->read_at(offset, buf.first(have)));
        std::memset(buf.data() + have, 0, buf.size() - have);
        const std::uint64_t end = offset + buf.size();
        auto it = pieces_.upper_bound(offset);
        if (it != pieces_.begin()) --it;
        for (; it != pieces_.end() && it->first < end; ++it) {
            const std::uint64_t a = std::max(offset, it->first), b = std::min(end, it->second.end);
            if (a >= b) continue;
            std::uint8_t* dst = buf.data() + (a - offset);
            if (it->second.data)
                std::memcpy(dst, it->second.data->data() + it->second.data_off + (a - it->first),
                            std::size_t(b - a));
            else
                std::memset(dst, 0, std::size_t(b - a));
        }
        return {};
    }

    // [start, end) := data (from data_off), or zeros when data is null. Later assignments win.
    void assign(std::uint64_t start, std::uint64_t end, std::shared_ptr<const std::vector<std::uint8_t>> data,
                std::uint64_t data_off) {
        auto it = pieces_.lower_bound(start);
        if (it != pieces_.begin() && std::prev(it)->second.end > start) --it;
        while (it != pieces_.end() && it->first < end) {
            const std::uint64_t s = it->first;
            const Piece p = it->second;
            it = pieces_.erase(it);
            if (s < start) pieces_.emplace(s, Piece{start, p.data, p.data_off});
            if (p.end > end)
                it = pieces_.emplace(end, Piece{p.end, p.data, p.data ? p.data_off + (end - s) : 0}).first;
        }
        pieces_.emplace(start, Piece{end, std::move(data), data_off});
        size_ = std::max(size_, end);
    }
    std::size_t pieces() const { return pieces_.size(); }

  private:
    struct Piece {
        std::uint64_t end;
        std::shared_ptr<const std::vector<std::uint8_t>> data; // null: zeros
        std::uint64_t data_off;
    };
    SourcePtr base_;
    std::uint64_t size_;
    std::map<std::uint64_t, Piece> pieces_;
};

struct LogEntry {
    std::uint64_t pos = 0; // offset in the log
    std::uint64_t length = 0;
    std::uint64_t tail = 0;
    std::uint64_t seq = 0;
    std::uint32_t descriptors = 0;
    std::uint64_t flushed = 0, last = 0;
};

class LogScanner {
  public:
    LogScanner(std::vector<std::uint8_t> log, const Guid& guid)
        : log_(std::move(log)), guid_(guid), budget_(4 * log_.size() + 16 * MiB) {}

    std::uint64_t length() const { return log_.size(); }
    // Bytes of the circular log starting at pos (wrapping).
    void copy(std::uint64_t pos, std::uint8_t* out, std::uint64_t n) const {
        const std::uint64_t len = log_.size();
        pos %= len;
        while (n) {
            const std::uint64_t k = std::min(n, len - pos);
            std::memcpy(out, log_.data() + pos, std::size_t(k));
            out += k;
            n -= k;
            pos = (pos + k) % len;
        }
    }
    const std::uint8_t* at(std::uint64_t pos) const {
        return log_.data() + pos % log_.size();
    } // within a sector

    static std::uint64_t descriptor_sectors(std::uint64_t count) { return (count + 2 + 127) / 128; }

    // The entry at pos if it is valid; an error only when the scan would cost too much (hostile log).
    Result<std::optional<LogEntry>> entry(std::uint64_t pos) {
        if (auto it = memo_.find(pos); it != memo_.end()) return it->second;
        IMGPREP_ASSIGN(auto e, validate(pos));
        memo_.emplace(pos, e);
        return e;
    }

  private:
    Result<std::optional<LogEntry>> validate(std::uint64_t pos) {
        const std::uint64_t L = log_.size();
        const std::uint8_t* h = at(pos);
        if (std::memcmp(h, "loge", 4) != 0) return std::optional<LogEntry>{};
        LogEntry e;
        e.pos = pos;
        e.length = le32(h + 8);
        e.tail = le32(h + 12);
        e.seq = le64(h + 16);
        e.descriptors = le32(h + 24);
        e.flushed = le64(h + 48);
        e.last = le64(h + 56);
        if (e.length == 0 || e.length % kLogSector || e.length > L || e.tail % kLogSector || e.tail >= L ||
            e.seq == 0 || guid_at(h + 32) != guid_)
            return std::optional<LogEntry>{};
        const std::uint64_t dsect = descriptor_sectors(e.descriptors);
        if (dsect * kLogSector > e.length) return std::optional<LogEntry>{};
        std::uint64_t data_sectors = 0;
        for (std::uint64_t i = 0; i < e.descriptors; ++i) {
            const std::uint8_t* d = at(pos + 64 + 32 * i);
            const bool is_data = std::memcmp(d, "desc", 4) == 0;
            if (!is_data && std::memcmp(d, "zero", 4) != 0) return std::optional<LogEntry>{};
            if (le64(d + 24) != e.seq) return std::optional<LogEntry>{};
            if (le64(d + 16) % kLogSector) return std::optional<LogEntry>{};
            if (!is_data && le64(d + 8) % kLogSector) return std::optional<LogEntry>{};
            if (is_data) {
                const std::uint64_t s = dsect + data_sectors++;
                if ((s + 1) * kLogSector > e.length) return std::optional<LogEntry>{};
                const std::uint8_t* ds = at(pos + s * kLogSector);
                if (std::memcmp(ds, "data", 4) != 0 || le32(ds + 4) != std::uint32_t(e.seq >> 32) ||
                    le32(ds + 4092) != std::uint32_t(e.seq))
                    return std::optional<LogEntry>{};
            }
        }
        if (budget_ < e.length)
            return make_error("", "the VHDX log is too damaged to scan within the work limit (corrupt log)");
        budget_ -= e.length;
        std::vector<std::uint8_t> whole(std::size_t(e.length));
        copy(pos, whole.data(), e.length);
        if (le32(whole.data() + 4) != crc32c_skip(whole, 4)) return std::optional<LogEntry>{};
        return std::optional<LogEntry>{e};
    }

    std::vector<std::uint8_t> log_;
    Guid guid_;
    std::uint64_t budget_;
    std::map<std::uint64_t, std::optional<LogEntry>> memo_;
};

// Finds the active sequence ([MS-VHDX] 2.3.3) and applies it to an overlay. Returns nullptr (with a warning)
// when there is no valid sequence.
Result<std::shared_ptr<OverlaySource>> replay_log(const SourcePtr& src, const Guid& log_guid,
                                                  std::uint64_t log_off, std::uint64_t log_len,
                                                  std::vector<std::string>& warnings,
                                                  std::vector<std::pair<std::string, std::string>>& details) {
    const std::uint64_t fsize = src->size();
    if (log_len == 0) {
        warnings.push_back("the header names a log (GUID " + log_guid.str() +
                           ") of length 0; nothing to replay");
        return std::shared_ptr<OverlaySource>();
    }
    if (log_len % MiB || log_off < MiB || log_off % MiB || !range_ok(log_off, log_len, fsize))
        return src->error_at(64 * KiB + 68, "the VHDX has a log to replay but its location (offset " +
                                                std::to_string(log_off) + ", length " +
                                                std::to_string(log_len) + ") is invalid or outside the file");
    if (log_len > kMaxLogLength)
        return src->error_at(64 * KiB + 68, "the VHDX log to replay is " + std::to_string(log_len) +
                                                " bytes, more than this reader replays in memory (" +
                                                std::to_string(kMaxLogLength) + ")");
    std::vector<std::uint8_t> raw(static_cast<std::size_t>(log_len));
    IMGPREP_TRY(src->read_at(log_off, raw));
    LogScanner scan(std::move(raw), log_guid);
    const std::uint64_t L = log_len;

    std::vector<LogEntry> best; // tail .. head
    std::uint64_t cur_tail = 0, old_tail = 0;
    for (std::uint64_t iter = 0; iter <= L / kLogSector + 1; ++iter) {
        std::vector<LogEntry> seq;
        std::uint64_t p = cur_tail, covered = 0;
        while (covered < L) {
            auto e = scan.entry(p);
            if (!e) return src->error_at(log_off, e.error().message);
            if (!*e) break;
            if (!seq.empty() && (*e)->seq != seq.back().seq + 1) break;
            seq.push_back(**e);
            covered += (*e)->length;
            p = (p + (*e)->length) % L;
        }
        bool valid = false;
        std::size_t tail_index = 0;
        if (!seq.empty())
            for (std::size_t i = 0; i < seq.size(); ++i)
                if (seq[i].pos == seq.back().tail) {
                    valid = true;
                    tail_index = i;
                    break;
                }
        if (valid && (best.empty() || seq.back().seq > best.back().seq))
            best.assign(seq.begin() + std::ptrdiff_t(tail_index), seq.end());
        if (!valid)
            cur_tail = (cur_tail + kLogSector) % L;
        else
            cur_tail = p;
        if (cur_tail <= old_tail) break; // wrapped: the whole log has been scanned
        old_tail = cur_tail;
    }
    if (best.empty()) {
        warnings.push_back("the header names a log (GUID " + log_guid.str() +
                           ") but the log holds no valid entry sequence; nothing to replay");
        return std::shared_ptr<OverlaySource>();
    }
    const LogEntry& head = best.back();
    if (fsize < head.flushed)
        return src->error("the VHDX file is truncated: it is " + std::to_string(fsize) +
                          " bytes but its log says it was at least " + std::to_string(head.flushed));
    auto overlay = std::make_shared<OverlaySource>(src, std::max(fsize, head.last));
    std::uint64_t sectors = 0, zeroed = 0;
    for (const LogEntry& e : best) {
        const std::uint64_t dsect = LogScanner::descriptor_sectors(e.descriptors);
        std::uint64_t k = 0;
        for (std::uint64_t i = 0; i < e.descriptors; ++i) {
            const std::uint8_t* d = scan.at(e.pos + 64 + 32 * i);
            const std::uint64_t target = le64(d + 16);
            if (std::memcmp(d, "zero", 4) == 0) {
                const std::uint64_t n = le64(d + 8);
                if (n == 0) continue;
                if (target > (std::uint64_t(1) << 52) || n > (std::uint64_t(1) << 52))
                    return src->error_at(log_off + e.pos, "log zero descriptor past any sane file size");
                overlay->assign(target, target + n, nullptr, 0);
                zeroed += n;
                continue;
            }
            if (target > (std::uint64_t(1) << 52))
                return src->error_at(log_off + e.pos, "log data descriptor past any sane file size");
            auto sector = std::make_shared<std::vector<std::uint8_t>>(kLogSector);
            scan.copy(e.pos + (dsect + k++) * kLogSector, sector->data(), kLogSector);
            std::memcpy(sector->data(), d + 8, 8);        // LeadingBytes
            std::memcpy(sector->data() + 4092, d + 4, 4); // TrailingBytes
            overlay->assign(target, target + kLogSector, std::move(sector), 0);
            ++sectors;
        }
    }
    warnings.push_back("the VHDX log was replayed in memory (" + std::to_string(best.size()) + " entries, " +
                       std::to_string(sectors) + " sectors written, " + std::to_string(zeroed) +
                       " bytes zeroed); the file itself was not modified");
    details.emplace_back("log_replayed", "sequence " + std::to_string(best.front().seq) + ".." +
                                             std::to_string(head.seq) + ", " + std::to_string(best.size()) +
                                             " entries");
    return overlay;
}

// ---------------------------------------------------------------------------------------------- reader

enum : std::uint8_t {
    kNotPresent = 0,
    kUndefined = 1,
    kZero = 2,
    kUnmapped = 3,
    kUnmappedV095 = 5,
    kFullyPresent = 6,
    kPartiallyPresent = 7
};

// Where the bytes of a piece of the virtual disk come from, according to this layer.
enum class Layer : std::uint8_t { File, Zero, Unallocated, Parent };

class VhdxReader final : public ImageReader {
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
        Layer cur = Layer::Zero;
        std::uint64_t cur_voff = offset, cur_foff = 0, cur_len = 0;
        auto flush = [&]() -> Status {
            if (cur_len == 0) return {};
            auto out = buf.subspan(std::size_t(cur_voff - offset), std::size_t(cur_len));
            cur_len = 0;
            return fill(cur, cur_voff, cur_foff, out);
        };
        // Consecutive pieces from the same place (contiguous blocks in the file, runs of zeros, the parent)
        // become one read.
        auto emit = [&](Layer l, std::uint64_t voff, std::uint64_t len, std::uint64_t foff) -> Status {
            if (l == Layer::Unallocated) l = Layer::Zero;
            if (cur_len && l == cur && cur_voff + cur_len == voff &&
                (l != Layer::File || cur_foff + cur_len == foff)) {
                cur_len += len;
                return {};
            }
            IMGPREP_TRY(flush());
            cur = l;
            cur_voff = voff;
            cur_foff = foff;
            cur_len = len;
            return {};
        };
        std::uint64_t pos = offset;
        const std::uint64_t end = offset + buf.size();
        while (pos < end) {
            const std::uint64_t blk = pos / block_size_, in_blk = pos % block_size_;
            const std::uint64_t n = std::min(block_size_ - in_blk, end - pos);
            const std::uint64_t e = bat_[std::size_t(blk)];
            const std::uint8_t st = std::uint8_t(e & 7);
            const std::uint64_t foff = (e >> 20) * MiB;
            if (st != kPartiallyPresent) {
                IMGPREP_TRY(emit(block_layer(st), pos, n, foff + in_blk));
                pos += n;
                continue;
            }
            IMGPREP_ASSIGN(Bitmap bm, bitmap(blk));
            if (bm.state != Bitmap::Mixed) {
                IMGPREP_TRY(bm.state == Bitmap::AllSet ? emit(Layer::File, pos, n, foff + in_blk)
                                                       : emit(Layer::Parent, pos, n, 0));
                pos += n;
                continue;
            }
            std::uint64_t p = pos;
            while (p < pos + n) {
                const std::uint64_t rel = p - blk * block_size_;
                const std::uint64_t s = rel / sector_;
                const bool set = bit(*bm.bits, s);
                const std::uint64_t stop =
                    std::min(pos + n, blk * block_size_ + run_end(*bm.bits, s, set) * sector_);
                IMGPREP_TRY(set ? emit(Layer::File, p, stop - p, foff + rel)
                                : emit(Layer::Parent, p, stop - p, 0));
                p = stop;
            }
            pos += n;
        }
        return flush();
    }

    Result<Extent> extent_at(std::uint64_t offset) const override {
        if (offset >= size_) return error_at(offset, "extent query past the end of the disk");
        std::optional<Layer> kind;
        std::uint64_t pos = offset;
        for (int blocks = 0; pos < size_ && blocks < 4096; ++blocks) {
            const std::uint64_t blk = pos / block_size_;
            const std::uint64_t blk_end = std::min(size_, (blk + 1) * block_size_);
            const std::uint64_t e = bat_[std::size_t(blk)];
            const std::uint8_t st = std::uint8_t(e & 7);
            Layer here = block_layer(st);
            std::uint64_t stop = blk_end;
            if (st == kPartiallyPresent) {
                IMGPREP_ASSIGN(Bitmap bm, bitmap(blk));
                if (bm.state == Bitmap::AllClear) {
                    here = Layer::Parent;
                } else if (bm.state == Bitmap::Mixed) {
                    const std::uint64_t s = (pos - blk * block_size_) / sector_;
                    const bool set = bit(*bm.bits, s);
                    here = set ? Layer::File : Layer::Parent;
                    stop = std::min(blk_end, blk * block_size_ + run_end(*bm.bits, s, set) * sector_);
                }
            }
            if (!kind)
                kind = here;
            else if (here != *kind)
                break;
            pos = stop;
            if (stop < blk_end) break;
        }
        const std::uint64_t len = pos - offset;
        switch (*kind) {
        case Layer::File:
            return Extent{offset, len, ExtentKind::Data};
        case Layer::Zero:
            return Extent{offset, len, ExtentKind::Zero};
        case Layer::Unallocated:
            return Extent{offset, len, ExtentKind::Unallocated};
        case Layer::Parent:
            break;
        }
        const std::uint64_t psize = parent_->size();
        if (offset >= psize) return Extent{offset, len, ExtentKind::Unallocated};
        IMGPREP_ASSIGN(Extent pe, parent_->extent_at(offset));
        const std::uint64_t n = std::min({pe.length, len, psize - offset});
        if (n == 0) return error_at(offset, "parent returned an empty extent");
        return Extent{offset, n, pe.kind};
    }

    static Result<ImagePtr> open(SourcePtr src, OpenContext& ctx);

  private:
    struct Bitmap {
        enum State : std::uint8_t { Unknown, AllSet, AllClear, Mixed } state = Unknown;
        std::shared_ptr<const std::vector<std::uint8_t>> bits;
    };

    Layer block_layer(std::uint8_t st) const {
        switch (st) {
        case kFullyPresent:
            return Layer::File;
        case kZero:
        case kUnmapped:
        case kUnmappedV095:
            return Layer::Zero;
        case kNotPresent:
            return parent_ ? Layer::Parent : Layer::Unallocated;
        default:
            return Layer::Unallocated; // UNDEFINED (and nothing else passes open())
        }
    }

    static bool bit(const std::vector<std::uint8_t>& bits, std::uint64_t s) {
        return (bits[std::size_t(s / 8)] >> (s % 8)) & 1; // bit 0 of byte 0 = first sector
    }
    static std::uint64_t run_end(const std::vector<std::uint8_t>& bits, std::uint64_t s, bool set) {
        const std::uint8_t full = set ? 0xFF : 0x00;
        const std::uint64_t limit = bits.size() * 8;
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

    std::uint64_t sectors_in_block(std::uint64_t blk) const {
        const std::uint64_t bytes = std::min(block_size_, size_ - blk * block_size_);
        return (bytes + sector_ - 1) / sector_;
    }

    // The part of the chunk's sector bitmap that covers one PARTIALLY_PRESENT block.
    Result<Bitmap> bitmap(std::uint64_t blk) const {
        {
            std::lock_guard lock(mu_);
            auto it = bitmaps_.find(blk);
            if (it != bitmaps_.end()) return it->second;
        }
        const std::uint64_t sectors = sectors_in_block(blk);
        const std::uint64_t per_block = block_size_ / sector_ / 8; // bitmap bytes per payload block
        const std::uint64_t sb = sb_[std::size_t(blk / chunk_ratio_)];
        const std::uint64_t at = (sb >> 20) * MiB + (blk % chunk_ratio_) * per_block;
        auto bits = std::make_shared<std::vector<std::uint8_t>>(std::size_t((sectors + 7) / 8));
        IMGPREP_TRY(file_->read_at(at, *bits));
        if (sectors % 8) bits->back() &= std::uint8_t((1u << (sectors % 8)) - 1); // bits past the disk's end
        const std::uint8_t last_full = sectors % 8 ? std::uint8_t((1u << (sectors % 8)) - 1) : 0xFF;
        bool all_set = true, all_clear = true;
        for (std::size_t i = 0; i < bits->size(); ++i) {
            const std::uint8_t full = i + 1 == bits->size() ? last_full : 0xFF;
            all_set = all_set && (*bits)[i] == full;
            all_clear = all_clear && (*bits)[i] == 0;
        }
        Bitmap bm;
        bm.state = all_set ? Bitmap::AllSet : all_clear ? Bitmap::AllClear : Bitmap::Mixed;
        if (bm.state == Bitmap::Mixed) bm.bits = bits;
        std::lock_guard lock(mu_);
        if (bitmaps_.size() >= 4096 || cache_bytes_ > kMaxCacheBytes) { // bounded cache
            bitmaps_.clear();
            cache_bytes_ = 0;
        }
        if (bitmaps_.emplace(blk, bm).second && bm.bits) cache_bytes_ += bm.bits->size();
        return bm;
    }

    Status fill(Layer l, std::uint64_t voff, std::uint64_t foff, std::span<std::uint8_t> out) const {
        if (l == Layer::File) return file_->read_at(foff, out);
        if (l != Layer::Parent) {
            std::memset(out.data(), 0, out.size());
            return {};
        }
        const std::uint64_t psize = parent_->size();
        const std::size_t have =
            voff >= psize ? 0 : std::size_t(std::min<std::uint64_t>(out.size(), psize - voff));
        if (have) IMGPREP_TRY(parent_->read_at(voff, out.first(have)));
        std::memset(out.data() + have, 0, out.size() - have);
        return {};
    }

    SourcePtr src_;  // the file
    SourcePtr file_; // the file as seen after the log replay (src_ when there is no log)
    ImagePtr parent_;
    ImageInfo info_;
    std::uint64_t size_ = 0;
    std::uint64_t block_size_ = 0;
    std::uint64_t sector_ = 512;
    std::uint64_t chunk_ratio_ = 0;
    std::vector<std::uint64_t> bat_; // payload entries
    std::vector<std::uint64_t> sb_;  // sector bitmap entries, one per chunk
    mutable std::mutex mu_;
    mutable std::unordered_map<std::uint64_t, Bitmap> bitmaps_;
    mutable std::uint64_t cache_bytes_ = 0;
};

struct Header {
    std::uint64_t offset = 0;
    std::uint64_t seq = 0;
    Guid file_write, data_write, log;
    std::uint16_t log_version = 0, version = 0;
    std::uint32_t log_length = 0;
    std::uint64_t log_offset = 0;
};

Result<ImagePtr> VhdxReader::open(SourcePtr src, OpenContext& ctx) {
    const std::uint64_t fsize = src->size();
    if (fsize < 320 * KiB)
        return src->error("file too small for a VHDX header section (" + std::to_string(fsize) + " bytes)");
    auto r = std::unique_ptr<VhdxReader>(new VhdxReader());
    r->src_ = src;
    ImageInfo& info = r->info_;
    info.format = "vhdx";
    info.file_size = fsize;
    info.files = {src->name()};

    std::vector<std::uint8_t> ident(520);
    IMGPREP_TRY(src->read_at(0, ident));
    if (std::memcmp(ident.data(), "vhdxfile", 8) != 0)
        return src->error_at(0, "no VHDX signature ('vhdxfile')");
    if (auto creator = utf16_to_utf8(std::span(ident).subspan(8, 512)); !creator.empty())
        info.details.emplace_back("creator", creator);

    // Headers.
    std::optional<Header> h[2];
    std::string why[2];
    for (int i = 0; i < 2; ++i) {
        std::vector<std::uint8_t> b(4096);
        const std::uint64_t off = (i + 1) * 64 * KiB;
        IMGPREP_TRY(src->read_at(off, b));
        if (std::memcmp(b.data(), "head", 4) != 0) {
            why[i] = "no 'head' signature";
            continue;
        }
        if (le32(b.data() + 4) != crc32c_skip(b, 4)) {
            why[i] = "checksum mismatch";
            continue;
        }
        Header x;
        x.offset = off;
        x.seq = le64(b.data() + 8);
        x.file_write = guid_at(b.data() + 16);
        x.data_write = guid_at(b.data() + 32);
        x.log = guid_at(b.data() + 48);
        x.log_version = le16(b.data() + 64);
        x.version = le16(b.data() + 66);
        x.log_length = le32(b.data() + 68);
        x.log_offset = le64(b.data() + 72);
        if (x.version != 1) {
            why[i] = "version " + std::to_string(x.version) + " (only 1 is defined)";
            continue;
        }
        h[i] = x;
    }
    if (!h[0] && !h[1])
        return src->error_at(64 * KiB, "neither VHDX header is valid (header 1: " + why[0] +
                                           "; header 2: " + why[1] + ")");
    const Header hdr = !h[1] ? *h[0] : !h[0] ? *h[1] : (h[1]->seq > h[0]->seq ? *h[1] : *h[0]);
    for (int i = 0; i < 2; ++i)
        if (!h[i])
            info.warnings.push_back("VHDX header " + std::to_string(i + 1) + " is invalid (" + why[i] + ")");
    info.details.emplace_back("file_write_guid", hdr.file_write.str());
    info.details.emplace_back("data_write_guid", hdr.data_write.str());

    // The log.
    r->file_ = src;
    if (!hdr.log.zero()) {
        if (hdr.log_version != 0)
            return src->error_at(hdr.offset + 64,
                                 "the VHDX log has version " + std::to_string(hdr.log_version) +
                                     " (only 0 is defined) and must be replayed; cannot open");
        info.details.emplace_back("log_guid", hdr.log.str());
        IMGPREP_ASSIGN(auto overlay,
                       replay_log(src, hdr.log, hdr.log_offset, hdr.log_length, info.warnings, info.details));
        if (overlay) r->file_ = overlay;
    }
    const SourcePtr& file = r->file_;
    const std::uint64_t esize = file->size(); // file size after the replay

    // Region table (first valid copy).
    std::uint64_t bat_off = 0, bat_len = 0, meta_off = 0, meta_len = 0;
    {
        std::vector<std::uint8_t> rt(64 * KiB);
        std::string bad[2];
        bool found = false;
        for (int i = 0; i < 2 && !found; ++i) {
            const std::uint64_t off = (3 + i) * 64 * KiB;
            IMGPREP_TRY(file->read_at(off, rt));
            if (std::memcmp(rt.data(), "regi", 4) != 0) {
                bad[i] = "no 'regi' signature";
                continue;
            }
            if (le32(rt.data() + 4) != crc32c_skip(rt, 4)) {
                bad[i] = "checksum mismatch";
                continue;
            }
            const std::uint32_t count = le32(rt.data() + 8);
            if (count > 2047) {
                bad[i] = "entry count " + std::to_string(count) + " over 2047";
                continue;
            }
            if (i == 1)
                info.warnings.push_back("VHDX region table 1 is invalid (" + bad[0] + "); using its copy");
            found = true;
            bool have_bat = false, have_meta = false;
            for (std::uint32_t k = 0; k < count; ++k) {
                const std::uint8_t* e = rt.data() + 16 + 32 * k;
                const Guid g = guid_at(e);
                const std::uint64_t fo = le64(e + 16);
                const std::uint32_t len = le32(e + 24);
                const bool required = le32(e + 28) & 1;
                const std::uint64_t at = off + 16 + 32 * k;
                if (g == kBatRegion || g == kMetadataRegion) {
                    bool& have = g == kBatRegion ? have_bat : have_meta;
                    if (have) return src->error_at(at, "duplicate region " + g.str());
                    have = true;
                    if (fo < MiB || fo % MiB || len == 0 || !range_ok(fo, len, esize))
                        return src->error_at(at, std::string(g == kBatRegion ? "BAT" : "metadata") +
                                                     " region at " + std::to_string(fo) + " (" +
                                                     std::to_string(len) +
                                                     " bytes) is misplaced or outside the file (size " +
                                                     std::to_string(esize) + ")");
                    (g == kBatRegion ? bat_off : meta_off) = fo;
                    (g == kBatRegion ? bat_len : meta_len) = len;
                } else if (required) {
                    return src->error_at(at, "the VHDX requires region " + g.str() +
                                                 ", which this reader does not know");
                }
            }
            if (!have_bat || !have_meta)
                return src->error_at(off, std::string("the region table has no ") +
                                              (have_bat ? "metadata" : "BAT") + " region");
        }
        if (!found)
            return src->error_at(192 * KiB,
                                 "neither VHDX region table is valid (" + bad[0] + "; " + bad[1] + ")");
    }

    // Metadata.
    if (meta_len < 64 * KiB) return src->error_at(meta_off, "metadata region smaller than its 64 KiB table");
    std::vector<std::uint8_t> mt(64 * KiB);
    IMGPREP_TRY(file->read_at(meta_off, mt));
    if (std::memcmp(mt.data(), "metadata", 8) != 0)
        return src->error_at(meta_off, "no metadata table signature ('metadata')");
    const std::uint16_t mcount = le16(mt.data() + 10);
    if (mcount > 2047)
        return src->error_at(meta_off + 10, "metadata table has " + std::to_string(mcount) + " entries");
    std::map<std::string, std::vector<std::uint8_t>> items; // by GUID string
    for (std::uint16_t k = 0; k < mcount; ++k) {
        const std::uint8_t* e = mt.data() + 32 + 32 * k;
        const Guid g = guid_at(e);
        const std::uint32_t off = le32(e + 16), len = le32(e + 20), flags = le32(e + 24);
        const std::uint64_t at = meta_off + 32 + 32 * k;
        const bool known = g == kFileParameters || g == kVirtualDiskSize || g == kVirtualDiskId ||
                           g == kLogicalSectorSize || g == kPhysicalSectorSize || g == kParentLocator;
        if (!known) {
            if (flags & 4)
                return src->error_at(at, "the VHDX requires metadata item " + g.str() + ", which is unknown");
            continue;
        }
        if (len > MiB || (len && (off < 64 * KiB || !range_ok(off, len, meta_len))))
            return src->error_at(at, "metadata item " + g.str() + " (offset " + std::to_string(off) +
                                         ", length " + std::to_string(len) +
                                         ") lies outside the metadata region");
        std::vector<std::uint8_t> v(len);
        if (len) IMGPREP_TRY(file->read_at(meta_off + off, v));
        if (!items.emplace(g.str(), std::move(v)).second)
            return src->error_at(at, "duplicate metadata item " + g.str());
    }
    auto item = [&](const Guid& g, std::size_t min_len,
                    const char* what) -> Result<const std::vector<std::uint8_t>*> {
        auto it = items.find(g.str());
        if (it == items.end())
            return src->error_at(meta_off, std::string("required metadata item missing: ") + what);
        if (it->second.size() < min_len)
            return src->error_at(meta_off, std::string("metadata item too short: ") + what);
        return &it->second;
    };
    IMGPREP_ASSIGN(auto fp, item(kFileParameters, 8, "file parameters"));
    IMGPREP_ASSIGN(auto vds, item(kVirtualDiskSize, 8, "virtual disk size"));
    IMGPREP_ASSIGN(auto lss_item, item(kLogicalSectorSize, 4, "logical sector size"));
    const std::uint32_t bs = le32(fp->data());
    const std::uint32_t fflags = le32(fp->data() + 4);
    const bool leave_allocated = fflags & 1, has_parent = fflags & 2;
    const std::uint64_t vsize = le64(vds->data());
    const std::uint32_t lss = le32(lss_item->data());
    if (bs < MiB || bs > 256 * MiB || (bs & (bs - 1)))
        return src->error_at(meta_off, "block size " + std::to_string(bs) +
                                           " is not a power of two between 1 MiB and 256 MiB");
    if (lss != 512 && lss != 4096)
        return src->error_at(meta_off,
                             "logical sector size " + std::to_string(lss) + " (must be 512 or 4096)");
    if (vsize == 0) return src->error_at(meta_off, "virtual disk size is 0");
    if (vsize > kMaxVirtualSize)
        return src->error_at(meta_off,
                             "virtual disk size " + std::to_string(vsize) + " is over the 64 TiB maximum");
    if (vsize % lss)
        info.warnings.push_back("virtual disk size is not a multiple of the logical sector size");
    if (auto it = items.find(kPhysicalSectorSize.str()); it != items.end() && it->second.size() >= 4) {
        const std::uint32_t pss = le32(it->second.data());
        info.details.emplace_back("physical_sector_size", std::to_string(pss));
        if (pss != 512 && pss != 4096)
            info.warnings.push_back("physical sector size " + std::to_string(pss) + " is invalid");
    } else {
        info.warnings.push_back("no physical sector size metadata item");
    }
    if (auto it = items.find(kVirtualDiskId.str()); it != items.end() && it->second.size() >= 16)
        info.details.emplace_back("virtual_disk_id", guid_at(it->second.data()).str());
    r->size_ = vsize;
    r->block_size_ = bs;
    r->sector_ = lss;
    r->chunk_ratio_ = (std::uint64_t(1) << 23) * lss / bs;
    info.virtual_size = vsize;
    info.sector_size = lss;
    info.cluster_size = bs;
    info.subformat = has_parent ? "differencing" : leave_allocated ? "fixed" : "dynamic";

    // BAT.
    const std::uint64_t cr = r->chunk_ratio_;
    const std::uint64_t payload = (vsize + bs - 1) / bs;
    const std::uint64_t chunks = (payload + cr - 1) / cr;
    if (payload > kMaxPayloadBlocks)
        return src->error_at(meta_off, std::to_string(payload) +
                                           " payload blocks is more than this reader accepts (" +
                                           std::to_string(kMaxPayloadBlocks) + ")");
    const std::uint64_t entries = has_parent ? chunks * (cr + 1) : payload + (payload - 1) / cr;
    if (entries * 8 > bat_len)
        return src->error_at(bat_off, "the BAT region (" + std::to_string(bat_len) +
                                          " bytes) is too small for " + std::to_string(entries) + " entries");
    r->bat_.resize(std::size_t(payload));
    r->sb_.resize(std::size_t(chunks));
    {
        std::vector<std::uint8_t> chunk;
        const std::uint64_t step = 4 * MiB;
        for (std::uint64_t i = 0; i < entries * 8; i += step) {
            chunk.resize(std::size_t(std::min(step, entries * 8 - i)));
            IMGPREP_TRY(file->read_at(bat_off + i, chunk));
            for (std::size_t k = 0; k < chunk.size(); k += 8) {
                const std::uint64_t idx = (i + k) / 8;
                const std::uint64_t e = le64(chunk.data() + k);
                // A differencing BAT covers whole chunks: entries past the last block are not kept.
                if (idx % (cr + 1) == cr) {
                    if (idx / (cr + 1) < chunks) r->sb_[std::size_t(idx / (cr + 1))] = e;
                } else if (idx - idx / (cr + 1) < payload) {
                    r->bat_[std::size_t(idx - idx / (cr + 1))] = e;
                }
            }
        }
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> used; // [start, end) in the file
    used.emplace_back(0, MiB);
    used.emplace_back(bat_off, bat_off + bat_len);
    used.emplace_back(meta_off, meta_off + meta_len);
    if (!hdr.log.zero() && hdr.log_length) used.emplace_back(hdr.log_offset, hdr.log_offset + hdr.log_length);
    std::uint64_t present = 0, partial = 0, zeroes = 0;
    bool warned_v095 = false;
    std::vector<bool> sb_used(std::size_t(chunks), false);
    for (std::uint64_t i = 0; i < payload; ++i) {
        const std::uint64_t e = r->bat_[std::size_t(i)];
        const std::uint8_t st = std::uint8_t(e & 7);
        const std::uint64_t at = bat_off + 8 * (i + i / cr);
        if (st == 4) return src->error_at(at, "BAT entry " + std::to_string(i) + " has the reserved state 4");
        if (st == kUnmappedV095 && !warned_v095) {
            info.warnings.push_back(
                "BAT uses state 5 (UNMAPPED in the 0.95 draft of the format); read as zeros");
            warned_v095 = true;
        }
        if (st == kZero || st == kUnmapped || st == kUnmappedV095) ++zeroes;
        if (st != kFullyPresent && st != kPartiallyPresent) continue;
        if (st == kPartiallyPresent) {
            if (!has_parent)
                return src->error_at(at, "BAT entry " + std::to_string(i) +
                                             " is PARTIALLY_PRESENT, which only differencing disks may use");
            const std::uint64_t c = i / cr;
            const std::uint64_t sb = r->sb_[std::size_t(c)];
            if ((sb & 7) != 6)
                return src->error_at(at,
                                     "block " + std::to_string(i) +
                                         " is PARTIALLY_PRESENT but its sector bitmap block is not present");
            if (!sb_used[std::size_t(c)]) {
                const std::uint64_t so = (sb >> 20) * MiB;
                if (so < MiB || !range_ok(so, MiB, esize))
                    return src->error_at(bat_off + 8 * (c * (cr + 1) + cr),
                                         "sector bitmap block of chunk " + std::to_string(c) + " at offset " +
                                             std::to_string(so) + " lies outside the file");
                used.emplace_back(so, so + MiB);
                sb_used[std::size_t(c)] = true;
            }
            ++partial;
        }
        const std::uint64_t fo = (e >> 20) * MiB;
        const std::uint64_t len = std::min<std::uint64_t>(bs, vsize - i * bs);
        if (fo < MiB || !range_ok(fo, len, esize))
            return src->error_at(at, "BAT entry " + std::to_string(i) + " places the block at offset " +
                                         std::to_string(fo) + " (" + std::to_string(len) +
                                         " bytes), outside the file (size " + std::to_string(esize) +
                                         "): the file is truncated or the BAT is corrupt");
        used.emplace_back(fo, fo + len);
        ++present;
    }
    IMGPREP_TRY(check_disjoint(*src, std::move(used), "VHDX"));
    info.details.emplace_back("blocks", std::to_string(present) + " present (" + std::to_string(partial) +
                                            " partially), " + std::to_string(zeroes) + " zero/unmapped, of " +
                                            std::to_string(payload));

    if (!has_parent) return ImagePtr(std::move(r));

    // Parent locator.
    IMGPREP_ASSIGN(auto pl, item(kParentLocator, 20, "parent locator"));
    if (guid_at(pl->data()) != kVhdxParentType)
        return src->error_at(meta_off, "parent locator of unknown type " + guid_at(pl->data()).str() +
                                           " (only VHDX parents are defined)");
    const std::uint16_t kv = le16(pl->data() + 18);
    if (20 + std::uint64_t(kv) * 12 > pl->size())
        return src->error_at(meta_off, "parent locator has more entries than fit in it");
    std::map<std::string, std::string> keys;
    for (std::uint16_t k = 0; k < kv; ++k) {
        const std::uint8_t* e = pl->data() + 20 + 12 * k;
        const std::uint32_t ko = le32(e), vo = le32(e + 4);
        const std::uint16_t kl = le16(e + 8), vl = le16(e + 10);
        if (!range_ok(ko, kl, pl->size()) || !range_ok(vo, vl, pl->size()))
            return src->error_at(meta_off,
                                 "parent locator entry " + std::to_string(k) + " points outside the item");
        keys[utf16_to_utf8(std::span(pl->data() + ko, kl))] = utf16_to_utf8(std::span(pl->data() + vo, vl));
    }
    std::vector<std::string> candidates;
    for (const char* key : {"relative_path", "volume_path", "absolute_win32_path"})
        if (auto it = keys.find(key); it != keys.end() && !it->second.empty()) {
            info.details.emplace_back(std::string("parent_") + key, it->second);
            candidates.push_back(windows_path_to_generic(it->second));
        }
    std::vector<std::string> linkage;
    for (const char* key : {"parent_linkage", "parent_linkage2"})
        if (auto it = keys.find(key); it != keys.end()) {
            info.details.emplace_back(key, it->second);
            linkage.push_back(normalize_guid_text(it->second));
        }
    if (linkage.empty()) info.warnings.push_back("the parent locator has no parent_linkage");
    auto parent = ctx.open_backing(src->name(), candidates);
    if (!parent) return parent.take_error();
    r->parent_ = std::move(parent).value();
    const ImageInfo& pi = r->parent_->info();
    info.details.emplace_back("parent_path", r->parent_->name());
    if (pi.format != "vhdx") {
        info.warnings.push_back("the parent is a " + pi.format +
                                " image, not a VHDX; its identity cannot be checked");
    } else if (!linkage.empty()) {
        std::string dwg;
        for (const auto& [k, v] : pi.details)
            if (k == "data_write_guid") dwg = v;
        if (std::find(linkage.begin(), linkage.end(), normalize_guid_text(dwg)) == linkage.end())
            info.warnings.push_back(
                "parent linkage mismatch: this image expects {" + linkage.front() + "} but " +
                r->parent_->name() + " has DataWriteGuid {" + dwg +
                "} (the parent was modified after this image was created; the chain may be "
                "inconsistent)");
        if (pi.sector_size != lss)
            info.warnings.push_back("the parent's logical sector size (" + std::to_string(pi.sector_size) +
                                    ") differs from this image's (" + std::to_string(lss) + ")");
    }
    if (r->parent_->size() != vsize)
        info.warnings.push_back("the parent's virtual size (" + std::to_string(r->parent_->size()) +
                                ") differs from this image's (" + std::to_string(vsize) + ")");
    return ImagePtr(std::move(r));
}

} // namespace

Result<ImagePtr> open_vhdx(SourcePtr src, OpenContext& ctx) {
    return VhdxReader::open(std::move(src), ctx);
}

} // namespace imgprep
