// Signatures from the volume-header descriptions in libyal's NTFS / BDE documents and the LUKS on-disk format
// specification (see /work/shared/reference/windows-offline-facts.md).
#include "fs/encryption.h"

#include <algorithm>
#include <cstring>

#include "util/endian.h"

namespace imgprep::fs {

namespace {
// BitLocker identifier GUID 4967d63b-2e29-4ad8-8399-f6a339e3d001 as stored (little-endian GUID layout).
constexpr std::uint8_t kBitLockerGuid[16] = {0x3b, 0xd6, 0x67, 0x49, 0x29, 0x2e, 0xd8, 0x4a,
                                             0x83, 0x99, 0xf6, 0xa3, 0x39, 0xe3, 0xd0, 0x01};
} // namespace

const char* to_string(Encryption e) {
    switch (e) {
    case Encryption::None:
        return "none";
    case Encryption::BitLocker:
        return "bitlocker";
    case Encryption::BitLockerToGo:
        return "bitlocker-to-go";
    case Encryption::Luks:
        return "luks";
    }
    return "unknown";
}

EncryptionInfo detect_encryption(std::span<const std::uint8_t> s) {
    EncryptionInfo r;
    if (s.size() >= 8 && std::memcmp(s.data(), "LUKS\xba\xbe", 6) == 0) {
        r.kind = Encryption::Luks;
        r.description = "LUKS version " + std::to_string(be16(s.data() + 6));
        return r;
    }
    if (s.size() >= 11 && std::memcmp(s.data() + 3, "-FVE-FS-", 8) == 0) {
        r.kind = Encryption::BitLocker;
        if (s[0] == 0xeb && s[1] == 0x52 && s[2] == 0x90)
            r.description = "BitLocker (Windows Vista header)";
        else if (s[0] == 0xeb && s[1] == 0x58 && s[2] == 0x90)
            r.description = "BitLocker (Windows 7 or later header)";
        else
            r.description = "BitLocker (OEM id -FVE-FS-)";
        return r;
    }
    if (s.size() >= 440 && s[0] == 0xeb && s[1] == 0x58 && s[2] == 0x90 &&
        std::memcmp(s.data() + 3, "MSWIN4.1", 8) == 0 &&
        std::memcmp(s.data() + 424, kBitLockerGuid, 16) == 0) {
        r.kind = Encryption::BitLockerToGo;
        r.description = "BitLocker To Go";
        return r;
    }
    return r;
}

Result<EncryptionInfo> detect_encryption(const ByteSource& volume) {
    std::uint8_t buf[512] = {};
    const std::size_t n = std::size_t(std::min<std::uint64_t>(sizeof buf, volume.size()));
    IMGPREP_TRY(volume.read_at(0, std::span(buf, n)));
    return detect_encryption(std::span<const std::uint8_t>(buf, n));
}

} // namespace imgprep::fs
