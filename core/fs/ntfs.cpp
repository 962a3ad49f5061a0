// NTFS reader. Written from libyal's "New Technologies File System (NTFS)" format description.
//
// Bounds: every structure is checked against the buffer it was read into, and every cluster run against the
// cluster count of the volume. Limits below cap what on-disk values can make us allocate or iterate.
#include "fs/ntfs.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "util/endian.h"
#include "util/text.h"

namespace imgprep::ntfs {
namespace {

constexpr std::uint32_t kAttrStandardInfo = 0x10;
constexpr std::uint32_t kAttrList = 0x20;
constexpr std::uint32_t kAttrFileName = 0x30;
constexpr std::uint32_t kAttrVolumeName = 0x60;
constexpr std::uint32_t kAttrVolumeInfo = 0x70;
constexpr std::uint32_t kAttrData = 0x80;
constexpr std::uint32_t kAttrIndexRoot = 0x90;
constexpr std::uint32_t kAttrIndexAllocation = 0xa0;
constexpr std::uint32_t kAttrReparsePoint = 0xc0;
constexpr std::uint32_t kAttrEnd = 0xffffffffu;

constexpr std::uint16_t kRecordInUse = 0x0001;
constexpr std::uint16_t kRecordIsDirectory = 0x0002;

constexpr std::uint16_t kAttrFlagCompressionMask = 0x00ff;
constexpr std::uint16_t kAttrFlagEncrypted = 0x4000;
constexpr std::uint16_t kAttrFlagSparse = 0x8000;

constexpr std::uint32_t kFileAttrDirectory = 0x10;
constexpr std::uint32_t kFileAttrIndexPresent = 0x10000000;

constexpr std::uint32_t kFixupStride = 512;         // update sequence stride, independent of the sector size
constexpr std::uint32_t kMaxRecordSize = 64 * 1024; // MFT record and index block size cap
constexpr std::uint32_t kMaxClusterSize = 2 * 1024 * 1024;
constexpr std::uint64_t kMaxAttributeList = 4 << 20; // Windows keeps attribute lists below 256 KiB
constexpr std::size_t kMaxExtensionRecords = 65536;  // per file
constexpr unsigned kMaxIndexDepth = 32;              // B-tree levels
constexpr std::size_t kMaxPathComponents = 1024;
constexpr std::uint64_t kMaxUnitBytes = 1 << 20; // compression unit
constexpr std::uint32_t kLznt1Chunk = 4096;
constexpr std::uint64_t kMaxByteOffset = std::uint64_t(1) << 62; // stream offsets stay far from overflow

// ---------------------------------------------------------------------------------------------------------
// Strings

std::u16string load_u16(const std::uint8_t* p, std::size_t units) {
    std::u16string s(units, u'\0');
    for (std::size_t i = 0; i < units; ++i)
        s[i] = char16_t(le16(p + 2 * i));
    return s;
}

std::optional<std::u16string> from_utf8(std::string_view s) {
    std::u16string out;
    std::size_t i = 0;
    while (i < s.size()) {
        auto b = std::uint8_t(s[i]);
        std::uint32_t cp;
        std::size_t n;
        if (b < 0x80) {
            cp = b;
            n = 1;
        } else if ((b & 0xe0) == 0xc0) {
            cp = b & 0x1f;
            n = 2;
        } else if ((b & 0xf0) == 0xe0) {
            cp = b & 0x0f;
            n = 3;
        } else if ((b & 0xf8) == 0xf0) {
            cp = b & 0x07;
            n = 4;
        } else {
            return std::nullopt;
        }
        if (i + n > s.size()) return std::nullopt;
        for (std::size_t k = 1; k < n; ++k) {
            auto c = std::uint8_t(s[i + k]);
            if ((c & 0xc0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (c & 0x3f);
        }
        if (cp > 0x10ffff) return std::nullopt;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out += char16_t(0xd800 + (cp >> 10));
            out += char16_t(0xdc00 + (cp & 0x3ff));
        } else {
            out += char16_t(cp);
        }
        i += n;
    }
    return out;
}

std::string printable(std::span<const std::uint8_t> b) {
    std::string s;
    for (auto c : b)
        s += (c >= 0x20 && c < 0x7f) ? char(c) : '.';
    return s;
}

std::string hex(std::uint64_t v) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), digits[v & 15]);
        v >>= 4;
    } while (v);
    return "0x" + s;
}

// ---------------------------------------------------------------------------------------------------------
// A small least-recently-used cache of immutable values (callers hold the mutex).

template <typename Key, typename Value> class Lru {
  public:
    explicit Lru(std::size_t capacity) : capacity_(capacity) {}
    void set_capacity(std::size_t c) { capacity_ = c; }
    std::shared_ptr<const Value> get(const Key& k) {
        auto it = index_.find(k);
        if (it == index_.end()) return nullptr;
        items_.splice(items_.begin(), items_, it->second);
        return it->second->second;
    }
    void put(const Key& k, std::shared_ptr<const Value> v) {
        auto it = index_.find(k);
        if (it != index_.end()) {
            items_.erase(it->second);
            index_.erase(it);
        }
        items_.emplace_front(k, std::move(v));
        index_[k] = items_.begin();
        while (items_.size() > capacity_) {
            index_.erase(items_.back().first);
            items_.pop_back();
        }
    }

  private:
    std::size_t capacity_;
    std::list<std::pair<Key, std::shared_ptr<const Value>>> items_;
    std::map<Key, typename std::list<std::pair<Key, std::shared_ptr<const Value>>>::iterator> index_;
};

// ---------------------------------------------------------------------------------------------------------
// On-disk structures after parsing

struct Run {
    std::uint64_t vcn = 0;
    std::uint64_t length = 0; // clusters
    std::int64_t lcn = -1;    // -1: sparse (no clusters on disk)
};

struct Attr {
    std::uint32_t type = 0;
    std::u16string name;
    std::uint16_t flags = 0;
    std::uint16_t id = 0;
    bool nonresident = false;
    std::uint64_t record = 0; // MFT record holding it
    // resident
    std::vector<std::uint8_t> value;
    // non-resident
    std::uint64_t lowest_vcn = 0;
    std::uint64_t highest_vcn = 0;
    std::uint16_t compression_unit = 0;
    std::uint64_t allocated = 0;
    std::uint64_t size = 0;
    std::uint64_t initialized = 0;
    std::vector<Run> runs;
};

struct Record {
    std::uint64_t index = 0;
    std::uint16_t sequence = 0;
    std::uint16_t links = 0;
    std::uint16_t flags = 0;
    std::uint64_t base = 0; // base record reference (0 for a base record)
    std::vector<Attr> attrs;
};

struct File {
    std::uint64_t index = 0;
    std::uint16_t sequence = 0;
    std::uint16_t links = 0;
    std::uint16_t flags = 0;
    bool has_list = false;
    std::uint32_t extension_records = 0;
    std::vector<Attr> attrs;
};

// The data of one attribute, merged over all its extents.
struct Layout {
    bool resident = false;
    std::vector<std::uint8_t> data; // resident value
    std::vector<Run> runs;          // non-resident, sorted by VCN, contiguous from VCN 0
    std::uint64_t size = 0;
    std::uint64_t initialized = 0;
    std::uint64_t allocated = 0;
    std::uint16_t flags = 0;
    std::uint32_t unit_clusters = 0; // compression unit in clusters; 0 = not compressed
};

// ---------------------------------------------------------------------------------------------------------
// Run lists

