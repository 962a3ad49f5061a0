// libFuzzer target: MBR (extended/logical chains, hybrid and protective entries) and GPT (headers, CRCs,
// entry arrays, the backup header), for every sector size the reader accepts.
#include "disk/partition_table.h"
#include "fuzz_support.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_partitions(const std::uint8_t* data, std::size_t size) {
    SourcePtr src = fuzz::fuzz_source(data, size, "fuzz.disk");
    for (std::uint32_t sector : {0u, 512u, 4096u}) {
        auto t = read_partition_table(*src, sector);
        if (!t) continue;
        for (const auto& p : t->partitions)
            (void)p;
    }
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_partitions)
