// Partitions, filesystems and boot files: the disk-level half of the inspection.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>

#include "disk/partition_table.h"
#include "fs/encryption.h"
#include "fs/fat.h"
#include "fs/ntfs.h"
#include "inspect/inspect.h"
#include "util/endian.h"
#include "util/format.h"

namespace imgprep {

namespace inspect_detail {

std::string filesystem_signature(const ByteSource& volume) {
    std::vector<std::uint8_t> h(std::size_t(std::min<std::uint64_t>(volume.size(), 65536 + 4096)));
    if (h.size() < 512 || !volume.read_at(0, h)) return "unknown";
    auto enc =
        fs::detect_encryption(std::span<const std::uint8_t>(h.data(), std::min<std::size_t>(h.size(), 4096)));
    switch (enc.kind) {
    case fs::Encryption::BitLocker:
        return "bitlocker";
    case fs::Encryption::BitLockerToGo:
        return "bitlocker_to_go";
    case fs::Encryption::Luks:
        return "luks";
    case fs::Encryption::None:
        break;
    }
    auto at = [&](std::size_t off, const char* magic, std::size_t n) {
        return h.size() >= off + n && std::memcmp(h.data() + off, magic, n) == 0;
    };
    if (at(3, "NTFS    ", 8)) return "ntfs";
    if (at(3, "EXFAT   ", 8)) return "exfat";
    if (at(3, "ReFS", 4)) return "refs";
    if (at(0, "XFSB", 4)) return "xfs";
    if (at(512, "LABELONE", 8) || at(0, "LABELONE", 8)) return "lvm2";
    if (h.size() >= 1024 + 0x60 && le16(h.data() + 1024 + 56) == 0xEF53) {
        std::uint32_t compat = le32(h.data() + 1024 + 0x5C), incompat = le32(h.data() + 1024 + 0x60);
        if (incompat & 0x40) return "ext4"; // extents
        if (compat & 0x4) return "ext3";    // journal
        return "ext2";
    }
    if (at(65536 + 64, "_BHRfS_M", 8)) return "btrfs";
    if (at(4096 - 10, "SWAPSPACE2", 10) || at(4096 - 10, "SWAP-SPACE", 10)) return "swap";
    if (h[510] == 0x55 && h[511] == 0xAA && (at(0x36, "FAT", 3) || at(0x52, "FAT32", 5))) return "fat";
    if (h[510] == 0x55 && h[511] == 0xAA && le16(h.data() + 11) >= 512 && h[13] != 0 &&
        (h[0] == 0xEB || h[0] == 0xE9))
        return "fat"; // a BPB without the informational type string
    if (is_all_zero(std::span<const std::uint8_t>(h.data(), std::min<std::size_t>(h.size(), 4096))))
        return "none";
    return "unknown";
}

std::string pe_machine(std::span<const std::uint8_t> h) {
    if (h.size() < 0x40 || h[0] != 'M' || h[1] != 'Z') return {};
    std::uint32_t pe = le32(h.data() + 0x3C);
    if (pe > h.size() - 6 || std::memcmp(h.data() + pe, "PE\0\0", 4) != 0) return {};
    switch (le16(h.data() + pe + 4)) {
    case 0x014c:
        return "x86";
    case 0x8664:
        return "x64";
    case 0xaa64:
        return "arm64";
    default:
        return {};
    }
}

std::map<std::string, std::string> parse_ini_section(const std::string& text, const std::string& section) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line, current;
    auto trim = [](std::string s) {
        const char* ws = " \t\r\n\xEF\xBB\xBF";
        auto b = s.find_first_not_of(ws);
        if (b == std::string::npos) return std::string();
        auto e = s.find_last_not_of(" \t\r\n");
        return s.substr(b, e - b + 1);
    };
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        return s;
    };
    std::string want = lower(section);
    std::size_t lines = 0;
    while (std::getline(in, line) && ++lines < 100000) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            current = lower(trim(line.substr(1, line.size() - 2)));
            continue;
        }
        if (current != want) continue;
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        out[lower(trim(line.substr(0, eq)))] = trim(line.substr(eq + 1));
    }
    return out;
}

} // namespace inspect_detail

