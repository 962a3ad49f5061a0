// VMDK: hosted sparse extents ("KDMV" header, versions 1-3, including streamOptimized with deflate-compressed
// grains), text descriptors with FLAT / VMFS / SPARSE / ZERO extents, and differencing disks
// (parentFileNameHint). Written from VMware's "Virtual Disk Format" technical note (1.1 / 5.0):
// - a sparse extent is a header (sector 0), an optional embedded descriptor, a grain directory (GD), grain
//   tables (GT) and grains;
// - GD entry = sector of a GT (0: none); GT entry = sector of a grain (0: unallocated, read from the parent;
//   1: zeroed grain when the extent allows it);
// - compressed grains start with a 12-byte marker (uint64 lba, uint32 size) followed by `size` bytes of
//   deflate data; streamOptimized files may put the GD at the end (gdOffset == GD_AT_END): the header that
//   locates it is then the footer at file size - 1024.
#include <zlib.h>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "image/formats.h"
#include "image/vmdk_descriptor.h"
#include "io/file_system.h"
#include "util/endian.h"

namespace imgprep {
namespace {

constexpr std::uint64_t kSector = 512;
constexpr std::uint64_t kGdAtEnd = ~std::uint64_t{0};
// Largest virtual size accepted (VMDK itself stops at 62 TB); keeps every derived size far from overflow.
constexpr std::uint64_t kMaxSectors = std::uint64_t(1) << 40; // 512 TiB
// Grain size: a power of two; VMware writes 128 sectors (64 KiB). Bounded so a grain buffer stays small.
constexpr std::uint64_t kMaxGrainSectors = 2048; // 1 MiB
// numGTEsPerGT is 512 in every VMware disk; other values are read as written, within this bound.
constexpr std::uint32_t kMaxGtes = 8192;
// Largest grain directory loaded (and checked entry by entry) at open: 4M entries, 16 MiB — 128 TiB with
// VMware's 64 KiB grains and 512-entry grain tables (vSphere's limit is 62 TB), 8 TiB with the smallest 4 KiB
// grains.
constexpr std::uint64_t kMaxGdEntries = std::uint64_t(1) << 22;
constexpr std::uint64_t kMaxDescriptorBytes = std::uint64_t(4) << 20;
// Caches are per disk, shared by all its sparse extents, so their memory does not grow with the number of
// extents (a descriptor may list 16384): grain-table entries kept (2 MiB, 1024 of VMware's 512-entry tables).
constexpr std::size_t kGtCacheWords = std::size_t(1024) * 512;
constexpr std::size_t kGrainCacheEntries = 8; // decompressed grains kept for small reads
constexpr std::size_t kMaxPooledInflaters = 8;

constexpr std::uint32_t kFlagNewlineTest = 1u << 0;
constexpr std::uint32_t kFlagRedundantGt = 1u << 1;
constexpr std::uint32_t kFlagZeroGrain = 1u << 2;
constexpr std::uint32_t kFlagCompressed = 1u << 16;
constexpr std::uint32_t kFlagMarkers = 1u << 17;

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return s;
}

// ---------------------------------------------------------------------------------------------------------------
// Decompression: one z_stream per concurrent reader, reused through a small pool.

class Inflater {
  public:
    enum class Outcome { Ok, Corrupt, TooLarge, Truncated, BadChecksum };

    Inflater() {
        std::memset(&zs_, 0, sizeof zs_);
        ready_ = inflateInit2(&zs_, -MAX_WBITS) == Z_OK;
    }
    ~Inflater() {
        if (ready_) inflateEnd(&zs_);
    }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;

    // Inflates all of `in` (a zlib stream, or raw deflate) into `out`; `produced` = bytes written. The zlib
    // stream's Adler-32 is checked here rather than by zlib (zlib's own is the slowest part of inflating).
    Outcome run(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::size_t& produced) {
        produced = 0;
        if (!ready_) return Outcome::Corrupt;
        const bool zlib_header = in.size() >= 2 && (in[0] & 0x0f) == 8 && (in[0] >> 4) <= 7 &&
                                 ((unsigned(in[0]) << 8) | in[1]) % 31 == 0 && !(in[1] & 0x20);
        if (zlib_header) {
            Outcome o = once(in.subspan(2), out, produced);
            if (o == Outcome::Ok) {
                if (zs_.avail_in < 4) return Outcome::Truncated; // the checksum is missing
                if (be32(zs_.next_in) != adler32_of(out.first(produced))) return Outcome::BadChecksum;
                return o;
            }
            if (o != Outcome::Corrupt) return o;
        }
        return once(in, out, produced); // raw deflate (or a zlib header that was not one)
    }

    std::vector<std::uint8_t> in_buf; // compressed bytes of the grain being read (capacity reused)

  private:
    Outcome once(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::size_t& produced) {
        if (inflateReset(&zs_) != Z_OK) return Outcome::Corrupt;
        zs_.next_in = const_cast<Bytef*>(in.data());
        zs_.avail_in = uInt(in.size());
        zs_.next_out = out.data();
        zs_.avail_out = uInt(out.size());
        const int r = inflate(&zs_, Z_FINISH);
        produced = out.size() - zs_.avail_out;
        if (r == Z_STREAM_END) return Outcome::Ok;
        if (r == Z_OK || r == Z_BUF_ERROR) return zs_.avail_out == 0 ? Outcome::TooLarge : Outcome::Truncated;
        return Outcome::Corrupt;
    }

