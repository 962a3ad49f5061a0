// libFuzzer target: QED: header, L1/L2 tables.
#include "fuzz_support.h"
#include "image/formats.h"

int imgprep::fuzz::fuzz_qed(const std::uint8_t* data, std::size_t size) {
    return imgprep::fuzz::run_format_target(data, size, "fuzz.qed", &imgprep::open_qed);
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_qed)