// Decodes the mapping pairs of a non-resident attribute; runs must stay inside the volume.
Result<std::vector<Run>> decode_runs(const ByteSource& src, std::uint64_t disk_off,
                                     std::span<const std::uint8_t> b, std::uint64_t lowest_vcn,
                                     std::uint64_t highest_vcn, std::uint64_t cluster_count,
                                     std::uint32_t cluster_size) {
    std::vector<Run> runs;
    std::size_t pos = 0;
    std::uint64_t vcn = lowest_vcn;
    std::int64_t lcn = 0;
    const std::uint64_t max_vcn = kMaxByteOffset / cluster_size;
    while (pos < b.size()) {
        const std::uint8_t h = b[pos];
        if (h == 0) break;
        const unsigned ls = h & 0x0f, os = h >> 4;
        if (ls == 0 || ls > 8 || os > 8)
            return src.error_at(disk_off + pos, "run list: invalid run header " + hex(h));
        if (1 + ls + os > b.size() - pos)
            return src.error_at(disk_off + pos, "run list: run past the attribute");
        std::uint64_t len = 0;
        for (unsigned i = 0; i < ls; ++i)
            len |= std::uint64_t(b[pos + 1 + i]) << (8 * i);
        if (len == 0 || len > max_vcn || vcn > max_vcn - len)
            return src.error_at(disk_off + pos, "run list: invalid run length " + std::to_string(len));
        Run r;
        r.vcn = vcn;
        r.length = len;
        if (os) {
            std::uint64_t raw = 0;
            for (unsigned i = 0; i < os; ++i)
                raw |= std::uint64_t(b[pos + 1 + ls + i]) << (8 * i);
            if (os < 8 && (raw >> (8 * os - 1)) & 1) raw |= ~std::uint64_t(0) << (8 * os); // sign-extend
            std::int64_t delta;
            std::memcpy(&delta, &raw, sizeof delta);
            // lcn >= 0 here, so only a positive delta can overflow.
            if (delta > 0 && lcn > std::numeric_limits<std::int64_t>::max() - delta)
                return src.error_at(disk_off + pos, "run list: cluster number overflows");
            lcn += delta;
            if (lcn < 0)
                return src.error_at(disk_off + pos, "run list: cluster number before the volume start");
            if (std::uint64_t(lcn) > cluster_count || len > cluster_count - std::uint64_t(lcn))
                return src.error_at(disk_off + pos, "run list: clusters " + std::to_string(lcn) + "+" +
                                                        std::to_string(len) + " past the volume (" +
                                                        std::to_string(cluster_count) + " clusters)");
            r.lcn = lcn;
        }
        runs.push_back(r);
        vcn += len;
        pos += 1 + ls + os;
    }
    // The runs cover exactly [lowest_vcn, highest_vcn]; an empty attribute has highest_vcn = lowest_vcn - 1.
    if (vcn != highest_vcn + 1)
        return src.error_at(disk_off, "run list covers VCNs " + std::to_string(lowest_vcn) + ".." +
                                          std::to_string(vcn) + " but the attribute claims up to " +
                                          std::to_string(std::int64_t(highest_vcn)));
    return runs;
}

// "what: msg", or msg alone when what is empty.
std::string label(const std::string& what, const std::string& msg) {
    return what.empty() ? msg : what + ": " + msg;
}

// Index of the run containing vcn, or runs.size().
std::size_t find_run(const std::vector<Run>& runs, std::uint64_t vcn) {
    auto it = std::upper_bound(runs.begin(), runs.end(), vcn,
                               [](std::uint64_t v, const Run& r) { return v < r.vcn; });
    if (it == runs.begin()) return runs.size();
    --it;
    if (vcn - it->vcn >= it->length) return runs.size();
    return std::size_t(it - runs.begin());
}

// Reads [off, off+len) of the VCN space described by runs (sparse runs read as zeros).
Status read_runs(const ByteSource& src, std::uint32_t cs, const std::vector<Run>& runs, std::uint64_t off,
                 std::span<std::uint8_t> out, const std::string& what) {
    std::size_t done = 0;
    while (done < out.size()) {
        const std::uint64_t pos = off + done;
        const std::uint64_t vcn = pos / cs;
        const std::size_t ri = find_run(runs, vcn);
        if (ri == runs.size())
            return src.error(label(what, "offset " + std::to_string(pos) + " is not mapped by the run list"));
        const Run& r = runs[ri];
        const std::uint64_t in_run = (vcn - r.vcn) * cs + pos % cs;
        const std::uint64_t avail = r.length * cs - in_run;
        const std::size_t n = std::size_t(std::min<std::uint64_t>(avail, out.size() - done));
        if (r.lcn < 0) {
            std::memset(out.data() + done, 0, n);
        } else {
            IMGPREP_TRY(src.read_at(std::uint64_t(r.lcn) * cs + in_run, out.subspan(done, n)));
        }
        done += n;
    }
    return {};
}

// Disk byte offset of a stream offset, when mapped to clusters.
std::optional<std::uint64_t> disk_offset(const std::vector<Run>& runs, std::uint32_t cs, std::uint64_t off) {
    const std::size_t ri = find_run(runs, off / cs);
    if (ri == runs.size() || runs[ri].lcn < 0) return std::nullopt;
    return std::uint64_t(runs[ri].lcn) * cs + (off / cs - runs[ri].vcn) * cs + off % cs;
}

// ---------------------------------------------------------------------------------------------------------
// LZNT1