    // Adler-32 (RFC 1950). s1 = 1 + sum of bytes, s2 = sum of the successive s1 values, both mod 65521. Over
    // n bytes: s2' = s2 + n*s1 + sum((n - k) * b[k]); with 64-bit sums a modulo is needed only once per
    // chunk.
    static std::uint32_t adler32_of(std::span<const std::uint8_t> d) {
        constexpr std::uint64_t kMod = 65521;
        std::uint64_t s1 = 1, s2 = 0;
        const std::uint8_t* p = d.data();
        std::size_t n = d.size();
#if defined(__SSE2__) || defined(_M_X64)
        // 32-byte blocks, chunks of at most 1024 blocks so that no 32-bit lane overflows.
        const __m128i zero = _mm_setzero_si128();
        const __m128i w_a_lo = _mm_setr_epi16(32, 31, 30, 29, 28, 27, 26, 25);
        const __m128i w_a_hi = _mm_setr_epi16(24, 23, 22, 21, 20, 19, 18, 17);
        const __m128i w_b_lo = _mm_setr_epi16(16, 15, 14, 13, 12, 11, 10, 9);
        const __m128i w_b_hi = _mm_setr_epi16(8, 7, 6, 5, 4, 3, 2, 1);
        auto hsum = [](__m128i v) {
            alignas(16) std::uint32_t l[4];
            _mm_store_si128(reinterpret_cast<__m128i*>(l), v);
            return std::uint64_t(l[0]) + l[1] + l[2] + l[3];
        };
        while (n >= 32) {
            const std::size_t blocks = std::min<std::size_t>(n / 32, 1024);
            __m128i vs1 = zero, vps = zero, vs2 = zero;
            for (std::size_t i = 0; i < blocks; ++i, p += 32) {
                const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
                const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
                vps = _mm_add_epi32(vps, vs1);
                vs1 = _mm_add_epi32(vs1, _mm_add_epi32(_mm_sad_epu8(a, zero), _mm_sad_epu8(b, zero)));
                vs2 = _mm_add_epi32(vs2, _mm_madd_epi16(_mm_unpacklo_epi8(a, zero), w_a_lo));
                vs2 = _mm_add_epi32(vs2, _mm_madd_epi16(_mm_unpackhi_epi8(a, zero), w_a_hi));
                vs2 = _mm_add_epi32(vs2, _mm_madd_epi16(_mm_unpacklo_epi8(b, zero), w_b_lo));
                vs2 = _mm_add_epi32(vs2, _mm_madd_epi16(_mm_unpackhi_epi8(b, zero), w_b_hi));
            }
            s2 += blocks * 32 * s1 + 32 * hsum(vps) + hsum(vs2);
            s1 += hsum(vs1);
            n -= blocks * 32;
            s1 %= kMod;
            s2 %= kMod;
        }
#endif
        while (n) {
            std::size_t chunk = std::min<std::size_t>(n, 4096);
            n -= chunk;
            for (; chunk; --chunk, ++p) {
                s1 += *p;
                s2 += s1;
            }
            s1 %= kMod;
            s2 %= kMod;
        }
        return std::uint32_t((s2 << 16) | s1);
    }

    z_stream zs_;
    bool ready_ = false;
};

class InflaterPool {
  public:
    std::unique_ptr<Inflater> take() const {
        {
            std::lock_guard lock(mu_);
            if (!free_.empty()) {
                auto z = std::move(free_.back());
                free_.pop_back();
                return z;
            }
        }
        return std::make_unique<Inflater>();
    }
    void give(std::unique_ptr<Inflater> z) const {
        std::lock_guard lock(mu_);
        if (free_.size() < kMaxPooledInflaters) free_.push_back(std::move(z));
    }

  private:
    mutable std::mutex mu_;
    mutable std::vector<std::unique_ptr<Inflater>> free_;
};

// What the sparse extents of one disk share: the caches, the inflaters, and the count of grain directory
// entries loaded (at most kMaxGdEntries for the whole disk, so many extents cannot multiply the 16 MiB one
// may have).
struct SparseShared {
    InflaterPool pool;

    std::mutex gt_mu;
    using GtEntry = std::pair<std::uint64_t, std::shared_ptr<const std::vector<std::uint32_t>>>; // key, table
    std::list<GtEntry> gt_lru;
    std::unordered_map<std::uint64_t, std::list<GtEntry>::iterator> gt_map;
    std::size_t gt_words = 0; // entries of the cached tables

    struct CachedGrain {
        std::uint32_t owner = 0; // the extent's id
        std::uint64_t grain = ~std::uint64_t{0};
        std::shared_ptr<std::vector<std::uint8_t>> data;
        std::uint64_t used = 0;
    };
    std::mutex grain_mu;
    std::vector<CachedGrain> grain_cache = std::vector<CachedGrain>(kGrainCacheEntries);
    std::uint64_t tick = 0;

    std::uint32_t next_id = 0;
    std::uint64_t gd_entries = 0;
};

class InflaterLease {
  public:
    explicit InflaterLease(const InflaterPool& pool) : pool_(pool), z_(pool.take()) {}
    ~InflaterLease() { pool_.give(std::move(z_)); }
    InflaterLease(const InflaterLease&) = delete;
    InflaterLease& operator=(const InflaterLease&) = delete;
    Inflater* operator->() { return z_.get(); }

  private:
    const InflaterPool& pool_;
    std::unique_ptr<Inflater> z_;
};

// ---------------------------------------------------------------------------------------------------------------
// Hosted sparse extent.

struct SparseHeader {
    std::uint32_t version = 0;
    std::uint32_t flags = 0;
    std::uint64_t capacity = 0; // sectors
    std::uint64_t grain = 0;    // sectors
    std::uint64_t desc_offset = 0;
    std::uint64_t desc_size = 0;
    std::uint32_t gtes = 0;
    std::uint64_t rgd = 0;
    std::uint64_t gd = 0;
    std::uint64_t overhead = 0;
    bool unclean = false;
    std::uint8_t newline[4] = {};
    std::uint16_t compress = 0;
};

SparseHeader parse_header(const std::uint8_t* h) {
    SparseHeader s;
    s.version = le32(h + 4);
    s.flags = le32(h + 8);
    s.capacity = le64(h + 12);
    s.grain = le64(h + 20);
    s.desc_offset = le64(h + 28);
    s.desc_size = le64(h + 36);
    s.gtes = le32(h + 44);
    s.rgd = le64(h + 48);
    s.gd = le64(h + 56);
    s.overhead = le64(h + 64);
    s.unclean = h[72] != 0;
    std::memcpy(s.newline, h + 73, 4);
    s.compress = le16(h + 77);
    return s;
}

enum class GrainKind { Unallocated, Zero, Data };

class SparseExtent {
  public:
    using Table = std::shared_ptr<const std::vector<std::uint32_t>>;

    // Opens the sparse extent in `file`; `shared` holds the caches of the disk it belongs to.
    static Result<std::shared_ptr<SparseExtent>>
    open(SourcePtr file, const std::shared_ptr<SparseShared>& shared, std::vector<std::string>& warnings) {
        std::shared_ptr<SparseExtent> x(new SparseExtent(std::move(file), shared, shared->next_id++));
        IMGPREP_TRY(x->load(warnings));
        return x;
    }

    const SparseHeader& header() const { return h_; }
    const SourcePtr& file() const { return file_; }
    std::uint64_t capacity_bytes() const { return h_.capacity * kSector; }
    std::uint64_t grain_bytes() const { return gb_; }
    bool compressed() const { return compressed_; }

