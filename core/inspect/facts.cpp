#include "inspect/facts.h"

namespace imgprep {

namespace {

template <typename T> Json opt(const std::optional<T>& v) {
    return v ? Json(*v) : Json();
}

Json strings(const std::vector<std::string>& v) {
    Json a = Json::array();
    for (const auto& s : v)
        a.push(s);
    return a;
}

Json string_map(const std::map<std::string, std::string>& m) {
    Json o = Json::object();
    for (const auto& [k, v] : m)
        o.set(k, v);
    return o;
}

Json partition_json(const PartitionFacts& p) {
    Json j = Json::object();
    j.set("index", p.index);
    j.set("offset", p.offset);
    j.set("size", p.size);
    j.set("type", p.type);
    j.set("type_name", p.type_name);
    j.set("role", p.role);
    j.set("name", p.name);
    j.set("active", p.active);
    j.set("logical", p.logical);
    j.set("filesystem", p.filesystem);
    j.set("label", p.label);
    j.set("encrypted", p.encrypted);
    j.set("dirty", p.dirty);
    j.set("hibernated", p.hibernated);
    j.set("read_error", p.read_error);
    j.set("is_system", p.is_system);
    j.set("is_boot", p.is_boot);
    j.set("notes", strings(p.notes));
    return j;
}

} // namespace

Json to_json(const ServiceFacts& s) {
    Json j = Json::object();
    j.set("name", s.name);
    j.set("present", s.present);
    j.set("type", opt(s.type));
    j.set("start", opt(s.start));
    j.set("start_override", opt(s.start_override));
    j.set("image_path", s.image_path);
    j.set("group", s.group);
    j.set("display_name", s.display_name);
    j.set("file_present", s.file_present);
    j.set("file_path", s.file_path);
    j.set("evidence", s.evidence);
    return j;
}

Json to_json(const WindowsFacts& w) {
    Json j = Json::object();
    j.set("system_root", w.system_root);
    j.set("product_name", w.product_name);
    j.set("edition_id", w.edition_id);
    j.set("installation_type", w.installation_type);
    j.set("installation_type_derived", w.installation_type_derived);
    j.set("current_version", w.current_version);
    j.set("major_version", opt(w.major_version));
    j.set("minor_version", opt(w.minor_version));
    j.set("build", opt(w.build));
    j.set("ubr", opt(w.ubr));
    j.set("display_version", w.display_version);
    j.set("marketing_name", w.marketing_name);
    j.set("arch", w.arch.empty() ? Json() : Json(w.arch));
    j.set("arch_evidence", w.arch_evidence);
    j.set("current_control_set", opt(w.current_control_set));
    j.set("control_set_evidence", w.control_set_evidence);
    j.set("system_drive", w.system_drive);
    j.set("evidence", w.evidence);

    Json dhcp = Json::object();
    dhcp.set("all_interfaces", w.dhcp_all ? Json(*w.dhcp_all) : Json());
    Json ifs = Json::array();
    for (const auto& i : w.interfaces) {
        Json x = Json::object();
        x.set("guid", i.guid);
        x.set("adapter", i.adapter);
        x.set("dhcp", opt(i.dhcp));
        x.set("addresses", strings(i.addresses));
        x.set("binding", i.binding);
        x.set("characteristics", opt(i.characteristics));
        x.set("connection", i.connection);
        x.set("static_adapter", i.static_adapter());
        x.set("evidence", i.evidence);
        ifs.push(std::move(x));
    }
    dhcp.set("interfaces", std::move(ifs));
    j.set("dhcp", std::move(dhcp));

    Json virtio = Json::object();
    virtio.set("storage", w.virtio_storage);
    virtio.set("storage_boot_ready", w.virtio_storage_boot_ready);
    virtio.set("storage_evidence", w.virtio_storage_evidence);
    virtio.set("network", w.virtio_network);
    Json services = Json::array();
    for (const auto& s : w.virtio_services)
        services.push(to_json(s));
    virtio.set("services", std::move(services));
    virtio.set("driver_packages", strings(w.virtio_driver_packages));
    j.set("virtio", std::move(virtio));
    Json ide = Json::array();
    for (const auto& s : w.ide_services)
        ide.push(to_json(s));
    j.set("ide_services", std::move(ide));
    j.set("gpu_drivers", strings(w.gpu_drivers));
    j.set("legacy_tools", strings(w.legacy_tools));
    j.set("legacy_tools_evidence", strings(w.legacy_tools_evidence));

    const auto& c = w.cloudbase_init;
    Json cb = Json::object();
    cb.set("installed", c.installed);
    cb.set("service", to_json(c.service));
    cb.set("install_path", c.install_path);
    cb.set("install_path_assumed", c.install_path_assumed);
    cb.set("version", c.version);
    cb.set("config_found", c.config_found);
    cb.set("config_path", c.config_path);
    cb.set("config", string_map(c.config));
    cb.set("unattend_config_found", c.unattend_config_found);
    cb.set("unattend_config", string_map(c.unattend_config));
    cb.set("evidence", c.evidence);
    j.set("cloudbase_init", std::move(cb));

    Json sysprep = Json::object();
    sysprep.set("image_state", w.sysprep_image_state.empty() ? Json() : Json(w.sysprep_image_state));
    sysprep.set("evidence", w.sysprep_evidence);
    sysprep.set("setup", string_map(w.setup_state));
    j.set("sysprep", std::move(sysprep));
    j.set("san_policy", opt(w.san_policy));
    j.set("rtc_utc", opt(w.rtc_utc));
    j.set("real_time_is_universal", opt(w.real_time_is_universal));
    j.set("rdp_allowed", opt(w.rdp_allowed));
    j.set("rdp_evidence", w.rdp_evidence);
    j.set("hiberboot_enabled", opt(w.hiberboot_enabled));
    j.set("hibernate_enabled", opt(w.hibernate_enabled));
    Json pending = Json::object();
    pending.set("pending", w.pending_reboot);
    pending.set("evidence", strings(w.pending_reboot_evidence));
    j.set("pending_reboot", std::move(pending));
    j.set("group_policies", strings(w.group_policies));
    j.set("antivirus", strings(w.antivirus));
    j.set("unreadable", string_map(w.unreadable));
    Json hives = Json::array();
    for (const auto& h : w.hives) {
        Json x = Json::object();
        x.set("name", h.name);
        x.set("path", h.path);
        x.set("readable", h.readable);
        x.set("error", h.error);
        x.set("dirty", h.dirty);
        x.set("logs_found", strings(h.logs_found));
        x.set("replayed", h.replayed);
        if (h.replayed) {
            Json r = Json::object();
            r.set("format", h.log_format);
            r.set("logs", strings(h.logs_applied));
            r.set("from_sequence", h.from_sequence);
            r.set("to_sequence", h.to_sequence);
            r.set("entries", h.entries);
            x.set("replay", std::move(r));
        } else {
            x.set("replay", Json());
        }
        x.set("damaged_bytes", h.damaged_bytes);
        hives.push(std::move(x));
    }
    j.set("hives", std::move(hives));
    j.set("warnings", strings(w.warnings));
    return j;
}

Json to_json(const ImageFacts& f) {
    Json j = Json::object();
    j.set("readable", f.readable);
    if (!f.readable) j.set("unreadable_reason", f.unreadable_reason);
    j.set("partition_table", f.partition_table);
    j.set("boot_mode", f.boot_mode);
    j.set("boot_evidence", f.boot_evidence);
    j.set("encrypted", f.encrypted);
    j.set("disks", f.disks);
    j.set("sector_size", f.sector_size);
    Json parts = Json::array();
    for (const auto& p : f.partitions)
        parts.push(partition_json(p));
    j.set("partitions", std::move(parts));
    j.set("boot_on_same_disk", opt(f.boot_on_same_disk));
    j.set("windows", f.windows ? to_json(*f.windows) : Json());
    if (!f.windows) j.set("not_windows_reason", f.not_windows_reason);
    j.set("warnings", strings(f.warnings));
    if (!f.per_disk.empty()) {
        Json per = Json::array();
        for (const auto& d : f.per_disk)
            per.push(to_json(d));
        j.set("per_disk", std::move(per));
        j.set("windows_disk_index", f.windows_disk_index);
    }
    return j;
}

} // namespace imgprep
