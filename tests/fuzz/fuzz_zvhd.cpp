// libFuzzer target: ZVHD (the older format): header, frame list, the one zlib stream and its checkpoints.
#include "fuzz_support.h"
#include "image/formats.h"

int imgprep::fuzz::fuzz_zvhd(const std::uint8_t* data, std::size_t size) {
    return imgprep::fuzz::run_format_target(data, size, "fuzz.zvhd", &imgprep::open_zvhd);
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_zvhd)
