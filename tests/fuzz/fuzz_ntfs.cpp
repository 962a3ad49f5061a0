// libFuzzer target: an NTFS volume: boot sector, $MFT records (fix-ups, attributes, $ATTRIBUTE_LIST), run
// lists (sparse, compressed), directory indexes ($INDEX_ROOT / $INDEX_ALLOCATION), $UpCase, LZNT1, resident
// and non-resident streams, hiberfil.sys, and the path lookups inspection makes.
#include <deque>

#include "fs/ntfs.h"
#include "fuzz_support.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_ntfs(const std::uint8_t* data, std::size_t size) {
    auto volume = ntfs::Volume::open(fuzz::fuzz_source(data, size, "fuzz.ntfs"));
    if (!volume) return 0;
    const ntfs::Volume& v = **volume;
    (void)v.info();
    (void)v.hiberfil_state();
    if (auto hive = v.open_path("\\Windows\\System32\\config\\SYSTEM")) fuzz::touch(**hive, 4096, 4096);
    (void)v.exists("\\Windows\\System32\\drivers\\viostor.sys");
    // Breadth-first over the tree: at most 32 directories listed and 32 files read (the first 4 KiB of each
    // stream).
    std::deque<std::uint64_t> dirs{5}; // the root directory's MFT record
    std::size_t listed = 0, files = 0;
    while (!dirs.empty() && listed < 32) {
        const std::uint64_t d = dirs.front();
        dirs.pop_front();
        ++listed;
        auto entries = v.list(d);
        if (!entries) continue;
        for (const auto& e : *entries) {
            if (e.is_directory) {
                if (dirs.size() < 32) dirs.push_back(e.mft_index);
                continue;
            }
            if (files >= 32) continue;
            ++files;
            auto info = v.stat(e.mft_index);
            if (!info) continue;
            for (const auto& s : info->streams) {
                auto stream = v.open_stream(e.mft_index, s.name);
                if (stream) fuzz::touch(**stream, 0, 4096);
            }
        }
    }
    // A recursive walk, bounded by the callback.
    std::size_t walked = 0;
    (void)v.walk(
        5, [&](const std::string&, const ntfs::DirEntry&) { return ++walked < 256; }, 8);
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_ntfs)
