// libFuzzer target: VHDX: headers, region table, metadata, BAT, log replay in memory.
#include "fuzz_support.h"
#include "image/formats.h"

int imgprep::fuzz::fuzz_vhdx(const std::uint8_t* data, std::size_t size) {
    return imgprep::fuzz::run_format_target(data, size, "fuzz.vhdx", &imgprep::open_vhdx);
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_vhdx)
