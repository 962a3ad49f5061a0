// VMDK text descriptor ("# Disk DescriptorFile"): key = value entries and extent lines. The same text is
// either a small file of its own (monolithicFlat, twoGbMaxExtent*, snapshots) or embedded in a hosted sparse
// extent. Internal to the VMDK reader (core/image/vmdk.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace imgprep::vmdk {

// One extent line: ACCESS SIZE TYPE ["FILENAME" [OFFSET]].
struct ExtentLine {
    std::string access;        // RW, RDONLY, NOACCESS (upper case)
    std::uint64_t sectors = 0; // size of the extent in 512-byte sectors
    std::string type;          // upper case: FLAT, SPARSE, ZERO, VMFS, VMFSSPARSE, SESPARSE, ...
    std::string file;          // as written (quotes removed); empty when the line names no file (ZERO)
    std::uint64_t offset = 0;  // start of the extent's data in the file, in sectors (FLAT / VMFS)
    std::size_t line = 0;      // 1-based line number in the descriptor
};

struct Descriptor {
    std::vector<std::pair<std::string, std::string>> entries; // key = value (quotes removed), in file order
    std::vector<ExtentLine> extents;
    std::vector<std::string> warnings;

    // Value of the first entry whose key equals `key` (ASCII case-insensitive), or "" when there is none.
    std::string get(std::string_view key) const;
    bool has(std::string_view key) const;
};

// More extent lines than this is refused (a twoGbMaxExtent disk of 32 TB has 16384).
inline constexpr std::size_t kMaxDescriptorExtents = 16384;

// Parses descriptor text (which ends at the first NUL byte, if any). `file` names the file in errors and
// `base` is the byte offset of the text inside that file (non-zero for embedded descriptors). Binary content,
// malformed extent lines and too many extents are errors; unknown lines are warnings.
Result<Descriptor> parse_descriptor(std::string_view text, const std::string& file, std::uint64_t base = 0);

} // namespace imgprep::vmdk
