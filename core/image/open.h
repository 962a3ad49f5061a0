// Identify a file by its content and open it as a virtual disk.
#pragma once

#include <string>
#include <vector>

#include "image/image_reader.h"

namespace imgprep {

// What a file is, decided from its bytes only (never its extension).
struct Detection {
    std::string format;    // raw vmdk vhd vhdx qcow qcow2 qed vdi zvhd zvhd2 ova ovf iso archive unknown
    std::string subformat; // e.g. "gzip" for archive, "vmfsSparse" for a refused VMDK
    bool disk_image = false; // a format whose virtual disk we can read
    std::string message;     // for non-disk inputs: what it is and what to do
};

Detection detect_format(const ByteSource& src);

// The format names a file extension suggests ("" if none), to warn when it disagrees with the content.
std::string format_for_extension(const std::string& path);

// Opens path (read-only) as a virtual disk with its whole backing chain.
Result<ImagePtr> open_image(const std::string& path);
Result<ImagePtr> open_image_in_context(const std::string& path, OpenContext& ctx);
// Opens an already opened source (e.g. an archive member) as a virtual disk.
Result<ImagePtr> open_image_source(SourcePtr src, OpenContext& ctx);

} // namespace imgprep
