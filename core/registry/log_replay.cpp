// Transaction-log replay (see log_replay.h). Layout facts from "Windows registry file format specification"
// (M. Suhanov); the choice of logs follows its "Multiple transaction log files" section.
#include "registry/log_replay.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <optional>

#include "util/endian.h"

namespace imgprep::registry {

namespace {

constexpr std::uint32_t kBaseBlockSize = 4096;
constexpr std::uint32_t kLogBaseSize = 512; // the base block copy in a log is one 512-byte sector
constexpr std::uint32_t kChunk = 512;       // granularity of the page overlay (pages are multiples of it)
constexpr std::uint32_t kEntryHeader = 40;

std::uint32_t rotl(std::uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

void marvin_block(std::uint32_t& lo, std::uint32_t& hi) {
    hi ^= lo;
    lo = rotl(lo, 20) + hi;
    hi = rotl(hi, 9) ^ lo;
    lo = rotl(lo, 27) + hi;
    hi = rotl(hi, 19);
}

std::uint32_t xor32_checksum(const std::uint8_t* p) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 508; i += 4)
        sum ^= le32(p + i);
    if (sum == 0xffffffffu) sum = 0xfffffffeu;
    if (sum == 0) sum = 1;
    return sum;
}

// The fields of a base block (primary: 4096 bytes; log: its first 512 bytes) that replay needs.
struct BaseBlock {
    bool regf = false;
    bool checksum_ok = false;
    std::uint32_t seq1 = 0, seq2 = 0;
    std::uint64_t last_written = 0;
    std::uint32_t major = 0, minor = 0, file_type = 0;
    std::uint32_t bins_size = 0;
    std::uint32_t flags = 0;
};

BaseBlock parse_base(const std::uint8_t* p) {
    BaseBlock b;
    b.regf = std::memcmp(p, "regf", 4) == 0;
    b.seq1 = le32(p + 4);
    b.seq2 = le32(p + 8);
    b.last_written = le64(p + 12);
    b.major = le32(p + 20);
    b.minor = le32(p + 24);
    b.file_type = le32(p + 28);
    b.bins_size = le32(p + 40);
    b.flags = le32(p + 144);
    b.checksum_ok = xor32_checksum(p) == le32(p + 508);
    return b;
}

// True when a comes before b in sequence-number order (32-bit numbers that may wrap).
bool seq_before(std::uint32_t a, std::uint32_t b) {
    return a != b && std::uint32_t(b - a) <= 0x7fffffffu;
}

// A ByteSource laying 512-byte chunks (and a rewritten base block) over the primary file. Reads past the
// primary's end that no chunk covers read zeros (the hive grew in the logs).
class OverlaySource final : public ByteSource {
  public:
    using Chunks = std::map<std::uint64_t, std::array<std::uint8_t, kChunk>>; // file offset -> bytes
    OverlaySource(SourcePtr base, std::vector<std::uint8_t> header, Chunks chunks, std::uint64_t size)
        : base_(std::move(base)), header_(std::move(header)), chunks_(std::move(chunks)), size_(size),
          name_(base_->name()) {}
    const std::string& name() const override { return name_; }
    std::uint64_t size() const override { return size_; }
    std::uint64_t bytes_read() const override { return base_->bytes_read(); }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), size_))
            return error_at(offset, "read of " + std::to_string(buf.size()) + " bytes past the end (" +
                                        std::to_string(size_) + " bytes, transaction logs applied)");
        std::uint64_t pos = offset;
        std::size_t done = 0;
        while (done < buf.size()) {
            const std::size_t left = buf.size() - done;
            if (pos < header_.size()) {
                const std::size_t n = std::min<std::uint64_t>(left, header_.size() - pos);
                std::memcpy(buf.data() + done, header_.data() + pos, n);
                pos += n, done += n;
                continue;
            }
            const std::uint64_t chunk_start = pos - pos % kChunk;
            auto it = chunks_.lower_bound(chunk_start);
            if (it != chunks_.end() && it->first == chunk_start) {
                const std::size_t in = std::size_t(pos - chunk_start);
                const std::size_t n = std::min<std::size_t>(left, kChunk - in);
                std::memcpy(buf.data() + done, it->second.data() + in, n);
                pos += n, done += n;
                continue;
            }
            // From the primary up to the next chunk (zeros past the primary's end).
            std::uint64_t until = pos + left;
            if (it != chunks_.end()) until = std::min(until, it->first);
            const std::size_t n = std::size_t(until - pos);
            const std::uint64_t from_base =
                pos < base_->size() ? std::min<std::uint64_t>(n, base_->size() - pos) : 0;
            if (from_base > 0) IMGPREP_TRY(base_->read_at(pos, buf.subspan(done, std::size_t(from_base))));
            std::memset(buf.data() + done + from_base, 0, n - std::size_t(from_base));
            pos += n, done += n;
        }
        return {};
    }

  private:
    SourcePtr base_;
    std::vector<std::uint8_t> header_;
    Chunks chunks_;
    std::uint64_t size_;
    std::string name_;
};

