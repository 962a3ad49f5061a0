// Windows facts from the system volume: the SYSTEM and SOFTWARE hives plus a few files (cmd.exe, drivers,
// cloudbase-init.conf). Every read failure becomes a warning; nothing here stops the inspection.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>

#include "disk/partition_table.h"
#include "fs/ntfs.h"
#include "inspect/inspect.h"
#include "registry/hive.h"
#include "util/endian.h"

namespace imgprep {

namespace {

using registry::Hive;
using registry::Key;
using registry::ValueType;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}
bool istarts(const std::string& s, const std::string& prefix) {
    return s.size() >= prefix.size() && lower(s.substr(0, prefix.size())) == lower(prefix);
}
bool icontains(const std::string& s, const std::string& part) { return lower(s).find(lower(part)) != std::string::npos; }

// Registry access with the hive's display name ("SYSTEM", "SOFTWARE") for evidence strings.
class Reg {
public:
    Reg(std::shared_ptr<Hive> hive, std::string label, std::vector<std::string>& warnings)
        : hive_(std::move(hive)), label_(std::move(label)), warnings_(warnings) {}
    explicit operator bool() const { return hive_ != nullptr; }
    const std::string& label() const { return label_; }

    std::optional<Key> key(const std::string& path) const {
        if (!hive_) return std::nullopt;
        auto k = hive_->find(path);
        if (!k) {
            warn(k.error().describe());
            return std::nullopt;
        }
        return *k;
    }
    std::vector<Key> subkeys(const std::string& path, std::size_t limit = 10000) const {
        auto k = key(path);
        if (!k) return {};
        auto s = k->subkeys();
        if (!s) {
            warn(s.error().describe());
            return {};
        }
        if (s->size() > limit) s->resize(limit);
        return *s;
    }
    std::optional<registry::Value> value(const Key& k, const std::string& name) const {
        auto v = k.value(name);
        if (!v) {
            warn(v.error().describe());
            return std::nullopt;
        }
        return *v;
    }
    std::optional<std::uint32_t> dword(const Key& k, const std::string& name) const {
        auto v = value(k, name);
        if (!v) return std::nullopt;
        if (v->type() == ValueType::String || v->type() == ValueType::ExpandString) {
            auto s = v->as_string();
            if (!s) return std::nullopt;
            char* end = nullptr;
            unsigned long n = std::strtoul(s->c_str(), &end, 10);
            if (end == s->c_str()) return std::nullopt;
            return std::uint32_t(n);
        }
        auto d = v->as_dword();
        if (!d) {
            warn(d.error().describe());
            return std::nullopt;
        }
        return *d;
    }
    std::optional<std::uint32_t> dword(const std::string& path, const std::string& name) const {
        auto k = key(path);
        return k ? dword(*k, name) : std::nullopt;
    }
    std::string str(const Key& k, const std::string& name) const {
        auto v = value(k, name);
        if (!v) return {};
        if (v->type() == ValueType::MultiString) {
            auto m = v->as_multi_string();
            return m && !m->empty() ? m->front() : std::string();
        }
        if (v->type() == ValueType::Dword) {
            auto d = v->as_dword();
            return d ? std::to_string(*d) : std::string();
        }
        auto s = v->as_string();
        return s ? *s : std::string();
    }
    std::string str(const std::string& path, const std::string& name) const {
        auto k = key(path);
        return k ? str(*k, name) : std::string();
    }
    std::vector<std::string> multi(const Key& k, const std::string& name) const {
        auto v = value(k, name);
        if (!v) return {};
        if (v->type() == ValueType::MultiString) {
            auto m = v->as_multi_string();
            return m ? *m : std::vector<std::string>{};
        }
        auto s = v->as_string();
        return s && !s->empty() ? std::vector<std::string>{*s} : std::vector<std::string>{};
    }
    bool exists(const std::string& path) const { return key(path).has_value(); }
    std::string where(const std::string& path) const { return label_ + "\\" + path; }

private:
    void warn(const std::string& w) const {
        if (warnings_.size() < 50) warnings_.push_back("registry: " + w);
    }
    std::shared_ptr<Hive> hive_;
    std::string label_;
    std::vector<std::string>& warnings_;
};

std::shared_ptr<Hive> open_hive(const ntfs::Volume& vol, const std::string& path, std::vector<std::string>& warnings) {
    auto src = vol.open_path(path);
    if (!src) {
        warnings.push_back("cannot open " + path + ": " + src.error().describe());
        return nullptr;
    }
    auto hive = Hive::open(*src);
    if (!hive) {
        warnings.push_back("cannot read hive " + path + ": " + hive.error().describe());
        return nullptr;
    }
    for (const auto& w : (*hive)->warnings()) warnings.push_back(path + ": " + w);
    return *hive;
}

bool file_exists(const ntfs::Volume& vol, const std::string& path) {
    auto e = vol.exists(path);
    return e.ok() && *e;
}

std::string marketing_name(const WindowsFacts& w) {
    const bool server = icontains(w.installation_type, "server") || icontains(w.product_name, "server");
    const std::uint32_t major = w.major_version.value_or(0);
    const std::uint32_t build = w.build.value_or(0);
    std::string cv = w.current_version;
    if (major >= 10 || cv == "10.0") {
        if (server) {
            if (build >= 26100) return "Windows Server 2025";
            if (build >= 20348) return "Windows Server 2022";
            if (build >= 17763) return "Windows Server 2019";
            if (build >= 14393) return "Windows Server 2016";
            return "Windows Server (build " + std::to_string(build) + ")";
        }
        return build >= 22000 ? "Windows 11" : "Windows 10";
    }
    if (cv == "6.3") return server ? "Windows Server 2012 R2" : "Windows 8.1";
    if (cv == "6.2") return server ? "Windows Server 2012" : "Windows 8";
    if (cv == "6.1") return server ? "Windows Server 2008 R2" : "Windows 7";
    if (cv == "6.0") return server ? "Windows Server 2008" : "Windows Vista";
    if (cv == "5.2") return server ? "Windows Server 2003" : "Windows XP x64";
    return w.product_name;
}

// "\SystemRoot\System32\drivers\x.sys", "system32\DRIVERS\x.sys", "C:\Windows\..." → path on the volume.
std::string volume_path_of(const std::string& image_path, const std::string& root) {
    std::string p = image_path;
    if (!p.empty() && p.front() == '"') {
        auto q = p.find('"', 1);
        p = p.substr(1, q == std::string::npos ? std::string::npos : q - 1);
    }
    for (const char* prefix : {"\\SystemRoot\\", "%SystemRoot%\\", "%windir%\\", "\\??\\C:\\Windows\\", "C:\\Windows\\"})
        if (istarts(p, prefix)) return root + "\\" + p.substr(std::strlen(prefix));
    if (istarts(p, "System32\\")) return root + "\\" + p;
    if (istarts(p, "\\??\\")) p = p.substr(4);
    if (p.size() > 2 && p[1] == ':') return p.substr(2);
    return p;
}

std::vector<std::string> driverstore_packages(const ntfs::Volume& vol, const std::string& root) {
    std::vector<std::string> names;
    auto list = vol.list_path(root + "\\System32\\DriverStore\\FileRepository");
    if (!list) return names;
    for (const auto& e : *list)
        if (e.is_directory && names.size() < 5000) names.push_back(e.name);
    return names;
}

ServiceFacts service_facts(const Reg& sys, const std::string& ccs, const std::string& name, const ntfs::Volume& vol,
                           const std::string& root, const std::vector<std::string>& packages) {
    ServiceFacts s;
    s.name = name;
    const std::string path = ccs + "\\Services\\" + name;
    auto k = sys.key(path);
    std::string default_file = root + "\\System32\\drivers\\" + lower(name) + ".sys";
    if (!k) {
        s.evidence = sys.where(path) + " absent";
        s.file_path = default_file;
        return s;
    }
    s.present = true;
    s.type = sys.dword(*k, "Type");
    s.start = sys.dword(*k, "Start");
    s.image_path = sys.str(*k, "ImagePath");
    s.group = sys.str(*k, "Group");
    s.display_name = sys.str(*k, "DisplayName");
    if (auto so = sys.key(path + "\\StartOverride")) s.start_override = sys.dword(*so, "0");
    s.file_path = s.image_path.empty() ? default_file : volume_path_of(s.image_path, root);
    s.file_present = !s.file_path.empty() && file_exists(vol, s.file_path);
    if (!s.file_present) {
        // A driver file may also live in its DriverStore package folder.
        std::string file = s.file_path.substr(s.file_path.find_last_of('\\') + 1);
        std::string stem = lower(file.substr(0, file.rfind('.')));
        for (const auto& pkg : packages)
            if (istarts(pkg, stem + ".inf_") &&
                file_exists(vol, root + "\\System32\\DriverStore\\FileRepository\\" + pkg + "\\" + file)) {
                s.file_present = true;
                s.file_path = root + "\\System32\\DriverStore\\FileRepository\\" + pkg + "\\" + file;
                break;
            }
    }
    auto num = [](const std::optional<std::uint32_t>& v) { return v ? std::to_string(*v) : std::string("?"); };
    s.evidence = sys.where(path) + ": Type=" + num(s.type) + " Start=" + num(s.start) +
                 (s.start_override ? " StartOverride\\0=" + num(s.start_override) : std::string()) +
                 (s.group.empty() ? "" : " Group=\"" + s.group + "\"") + "; " + s.file_path +
                 (s.file_present ? " present" : " missing");
    return s;
}

} // namespace

