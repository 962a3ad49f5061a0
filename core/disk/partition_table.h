// Partition tables of a disk: MBR (with extended / logical partitions) and GPT (with backup-header recovery).
// Read-only, bounded: every table, chain and array read here is capped, and every inconsistency is reported
// as a warning that names the byte offset of the structure at fault.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "util/result.h"

namespace imgprep {

enum class PartitionScheme : std::uint8_t { None, Mbr, Gpt };
const char* to_string(PartitionScheme s); // "none", "mbr", "gpt"

// What a partition is for, derived from its MBR type byte or GPT type GUID only (no content is read).
enum class PartitionRole : std::uint8_t {
    Other,
    Esp,       // EFI System Partition (GPT C12A7328-..., MBR 0xEF)
    Msr,       // Microsoft Reserved
    BasicData, // Windows basic data (GPT EBD0A0A2-...; MBR 0x07 NTFS/exFAT, FAT types 0x01/04/06/0B/0C/0E)
    WindowsRecovery, // GPT DE94BBA4-...; MBR 0x27 (hidden NTFS / WinRE)
    LdmMetadata,     // dynamic disk (GPT 5808C8AA-...; MBR 0x42)
    LdmData,
    StorageSpaces,
    HiddenBasicData, // MBR hidden FAT / NTFS types (0x11/14/16/17/1B/1C/1E)
    Linux,           // Linux filesystem data / root / home / XBOOTLDR, MBR 0x83
    LinuxSwap,
    LinuxLvm,
    LinuxRaid,
    BiosBoot,   // GPT 21686148-... (GRUB's BIOS boot partition)
    Extended,   // MBR extended container (0x05 / 0x0F / 0x85)
    Protective, // MBR 0xEE (only listed when no valid GPT was found)
};
const char* to_string(PartitionRole r); // "esp", "msr", "basic_data", "windows_recovery", ...

struct Partition {
    std::uint32_t number = 0;    // as Linux numbers it: GPT entry index + 1; MBR primaries 1-4, logicals 5...
    std::uint64_t start_lba = 0; // in sectors of the table's sector_size
    std::uint64_t sectors = 0;
    std::uint64_t offset = 0;  // byte offset on the disk
    std::uint64_t length = 0;  // bytes
    std::uint8_t mbr_type = 0; // MBR type byte (0 for GPT partitions)
    std::string type_guid;     // GPT type GUID, uppercase canonical (empty for MBR)
    std::string unique_guid;   // GPT unique partition GUID, uppercase canonical (empty for MBR)
    std::string name;          // GPT name (UTF-16LE converted to UTF-8)
    std::uint64_t attributes =
        0;                // GPT attribute bits (bit 0 required, bit 2 legacy BIOS bootable, 60-63 ...)
    bool active = false;  // MBR boot indicator 0x80, or GPT "legacy BIOS bootable" (attribute bit 2)
    bool logical = false; // MBR logical partition inside an extended partition
    PartitionRole role = PartitionRole::Other;
    std::uint64_t entry_offset = 0; // byte offset of the table entry that describes this partition
};

struct PartitionWarning {
    std::uint64_t offset = 0; // byte offset on the disk of the structure concerned
    std::string message;
    std::string describe() const; // "at offset N: message"
};

struct PartitionTable {
    PartitionScheme scheme = PartitionScheme::None;
    std::uint32_t sector_size = 512;
    std::uint64_t disk_size = 0;     // bytes of the source
    bool has_mbr_signature = false;  // 0x55AA at offset 510
    std::uint32_t mbr_signature = 0; // the 32-bit disk signature at 0x1B8 (Windows MountedDevices uses it)
    // GPT only
    std::string disk_guid; // uppercase canonical
    std::uint64_t first_usable_lba = 0;
    std::uint64_t last_usable_lba = 0;
    std::uint64_t header_lba = 0;          // LBA of the header that was used (1, or the backup's LBA)
    std::uint64_t alternate_lba = 0;       // that header's AlternateLBA
    std::uint32_t entry_count = 0;         // NumberOfPartitionEntries
    std::uint32_t entry_size = 0;          // SizeOfPartitionEntry
    bool used_backup_gpt = false;          // the primary header or array was unusable
    bool hybrid_mbr = false;               // 0xEE plus other MBR entries
    std::vector<Partition> hybrid_entries; // the non-0xEE MBR entries of a hybrid MBR (numbered 1-4 by slot)

    std::vector<Partition> partitions; // sorted by number; for MBR the extended container is listed too
    std::vector<PartitionWarning> warnings;

    const Partition* find(std::uint32_t number) const;
    // The first partition of a role (e.g. the ESP), or nullptr.
    const Partition* first_of(PartitionRole role) const;
};

// Reads the partition table of a whole disk. sector_size is 512 or 4096 (also 1024 / 2048); 0 = detect:
// a GPT header at byte 512 means 512-byte sectors, one at byte 4096 means 4096-byte sectors, otherwise 512.
// A disk with neither an MBR signature nor a GPT header yields scheme None (not an error). Errors are
// returned only for an invalid sector_size argument or a failing read of the first sector.
Result<PartitionTable> read_partition_table(const ByteSource& disk, std::uint32_t sector_size = 0);

// Internals shared by mbr.cpp / gpt.cpp / partition_table.cpp (also used by tests).
namespace disk_detail {
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by GPT. Pass a previous result to continue.
std::uint32_t crc32_ieee(std::span<const std::uint8_t> data, std::uint32_t crc = 0);
// A 16-byte on-disk GUID (first three fields little-endian) as "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX".
std::string guid_to_string(const std::uint8_t* p);
// UTF-16LE code units (stops at the first NUL) to UTF-8; unpaired surrogates become U+FFFD.
std::string utf16le_to_utf8(const std::uint8_t* p, std::size_t units);
PartitionRole role_of_mbr_type(std::uint8_t type);
PartitionRole role_of_gpt_type(const std::string& guid);
bool is_extended_type(std::uint8_t type);

// Parses the MBR in sector 0 (already read: `sector0` holds at least 512 bytes). Follows extended partitions.
// Sets scheme Mbr or None; marks protective / hybrid entries so that the caller can look for a GPT.
struct MbrResult {
    bool valid = false;                      // 0x55AA present and the sector is not a bare volume boot record
    bool protective = false;                 // a 0xEE entry is present
    std::vector<Partition> primaries_non_ee; // non-empty, non-0xEE primary entries
    std::uint64_t ee_start = 0, ee_sectors = 0;
    std::uint64_t ee_entry_offset = 0;
};
MbrResult read_mbr(const ByteSource& disk, std::span<const std::uint8_t> sector0, std::uint32_t sector_size,
                   PartitionTable& out);
// Reads a GPT (primary, falling back to the backup). Returns false when no usable GPT exists (warnings
// explain).
bool read_gpt(const ByteSource& disk, std::uint32_t sector_size, PartitionTable& out);
// Adds warnings for partitions past the end of the disk and for overlaps (ignoring extended containers).
void check_layout(PartitionTable& t);
} // namespace disk_detail

} // namespace imgprep