enum class LogKind { Absent, Unusable, New, Old };

struct LogCandidate {
    const char* label = ""; // "LOG", "LOG1", "LOG2"
    SourcePtr src;
    LogKind kind = LogKind::Absent;
    BaseBlock base;
    std::vector<std::uint8_t> base_bytes; // its first 512 bytes
    std::string why;                      // for Unusable
};

LogCandidate classify(const char* label, const SourcePtr& src) {
    LogCandidate c;
    c.label = label;
    c.src = src;
    if (!src) return c;
    c.kind = LogKind::Unusable;
    if (src->size() > kMaxLogBytes) {
        c.why = std::to_string(src->size()) + " bytes, more than the " + std::to_string(kMaxLogBytes) +
                " bytes a transaction log is allowed here";
        return c;
    }
    if (src->size() < kLogBaseSize + kEntryHeader) {
        c.why = src->size() == 0 ? "empty" : "too small (" + std::to_string(src->size()) + " bytes)";
        return c;
    }
    c.base_bytes.resize(kLogBaseSize);
    if (auto st = src->read_at(0, c.base_bytes); !st) {
        c.why = st.error().describe();
        return c;
    }
    c.base = parse_base(c.base_bytes.data());
    const BaseBlock& b = c.base;
    if (!b.regf)
        c.why = "no \"regf\" signature";
    else if (!b.checksum_ok)
        c.why = "its base block checksum is wrong";
    else if (b.seq1 != b.seq2)
        c.why = "its own base block is dirty (sequence numbers " + std::to_string(b.seq1) + " and " +
                std::to_string(b.seq2) + ")";
    else if (b.major != 1)
        c.why = "major version " + std::to_string(b.major);
    else if (b.bins_size < 4096 || b.bins_size % 4096 != 0 || b.bins_size > kMaxHiveBinsSize)
        c.why = "hive bins size " + std::to_string(b.bins_size) + " is invalid";
    else if (b.file_type == 6)
        c.kind = LogKind::New;
    else if (b.file_type == 1 || b.file_type == 2)
        c.kind = LogKind::Old;
    else
        c.why = "file type " + std::to_string(b.file_type) + " is not a transaction log (1, 2 or 6)";
    return c;
}

// Replay state shared by the logs applied one after another.
struct State {
    OverlaySource::Chunks chunks;
    std::uint32_t bins_size = 0;
    std::uint32_t flags = 0;
    std::optional<std::uint32_t> first, last; // sequence numbers applied
    std::uint32_t entries = 0;
    std::uint64_t pages = 0, bytes = 0;
};

void put_page(State& s, std::uint64_t file_offset, const std::uint8_t* data, std::uint32_t size) {
    for (std::uint32_t i = 0; i < size; i += kChunk)
        std::memcpy(s.chunks[file_offset + i].data(), data + i, kChunk);
}