    // The embedded descriptor's text ("" when the extent has none).
    Result<std::string> embedded_descriptor() const {
        if (h_.desc_offset == 0 || h_.desc_size == 0) return std::string();
        const std::uint64_t off = h_.desc_offset * kSector, len = h_.desc_size * kSector;
        if (h_.desc_offset > kMaxSectors || h_.desc_size > kMaxDescriptorBytes / kSector ||
            !range_ok(off, len, file_->size()))
            return file_->error_at(28, "embedded descriptor (sector " + std::to_string(h_.desc_offset) +
                                           ", " + std::to_string(h_.desc_size) +
                                           " sectors) lies outside the file or is absurdly large");
        std::string text(std::size_t(len), '\0');
        IMGPREP_TRY(
            file_->read_at(off, std::span(reinterpret_cast<std::uint8_t*>(text.data()), text.size())));
        if (auto nul = text.find('\0'); nul != std::string::npos) text.resize(nul);
        return text;
    }

    // The run of one kind that starts at byte `rel` (< limit <= capacity) of the extent and ends by `limit`.
    Result<std::pair<GrainKind, std::uint64_t>> run_at(std::uint64_t rel, std::uint64_t limit) const {
        const std::uint64_t g = rel / gb_;
        const std::uint64_t ti = g / h_.gtes;
        const std::uint64_t table_end = std::min(limit, (ti + 1) * h_.gtes * gb_);
        IMGPREP_ASSIGN(Table gt, table(ti));
        if (!gt) return std::pair{GrainKind::Unallocated, table_end - rel};
        std::size_t e = std::size_t(g % h_.gtes);
        IMGPREP_ASSIGN(GrainKind kind, classify((*gt)[e], g));
        std::uint64_t end = std::min((g + 1) * gb_, table_end);
        for (++e; e < h_.gtes && end < table_end; ++e) {
            auto k = classify((*gt)[e], g + (e - g % h_.gtes));
            if (!k || *k != kind) break;
            end = std::min(end + gb_, table_end);
        }
        return std::pair{kind, end - rel};
    }

    // Reads [rel, rel + out.size()) of the extent. Unallocated parts go to `unalloc(rel, span)`.
    template <typename Unalloc>
    Status read(std::uint64_t rel, std::span<std::uint8_t> out, Unalloc&& unalloc) const {
        std::size_t done = 0;
        while (done < out.size()) {
            const std::uint64_t pos = rel + done;
            const std::uint64_t g = pos / gb_, in = pos % gb_;
            const std::uint64_t ti = g / h_.gtes;
            const std::size_t e0 = std::size_t(g % h_.gtes);
            const std::size_t left = out.size() - done;
            IMGPREP_ASSIGN(Table gt, table(ti));
            if (!gt) {
                const std::size_t n =
                    std::size_t(std::min<std::uint64_t>(left, (ti + 1) * h_.gtes * gb_ - pos));
                IMGPREP_TRY(unalloc(pos, out.subspan(done, n)));
                done += n;
                continue;
            }
            const std::vector<std::uint32_t>& t = *gt;
            const std::uint32_t v = t[e0];
            if (v == 0 || (v == 1 && zero_grains_)) { // a run of unallocated or zeroed grains
                std::size_t e = e0 + 1;
                std::uint64_t span_end = (g + 1) * gb_;
                while (e < h_.gtes && span_end - pos < left && t[e] == v)
                    ++e, span_end += gb_;
                const std::size_t n = std::size_t(std::min<std::uint64_t>(left, span_end - pos));
                if (v == 0)
                    IMGPREP_TRY(unalloc(pos, out.subspan(done, n)));
                else
                    std::memset(out.data() + done, 0, n);
                done += n;
                continue;
            }
            IMGPREP_TRY(check_data_entry(v, g));
            if (!compressed_) { // physically contiguous grains are read at once
                std::size_t e = e0 + 1;
                std::uint64_t span_end = (g + 1) * gb_;
                while (e < h_.gtes && span_end - pos < left && t[e] == v + (e - e0) * h_.grain)
                    ++e, span_end += gb_;
                const std::size_t n = std::size_t(std::min<std::uint64_t>(left, span_end - pos));
                const std::uint64_t off = std::uint64_t(v) * kSector + in;
                if (!range_ok(off, n, file_->size()))
                    return file_->error_at(off, "grain " + std::to_string(g) + " (sector " +
                                                    std::to_string(v) +
                                                    ") lies past the end of the file (size " +
                                                    std::to_string(file_->size()) + "): truncated extent?");
                IMGPREP_TRY(file_->read_at(off, out.subspan(done, n)));
                done += n;
                continue;
            }
            const std::size_t n = std::size_t(std::min<std::uint64_t>(left, gb_ - in));
            const std::size_t need = grain_need(g);
            if (in == 0 && n == gb_) {
                IMGPREP_TRY(inflate_grain(g, v, out.subspan(done, n), need));
            } else {
                IMGPREP_TRY(read_cached_grain(g, v, in, out.subspan(done, n)));
            }
            done += n;
        }
        return {};
    }

  private:
    SparseExtent(SourcePtr file, std::shared_ptr<SparseShared> shared, std::uint32_t id)
        : file_(std::move(file)), shared_(std::move(shared)), id_(id) {}