namespace {

using namespace inspect_detail;

std::string mbr_type_name(std::uint8_t t) {
    switch (t) {
    case 0x07:
        return "NTFS/exFAT (0x07)";
    case 0x0B:
        return "FAT32 (0x0B)";
    case 0x0C:
        return "FAT32 LBA (0x0C)";
    case 0x06:
        return "FAT16 (0x06)";
    case 0x0E:
        return "FAT16 LBA (0x0E)";
    case 0x01:
        return "FAT12 (0x01)";
    case 0x05:
        return "Extended (0x05)";
    case 0x0F:
        return "Extended LBA (0x0F)";
    case 0x27:
        return "Windows RE (0x27)";
    case 0x82:
        return "Linux swap (0x82)";
    case 0x83:
        return "Linux (0x83)";
    case 0x8E:
        return "Linux LVM (0x8E)";
    case 0xEE:
        return "GPT protective (0xEE)";
    case 0xEF:
        return "EFI System (0xEF)";
    default: {
        char b[16];
        std::snprintf(b, sizeof b, "type 0x%02X", t);
        return b;
    }
    }
}

std::string gpt_type_name(PartitionRole r, const std::string& guid) {
    switch (r) {
    case PartitionRole::Esp:
        return "EFI System";
    case PartitionRole::Msr:
        return "Microsoft reserved";
    case PartitionRole::BasicData:
        return "Microsoft basic data";
    case PartitionRole::WindowsRecovery:
        return "Windows recovery environment";
    case PartitionRole::Linux:
        return "Linux filesystem";
    case PartitionRole::LinuxSwap:
        return "Linux swap";
    case PartitionRole::LinuxLvm:
        return "Linux LVM";
    case PartitionRole::BiosBoot:
        return "BIOS boot";
    case PartitionRole::LdmMetadata:
        return "LDM metadata (dynamic disk)";
    case PartitionRole::LdmData:
        return "LDM data (dynamic disk)";
    default:
        return "GPT type " + guid;
    }
}

// The facts vocabulary for partition roles (facts.h).
std::string role_name(PartitionRole r) {
    switch (r) {
    case PartitionRole::WindowsRecovery:
        return "recovery";
    case PartitionRole::LinuxSwap:
        return "swap";
    case PartitionRole::LinuxLvm:
        return "lvm";
    case PartitionRole::LinuxRaid:
        return "raid";
    case PartitionRole::Other:
        return "unknown";
    default:
        return to_string(r);
    }
}

struct VolumeScan {
    PartitionFacts facts;
    std::unique_ptr<ntfs::Volume> ntfs;
    bool has_bootmgr = false;   // \bootmgr + \Boot\BCD
    bool has_uefi_boot = false; // \EFI\Microsoft\Boot\bootmgfw.efi (or \EFI\Boot\bootx64.efi with BCD)
    std::string system_root;    // "\Windows" when this volume holds Windows
};

void scan_ntfs(VolumeScan& v, SourcePtr src, std::vector<std::string>& warnings) {
    auto vol = ntfs::Volume::open(src);
    if (!vol) {
        v.facts.read_error = "NTFS volume could not be opened: " + vol.error().describe();
        v.facts.notes.push_back(v.facts.read_error);
        warnings.push_back("partition " + std::to_string(v.facts.index) + ": " + vol.error().describe());
        return;
    }
    const auto& info = (*vol)->info();
    v.facts.label = info.label;
    v.facts.dirty = info.dirty;
    if (info.dirty) v.facts.notes.push_back("NTFS dirty flag set in $Volume (not shut down cleanly)");
    for (const char* root : {"\\Windows", "\\WINNT"}) {
        std::string hive = std::string(root) + "\\System32\\config\\SYSTEM";
        auto e = (*vol)->exists(hive);
        if (e && *e) {
            v.system_root = root;
            v.facts.is_system = true;
            v.facts.notes.push_back(hive + " present");
            break;
        }
    }
    auto bm = (*vol)->exists("\\bootmgr");
    auto bcd = (*vol)->exists("\\Boot\\BCD");
    if (bm && *bm && bcd && *bcd) {
        v.has_bootmgr = true;
        v.facts.notes.push_back("\\bootmgr and \\Boot\\BCD present");
    }
    auto hib = (*vol)->hiberfil_state();
    if (!hib) {
        v.facts.read_error = "\\hiberfil.sys could not be read: " + hib.error().describe();
        v.facts.notes.push_back(v.facts.read_error);
    }
    if (hib && hib->present) {
        v.facts.hibernated = hib->hibernated;
        v.facts.notes.push_back("\\hiberfil.sys " + (hib->hibernated
                                                         ? "holds a hibernation image (" + hib->reason + ")"
                                                         : std::string("present, first page empty")));
    }
    v.ntfs = std::move(*vol);
}

void scan_fat(VolumeScan& v, SourcePtr src) {
    auto vol = FatVolume::open(src);
    if (!vol) {
        v.facts.notes.push_back("FAT volume could not be opened: " + vol.error().describe());
        return;
    }
    switch ((*vol)->type()) {
    case FatType::Fat12:
        v.facts.filesystem = "fat12";
        break;
    case FatType::Fat16:
        v.facts.filesystem = "fat16";
        break;
    case FatType::Fat32:
        v.facts.filesystem = "fat32";
        break;
    }
    v.facts.label = (*vol)->label();
    // Each directory on the paths below is listed once (a directory can hold 65,536 entries).
    const FatVolume& fat = **vol;
    using Listing = std::vector<FatDirEntry>;
    auto sub = [&](const Listing& dir, std::string_view name) -> Listing {
        const FatDirEntry* e = FatVolume::find(dir, name);
        if (!e || !e->is_directory()) return {};
        auto l = fat.list_directory(*e);
        return l ? std::move(*l) : Listing{};
    };
    auto has = [](const Listing& dir, std::string_view name) {
        const FatDirEntry* e = FatVolume::find(dir, name);
        return e && !e->is_directory();
    };
    auto root_listed = fat.list_root();
    const Listing root = root_listed ? std::move(*root_listed) : Listing{};
    const Listing efi = sub(root, "EFI");
    const Listing ms_boot = sub(sub(efi, "Microsoft"), "Boot");
    const Listing efi_boot = sub(efi, "Boot");
    bool mgr = has(ms_boot, "bootmgfw.efi");
    bool bcd = has(ms_boot, "BCD");
    bool fallback = has(efi_boot, "bootx64.efi") || has(efi_boot, "bootia32.efi");
    if (mgr) v.facts.notes.push_back("\\EFI\\Microsoft\\Boot\\bootmgfw.efi present");
    if (bcd) v.facts.notes.push_back("\\EFI\\Microsoft\\Boot\\BCD present");
    if (fallback) v.facts.notes.push_back("\\EFI\\Boot fallback loader present");
    v.has_uefi_boot = mgr || (fallback && bcd);
    // BIOS boot files on a FAT active partition (rare, but Windows can do it).
    if (has(root, "bootmgr") && has(sub(root, "Boot"), "BCD")) v.has_bootmgr = true;
}

VolumeScan scan_volume(const ImageReader& disk, PartitionFacts facts, std::vector<std::string>& warnings) {
    VolumeScan v;
    v.facts = std::move(facts);
    if (v.facts.size == 0 || v.facts.offset >= disk.size()) return v;
    std::uint64_t len = std::min(v.facts.size, disk.size() - v.facts.offset);
    // Non-owning view of the disk: the readers outlive the scan.
    SourcePtr diskptr(std::shared_ptr<const ByteSource>{}, &disk);
    auto src = std::make_shared<SubSource>(diskptr, v.facts.offset, len,
                                           disk.name() + ":partition" + std::to_string(v.facts.index));
    std::uint8_t first[512];
    if (auto st = src->read_at(0, first); !st)
        v.facts.read_error = "first sector unreadable: " + st.error().describe();
    std::string fs = filesystem_signature(*src);
    v.facts.filesystem = fs;
    if (fs == "bitlocker" || fs == "bitlocker_to_go" || fs == "luks") {
        v.facts.encrypted = true;
        v.facts.notes.push_back(fs == "luks" ? "LUKS header"
                                             : "BitLocker signature -FVE-FS- in the boot sector");
        return v;
    }
    if (fs == "ntfs")
        scan_ntfs(v, src, warnings);
    else if (fs == "fat")
        scan_fat(v, src);
    return v;
}

} // namespace

