// Windows registry hive (regf) reader. Layout facts from "Windows registry file format specification"
// (M. Suhanov); see hive.h for the reading model and docs/registry.md for the checks and their reasons.
#include "registry/hive.h"

#include <algorithm>
#include <cstdio>
#include <list>
#include <mutex>

#include "registry/names.h"
#include "util/endian.h"
#include "util/text.h"

namespace imgprep::registry {

using namespace detail;

namespace {

constexpr std::uint32_t kBaseBlockSize = 4096;
constexpr std::uint32_t kBinHeaderSize = 32;
constexpr std::uint32_t kNoCell = 0xffffffffu;
constexpr std::uint32_t kBigDataSegment = 16344;  // data bytes in each segment of a big data record
constexpr std::uint32_t kMaxKeyDepth = 512;       // Windows' limit on the depth of the key tree
constexpr int kMaxIndexDepth = 4;                 // index root nesting (the spec allows 1; tolerate a little)
constexpr std::uint32_t kMaxBinSize = 128u << 20; // larger hive bins are treated as corrupt
constexpr std::size_t kCacheBytes = 4u << 20;     // hive bins kept in memory
constexpr std::size_t kCacheBins = 64;
constexpr std::size_t kMaxDamageWarnings = 16; // one warning per damaged range, then a count
constexpr std::size_t kNkFixed = 76;           // key node fields before the name
constexpr std::size_t kVkFixed = 20;           // key value fields before the name

std::string hex32(std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
}

struct KeyNode {
    std::uint16_t flags = 0;
    std::uint64_t last_written = 0;
    std::uint32_t parent = 0;
    std::uint32_t subkey_count = 0;
    std::uint32_t subkey_list = 0;
    std::uint32_t value_count = 0;
    std::uint32_t value_list = 0;
    std::span<const std::uint8_t> raw_name;
    bool compressed = false;
};

struct KeyValue {
    std::span<const std::uint8_t> raw_name;
    bool compressed = false;
    std::uint32_t size_field = 0;
    std::uint32_t data_field = 0;
    std::uint32_t type = 0;
};

} // namespace

namespace detail {

struct Ancestry {
    std::uint32_t offset;
    std::uint32_t depth;
    std::shared_ptr<const Ancestry> parent;
};

struct LoadedBin {
    std::uint32_t offset = 0;
    std::vector<std::uint8_t> bytes;
    std::vector<std::uint8_t> starts; // one bit per 4-byte unit: a cell starts there
    std::uint32_t broken_at = 0; // relative offset where the chain of cells stops making sense (0 = none)
    std::string broken_why;
    bool is_start(std::uint32_t rel) const { return (starts[rel / 32] >> ((rel / 4) % 8)) & 1; }
};

struct BinCache {
    std::mutex mu;
    std::list<std::shared_ptr<const LoadedBin>> lru; // most recent first
    std::size_t bytes = 0;
    std::uint64_t loads = 0;
};

} // namespace detail

// ---------------------------------------------------------------------------------------------------------
// Hive: base block, bins, cells

Hive::~Hive() = default;

Error Hive::error_at_cell(std::uint32_t offset, std::string message) const {
    return source_->error_at(std::uint64_t(kBaseBlockSize) + offset, std::move(message));
}

std::uint64_t Hive::bins_loaded() const {
    std::lock_guard lock(cache_->mu);
    return cache_->loads;
}

Result<std::shared_ptr<Hive>> Hive::open(SourcePtr source) {
    return open(std::move(source), LogFiles{});
}

Result<std::shared_ptr<Hive>> Hive::open(SourcePtr primary, const LogFiles& logs) {
    if (!primary) return make_error("", "no source");
    auto replay = replay_logs(primary, logs);
    std::vector<std::string> notes; // replay warnings, each "name: message"
    if (!replay) {
        notes.push_back(replay.error().describe() + " (transaction logs not applied)");
    } else {
        for (auto& w : replay->warnings)
            notes.push_back(std::move(w));
    }
    std::shared_ptr<Hive> h;
    if (replay && replay->info.replayed) {
        auto replayed = open_source(replay->hive);
        if (replayed) {
            h = *replayed;
            const ReplayInfo& i = replay->info;
            std::string logs_text;
            for (std::size_t k = 0; k < i.logs.size(); ++k)
                logs_text += (k ? ", " : "") + i.logs[k];
            std::string what =
                i.format == "new" ? std::to_string(i.entries) + " log entr" + (i.entries == 1 ? "y" : "ies") +
                                        " (sequence " + std::to_string(i.from_sequence) + " to " +
                                        std::to_string(i.to_sequence) + ")"
                                  : std::to_string(i.pages) + " dirty pages (old-format log, sequence " +
                                        std::to_string(i.to_sequence) + ")";
            notes.insert(notes.begin(), primary->name() + ": hive was dirty (" + replay->dirty_reason +
                                            "): replayed " + what + " from " + logs_text +
                                            " in memory, up to sequence " + std::to_string(i.to_sequence) +
                                            "; the file itself is unchanged");
            h->replay_ = i;
        } else {
            notes.push_back(primary->name() +
                            ": the hive replayed from its transaction logs cannot be read (" +
                            replayed.error().describe() + "); read as stored");
        }
    }
    if (!h) {
        IMGPREP_ASSIGN(auto stored, open_source(primary));
        h = std::move(stored);
    }
    h->needed_replay_ = replay && replay->dirty;
    h->warnings_.insert(h->warnings_.end(), notes.begin(), notes.end());
    return h;
}

Result<std::shared_ptr<Hive>> Hive::open_source(SourcePtr source) {
    if (!source) return make_error("", "no source");
    std::shared_ptr<Hive> h(new Hive());
    h->source_ = source;
    h->cache_ = std::make_unique<detail::BinCache>();
    const std::uint64_t file_size = source->size();
    if (file_size < kBaseBlockSize)
        return source->error_at(0, "too small for a registry hive (" + std::to_string(file_size) +
                                       " bytes, the base block alone is 4096)");
    std::vector<std::uint8_t> bb(kBaseBlockSize);
    IMGPREP_TRY(source->read_at(0, bb));
    const std::uint8_t* p = bb.data();
    if (std::string_view(reinterpret_cast<const char*>(p), 4) != "regf")
        return source->error_at(0, "not a registry hive (no \"regf\" signature)");

    h->seq1_ = le32(p + 4);
    h->seq2_ = le32(p + 8);
    h->last_written_ = le64(p + 12);
    h->major_ = le32(p + 20);
    h->minor_ = le32(p + 24);
    const std::uint32_t file_type = le32(p + 28);
    const std::uint32_t file_format = le32(p + 32);
    h->root_offset_ = le32(p + 36);
    h->claimed_bins_size_ = le32(p + 40);
    h->file_name_ = utf16_units_to_utf8(until_nul(std::span(p + 48, 64)));

    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 508; i += 4)
        sum ^= le32(p + i);
    if (sum == 0xffffffffu) sum = 0xfffffffeu;
    if (sum == 0) sum = 1;
    const std::uint32_t stored_sum = le32(p + 508);
    h->checksum_ok_ = sum == stored_sum;

