// libFuzzer target: offline inspection of a whole disk (inspect_disk): partition tables, filesystem
// signatures, NTFS and FAT volumes, the boot files, the registry hives and the Windows facts read from them.
#include "fuzz_support.h"
#include "image/formats.h"
#include "inspect/inspect.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_inspect(const std::uint8_t* data, std::size_t size) {
    OpenContext ctx = fuzz::isolated_context();
    auto disk = open_raw(fuzz::fuzz_source(data, size, "fuzz.raw"), ctx);
    if (!disk) return 0;
    ImageFacts facts = inspect_disk(**disk);
    (void)facts;
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_inspect)