    Status load(std::vector<std::string>& warnings) {
        const std::string& name = file_->name();
        if (file_->size() < kSector) return file_->error("sparse extent is shorter than its 512-byte header");
        std::uint8_t hb[512];
        IMGPREP_TRY(file_->read_at(0, hb));
        if (std::memcmp(hb, "KDMV", 4) != 0) {
            if (std::memcmp(hb, "COWD", 4) == 0)
                return file_->error(
                    "this extent is an ESX vmfsSparse (COWD) snapshot delta, which this tool does "
                    "not read: consolidate the snapshots (or export the VM) to a monolithic VMDK");
            return file_->error_at(0, "not a VMDK sparse extent (no 'KDMV' magic)");
        }
        h_ = parse_header(hb);
        if (h_.version < 1 || h_.version > 3)
            return file_->error_at(4, "sparse extent version " + std::to_string(h_.version) +
                                          " is not one this tool reads (1, 2, 3)");
        if ((h_.flags & kFlagNewlineTest) &&
            (h_.newline[0] != '\n' || h_.newline[1] != ' ' || h_.newline[2] != '\r' || h_.newline[3] != '\n'))
            return file_->error_at(73, "the newline-detection bytes are altered: the file was corrupted by a "
                                       "text-mode (ASCII) transfer; copy it again in binary mode");
        if (h_.compress > 1)
            return file_->error_at(77, "unknown grain compression algorithm " + std::to_string(h_.compress) +
                                           " (only 1 = deflate is defined)");
        if ((h_.flags & kFlagCompressed) && h_.compress != 1)
            return file_->error_at(8,
                                   "the compressed-grains flag is set but no compression algorithm is named");
        compressed_ = h_.compress == 1;
        markers_ = (h_.flags & kFlagMarkers) != 0;
        zero_grains_ = (h_.flags & kFlagZeroGrain) || h_.version >= 2;

        if (h_.gd == kGdAtEnd) { // streamOptimized: the real metadata is in the footer
            if (file_->size() < 3 * kSector)
                return file_->error(
                    "streamOptimized extent with its grain directory at the end, but the file is "
                    "too short to hold the footer: truncated?");
            std::uint8_t fb[512];
            const std::uint64_t foot = file_->size() - 2 * kSector;
            IMGPREP_TRY(file_->read_at(foot, fb));
            if (std::memcmp(fb, "KDMV", 4) != 0)
                return file_->error_at(foot,
                                       "streamOptimized footer not found at the end of the file (the header "
                                       "puts the grain directory in the footer): file truncated or "
                                       "incompletely written");
            SparseHeader f = parse_header(fb);
            if (f.gd == kGdAtEnd || f.gd == 0)
                return file_->error_at(foot + 56, "the streamOptimized footer names no grain directory");
            h_.gd = f.gd;
            h_.rgd = f.rgd;
            h_.flags |= f.flags & kFlagRedundantGt;
            if (f.capacity != h_.capacity || f.grain != h_.grain || f.gtes != h_.gtes)
                warnings.push_back(name +
                                   ": the streamOptimized footer's geometry differs from the header's; "
                                   "using the header's");
        }

        if (h_.capacity == 0) return file_->error_at(12, "capacity is 0 sectors");
        if (h_.capacity > kMaxSectors)
            return file_->error_at(12, "capacity of " + std::to_string(h_.capacity) +
                                           " sectors is absurd (more than 512 TiB)");
        if (h_.grain == 0 || h_.grain > kMaxGrainSectors || (h_.grain & (h_.grain - 1)) != 0)
            return file_->error_at(20, "grain size of " + std::to_string(h_.grain) +
                                           " sectors is invalid (must be a power of two of at most " +
                                           std::to_string(kMaxGrainSectors) + " sectors)");
        if (h_.grain < 8)
            warnings.push_back(name + ": grain size of " + std::to_string(h_.grain) +
                               " sectors is below the 4 KiB the specification requires");
        if (h_.gtes == 0 || h_.gtes > kMaxGtes)
            return file_->error_at(44, "numGTEsPerGT of " + std::to_string(h_.gtes) +
                                           " is invalid (VMware writes 512)");
        if (h_.gtes != 512)
            warnings.push_back(name + ": numGTEsPerGT is " + std::to_string(h_.gtes) + " instead of 512");
        if (h_.unclean)
            warnings.push_back(name + ": the extent was not closed cleanly (uncleanShutdown set)");
        gb_ = h_.grain * kSector;
        max_compressed_ = gb_ + gb_ / 8 + 4096;

        const std::uint64_t gt_cover = std::uint64_t(h_.gtes) * h_.grain; // sectors per grain table
        const std::uint64_t n_tables = (h_.capacity + gt_cover - 1) / gt_cover;
        if (n_tables > kMaxGdEntries)
            return file_->error_at(12, "the grain directory would need " + std::to_string(n_tables) +
                                           " entries (capacity too large for the grain size)");
        if (shared_->gd_entries + n_tables > kMaxGdEntries)
            return file_->error_at(
                12, "the grain directories of the disk's sparse extents would hold more than " +
                        std::to_string(kMaxGdEntries) +
                        " entries in all (capacities too large for their grain sizes)");
        shared_->gd_entries += n_tables;

        std::string primary_problem;
        auto gd = load_gd(h_.gd, n_tables, primary_problem);
        if (!gd) {
            std::string redundant_problem;
            std::optional<std::vector<std::uint32_t>> rgd;
            if ((h_.flags & kFlagRedundantGt) && h_.rgd != 0 && h_.rgd != h_.gd)
                rgd = load_gd(h_.rgd, n_tables, redundant_problem);
            if (!rgd)
                return make_error(
                    name, h_.gd == kGdAtEnd ? Error::NoOffset : h_.gd * kSector,
                    "grain directory unusable: " + primary_problem +
                        (redundant_problem.empty() ? "" : "; redundant copy: " + redundant_problem));
            warnings.push_back(name + ": the grain directory is damaged (" + primary_problem +
                               "); using the redundant copy");
            gd = std::move(rgd);
        }
        gd_ = std::move(*gd);
        return {};
    }

    std::optional<std::vector<std::uint32_t>> load_gd(std::uint64_t sector, std::uint64_t n,
                                                      std::string& problem) const {
        const std::uint64_t size = file_->size();
        const std::uint64_t gt_bytes = std::uint64_t(h_.gtes) * 4;
        if (sector == 0 || sector > size / kSector || !range_ok(sector * kSector, n * 4, size)) {
            problem = "the grain directory at sector " + std::to_string(sector) + " (" + std::to_string(n) +
                      " entries) lies outside the file (size " + std::to_string(size) + ")";
            return std::nullopt;
        }
        std::vector<std::uint32_t> gd(static_cast<std::size_t>(n));
        std::vector<std::uint8_t> raw(std::size_t(std::min<std::uint64_t>(n, 65536) * 4)); // read in pieces
        for (std::size_t base = 0; base < gd.size(); base += raw.size() / 4) {
            const std::size_t count = std::min(raw.size() / 4, gd.size() - base);
            if (auto st = file_->read_at(sector * kSector + base * 4, std::span(raw.data(), count * 4));
                !st) {
                problem = st.error().message;
                return std::nullopt;
            }
            if constexpr (std::endian::native == std::endian::little)
                std::memcpy(gd.data() + base, raw.data(), count * 4); // one copy, not millions of steps
            else
                for (std::size_t k = 0; k < count; ++k)
                    gd[base + k] = le32(raw.data() + 4 * k);
        }
        // Every table must lie inside the file: checked on the largest entry (the check is monotonic in it),
        // so a directory of millions of entries costs one pass, and entry by entry only to name a bad one.
        const std::uint32_t top = gd.empty() ? 0 : *std::max_element(gd.begin(), gd.end());
        if (top != 0 && !range_ok(std::uint64_t(top) * kSector, gt_bytes, size))
            for (std::size_t i = 0; i < gd.size(); ++i)
                if (gd[i] != 0 && !range_ok(std::uint64_t(gd[i]) * kSector, gt_bytes, size)) {
                    problem = "grain directory entry " + std::to_string(i) + " points to sector " +
                              std::to_string(gd[i]) + ", past the end of the file (size " +
                              std::to_string(size) + ")";
                    return std::nullopt;
                }
        return gd;
    }

    // Bytes of grain g that lie inside the capacity (the last grain may be partial).
    std::size_t grain_need(std::uint64_t g) const {
        return std::size_t(std::min<std::uint64_t>(gb_, capacity_bytes() - g * gb_));
    }

