// GUID Partition Table (UEFI specification, chapter 5): primary header at LBA 1, backup header at the
// primary's AlternateLBA (normally the last LBA), both CRC-32 protected, each with its own copy of the entry
// array.
#include <cstring>
#include <optional>

#include "disk/partition_table.h"
#include "util/endian.h"

namespace imgprep::disk_detail {

namespace {

constexpr std::uint32_t kMaxArrayBytes = 1024 * 1024;

struct Header {
    std::uint64_t lba = 0;    // where it was read
    std::uint64_t offset = 0; // byte offset of that LBA
    bool present = false;     // "EFI PART" signature
    bool header_ok = false;   // signature, CRC and fields valid
    bool entries_ok = false;  // entry array read and its CRC matches
    std::string problem;      // why not usable
    std::uint64_t problem_offset = 0;
    std::uint32_t revision = 0;
    std::uint64_t my_lba = 0, alternate_lba = 0, first_usable = 0, last_usable = 0, entries_lba = 0;
    std::string disk_guid;
    std::uint32_t count = 0, entry_size = 0, entries_crc = 0;
    std::vector<std::uint8_t> entries;
};

std::string hex32(std::uint32_t v) {
    static const char* hex = "0123456789abcdef";
    std::string s = "0x";
    for (int i = 7; i >= 0; --i)
        s += hex[(v >> (4 * i)) & 15];
    return s;
}

Header read_header(const ByteSource& disk, std::uint64_t lba, std::uint32_t ss) {
    Header h;
    h.lba = lba;
    std::uint64_t disk_sectors = disk.size() / ss;
    auto fail = [&](std::uint64_t at, std::string why) {
        h.problem = std::move(why);
        h.problem_offset = at;
        return h;
    };
    if (lba == 0 || lba >= disk_sectors)
        return fail(0, "GPT header LBA " + std::to_string(lba) + " is outside the disk");
    h.offset = lba * ss;
    std::vector<std::uint8_t> s(ss);
    if (auto st = disk.read_at(h.offset, s); !st.ok())
        return fail(h.offset, "cannot read: " + st.error().message);
    if (std::memcmp(s.data(), "EFI PART", 8) != 0) return fail(h.offset, "no GPT header signature");
    h.present = true;
    h.revision = le32(&s[8]);
    std::uint32_t hs = le32(&s[12]);
    if (hs < 92 || hs > ss)
        return fail(h.offset + 12,
                    "GPT header size " + std::to_string(hs) + " is invalid (92.." + std::to_string(ss) + ")");
    std::uint32_t stored = le32(&s[16]);
    std::vector<std::uint8_t> tmp(s.begin(), s.begin() + hs);
    put_le32(&tmp[16], 0);
    std::uint32_t computed = crc32_ieee(tmp);
    if (stored != computed)
        return fail(h.offset + 16, "GPT header CRC32 mismatch (stored " + hex32(stored) + ", computed " +
                                       hex32(computed) + ")");
    if ((h.revision >> 16) != 1) return fail(h.offset + 8, "unsupported GPT revision " + hex32(h.revision));
    h.my_lba = le64(&s[24]);
    h.alternate_lba = le64(&s[32]);
    h.first_usable = le64(&s[40]);
    h.last_usable = le64(&s[48]);
    h.disk_guid = guid_to_string(&s[56]);
    h.entries_lba = le64(&s[72]);
    h.count = le32(&s[80]);
    h.entry_size = le32(&s[84]);
    h.entries_crc = le32(&s[88]);
    if (h.my_lba != lba)
        return fail(h.offset + 24, "GPT header at LBA " + std::to_string(lba) + " says it is at LBA " +
                                       std::to_string(h.my_lba));
    if (h.entry_size < 128 || h.entry_size % 128 != 0 || (h.entry_size & (h.entry_size - 1)) != 0)
        return fail(h.offset + 84, "GPT entry size " + std::to_string(h.entry_size) + " is not 128 x 2^n");
    if (std::uint64_t(h.count) * h.entry_size > kMaxArrayBytes)
        return fail(h.offset + 80, "GPT entry array of " + std::to_string(h.count) + " x " +
                                       std::to_string(h.entry_size) + " bytes exceeds the 1 MiB limit");
    if (h.first_usable > h.last_usable || h.last_usable == ~std::uint64_t{0})
        return fail(h.offset + 40, "GPT usable LBA range " + std::to_string(h.first_usable) + ".." +
                                       std::to_string(h.last_usable) + " is invalid");
    h.header_ok = true;

    std::uint64_t array_bytes = std::uint64_t(h.count) * h.entry_size;
    std::uint64_t array_sectors = (array_bytes + ss - 1) / ss;
    if (h.entries_lba < 1 || h.entries_lba >= disk_sectors || array_sectors > disk_sectors - h.entries_lba)
        return fail(h.offset + 72, "GPT entry array at LBA " + std::to_string(h.entries_lba) + " (" +
                                       std::to_string(array_sectors) + " sectors) lies outside the disk");
    if (h.entries_lba <= lba && lba < h.entries_lba + array_sectors)
        return fail(h.offset + 72, "GPT entry array overlaps its own header");
    h.entries.resize(array_bytes);
    if (auto st = disk.read_at(h.entries_lba * ss, h.entries); !st.ok())
        return fail(h.entries_lba * ss, "cannot read the GPT entry array: " + st.error().message);
    std::uint32_t acrc = crc32_ieee(h.entries);
    if (acrc != h.entries_crc)
        return fail(h.entries_lba * ss, "GPT entry array CRC32 mismatch (header says " +
                                            hex32(h.entries_crc) + ", computed " + hex32(acrc) + ")");
    h.entries_ok = true;
    return h;
}

std::string where(const Header& h) {
    return "GPT header at LBA " + std::to_string(h.lba) + " (byte " + std::to_string(h.offset) + ")";
}

} // namespace

bool read_gpt(const ByteSource& disk, std::uint32_t ss, PartitionTable& out) {
    out.partitions.clear();
    std::uint64_t disk_sectors = disk.size() / ss;
    if (disk_sectors < 3) {
        out.warnings.push_back({0, "disk too small for a GPT"});
        return false;
    }
    std::uint64_t last = disk_sectors - 1;
    Header primary = read_header(disk, 1, ss);

    // The backup: where the primary says (when its header is intact), else at the last LBA.
    std::optional<Header> backup;
    std::vector<std::uint64_t> candidates;
    if (primary.header_ok && primary.alternate_lba != 1) candidates.push_back(primary.alternate_lba);
    if (candidates.empty() || candidates[0] != last) candidates.push_back(last);
    for (std::uint64_t lba : candidates) {
        Header b = read_header(disk, lba, ss);
        bool better = !backup || (b.entries_ok && !backup->entries_ok) ||
                      (b.header_ok && !backup->header_ok) || (b.present && !backup->present);
        if (better) backup = std::move(b);
        if (backup->entries_ok) break;
    }

    const Header* use = nullptr;
    if (primary.entries_ok) {
        use = &primary;
        if (!backup->entries_ok) {
            out.warnings.push_back(
                {backup->problem_offset, "backup " + where(*backup) + " unusable: " + backup->problem});
        } else {
            if (backup->disk_guid != primary.disk_guid || backup->entries_crc != primary.entries_crc ||
                backup->count != primary.count || backup->first_usable != primary.first_usable ||
                backup->last_usable != primary.last_usable)
                out.warnings.push_back(
                    {backup->offset, "backup " + where(*backup) + " differs from the primary"});
        }
        if (primary.alternate_lba != last)
            out.warnings.push_back({primary.offset + 32, "primary GPT header's AlternateLBA is " +
                                                             std::to_string(primary.alternate_lba) +
                                                             ", not the last LBA " + std::to_string(last) +
                                                             " (disk resized?)"});
    } else if (backup && backup->entries_ok) {
        use = &*backup;
        out.used_backup_gpt = true;
        out.warnings.push_back({primary.problem_offset, "primary GPT unusable: " + primary.problem +
                                                            "; using the backup " + where(*backup)});
        if (backup->alternate_lba != 1)
            out.warnings.push_back(
                {backup->offset + 32,
                 "backup GPT header's AlternateLBA is " + std::to_string(backup->alternate_lba) + ", not 1"});
    } else {
        if (primary.present || !backup || !backup->present)
            out.warnings.push_back({primary.problem_offset, "primary GPT unusable: " + primary.problem});
        if (backup && backup->present)
            out.warnings.push_back(
                {backup->problem_offset, "backup " + where(*backup) + " unusable: " + backup->problem});
        return false;
    }

    const Header& h = *use;
    out.disk_guid = h.disk_guid;
    out.first_usable_lba = h.first_usable;
    out.last_usable_lba = h.last_usable;
    out.header_lba = h.lba;
    out.alternate_lba = h.alternate_lba;
    out.entry_count = h.count;
    out.entry_size = h.entry_size;
    if (h.last_usable >= disk_sectors)
        out.warnings.push_back({h.offset + 48, "GPT last usable LBA " + std::to_string(h.last_usable) +
                                                   " lies past the end of the disk (" +
                                                   std::to_string(disk_sectors) + " sectors)"});

    static const std::uint8_t zero[16] = {};
    for (std::uint32_t i = 0; i < h.count; ++i) {
        const std::uint8_t* e = h.entries.data() + std::size_t(i) * h.entry_size;
        std::uint64_t eoff = h.entries_lba * ss + std::uint64_t(i) * h.entry_size;
        if (std::memcmp(e, zero, 16) == 0) continue; // unused entry
        std::uint64_t first = le64(e + 32), lastlba = le64(e + 40);
        std::string num = std::to_string(i + 1);
        if (lastlba < first) {
            out.warnings.push_back({eoff, "GPT entry " + num + " ends (LBA " + std::to_string(lastlba) +
                                              ") before it starts (LBA " + std::to_string(first) +
                                              "); ignored"});
            continue;
        }
        if (lastlba >= (~std::uint64_t{0}) / ss) {
            out.warnings.push_back(
                {eoff, "GPT entry " + num + " has an absurd LBA " + std::to_string(lastlba) + "; ignored"});
            continue;
        }
        Partition p;
        p.number = i + 1;
        p.start_lba = first;
        p.sectors = lastlba - first + 1;
        p.offset = first * ss;
        p.length = p.sectors * ss;
        p.type_guid = guid_to_string(e);
        p.unique_guid = guid_to_string(e + 16);
        p.attributes = le64(e + 48);
        p.name = utf16le_to_utf8(e + 56, 36);
        p.active = (p.attributes & 4) != 0;
        p.role = role_of_gpt_type(p.type_guid);
        p.entry_offset = eoff;
        if (first < h.first_usable || lastlba > h.last_usable)
            out.warnings.push_back(
                {eoff, "GPT entry " + num + " (LBA " + std::to_string(first) + ".." +
                           std::to_string(lastlba) + ") lies outside the usable LBA range " +
                           std::to_string(h.first_usable) + ".." + std::to_string(h.last_usable)});
        out.partitions.push_back(std::move(p));
    }
    return true;
}

} // namespace imgprep::disk_detail