WindowsFacts inspect_windows(const ntfs::Volume& vol, const std::string& root, const PartitionTable* table,
                             const PartitionFacts* system_partition) {
    WindowsFacts w;
    w.system_root = root;
    auto& warnings = w.warnings;
    Reg sys(open_hive(vol, root + "\\System32\\config\\SYSTEM", warnings), "SYSTEM", warnings);
    Reg soft(open_hive(vol, root + "\\System32\\config\\SOFTWARE", warnings), "SOFTWARE", warnings);

    // Version.
    const std::string cv = "Microsoft\\Windows NT\\CurrentVersion";
    if (auto k = soft.key(cv)) {
        w.product_name = soft.str(*k, "ProductName");
        w.edition_id = soft.str(*k, "EditionID");
        w.installation_type = soft.str(*k, "InstallationType");
        w.current_version = soft.str(*k, "CurrentVersion");
        w.major_version = soft.dword(*k, "CurrentMajorVersionNumber");
        w.minor_version = soft.dword(*k, "CurrentMinorVersionNumber");
        w.build = soft.dword(*k, "CurrentBuildNumber");
        if (!w.build) w.build = soft.dword(*k, "CurrentBuild");
        w.ubr = soft.dword(*k, "UBR");
        w.display_version = soft.str(*k, "DisplayVersion");
        if (w.display_version.empty()) w.display_version = soft.str(*k, "ReleaseId");
        if (!w.major_version && w.current_version.size() >= 3) {
            w.major_version = std::uint32_t(std::strtoul(w.current_version.c_str(), nullptr, 10));
            auto dot = w.current_version.find('.');
            if (dot != std::string::npos)
                w.minor_version = std::uint32_t(std::strtoul(w.current_version.c_str() + dot + 1, nullptr, 10));
        }
        w.evidence = soft.where(cv) + ": ProductName=\"" + w.product_name + "\" EditionID=" + w.edition_id +
                     " InstallationType=" + w.installation_type +
                     " CurrentBuildNumber=" + (w.build ? std::to_string(*w.build) : std::string("?"));
        if (w.installation_type.empty() && !w.edition_id.empty())
            w.installation_type = icontains(w.edition_id, "server") ? "Server" : "Client";
        if (w.installation_type.empty())
            w.installation_type = icontains(w.product_name, "server") ? "Server" : "Client";
    } else {
        w.evidence = soft ? soft.where(cv) + " absent" : "SOFTWARE hive unreadable";
    }
    w.marketing_name = marketing_name(w);

    // Current control set.
    w.current_control_set = sys.dword("Select", "Current");
    char ccsbuf[32];
    std::snprintf(ccsbuf, sizeof ccsbuf, "ControlSet%03u", w.current_control_set.value_or(1));
    const std::string ccs = ccsbuf;

    // Architecture: cmd.exe's PE header, else PROCESSOR_ARCHITECTURE.
    std::string env_arch = sys.str(ccs + "\\Control\\Session Manager\\Environment", "PROCESSOR_ARCHITECTURE");
    std::string env_norm = env_arch == "AMD64" ? "x64" : env_arch == "x86" ? "x86" : env_arch == "ARM64" ? "arm64" : "";
    std::string pe;
    if (auto hdr = vol.open_path(root + "\\System32\\cmd.exe")) {
        std::vector<std::uint8_t> buf(std::size_t(std::min<std::uint64_t>((*hdr)->size(), 4096)));
        if (!buf.empty() && (*hdr)->read_at(0, buf)) pe = inspect_detail::pe_machine(buf);
    }
    if (!pe.empty()) {
        w.arch = pe;
        w.arch_evidence = root + "\\System32\\cmd.exe PE header: machine " + pe;
        if (!env_norm.empty() && env_norm != pe)
            w.warnings.push_back("architecture disagreement: cmd.exe is " + pe + " but PROCESSOR_ARCHITECTURE is " +
                                 env_arch);
    } else if (!env_norm.empty()) {
        w.arch = env_norm;
        w.arch_evidence = sys.where(ccs + "\\Control\\Session Manager\\Environment") +
                          ": PROCESSOR_ARCHITECTURE=" + env_arch;
    }

    // System drive letter from MountedDevices.
    if (auto md = sys.key("MountedDevices"); md && table && system_partition) {
        auto vals = md->values();
        if (vals) {
            for (const auto& v : *vals) {
                if (!istarts(v.name(), "\\DosDevices\\") || v.name().size() != 14) continue;
                auto data = v.data();
                if (!data) continue;
                bool match = false;
                if (data->size() == 12 && table->scheme == PartitionScheme::Mbr) {
                    match = le32(data->data()) == table->mbr_signature &&
                            le64(data->data() + 4) == system_partition->offset;
                } else if (data->size() >= 24 && std::memcmp(data->data(), "DMIO:ID:", 8) == 0) {
                    std::string guid = disk_detail::guid_to_string(data->data() + 8);
                    for (const auto& p : table->partitions)
                        if (int(p.number) == system_partition->index && p.unique_guid == guid) match = true;
                }
                if (match) {
                    w.system_drive = v.name().substr(12);
                    break;
                }
            }
        }
    }

    // Network interfaces.
    std::map<std::string, std::string> adapters; // lower-cased GUID → description
    const std::string netclass = ccs + "\\Control\\Class\\{4D36E972-E325-11CE-BFC1-08002BE10318}";
    for (const auto& k : sys.subkeys(netclass, 512)) {
        std::string id = sys.str(k, "NetCfgInstanceId");
        if (!id.empty()) adapters[lower(id)] = sys.str(k, "DriverDesc");
    }
    const std::string ifpath = ccs + "\\Services\\Tcpip\\Parameters\\Interfaces";
    bool all_dhcp = true, any = false;
    for (const auto& k : sys.subkeys(ifpath, 512)) {
        auto dhcp = sys.dword(k, "EnableDHCP");
        if (!dhcp) continue; // tunnel / unconfigured interfaces carry no EnableDHCP
        InterfaceFacts i;
        i.guid = k.name();
        auto a = adapters.find(lower(k.name()));
        if (a != adapters.end()) i.adapter = a->second;
        i.dhcp = *dhcp != 0;
        for (const auto& ip : sys.multi(k, "IPAddress"))
            if (!ip.empty() && ip != "0.0.0.0") i.addresses.push_back(ip);
        i.evidence = sys.where(ifpath + "\\" + k.name()) + "\\EnableDHCP = " + std::to_string(*dhcp) +
                     (i.addresses.empty() ? "" : " (IPAddress " + i.addresses.front() + ")");
        any = true;
        if (!*i.dhcp) all_dhcp = false;
        w.interfaces.push_back(std::move(i));
    }
    if (any) w.dhcp_all = all_dhcp;

    // Drivers: VirtIO, IDE fallback, GPU, leftovers of other hypervisors.
    const auto packages = driverstore_packages(vol, root);
    for (const char* name : {"viostor", "vioscsi", "netkvm", "VirtioSerial", "BALLOON", "VirtRng", "PVPanic", "FwCfg",
                             "VirtioSocket"})
        w.virtio_services.push_back(service_facts(sys, ccs, name, vol, root, packages));
    static const char* virtio_infs[] = {"viostor.inf_", "vioscsi.inf_", "netkvm.inf_", "vioser.inf_", "balloon.inf_",
                                        "viorng.inf_",  "pvpanic.inf_", "fwcfg.inf_",  "viosock.inf_"};
    for (const auto& pkg : packages)
        for (const char* inf : virtio_infs)
            if (istarts(pkg, inf)) w.virtio_driver_packages.push_back(pkg);
    for (const auto& k : sys.subkeys("DriverDatabase\\DriverInfFiles", 20000))
        if (lower(k.name()) == "viostor.inf" || lower(k.name()) == "vioscsi.inf" || lower(k.name()) == "netkvm.inf")
            w.virtio_driver_packages.push_back("DriverDatabase\\DriverInfFiles\\" + k.name());

    // PCI device → storage driver mapping (what makes the driver load for the boot disk).
    const bool pre_win8 = w.build ? *w.build < 9200 : (w.major_version.value_or(10) == 6 && w.minor_version.value_or(2) < 2);
    auto pci_mapped = [&](const std::string& service, std::initializer_list<const char*> devs) -> std::string {
        for (const auto& k : sys.subkeys(ccs + "\\Control\\CriticalDeviceDatabase", 20000))
            for (const char* dev : devs)
                if (istarts(k.name(), std::string("pci#ven_1af4&dev_") + dev) && lower(sys.str(k, "Service")) == service)
                    return sys.where(ccs + "\\Control\\CriticalDeviceDatabase\\" + k.name()) + " Service=" + service;
        for (const auto& k : sys.subkeys("DriverDatabase\\DeviceIds\\PCI", 20000))
            for (const char* dev : devs)
                if (istarts(k.name(), std::string("VEN_1AF4&DEV_") + dev)) {
                    auto vals = k.values();
                    if (vals)
                        for (const auto& v : *vals)
                            if (istarts(v.name(), service + ".inf"))
                                return sys.where("DriverDatabase\\DeviceIds\\PCI\\" + k.name()) + " " + v.name();
                }
        return {};
    };
    std::vector<std::string> storage_notes;
    for (auto& s : w.virtio_services) {
        const std::string n = lower(s.name);
        if (n != "viostor" && n != "vioscsi") continue;
        const bool staged = std::any_of(w.virtio_driver_packages.begin(), w.virtio_driver_packages.end(),
                                        [&](const std::string& p) { return icontains(p, n + ".inf"); });
        if ((s.present && s.file_present) || staged) w.virtio_storage = true;
        if (!s.present) {
            if (staged) storage_notes.push_back(s.name + ": driver package staged but no service registered");
            continue;
        }
        std::string mapping = n == "viostor" ? pci_mapped(n, {"1001", "1042"}) : pci_mapped(n, {"1004", "1048"});
        std::vector<std::string> missing;
        if (s.type != 1u) missing.push_back("Type is not 1 (kernel driver)");
        if (s.start != 0u) missing.push_back("Start is " + (s.start ? std::to_string(*s.start) : std::string("?")) +
                                             ", not 0 (boot)");
        if (s.start_override && *s.start_override == 4) missing.push_back("StartOverride disables it");
        if (!s.file_present) missing.push_back(s.file_path + " missing");
        if (mapping.empty())
            missing.push_back(std::string("no PCI device mapping (") +
                              (pre_win8 ? "CriticalDeviceDatabase pci#ven_1af4&dev_" : "DriverDatabase\\DeviceIds\\PCI\\VEN_1AF4&DEV_") +
                              (n == "viostor" ? "1001/1042" : "1004/1048") + ")");
        if (missing.empty()) {
            w.virtio_storage_boot_ready = true;
            storage_notes.push_back(s.name + " boot-ready: " + s.evidence + "; " + mapping);
        } else {
            std::string m;
            for (std::size_t i = 0; i < missing.size(); ++i) m += (i ? "; " : "") + missing[i];
            storage_notes.push_back(s.name + " installed but not boot-ready: " + m);
        }
    }
    for (std::size_t i = 0; i < storage_notes.size(); ++i)
        w.virtio_storage_evidence += (i ? " | " : "") + storage_notes[i];
    if (storage_notes.empty()) w.virtio_storage_evidence = "no viostor or vioscsi service or driver package";
    for (const auto& s : w.virtio_services)
        if (lower(s.name) == "netkvm" && ((s.present && s.file_present) ||
                                          std::any_of(w.virtio_driver_packages.begin(), w.virtio_driver_packages.end(),
                                                      [](const std::string& p) { return icontains(p, "netkvm.inf"); })))
            w.virtio_network = true;
    for (const char* name : {"intelide", "pciide", "atapi"})
        w.ide_services.push_back(service_facts(sys, ccs, name, vol, root, packages));

    for (const auto& k : sys.subkeys(ccs + "\\Control\\Class\\{4D36E968-E325-11CE-BFC1-08002BE10318}", 256)) {
        std::string desc = sys.str(k, "DriverDesc");
        if (desc.empty() || icontains(desc, "Microsoft Basic Display") || icontains(desc, "Standard VGA") ||
            icontains(desc, "QXL") || icontains(desc, "VMware SVGA") || icontains(desc, "Hyper-V Video") ||
            icontains(desc, "Remote Display") || icontains(desc, "Cirrus") || icontains(desc, "VirtIO GPU"))
            continue;
        w.gpu_drivers.push_back(desc);
    }

    // Installed applications (both views).
    struct App {
        std::string key, name, version, location;
    };
    std::vector<App> apps;
    for (const char* base : {"Microsoft\\Windows\\CurrentVersion\\Uninstall",
                             "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"})
        for (const auto& k : soft.subkeys(base, 5000))
            apps.push_back({std::string(base) + "\\" + k.name(), soft.str(k, "DisplayName"),
                            soft.str(k, "DisplayVersion"), soft.str(k, "InstallLocation")});

    std::set<std::string> legacy;
    auto svc_present = [&](const char* n) { return sys.exists(ccs + "\\Services\\" + n); };
    auto found = [&](const std::string& product, const std::string& why) {
        legacy.insert(product);
        w.legacy_tools_evidence.push_back(product + ": " + why);
    };
    for (const char* n : {"VMTools", "vmci", "vm3dmp", "vmhgfs", "vmmouse", "vmxnet3ndis6", "vmusbmouse"})
        if (svc_present(n)) found("VMware Tools", sys.where(ccs + "\\Services\\" + n) + " present");
    for (const char* n : {"xenvbd", "xennet", "xenbus", "xeniface", "xenfilt", "XenSvc"})
        if (svc_present(n)) found("Xen PV drivers", sys.where(ccs + "\\Services\\" + n) + " present");
    for (const auto& a : apps) {
        const std::string why = soft.where(a.key) + ": DisplayName=\"" + a.name + "\"";
        if (icontains(a.name, "VMware Tools")) found("VMware Tools", why);
        if (icontains(a.name, "XenServer") || icontains(a.name, "Xen PV") || icontains(a.name, "Citrix VM Tools"))
            found("Xen PV drivers", why);
        if (icontains(a.name, "Hyper-V Integration")) found("Hyper-V integration services", why);
    }
    w.legacy_tools.assign(legacy.begin(), legacy.end());

    static const char* av_vendors[] = {"Symantec", "Norton", "McAfee", "Trellix", "Trend Micro", "Kaspersky",
                                       "ESET", "Sophos", "Bitdefender", "CrowdStrike", "Carbon Black", "Avast",
                                       "AVG ", "F-Secure", "Panda", "Webroot", "Cylance", "SentinelOne", "Malwarebytes",
                                       "G DATA", "Comodo", "Deep Security", "Endpoint Protection", "Antivirus"};
    for (const auto& a : apps)
        for (const char* v : av_vendors)
            if (!a.name.empty() && icontains(a.name, v)) {
                w.antivirus.push_back(a.name);
                break;
            }

    // Cloudbase-Init.
    auto& cb = w.cloudbase_init;
    cb.service = service_facts(sys, ccs, "cloudbase-init", vol, root, packages);
    std::string install = "\\Program Files\\Cloudbase Solutions\\Cloudbase-Init";
    if (cb.service.present) {
        cb.installed = true;
        auto pos = lower(cb.service.image_path).find("cloudbase-init\\");
        if (pos != std::string::npos) {
            std::string p = volume_path_of(cb.service.image_path.substr(0, pos + 14), root);
            if (!p.empty()) install = p;
        }
    }
    for (const auto& a : apps)
        if (icontains(a.name, "Cloudbase-Init")) {
            cb.installed = true;
            cb.version = a.version;
            if (!a.location.empty()) install = volume_path_of(a.location, root);
            while (!install.empty() && install.back() == '\\') install.pop_back();
            cb.evidence = soft.where(a.key) + ": DisplayName=\"" + a.name + "\" DisplayVersion=" + a.version;
        }
    cb.install_path = "C:" + install;
    cb.config_path = cb.install_path + "\\conf\\cloudbase-init.conf";
    if (auto conf = vol.read_path(install + "\\conf\\cloudbase-init.conf", 1 << 20)) {
        cb.config_found = true;
        cb.config = inspect_detail::parse_ini_section(std::string(conf->begin(), conf->end()), "DEFAULT");
    }
    if (auto conf = vol.read_path(install + "\\conf\\cloudbase-init-unattend.conf", 1 << 20)) {
        cb.unattend_config_found = true;
        cb.unattend_config = inspect_detail::parse_ini_section(std::string(conf->begin(), conf->end()), "DEFAULT");
    }
    if (cb.evidence.empty())
        cb.evidence = cb.service.present ? cb.service.evidence
                                         : sys.where(ccs + "\\Services\\cloudbase-init") + " absent; no Cloudbase-Init "
                                                                                          "entry under Uninstall";

    // Sysprep, SAN policy, time, RDP, power, pending reboot, group policy.
    w.sysprep_image_state = soft.str("Microsoft\\Windows\\CurrentVersion\\Setup\\State", "ImageState");
    if (w.sysprep_image_state.empty())
        if (auto ini = vol.read_path(root + "\\Setup\\State\\State.ini", 65536)) {
            auto m = inspect_detail::parse_ini_section(std::string(ini->begin(), ini->end()), "State");
            if (m.count("imagestate")) w.sysprep_image_state = m["imagestate"];
        }
    if (auto k = sys.key("Setup"))
        for (const char* n : {"SetupType", "CmdLine", "SystemSetupInProgress", "OOBEInProgress", "SetupPhase"}) {
            std::string v = sys.str(*k, n);
            if (!v.empty()) w.setup_state[n] = v;
        }
    w.san_policy = sys.dword(ccs + "\\Services\\partmgr\\Parameters", "SanPolicy");
    if (auto v = sys.dword(ccs + "\\Control\\TimeZoneInformation", "RealTimeIsUniversal")) w.rtc_utc = *v == 1;
    else if (sys) w.rtc_utc = false;
    auto deny = sys.dword(ccs + "\\Control\\Terminal Server", "fDenyTSConnections");
    auto policy = soft.dword("Policies\\Microsoft\\Windows NT\\Terminal Services", "fDenyTSConnections");
    if (policy) {
        w.rdp_allowed = *policy == 0;
        w.rdp_evidence = soft.where("Policies\\Microsoft\\Windows NT\\Terminal Services") +
                         "\\fDenyTSConnections = " + std::to_string(*policy) + " (policy)";
    } else if (deny) {
        w.rdp_allowed = *deny == 0;
        w.rdp_evidence = sys.where(ccs + "\\Control\\Terminal Server") + "\\fDenyTSConnections = " + std::to_string(*deny);
    }
    if (auto v = sys.dword(ccs + "\\Control\\Session Manager\\Power", "HiberbootEnabled")) w.hiberboot_enabled = *v != 0;
    if (auto v = sys.dword(ccs + "\\Control\\Power", "HibernateEnabled")) w.hibernate_enabled = *v != 0;
    if (soft.exists("Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired"))
        w.pending_reboot_evidence.push_back(
            soft.where("Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired") + " present");
    if (soft.exists("Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending"))
        w.pending_reboot_evidence.push_back(
            soft.where("Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending") + " present");
    if (auto sm = sys.key(ccs + "\\Control\\Session Manager")) {
        auto ops = sys.multi(*sm, "PendingFileRenameOperations");
        std::size_t n = std::count_if(ops.begin(), ops.end(), [](const std::string& s) { return !s.empty(); });
        if (n)
            w.pending_reboot_evidence.push_back(sys.where(ccs + "\\Control\\Session Manager") +
                                                "\\PendingFileRenameOperations holds " + std::to_string(n) + " entries");
    }
    w.pending_reboot = !w.pending_reboot_evidence.empty();
    for (const auto& k : soft.subkeys("Microsoft\\Windows\\CurrentVersion\\Group Policy\\History", 256))
        for (const auto& g : soft.subkeys("Microsoft\\Windows\\CurrentVersion\\Group Policy\\History\\" + k.name(), 64)) {
            std::string name = soft.str(g, "DisplayName");
            if (name.empty()) name = soft.str(g, "GPOName");
            if (!name.empty() && std::find(w.group_policies.begin(), w.group_policies.end(), name) == w.group_policies.end())
                w.group_policies.push_back(name);
        }
    return w;
}

} // namespace imgprep