    Status check_data_entry(std::uint32_t v, std::uint64_t g) const {
        const std::uint64_t off = std::uint64_t(v) * kSector;
        if (v == 1 || (compressed_ && !range_ok(off, markers_ ? 12 : 1, file_->size())) ||
            (!compressed_ && !range_ok(off, grain_need(g), file_->size())))
            return file_->error_at(off, "grain table entry for grain " + std::to_string(g) +
                                            " points to sector " + std::to_string(v) +
                                            (v == 1 ? " (inside the header)" : "") +
                                            ", outside the file's data (size " +
                                            std::to_string(file_->size()) + "): extent truncated or corrupt");
        return {};
    }

    Result<GrainKind> classify(std::uint32_t v, std::uint64_t g) const {
        if (v == 0) return GrainKind::Unallocated;
        if (v == 1 && zero_grains_) return GrainKind::Zero;
        IMGPREP_TRY(check_data_entry(v, g));
        return GrainKind::Data;
    }

    // Grain table ti (nullptr when the directory has no table there: all its grains are unallocated).
    Result<Table> table(std::uint64_t ti) const {
        if (ti >= gd_.size())
            return file_->error("internal: grain table " + std::to_string(ti) +
                                " beyond the grain directory");
        const std::uint32_t sector = gd_[std::size_t(ti)];
        if (sector == 0) return Table();
        const std::uint64_t key = (std::uint64_t(id_) << 32) | ti; // ti < kMaxGdEntries
        auto& c = *shared_;
        {
            std::lock_guard lock(c.gt_mu);
            auto it = c.gt_map.find(key);
            if (it != c.gt_map.end()) {
                c.gt_lru.splice(c.gt_lru.begin(), c.gt_lru, it->second);
                return it->second->second;
            }
        }
        std::vector<std::uint8_t> raw(std::size_t(h_.gtes) * 4);
        IMGPREP_TRY(file_->read_at(std::uint64_t(sector) * kSector, raw)); // bounds checked at open
        auto t = std::make_shared<std::vector<std::uint32_t>>(h_.gtes);
        for (std::size_t i = 0; i < t->size(); ++i)
            (*t)[i] = le32(raw.data() + 4 * i);
        std::lock_guard lock(c.gt_mu);
        auto it = c.gt_map.find(key);
        if (it != c.gt_map.end()) return it->second->second; // another thread loaded it meanwhile
        c.gt_lru.emplace_front(key, t);
        c.gt_map[key] = c.gt_lru.begin();
        c.gt_words += t->size();
        while (c.gt_words > kGtCacheWords && c.gt_lru.size() > 1) {
            c.gt_words -= c.gt_lru.back().second->size();
            c.gt_map.erase(c.gt_lru.back().first);
            c.gt_lru.pop_back();
        }
        return Table(std::move(t));
    }

    // Decompresses grain g (stored at `sector`) into dest (gb_ bytes); at least `need` bytes must come out.
    Status inflate_grain(std::uint64_t g, std::uint32_t sector, std::span<std::uint8_t> dest,
                         std::size_t need) const {
        const std::uint64_t off = std::uint64_t(sector) * kSector;
        const std::uint64_t fsize = file_->size();
        std::uint64_t data_off = off, size = 0;
        if (markers_) {
            std::uint8_t m[12];
            IMGPREP_TRY(file_->read_at(off, m)); // range checked by check_data_entry
            const std::uint64_t lba = le64(m);
            size = le32(m + 8);
            if (size == 0)
                return file_->error_at(off, "grain table entry for grain " + std::to_string(g) +
                                                " points to a metadata marker, not a compressed grain");
            if (lba != g * h_.grain)
                return file_->error_at(off, "compressed grain marker names sector " + std::to_string(lba) +
                                                " but the grain table maps virtual sector " +
                                                std::to_string(g * h_.grain) + " here: corrupt grain table");
            if (size > max_compressed_)
                return file_->error_at(off + 8, "compressed grain claims " + std::to_string(size) +
                                                    " bytes, more than a " + std::to_string(gb_) +
                                                    "-byte grain can need");
            data_off = off + 12;
            if (!range_ok(data_off, size, fsize))
                return file_->error_at(off, "compressed grain of " + std::to_string(size) +
                                                " bytes runs past the end of the file (size " +
                                                std::to_string(fsize) + "): truncated extent?");
        } else {
            size = std::min<std::uint64_t>(max_compressed_, fsize - off);
        }
        InflaterLease z(shared_->pool);
        auto& in = z->in_buf;
        if (in.size() < size) in.resize(std::size_t(size));
        std::span<std::uint8_t> comp(in.data(), std::size_t(size));
        IMGPREP_TRY(file_->read_at(data_off, comp));
        std::size_t produced = 0;
        switch (z->run(comp, dest, produced)) {
        case Inflater::Outcome::Ok:
            if (produced >= need) return {};
            return file_->error_at(off, "compressed grain " + std::to_string(g) + " decompresses to " +
                                            std::to_string(produced) + " bytes instead of " +
                                            std::to_string(need));
        case Inflater::Outcome::TooLarge:
            return file_->error_at(off, "compressed grain " + std::to_string(g) +
                                            " decompresses to more than " + std::to_string(dest.size()) +
                                            " bytes");
        case Inflater::Outcome::Truncated:
            return file_->error_at(off,
                                   "compressed grain " + std::to_string(g) +
                                       " ends before its deflate stream does (truncated or overlapping)");
        case Inflater::Outcome::BadChecksum:
            return file_->error_at(off, "compressed grain " + std::to_string(g) +
                                            " fails its Adler-32 checksum: the data is corrupt");
        case Inflater::Outcome::Corrupt:
            break;
        }
        return file_->error_at(off, "compressed grain " + std::to_string(g) + " is not valid deflate data");
    }

    // Part of a compressed grain, through a small cache of decompressed grains (small sequential reads).
    Status read_cached_grain(std::uint64_t g, std::uint32_t sector, std::uint64_t in,
                             std::span<std::uint8_t> out) const {
        std::shared_ptr<std::vector<std::uint8_t>> buf;
        auto& sh = *shared_;
        {
            std::lock_guard lock(sh.grain_mu);
            for (auto& c : sh.grain_cache)
                if (c.owner == id_ && c.grain == g && c.data) {
                    c.used = ++sh.tick;
                    buf = c.data;
                    break;
                }
            if (!buf) { // take the least recently used slot's buffer when nobody else holds it
                auto victim = std::min_element(sh.grain_cache.begin(), sh.grain_cache.end(),
                                               [](const auto& a, const auto& b) { return a.used < b.used; });
                if (victim != sh.grain_cache.end() && victim->data && victim->data.use_count() == 1) {
                    buf = std::move(victim->data);
                    victim->grain = ~std::uint64_t{0};
                    victim->used = 0;
                }
            } else {
                std::memcpy(out.data(), buf->data() + in, out.size());
                return {};
            }
        }
        if (!buf) buf = std::make_shared<std::vector<std::uint8_t>>();
        buf->resize(std::size_t(gb_));
        IMGPREP_TRY(inflate_grain(g, sector, *buf, grain_need(g)));
        std::memcpy(out.data(), buf->data() + in, out.size());
        std::lock_guard lock(sh.grain_mu);
        auto victim = std::min_element(sh.grain_cache.begin(), sh.grain_cache.end(),
                                       [](const auto& a, const auto& b) { return a.used < b.used; });
        victim->owner = id_;
        victim->grain = g;
        victim->data = std::move(buf);
        victim->used = ++sh.tick;
        return {};
    }