// Decompresses one compression unit. Output past the end of the compressed data stays zero.
bool lznt1_decompress(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::string& why) {
    std::fill(out.begin(), out.end(), std::uint8_t(0));
    std::size_t ip = 0, op = 0;
    while (op < out.size() && ip + 2 <= in.size()) {
        const std::uint16_t h = le16(in.data() + ip);
        ip += 2;
        if (h == 0) break; // end of the compressed data
        const std::size_t clen = std::size_t(h & 0x0fff) + 1;
        if (clen > in.size() - ip) {
            why = "LZNT1 chunk of " + std::to_string(clen) + " bytes extends past the compressed data";
            return false;
        }
        const std::size_t cstart = op;
        const std::size_t cend = std::min<std::size_t>(op + kLznt1Chunk, out.size());
        const std::size_t in_end = ip + clen;
        if (!(h & 0x8000)) { // stored chunk
            std::memcpy(out.data() + op, in.data() + ip, std::min(clen, cend - op));
            ip = in_end;
            op = cstart + kLznt1Chunk;
            continue;
        }
        std::size_t o = op;
        while (ip < in_end) {
            const std::uint8_t tag = in[ip++];
            for (unsigned bit = 0; bit < 8 && ip < in_end; ++bit) {
                if (!((tag >> bit) & 1)) {
                    if (o >= cend) {
                        why = "LZNT1 literal past the end of a chunk";
                        return false;
                    }
                    out[o++] = in[ip++];
                    continue;
                }
                if (in_end - ip < 2) {
                    why = "LZNT1 back-reference truncated";
                    return false;
                }
                const std::uint16_t t = le16(in.data() + ip);
                ip += 2;
                const std::size_t p = o - cstart;
                if (p == 0) {
                    why = "LZNT1 back-reference at the start of a chunk";
                    return false;
                }
                unsigned shift = 12;
                for (std::size_t i = p - 1; i >= 0x10; i >>= 1)
                    --shift;
                const std::size_t back = std::size_t(t >> shift) + 1;
                const std::size_t len = std::size_t(t & ((1u << shift) - 1)) + 3;
                if (back > p) {
                    why = "LZNT1 back-reference before the start of a chunk";
                    return false;
                }
                if (len > cend - o) {
                    why = "LZNT1 back-reference past the end of a chunk";
                    return false;
                }
                for (std::size_t k = 0; k < len; ++k)
                    out[o + k] = out[o + k - back];
                o += len;
            }
        }
        op = cstart + kLznt1Chunk;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------------------
// Streams

struct StreamCtx {
    SourcePtr src;
    std::uint32_t cluster_size = 0;
};

using UnitCache = Lru<std::uint64_t, std::vector<std::uint8_t>>;

// Reads [off, off+out.size()) of a stream: resident, plain, sparse or LZNT1-compressed; bytes at or past the
// initialized size read as zero. unit_cache (may be null) is used under unit_mu.
Status read_stream(const StreamCtx& ctx, const Layout& L, std::uint64_t off, std::span<std::uint8_t> out,
                   const std::string& what, UnitCache* unit_cache, std::mutex* unit_mu) {
    const ByteSource& src = *ctx.src;
    const std::uint32_t cs = ctx.cluster_size;
    if (!range_ok(off, out.size(), L.size))
        return src.error(label(what, "read of " + std::to_string(out.size()) + " bytes at " +
                                         std::to_string(off) + " past the end of the stream (size " +
                                         std::to_string(L.size) + ")"));
    if (out.empty()) return {};
    if (L.resident) {
        std::memcpy(out.data(), L.data.data() + off, out.size());
        return {};
    }
    // Bytes from the initialized size on are zero.
    std::size_t valid = out.size();
    if (off >= L.initialized)
        valid = 0;
    else if (L.initialized - off < valid)
        valid = std::size_t(L.initialized - off);
    std::memset(out.data() + valid, 0, out.size() - valid);
    if (valid == 0) return {};
    if (L.unit_clusters == 0) return read_runs(src, cs, L.runs, off, out.first(valid), what);

    const std::uint64_t unit_bytes = std::uint64_t(L.unit_clusters) * cs;
    std::size_t done = 0;
    while (done < valid) {
        const std::uint64_t pos = off + done;
        const std::uint64_t unit = pos / unit_bytes;
        const std::uint64_t in_unit = pos % unit_bytes;
        const std::size_t n = std::size_t(std::min<std::uint64_t>(unit_bytes - in_unit, valid - done));
        // Classify the unit: all clusters allocated = stored uncompressed; none = zeros; else compressed.
        const std::uint64_t first = unit * L.unit_clusters, last = first + L.unit_clusters;
        std::uint64_t allocated = 0;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> pieces; // disk offset, bytes (VCN order)
        for (std::uint64_t v = first; v < last;) {
            const std::size_t ri = find_run(L.runs, v);
            if (ri == L.runs.size()) {
                ++v; // unmapped: treated like sparse inside a compression unit
                continue;
            }
            const Run& r = L.runs[ri];
            const std::uint64_t take = std::min(r.vcn + r.length, last) - v;
            if (r.lcn >= 0) {
                allocated += take;
                pieces.emplace_back((std::uint64_t(r.lcn) + (v - r.vcn)) * cs, take * cs);
            }
            v += take;
        }
        if (allocated == L.unit_clusters) {
            IMGPREP_TRY(read_runs(src, cs, L.runs, pos, out.subspan(done, n), what));
        } else if (allocated == 0) {
            std::memset(out.data() + done, 0, n);
        } else {
            std::shared_ptr<const std::vector<std::uint8_t>> plain;
            if (unit_cache) {
                std::lock_guard<std::mutex> lock(*unit_mu);
                plain = unit_cache->get(unit);
            }
            if (!plain) {
                std::vector<std::uint8_t> packed(std::size_t(allocated * cs));
                std::size_t at = 0;
                for (auto& [doff, bytes] : pieces) {
                    IMGPREP_TRY(src.read_at(doff, std::span(packed.data() + at, std::size_t(bytes))));
                    at += std::size_t(bytes);
                }
                auto buf = std::make_shared<std::vector<std::uint8_t>>(std::size_t(unit_bytes));
                std::string why;
                if (!lznt1_decompress(packed, *buf, why))
                    return src.error_at(pieces.front().first,
                                        label(what, "compression unit " + std::to_string(unit) + ": " + why));
                plain = buf;
                if (unit_cache) {
                    std::lock_guard<std::mutex> lock(*unit_mu);
                    unit_cache->put(unit, plain);
                }
            }
            std::memcpy(out.data() + done, plain->data() + in_unit, n);
        }
        done += n;
    }
    return {};
}

class StreamSource final : public ByteSource {
  public:
    StreamSource(StreamCtx ctx, Layout layout, std::string name)
        : ctx_(std::move(ctx)), layout_(std::move(layout)), name_(std::move(name)) {}
    const std::string& name() const override { return name_; }
    std::uint64_t size() const override { return layout_.size; }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        auto st = read_stream(ctx_, layout_, offset, buf, "", &units_, &mu_);
        if (st.ok()) return {};
        // Name this file and the offset in it; keep where on the volume it went wrong.
        Error e = st.take_error();
        std::string msg = e.message;
        if (e.offset != Error::NoOffset)
            msg += " (" + e.file + " at offset " + std::to_string(e.offset) + ")";
        return error_at(offset, msg);
    }
    std::uint64_t bytes_read() const override { return ctx_.src->bytes_read(); }

  private:
    StreamCtx ctx_;
    Layout layout_;
    std::string name_;
    mutable std::mutex mu_;
    mutable UnitCache units_{4};
};

// ---------------------------------------------------------------------------------------------------------
// Index nodes

struct IndexEntry {
    std::uint64_t ref = 0;
    std::span<const std::uint8_t> key; // $FILE_NAME for $I30
    bool has_sub = false;
    bool last = false;
    std::uint64_t sub_vcn = 0;
};

// Parses the entries of an index node (starting at its node header); node.size() bounds everything.
bool parse_node(std::span<const std::uint8_t> node, std::vector<IndexEntry>& out, std::string& why) {
    out.clear();
    if (node.size() < 16) {
        why = "index node header truncated";
        return false;
    }
    const std::uint32_t first = le32(node.data()), used = le32(node.data() + 4);
    if (used > node.size() || first < 16 || first >= used) {
        why = "index node header out of bounds (entries at " + std::to_string(first) + ", size " +
              std::to_string(used) + ", room " + std::to_string(node.size()) + ")";
        return false;
    }
    std::size_t pos = first;
    while (true) {
        if (pos + 16 > used) {
            why = "index entry at " + std::to_string(pos) + " past the node end";
            return false;
        }
        const std::uint8_t* e = node.data() + pos;
        IndexEntry ie;
        ie.ref = le64(e);
        const std::uint16_t len = le16(e + 8), klen = le16(e + 10);
        const std::uint32_t flags = le32(e + 12);
        ie.has_sub = flags & 1;
        ie.last = flags & 2;
        if (len < 16 || len > used - pos || (len & 7)) {
            why = "index entry at " + std::to_string(pos) + " has an invalid length " + std::to_string(len);
            return false;
        }
        if (ie.has_sub && len < 24) {
            why = "index entry at " + std::to_string(pos) + " too short for a sub-node";
            return false;
        }
        const std::size_t room = len - 16 - (ie.has_sub ? 8 : 0);
        if (!ie.last && klen > room) {
            why = "index entry at " + std::to_string(pos) + " key length " + std::to_string(klen) +
                  " too large";
            return false;
        }
        if (!ie.last) ie.key = node.subspan(pos + 16, klen);
        if (ie.has_sub) ie.sub_vcn = le64(e + len - 8);
        out.push_back(ie);
        if (ie.last) break;
        pos += len;
    }
    return true;
}

// $FILE_NAME value (index key or attribute).
struct FileNameKey {
    std::uint64_t parent = 0;
    std::uint64_t size = 0;
    std::uint32_t attributes = 0;
    NameSpace ns = NameSpace::Posix;
    std::u16string name;
};

std::optional<FileNameKey> parse_file_name(std::span<const std::uint8_t> v) {
    if (v.size() < 66) return std::nullopt;
    const std::size_t n = v[64];
    if (66 + 2 * n > v.size()) return std::nullopt;
    FileNameKey k;
    k.parent = le64(v.data());
    k.size = le64(v.data() + 48);
    k.attributes = le32(v.data() + 56);
    k.ns = NameSpace(v[65] & 3);
    k.name = load_u16(v.data() + 66, n);
    return k;
}

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i <= path.size()) {
        std::size_t j = path.find_first_of("\\/", i);
        if (j == std::string_view::npos) j = path.size();
        if (j > i) parts.push_back(path.substr(i, j - i));
        i = j + 1;
    }
    return parts;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------

struct Volume::Impl {
    SourcePtr src;
    VolumeInfo info;
    StreamCtx ctx;
    Layout mft;                   // $MFT's unnamed $DATA
    std::vector<char16_t> upcase; // 65536 entries

    mutable std::mutex mu;
    mutable Lru<std::uint64_t, std::vector<std::uint8_t>> records{512};
    mutable Lru<std::pair<std::uint64_t, std::uint64_t>, std::vector<std::uint8_t>> index_blocks{64};

    std::string rec_name(std::uint64_t i) const { return "MFT record " + std::to_string(i); }

    // Applies update-sequence fix-ups to a multi-sector structure read from disk_off.
    Status fixup(std::span<std::uint8_t> b, std::uint64_t disk_off, const std::string& what) const {
        const std::uint16_t usa_off = le16(b.data() + 4), usa_count = le16(b.data() + 6);
        const std::size_t sectors = b.size() / kFixupStride;
        if ((usa_off & 1) || usa_count < sectors + 1 ||
            std::size_t(usa_off) + 2u * usa_count > kFixupStride - 2 || usa_off < 8)
            return src->error_at(disk_off, what + ": invalid update sequence array (offset " +
                                               std::to_string(usa_off) + ", count " +
                                               std::to_string(usa_count) + ")");
        const std::uint16_t usn = le16(b.data() + usa_off);
        for (std::size_t s = 0; s < sectors; ++s) {
            std::uint8_t* tail = b.data() + (s + 1) * kFixupStride - 2;
            if (le16(tail) != usn)
                return src->error_at(disk_off + (s + 1) * kFixupStride - 2,
                                     what + ": update sequence mismatch in sector " + std::to_string(s) +
                                         " (fix-up " + hex(le16(tail)) + ", expected " + hex(usn) +
                                         "): torn or corrupt write");
            std::memcpy(tail, b.data() + usa_off + 2 + 2 * s, 2);
        }
        return {};
    }

