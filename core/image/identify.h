// The top of the engine: turn any input file into the virtual disks it holds (one for a disk image, one per disk
// for an OVA), or a precise answer about what it is when it holds none.
#pragma once

#include <string>
#include <vector>

#include "image/open.h"
#include "util/json.h"

namespace imgprep {

struct DiskEntry {
    std::string label; // the file name, or the OVA member name
    ImagePtr reader;
};

struct OpenedInput {
    std::string path;
    std::uint64_t file_size = 0;
    Detection detection;               // what the file itself is (format "ova" for an OVA)
    std::vector<std::string> warnings; // extension mismatch, OVF remarks, ...
    std::vector<DiskEntry> disks;      // at least one
};

// Opens path read-only. A file that holds no readable disk is an error naming the file and saying what it is
// and what to do (empty, unrecognised, an archive or compressed file, installation media, an OVF on its own),
// like a corrupt or unsupported disk image: every command and the wizard give the same answer.
Result<OpenedInput> open_input(const std::string& path);

// `imgprep info` data: the image section of the JSON report (format, subformat, virtual_size, file_size,
// allocated_size, chain, warnings, details; disks[] for an OVA). Computes allocated_size from the allocation map.
Result<Json> image_section(const OpenedInput& input);

} // namespace imgprep
