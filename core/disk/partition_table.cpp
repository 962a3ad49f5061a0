// Partition table front end: scheme detection (MBR / protective MBR + GPT / hybrid), roles, layout checks,
// and the small shared helpers (CRC-32, GUID and UTF-16 formatting).
#include "disk/partition_table.h"
#include "util/text.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "util/endian.h"

namespace imgprep {

const char* to_string(PartitionScheme s) {
    switch (s) {
    case PartitionScheme::None:
        return "none";
    case PartitionScheme::Mbr:
        return "mbr";
    case PartitionScheme::Gpt:
        return "gpt";
    }
    return "none";
}

const char* to_string(PartitionRole r) {
    switch (r) {
    case PartitionRole::Other:
        return "other";
    case PartitionRole::Esp:
        return "esp";
    case PartitionRole::Msr:
        return "msr";
    case PartitionRole::BasicData:
        return "basic_data";
    case PartitionRole::WindowsRecovery:
        return "windows_recovery";
    case PartitionRole::LdmMetadata:
        return "ldm_metadata";
    case PartitionRole::LdmData:
        return "ldm_data";
    case PartitionRole::StorageSpaces:
        return "storage_spaces";
    case PartitionRole::HiddenBasicData:
        return "hidden_basic_data";
    case PartitionRole::Linux:
        return "linux";
    case PartitionRole::LinuxSwap:
        return "linux_swap";
    case PartitionRole::LinuxLvm:
        return "linux_lvm";
    case PartitionRole::LinuxRaid:
        return "linux_raid";
    case PartitionRole::BiosBoot:
        return "bios_boot";
    case PartitionRole::Extended:
        return "extended";
    case PartitionRole::Protective:
        return "protective";
    }
    return "other";
}

std::string PartitionWarning::describe() const {
    return "at offset " + std::to_string(offset) + ": " + message;
}

const Partition* PartitionTable::find(std::uint32_t number) const {
    for (const auto& p : partitions)
        if (p.number == number) return &p;
    return nullptr;
}

const Partition* PartitionTable::first_of(PartitionRole role) const {
    for (const auto& p : partitions)
        if (p.role == role) return &p;
    return nullptr;
}

namespace disk_detail {

namespace {
constexpr std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
        t[i] = c;
    }
    return t;
}
constexpr auto kCrcTable = make_crc_table();

} // namespace

std::uint32_t crc32_ieee(std::span<const std::uint8_t> data, std::uint32_t crc) {
    std::uint32_t c = ~crc;
    for (std::uint8_t b : data)
        c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
    return ~c;
}

std::string guid_to_string(const std::uint8_t* p) {
    static const char* hex = "0123456789ABCDEF";
    std::uint8_t b[16];
    // Data1 (4 bytes LE), Data2 (2 LE), Data3 (2 LE), Data4 (8 bytes as stored).
    b[0] = p[3], b[1] = p[2], b[2] = p[1], b[3] = p[0];
    b[4] = p[5], b[5] = p[4];
    b[6] = p[7], b[7] = p[6];
    std::memcpy(b + 8, p + 8, 8);
    std::string s;
    s.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
        s += hex[b[i] >> 4];
        s += hex[b[i] & 15];
    }
    return s;
}

std::string utf16le_to_utf8(const std::uint8_t* p, std::size_t units) {
    return utf16_to_utf8(std::span<const std::uint8_t>(p, units * 2));
}

bool is_extended_type(std::uint8_t type) {
    return type == 0x05 || type == 0x0F || type == 0x85;
}

PartitionRole role_of_mbr_type(std::uint8_t type) {
    switch (type) {
    case 0x01:
    case 0x04:
    case 0x06:
    case 0x07:
    case 0x0B:
    case 0x0C:
    case 0x0E:
        return PartitionRole::BasicData;
    case 0x11:
    case 0x14:
    case 0x16:
    case 0x17:
    case 0x1B:
    case 0x1C:
    case 0x1E:
        return PartitionRole::HiddenBasicData;
    case 0x27:
        return PartitionRole::WindowsRecovery;
    case 0x42:
        return PartitionRole::LdmData;
    case 0x05:
    case 0x0F:
    case 0x85:
        return PartitionRole::Extended;
    case 0x82:
        return PartitionRole::LinuxSwap;
    case 0x83:
        return PartitionRole::Linux;
    case 0x8E:
        return PartitionRole::LinuxLvm;
    case 0xFD:
        return PartitionRole::LinuxRaid;
    case 0xEE:
        return PartitionRole::Protective;
    case 0xEF:
        return PartitionRole::Esp;
    default:
        return PartitionRole::Other;
    }
}