    // Parses the attributes of a fixed-up MFT record.
    Result<Record> parse_record(std::uint64_t index, std::span<const std::uint8_t> b,
                                std::uint64_t disk_off) const {
        const std::string what = rec_name(index);
        Record r;
        r.index = index;
        r.sequence = le16(b.data() + 16);
        r.links = le16(b.data() + 18);
        r.flags = le16(b.data() + 22);
        r.base = le64(b.data() + 32) & 0xffffffffffffULL;
        const std::uint16_t first = le16(b.data() + 20);
        const std::uint32_t used = le32(b.data() + 24);
        if (used > b.size() || used < 24)
            return src->error_at(disk_off, what + ": used size " + std::to_string(used) + " out of bounds");
        if (le16(b.data() + 4) >= 48) {
            const std::uint32_t self = le32(b.data() + 44);
            if (self != std::uint32_t(index))
                return src->error_at(disk_off, what + ": record claims to be number " + std::to_string(self));
        }
        if (first < 24 || first >= used)
            return src->error_at(disk_off, what + ": first attribute offset " + std::to_string(first) +
                                               " out of bounds");
        std::size_t pos = first;
        for (std::size_t guard = 0; guard < b.size() / 16 + 1; ++guard) {
            if (pos + 4 > used)
                return src->error_at(disk_off + pos, what + ": attribute list runs past the record");
            const std::uint8_t* a = b.data() + pos;
            const std::uint32_t type = le32(a);
            if (type == kAttrEnd) return r;
            if (pos + 16 > used) return src->error_at(disk_off + pos, what + ": attribute header truncated");
            const std::uint32_t len = le32(a + 4);
            if (len < 16 || len > used - pos || (len & 7))
                return src->error_at(disk_off + pos, what + ": attribute " + hex(type) +
                                                         " has invalid length " + std::to_string(len));
            Attr at;
            at.type = type;
            at.record = index;
            at.nonresident = a[8] != 0;
            const std::uint8_t name_len = a[9];
            const std::uint16_t name_off = le16(a + 10);
            at.flags = le16(a + 12);
            at.id = le16(a + 14);
            if (name_len) {
                if (std::size_t(name_off) + 2u * name_len > len)
                    return src->error_at(disk_off + pos, what + ": attribute name out of bounds");
                at.name = load_u16(a + name_off, name_len);
            }
            if (!at.nonresident) {
                if (len < 24) return src->error_at(disk_off + pos, what + ": resident attribute too short");
                const std::uint32_t vlen = le32(a + 16);
                const std::uint16_t voff = le16(a + 20);
                if (voff > len || vlen > len - voff)
                    return src->error_at(disk_off + pos, what + ": resident value out of bounds");
                at.value.assign(a + voff, a + voff + vlen);
            } else {
                if (len < 64)
                    return src->error_at(disk_off + pos, what + ": non-resident attribute too short");
                at.lowest_vcn = le64(a + 16);
                at.highest_vcn = le64(a + 24);
                const std::uint16_t runs_off = le16(a + 32);
                at.compression_unit = le16(a + 34);
                at.allocated = le64(a + 40);
                at.size = le64(a + 48);
                at.initialized = le64(a + 56);
                if (runs_off < 64 || runs_off > len)
                    return src->error_at(disk_off + pos, what + ": run list offset out of bounds");
                if (at.lowest_vcn > kMaxByteOffset || at.size > kMaxByteOffset ||
                    at.allocated > kMaxByteOffset)
                    return src->error_at(disk_off + pos, what + ": absurd attribute sizes");
                IMGPREP_ASSIGN(at.runs, decode_runs(*src, disk_off + pos + runs_off,
                                                    std::span(a + runs_off, len - runs_off), at.lowest_vcn,
                                                    at.highest_vcn, info.cluster_count, info.cluster_size));
            }
            r.attrs.push_back(std::move(at));
            pos += len;
        }
        return src->error_at(disk_off, what + ": too many attributes");
    }

    // Reads and fixes up record `index` through the $MFT run list (cached).
    Result<std::shared_ptr<const std::vector<std::uint8_t>>> record_bytes(std::uint64_t index) const {
        {
            std::lock_guard<std::mutex> lock(mu);
            if (auto v = records.get(index)) return v;
        }
        const std::uint32_t rs = info.mft_record_size;
        if (index >= info.mft_records)
            return src->error(rec_name(index) + " is past the end of the MFT (" +
                              std::to_string(info.mft_records) + " records)");
        auto buf = std::make_shared<std::vector<std::uint8_t>>(rs);
        const std::uint64_t off = index * rs;
        IMGPREP_TRY(read_runs(*src, info.cluster_size, mft.runs, off, *buf, "$MFT"));
        const std::uint64_t disk = disk_offset(mft.runs, info.cluster_size, off).value_or(0);
        IMGPREP_TRY(check_record(index, *buf, disk));
        std::lock_guard<std::mutex> lock(mu);
        records.put(index, buf);
        return std::shared_ptr<const std::vector<std::uint8_t>>(buf);
    }

    Status check_record(std::uint64_t index, std::vector<std::uint8_t>& b, std::uint64_t disk) const {
        if (std::memcmp(b.data(), "FILE", 4) != 0) {
            if (std::memcmp(b.data(), "BAAD", 4) == 0)
                return src->error_at(disk, rec_name(index) + " is marked bad (BAAD)");
            if (is_all_zero(b)) return src->error_at(disk, rec_name(index) + " is empty (never initialised)");
            return src->error_at(disk, rec_name(index) + ": bad signature '" +
                                           printable(std::span(b).first(4)) + "'");
        }
        return fixup(b, disk, rec_name(index));
    }

    Result<Record> read_record(std::uint64_t index) const {
        IMGPREP_ASSIGN(auto bytes, record_bytes(index));
        const std::uint64_t disk =
            disk_offset(mft.runs, info.cluster_size, index * info.mft_record_size).value_or(0);
        return parse_record(index, *bytes, disk);
    }

    // Merges the extents of one attribute (same type and name) into a layout.
    Result<Layout> merge(std::vector<const Attr*> ext, const std::string& what, bool allow_incomplete) const {
        Layout L;
        if (ext.empty()) return src->error(what + ": attribute not found");
        if (!ext.front()->nonresident) {
            const Attr& a = *ext.front();
            if (ext.size() != 1) return src->error(what + ": resident attribute with several extents");
            L.resident = true;
            L.data = a.value;
            L.size = L.initialized = L.allocated = a.value.size();
            L.flags = a.flags;
            return L;
        }
        std::sort(ext.begin(), ext.end(),
                  [](const Attr* x, const Attr* y) { return x->lowest_vcn < y->lowest_vcn; });
        const Attr& head = *ext.front();
        if (head.lowest_vcn != 0)
            return src->error(what + ": first extent starts at VCN " + std::to_string(head.lowest_vcn));
        std::uint64_t next = 0;
        for (const Attr* a : ext) {
            if (!a->nonresident) return src->error(what + ": resident extent mixed with non-resident ones");
            if (a->lowest_vcn != next) {
                if (allow_incomplete) break;
                return src->error(what + ": extents not contiguous (gap or overlap at VCN " +
                                  std::to_string(next) + ", next extent at " + std::to_string(a->lowest_vcn) +
                                  ")");
            }
            L.runs.insert(L.runs.end(), a->runs.begin(), a->runs.end());
            next = a->highest_vcn + 1;
        }
        if (!allow_incomplete && next > kMaxByteOffset / info.cluster_size)
            return src->error(what + ": run list too long");
        if (!allow_incomplete && next * info.cluster_size < head.size)
            return src->error(what + ": run list covers " + std::to_string(next * info.cluster_size) +
                              " bytes but the attribute holds " + std::to_string(head.size) +
                              " (missing extents)");
        L.size = head.size;
        L.allocated = head.allocated;
        L.initialized = std::min(head.initialized, head.size);
        L.flags = head.flags;
        if (head.flags & kAttrFlagCompressionMask) {
            const unsigned cu = head.compression_unit ? head.compression_unit : 4;
            if (info.cluster_size > 4096)
                return src->error(what + ": compressed attribute on a volume with clusters over 4 KiB");
            if (cu > 16 || (std::uint64_t(info.cluster_size) << cu) > kMaxUnitBytes)
                return src->error(what + ": compression unit 2^" + std::to_string(cu) +
                                  " clusters too large");
            L.unit_clusters = 1u << cu;
        }
        return L;
    }

    Result<Layout> layout_of(const File& f, std::uint32_t type, std::u16string_view name, bool ci_name,
                             const std::string& what) const {
        std::vector<const Attr*> ext;
        for (const Attr& a : f.attrs)
            if (a.type == type && (ci_name ? names_equal_ci(a.name, name) : a.name == name))
                ext.push_back(&a);
        if (ext.empty()) return src->error(what + ": no such attribute");
        // Extents of one attribute share the name exactly; a case-insensitive match picks the first name.
        const std::u16string exact = ext.front()->name;
        std::erase_if(ext, [&](const Attr* a) { return a->name != exact; });
        return merge(std::move(ext), what, false);
    }

