// Native ZVHD2 writer: any readable image → a ZVHD2 file laid out exactly as the cloud's own driver
// (ims-qemu-img's zvhd2.c, through `qemu-img-hw convert -O zvhd2`) writes it, so that the driver — and the
// cloud's fast import — reads it back. Layout: docs/formats.md ("ZVHD2 writer").
//
// Pipeline: a cursor walks the source's allocation map and hands out the 2 MiB blocks that hold data (blocks
// with no data extent are zero and never read); worker threads read a block, skip it when all zero, and
// compress it (zstd level 3, or zlib level 1 sync-flushed and left unfinished, each block on its own) into a
// frame; the calling thread writes the frames strictly in block order. At most `2 × threads + 2` blocks are
// in flight, so memory stays bounded whatever the disk size (plus 6 bytes per stored block for the index).
// Output goes to OUT.part and is renamed when complete; cancel and errors leave nothing behind.
#pragma once

#include <cstdint>
#include <string>

#include "image/image_reader.h"
#include "image/zvhd_format.h"
#include "util/progress.h"

namespace imgprep {

struct Zvhd2WriteOptions {
    std::string output;                       // OUT.zvhd2 (written as OUT.zvhd2.part)
    bool overwrite = false;                   // --force
    zvhd::Method method = zvhd::Method::Zstd; // --compress zstd|zlib
    unsigned threads = 0;                     // compression threads; 0 = one per core (at most 16)
    bool sync = true;                         // flush to disk before the rename (--no-sync: not)
};

struct Zvhd2WriteResult {
    std::uint64_t source_size = 0; // the source's virtual size
    std::uint64_t orig_size = 0;   // footer orig_size: source size rounded up to 512
    std::uint64_t virtual_size =
        0;                    // footer curr_size: orig_size rounded up to 1 GiB (what the cloud reports)
    std::uint64_t blocks = 0; // max_blk_num: 2 MiB blocks covering orig_size
    std::uint64_t stored_blocks = 0;    // frames written
    std::uint64_t zero_blocks_read = 0; // blocks the allocation map said hold data that were all zero
    std::uint64_t bytes_read = 0;       // virtual bytes read from the source
    std::uint64_t zero_bytes_read = 0;  // of those, bytes in all-zero blocks (not stored)
    std::uint64_t file_size = 0;
    unsigned threads = 0;
    double seconds = 0;
};

Result<Zvhd2WriteResult> write_zvhd2(const ImageReader& src, const Zvhd2WriteOptions& options,
                                     Progress& progress);

// Estimated size of the ZVHD2 file for src: the blocks holding data (allocation map) and the compression
// ratio of up to `samples` of them spread over the disk, compressed as the writer would. Reads at most
// samples × 2 MiB.
struct Zvhd2Estimate {
    std::uint64_t bytes = 0;       // estimated file size
    std::uint64_t upper_bound = 0; // if nothing compressed at all
    std::uint64_t data_blocks = 0; // blocks the allocation map says hold data
    std::uint64_t sampled = 0;
};
Result<Zvhd2Estimate> estimate_zvhd2_size(const ImageReader& src, zvhd::Method method, unsigned samples = 16);

} // namespace imgprep
