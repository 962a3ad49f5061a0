// Extra checks on the state Windows was left in: SAN policy, clean shutdown, Remote Desktop, leftover
// hypervisor tools, RTC in UTC, pending reboot.
#include "checks/common.h"

namespace imgprep::checks_detail {

namespace {

const char* san_name(std::uint32_t v) {
    switch (v) {
    case 1:
        return "OnlineAll";
    case 2:
        return "OfflineShared";
    case 3:
        return "OfflineAll";
    case 4:
        return "OfflineInternal";
    default:
        return "unknown value";
    }
}

CheckOutcome san_policy(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    std::string key = "SYSTEM\\" + control_set(w) + "\\Services\\partmgr\\Parameters SanPolicy";
    CheckOutcome o;
    if (!w.san_policy) {
        if (auto why = unreadable_text(w, {"san_policy"}); !why.empty())
            return cannot_read("the SAN policy", why);
        o.status = c.not_met();
        o.evidence.push_back(key + " not set");
        o.message =
            "The SAN policy is not set in the registry, so the edition's default applies (OfflineShared on "
            "Windows Server): EVS disks attached to the ECS may stay offline.";
        return o;
    }
    o.evidence.push_back(key + " = " + std::to_string(*w.san_policy) + " (" + san_name(*w.san_policy) + ")");
    if (*w.san_policy == 1) {
        o.status = CheckStatus::Pass;
        o.message = "The SAN policy is OnlineAll.";
        return o;
    }
    o.status = c.not_met();
    o.message = std::string("The SAN policy is ") + san_name(*w.san_policy) +
                ", not OnlineAll: EVS disks attached to the ECS may stay offline.";
    return o;
}

CheckOutcome clean_shutdown(const CheckContext& c) {
    if (auto u = need_contents(c)) return *u;
    const ImageFacts& f = c.facts;
    CheckOutcome o;
    std::vector<std::string> hib, dirty, unread;
    std::size_t ntfs = 0;
    for (const auto& p : f.partitions) {
        if (p.filesystem == "ntfs") ++ntfs;
        if (p.hibernated)
            hib.push_back(partition_text(p) + ": hiberfil.sys holds a hibernation / Fast Startup image");
        if (p.dirty) dirty.push_back(partition_text(p) + ": NTFS volume dirty flag set");
        if (p.filesystem == "ntfs" && !p.read_error.empty())
            unread.push_back(partition_text(p) + ": " + p.read_error);
    }
    for (const auto& e : hib)
        o.evidence.push_back(e);
    for (const auto& e : dirty)
        o.evidence.push_back(e);
    for (const auto& e : unread)
        o.evidence.push_back(e);
    bool fast_startup = false;
    std::string power_unread;
    if (f.windows) {
        const WindowsFacts& w = *f.windows;
        std::string cs = control_set(w);
        power_unread = unreadable_text(w, {"power"});
        o.evidence.push_back("SYSTEM\\" + cs + "\\Control\\Session Manager\\Power HiberbootEnabled " +
                             (!w.hiberboot_enabled   ? std::string("not set (Windows default: off)")
                              : *w.hiberboot_enabled ? std::string("non-zero (Fast Startup on)")
                                                     : std::string("= 0")));
        o.evidence.push_back("SYSTEM\\" + cs + "\\Control\\Power HibernateEnabled " +
                             (!w.hibernate_enabled ? std::string("not set (Windows default: hibernation on)")
                              : *w.hibernate_enabled ? std::string("non-zero")
                                                     : std::string("= 0")));
        if (!power_unread.empty()) o.evidence.push_back("could not be read: " + power_unread);
        fast_startup = w.hiberboot_enabled.value_or(false) && w.hibernate_enabled.value_or(true);
    }
    if (!hib.empty() || !dirty.empty()) {
        std::vector<std::string> what;
        if (!hib.empty()) what.push_back("Windows was hibernated or shut down with Fast Startup");
        if (!dirty.empty()) what.push_back(std::to_string(dirty.size()) + " volume(s) are marked dirty");
        o.status = c.not_met();
        o.message = join(what, " and ") +
                    ": the first boot on the cloud would resume a stale session or run a disk check.";
        return o;
    }
    if (f.partitions.empty()) {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: no partition was found to check.";
        return o;
    }
    if (!unread.empty()) {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: the state of " + std::to_string(unread.size()) +
                    " NTFS volume(s) could not be read (dirty flag, hiberfil.sys).";
        return o;
    }
    for (const auto& p : f.partitions)
        if (p.filesystem == "ntfs") o.evidence.push_back(partition_text(p) + ": clean, not hibernated");
    if (fast_startup) {
        o.status = CheckStatus::Warn;
        o.message = "The volumes are clean, but Fast Startup is on: a normal shutdown before the next export "
                    "would leave Windows hibernated. Disable it (powercfg /hibernate off).";
        return o;
    }
    if (!power_unread.empty()) {
        o.status = CheckStatus::Warn;
        o.message = "The volumes are clean, but whether Fast Startup is on could not be read (" +
                    power_unread + "): check it in the VM (powercfg /a) before the next export.";
        return o;
    }
    o.status = CheckStatus::Pass;
    o.message = ntfs ? "Windows was shut down cleanly: no volume is hibernated or dirty."
                     : "No NTFS volume is hibernated or dirty.";
    return o;
}

CheckOutcome rdp(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    CheckOutcome o;
    if (!w.rdp_evidence.empty()) o.evidence.push_back(w.rdp_evidence);
    // The policy copy wins: unless it was read, a failed read of either copy leaves the answer open.
    const bool from_policy = w.rdp_evidence.find("(policy)") != std::string::npos;
    if (auto why = unreadable_text(w, {"rdp"}); !why.empty() && !from_policy)
        return cannot_read("whether Remote Desktop is allowed", why, o.evidence);
    if (w.rdp_allowed && *w.rdp_allowed) {
        o.status = CheckStatus::Pass;
        o.message = "Remote Desktop connections are allowed.";
        return o;
    }
    o.status = c.not_met();
    if (o.evidence.empty())
        o.evidence.push_back("SYSTEM\\" + control_set(w) + "\\Control\\Terminal Server fDenyTSConnections " +
                             (w.rdp_allowed ? "= 1" : "not set"));
    o.message = w.rdp_allowed
                    ? "Remote Desktop connections are denied (fDenyTSConnections=1)."
                    : "Remote Desktop is not enabled (fDenyTSConnections not set; Windows denies by "
                      "default).";
    return o;
}

CheckOutcome legacy_tools(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    CheckOutcome o;
    std::vector<std::string> harmful, benign;
    for (const auto& t : w.legacy_tools) {
        o.evidence.push_back("installed: " + t);
        (icontains(t, "hyper-v") ? benign : harmful).push_back(t);
    }
    for (const auto& e : w.legacy_tools_evidence)
        o.evidence.push_back(e);
    if (!harmful.empty()) {
        o.status = c.not_met();
        o.message = "Tools of the source hypervisor are still installed: " + join(harmful, ", ") +
                    "; remove them after installing the VirtIO drivers.";
        return o;
    }
    // None found: a fact only when the services and the program entries could be read.
    if (auto why = unreadable_text(w, {"services", "applications"}); !why.empty())
        return cannot_read("whether tools of another hypervisor are installed", why, o.evidence);
    o.status = CheckStatus::Pass;
    o.message = benign.empty()
                    ? "No VMware Tools, Xen PV drivers or VirtualBox Guest Additions were found."
                    : "Only " + join(benign, ", ") + " found; they are part of Windows and harmless on KVM.";
    return o;
}

CheckOutcome rtc_utc(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    std::string key = "SYSTEM\\" + control_set(w) + "\\Control\\TimeZoneInformation RealTimeIsUniversal";
    if (auto why = unreadable_text(w, {"rtc"}); !why.empty())
        return cannot_read("how Windows reads the hardware clock", why);
    CheckOutcome o;
    if (w.rtc_utc && *w.rtc_utc) {
        o.status = CheckStatus::Pass;
        o.evidence.push_back(key + " = 1");
        o.message = "Windows reads the hardware clock as UTC (RealTimeIsUniversal=1).";
        return o;
    }
    // Not set means local time: that is what Windows does without the value.
    o.status = c.not_met();
    o.evidence.push_back(key + (w.real_time_is_universal
                                    ? " = " + std::to_string(*w.real_time_is_universal)
                                    : std::string(" not set (Windows default: local time)")));
    o.message =
        "Windows reads the hardware clock as local time (RealTimeIsUniversal is not 1): the ECS clock "
        "may be off by the time zone offset.";
    return o;
}

CheckOutcome pending_reboot(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    CheckOutcome o;
    o.evidence = w.pending_reboot_evidence;
    if (w.pending_reboot) {
        o.status = c.not_met();
        o.message =
            "Windows has a reboot pending (updates or installations not finished): the first boot on the "
            "cloud would finish them.";
        return o;
    }
    if (auto why = unreadable_text(w, {"pending_reboot"}); !why.empty())
        return cannot_read("whether a reboot is pending", why);
    o.status = CheckStatus::Pass;
    if (o.evidence.empty())
        o.evidence.push_back("no RebootRequired, RebootPending or PendingFileRenameOperations found");
    o.message = "No reboot is pending.";
    return o;
}

} // namespace

std::vector<CheckImpl> windows_state_checks() {
    return {{"windows.san_policy", san_policy},
            {"windows.clean_shutdown", clean_shutdown},
            {"windows.rdp", rdp},
            {"windows.legacy_hypervisor_tools", legacy_tools},
            {"windows.rtc_utc", rtc_utc},
            {"windows.pending_reboot", pending_reboot}};
}

} // namespace imgprep::checks_detail