    // Reads a whole (small) attribute into memory.
    Result<std::vector<std::uint8_t>> read_all(const Layout& L, std::uint64_t cap,
                                               const std::string& what) const {
        if (L.size > cap)
            return src->error(what + ": " + std::to_string(L.size) + " bytes exceeds the limit of " +
                              std::to_string(cap));
        if (L.resident) return L.data;
        std::vector<std::uint8_t> v(std::size_t(L.size));
        IMGPREP_TRY(read_stream(ctx, L, 0, v, what, nullptr, nullptr));
        return v;
    }

    // Loads a base record and, through its $ATTRIBUTE_LIST, the attributes held in extension records.
    Result<File> load_file(std::uint64_t index) const {
        IMGPREP_ASSIGN(Record base, read_record(index));
        if (!(base.flags & kRecordInUse)) return src->error(rec_name(index) + " is not in use");
        if (base.base != 0)
            return src->error(rec_name(index) + " is an extension record of record " +
                              std::to_string(base.base) + ", not a file");
        File f;
        f.index = index;
        f.sequence = base.sequence;
        f.links = base.links;
        f.flags = base.flags;
        f.attrs = std::move(base.attrs);
        const Attr* list = nullptr;
        for (const Attr& a : f.attrs)
            if (a.type == kAttrList) {
                if (list) return src->error(rec_name(index) + ": several attribute lists");
                list = &a;
            }
        if (!list) return f;
        f.has_list = true;
        IMGPREP_ASSIGN(Layout ll, merge({list}, rec_name(index) + " $ATTRIBUTE_LIST", false));
        if (ll.unit_clusters) return src->error(rec_name(index) + ": compressed attribute list");
        IMGPREP_ASSIGN(std::vector<std::uint8_t> lb,
                       read_all(ll, std::min<std::uint64_t>(kMaxAttributeList, info.volume_size),
                                rec_name(index) + " $ATTRIBUTE_LIST"));
        IMGPREP_ASSIGN(auto refs, parse_list(index, lb));
        std::vector<Attr> extra;
        for (auto [rec, seq] : refs) {
            IMGPREP_ASSIGN(Record ext, read_record(rec));
            if (!(ext.flags & kRecordInUse))
                return src->error(rec_name(index) + ": attribute list references " + rec_name(rec) +
                                  ", which is not in use");
            if (ext.base != index)
                return src->error(rec_name(index) + ": attribute list references " + rec_name(rec) +
                                  ", which belongs to record " + std::to_string(ext.base));
            if (seq && ext.sequence != seq)
                return src->error(rec_name(index) + ": attribute list references " + rec_name(rec) +
                                  " with a stale sequence number");
            for (Attr& a : ext.attrs)
                if (a.type != kAttrList) extra.push_back(std::move(a));
        }
        f.extension_records = std::uint32_t(refs.size());
        for (Attr& a : extra)
            f.attrs.push_back(std::move(a));
        return f;
    }

    // The distinct extension records (other than the base) an attribute list refers to, in order.
    Result<std::vector<std::pair<std::uint64_t, std::uint16_t>>>
    parse_list(std::uint64_t index, std::span<const std::uint8_t> lb) const {
        std::vector<std::pair<std::uint64_t, std::uint16_t>> refs;
        std::set<std::uint64_t> seen;
        std::size_t pos = 0;
        while (pos + 26 <= lb.size()) {
            const std::uint8_t* e = lb.data() + pos;
            const std::uint16_t len = le16(e + 4);
            if (len < 26 || len > lb.size() - pos)
                return src->error(rec_name(index) + ": attribute list entry at " + std::to_string(pos) +
                                  " has invalid length " + std::to_string(len));
            const std::uint64_t ref = le64(e + 16);
            const std::uint64_t rec = ref & 0xffffffffffffULL;
            const auto seq = std::uint16_t(ref >> 48);
            if (rec != index && seen.insert(rec).second) {
                if (refs.size() >= kMaxExtensionRecords)
                    return src->error(rec_name(index) + ": attribute list references too many records");
                refs.emplace_back(rec, seq);
            }
            pos += len;
        }
        return refs;
    }

    bool names_equal_ci(std::u16string_view a, std::u16string_view b) const {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (upcase[a[i]] != upcase[b[i]]) return false;
        return true;
    }

    // NTFS filename collation: upper-cased code units, then length.
    int collate(std::u16string_view a, std::u16string_view b) const {
        const std::size_t n = std::min(a.size(), b.size());
        for (std::size_t i = 0; i < n; ++i) {
            const char16_t x = upcase[a[i]], y = upcase[b[i]];
            if (x != y) return x < y ? -1 : 1;
        }
        return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
    }

    // --- directory indexes ---

    struct DirIndex {
        std::uint64_t dir = 0;
        std::vector<std::uint8_t> root; // $INDEX_ROOT value
        std::optional<Layout> alloc;    // $INDEX_ALLOCATION $I30
        std::uint32_t block_size = 0;
        std::uint32_t vcn_unit = 0;
    };

    Result<DirIndex> open_index(const File& f) const {
        const std::string what = rec_name(f.index) + " $I30";
        if (!(f.flags & kRecordIsDirectory)) return src->error(rec_name(f.index) + " is not a directory");
        DirIndex d;
        d.dir = f.index;
        IMGPREP_ASSIGN(Layout root, layout_of(f, kAttrIndexRoot, u"$I30", false, what + " $INDEX_ROOT"));
        if (!root.resident) return src->error(what + ": non-resident $INDEX_ROOT");
        d.root = std::move(root.data);
        if (d.root.size() < 32) return src->error(what + ": $INDEX_ROOT too short");
        if (le32(d.root.data()) != kAttrFileName)
            return src->error(what + ": index of attribute type " + hex(le32(d.root.data())) +
                              ", not $FILE_NAME");
        d.block_size = le32(d.root.data() + 8);
        if (d.block_size < kFixupStride || d.block_size > kMaxRecordSize ||
            (d.block_size & (d.block_size - 1)))
            return src->error(what + ": invalid index block size " + std::to_string(d.block_size));
        d.vcn_unit = d.block_size >= info.cluster_size ? info.cluster_size : kFixupStride;
        bool has_alloc = false;
        for (const Attr& a : f.attrs)
            if (a.type == kAttrIndexAllocation && a.name == u"$I30") has_alloc = true;
        if (has_alloc) {
            IMGPREP_ASSIGN(Layout al,
                           layout_of(f, kAttrIndexAllocation, u"$I30", false, what + " $INDEX_ALLOCATION"));
            if (al.resident || al.unit_clusters)
                return src->error(what + ": unsupported $INDEX_ALLOCATION form");
            d.alloc = std::move(al);
        }
        return d;
    }

    // An index block (INDX) after fix-ups, from the cache or the disk.
    Result<std::shared_ptr<const std::vector<std::uint8_t>>> index_block(const DirIndex& d,
                                                                         std::uint64_t vcn) const {
        const std::string what = rec_name(d.dir) + " $I30 index block at VCN " + std::to_string(vcn);
        if (!d.alloc) return src->error(what + ": directory has no $INDEX_ALLOCATION");
        {
            std::lock_guard<std::mutex> lock(mu);
            if (auto v = index_blocks.get({d.dir, vcn})) return v;
        }
        if (vcn > kMaxByteOffset / d.vcn_unit) return src->error(what + ": VCN out of range");
        const std::uint64_t off = vcn * d.vcn_unit;
        if (!range_ok(off, d.block_size, d.alloc->size))
            return src->error(what + ": past the end of the index allocation (" +
                              std::to_string(d.alloc->size) + " bytes)");
        auto buf = std::make_shared<std::vector<std::uint8_t>>(d.block_size);
        IMGPREP_TRY(read_stream(ctx, *d.alloc, off, *buf, what, nullptr, nullptr));
        const std::uint64_t disk = disk_offset(d.alloc->runs, info.cluster_size, off).value_or(0);
        if (std::memcmp(buf->data(), "INDX", 4) != 0)
            return src->error_at(disk,
                                 what + ": bad signature '" + printable(std::span(*buf).first(4)) + "'");
        IMGPREP_TRY(fixup(*buf, disk, what));
        if (le64(buf->data() + 16) != vcn)
            return src->error_at(disk, what + ": block claims VCN " + std::to_string(le64(buf->data() + 16)));
        std::lock_guard<std::mutex> lock(mu);
        index_blocks.put({d.dir, vcn}, buf);
        return std::shared_ptr<const std::vector<std::uint8_t>>(buf);
    }