    if (h->major_ != 1)
        return source->error_at(20, "unsupported registry hive major version " + std::to_string(h->major_) +
                                        " (expected 1)");
    if (h->minor_ < 2)
        return source->error_at(24, "unsupported registry hive version 1." + std::to_string(h->minor_));
    if (file_type == 1 || file_type == 6)
        return source->error_at(28, "a registry transaction log (file type " + std::to_string(file_type) +
                                        "), not a primary hive file");

    auto warn = [&](std::string w) { h->warnings_.push_back(source->name() + ": " + std::move(w)); };
    if (!h->checksum_ok_)
        warn("base block checksum is wrong (stored " + hex32(stored_sum) + ", computed " + hex32(sum) +
             "); reading it anyway");
    if (h->dirty())
        warn("hive is dirty (primary sequence number " + std::to_string(h->seq1_) + ", secondary " +
             std::to_string(h->seq2_) +
             "): its transaction logs were not applied, recent changes may be "
             "missing");
    if (h->minor_ == 2 || h->minor_ > 6)
        warn("unusual registry hive version 1." + std::to_string(h->minor_) + "; reading it as 1.3-1.6");
    if (file_type != 0) warn("file type is " + std::to_string(file_type) + ", not 0 (primary file)");
    if (file_format != 1)
        warn("file format is " + std::to_string(file_format) + ", not 1 (direct memory load)");

