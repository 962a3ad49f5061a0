#include "image/zvhd_format.h"

#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>

#include "util/endian.h"

namespace imgprep::zvhd {

Footer Footer::decode(std::span<const std::uint8_t, kFooterBytes> b) {
    const std::uint8_t* p = b.data();
    Footer f;
    std::memcpy(f.cookie.data(), p, 8);
    f.features = le32(p + 8);
    f.ff_version = le32(p + 12);
    f.data_offset = le64(p + 16);
    f.timestamp = le32(p + 24);
    std::memcpy(f.crtr_app.data(), p + 28, 4);
    f.crtr_ver = le32(p + 32);
    f.crtr_os = le32(p + 36);
    f.orig_size = le64(p + 40);
    f.curr_size = le64(p + 48);
    f.geometry = le32(p + 56);
    f.type = le32(p + 60);
    f.checksum = le32(p + 64);
    std::memcpy(f.uuid.data(), p + 68, 16);
    f.saved = p[84];
    f.hidden = p[85];
    f.align_64 = p[86];
    f.zvhd2_version = p[87];
    f.block_size = le32(p + 88);
    f.max_blk_num = le32(p + 92);
    f.index_lba = le64(p + 96);
    f.bitmap_lba = le64(p + 104);
    f.index_size = le32(p + 112);
    f.bitmap_size = le32(p + 116);
    f.index_seg_size = le32(p + 120);
    f.bitmap_seg_size = le32(p + 124);
    f.index_seg_num = le32(p + 128);
    f.bitmap_seg_num = le32(p + 132);
    f.non_zero_blk_num = le32(p + 136);
    f.index_contains_zero_blk = p[140];
    f.compress_method = p[141];
    return f;
}

void Footer::encode(std::span<std::uint8_t, kFooterBytes> b) const {
    std::uint8_t* p = b.data();
    std::memset(p, 0, kFooterBytes);
    std::memcpy(p, cookie.data(), 8);
    put_le32(p + 8, features);
    put_le32(p + 12, ff_version);
    put_le64(p + 16, data_offset);
    put_le32(p + 24, timestamp);
    std::memcpy(p + 28, crtr_app.data(), 4);
    put_le32(p + 32, crtr_ver);
    put_le32(p + 36, crtr_os);
    put_le64(p + 40, orig_size);
    put_le64(p + 48, curr_size);
    put_le32(p + 56, geometry);
    put_le32(p + 60, type);
    put_le32(p + 64, checksum);
    std::memcpy(p + 68, uuid.data(), 16);
    p[84] = saved;
    p[85] = hidden;
    p[86] = align_64;
    p[87] = zvhd2_version;
    put_le32(p + 88, block_size);
    put_le32(p + 92, max_blk_num);
    put_le64(p + 96, index_lba);
    put_le64(p + 104, bitmap_lba);
    put_le32(p + 112, index_size);
    put_le32(p + 116, bitmap_size);
    put_le32(p + 120, index_seg_size);
    put_le32(p + 124, bitmap_seg_size);
    put_le32(p + 128, index_seg_num);
    put_le32(p + 132, bitmap_seg_num);
    put_le32(p + 136, non_zero_blk_num);
    p[140] = index_contains_zero_blk;
    p[141] = compress_method;
}

std::uint32_t footer_checksum(std::span<const std::uint8_t, kFooterBytes> b) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < kFooterBytes; ++i)
        if (i < 64 || i >= 68) sum += b[i];
    return ~sum;
}

bool footer_checksum_ok(std::span<const std::uint8_t, kFooterBytes> b) {
    const std::uint32_t stored = le32(b.data() + 64);
    const std::uint32_t computed = footer_checksum(b);
    if (stored == computed) return true;
    const std::uint32_t ver = le32(b.data() + 32);
    if (b[85] != 0 && std::memcmp(b.data() + 28, "tap", 3) == 0 && (ver == 0x00000001 || ver == 0x00010001))
        return stored == computed + b[85]; // the same sum with hidden = 0
    return false;
}