    // Entries of the root node (node = root) or of the block at vcn. keep holds the block alive.
    Status node_entries(const DirIndex& d, std::optional<std::uint64_t> vcn, std::vector<IndexEntry>& out,
                        std::shared_ptr<const std::vector<std::uint8_t>>& keep) const {
        std::string why;
        if (!vcn) {
            if (!parse_node(std::span(d.root).subspan(16), out, why))
                return src->error(rec_name(d.dir) + " $I30 root: " + why);
            return {};
        }
        IMGPREP_ASSIGN(keep, index_block(d, *vcn));
        if (!parse_node(std::span(*keep).subspan(24), out, why))
            return src->error(rec_name(d.dir) + " $I30 block at VCN " + std::to_string(*vcn) + ": " + why);
        return {};
    }

    // In-order traversal of the whole B-tree; visited VCNs stop loops, depth is bounded.
    Status traverse(const DirIndex& d, std::optional<std::uint64_t> vcn, unsigned depth,
                    std::set<std::uint64_t>& visited,
                    const std::function<void(const FileNameKey&, std::uint64_t)>& fn) const {
        if (depth > kMaxIndexDepth)
            return src->error(rec_name(d.dir) + " $I30: index tree deeper than 32 levels");
        if (vcn && !visited.insert(*vcn).second)
            return src->error(rec_name(d.dir) + " $I30: index block at VCN " + std::to_string(*vcn) +
                              " is referenced twice (index loop)");
        std::vector<IndexEntry> entries;
        std::shared_ptr<const std::vector<std::uint8_t>> keep;
        IMGPREP_TRY(node_entries(d, vcn, entries, keep));
        for (const IndexEntry& e : entries) {
            if (e.has_sub) IMGPREP_TRY(traverse(d, e.sub_vcn, depth + 1, visited, fn));
            if (e.last) break;
            auto k = parse_file_name(e.key);
            if (!k) return src->error(rec_name(d.dir) + " $I30: malformed $FILE_NAME key");
            fn(*k, e.ref);
        }
        return {};
    }

    struct Found {
        std::uint64_t ref = 0;
        FileNameKey key;
    };

    // B-tree search for name (case-insensitive; an exact-case match is preferred).
    Result<std::optional<Found>> find_in(const DirIndex& d, std::u16string_view name) const {
        std::optional<Found> candidate;
        std::optional<std::uint64_t> vcn;
        std::set<std::uint64_t> visited;
        for (unsigned depth = 0; depth <= kMaxIndexDepth; ++depth) {
            std::vector<IndexEntry> entries;
            std::shared_ptr<const std::vector<std::uint8_t>> keep;
            IMGPREP_TRY(node_entries(d, vcn, entries, keep));
            std::optional<std::uint64_t> down;
            for (const IndexEntry& e : entries) {
                if (e.last) {
                    if (e.has_sub) down = e.sub_vcn;
                    break;
                }
                auto k = parse_file_name(e.key);
                if (!k) return src->error(rec_name(d.dir) + " $I30: malformed $FILE_NAME key");
                const int c = collate(name, k->name);
                if (c == 0) {
                    if (k->name == name) return std::optional<Found>(Found{e.ref, *k});
                    if (!candidate) candidate = Found{e.ref, *k};
                    continue;
                }
                if (c < 0) {
                    if (e.has_sub) down = e.sub_vcn;
                    break;
                }
            }
            if (!down) return candidate;
            if (!visited.insert(*down).second)
                return src->error(rec_name(d.dir) + " $I30: index block at VCN " + std::to_string(*down) +
                                  " is referenced twice (index loop)");
            vcn = down;
        }
        return src->error(rec_name(d.dir) + " $I30: index tree deeper than 32 levels");
    }

    // Resolves a path to (record, sequence); nullopt when a component does not exist.
    Result<std::optional<std::uint64_t>> resolve(std::string_view path) const {
        auto parts = split_path(path);
        if (parts.size() > kMaxPathComponents) return src->error("path has too many components");
        std::uint64_t cur = kRootDirectory;
        std::string walked;
        for (std::string_view p : parts) {
            if (p == ".") continue;
            if (p == "..") return src->error("path '" + std::string(path) + "': '..' is not supported");
            auto name = from_utf8(p);
            if (!name) return src->error("path '" + std::string(path) + "' is not valid UTF-8");
            IMGPREP_ASSIGN(File f, load_file(cur));
            if (!(f.flags & kRecordIsDirectory))
                return src->error("'" + walked + "' is not a directory (" + rec_name(cur) + ")");
            IMGPREP_ASSIGN(DirIndex d, open_index(f));
            IMGPREP_ASSIGN(auto found, find_in(d, *name));
            if (!found) return std::optional<std::uint64_t>();
            const std::uint64_t rec = found->ref & 0xffffffffffffULL;
            const auto seq = std::uint16_t(found->ref >> 48);
            walked += "\\" + std::string(p);
            IMGPREP_ASSIGN(auto bytes, record_bytes(rec));
            const std::uint16_t have = le16(bytes->data() + 16);
            if (!(le16(bytes->data() + 22) & kRecordInUse))
                return src->error("'" + walked + "': directory entry points to " + rec_name(rec) +
                                  ", which is not in use");
            if (seq && have != seq)
                return src->error("'" + walked + "': directory entry has sequence " + std::to_string(seq) +
                                  " but " + rec_name(rec) + " has " + std::to_string(have) +
                                  " (stale entry)");
            cur = rec;
        }
        return std::optional<std::uint64_t>(cur);
    }

    Result<std::vector<DirEntry>> list(std::uint64_t dir) const {
        IMGPREP_ASSIGN(File f, load_file(dir));
        IMGPREP_ASSIGN(DirIndex d, open_index(f));
        std::vector<DirEntry> out;
        std::set<std::uint64_t> visited;
        IMGPREP_TRY(traverse(d, std::nullopt, 0, visited, [&](const FileNameKey& k, std::uint64_t ref) {
            if (k.ns == NameSpace::Dos) return;
            if ((ref & 0xffffffffffffULL) == dir && k.name == u".") return; // the root's entry for itself
            DirEntry e;
            e.name = utf16_units_to_utf8(k.name);
            e.mft_index = ref & 0xffffffffffffULL;
            e.sequence = std::uint16_t(ref >> 48);
            e.name_space = k.ns;
            e.attributes = k.attributes;
            e.is_directory = (k.attributes & (kFileAttrIndexPresent | kFileAttrDirectory)) != 0;
            e.size = k.size;
            out.push_back(std::move(e));
        }));
        return out;
    }

    Result<FileInfo> stat(std::uint64_t index) const {
        IMGPREP_ASSIGN(File f, load_file(index));
        FileInfo fi;
        fi.mft_index = index;
        fi.sequence = f.sequence;
        fi.link_count = f.links;
        fi.is_directory = f.flags & kRecordIsDirectory;
        fi.has_attribute_list = f.has_list;
        fi.extension_records = f.extension_records;
        for (const Attr& a : f.attrs) {
            if (a.type == kAttrStandardInfo && !a.nonresident && a.value.size() >= 36) {
                fi.created = le64(a.value.data());
                fi.modified = le64(a.value.data() + 8);
                fi.mft_modified = le64(a.value.data() + 16);
                fi.accessed = le64(a.value.data() + 24);
                fi.attributes = le32(a.value.data() + 32);
            } else if (a.type == kAttrFileName && !a.nonresident) {
                if (auto k = parse_file_name(a.value))
                    fi.names.push_back({utf16_units_to_utf8(k->name), k->ns, k->parent & 0xffffffffffffULL,
                                        std::uint16_t(k->parent >> 48)});
            } else if (a.type == kAttrReparsePoint && !a.nonresident && a.value.size() >= 4) {
                fi.reparse_tag = le32(a.value.data());
            } else if (a.type == kAttrData && (!a.nonresident || a.lowest_vcn == 0)) {
                StreamInfo s;
                s.name = utf16_units_to_utf8(a.name);
                s.resident = !a.nonresident;
                s.size = a.nonresident ? a.size : a.value.size();
                s.allocated = a.nonresident ? a.allocated : a.value.size();
                s.initialized = a.nonresident ? a.initialized : a.value.size();
                s.compressed = a.flags & kAttrFlagCompressionMask;
                s.sparse = a.flags & kAttrFlagSparse;
                s.encrypted = a.flags & kAttrFlagEncrypted;
                if (a.name.empty()) fi.size = s.size;
                fi.streams.push_back(std::move(s));
            }
        }
        return fi;
    }