ImageFacts inspect_disk(const ImageReader& disk, Progress& progress) {
    ImageFacts f;
    f.readable = true;
    progress.begin_phase("inspecting", 4);
    auto table = read_partition_table(disk, 0);
    std::vector<VolumeScan> scans;
    if (!table) {
        f.warnings.push_back("partition table: " + table.error().describe());
    } else {
        f.partition_table = to_string(table->scheme);
        f.sector_size = table->sector_size;
        for (const auto& w : table->warnings)
            f.warnings.push_back("partition table: " + w.describe());
        if (table->scheme == PartitionScheme::None) {
            PartitionFacts whole;
            whole.index = 0;
            whole.offset = 0;
            whole.size = disk.size();
            whole.type = "none";
            whole.type_name = "whole disk (no partition table)";
            whole.role = "unknown";
            scans.push_back(scan_volume(disk, whole, f.warnings));
            if (scans.back().facts.filesystem == "none" || scans.back().facts.filesystem == "unknown")
                scans.clear();
        } else {
            for (const auto& p : table->partitions) {
                PartitionFacts pf;
                pf.index = int(p.number);
                pf.offset = p.offset;
                pf.size = p.length;
                pf.active = p.active;
                pf.logical = p.logical;
                pf.name = p.name;
                pf.role = role_name(p.role);
                if (table->scheme == PartitionScheme::Gpt) {
                    pf.type = p.type_guid;
                    pf.type_name = gpt_type_name(p.role, p.type_guid);
                } else {
                    char b[8];
                    std::snprintf(b, sizeof b, "0x%02X", p.mbr_type);
                    pf.type = b;
                    pf.type_name = mbr_type_name(p.mbr_type);
                }
                if (p.role == PartitionRole::Extended || p.role == PartitionRole::Protective) {
                    pf.filesystem = "none";
                    scans.push_back(VolumeScan{pf, nullptr, false, false, {}});
                    continue;
                }
                scans.push_back(scan_volume(disk, pf, f.warnings));
                if (progress.cancelled()) break;
            }
        }
    }
    progress.update(1);

    // Boot files and the Windows system volume.
    VolumeScan* system = nullptr;
    VolumeScan* boot = nullptr;
    for (auto& s : scans) {
        if (s.facts.encrypted) f.encrypted = true;
        if (!system && s.facts.is_system) system = &s;
    }
    const bool gpt = f.partition_table == "gpt";
    if (gpt) {
        for (auto& s : scans)
            if (s.has_uefi_boot && (s.facts.role == "esp" || !boot)) boot = &s;
        if (boot) {
            f.boot_mode = "uefi";
            f.boot_evidence = "GPT partition " + std::to_string(boot->facts.index) + " type " +
                              boot->facts.type_name + ", \\EFI\\Microsoft\\Boot\\bootmgfw.efi present";
        }
    } else if (f.partition_table == "mbr") {
        for (auto& s : scans)
            if (s.facts.active && s.has_bootmgr) boot = &s;
        if (boot) {
            f.boot_mode = "bios";
            f.boot_evidence = "MBR partition " + std::to_string(boot->facts.index) +
                              " is active and holds \\bootmgr and \\Boot\\BCD";
        } else {
            for (auto& s : scans)
                if (s.facts.role == "esp" && s.has_uefi_boot) boot = &s;
            if (boot) {
                f.boot_mode = "uefi";
                f.boot_evidence = "MBR partition " + std::to_string(boot->facts.index) +
                                  " (EFI System, 0xEF) holds \\EFI\\Microsoft\\Boot\\bootmgfw.efi";
            }
        }
    } else if (!scans.empty() && scans.front().has_bootmgr) {
        f.boot_mode = "unknown";
        f.boot_evidence =
            "bare volume (no partition table) holding \\bootmgr: a disk needs a partition table to boot";
    }
    if (f.boot_mode == "unknown" && f.boot_evidence.empty())
        f.boot_evidence =
            gpt ? "no EFI System Partition with \\EFI\\Microsoft\\Boot\\bootmgfw.efi on this disk"
            : f.partition_table == "mbr"
                ? "no active partition holding \\bootmgr and \\Boot\\BCD on this disk"
                : "no partition table";
    if (boot) boot->facts.is_boot = true;
    progress.update(2);

    if (system) {
        f.boot_on_same_disk = boot != nullptr;
        const PartitionFacts* sp = &system->facts;
        f.windows = inspect_windows(*system->ntfs, system->system_root, table ? &*table : nullptr, sp);
        if (system->facts.hibernated)
            f.windows->warnings.push_back("the system volume holds a hibernation image");
    } else {
        std::vector<std::string> kinds;
        for (const auto& s : scans)
            if (s.facts.filesystem != "none") kinds.push_back(s.facts.filesystem);
        std::string list;
        for (std::size_t i = 0; i < kinds.size(); ++i)
            list += (i ? ", " : "") + kinds[i];
        if (f.encrypted)
            f.not_windows_reason = "the volumes are encrypted (" + list + "): Windows cannot be read offline";
        else if (kinds.empty())
            f.not_windows_reason = "no filesystem found on the disk";
        else
            f.not_windows_reason =
                "no Windows system volume (\\Windows\\System32\\config\\SYSTEM) found; the disk holds: " +
                list;
    }
    for (auto& s : scans)
        f.partitions.push_back(std::move(s.facts));
    progress.update(4);
    return f;
}