PartitionRole role_of_gpt_type(const std::string& g) {
    struct Known {
        const char* guid;
        PartitionRole role;
    };
    static const Known known[] = {
        {"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", PartitionRole::Esp},
        {"E3C9E316-0B5C-4DB8-817D-F92DF00215AE", PartitionRole::Msr},
        {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", PartitionRole::BasicData},
        {"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", PartitionRole::WindowsRecovery},
        {"5808C8AA-7E8F-42E0-85D2-E1E90434CFB3", PartitionRole::LdmMetadata},
        {"AF9B60A0-1431-4F62-BC68-3311714A69AD", PartitionRole::LdmData},
        {"E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D", PartitionRole::StorageSpaces},
        {"0FC63DAF-8483-4772-8E79-3D69D8477DE4", PartitionRole::Linux}, // Linux filesystem data
        {"44479540-F297-41B2-9AF7-D131D5F0458A", PartitionRole::Linux}, // root x86
        {"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", PartitionRole::Linux}, // root x86-64
        {"B921B045-1DF0-41C3-AF44-4C6F280D3FAE", PartitionRole::Linux}, // root arm64
        {"933AC7E1-2EB4-4F13-B844-0E14E2AEF915", PartitionRole::Linux}, // /home
        {"BC13C2FF-59E6-4262-A352-B275FD6F7172", PartitionRole::Linux}, // XBOOTLDR (/boot)
        {"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", PartitionRole::LinuxSwap},
        {"E6D6D379-F507-44C2-A23C-238F2A3DF928", PartitionRole::LinuxLvm},
        {"A19D880F-05FC-4D3B-A006-743F0F84911E", PartitionRole::LinuxRaid},
        {"21686148-6449-6E6F-744E-656564454649", PartitionRole::BiosBoot},
    };
    for (const auto& k : known)
        if (g == k.guid) return k.role;
    return PartitionRole::Other;
}

void check_layout(PartitionTable& t) {
    std::vector<const Partition*> ps;
    for (const auto& p : t.partitions) {
        if (p.role == PartitionRole::Extended || p.role == PartitionRole::Protective) continue;
        ps.push_back(&p);
        if (!range_ok(p.offset, p.length, t.disk_size))
            t.warnings.push_back({p.entry_offset, "partition " + std::to_string(p.number) + " (bytes " +
                                                      std::to_string(p.offset) + " + " +
                                                      std::to_string(p.length) +
                                                      ") extends past the end of the disk (" +
                                                      std::to_string(t.disk_size) + " bytes)"});
    }
    std::sort(ps.begin(), ps.end(), [](const Partition* a, const Partition* b) {
        return a->offset != b->offset ? a->offset < b->offset : a->number < b->number;
    });
    const Partition* reach = nullptr; // the partition that reaches furthest so far
    std::uint64_t reach_end = 0;
    for (const Partition* p : ps) {
        if (reach && p->offset < reach_end && p->length > 0)
            t.warnings.push_back({p->entry_offset, "partition " + std::to_string(p->number) +
                                                       " overlaps partition " +
                                                       std::to_string(reach->number)});
        std::uint64_t end = p->offset + std::min(p->length, ~std::uint64_t{0} - p->offset);
        if (!reach || end > reach_end) reach = p, reach_end = end;
    }
}

} // namespace disk_detail

using namespace disk_detail;

namespace {

bool has_gpt_signature(const ByteSource& disk, std::uint64_t offset) {
    std::uint8_t sig[8];
    if (!range_ok(offset, 8, disk.size())) return false;
    if (!disk.read_at(offset, sig).ok()) return false;
    return std::memcmp(sig, "EFI PART", 8) == 0;
}

// A GPT header with a good CRC at this byte offset (used for sector size detection only).
bool has_valid_gpt_header(const ByteSource& disk, std::uint64_t offset) {
    std::uint8_t h[512];
    if (!range_ok(offset, sizeof h, disk.size()) || !disk.read_at(offset, h).ok()) return false;
    if (std::memcmp(h, "EFI PART", 8) != 0) return false;
    std::uint32_t hs = le32(h + 12);
    if (hs < 92 || hs > sizeof h) return false;
    std::uint32_t stored = le32(h + 16);
    put_le32(h + 16, 0);
    return crc32_ieee(std::span(h, hs)) == stored;
}

} // namespace

