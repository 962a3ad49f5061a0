// libFuzzer target: QCOW version 1: header, L1/L2 tables, compressed clusters.
#include "fuzz_support.h"
#include "image/formats.h"

int imgprep::fuzz::fuzz_qcow(const std::uint8_t* data, std::size_t size) {
    return imgprep::fuzz::run_format_target(data, size, "fuzz.qcow", &imgprep::open_qcow);
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_qcow)
