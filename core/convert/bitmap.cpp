#include "convert/bitmap.h"
#include "io/file_system.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>

#include "convert/output_file.h"
#include "util/endian.h"
#include "util/sha256.h"

namespace imgprep {

namespace {
constexpr char kMagic[8] = {'I', 'M', 'G', 'P',
                            'R', 'E', 'P', 'M'}; // then "F\x01" version marker in the text
constexpr std::uint32_t kVersion = 1;
} // namespace

Bitmap::Bitmap(std::uint64_t virtual_size, std::uint64_t block_size)
    : virtual_size_(virtual_size), block_size_(block_size ? block_size : kDefaultBitmapBlock),
      blocks_((virtual_size + block_size_ - 1) / block_size_), nwords_(std::size_t((blocks_ + 63) / 64)) {
    words_ = std::make_unique<std::atomic<std::uint64_t>[]>(nwords_);
    for (std::size_t i = 0; i < nwords_; ++i)
        words_[i].store(0, std::memory_order_relaxed);
}

void Bitmap::mark(std::uint64_t offset, std::uint64_t length) {
    if (length == 0 || offset >= virtual_size_) return;
    std::uint64_t first = offset / block_size_;
    std::uint64_t last = std::min(offset + length - 1, virtual_size_ - 1) / block_size_;
    for (std::uint64_t b = first; b <= last; ++b)
        words_[std::size_t(b / 64)].fetch_or(std::uint64_t{1} << (b % 64), std::memory_order_relaxed);
}

bool Bitmap::test(std::uint64_t block) const {
    if (block >= blocks_) return false;
    return (words_[std::size_t(block / 64)].load(std::memory_order_relaxed) >> (block % 64)) & 1;
}

std::uint64_t Bitmap::set_bits() const {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < nwords_; ++i)
        n += std::uint64_t(std::popcount(words_[i].load(std::memory_order_relaxed)));
    return n;
}

std::vector<std::uint8_t> Bitmap::bytes() const {
    std::vector<std::uint8_t> out(std::size_t((blocks_ + 7) / 8));
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = std::uint8_t(words_[i / 8].load(std::memory_order_relaxed) >> (8 * (i % 8)));
    return out;
}

std::vector<std::uint8_t> Bitmap::serialize() const {
    std::vector<std::uint8_t> body = bytes();
    std::vector<std::uint8_t> out(kBitmapHeaderSize + body.size(), 0);
    std::uint8_t* h = out.data();
    std::memcpy(h, kMagic, 8);
    put_le32(h + 8, kVersion);
    put_le32(h + 12, std::uint32_t(kBitmapHeaderSize));
    put_le64(h + 16, block_size_);
    put_le64(h + 24, virtual_size_);
    put_le64(h + 32, blocks_);
    put_le64(h + 40, set_bits());
    put_le32(h + 48, 0); // bit order: 0 = least significant bit first
    put_le32(h + 52, 0); // flags
    Sha256 sum;
    sum.update(body);
    auto digest = sum.finish();
    std::memcpy(h + 64, digest.data(), 32);
    Sha256 hsum; // header checksum over bytes 0..95
    hsum.update(std::span<const std::uint8_t>(h, 96));
    auto hd = hsum.finish();
    std::memcpy(h + 96, hd.data(), 32);
    if (!body.empty()) std::memcpy(h + kBitmapHeaderSize, body.data(), body.size());
    return out;
}

Result<Bitmap> Bitmap::parse(const ByteSource& src) {
    if (src.size() < kBitmapHeaderSize)
        return src.error("not an imgprep bitmap file: shorter than its header");
    std::uint8_t h[kBitmapHeaderSize];
    IMGPREP_TRY(src.read_at(0, h));
    if (std::memcmp(h, kMagic, 8) != 0) return src.error_at(0, "not an imgprep bitmap file (bad magic)");
    if (le32(h + 8) != kVersion)
        return src.error_at(8, "unsupported bitmap version " + std::to_string(le32(h + 8)));
    Sha256 hsum;
    hsum.update(std::span<const std::uint8_t>(h, 96));
    auto hd = hsum.finish();
    if (std::memcmp(hd.data(), h + 96, 32) != 0) return src.error_at(96, "bitmap header checksum mismatch");
    std::uint64_t block = le64(h + 16), vsize = le64(h + 24), blocks = le64(h + 32);
    if (block < 512 || (block & (block - 1)) != 0) return src.error_at(16, "bad bitmap block size");
    if (blocks != (vsize + block - 1) / block) return src.error_at(32, "block count does not match the size");
    if ((blocks + 7) / 8 != src.size() - kBitmapHeaderSize)
        return src.error_at(kBitmapHeaderSize, "bitmap length does not match its block count");
    std::vector<std::uint8_t> body(std::size_t(src.size() - kBitmapHeaderSize));
    IMGPREP_TRY(src.read_at(kBitmapHeaderSize, body));
    Sha256 sum;
    sum.update(body);
    auto digest = sum.finish();
    if (std::memcmp(digest.data(), h + 64, 32) != 0) return src.error_at(64, "bitmap checksum mismatch");
    Bitmap b(vsize, block);
    for (std::size_t i = 0; i < body.size(); ++i)
        if (body[i])
            b.words_[i / 8].fetch_or(std::uint64_t(body[i]) << (8 * (i % 8)), std::memory_order_relaxed);
    if (b.set_bits() != le64(h + 40)) return src.error_at(40, "set-bit count does not match the bitmap");
    return b;
}

Status write_bitmap_file(const Bitmap& bitmap, const std::string& path, bool overwrite) {
    IMGPREP_ASSIGN(OutputFile out, OutputFile::create(path, overwrite));
    auto data = bitmap.serialize();
    IMGPREP_TRY(out.write_at(0, data));
    return out.commit();
}

Result<Bitmap> compute_bitmap(const FileSource& raw, std::uint64_t block_size, Progress& progress) {
    Bitmap bm(raw.size(), block_size);
    const std::uint64_t size = raw.size();
    const std::size_t chunk =
        std::size_t(std::max<std::uint64_t>(block_size, 4 << 20) / block_size * block_size);
    std::vector<std::uint8_t> buf(chunk);
    progress.begin_phase("bitmap", size);
    std::uint64_t pos = 0;
    while (pos < size) {
        if (progress.cancelled()) return raw.error("cancelled");
        const std::uint64_t first = raw.next_data(pos);
        if (first >= size) break;
        std::uint64_t hole = raw.next_hole(first);
        if (hole <= first) hole = size;
        const std::uint64_t data = first / block_size * block_size; // start on a block boundary
        for (std::uint64_t off = data; off < hole; off += chunk) {
            std::size_t n = std::size_t(std::min<std::uint64_t>(chunk, hole - off));
            n = std::size_t(std::min<std::uint64_t>(n, size - off));
            IMGPREP_TRY(raw.read_at(off, std::span(buf.data(), n)));
            for (std::size_t b = 0; b < n; b += block_size) {
                std::size_t len = std::size_t(std::min<std::uint64_t>(block_size, n - b));
                if (!is_all_zero(std::span(buf.data() + b, len))) bm.mark(off + b, len);
            }
            progress.update(off + n);
            if (progress.cancelled()) return raw.error("cancelled");
        }
        pos = std::max(hole, data + 1);
    }
    progress.update(size);
    return bm;
}

std::string bitmap_path_for(const std::string& raw_path) {
    std::filesystem::path p = files::to_path(raw_path);
    p.replace_extension(".mf");
    return files::to_utf8(p);
}

} // namespace imgprep
