// libFuzzer target: VMDK text descriptors and the extents they name. The input is the descriptor, then each
// extent file's bytes after a "\n#EXTENT\n" separator (the n-th extent file the descriptor opens gets part
// n).
#include <map>

#include "fuzz_support.h"
#include "image/formats.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_vmdk_descriptor(const std::uint8_t* data, std::size_t size) {
    const auto parts = fuzz::split_input(data, size, "\n#EXTENT\n", 9);
    std::map<std::string, SourcePtr> extents;
    OpenContext ctx = fuzz::isolated_context();
    ctx.open_sibling = [&](const std::string& referrer, const std::string& name) -> Result<SourcePtr> {
        if (auto it = extents.find(name); it != extents.end()) return it->second;
        const std::size_t n = extents.size() + 1;
        if (n >= parts.size()) return make_error(referrer, "extent file '" + name + "' is missing");
        SourcePtr s = fuzz::fuzz_source(parts[n].data(), parts[n].size(), name);
        extents.emplace(name, s);
        return s;
    };
    auto image = open_vmdk(fuzz::fuzz_source(parts[0].data(), parts[0].size(), "fuzz.vmdk"), ctx);
    if (image) fuzz::exercise_image(**image);
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_vmdk_descriptor)