    // How much hive bins data to use: the claimed size, cut to whole 4 KiB pages and to the file.
    std::uint32_t limit = h->claimed_bins_size_;
    if (limit == 0) return source->error_at(40, "hive bins data size is 0");
    if (limit % 4096 != 0) {
        warn("hive bins data size " + std::to_string(limit) + " is not a multiple of 4096");
        limit -= limit % 4096;
    }
    const std::uint64_t avail = (file_size - kBaseBlockSize) / 4096 * 4096;
    if (limit > avail) {
        warn("hive is truncated: the base block claims " + std::to_string(h->claimed_bins_size_) +
             " bytes of hive bins, the file holds " + std::to_string(file_size - kBaseBlockSize) +
             "; cells past the end cannot be read");
        limit = std::uint32_t(avail);
    }

    // Index the hive bins (headers only). They tile the hive bins data from offset 0. A bin with a bad header
    // is skipped up to the next valid bin at a 4 KiB boundary (each step reads one header: bounded by limit).
    auto bin_problem = [&](std::uint32_t at, std::uint32_t& size) -> Result<std::string> {
        std::uint8_t hdr[kBinHeaderSize];
        IMGPREP_TRY(source->read_at(std::uint64_t(kBaseBlockSize) + at, hdr));
        const std::uint32_t bin_off = le32(hdr + 4);
        size = le32(hdr + 8);
        if (std::string_view(reinterpret_cast<const char*>(hdr), 4) != "hbin")
            return std::string("no \"hbin\" signature");
        if (bin_off != at) return "its header gives offset " + hex32(bin_off);
        if (size < 4096 || size % 4096 != 0)
            return "its size " + std::to_string(size) + " is not a positive multiple of 4096";
        if (size > kMaxBinSize)
            return "its size " + std::to_string(size) + " is larger than " + std::to_string(kMaxBinSize);
        if (size > limit - at)
            return "its size " + std::to_string(size) + " runs past the end of the hive bins data (" +
                   std::to_string(limit) + ")";
        return std::string();
    };
    std::uint32_t off = 0;
    while (off < limit) {
        std::uint32_t bin_size = 0;
        IMGPREP_ASSIGN(std::string why, bin_problem(off, bin_size));
        if (why.empty()) {
            h->bins_.push_back({off, bin_size});
            off += bin_size;
            continue;
        }
        if (off == 0) return h->error_at_cell(0, "first hive bin is invalid: " + why);
        std::uint32_t next = off + 4096;
        for (; next < limit; next += 4096) {
            std::uint32_t ignored = 0;
            IMGPREP_ASSIGN(std::string bad, bin_problem(next, ignored));
            if (bad.empty()) break;
        }
        const std::string at =
            "hive bin at file offset " + std::to_string(kBaseBlockSize + std::uint64_t(off));
        if (next >= limit) {
            warn(at + " is invalid (" + why + ") and no valid hive bin follows; the hive is read up to it");
            break;
        }
        if (h->damaged_.size() < kMaxDamageWarnings)
            warn(at + " is invalid (" + why + "); skipped " + std::to_string(next - off) +
                 " bytes to the next valid hive bin at file offset " +
                 std::to_string(kBaseBlockSize + std::uint64_t(next)) +
                 ": keys and values stored there cannot be read");
        h->damaged_.push_back({off, next});
        off = next;
    }
    if (h->damaged_.size() > kMaxDamageWarnings)
        warn(std::to_string(h->damaged_.size() - kMaxDamageWarnings) +
             " more damaged hive bins were skipped");
    h->bins_end_ = off;
    if (h->bins_.empty())
        return source->error_at(kBaseBlockSize, "first hive bin is missing (the file holds " +
                                                    std::to_string(file_size - kBaseBlockSize) +
                                                    " bytes after the base block)");

    // The root key must be readable now.
    auto root = h->load_key(h->root_offset_, nullptr, "root key");
    if (!root.ok()) return root.take_error();
    return h;
}

