// Which Windows an image holds, in the words of the OS lists (product, edition, bitness), and the lookups in
// the supported-OS and UEFI lists.
#pragma once

#include <string>
#include <vector>

#include "checks/catalogue.h"
#include "inspect/facts.h"

namespace imgprep {

struct WindowsIdentity {
    // Product name as the OS lists use it: "Windows Server 2016", "Windows Server 2008 R2", "Windows 10",
    // "Windows 11", "Windows 7", ... ; "" when it could not be told.
    std::string product;
    std::string edition;    // the lists' edition name ("Datacenter", "Professional", ...); "" when not mapped
    std::string edition_id; // the raw EditionID value
    int bits = 0;           // 32 or 64 for x86 / x64; 0 when unknown or not x86 (see arch)
    std::string arch;       // x86 x64 arm64, "" unknown
    std::vector<std::string> evidence; // how it was told (registry values used)

    // "Windows Server 2016 Datacenter 64bit" (parts that are unknown are left out).
    std::string display() const;
};

// Derives the product from the version numbers (CurrentMajor/MinorVersionNumber or CurrentVersion, build,
// InstallationType), falling back to marketing_name and then ProductName; maps EditionID through the list's
// edition_ids (falling back to an edition word in ProductName).
WindowsIdentity identify_windows(const WindowsFacts& w, const OsList& editions);

// Registration name for an OS that is in no list: "Other_Windows (64_bit)" / "Other_Windows (32_bit)".
std::string other_windows_name(const OsList& supported, int bits);

} // namespace imgprep