// Applies the consecutive valid entries of one new-format log, starting with sequence number `expected`.
// Returns the number of entries applied; why it stopped early (a corrupt entry) goes to warnings.
std::uint32_t apply_new_log(const LogCandidate& log, std::uint32_t expected, State& s,
                            std::vector<std::string>& warnings) {
    const ByteSource& src = *log.src;
    const std::uint64_t size = src.size();
    std::uint64_t pos = kLogBaseSize;
    std::uint32_t applied = 0;
    auto corrupt = [&](const std::string& what) {
        warnings.push_back(src.name() + ": log entry at offset " + std::to_string(pos) + " (sequence " +
                           std::to_string(expected) + ") " + what + "; replay stops before it");
    };
    // Each iteration advances pos by at least 512 bytes: bounded by the log size.
    while (pos + kEntryHeader <= size) {
        std::uint8_t h[kEntryHeader];
        if (!src.read_at(pos, h)) break;
        if (std::memcmp(h, "HvLE", 4) != 0) break; // end of the entries (zeros, or remnants)
        const std::uint32_t esize = le32(h + 4), flags = le32(h + 8), seq = le32(h + 12);
        const std::uint32_t bins = le32(h + 16), count = le32(h + 20);
        if (seq != expected) break; // an older entry already applied to the primary: the end
        if (esize < 512 || esize % 512 != 0 || esize > size - pos) {
            corrupt("has an invalid size " + std::to_string(esize));
            break;
        }
        if (bins < 4096 || bins % 4096 != 0 || bins > kMaxHiveBinsSize) {
            corrupt("has an invalid hive bins size " + std::to_string(bins));
            break;
        }
        if (count == 0 || count > (esize - kEntryHeader) / 8) {
            corrupt("has an invalid dirty page count " + std::to_string(count));
            break;
        }
        std::vector<std::uint8_t> e(esize);
        if (auto st = src.read_at(pos, e); !st) {
            corrupt("cannot be read (" + st.error().describe() + ")");
            break;
        }
        const std::uint64_t hash1 = le64(e.data() + 24), hash2 = le64(e.data() + 32);
        if (marvin32(std::span(e.data(), 32)) != hash2 ||
            marvin32(std::span(e.data() + kEntryHeader, esize - kEntryHeader)) != hash1) {
            corrupt("has a wrong hash (Marvin32)");
            break;
        }
        // Page references, then the pages back to back.
        std::uint64_t data_pos = kEntryHeader + std::uint64_t(count) * 8;
        std::string bad;
        for (std::uint32_t i = 0; i < count && bad.empty(); ++i) {
            const std::uint32_t off = le32(e.data() + kEntryHeader + i * 8);
            const std::uint32_t psize = le32(e.data() + kEntryHeader + i * 8 + 4);
            if (psize == 0 || psize % kChunk != 0 || off % kChunk != 0)
                bad = "has dirty page " + std::to_string(i) + " at " + std::to_string(off) + " of " +
                      std::to_string(psize) + " bytes, not whole 512-byte sectors";
            else if (std::uint64_t(off) + psize > bins)
                bad = "has dirty page " + std::to_string(i) + " past the hive bins size " +
                      std::to_string(bins);
            else if (psize > esize - data_pos)
                bad = "has dirty pages larger than the entry";
            else
                data_pos += psize;
        }
        if (!bad.empty()) {
            corrupt(bad);
            break;
        }
        data_pos = kEntryHeader + std::uint64_t(count) * 8;
        for (std::uint32_t i = 0; i < count; ++i) {
            const std::uint32_t off = le32(e.data() + kEntryHeader + i * 8);
            const std::uint32_t psize = le32(e.data() + kEntryHeader + i * 8 + 4);
            put_page(s, std::uint64_t(kBaseBlockSize) + off, e.data() + data_pos, psize);
            data_pos += psize;
            s.bytes += psize;
        }
        s.pages += count;
        s.bins_size = bins;
        s.flags = (s.flags & ~1u) | (flags & 1u);
        if (!s.first) s.first = seq;
        s.last = seq;
        ++s.entries;
        ++applied;
        ++expected;
        pos += esize;
    }
    return applied;
}