Result<Hive::Cell> Hive::cell(std::uint32_t offset, std::string_view what) const {
    const std::string w(what);
    if (offset == kNoCell) return source_->error(w + ": no cell (offset 0xffffffff)");
    if (offset >= bins_end_)
        return error_at_cell(offset, w + ": cell offset " + hex32(offset) +
                                         " lies past the end of the hive bins (" + hex32(bins_end_) + ")");
    if (offset % 4 != 0)
        return error_at_cell(offset, w + ": cell offset " + hex32(offset) + " is not aligned");
    auto it = std::upper_bound(bins_.begin(), bins_.end(), offset,
                               [](std::uint32_t o, const BinInfo& b) { return o < b.offset; });
    const BinInfo bin = *(it - 1); // bins_ start at 0 and offset < bins_end_
    const std::uint32_t rel = offset - bin.offset;
    if (rel >= bin.size) {
        auto gap = std::find_if(damaged_.begin(), damaged_.end(),
                                [&](const Range& r) { return offset >= r.begin && offset < r.end; });
        return error_at_cell(
            offset,
            w + ": cell offset " + hex32(offset) + " lies in a damaged hive bin" +
                (gap == damaged_.end()
                     ? std::string()
                     : " (file offsets " + std::to_string(kBaseBlockSize + std::uint64_t(gap->begin)) +
                           " to " + std::to_string(kBaseBlockSize + std::uint64_t(gap->end)) +
                           " were skipped)"));
    }
    if (rel < kBinHeaderSize)
        return error_at_cell(offset, w + ": cell offset " + hex32(offset) + " points into a hive bin header");

    std::shared_ptr<const detail::LoadedBin> loaded;
    {
        std::lock_guard lock(cache_->mu);
        for (auto i = cache_->lru.begin(); i != cache_->lru.end(); ++i) {
            if ((*i)->offset == bin.offset) {
                loaded = *i;
                cache_->lru.splice(cache_->lru.begin(), cache_->lru, i);
                break;
            }
        }
    }
    if (!loaded) {
        auto lb = std::make_shared<detail::LoadedBin>();
        lb->offset = bin.offset;
        lb->bytes.resize(bin.size);
        IMGPREP_TRY(source_->read_at(std::uint64_t(kBaseBlockSize) + bin.offset, lb->bytes));
        // Walk the cells: they tile the bin after its header. Remember where each one starts.
        lb->starts.assign((bin.size + 31) / 32, 0);
        std::uint32_t pos = kBinHeaderSize;
        while (pos < bin.size) {
            if (bin.size - pos < 4) {
                lb->broken_at = pos, lb->broken_why = "a cell header runs past the end of the bin";
                break;
            }
            const auto sz = std::int32_t(le32(lb->bytes.data() + pos));
            const std::uint32_t abs = sz < 0 ? std::uint32_t(0) - std::uint32_t(sz) : std::uint32_t(sz);
            if (abs < 8 || abs % 4 != 0 || abs > bin.size - pos) {
                lb->broken_at = pos;
                lb->broken_why = "cell size " + std::to_string(sz) + " is invalid";
                break;
            }
            lb->starts[pos / 32] |= std::uint8_t(1u << ((pos / 4) % 8));
            pos += abs;
        }
        std::lock_guard lock(cache_->mu);
        ++cache_->loads;
        bool present = false;
        for (auto& e : cache_->lru)
            if (e->offset == bin.offset) loaded = e, present = true;
        if (!present) {
            loaded = lb;
            cache_->lru.push_front(lb);
            cache_->bytes += lb->bytes.size();
            while (cache_->lru.size() > 1 &&
                   (cache_->bytes > kCacheBytes || cache_->lru.size() > kCacheBins)) {
                cache_->bytes -= cache_->lru.back()->bytes.size();
                cache_->lru.pop_back();
            }
        }
    }

    if (!loaded->is_start(rel)) {
        if (loaded->broken_at != 0 && rel >= loaded->broken_at)
            return error_at_cell(offset, w + ": cell " + hex32(offset) + " lies after a corrupt cell at " +
                                             hex32(bin.offset + loaded->broken_at) + " (" +
                                             loaded->broken_why + ")");
        return error_at_cell(offset, w + ": offset " + hex32(offset) + " is not the start of a cell");
    }
    const auto sz = std::int32_t(le32(loaded->bytes.data() + rel));
    if (sz > 0) return error_at_cell(offset, w + ": cell " + hex32(offset) + " is free (not allocated)");
    const std::uint32_t abs = std::uint32_t(0) - std::uint32_t(sz);
    Cell c;
    c.data = std::span<const std::uint8_t>(loaded->bytes.data() + rel + 4, abs - 4);
    c.offset = offset;
    c.keep = std::move(loaded);
    return c;
}

