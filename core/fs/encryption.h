// Detects encrypted volumes from their first sector, so callers report "encrypted" instead of trying to parse
// them as a file system: BitLocker ("-FVE-FS-" OEM id), BitLocker To Go (FAT-looking header carrying the
// BitLocker GUID at offset 424) and LUKS ("LUKS\xba\xbe" at offset 0).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "io/byte_source.h"
#include "util/result.h"

namespace imgprep::fs {

enum class Encryption : std::uint8_t { None, BitLocker, BitLockerToGo, Luks };
const char* to_string(Encryption e);

struct EncryptionInfo {
    Encryption kind = Encryption::None;
    std::string description; // e.g. "BitLocker (Windows 7 or later header)", "LUKS version 2"
};

// first_sector: the volume's first bytes (at least 512 for every check to apply; shorter input only gets the
// checks that fit).
EncryptionInfo detect_encryption(std::span<const std::uint8_t> first_sector);
// Reads up to the first 512 bytes of volume.
Result<EncryptionInfo> detect_encryption(const ByteSource& volume);

} // namespace imgprep::fs