    SourcePtr file_;
    SparseHeader h_;
    std::uint64_t gb_ = 0;
    std::uint64_t max_compressed_ = 0;
    bool compressed_ = false, markers_ = false, zero_grains_ = false;
    std::vector<std::uint32_t> gd_;

    std::shared_ptr<SparseShared> shared_;
    std::uint32_t id_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// The virtual disk: extents laid end to end, optionally over a parent.

struct Piece {
    enum class Type { Flat, Sparse, Zero };
    Type type = Type::Zero;
    std::uint64_t start = 0, length = 0; // virtual bytes
    SourcePtr file;                      // Flat
    std::uint64_t file_offset = 0;       // Flat: byte offset of the extent's data in the file
    std::shared_ptr<const SparseExtent> sparse; // one per file, shared by the lines that name it
};

class VmdkImage final : public ImageReader {
  public:
    VmdkImage(std::string name, std::vector<Piece> pieces, std::vector<SourcePtr> files, ImagePtr backing,
              ImageInfo info)
        : name_(std::move(name)), pieces_(std::move(pieces)), files_(std::move(files)),
          backing_(std::move(backing)), info_(std::move(info)) {
        size_ = pieces_.empty() ? 0 : pieces_.back().start + pieces_.back().length;
        info_.virtual_size = size_;
    }

    const std::string& name() const override { return name_; }
    std::uint64_t size() const override { return size_; }
    const ImageInfo& info() const override { return info_; }
    const ImageReader* backing() const override { return backing_.get(); }
    std::uint64_t bytes_read() const override {
        std::uint64_t n = 0;
        for (const auto& f : files_)
            n += f->bytes_read();
        return n;
    }

    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), size_))
            return error_at(offset, "read of " + std::to_string(buf.size()) +
                                        " bytes past the end of the virtual disk (size " +
                                        std::to_string(size_) + ")");
        std::size_t done = 0;
        while (done < buf.size()) {
            const std::uint64_t pos = offset + done;
            const Piece& p = piece_at(pos);
            const std::uint64_t rel = pos - p.start;
            const std::size_t n = std::size_t(std::min<std::uint64_t>(buf.size() - done, p.length - rel));
            auto part = buf.subspan(done, n);
            switch (p.type) {
            case Piece::Type::Flat:
                IMGPREP_TRY(p.file->read_at(p.file_offset + rel, part));
                break;
            case Piece::Type::Zero:
                std::memset(part.data(), 0, n);
                break;
            case Piece::Type::Sparse:
                IMGPREP_TRY(p.sparse->read(rel, part, [&](std::uint64_t r, std::span<std::uint8_t> s) {
                    return read_parent(p.start + r, s);
                }));
                break;
            }
            done += n;
        }
        return {};
    }

    Result<Extent> extent_at(std::uint64_t offset) const override {
        if (offset >= size_) return error_at(offset, "extent query past the end of the virtual disk");
        const Piece& p = piece_at(offset);
        const std::uint64_t rel = offset - p.start;
        switch (p.type) {
        case Piece::Type::Flat:
            return Extent{offset, p.length - rel, ExtentKind::Data};
        case Piece::Type::Zero:
            return Extent{offset, p.length - rel, ExtentKind::Zero};
        case Piece::Type::Sparse:
            break;
        }
        IMGPREP_ASSIGN(auto run, p.sparse->run_at(rel, p.length));
        if (run.first == GrainKind::Data) return Extent{offset, run.second, ExtentKind::Data};
        if (run.first == GrainKind::Zero) return Extent{offset, run.second, ExtentKind::Zero};
        if (!backing_ || offset >= backing_->size())
            return Extent{offset, run.second, ExtentKind::Unallocated};
        IMGPREP_ASSIGN(Extent e, backing_->extent_at(offset));
        return Extent{offset, std::min(run.second, std::max<std::uint64_t>(e.length, 1)), e.kind};
    }

  private:
    const Piece& piece_at(std::uint64_t pos) const {
        auto it = std::upper_bound(pieces_.begin(), pieces_.end(), pos,
                                   [](std::uint64_t v, const Piece& p) { return v < p.start; });
        return *(it - 1);
    }

    Status read_parent(std::uint64_t vpos, std::span<std::uint8_t> out) const {
        std::size_t n = 0;
        if (backing_ && vpos < backing_->size()) {
            n = std::size_t(std::min<std::uint64_t>(out.size(), backing_->size() - vpos));
            IMGPREP_TRY(backing_->read_at(vpos, out.first(n)));
        }
        if (n < out.size()) std::memset(out.data() + n, 0, out.size() - n);
        return {};
    }

    std::string name_;
    std::vector<Piece> pieces_;
    std::vector<SourcePtr> files_;
    ImagePtr backing_;
    ImageInfo info_;
    std::uint64_t size_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// Opening.

// createTypes whose data this tool cannot read, with what to do instead.
std::optional<std::string> refused_create_type(const std::string& type) {
    const std::string t = lower(type);
    const std::string consolidate =
        "consolidate the snapshots on the ESXi host (or export the VM as OVF/OVA) to get a monolithic VMDK, "
        "then use that";
    if (t == "vmfssparse")
        return "VMDK createType 'vmfsSparse' is an ESX snapshot delta (COWD) that this tool does not read: " +
               consolidate;
    if (t == "sesparse")
        return "VMDK createType 'seSparse' is an ESXi space-efficient snapshot delta that this tool does not "
               "read: " +
               consolidate;
    if (t == "vsansparse")
        return "VMDK createType 'vsanSparse' is a vSAN snapshot delta whose data lives in the vSAN "
               "datastore: " +
               consolidate;
    if (t == "vmfsraw" || t == "vmfsrawdevicemap" || t == "vmfspassthroughrawdevicemap")
        return "VMDK createType '" + type +
               "' is a raw device mapping: the data is on a SAN LUN, not in VMDK files; clone the disk to a "
               "regular (thick or thin) VMDK with vmkfstools or export the VM, then use that";
    if (t == "fulldevice" || t == "partitioneddevice")
        return "VMDK createType '" + type +
               "' refers to a physical disk of the original host, not to image files; image the disk itself "
               "(or clone it to a monolithic VMDK) and use that";
    return std::nullopt;
}