namespace {

Result<KeyNode> parse_nk(const Hive& h, const Hive::Cell& c, std::string_view what) {
    const auto& d = c.data;
    if (d.size() < kNkFixed || d[0] != 'n' || d[1] != 'k')
        return h.error_at_cell(c.offset,
                               std::string(what) + ": cell " + hex32(c.offset) + " is not a key node");
    KeyNode k;
    k.flags = le16(d.data() + 2);
    k.last_written = le64(d.data() + 4);
    k.parent = le32(d.data() + 16);
    k.subkey_count = le32(d.data() + 20);
    k.subkey_list = le32(d.data() + 28);
    k.value_count = le32(d.data() + 36);
    k.value_list = le32(d.data() + 40);
    const std::uint16_t name_len = le16(d.data() + 72);
    if (name_len > d.size() - kNkFixed)
        return h.error_at_cell(c.offset, std::string(what) + ": key node name (" + std::to_string(name_len) +
                                             " bytes) runs past its cell");
    k.compressed = (k.flags & 0x0020) != 0;
    k.raw_name = d.subspan(kNkFixed, name_len);
    return k;
}

Result<KeyValue> parse_vk(const Hive& h, const Hive::Cell& c, std::string_view what) {
    const auto& d = c.data;
    if (d.size() < kVkFixed || d[0] != 'v' || d[1] != 'k')
        return h.error_at_cell(c.offset,
                               std::string(what) + ": cell " + hex32(c.offset) + " is not a key value");
    KeyValue v;
    const std::uint16_t name_len = le16(d.data() + 2);
    v.size_field = le32(d.data() + 4);
    v.data_field = le32(d.data() + 8);
    v.type = le32(d.data() + 12);
    v.compressed = (le16(d.data() + 16) & 0x0001) != 0;
    if (name_len > d.size() - kVkFixed)
        return h.error_at_cell(c.offset, std::string(what) + ": value name (" + std::to_string(name_len) +
                                             " bytes) runs past its cell");
    v.raw_name = d.subspan(kVkFixed, name_len);
    return v;
}

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i <= path.size()) {
        std::size_t j = path.find('\\', i);
        if (j == std::string_view::npos) j = path.size();
        if (j > i) parts.push_back(path.substr(i, j - i));
        i = j + 1;
    }
    return parts;
}

// Key node offsets listed by a key's subkey lists (li / lf / lh, or an index root of those).
Result<std::vector<std::uint32_t>> subkey_offsets(const Hive& h, std::uint32_t list, std::uint32_t count,
                                                  const std::string& key_path) {
    std::vector<std::uint32_t> out;
    if (count == 0) return out;
    if (count > h.bins_size() / 8)
        return h.error_at_cell(list, "key " + key_path + " claims " + std::to_string(count) +
                                         " subkeys, more than the hive can hold (" +
                                         std::to_string(h.bins_size()) + " bytes of hive bins)");
    out.reserve(std::min<std::uint32_t>(count, 65536));
    std::vector<std::uint32_t> visited;
    const std::string what = "subkey list of key " + key_path;

    // Depth-first over index roots; depth and the visited set bound the walk.
    struct Frame {
        std::uint32_t list;
        int depth;
    };
    std::vector<Frame> stack{{list, 0}};
    while (!stack.empty()) {
        Frame f = stack.back();
        stack.pop_back();
        if (std::find(visited.begin(), visited.end(), f.list) != visited.end())
            return h.error_at_cell(f.list,
                                   what + ": list " + hex32(f.list) + " is referenced twice (a loop)");
        visited.push_back(f.list);
        IMGPREP_ASSIGN(auto c, h.cell(f.list, what));
        const auto& d = c.data;
        if (d.size() < 4) return h.error_at_cell(f.list, what + ": list cell is too small");
        const std::string_view sig(reinterpret_cast<const char*>(d.data()), 2);
        const std::uint16_t n = le16(d.data() + 2);
        const std::size_t stride = (sig == "lf" || sig == "lh") ? 8 : 4;
        if (sig != "li" && sig != "lf" && sig != "lh" && sig != "ri")
            return h.error_at_cell(f.list, what + ": unknown list signature at " + hex32(f.list));
        if (std::size_t(n) * stride > d.size() - 4)
            return h.error_at_cell(f.list, what + ": list of " + std::to_string(n) +
                                               " elements does not fit its " + std::to_string(d.size()) +
                                               "-byte cell");
        if (sig == "ri") {
            if (f.depth >= kMaxIndexDepth)
                return h.error_at_cell(f.list, what + ": index roots nested too deeply");
            // Push in reverse so that the lists are visited in order.
            for (std::size_t i = n; i-- > 0;)
                stack.push_back({le32(d.data() + 4 + i * 4), f.depth + 1});
            continue;
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (out.size() >= count)
                return h.error_at_cell(f.list, what + ": the lists hold more than the key's " +
                                                   std::to_string(count) + " subkeys");
            out.push_back(le32(d.data() + 4 + i * stride));
        }
    }
    if (out.size() != count)
        return h.error_at_cell(list, what + ": the lists hold " + std::to_string(out.size()) +
                                         " subkeys, the key claims " + std::to_string(count));
    std::vector<std::uint32_t> sorted = out;
    std::sort(sorted.begin(), sorted.end());
    auto dup = std::adjacent_find(sorted.begin(), sorted.end());
    if (dup != sorted.end())
        return h.error_at_cell(*dup, what + ": key node " + hex32(*dup) + " is listed twice");
    return out;
}