Result<PartitionTable> read_partition_table(const ByteSource& disk, std::uint32_t sector_size) {
    if (sector_size != 0 && sector_size != 512 && sector_size != 1024 && sector_size != 2048 &&
        sector_size != 4096)
        return disk.error("unsupported sector size " + std::to_string(sector_size) +
                          " (512, 1024, 2048 or 4096)");
    PartitionTable t;
    t.disk_size = disk.size();
    if (disk.size() < 512) {
        t.sector_size = sector_size ? sector_size : 512;
        t.warnings.push_back(
            {0, "disk is smaller than one sector (" + std::to_string(disk.size()) + " bytes)"});
        return t;
    }

    std::uint32_t ss = sector_size;
    if (ss == 0) {
        // Detection: a GPT header at LBA 1 of 512-byte sectors, else of 4096-byte sectors; valid CRC
        // preferred.
        if (has_valid_gpt_header(disk, 512))
            ss = 512;
        else if (has_valid_gpt_header(disk, 4096))
            ss = 4096;
        else if (has_gpt_signature(disk, 512))
            ss = 512;
        else if (has_gpt_signature(disk, 4096))
            ss = 4096;
        else {
            // A damaged primary header: the backup at the last LBA tells the sector size too.
            std::uint64_t size = disk.size();
            if (size >= 4096 && size % 4096 == 0 && !has_gpt_signature(disk, size - 512) &&
                has_gpt_signature(disk, size - 4096))
                ss = 4096;
            else
                ss = 512;
        }
    }
    t.sector_size = ss;

    std::vector<std::uint8_t> s0(512);
    IMGPREP_TRY(disk.read_at(0, s0));
    MbrResult mbr = read_mbr(disk, s0, ss, t);

    bool gpt_sig = has_gpt_signature(disk, ss);
    bool backup_sig =
        disk.size() >= 2 * std::uint64_t(ss) && has_gpt_signature(disk, (disk.size() / ss - 1) * ss);
    // GPT applies when the MBR is protective (or hybrid), or when there is no MBR at all but a GPT header
    // (a zeroed sector 0). A GPT header next to a regular MBR without a 0xEE entry is stale (the disk was
    // repartitioned as MBR): like Windows and Linux, the MBR wins.
    bool try_gpt = mbr.protective || (!mbr.valid && (gpt_sig || backup_sig));
    if (!try_gpt && gpt_sig && mbr.valid)
        t.warnings.push_back({std::uint64_t(ss),
                              "GPT header present but the MBR has no protective (0xEE) entry: "
                              "the GPT is ignored as stale"});

    if (try_gpt) {
        PartitionTable g = t;
        g.warnings.clear();
        if (read_gpt(disk, ss, g)) {
            g.scheme = PartitionScheme::Gpt;
            std::vector<PartitionWarning> w = std::move(t.warnings);
            w.insert(w.end(), g.warnings.begin(), g.warnings.end());
            t = std::move(g);
            t.warnings = std::move(w);
            if (!mbr.valid) {
                t.warnings.push_back(
                    {510, "GPT disk without a protective MBR (no 0x55AA signature in sector 0)"});
            } else if (!mbr.protective) {
                t.warnings.push_back({446, "GPT disk whose MBR has no protective (0xEE) entry"});
            } else {
                if (!mbr.primaries_non_ee.empty()) {
                    t.hybrid_mbr = true;
                    t.hybrid_entries = mbr.primaries_non_ee;
                    t.warnings.push_back(
                        {446, "hybrid MBR: the protective MBR also describes " +
                                  std::to_string(mbr.primaries_non_ee.size()) +
                                  " partition(s); the GPT is used, BIOS boot would see the MBR entries"});
                }
                if (mbr.ee_start != 1)
                    t.warnings.push_back({mbr.ee_entry_offset, "protective MBR entry starts at LBA " +
                                                                   std::to_string(mbr.ee_start) + ", not 1"});
                std::uint64_t want = std::min<std::uint64_t>(disk.size() / ss - 1, 0xFFFFFFFFu);
                if (mbr.primaries_non_ee.empty() && mbr.ee_sectors != want)
                    t.warnings.push_back({mbr.ee_entry_offset, "protective MBR covers " +
                                                                   std::to_string(mbr.ee_sectors) +
                                                                   " sectors, the disk has " +
                                                                   std::to_string(want) + " after LBA 0"});
            }
            check_layout(t);
            return t;
        }
        // No usable GPT: keep its warnings, fall back to what the MBR says.
        t.warnings.insert(t.warnings.end(), g.warnings.begin(), g.warnings.end());
        if (mbr.protective)
            t.warnings.push_back({mbr.ee_entry_offset, "protective MBR (0xEE) but no valid GPT header"});
        if (sector_size != 0) {
            for (std::uint32_t other : {512u, 4096u})
                if (other != ss && has_gpt_signature(disk, other))
                    t.warnings.push_back({other, "a GPT header signature is present at byte " +
                                                     std::to_string(other) + ": the disk may use " +
                                                     std::to_string(other) + "-byte sectors"});
        }
    }
    if (mbr.valid) {
        t.scheme = PartitionScheme::Mbr;
        check_layout(t);
    } else {
        t.scheme = PartitionScheme::None;
        t.partitions.clear();
    }
    return t;
}

} // namespace imgprep
