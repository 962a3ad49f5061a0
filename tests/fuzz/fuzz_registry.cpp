// libFuzzer target: a registry hive (regf): base block, hive bins, cells, nk/vk/sk, subkey lists
// (lf/lh/li/ri), value lists, big data (db), every value type's conversion, and the path lookups inspection
// makes.
#include "fuzz_support.h"
#include "registry/hive.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_registry(const std::uint8_t* data, std::size_t size) {
    auto hive = registry::Hive::open(fuzz::fuzz_source(data, size, "fuzz.hive"));
    if (!hive) return 0;
    fuzz::exercise_hive(**hive);
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_registry)