std::optional<std::string> refused_extent_type(const std::string& type) {
    if (type == "VMFSSPARSE")
        return "extent type VMFSSPARSE (ESX vmfsSparse snapshot delta) is not readable by this tool: "
               "consolidate "
               "the snapshots (or export the VM) to a monolithic VMDK first";
    if (type == "SESPARSE")
        return "extent type SESPARSE (ESXi seSparse snapshot delta) is not readable by this tool: "
               "consolidate the "
               "snapshots (or export the VM) to a monolithic VMDK first";
    if (type == "VSANSPARSE")
        return "extent type VSANSPARSE (vSAN object) is not readable offline: export the VM as OVF/OVA first";
    if (type == "VMFSRDM" || type == "VMFSRAW")
        return "extent type " + type +
               " is a raw device mapping (the data is on a LUN): clone it to a regular VMDK or export the VM "
               "first";
    return "extent type '" + type +
           "' is not a VMDK extent type this tool reads (FLAT, VMFS, SPARSE, ZERO): export or convert the "
           "disk to "
           "a monolithic VMDK first";
}

std::string canonical_name(const std::string& p) {
    return files::weakly_canonical(p);
}

struct Builder {
    std::vector<Piece> pieces;
    std::vector<SourcePtr> files; // unique, descriptor first
    std::uint64_t total_sectors = 0;
    ImageInfo info;
    const SparseExtent* first_sparse = nullptr;
    std::shared_ptr<SparseShared> shared = std::make_shared<SparseShared>();
    std::map<const ByteSource*, std::shared_ptr<const SparseExtent>> sparse_of; // by file

    void add_file(const SourcePtr& f) {
        for (const auto& x : files)
            if (x.get() == f.get()) return;
        files.push_back(f);
    }
    Status add_piece(Piece p, const ByteSource& where, std::size_t line) {
        const std::uint64_t sectors = p.length / kSector;
        if (sectors > kMaxSectors || total_sectors + sectors > kMaxSectors)
            return where.error("extent on descriptor line " + std::to_string(line) +
                               " brings the disk past 512 TiB: absurd extent sizes");
        p.start = total_sectors * kSector;
        total_sectors += sectors;
        pieces.push_back(std::move(p));
        return {};
    }
};

Status check_create_type(const vmdk::Descriptor& d, const ByteSource& src) {
    const std::string ct = d.get("createType");
    if (auto why = refused_create_type(ct)) return src.error(*why);
    return {};
}

// Parent, details, files: the common end of opening a sparse file or a descriptor.
Result<ImagePtr> finish(Builder b, const vmdk::Descriptor& d, const SourcePtr& src, OpenContext& ctx,
                        std::string create_type) {
    if (b.pieces.empty()) return src->error("the VMDK descriptor lists no extents");
    ImageInfo& info = b.info;
    info.format = "vmdk";
    info.subformat = std::move(create_type);
    info.sector_size = 512;
    bool compressed = false;
    for (const auto& p : b.pieces)
        if (p.sparse) {
            if (!b.first_sparse) b.first_sparse = p.sparse.get();
            compressed = compressed || p.sparse->compressed();
        }
    info.compression = compressed ? "deflate" : "none";
    info.cluster_size = b.first_sparse ? b.first_sparse->grain_bytes() : 0;
    for (const auto& f : b.files) {
        info.files.push_back(f->name());
        info.file_size += f->size();
    }
    for (auto& w : d.warnings)
        info.warnings.push_back(src->name() + ": " + w);

    auto detail = [&](const char* key, const std::string& value) {
        if (!value.empty()) info.details.emplace_back(key, value);
    };
    // version: the sparse extent format version (1, 2, 3) when there is a sparse extent, else the
    // descriptor's.
    detail("version", b.first_sparse ? std::to_string(b.first_sparse->header().version) : d.get("version"));
    detail("descriptorVersion", d.get("version"));
    detail("CID", d.get("CID"));
    detail("parentCID", d.get("parentCID"));
    detail("parentFileNameHint", d.get("parentFileNameHint"));
    detail("adapterType", d.get("ddb.adapterType"));
    detail("hwversion", d.get("ddb.virtualHWVersion"));
    detail("toolsVersion", d.get("ddb.toolsVersion"));
    detail("uuid", d.get("ddb.uuid"));
    detail("extents", std::to_string(b.pieces.size()));

    ImagePtr backing;
    const std::string hint = d.get("parentFileNameHint");
    if (!hint.empty()) {
        std::vector<std::string> candidates{hint};
        const auto slash = hint.find_last_of("/\\");
        if (slash != std::string::npos && slash + 1 < hint.size())
            candidates.push_back(hint.substr(slash + 1));
        IMGPREP_ASSIGN(backing, ctx.open_backing(src->name(), candidates));
        const std::string parent_cid = lower(d.get("parentCID"));
        std::string their_cid;
        for (const auto& [k, v] : backing->info().details)
            if (k == "CID") their_cid = lower(v);
        if (!parent_cid.empty() && !their_cid.empty() && parent_cid != their_cid)
            info.warnings.push_back(src->name() + ": parentCID " + parent_cid +
                                    " does not match the parent's CID " + their_cid +
                                    ": the parent was modified after this snapshot was taken, so the "
                                    "disk may read inconsistently");
        if (backing->size() != b.total_sectors * kSector)
            info.warnings.push_back(src->name() + ": the parent's virtual size (" +
                                    std::to_string(backing->size()) + ") differs from this disk's (" +
                                    std::to_string(b.total_sectors * kSector) + ")");
    } else if (!d.get("parentCID").empty() && lower(d.get("parentCID")) != "ffffffff") {
        info.warnings.push_back(src->name() +
                                ": parentCID is set but no parentFileNameHint names the parent; "
                                "reading the disk without a parent");
    }
    std::string name = src->name();
    return ImagePtr(std::make_unique<VmdkImage>(std::move(name), std::move(b.pieces), std::move(b.files),
                                                std::move(backing), std::move(info)));
}