// Old format: the dirty vector's pages, all or nothing.
std::string apply_old_log(const LogCandidate& log, State& s) {
    const ByteSource& src = *log.src;
    const std::uint32_t bins = log.base.bins_size;
    const std::uint32_t bitmap_bytes = bins / 4096; // one bit per 512-byte page
    std::uint8_t sig[4];
    if (!src.read_at(kLogBaseSize, sig) || std::memcmp(sig, "DIRT", 4) != 0)
        return "no dirty vector (\"DIRT\") after its base block";
    if (std::uint64_t(kLogBaseSize) + 4 + bitmap_bytes > src.size()) return "its dirty vector is cut short";
    std::vector<std::uint8_t> bitmap(bitmap_bytes);
    if (auto st = src.read_at(kLogBaseSize + 4, bitmap); !st) return st.error().describe();
    std::uint64_t pages_at = kLogBaseSize + 4 + std::uint64_t(bitmap_bytes);
    pages_at = (pages_at + 511) / 512 * 512;
    std::uint64_t dirty = 0;
    for (auto b : bitmap)
        for (int i = 0; i < 8; ++i)
            dirty += (b >> i) & 1;
    if (dirty == 0) return "its dirty vector marks no page";
    if (pages_at + dirty * 512 > src.size())
        return "it holds fewer dirty pages than its dirty vector marks (" + std::to_string(dirty) + ")";
    std::vector<std::uint8_t> page(512);
    std::uint64_t n = 0;
    for (std::uint64_t bit = 0; bit < std::uint64_t(bitmap_bytes) * 8; ++bit) {
        if (!((bitmap[bit / 8] >> (bit % 8)) & 1)) continue;
        if (auto st = src.read_at(pages_at + n * 512, page); !st) return st.error().describe();
        put_page(s, kBaseBlockSize + bit * 512, page.data(), 512);
        ++n;
    }
    s.pages = n;
    s.bytes = n * 512;
    s.bins_size = bins;
    s.flags = log.base.flags;
    s.entries = 1;
    s.first = s.last = log.base.seq1;
    return {};
}

} // namespace

std::uint64_t marvin32(std::span<const std::uint8_t> data, std::uint64_t seed) {
    std::uint32_t lo = std::uint32_t(seed), hi = std::uint32_t(seed >> 32);
    std::size_t i = 0;
    for (; i + 4 <= data.size(); i += 4) {
        lo += le32(data.data() + i);
        marvin_block(lo, hi);
    }
    std::uint32_t final = 0x80;
    switch (data.size() - i) {
    case 1:
        final = 0x8000u | data[i];
        break;
    case 2:
        final = 0x800000u | le16(data.data() + i);
        break;
    case 3:
        final = 0x80000000u | (std::uint32_t(data[i + 2]) << 16) | le16(data.data() + i);
        break;
    default:
        break;
    }
    lo += final;
    marvin_block(lo, hi);
    marvin_block(lo, hi);
    return (std::uint64_t(hi) << 32) | lo;
}