namespace {

ImageSummary summary_of(const OpenedInput& input, const Json& image, std::size_t primary) {
    ImageSummary s;
    s.path = input.path;
    s.format = input.detection.format;
    s.subformat = image.get("subformat").as_string();
    s.file_size = input.file_size;
    s.readable = !input.disks.empty();
    s.message = input.detection.message;
    if (!input.disks.empty()) {
        const ImageReader& d = *input.disks[primary].reader;
        if (s.format != "ova") s.format = d.info().format;
        s.virtual_size = d.size();
        s.files = d.info().files;
        for (const ImageReader* b = d.backing(); b; b = b->backing())
            s.backing_chain.push_back(b->name());
        for (const auto& disk : input.disks)
            s.disk_sizes.push_back(disk.reader->size());
        if (image.get("allocated_size").is_number()) s.allocated_size = image.get("allocated_size").as_uint();
    }
    return s;
}

} // namespace

Result<Inspection> inspect_input(const OpenedInput& input, Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t read0 = FileSource::total_bytes_read();
    Inspection out;
    IMGPREP_ASSIGN(out.image_json, image_section(input));
    std::vector<ImageFacts> per;
    for (const auto& d : input.disks)
        per.push_back(inspect_disk(*d.reader, progress));
    std::size_t primary = 0;
    for (std::size_t i = 0; i < per.size(); ++i)
        if (per[i].windows) {
            primary = i;
            break;
        }
    out.facts = per[primary];
    out.facts.disks = int(per.size());
    if (per.size() > 1) {
        out.facts.per_disk = std::move(per);
        out.facts.windows_disk_index = int(primary);
    }
    out.image = summary_of(input, out.image_json, primary);
    out.facts.bytes_read = FileSource::total_bytes_read() - read0;
    out.facts.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

Result<Inspection> inspect_path(const std::string& path, Progress& progress) {
    IMGPREP_ASSIGN(OpenedInput input, open_input(path));
    return inspect_input(input, progress);
}

} // namespace imgprep