Result<std::vector<std::uint32_t>> value_offsets(const Hive& h, std::uint32_t list, std::uint32_t count,
                                                 const std::string& key_path) {
    std::vector<std::uint32_t> out;
    if (count == 0) return out;
    const std::string what = "value list of key " + key_path;
    if (count > h.bins_size() / 4)
        return h.error_at_cell(list, what + ": " + std::to_string(count) +
                                         " values, more than the hive can hold (" +
                                         std::to_string(h.bins_size()) + " bytes of hive bins)");
    IMGPREP_ASSIGN(auto c, h.cell(list, what));
    if (std::size_t(count) * 4 > c.data.size())
        return h.error_at_cell(list, what + ": " + std::to_string(count) + " values do not fit the " +
                                         std::to_string(c.data.size()) + "-byte list cell");
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(le32(c.data.data() + i * 4));
    return out;
}

} // namespace

Result<Key> Hive::load_key(std::uint32_t offset, const Key* parent, std::string_view what) const {
    IMGPREP_ASSIGN(auto c, cell(offset, what));
    IMGPREP_ASSIGN(auto nk, parse_nk(*this, c, what));
    Key k;
    if (parent) {
        if (parent->ancestry_->depth + 1 >= kMaxKeyDepth)
            return error_at_cell(offset, std::string(what) + ": keys nested more than " +
                                             std::to_string(kMaxKeyDepth) + " deep");
        for (auto a = parent->ancestry_.get(); a; a = a->parent.get())
            if (a->offset == offset)
                return error_at_cell(offset, std::string(what) + ": key node " + hex32(offset) +
                                                 " is its own ancestor (a loop in the key tree)");
        if (nk.parent != parent->offset_)
            return error_at_cell(offset, std::string(what) + ": key node " + hex32(offset) +
                                             " names parent " + hex32(nk.parent) + " but is listed under " +
                                             hex32(parent->offset_) + " (a key listed under two parents)");
        k.ancestry_ = std::make_shared<detail::Ancestry>(
            detail::Ancestry{offset, parent->ancestry_->depth + 1, parent->ancestry_});
    } else {
        k.ancestry_ = std::make_shared<detail::Ancestry>(detail::Ancestry{offset, 0, nullptr});
    }
    k.hive_ = shared_from_this();
    k.offset_ = offset;
    k.flags_ = nk.flags;
    k.last_written_ = nk.last_written;
    k.subkey_count_ = nk.subkey_count;
    k.subkey_list_ = nk.subkey_list;
    k.value_count_ = nk.value_count;
    k.value_list_ = nk.value_list;
    k.name_ = decode_name(nk.raw_name, nk.compressed);
    if (!parent)
        k.path_ = "\\";
    else
        k.path_ = (parent->path_ == "\\" ? std::string() : parent->path_) + "\\" + k.name_;
    return k;
}

Result<Key> Hive::root() const {
    return load_key(root_offset_, nullptr, "root key");
}

Result<std::optional<Key>> Hive::find(std::string_view path) const {
    IMGPREP_ASSIGN(auto r, root());
    return r.find(path);
}

// ---------------------------------------------------------------------------------------------------------
// Key

std::int64_t Key::last_written_unix() const {
    return std::int64_t(last_written_ / 10000000u) - std::int64_t(11644473600LL);
}

Result<std::vector<Key>> Key::subkeys() const {
    IMGPREP_ASSIGN(auto offs, subkey_offsets(*hive_, subkey_list_, subkey_count_, path_));
    std::vector<Key> out;
    out.reserve(offs.size());
    const std::string what = "subkey of key " + path_;
    for (auto o : offs) {
        IMGPREP_ASSIGN(auto k, hive_->load_key(o, this, what));
        out.push_back(std::move(k));
    }
    return out;
}