Result<ImagePtr> open_sparse_file(SourcePtr src, OpenContext& ctx) {
    Builder b;
    IMGPREP_ASSIGN(auto sparse, SparseExtent::open(src, b.shared, b.info.warnings));
    IMGPREP_ASSIGN(std::string text, sparse->embedded_descriptor());
    vmdk::Descriptor d;
    if (!text.empty()) {
        IMGPREP_ASSIGN(d, vmdk::parse_descriptor(text, src->name(), sparse->header().desc_offset * kSector));
        IMGPREP_TRY(check_create_type(d, *src));
    }
    std::string create_type = d.get("createType");
    if (create_type.empty()) {
        create_type = sparse->compressed() ? "streamOptimized" : "monolithicSparse";
        b.info.warnings.push_back(
            src->name() + ": the sparse extent has no embedded descriptor; if it is one extent of a split "
                          "(twoGbMaxExtentSparse) disk, open that disk's descriptor .vmdk instead");
    } else {
        const std::string ct = lower(create_type);
        if (ct == "twogbmaxextentsparse" || ct == "twogbmaxextentflat" || ct == "monolithicflat")
            b.info.warnings.push_back(
                src->name() + ": this sparse file says createType '" + create_type +
                "'; it is probably one extent of a larger disk: open its descriptor instead");
        if (!d.extents.empty() && (d.extents.size() > 1 || d.extents[0].sectors != sparse->header().capacity))
            b.info.warnings.push_back(src->name() + ": the embedded descriptor's extents (" +
                                      std::to_string(d.extents.size()) +
                                      ") do not match the sparse header; using the header's capacity");
    }
    Piece p;
    p.type = Piece::Type::Sparse;
    p.length = sparse->capacity_bytes();
    p.sparse = std::move(sparse);
    b.add_file(src);
    IMGPREP_TRY(b.add_piece(std::move(p), *src, 0));
    return finish(std::move(b), d, src, ctx, create_type);
}

Result<ImagePtr> open_descriptor_file(SourcePtr src, OpenContext& ctx) {
    if (src->size() > kMaxDescriptorBytes)
        return src->error("a " + std::to_string(src->size()) +
                          "-byte file is too large for a VMDK text descriptor (and is not a sparse extent)");
    std::string text(std::size_t(src->size()), '\0');
    IMGPREP_TRY(src->read_at(0, std::span(reinterpret_cast<std::uint8_t*>(text.data()), text.size())));
    IMGPREP_ASSIGN(vmdk::Descriptor d, vmdk::parse_descriptor(text, src->name()));
    IMGPREP_TRY(check_create_type(d, *src));
    std::string create_type = d.get("createType");
    Builder b;
    b.add_file(src);
    if (create_type.empty()) {
        create_type = "custom";
        b.info.warnings.push_back(src->name() + ": the descriptor names no createType");
    } else if (!d.has("version")) {
        b.info.warnings.push_back(src->name() + ": the descriptor has no version line");
    }
    if (d.extents.empty()) return src->error("the VMDK descriptor lists no extents");

    const std::string self = canonical_name(src->name());
    std::map<std::string, SourcePtr> opened; // one source per distinct file name
    for (const auto& e : d.extents) {
        const std::string where = "extent on descriptor line " + std::to_string(e.line);
        if (e.access == "NOACCESS")
            return src->error(where + " is marked NOACCESS: its data is not available to read");
        if (e.sectors == 0) {
            b.info.warnings.push_back(src->name() + ": " + where + " has size 0 and is ignored");
            continue;
        }
        if (e.sectors > kMaxSectors)
            return src->error(where + " claims " + std::to_string(e.sectors) + " sectors: absurd size");
        Piece p;
        p.length = e.sectors * kSector;
        if (e.type == "ZERO") {
            p.type = Piece::Type::Zero;
            IMGPREP_TRY(b.add_piece(std::move(p), *src, e.line));
            continue;
        }
        const bool flat = e.type == "FLAT" || e.type == "VMFS";
        if (!flat && e.type != "SPARSE") return src->error(where + ": " + *refused_extent_type(e.type));
        if (e.file.empty()) return src->error(where + " (" + e.type + ") names no file");
        SourcePtr f;
        if (auto it = opened.find(e.file); it != opened.end()) {
            f = it->second;
        } else {
            IMGPREP_ASSIGN(f, ctx.open_sibling(src->name(), e.file));
            if (canonical_name(f->name()) == self || f.get() == src.get())
                return src->error(where + " names the descriptor file itself ('" + e.file + "')");
            opened.emplace(e.file, f);
        }
        b.add_file(f);
        if (flat) {
            if (e.offset > kMaxSectors || !range_ok(e.offset * kSector, p.length, f->size()))
                return f->error(where + " needs " + std::to_string(p.length) + " bytes at offset " +
                                std::to_string(e.offset * kSector) + ", but the file has " +
                                std::to_string(f->size()) + " bytes: truncated or wrong extent file");
            p.type = Piece::Type::Flat;
            p.file = f;
            p.file_offset = e.offset * kSector;
        } else {
            // A file named by several lines is opened once: its directory and caches are not repeated.
            std::shared_ptr<const SparseExtent> sparse;
            if (auto it = b.sparse_of.find(f.get()); it != b.sparse_of.end()) {
                sparse = it->second;
            } else {
                IMGPREP_ASSIGN(sparse, SparseExtent::open(f, b.shared, b.info.warnings));
                b.sparse_of.emplace(f.get(), sparse);
            }
            if (sparse->header().capacity < e.sectors)
                return f->error(where + " says " + std::to_string(e.sectors) +
                                " sectors but the sparse extent's capacity is " +
                                std::to_string(sparse->header().capacity) + " sectors");
            if (sparse->header().capacity > e.sectors)
                b.info.warnings.push_back(f->name() + ": capacity " +
                                          std::to_string(sparse->header().capacity) +
                                          " sectors is larger than the descriptor's " +
                                          std::to_string(e.sectors) + "; using the descriptor's size");
            if (e.offset != 0)
                b.info.warnings.push_back(src->name() + ": " + where +
                                          " gives an offset for a SPARSE extent; "
                                          "ignored");
            p.type = Piece::Type::Sparse;
            p.sparse = std::move(sparse);
        }
        IMGPREP_TRY(b.add_piece(std::move(p), *src, e.line));
    }
    return finish(std::move(b), d, src, ctx, create_type);
}

} // namespace

Result<ImagePtr> open_vmdk(SourcePtr src, OpenContext& ctx) {
    if (src->size() == 0) return src->error("zero-length file: not a disk image");
    std::uint8_t magic[4] = {};
    IMGPREP_TRY(src->read_at(0, std::span(magic, std::size_t(std::min<std::uint64_t>(4, src->size())))));
    if (std::memcmp(magic, "KDMV", 4) == 0) return open_sparse_file(std::move(src), ctx);
    if (std::memcmp(magic, "COWD", 4) == 0)
        return src->error(
            "VMware ESX vmfsSparse (COWD) delta disk: not readable offline; consolidate the snapshot "
            "(or export the VM) to a monolithic VMDK first");
    return open_descriptor_file(std::move(src), ctx);
}

} // namespace imgprep
