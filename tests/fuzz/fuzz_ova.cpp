// libFuzzer target: OVA archives (tar read through libarchive, header offsets) and the OVF descriptor's
// References/DiskSection, then each disk member read in place through the image readers. Also the detection
// of other containers (ISO, compressed files, archives).
#include "fuzz_support.h"
#include "image/container.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_ova(const std::uint8_t* data, std::size_t size) {
    SourcePtr src = fuzz::fuzz_source(data, size, "fuzz.ova");
    std::vector<std::uint8_t> head(std::size_t(std::min<std::uint64_t>(src->size(), 4096)));
    if (src->read_at(0, head)) (void)detect_container(*src, head);
    auto ova = read_ova(src);
    if (!ova) return 0;
    for (const auto& d : ova->disks) {
        auto member = ova_member_source(src, d);
        if (!member) continue;
        OpenContext ctx = fuzz::isolated_context();
        auto image = open_image_source(*member, ctx);
        if (image) fuzz::exercise_image(**image, 16, 64 * 1024);
    }
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_ova)