Result<std::optional<Key>> Key::subkey(std::string_view name) const {
    IMGPREP_ASSIGN(auto offs, subkey_offsets(*hive_, subkey_list_, subkey_count_, path_));
    const std::u16string want = upcased(utf8_to_units(name));
    const std::string what = "subkey of key " + path_;
    // A sibling that cannot be read (e.g. in a damaged hive bin) does not hide the others; "not found" is
    // only said when every sibling could be read.
    std::optional<Error> unreadable;
    for (auto o : offs) {
        auto c = hive_->cell(o, what);
        auto nk = c ? parse_nk(*hive_, *c, what) : Result<KeyNode>(c.error());
        if (!nk) {
            if (!unreadable) unreadable = nk.take_error();
            continue;
        }
        if (stored_name_key(nk->raw_name, nk->compressed) != want) continue;
        IMGPREP_ASSIGN(auto k, hive_->load_key(o, this, what));
        return std::optional<Key>(std::move(k));
    }
    if (unreadable) return std::move(*unreadable);
    return std::optional<Key>();
}

Result<std::optional<Key>> Key::find(std::string_view relative_path) const {
    std::optional<Key> cur = *this;
    for (auto part : split_path(relative_path)) {
        IMGPREP_ASSIGN(auto next, cur->subkey(part));
        if (!next) return std::optional<Key>();
        cur = std::move(next);
    }
    return cur;
}

Value Key::make_value(std::uint32_t offset, std::string name, std::uint32_t type, std::uint32_t size_field,
                      std::uint32_t data_field) const {
    Value v;
    v.hive_ = hive_;
    v.key_path_ = path_;
    v.name_ = std::move(name);
    v.type_ = ValueType(type);
    v.offset_ = offset;
    v.inline_ = (size_field & 0x80000000u) != 0; // data kept in the data offset field
    v.data_size_ = size_field & 0x7fffffffu;
    v.data_field_ = data_field;
    return v;
}

Result<std::vector<Value>> Key::values() const {
    IMGPREP_ASSIGN(auto offs, value_offsets(*hive_, value_list_, value_count_, path_));
    std::vector<Value> out;
    out.reserve(offs.size());
    const std::string what = "value of key " + path_;
    for (auto o : offs) {
        IMGPREP_ASSIGN(auto c, hive_->cell(o, what));
        IMGPREP_ASSIGN(auto vk, parse_vk(*hive_, c, what));
        out.push_back(
            make_value(o, decode_name(vk.raw_name, vk.compressed), vk.type, vk.size_field, vk.data_field));
    }
    return out;
}

Result<std::optional<Value>> Key::value(std::string_view name) const {
    IMGPREP_ASSIGN(auto offs, value_offsets(*hive_, value_list_, value_count_, path_));
    const std::u16string want = upcased(utf8_to_units(name));
    const std::string what = "value of key " + path_;
    std::optional<Error> unreadable; // as in subkey(): "not found" only when every value could be read
    for (auto o : offs) {
        auto c = hive_->cell(o, what);
        auto vk = c ? parse_vk(*hive_, *c, what) : Result<KeyValue>(c.error());
        if (!vk) {
            if (!unreadable) unreadable = vk.take_error();
            continue;
        }
        if (stored_name_key(vk->raw_name, vk->compressed) != want) continue;
        return std::optional<Value>(make_value(o, decode_name(vk->raw_name, vk->compressed), vk->type,
                                               vk->size_field, vk->data_field));
    }
    if (unreadable) return std::move(*unreadable);
    return std::optional<Value>();
}

// ---------------------------------------------------------------------------------------------------------
// Value

Error Value::error(std::string what) const {
    return hive_->error_at_cell(offset_,
                                "value \"" + name_ + "\" of key " + key_path_ + ": " + std::move(what));
}

