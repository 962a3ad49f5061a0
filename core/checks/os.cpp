// Table 2, OS: supported version and edition, x86 architecture; hardware independence and full virtualization
// are confirmed by the user.
#include "checks/common.h"
#include "checks/os_identity.h"

namespace imgprep::checks_detail {

namespace {

CheckOutcome version(const CheckContext& c) {
    if (auto u = need_contents(c)) return *u;
    if (!c.facts.windows) {
        std::string why = c.facts.not_windows_reason.empty() ? "no Windows system volume was found"
                                                             : c.facts.not_windows_reason;
        return make_outcome(c.not_met(), "No Windows installation was found in the image (" + why + ").");
    }
    const WindowsFacts& w = *c.facts.windows;
    const OsList& list = c.catalogue.supported_os;
    WindowsIdentity id = identify_windows(w, list);
    CheckOutcome o;
    if (!w.evidence.empty()) o.evidence.push_back(w.evidence);
    for (const auto& e : id.evidence)
        o.evidence.push_back(e);
    if (id.product.empty()) {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: the Windows version could not be identified (ProductName \"" +
                    w.product_name + "\", CurrentVersion \"" + w.current_version + "\").";
        return o;
    }
    // Is product + edition listed at all (any bitness)?
    bool product_edition_listed =
        list.find(id.product, id.edition, 64) || list.find(id.product, id.edition, 32);
    if (product_edition_listed && id.bits == 0 && id.arch.empty()) {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: " + id.display() +
                    " is listed, but only for some bitness, and the architecture "
                    "could not be determined.";
        return o;
    }
    std::string row = id.bits ? list.listed_as(id.product, id.edition, id.bits) : "";
    if (!row.empty()) {
        o.status = CheckStatus::Pass;
        o.evidence.push_back("listed in \"" + list.title + "\" as \"" + row + "\"");
        o.message = id.display() + " is a supported OS; select \"" + row + "\" when registering.";
        return o;
    }
    o.status = CheckStatus::Warn;
    std::string other = other_windows_name(list, id.bits);
    o.evidence.push_back("not in \"" + list.title + "\" (" + list.source.page + ")");
    o.message = id.display() + " is not in the supported OS list: it will be registered as " + other +
                ", and whether the ECS starts depends on the drivers installed in the image.";
    o.remediation.push_back("When registering select " + other +
                            "; install and check the VirtIO drivers yourself before exporting.");
    return o;
}

CheckOutcome architecture(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    CheckOutcome o;
    if (!w.arch_evidence.empty()) o.evidence.push_back(w.arch_evidence);
    if (w.arch == "x64") {
        o.status = CheckStatus::Pass;
        o.message = "64-bit x86 Windows (x64).";
    } else if (w.arch == "x86") {
        o.status = CheckStatus::Pass;
        o.message = "32-bit x86 Windows; an ECS created from it cannot use more than 4 GB of memory.";
    } else if (w.arch.empty()) {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: the architecture of the Windows installation could not be determined.";
    } else {
        o.status = c.not_met();
        o.message = "The Windows installation is " + w.arch +
                    ", not 32- or 64-bit x86: it cannot run on the cloud's "
                    "x86 ECSs.";
    }
    return o;
}

CheckOutcome hardware_independent(const CheckContext& c) {
    CheckOutcome o;
    o.status = CheckStatus::Manual;
    o.message = "Cannot be checked offline: confirm that the OS and its software are not bound to the source "
                "machine's hardware.";
    if (c.facts.readable && c.facts.windows) {
        const auto& w = *c.facts.windows;
        if (!w.sysprep_image_state.empty())
            o.evidence.push_back("hint: Sysprep ImageState=" + w.sysprep_image_state);
        for (const auto& t : w.legacy_tools)
            o.evidence.push_back("hint: hypervisor-specific software " + t);
    }
    return o;
}

CheckOutcome full_virtualization(const CheckContext& c) {
    CheckOutcome o;
    o.status = CheckStatus::Manual;
    o.message = "Cannot be checked offline: confirm that the OS runs as a fully virtualized guest.";
    if (c.facts.readable && c.facts.windows)
        for (const auto& t : c.facts.windows->legacy_tools)
            o.evidence.push_back("hint: installed " + t);
    return o;
}

} // namespace

std::vector<CheckImpl> os_checks() {
    return {{"os.version", version},
            {"os.architecture", architecture},
            {"os.hardware_independent", hardware_independent},
            {"os.full_virtualization", full_virtualization}};
}

} // namespace imgprep::checks_detail