    Result<SourcePtr> open_stream(std::uint64_t index, std::string_view stream,
                                  const std::string& label) const {
        auto sname = from_utf8(stream);
        if (!sname) return src->error("stream name is not valid UTF-8");
        IMGPREP_ASSIGN(File f, load_file(index));
        const std::string what = label + (stream.empty() ? "" : ":" + std::string(stream));
        bool any = false;
        for (const Attr& a : f.attrs)
            if (a.type == kAttrData && names_equal_ci(a.name, *sname)) any = true;
        if (!any) {
            if ((f.flags & kRecordIsDirectory) && stream.empty()) return src->error(what + " is a directory");
            return src->error(what + ": no such data stream");
        }
        if (stream.empty())
            for (const Attr& a : f.attrs)
                if (a.type == kAttrReparsePoint && !a.nonresident && a.value.size() >= 4 &&
                    le32(a.value.data()) == kReparseTagWof)
                    return src->error(what +
                                      ": WOF-compressed file (CompactOS; data in the WofCompressedData "
                                      "stream) is not supported");
        IMGPREP_ASSIGN(Layout L, layout_of(f, kAttrData, *sname, true, what));
        if (L.flags & kAttrFlagEncrypted) return src->error(what + ": stream is EFS-encrypted");
        if (!L.resident && (L.flags & kAttrFlagCompressionMask) && !L.unit_clusters)
            return src->error(what + ": unsupported compression");
        return SourcePtr(std::make_shared<StreamSource>(ctx, std::move(L), src->name() + ":" + what));
    }
};

// ---------------------------------------------------------------------------------------------------------

HiberfilState classify_hiberfil(std::span<const std::uint8_t> page, std::uint64_t file_size) {
    HiberfilState h;
    h.present = true;
    h.size = file_size;
    if (page.size() > 4096) page = page.first(4096);
    h.signature = printable(page.first(std::min<std::size_t>(4, page.size())));
    static const char* sigs[] = {"hibr", "HIBR", "wake", "WAKE"};
    for (const char* s : sigs)
        if (page.size() >= 4 && std::memcmp(page.data(), s, 4) == 0) {
            h.hibernated = true;
            h.reason = std::string("hiberfil.sys starts with \"") + s + "\"";
            return h;
        }
    if (!is_all_zero(page)) {
        h.hibernated = true;
        h.reason = "hiberfil.sys first page is not all zero (signature '" + h.signature + "')";
        return h;
    }
    h.reason = page.empty() ? "hiberfil.sys is empty" : "hiberfil.sys first page is all zero";
    return h;
}

