// libFuzzer target: QCOW2 v2/v3: header, extensions, L1/L2 and refcount tables, compressed (zlib/zstd)
// clusters, extended L2.
#include "fuzz_support.h"
#include "image/formats.h"

int imgprep::fuzz::fuzz_qcow2(const std::uint8_t* data, std::size_t size) {
    return imgprep::fuzz::run_format_target(data, size, "fuzz.qcow2", &imgprep::open_qcow2);
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_qcow2)
