// Table 1, Drivers: VirtIO (required), GPU (optional); extra: the VirtIO storage driver is boot-ready.
#include "checks/common.h"

namespace imgprep::checks_detail {

namespace {

const ServiceFacts* find_service(const std::vector<ServiceFacts>& list, const std::string& name) {
    for (const auto& s : list)
        if (iequals(s.name, name)) return &s;
    return nullptr;
}

std::string service_line(const WindowsFacts& w, const ServiceFacts* s, const std::string& name) {
    if (!s || !s->present) return "SYSTEM\\" + control_set(w) + "\\Services\\" + name + ": not present";
    if (!s->evidence.empty()) return s->evidence;
    std::string e = "SYSTEM\\" + control_set(w) + "\\Services\\" + s->name + ":";
    if (s->type) e += " Type=" + std::to_string(*s->type);
    if (s->start) e += " Start=" + std::to_string(*s->start);
    if (s->start_override) e += " StartOverride=" + std::to_string(*s->start_override);
    e += s->file_present ? ", file " + s->file_path + " present" : ", file " + s->file_path + " not found";
    return e;
}

bool disabled(const ServiceFacts* s) {
    return s && s->present && s->start && *s->start == 4;
}

CheckOutcome virtio(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    CheckOutcome o;
    if (!w.virtio_storage_evidence.empty()) o.evidence.push_back(w.virtio_storage_evidence);
    auto storage_names = json_strings(c.param("storage_services"));
    auto network_names = json_strings(c.param("network_services"));
    bool net_disabled = false;
    for (const auto& n : network_names) {
        const ServiceFacts* s = find_service(w.virtio_services, n);
        o.evidence.push_back(service_line(w, s, n));
        net_disabled = net_disabled || disabled(s);
    }
    for (const auto& n : storage_names)
        o.evidence.push_back(service_line(w, find_service(w.virtio_services, n), n));
    for (const auto& s : w.virtio_services) {
        bool listed = false;
        for (const auto& n : storage_names)
            listed = listed || iequals(n, s.name);
        for (const auto& n : network_names)
            listed = listed || iequals(n, s.name);
        if (!listed && s.present) o.evidence.push_back(service_line(w, &s, s.name));
    }
    std::size_t shown = 0;
    for (const auto& p : w.virtio_driver_packages)
        if (shown++ < 12) o.evidence.push_back("driver package " + p);
    bool net_ok = w.virtio_network && !net_disabled;
    if (w.virtio_storage && net_ok) {
        o.status = CheckStatus::Pass;
        o.message = "The VirtIO storage and network drivers are installed.";
        return o;
    }
    // Missing: a fact only when the services and the driver database could be read.
    if (auto why = unreadable_text(w, {"services", "drivers"}); !why.empty())
        return cannot_read("whether the VirtIO drivers are installed", why, o.evidence);
    std::vector<std::string> missing;
    if (!net_ok)
        missing.push_back(net_disabled
                              ? "the VirtIO network driver is disabled (Start=4): ECS NICs will not work"
                              : "no VirtIO network driver (netkvm): ECS NICs cannot be detected");
    if (!w.virtio_storage)
        missing.push_back(
            "no VirtIO storage driver (viostor/vioscsi): the disk is reachable only through the "
            "cloud's IDE fallback");
    o.status = c.not_met();
    o.message = "VirtIO drivers are missing: " + join(missing, "; ") + ".";
    return o;
}

CheckOutcome gpu(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    CheckOutcome o;
    for (const auto& d : w.gpu_drivers)
        o.evidence.push_back("display driver " + d);
    if (!w.gpu_drivers.empty()) {
        o.status = CheckStatus::Pass;
        o.message = "GPU driver(s) installed: " + join(w.gpu_drivers, ", ") + ".";
        return o;
    }
    if (auto why = unreadable_text(w, {"display"}); !why.empty())
        return cannot_read("whether a GPU driver is installed", why);
    o.status = c.not_met();
    o.message = "No GPU driver is installed; one is needed only for GPU-accelerated ECSs.";
    return o;
}

// Why a present storage service would not load at boot.
std::vector<std::string> boot_blockers(const ServiceFacts& s) {
    std::vector<std::string> why;
    if (s.type && *s.type != 1) why.push_back("Type=" + std::to_string(*s.type) + " (not a kernel driver)");
    if (s.start && *s.start != 0) why.push_back("Start=" + std::to_string(*s.start) + " (not 0, boot)");
    if (!s.start) why.push_back("no Start value");
    if (s.start_override && *s.start_override != 0)
        why.push_back("StartOverride\\0=" + std::to_string(*s.start_override));
    if (!s.file_present)
        why.push_back("driver file not found" +
                      (s.file_path.empty() ? std::string() : " (" + s.file_path + ")"));
    return why;
}

CheckOutcome virtio_boot(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    CheckOutcome o;
    if (!w.virtio_storage_evidence.empty()) o.evidence.push_back(w.virtio_storage_evidence);
    std::vector<std::string> reasons;
    for (const auto& n : json_strings(c.param("storage_services"))) {
        const ServiceFacts* s = find_service(w.virtio_services, n);
        if (!s || !s->present) continue;
        o.evidence.push_back(service_line(w, s, n));
        auto why = boot_blockers(*s);
        if (!why.empty()) reasons.push_back(s->name + ": " + join(why, ", "));
    }
    std::vector<std::string> ide_on;
    for (const auto& n : json_strings(c.param("ide_services"))) {
        const ServiceFacts* s = find_service(w.ide_services, n);
        o.evidence.push_back(service_line(w, s, n));
        if (s && s->present && s->start && *s->start == 0) ide_on.push_back(s->name);
    }
    std::string ide = ide_on.empty()
                          ? " No IDE driver is set to start at boot in the image either; the cloud "
                            "restores one only when 'Enable automatic configuration' is selected."
                          : " The image's own IDE driver(s) " + join(ide_on, ", ") + " start at boot.";
    if (w.virtio_storage_boot_ready) {
        o.status = CheckStatus::Pass;
        o.message =
            "Boot-ready: the VirtIO storage driver is registered to start at boot for the VirtIO disk.";
        return o;
    }
    if (auto why = unreadable_text(w, {"services", "drivers"}); !why.empty())
        return cannot_read("whether the VirtIO storage driver is registered to boot the disk", why,
                           o.evidence);
    o.status = c.not_met();
    if (w.virtio_storage) {
        o.message =
            "Installed but not boot-start: the VirtIO storage driver is installed but not registered to "
            "boot the disk" +
            (reasons.empty() ? std::string() : " (" + join(reasons, "; ") + ")") +
            ", so the first boot relies on the cloud's automatic IDE fallback and can stop with "
            "INACCESSIBLE_BOOT_DEVICE." +
            ide;
    } else {
        o.message =
            "Not installed: there is no VirtIO storage driver, so the first boot relies entirely on the "
            "cloud's automatic IDE fallback and can stop with INACCESSIBLE_BOOT_DEVICE." +
            ide;
    }
    return o;
}

} // namespace

std::vector<CheckImpl> drivers_checks() {
    return {{"drivers.virtio", virtio}, {"drivers.gpu", gpu}, {"drivers.virtio_boot", virtio_boot}};
}

} // namespace imgprep::checks_detail