std::uint32_t chs_geometry(std::uint64_t bytes) {
    std::uint64_t sectors64 = (bytes + 511) >> 9;
    if (sectors64 == 0) sectors64 = 1;
    std::uint32_t secs = std::uint32_t(sectors64); // the driver keeps the count in 32 bits
    std::uint32_t spt, heads, cth;
    if (secs > 65535u * 16 * 255) secs = 65535u * 16 * 255;
    if (secs >= 65535u * 16 * 63) {
        spt = 255;
        cth = secs / spt;
        heads = 16;
    } else {
        spt = 17;
        cth = secs / spt;
        heads = (cth + 1023) / 1024;
        if (heads < 4) heads = 4;
        if (cth >= heads * 1024 || heads > 16) {
            spt = 31;
            cth = secs / spt;
            heads = 16;
        }
        if (cth >= heads * 1024) {
            spt = 63;
            cth = secs / spt;
            heads = 16;
        }
    }
    const std::uint32_t cylinders = cth / heads;
    return (cylinders << 16) | (heads << 8) | spt;
}

std::string uuid_text(const std::array<std::uint8_t, 16>& u) {
    std::string s;
    char b[3];
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
        std::snprintf(b, sizeof b, "%02x", u[i]);
        s += b;
    }
    return s;
}

std::string timestamp_text(std::uint32_t t) {
    const std::time_t unix_time = std::time_t(std::uint64_t(t) + kVhdEpoch);
    std::tm tm{};
#ifdef _WIN32
    gmtime_s(&tm, &unix_time);
#else
    gmtime_r(&unix_time, &tm);
#endif
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {

struct ZstdDctxFree {
    void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

// One inflate stream per thread, reset for every block.
struct Inflater {
    z_stream zs{};
    bool ok = false;
    Inflater() { ok = inflateInit2(&zs, 15) == Z_OK; }
    ~Inflater() {
        if (ok) inflateEnd(&zs);
    }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
};

} // namespace

bool decompress_block(Method method, std::span<const std::uint8_t> payload, std::span<std::uint8_t> out,
                      std::string& why) {
    if (method == Method::Zstd) {
        thread_local std::unique_ptr<ZSTD_DCtx, ZstdDctxFree> dctx(ZSTD_createDCtx());
        if (!dctx) {
            why = "cannot create a zstd decompressor";
            return false;
        }
        const std::size_t n =
            ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), payload.data(), payload.size());
        if (ZSTD_isError(n)) {
            why = std::string("zstd: ") + ZSTD_getErrorName(n);
            return false;
        }
        if (n != out.size()) {
            why = "the zstd payload decompresses to " + std::to_string(n) + " bytes, not the block size " +
                  std::to_string(out.size());
            return false;
        }
        return true;
    }
    thread_local Inflater inf;
    if (!inf.ok || inflateReset2(&inf.zs, 15) != Z_OK) {
        why = "cannot create a zlib decompressor";
        return false;
    }
    // One call, as the driver makes it: input and output limited to what the frame and the block hold.
    inf.zs.next_in = const_cast<Bytef*>(payload.data());
    inf.zs.avail_in = uInt(payload.size());
    inf.zs.next_out = out.data();
    inf.zs.avail_out = uInt(out.size());
    const int ret = inflate(&inf.zs, Z_SYNC_FLUSH);
    const std::size_t produced = out.size() - inf.zs.avail_out;
    if (ret == Z_STREAM_END) {
        why = "the zlib stream is finished (it ends with a final block and an Adler-32 trailer); the cloud's "
              "driver only accepts unterminated, sync-flushed streams";
        return false;
    }
    if (ret != Z_OK) {
        why = std::string("zlib: ") + (inf.zs.msg ? inf.zs.msg : "error " + std::to_string(ret));
        return false;
    }
    if (produced != out.size()) {
        why = "the zlib payload decompresses to " + std::to_string(produced) + " bytes, not the block size " +
              std::to_string(out.size());
        return false;
    }
    return true;
}

} // namespace imgprep::zvhd
