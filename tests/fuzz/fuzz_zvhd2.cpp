// libFuzzer target: ZVHD2: header and trailing footers, bitmap and index segments, frames, zstd/zlib
// payloads.
#include "fuzz_support.h"
#include "image/formats.h"

int imgprep::fuzz::fuzz_zvhd2(const std::uint8_t* data, std::size_t size) {
    return imgprep::fuzz::run_format_target(data, size, "fuzz.zvhd2", &imgprep::open_zvhd2);
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_zvhd2)
