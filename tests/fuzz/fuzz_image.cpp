// libFuzzer target: content detection and dispatch to every reader (open_image_source), as `imgprep info`
// does, then the allocation map and reads.
#include "fuzz_support.h"
#include "image/open.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_image(const std::uint8_t* data, std::size_t size) {
    SourcePtr src = fuzz::fuzz_source(data, size, "fuzz.img");
    (void)detect_format(*src);
    OpenContext ctx = fuzz::isolated_context();
    auto image = open_image_source(src, ctx);
    if (image) fuzz::exercise_image(**image);
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_image)