Result<ReplayResult> replay_logs(SourcePtr primary, const LogFiles& logs) {
    if (!primary) return make_error("", "no primary hive file");
    ReplayResult r;
    r.hive = primary;
    if (primary->size() < kBaseBlockSize) return r; // Hive::open says what is wrong with it
    std::vector<std::uint8_t> header(kBaseBlockSize);
    IMGPREP_TRY(primary->read_at(0, header));
    const BaseBlock pb = parse_base(header.data());
    if (!pb.regf) return r;
    r.info.bins_size_before = pb.bins_size;
    r.dirty = !pb.checksum_ok || pb.seq1 != pb.seq2;
    if (pb.seq1 != pb.seq2)
        r.dirty_reason =
            "primary sequence number " + std::to_string(pb.seq1) + ", secondary " + std::to_string(pb.seq2);
    if (!pb.checksum_ok)
        r.dirty_reason += std::string(r.dirty_reason.empty() ? "" : "; ") + "base block checksum is wrong";
    if (!r.dirty || !logs.any()) return r;

    LogCandidate cands[] = {classify("LOG1", logs.log1), classify("LOG2", logs.log2),
                            classify("LOG", logs.log)};
    for (const auto& c : cands)
        if (c.kind == LogKind::Unusable) r.warnings.push_back(c.src->name() + ": not used (" + c.why + ")");
    LogCandidate& l1 = cands[0];
    LogCandidate& l2 = cands[1];
    LogCandidate& l0 = cands[2];
    const bool any_new = l1.kind == LogKind::New || l2.kind == LogKind::New || l0.kind == LogKind::New;

    State s;
    s.bins_size = pb.bins_size;
    s.flags = pb.flags;
    std::vector<const LogCandidate*> used;
    const LogCandidate* base_from = nullptr; // the log whose base block replaces an invalid primary one
    if (any_new) {
        r.info.format = "new";
        // Logs in the order of their entries: the dual-logging scheme (LOG1 + LOG2) alternates between them.
        std::vector<LogCandidate*> order;
        if (l1.kind == LogKind::New && l2.kind == LogKind::New) {
            order = seq_before(l2.base.seq1, l1.base.seq1) ? std::vector{&l2, &l1} : std::vector{&l1, &l2};
        } else {
            for (auto* c : {&l1, &l2, &l0})
                if (c->kind == LogKind::New) {
                    order.push_back(c);
                    break;
                }
        }
        if (!pb.checksum_ok) order.erase(order.begin(), order.end() - 1); // only the latest log
        for (auto* c : order) {
            const std::uint32_t start = c->base.seq1;
            if (s.last) {
                if (start != *s.last + 1) {
                    r.warnings.push_back(c->src->name() + ": not used (its entries start at sequence " +
                                         std::to_string(start) + ", the replay reached " +
                                         std::to_string(*s.last) + ")");
                    break;
                }
            } else if (pb.checksum_ok && seq_before(start, pb.seq2)) {
                r.warnings.push_back(c->src->name() + ": not used (its entries start at sequence " +
                                     std::to_string(start) + ", older than the hive's " +
                                     std::to_string(pb.seq2) + ")");
                continue;
            }
            const std::uint32_t n = apply_new_log(*c, start, s, r.warnings);
            if (n == 0) {
                r.warnings.push_back(c->src->name() + ": not used (no valid log entry with sequence " +
                                     std::to_string(start) + ")");
                if (s.last) break;
                continue;
            }
            used.push_back(c);
            base_from = c;
        }
    } else {
        r.info.format = "old";
        LogCandidate* pick = nullptr;
        if (l1.kind == LogKind::Old && l2.kind == LogKind::Old)
            pick = l2.base.last_written > l1.base.last_written ? &l2 : &l1;
        else
            for (auto* c : {&l1, &l2, &l0})
                if (!pick && c->kind == LogKind::Old) pick = c;
        if (pick) {
            // The primary's timestamp: from its base block, or from the first hive bin when the base block is
            // invalid.
            std::uint64_t primary_time = pb.last_written;
            if (!pb.checksum_ok) {
                std::uint8_t hb[32];
                if (primary->size() >= kBaseBlockSize + 32 && primary->read_at(kBaseBlockSize, hb))
                    primary_time = le64(hb + 20);
            }
            if (pick->base.last_written < primary_time) {
                r.warnings.push_back(pick->src->name() +
                                     ": not used (its base block is older than the hive's)");
            } else if (auto why = apply_old_log(*pick, s); !why.empty()) {
                r.warnings.push_back(pick->src->name() + ": not used (" + why + ")");
                s = State{};
            } else {
                used.push_back(pick);
                base_from = pick;
            }
        }
    }
    if (used.empty()) {
        bool any_log = false;
        for (const auto& c : cands)
            any_log = any_log || c.kind == LogKind::New || c.kind == LogKind::Old;
        if (!any_log && r.warnings.empty()) r.warnings.push_back("no usable transaction log");
        r.info.format.clear();
        return r;
    }

    // The base block of the replayed hive: the primary's (or the log's copy when the primary's is invalid),
    // with equal sequence numbers, the hive bins size and flags the logs left, and a new checksum.
    if (!pb.checksum_ok) {
        std::fill(header.begin(), header.end(), std::uint8_t(0));
        std::copy(base_from->base_bytes.begin(), base_from->base_bytes.end(), header.begin());
    }
    const std::uint32_t seq = r.info.format == "new"
                                  ? *s.last
                                  : (pb.checksum_ok ? std::max(pb.seq1, pb.seq2) : base_from->base.seq1);
    put_le32(header.data() + 4, seq);
    put_le32(header.data() + 8, seq);
    put_le32(header.data() + 28, 0); // primary file
    put_le32(header.data() + 40, s.bins_size);
    put_le32(header.data() + 144, s.flags);
    put_le32(header.data() + 508, xor32_checksum(header.data()));

    r.info.replayed = true;
    for (const auto* c : used)
        r.info.logs.push_back(c->src->name());
    r.info.from_sequence = *s.first;
    r.info.to_sequence = *s.last;
    r.info.entries = s.entries;
    r.info.pages = s.pages;
    r.info.bytes = s.bytes;
    r.info.bins_size_after = s.bins_size;
    const std::uint64_t size =
        std::max<std::uint64_t>(primary->size(), kBaseBlockSize + std::uint64_t(s.bins_size));
    r.hive = std::make_shared<OverlaySource>(primary, std::move(header), std::move(s.chunks), size);
    return r;
}

} // namespace imgprep::registry
