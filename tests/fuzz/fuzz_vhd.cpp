// libFuzzer target: VHD: footer, dynamic header, BAT, parent locators.
#include "fuzz_support.h"
#include "image/formats.h"

int imgprep::fuzz::fuzz_vhd(const std::uint8_t* data, std::size_t size) {
    return imgprep::fuzz::run_format_target(data, size, "fuzz.vhd", &imgprep::open_vhd);
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_vhd)
