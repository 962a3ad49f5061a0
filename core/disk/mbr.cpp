// MBR partition table: four primary entries at 0x1BE, the extended partition's chain of EBRs (logical
// partitions numbered from 5 as Linux does), protective / hybrid detection for GPT.
#include <cstring>
#include <set>

#include "disk/partition_table.h"
#include "util/endian.h"

namespace imgprep::disk_detail {

namespace {

constexpr std::uint32_t kMaxLogicals = 128;
constexpr std::uint32_t kMaxEbrs = 256; // EBRs visited per disk (empty EBRs in a chain count too)

std::string hex2(std::uint8_t v) {
    static const char* hex = "0123456789abcdef";
    return std::string("0x") + hex[v >> 4] + hex[v & 15];
}

// Sector 0 of an unpartitioned volume (a FAT / NTFS / exFAT boot sector) also ends in 0x55AA.
bool looks_like_volume_boot_record(std::span<const std::uint8_t> s) {
    bool jump = (s[0] == 0xEB && s[2] == 0x90) || s[0] == 0xE9;
    if (!jump) return false;
    if (std::memcmp(s.data() + 3, "NTFS    ", 8) == 0 || std::memcmp(s.data() + 3, "EXFAT   ", 8) == 0)
        return true;
    std::uint16_t bps = le16(s.data() + 11);
    std::uint8_t spc = s[13];
    bool bpb = (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && spc != 0 &&
               (spc & (spc - 1)) == 0 && le16(s.data() + 14) != 0 && s[16] != 0;
    bool fat_label = std::memcmp(s.data() + 54, "FAT", 3) == 0 || std::memcmp(s.data() + 82, "FAT", 3) == 0;
    return bpb && fat_label;
}

struct RawEntry {
    std::uint8_t boot, type;
    std::uint32_t lba, sectors;
};
RawEntry entry_at(const std::uint8_t* e) {
    return {e[0], e[4], le32(e + 8), le32(e + 12)};
}

Partition make_partition(std::uint32_t number, std::uint64_t start, std::uint64_t sectors, std::uint8_t type,
                         std::uint32_t ss, std::uint64_t entry_offset) {
    Partition p;
    p.number = number;
    p.start_lba = start;
    p.sectors = sectors;
    p.offset = start * ss; // start < 2^33 (32-bit LBA + 32-bit relative), ss <= 4096: no overflow
    p.length = sectors * ss;
    p.mbr_type = type;
    p.role = role_of_mbr_type(type);
    p.entry_offset = entry_offset;
    return p;
}

// Follows the chain of EBRs of the extended partition [ext_start, ext_start + ext_sectors).
void read_logicals(const ByteSource& disk, std::uint64_t ext_start, std::uint64_t ext_sectors,
                   std::uint32_t ss, std::uint32_t& next_number, std::uint32_t& ebrs_seen,
                   PartitionTable& out) {
    std::uint64_t ext_end = ext_start + ext_sectors;
    std::set<std::uint64_t> visited;
    std::uint64_t ebr = ext_start;
    std::uint64_t referrer = 0; // offset of the entry that pointed here (for warnings)
    std::uint8_t sec[512];
    while (true) {
        std::uint64_t off = ebr * ss;
        if (visited.count(ebr)) {
            out.warnings.push_back({referrer, "extended partition chain loops back to the EBR at LBA " +
                                                  std::to_string(ebr) + "; chain stopped"});
            return;
        }
        if (++ebrs_seen > kMaxEbrs) {
            out.warnings.push_back({referrer, "more than " + std::to_string(kMaxEbrs) +
                                                  " extended boot records; chain stopped"});
            return;
        }
        visited.insert(ebr);
        if (ebr < ext_start || ebr >= ext_end) {
            out.warnings.push_back({referrer, "EBR at LBA " + std::to_string(ebr) +
                                                  " lies outside the extended partition; chain stopped"});
            return;
        }
        if (!range_ok(off, sizeof sec, disk.size())) {
            out.warnings.push_back({referrer, "EBR at LBA " + std::to_string(ebr) +
                                                  " lies past the end of the disk; chain stopped"});
            return;
        }
        if (auto st = disk.read_at(off, sec); !st.ok()) {
            out.warnings.push_back({off, "cannot read EBR: " + st.error().message});
            return;
        }
        if (sec[510] != 0x55 || sec[511] != 0xAA) {
            out.warnings.push_back({off + 510, "EBR without the 0x55AA signature; chain stopped"});
            return;
        }
        std::uint64_t link = 0;
        bool have_link = false;
        for (int j = 0; j < 4; ++j) {
            std::uint64_t eoff = off + 446 + 16 * j;
            RawEntry e = entry_at(sec + 446 + 16 * j);
            if (e.type == 0) continue;
            if (e.boot != 0 && e.boot != 0x80)
                out.warnings.push_back({eoff, "invalid boot indicator " + hex2(e.boot) + " in EBR entry"});
            if (is_extended_type(e.type)) {
                if (have_link) {
                    out.warnings.push_back(
                        {eoff, "EBR has more than one link to a next EBR; extra link ignored"});
                    continue;
                }
                if (e.sectors == 0) {
                    out.warnings.push_back({eoff, "EBR link entry with zero length ignored"});
                    continue;
                }
                have_link = true;
                link = ext_start + e.lba; // relative to the start of the extended partition
                referrer = eoff;
                continue;
            }
            if (e.sectors == 0) {
                out.warnings.push_back(
                    {eoff, "logical partition entry of type " + hex2(e.type) + " with zero length ignored"});
                continue;
            }
            if (next_number - 5 >= kMaxLogicals) {
                out.warnings.push_back({eoff, "more than " + std::to_string(kMaxLogicals) +
                                                  " logical partitions; chain stopped"});
                return;
            }
            std::uint64_t start = ebr + e.lba; // relative to this EBR
            Partition p = make_partition(next_number++, start, e.sectors, e.type, ss, eoff);
            p.logical = true;
            p.active = e.boot == 0x80;
            if (start < ext_start || start + e.sectors > ext_end)
                out.warnings.push_back({eoff, "logical partition " + std::to_string(p.number) +
                                                  " lies (partly) outside its extended partition"});
            out.partitions.push_back(std::move(p));
        }
        if (!have_link) return;
        ebr = link;
    }
}

} // namespace

MbrResult read_mbr(const ByteSource& disk, std::span<const std::uint8_t> s0, std::uint32_t ss,
                   PartitionTable& out) {
    MbrResult r;
    out.partitions.clear();
    if (s0.size() < 512 || s0[510] != 0x55 || s0[511] != 0xAA) return r;
    out.has_mbr_signature = true;
    out.mbr_signature = le32(s0.data() + 440);

    bool bad_flags = false, all_empty = true;
    for (int i = 0; i < 4; ++i) {
        RawEntry e = entry_at(s0.data() + 446 + 16 * i);
        if (e.boot != 0 && e.boot != 0x80) bad_flags = true;
        if (e.type != 0 && e.sectors != 0) all_empty = false;
    }
    if (looks_like_volume_boot_record(s0) && (bad_flags || all_empty)) {
        out.warnings.push_back(
            {0, "sector 0 is a volume boot record (an unpartitioned filesystem), not an MBR"});
        return r;
    }
    r.valid = true;

    int active = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> extended; // (start, sectors) in slot order
    for (int i = 0; i < 4; ++i) {
        std::uint64_t eoff = 446 + 16 * i;
        RawEntry e = entry_at(s0.data() + eoff);
        if (e.type == 0) continue;
        if (e.boot != 0 && e.boot != 0x80)
            out.warnings.push_back({eoff, "invalid boot indicator " + hex2(e.boot) + " in MBR entry " +
                                              std::to_string(i + 1) + " (expected 0x00 or 0x80)"});
        if (e.sectors == 0) {
            out.warnings.push_back({eoff, "MBR entry " + std::to_string(i + 1) + " of type " + hex2(e.type) +
                                              " has zero length; ignored"});
            continue;
        }
        Partition p = make_partition(std::uint32_t(i + 1), e.lba, e.sectors, e.type, ss, eoff);
        p.active = e.boot == 0x80;
        if (p.active) ++active;
        if (e.type == 0xEE) {
            if (!r.protective) {
                r.protective = true;
                r.ee_start = e.lba;
                r.ee_sectors = e.sectors;
                r.ee_entry_offset = eoff;
            }
        } else {
            r.primaries_non_ee.push_back(p);
        }
        if (is_extended_type(e.type)) {
            if (e.lba == 0)
                out.warnings.push_back({eoff, "extended partition starts at LBA 0; not followed"});
            else
                extended.emplace_back(e.lba, e.sectors);
        }
        out.partitions.push_back(std::move(p));
    }
    if (active > 1)
        out.warnings.push_back(
            {446, std::to_string(active) + " partitions are marked active (at most one expected)"});
    if (extended.size() > 1)
        out.warnings.push_back({446, std::to_string(extended.size()) + " extended partitions in the MBR"});

    std::uint32_t number = 5, ebrs = 0;
    for (const auto& [start, sectors] : extended)
        read_logicals(disk, start, sectors, ss, number, ebrs, out);
    return r;
}

} // namespace imgprep::disk_detail
