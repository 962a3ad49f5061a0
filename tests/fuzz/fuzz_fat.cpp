// libFuzzer target: a FAT12/16/32 volume: boot sector / BPB, FAT chains (loops, bad and free clusters),
// directories with long names, file reads (the EFI system partition's boot files are read this way).
#include <deque>

#include "fs/fat.h"
#include "fuzz_support.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_fat(const std::uint8_t* data, std::size_t size) {
    auto volume = FatVolume::open(fuzz::fuzz_source(data, size, "fuzz.fat"));
    if (!volume) return 0;
    const FatVolume& v = **volume;
    (void)v.lookup("EFI\\Microsoft\\Boot\\bootmgfw.efi");
    (void)v.read_file("EFI/BOOT/BOOTX64.EFI", 64u << 10);
    auto root = v.list_root();
    if (!root) return 0;
    std::deque<FatDirEntry> dirs;
    std::size_t listed = 0, files = 0;
    auto visit = [&](const std::vector<FatDirEntry>& entries) {
        for (const auto& e : entries) {
            if (e.is_directory()) {
                if (dirs.size() < 32) dirs.push_back(e);
            } else if (files < 32) {
                ++files;
                auto f = v.open_file(e);
                if (f) fuzz::touch(**f, 0, 4096);
            }
        }
    };
    visit(*root);
    while (!dirs.empty() && listed++ < 32) {
        auto entries = v.list_directory(dirs.front());
        dirs.pop_front();
        if (entries) visit(*entries);
    }
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_fat)
