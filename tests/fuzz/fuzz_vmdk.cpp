// libFuzzer target: VMDK sparse extents (KDMV): header, grain directory and tables, streamOptimized markers.
#include "fuzz_support.h"
#include "image/formats.h"

int imgprep::fuzz::fuzz_vmdk(const std::uint8_t* data, std::size_t size) {
    return imgprep::fuzz::run_format_target(data, size, "fuzz.vmdk", &imgprep::open_vmdk);
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_vmdk)
