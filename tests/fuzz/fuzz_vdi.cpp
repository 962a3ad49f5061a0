// libFuzzer target: VDI: header, block map.
#include "fuzz_support.h"
#include "image/formats.h"

int imgprep::fuzz::fuzz_vdi(const std::uint8_t* data, std::size_t size) {
    return imgprep::fuzz::run_format_target(data, size, "fuzz.vdi", &imgprep::open_vdi);
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_vdi)
