// Offline inspection: from a virtual disk (or every disk of an input) to ImageFacts, reading metadata only.
#pragma once

#include "image/identify.h"
#include "inspect/facts.h"
#include "util/progress.h"

namespace imgprep {

struct Inspection {
    ImageSummary image; // typed summary for the checks
    Json image_json;    // the `image` section of `info --json`
    ImageFacts facts;
};

// Facts about one virtual disk: partitions, filesystems, boot files, Windows (registry and files).
// Never fails for what it finds inside (bad partitions, unreadable volumes become warnings).
ImageFacts inspect_disk(const ImageReader& disk, Progress& progress = null_progress());

// The whole input: every disk of an OVA, the Windows one described at the top level. Non-disk inputs
// (ZVHD2, ISO, ...) give facts with readable = false and the reason.
Result<Inspection> inspect_input(const OpenedInput& input, Progress& progress = null_progress());
Result<Inspection> inspect_path(const std::string& path, Progress& progress = null_progress());

namespace inspect_detail {
// Filesystem signature of a volume's first bytes (at least 4 KiB + 1 KiB for ext): ntfs, fat, exfat, ext2,
// ext3, ext4, xfs, btrfs, swap, lvm2, bitlocker, bitlocker_to_go, luks, refs, unknown, none (all zero).
std::string filesystem_signature(const ByteSource& volume);
// PE machine of an executable's header: "x86", "x64", "arm64", "" when not a valid PE.
std::string pe_machine(std::span<const std::uint8_t> header);
// [section] key = value files (cloudbase-init.conf): keys of `section`, names lower-cased.
std::map<std::string, std::string> parse_ini_section(const std::string& text, const std::string& section);
} // namespace inspect_detail

// Windows facts from the system volume (implemented in windows.cpp).
namespace ntfs {
class Volume;
}
struct PartitionTable;
WindowsFacts inspect_windows(const ntfs::Volume& system_volume, const std::string& system_root,
                             const PartitionTable* table, const PartitionFacts* system_partition);

} // namespace imgprep
