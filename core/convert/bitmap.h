// The bitmap file that accompanies a RAW image for fast import (IMAGE.raw -> IMAGE.mf).
// The cloud's own CreateMF.jar format is not public: this is imgprep's format, documented in
// docs/bitmap-format.md — one bit per block of the RAW file, set when the block holds a non-zero byte.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "util/progress.h"
#include "util/result.h"

namespace imgprep {

constexpr std::uint64_t kDefaultBitmapBlock = 64 * 1024;
constexpr std::size_t kBitmapHeaderSize = 128;

class Bitmap {
public:
    Bitmap(std::uint64_t virtual_size, std::uint64_t block_size);
    std::uint64_t virtual_size() const { return virtual_size_; }
    std::uint64_t block_size() const { return block_size_; }
    std::uint64_t block_count() const { return blocks_; }
    // Marks every block touched by [offset, offset+length) as holding data. Thread-safe.
    void mark(std::uint64_t offset, std::uint64_t length);
    bool test(std::uint64_t block) const;
    std::uint64_t set_bits() const;
    // The bitmap bytes: bit i = byte i/8, bit (i%8) counted from the least significant bit.
    std::vector<std::uint8_t> bytes() const;

    // Serialised file: 128-byte header + bitmap bytes.
    std::vector<std::uint8_t> serialize() const;
    static Result<Bitmap> parse(const ByteSource& src);

private:
    std::uint64_t virtual_size_;
    std::uint64_t block_size_;
    std::uint64_t blocks_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> words_;
    std::size_t nwords_;
};

// Writes the bitmap to path (through path.part, renamed when complete).
Status write_bitmap_file(const Bitmap& bitmap, const std::string& path, bool overwrite);

// Computes the bitmap of a RAW file, skipping holes (SEEK_DATA/SEEK_HOLE) where the OS reports them.
Result<Bitmap> compute_bitmap(const FileSource& raw, std::uint64_t block_size, Progress& progress);

// The bitmap name the cloud requires: same base name as the RAW file, extension .mf.
std::string bitmap_path_for(const std::string& raw_path);

} // namespace imgprep