Result<std::vector<std::uint8_t>> Value::data() const {
    std::vector<std::uint8_t> out;
    if (inline_) {
        if (data_size_ > 4)
            return error("inline data size " + std::to_string(data_size_) + " exceeds 4 bytes");
        std::uint8_t b[4];
        put_le32(b, data_field_);
        out.assign(b, b + data_size_);
        return out;
    }
    if (data_size_ == 0) return out;
    if (data_size_ > hive_->bins_size())
        return error("data size " + std::to_string(data_size_) + " is larger than the hive bins data (" +
                     std::to_string(hive_->bins_size()) + ")");
    const std::string what = "data of value \"" + name_ + "\" of key " + key_path_;
    IMGPREP_ASSIGN(auto c, hive_->cell(data_field_, what));
    if (c.data.size() >= data_size_) {
        out.assign(c.data.begin(), c.data.begin() + data_size_);
        return out;
    }
    if (c.data.size() < 8 || c.data[0] != 'd' || c.data[1] != 'b')
        return error("data cell " + hex32(data_field_) + " holds " + std::to_string(c.data.size()) +
                     " bytes, the value claims " + std::to_string(data_size_));
    // Big data record: a list of segments, each holding up to 16344 bytes.
    const std::uint16_t segments = le16(c.data.data() + 2);
    const std::uint32_t list_off = le32(c.data.data() + 4);
    const std::uint32_t needed = (data_size_ + kBigDataSegment - 1) / kBigDataSegment;
    if (segments < needed)
        return error("big data record has " + std::to_string(segments) + " segments, " +
                     std::to_string(data_size_) + " bytes need " + std::to_string(needed));
    IMGPREP_ASSIGN(auto list, hive_->cell(list_off, what + " (segment list)"));
    if (std::size_t(segments) * 4 > list.data.size())
        return error("big data segment list of " + std::to_string(segments) +
                     " entries does not fit its cell");
    out.reserve(data_size_);
    for (std::uint32_t i = 0; i < needed; ++i) {
        const std::uint32_t seg_off = le32(list.data.data() + i * 4);
        IMGPREP_ASSIGN(auto seg, hive_->cell(seg_off, what + " (segment " + std::to_string(i) + ")"));
        const std::uint32_t take =
            std::min<std::uint32_t>(kBigDataSegment, data_size_ - std::uint32_t(out.size()));
        if (seg.data.size() < take)
            return error("big data segment " + std::to_string(i) + " at " + hex32(seg_off) + " holds " +
                         std::to_string(seg.data.size()) + " bytes, " + std::to_string(take) + " expected");
        out.insert(out.end(), seg.data.begin(), seg.data.begin() + take);
    }
    return out;
}

Result<std::string> Value::as_string() const {
    if (type_ != ValueType::String && type_ != ValueType::ExpandString && type_ != ValueType::Link)
        return error("is " + type_name(type_) + ", not a string");
    IMGPREP_ASSIGN(auto d, data());
    return utf16_units_to_utf8(until_nul(d));
}

Result<std::vector<std::string>> Value::as_multi_string() const {
    if (type_ == ValueType::String || type_ == ValueType::ExpandString) {
        IMGPREP_ASSIGN(auto s, as_string());
        return std::vector<std::string>{std::move(s)};
    }
    if (type_ != ValueType::MultiString) return error("is " + type_name(type_) + ", not REG_MULTI_SZ");
    IMGPREP_ASSIGN(auto d, data());
    const std::u16string u = utf16le_units(d);
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < u.size()) {
        std::size_t j = u.find(char16_t(0), i);
        if (j == std::u16string::npos) j = u.size();
        out.push_back(utf16_units_to_utf8(u.substr(i, j - i)));
        i = j + 1;
    }
    // The list ends with an empty string (the terminating double NUL); drop it and any empty padding after
    // it. Empty strings between non-empty ones stay (PendingFileRenameOperations uses them for "delete").
    while (!out.empty() && out.back().empty())
        out.pop_back();
    return out;
}

Result<std::uint32_t> Value::as_dword() const {
    if (type_ != ValueType::Dword && type_ != ValueType::DwordBigEndian)
        return error("is " + type_name(type_) + ", not REG_DWORD");
    IMGPREP_ASSIGN(auto d, data());
    if (d.size() != 4) return error("REG_DWORD data is " + std::to_string(d.size()) + " bytes, not 4");
    return type_ == ValueType::Dword ? le32(d.data()) : be32(d.data());
}

Result<std::uint64_t> Value::as_qword() const {
    if (type_ == ValueType::Dword || type_ == ValueType::DwordBigEndian) {
        IMGPREP_ASSIGN(auto v, as_dword());
        return std::uint64_t(v);
    }
    if (type_ != ValueType::Qword) return error("is " + type_name(type_) + ", not REG_QWORD");
    IMGPREP_ASSIGN(auto d, data());
    if (d.size() != 8) return error("REG_QWORD data is " + std::to_string(d.size()) + " bytes, not 8");
    return le64(d.data());
}

} // namespace imgprep::registry