Volume::Volume(Key, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Volume::~Volume() = default;

const VolumeInfo& Volume::info() const {
    return impl_->info;
}
const SourcePtr& Volume::source() const {
    return impl_->src;
}

Result<std::unique_ptr<Volume>> Volume::open(SourcePtr source) {
    auto impl = std::make_unique<Impl>();
    impl->src = source;
    const ByteSource& src = *source;
    VolumeInfo& vi = impl->info;
    if (src.size() < 512)
        return src.error("too small for an NTFS volume (" + std::to_string(src.size()) + " bytes)");
    std::uint8_t bs[512];
    IMGPREP_TRY(src.read_at(0, bs));
    if (std::memcmp(bs + 3, "-FVE-FS-", 8) == 0)
        return src.error_at(3, "BitLocker-encrypted volume (OEM id \"-FVE-FS-\"): cannot be read as NTFS");
    if (std::memcmp(bs, "LUKS\xba\xbe", 6) == 0) return src.error_at(0, "LUKS-encrypted volume: not NTFS");
    if (std::memcmp(bs + 3, "NTFS    ", 8) != 0)
        return src.error_at(3, "not an NTFS volume (OEM id '" + printable(std::span(bs + 3, 8)) + "')");
    vi.bytes_per_sector = le16(bs + 11);
    if (vi.bytes_per_sector != 512 && vi.bytes_per_sector != 1024 && vi.bytes_per_sector != 2048 &&
        vi.bytes_per_sector != 4096)
        return src.error_at(11, "invalid bytes per sector " + std::to_string(vi.bytes_per_sector));
    const std::uint8_t spc = bs[13];
    std::uint64_t sectors_per_cluster;
    if (spc >= 1 && spc <= 128 && (spc & (spc - 1)) == 0)
        sectors_per_cluster = spc;
    else if (spc >= 244)
        sectors_per_cluster = std::uint64_t(1) << (256 - spc);
    else
        return src.error_at(13, "invalid sectors per cluster value " + std::to_string(spc));
    const std::uint64_t cs = sectors_per_cluster * vi.bytes_per_sector;
    if (cs > kMaxClusterSize) return src.error_at(13, "cluster size " + std::to_string(cs) + " too large");
    vi.cluster_size = std::uint32_t(cs);
    vi.total_sectors = le64(bs + 40);
    if (vi.total_sectors == 0 || vi.total_sectors > kMaxByteOffset / vi.bytes_per_sector)
        return src.error_at(40, "invalid total sector count " + std::to_string(vi.total_sectors));
    vi.volume_size = vi.total_sectors * vi.bytes_per_sector;
    vi.cluster_count = vi.volume_size / cs;
    auto size_field = [&](std::size_t off, const char* what) -> Result<std::uint32_t> {
        const auto v = std::int8_t(bs[off]);
        std::uint64_t bytes;
        if (v > 0)
            bytes = std::uint64_t(v) * cs;
        else if (v < 0 && v >= -31)
            bytes = std::uint64_t(1) << (-v);
        else
            return src.error_at(off, std::string("invalid ") + what + " size value " + std::to_string(v));
        if (bytes < kFixupStride || bytes > kMaxRecordSize || (bytes & (bytes - 1)))
            return src.error_at(off, std::string(what) + " size " + std::to_string(bytes) + " not supported");
        return std::uint32_t(bytes);
    };
    IMGPREP_ASSIGN(vi.mft_record_size, size_field(64, "MFT record"));
    IMGPREP_ASSIGN(vi.index_block_size, size_field(68, "index block"));
    vi.mft_lcn = le64(bs + 48);
    vi.mftmirr_lcn = le64(bs + 56);
    vi.serial = le64(bs + 72);
    if (vi.mft_lcn >= vi.cluster_count || vi.mft_lcn * cs + vi.mft_record_size > vi.volume_size)
        return src.error_at(48, "MFT cluster " + std::to_string(vi.mft_lcn) + " outside the volume (" +
                                    std::to_string(vi.cluster_count) + " clusters)");
    if (vi.mftmirr_lcn >= vi.cluster_count)
        vi.warnings.push_back("$MFTMirr cluster " + std::to_string(vi.mftmirr_lcn) + " outside the volume");
    if (le16(bs + 510) != 0xaa55) vi.warnings.push_back("boot sector lacks the 55 AA signature");
    if (vi.volume_size > src.size())
        vi.warnings.push_back("volume claims " + std::to_string(vi.volume_size) +
                              " bytes but its source holds " + std::to_string(src.size()) + " (truncated?)");
    impl->ctx = StreamCtx{source, vi.cluster_size};
    impl->records.set_capacity(std::max<std::size_t>(32, (1u << 20) / vi.mft_record_size)); // ~1 MiB
    impl->index_blocks.set_capacity(std::max<std::size_t>(16, (1u << 20) / vi.index_block_size));
    // ASCII case folding until $UpCase is loaded (needed to compare names while loading).
    static const std::vector<char16_t> ascii_upcase = [] {
        std::vector<char16_t> t(65536);
        for (std::size_t i = 0; i < t.size(); ++i)
            t[i] = char16_t(i >= u'a' && i <= u'z' ? i - 32 : i);
        return t;
    }();
    impl->upcase = ascii_upcase;

    // $MFT record 0 is read where the boot sector says; its $DATA run list then maps every other record.
    const std::uint64_t mft_disk = vi.mft_lcn * cs;
    std::vector<std::uint8_t> r0(vi.mft_record_size);
    IMGPREP_TRY(src.read_at(mft_disk, r0));
    IMGPREP_TRY(impl->check_record(0, r0, mft_disk));
    IMGPREP_ASSIGN(Record rec0, impl->parse_record(0, r0, mft_disk));
    if (!(rec0.flags & kRecordInUse)) return src.error_at(mft_disk, "MFT record 0 ($MFT) is not in use");
    auto mft_extents = [&](const std::vector<Attr>& attrs) {
        std::vector<const Attr*> v;
        for (const Attr& a : attrs)
            if (a.type == kAttrData && a.name.empty()) v.push_back(&a);
        return v;
    };
    {
        auto ext = mft_extents(rec0.attrs);
        if (ext.empty()) return src.error_at(mft_disk, "$MFT has no $DATA attribute in its base record");
        IMGPREP_ASSIGN(impl->mft, impl->merge(ext, "$MFT $DATA", true));
    }
    if (impl->mft.resident) return src.error_at(mft_disk, "$MFT $DATA is resident");
    auto set_mft_count = [&]() {
        vi.mft_records = impl->mft.size / vi.mft_record_size;
        std::uint64_t mapped = 0;
        for (const Run& r : impl->mft.runs)
            mapped += r.length;
        // Only records inside both the data size and the mapped clusters are reachable.
        vi.mft_records = std::min(vi.mft_records, mapped * cs / vi.mft_record_size);
    };
    set_mft_count();
    const Attr* list0 = nullptr;
    for (const Attr& a : rec0.attrs)
        if (a.type == kAttrList) list0 = &a;
    if (list0) {
        // A fragmented $MFT: extension records hold further $DATA extents. Each must be reachable through the
        // extents known so far (the first extent lives in the base record).
        IMGPREP_ASSIGN(Layout ll, impl->merge({list0}, "$MFT $ATTRIBUTE_LIST", false));
        IMGPREP_ASSIGN(auto lb, impl->read_all(ll, std::min<std::uint64_t>(kMaxAttributeList, vi.volume_size),
                                               "$MFT $ATTRIBUTE_LIST"));
        IMGPREP_ASSIGN(auto refs, impl->parse_list(0, lb));
        std::vector<Attr> all = rec0.attrs;
        for (auto [rec, seq] : refs) {
            IMGPREP_ASSIGN(Record ext, impl->read_record(rec));
            if (ext.base != 0 || !(ext.flags & kRecordInUse))
                return src.error("$MFT attribute list references " + impl->rec_name(rec) +
                                 ", which is not an extension record of $MFT");
            (void)seq;
            for (Attr& a : ext.attrs)
                if (a.type != kAttrList) all.push_back(std::move(a));
            IMGPREP_ASSIGN(impl->mft, impl->merge(mft_extents(all), "$MFT $DATA", true));
            set_mft_count();
        }
        IMGPREP_ASSIGN(impl->mft, impl->merge(mft_extents(all), "$MFT $DATA", false));
        set_mft_count();
    }
    if (impl->mft.unit_clusters || (impl->mft.flags & kAttrFlagEncrypted))
        return src.error_at(mft_disk, "$MFT $DATA is compressed or encrypted");
    vi.mft_fragments = std::uint32_t(impl->mft.runs.size());
    if (vi.mft_records <= kUpCaseFile)
        return src.error_at(mft_disk, "$MFT holds only " + std::to_string(vi.mft_records) + " records");
    {
        // The cached record 0 from the direct read is the same bytes as through the run list.
        std::lock_guard<std::mutex> lock(impl->mu);
        impl->records.put(0, std::make_shared<std::vector<std::uint8_t>>(r0));
    }

    // $UpCase (file 10): the table that defines case-insensitive name comparison on this volume.
    {
        auto up = [&]() -> Status {
            IMGPREP_ASSIGN(File f, impl->load_file(kUpCaseFile));
            IMGPREP_ASSIGN(Layout L, impl->layout_of(f, kAttrData, u"", false, "$UpCase"));
            IMGPREP_ASSIGN(auto data, impl->read_all(L, 131072, "$UpCase"));
            if (data.size() < 256)
                return src.error("$UpCase holds only " + std::to_string(data.size()) + " bytes");
            le16_array(data.data(), data.size() / 2, impl->upcase.data());
            if (data.size() != 131072)
                vi.warnings.push_back("$UpCase has " + std::to_string(data.size()) +
                                      " bytes, expected 131072");
            return {};
        }();
        if (!up.ok())
            vi.warnings.push_back("cannot read $UpCase, using ASCII case folding: " + up.error().describe());
    }

    // $Volume (file 3): version, flags (dirty) and label.
    {
        auto vol = [&]() -> Status {
            IMGPREP_ASSIGN(File f, impl->load_file(kVolumeFile));
            bool have_info = false;
            for (const Attr& a : f.attrs) {
                if (a.type == kAttrVolumeInfo && !a.nonresident && a.value.size() >= 12) {
                    vi.major_version = a.value[8];
                    vi.minor_version = a.value[9];
                    vi.volume_flags = le16(a.value.data() + 10);
                    vi.dirty = vi.volume_flags & kVolumeDirty;
                    have_info = true;
                } else if (a.type == kAttrVolumeName && !a.nonresident) {
                    vi.label = utf16_units_to_utf8(load_u16(a.value.data(), a.value.size() / 2));
                }
            }
            if (!have_info) return src.error("$Volume has no $VOLUME_INFORMATION attribute");
            return {};
        }();
        vi.volume_info_read = vol.ok();
        if (!vol.ok()) vi.warnings.push_back("cannot read $Volume: " + vol.error().describe());
    }
    return std::make_unique<Volume>(Key{}, std::move(impl));
}

Result<std::uint64_t> Volume::lookup(std::string_view path) const {
    IMGPREP_ASSIGN(auto r, impl_->resolve(path));
    if (!r) return impl_->src->error("'" + std::string(path) + "' not found");
    return *r;
}

Result<bool> Volume::exists(std::string_view path) const {
    IMGPREP_ASSIGN(auto r, impl_->resolve(path));
    return r.has_value();
}

Result<FileInfo> Volume::stat(std::uint64_t mft_index) const {
    return impl_->stat(mft_index);
}

Result<FileInfo> Volume::stat_path(std::string_view path) const {
    IMGPREP_ASSIGN(std::uint64_t i, lookup(path));
    return impl_->stat(i);
}

Result<std::vector<DirEntry>> Volume::list(std::uint64_t dir_index) const {
    return impl_->list(dir_index);
}

Result<std::vector<DirEntry>> Volume::list_path(std::string_view path) const {
    IMGPREP_ASSIGN(std::uint64_t i, lookup(path));
    return impl_->list(i);
}

Status Volume::walk(std::uint64_t dir_index,
                    const std::function<bool(const std::string&, const DirEntry&)>& fn,
                    unsigned max_depth) const {
    std::set<std::uint64_t> visited{dir_index};
    bool stop = false;
    std::function<Status(std::uint64_t, const std::string&, unsigned)> rec =
        [&](std::uint64_t dir, const std::string& prefix, unsigned depth) -> Status {
        IMGPREP_ASSIGN(auto entries, impl_->list(dir));
        for (const DirEntry& e : entries) {
            const std::string path = prefix.empty() ? e.name : prefix + "/" + e.name;
            if (!fn(path, e)) {
                stop = true;
                return {};
            }
            if (!e.is_directory) continue;
            if (!visited.insert(e.mft_index).second)
                return impl_->src->error("directory loop: '" + path + "' refers to " +
                                         impl_->rec_name(e.mft_index) + ", which was already visited");
            if (depth + 1 > max_depth)
                return impl_->src->error("'" + path + "': directories nested deeper than " +
                                         std::to_string(max_depth));
            IMGPREP_TRY(rec(e.mft_index, path, depth + 1));
            if (stop) return {};
        }
        return {};
    };
    return rec(dir_index, "", 0);
}

Result<SourcePtr> Volume::open_stream(std::uint64_t mft_index, std::string_view stream) const {
    return impl_->open_stream(mft_index, stream, impl_->rec_name(mft_index));
}

Result<SourcePtr> Volume::open_path(std::string_view path, std::string_view stream) const {
    IMGPREP_ASSIGN(std::uint64_t i, lookup(path));
    return impl_->open_stream(i, stream, std::string(path));
}

Result<std::vector<std::uint8_t>> Volume::read_path(std::string_view path, std::uint64_t max_bytes) const {
    IMGPREP_ASSIGN(SourcePtr s, open_path(path));
    if (s->size() > max_bytes)
        return s->error(std::to_string(s->size()) + " bytes exceeds the limit of " +
                        std::to_string(max_bytes));
    std::vector<std::uint8_t> v(std::size_t(s->size()));
    IMGPREP_TRY(s->read_at(0, v));
    return v;
}

Result<HiberfilState> Volume::hiberfil_state() const {
    IMGPREP_ASSIGN(auto r, impl_->resolve("\\hiberfil.sys"));
    if (!r) return HiberfilState{};
    IMGPREP_ASSIGN(SourcePtr s, impl_->open_stream(*r, "", "\\hiberfil.sys"));
    std::vector<std::uint8_t> page(std::size_t(std::min<std::uint64_t>(4096, s->size())));
    IMGPREP_TRY(s->read_at(0, page));
    return classify_hiberfil(page, s->size());
}

} // namespace imgprep::ntfs
