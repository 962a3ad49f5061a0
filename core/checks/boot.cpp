// Other: boot and system partitions on one disk; boot mode BIOS, or UEFI with an OS in the UEFI list.
#include "checks/common.h"
#include "checks/os_identity.h"

namespace imgprep::checks_detail {

namespace {

std::string with_notes(const PartitionFacts& p, const std::string& what) {
    std::string s = partition_text(p) + ": " + what;
    if (!p.notes.empty()) s += " (" + join(p.notes, "; ") + ")";
    return s;
}

CheckOutcome same_disk(const CheckContext& c) {
    if (auto u = need_contents(c)) return *u;
    const ImageFacts& f = c.facts;
    CheckOutcome o;
    bool has_boot = false, has_system = false;
    for (const auto& p : f.partitions) {
        if (p.is_boot) {
            has_boot = true;
            o.evidence.push_back(with_notes(p, "holds the boot files"));
        }
        if (p.is_system) {
            has_system = true;
            o.evidence.push_back(with_notes(p, "holds Windows (System32\\config\\SYSTEM)"));
        }
    }
    if (!f.boot_evidence.empty()) o.evidence.push_back(f.boot_evidence);
    std::optional<bool> same = f.boot_on_same_disk;
    if (!same && has_boot && has_system) same = true;
    if (!same && has_system && !has_boot) {
        for (std::size_t d = 0; d < f.per_disk.size(); ++d) {
            if (int(d) == f.windows_disk_index) continue;
            for (const auto& p : f.per_disk[d].partitions)
                if (p.is_boot) {
                    same = false;
                    o.evidence.push_back("disk " + std::to_string(d + 1) + " " +
                                         with_notes(p, "holds the boot files"));
                }
        }
    }
    if (!same) {
        o.status = CheckStatus::Unknown;
        o.message = has_system
                        ? "Cannot tell: Windows was found but no partition with the boot files (bootmgr + "
                          "\\Boot\\BCD or \\EFI\\Microsoft\\Boot\\bootmgfw.efi) on this disk."
                        : "Cannot tell: no Windows system partition was found.";
        return o;
    }
    if (*same) {
        o.status = CheckStatus::Pass;
        o.message = "The boot files and Windows are on the same disk.";
        return o;
    }
    o.status = c.not_met();
    o.message =
        "The boot files are not on the disk that holds Windows; the ECS would not find its boot loader.";
    return o;
}

CheckOutcome mode(const CheckContext& c) {
    if (auto u = need_contents(c)) return *u;
    const ImageFacts& f = c.facts;
    CheckOutcome o;
    if (!f.boot_evidence.empty()) o.evidence.push_back(f.boot_evidence);
    o.evidence.push_back("partition table " + f.partition_table);
    if (f.boot_mode == "bios") {
        o.status = CheckStatus::Pass;
        o.message = "The image boots with BIOS: select BIOS as boot mode when registering.";
        return o;
    }
    if (f.boot_mode != "uefi") {
        o.status = CheckStatus::Unknown;
        o.message =
            "Cannot tell: the boot mode could not be determined (no BIOS boot manager on an active MBR "
            "partition and no EFI System partition with the Windows boot manager).";
        return o;
    }
    if (!f.windows) {
        o.status = CheckStatus::Unknown;
        o.message =
            "Cannot tell: the image boots with UEFI, but no Windows installation was found to look up in "
            "the UEFI list.";
        return o;
    }
    const OsList& list = c.catalogue.uefi_os;
    WindowsIdentity id = identify_windows(*f.windows, c.catalogue.supported_os);
    for (const auto& e : id.evidence)
        o.evidence.push_back(e);
    if (id.product.empty() || (id.bits == 0 && id.arch.empty())) {
        o.status = CheckStatus::Unknown;
        o.message =
            "Cannot tell: the image boots with UEFI, but the Windows version or architecture could not "
            "be identified to look it up in the UEFI list.";
        return o;
    }
    std::string row = id.bits ? list.listed_as(id.product, id.edition, id.bits) : "";
    if (!row.empty()) {
        o.status = CheckStatus::Pass;
        o.evidence.push_back("listed in \"" + list.title + "\" as \"" + row + "\"");
        o.message = "The image boots with UEFI and " + id.display() +
                    " supports UEFI boot: select UEFI as boot mode when registering.";
        return o;
    }
    o.status = c.not_met();
    o.evidence.push_back("not in \"" + list.title + "\" (" + list.source.page + ")");
    o.message = "The image boots with UEFI, but " + id.display() +
                " is not in the list of OSs supporting UEFI boot mode: ECSs created from it may not start.";
    return o;
}

} // namespace

std::vector<CheckImpl> boot_checks() {
    return {{"boot.same_disk", same_disk}, {"boot.mode", mode}};
}

} // namespace imgprep::checks_detail
