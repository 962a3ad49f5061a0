// Windows facts from the system volume: the SYSTEM and SOFTWARE hives (replayed from their transaction logs
// when dirty) plus a few files (cmd.exe, drivers, cloudbase-init.conf). Every read failure becomes a warning
// and, for the registry, an entry of WindowsFacts::unreadable naming the fact area it leaves unknown; nothing
// here stops the inspection. The TCP/IP interfaces are read by windows_network.cpp.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>

#include "disk/partition_table.h"
#include "fs/ntfs.h"
#include "inspect/inspect.h"
#include "inspect/windows_detail.h"
#include "registry/hive.h"
#include "util/endian.h"

namespace imgprep {

namespace inspect_detail {

std::string lower_ascii(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}
bool istarts(const std::string& s, const std::string& prefix) {
    return s.size() >= prefix.size() && lower_ascii(s.substr(0, prefix.size())) == lower_ascii(prefix);
}
bool icontains(const std::string& s, const std::string& part) {
    return lower_ascii(s).find(lower_ascii(part)) != std::string::npos;
}

} // namespace inspect_detail

namespace {

using inspect_detail::icontains;
using inspect_detail::istarts;
using inspect_detail::Reg;
using registry::Hive;
using registry::Key;
using registry::ValueType;

std::string lower(std::string s) {
    return inspect_detail::lower_ascii(std::move(s));
}

// `name="value"` for a string read, `name not set` for one that is absent.
std::string quoted(const std::string& name, const std::string& value) {
    return value.empty() ? name + " not set" : name + "=\"" + value + "\"";
}
std::string numbered(const std::string& name, const std::optional<std::uint32_t>& v) {
    return v ? name + "=" + std::to_string(*v) : name + " not set";
}

struct OpenedHive {
    std::shared_ptr<Hive> hive;
    std::string why; // when hive is null
};

// A hive of System32\config with its transaction logs (NAME.LOG, NAME.LOG1, NAME.LOG2 beside it): a dirty
// hive is replayed in memory (the image is only read). Records what happened in w.hives.
OpenedHive open_hive(const ntfs::Volume& vol, const std::string& root, const std::string& name,
                     WindowsFacts& w) {
    HiveFacts hf;
    hf.name = name;
    hf.path = root + "\\System32\\config\\" + name;
    OpenedHive out;
    auto src = vol.open_path(hf.path);
    if (!src) {
        out.why = "cannot open " + hf.path + ": " + src.error().describe();
        w.warnings.push_back(out.why);
        hf.error = out.why;
        w.hives.push_back(std::move(hf));
        return out;
    }
    registry::LogFiles logs;
    for (auto [ext, slot] : {std::pair{".LOG", &logs.log}, {".LOG1", &logs.log1}, {".LOG2", &logs.log2}}) {
        auto e = vol.exists(hf.path + ext);
        if (!e || !*e) continue;
        auto log = vol.open_path(hf.path + ext);
        if (!log) {
            w.warnings.push_back("cannot open " + hf.path + ext + ": " + log.error().describe());
            continue;
        }
        *slot = *log;
        hf.logs_found.push_back(name + ext);
    }
    auto hive = Hive::open(*src, logs);
    if (!hive) {
        out.why = "cannot read hive " + hf.path + ": " + hive.error().describe();
        w.warnings.push_back(out.why);
        hf.error = out.why;
        w.hives.push_back(std::move(hf));
        return out;
    }
    for (const auto& msg : (*hive)->warnings())
        w.warnings.push_back(msg); // "source name: message"
    hf.readable = true;
    hf.dirty = (*hive)->needed_replay();
    const registry::ReplayInfo& r = (*hive)->replay();
    if (r.replayed) {
        hf.replayed = true;
        hf.log_format = r.format;
        for (const auto& l : r.logs)
            hf.logs_applied.push_back(l.substr(l.find_last_of("\\/") + 1));
        hf.from_sequence = r.from_sequence;
        hf.to_sequence = r.to_sequence;
        hf.entries = r.entries;
    }
    for (const auto& d : (*hive)->damaged())
        hf.damaged_bytes += d.end - d.begin;
    w.hives.push_back(std::move(hf));
    out.hive = *hive;
    return out;
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
    for (const char* prefix :
         {"\\SystemRoot\\", "%SystemRoot%\\", "%windir%\\", "\\??\\C:\\Windows\\", "C:\\Windows\\"})
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

ServiceFacts service_facts(const Reg& sys, const std::string& ccs, const std::string& name,
                           const ntfs::Volume& vol, const std::string& root,
                           const std::vector<std::string>& packages) {
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
    s.evidence = sys.where(path) + ": " + numbered("Type", s.type) + " " + numbered("Start", s.start) +
                 (s.start_override ? " " + numbered("StartOverride\\0", s.start_override) : std::string()) +
                 (s.group.empty() ? "" : " Group=\"" + s.group + "\"") + "; " +
                 (s.image_path.empty() ? "ImagePath not set, " : "") + s.file_path +
                 (s.file_present ? " present" : " missing");
    return s;
}

// The control set to read: Select\Current when that set exists; otherwise (a system.sav-style hive, a damaged
// Select key) Select\Default, Select\LastKnownGood, or the lowest-numbered ControlSetNNN, with a warning.
void choose_control_set(const Reg& sys, WindowsFacts& w) {
    auto area = sys.area("control_set");
    auto name = [](std::uint32_t n) {
        char b[32];
        std::snprintf(b, sizeof b, "ControlSet%03u", n);
        return std::string(b);
    };
    auto exists = [&](std::optional<std::uint32_t> n) {
        return n && *n >= 1 && *n <= 999 && sys.exists(name(*n));
    };
    auto select = sys.key("Select");
    auto current = select ? sys.dword(*select, "Current") : std::nullopt;
    if (exists(current)) {
        w.current_control_set = current;
        w.control_set_evidence = sys.where("Select") + "\\Current = " + std::to_string(*current);
        return;
    }
    if (!sys) return; // the hive could not be read: every SYSTEM area says so
    const auto ccs_areas = {"network", "services", "drivers", "display",       "san_policy",
                            "rtc",     "rdp",      "power",   "pending_reboot"};
    if (std::string why = w.unreadable_reason("control_set"); !why.empty()) {
        // Select or the control set named there lies in a damaged part of the hive: no other set is guessed.
        w.current_control_set = current;
        w.control_set_evidence = sys.where("Select") +
                                 (current ? "\\Current = " + std::to_string(*current) : "") +
                                 ": the control set could not be read (" + why + ")";
        for (const char* a : ccs_areas)
            w.unreadable.emplace(a, w.control_set_evidence);
        return;
    }
    std::string why = !select    ? sys.where("Select") + " is absent"
                      : !current ? sys.where("Select") + "\\Current is not set"
                                 : sys.where("Select") + "\\Current = " + std::to_string(*current) +
                                       " names " + name(*current) + ", which does not exist";
    std::string used;
    for (const char* alt : {"Default", "LastKnownGood"}) {
        auto v = select ? sys.dword(*select, alt) : std::nullopt;
        if (exists(v)) {
            w.current_control_set = v;
            used = "Select\\" + std::string(alt) + " = " + std::to_string(*v);
            break;
        }
    }
    if (!w.current_control_set)
        if (auto r = sys.key("")) {
            for (const auto& k : sys.subkeys(*r, 4096)) {
                const std::string n = k.name();
                if (n.size() == 13 && istarts(n, "ControlSet") &&
                    std::all_of(n.begin() + 10, n.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                    auto v = std::uint32_t(std::stoul(n.substr(10)));
                    if (v >= 1 && (!w.current_control_set || v < *w.current_control_set))
                        w.current_control_set = v;
                }
            }
            if (w.current_control_set) used = "the lowest-numbered control set in the hive";
        }
    if (w.current_control_set) {
        w.control_set_evidence =
            why + "; " + name(*w.current_control_set) + " was read instead (" + used + ")";
        w.warnings.push_back("registry: " + w.control_set_evidence);
        return;
    }
    w.control_set_evidence = why + ", and the hive holds no ControlSetNNN key";
    w.warnings.push_back("registry: " + w.control_set_evidence);
    w.unreadable.emplace("control_set", w.control_set_evidence);
    for (const char* a : ccs_areas)
        w.unreadable.emplace(a, w.control_set_evidence);
}

// Tools of other hypervisors: services they register and the names their installers give the program entry.
struct HypervisorTools {
    const char* product;
    std::vector<const char*> services;
    std::vector<const char*> programs;
};
const std::vector<HypervisorTools>& hypervisor_tools() {
    static const std::vector<HypervisorTools> tools = {
        {"VMware Tools",
         {"VMTools", "vmci", "vm3dmp", "vmhgfs", "vmmouse", "vmxnet3ndis6", "vmusbmouse"},
         {"VMware Tools"}},
        {"Xen PV drivers",
         {"xenvbd", "xennet", "xenbus", "xeniface", "xenfilt", "XenSvc"},
         {"XenServer", "Xen PV", "Citrix VM Tools"}},
        {"VirtualBox Guest Additions",
         {"VBoxGuest", "VBoxService", "VBoxMouse", "VBoxSF", "VBoxVideo", "VBoxVideoW8", "VBoxWddm"},
         {"VirtualBox Guest Additions"}},
        {"Hyper-V integration services", {}, {"Hyper-V Integration"}},
    };
    return tools;
}

} // namespace

WindowsFacts inspect_windows(const ntfs::Volume& vol, const std::string& root, const PartitionTable* table,
                             const PartitionFacts* system_partition) {
    WindowsFacts w;
    w.system_root = root;
    auto sys_hive = open_hive(vol, root, "SYSTEM", w);
    auto soft_hive = open_hive(vol, root, "SOFTWARE", w);
    Reg sys(sys_hive.hive, "SYSTEM", sys_hive.why, w.warnings, w.unreadable);
    Reg soft(soft_hive.hive, "SOFTWARE", soft_hive.why, w.warnings, w.unreadable);

    // Version.
    const std::string cv = "Microsoft\\Windows NT\\CurrentVersion";
    {
        auto area = soft.area("version");
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
                    w.minor_version =
                        std::uint32_t(std::strtoul(w.current_version.c_str() + dot + 1, nullptr, 10));
            }
            w.evidence = soft.where(cv) + ": " + quoted("ProductName", w.product_name) + " " +
                         quoted("EditionID", w.edition_id) + " " +
                         quoted("InstallationType", w.installation_type) + " " +
                         numbered("CurrentBuildNumber", w.build);
            // Before Windows 7 there is no InstallationType: it is derived, and the evidence says so.
            if (w.installation_type.empty()) {
                const bool from_edition = !w.edition_id.empty();
                w.installation_type =
                    icontains(from_edition ? w.edition_id : w.product_name, "server") ? "Server" : "Client";
                w.installation_type_derived = true;
                w.evidence += " (taken as " + w.installation_type + " from " +
                              (from_edition ? "EditionID" : "ProductName") + ")";
            }
        } else {
            std::string why = w.unreadable_reason("version");
            w.evidence = why.empty() ? soft.where(cv) + " absent" : soft.where(cv) + " unreadable: " + why;
        }
    }
    w.marketing_name = marketing_name(w);

    // Current control set.
    choose_control_set(sys, w);
    char ccsbuf[32];
    std::snprintf(ccsbuf, sizeof ccsbuf, "ControlSet%03u", w.current_control_set.value_or(1));
    const std::string ccs = ccsbuf;

    // Architecture: cmd.exe's PE header, else PROCESSOR_ARCHITECTURE.
    std::string env_arch = sys.str(ccs + "\\Control\\Session Manager\\Environment", "PROCESSOR_ARCHITECTURE");
    std::string env_norm = env_arch == "AMD64"   ? "x64"
                           : env_arch == "x86"   ? "x86"
                           : env_arch == "ARM64" ? "arm64"
                                                 : "";
    std::string pe;
    if (auto hdr = vol.open_path(root + "\\System32\\cmd.exe")) {
        std::vector<std::uint8_t> buf(std::size_t(std::min<std::uint64_t>((*hdr)->size(), 4096)));
        if (!buf.empty() && (*hdr)->read_at(0, buf)) pe = inspect_detail::pe_machine(buf);
    }
    if (!pe.empty()) {
        w.arch = pe;
        w.arch_evidence = root + "\\System32\\cmd.exe PE header: machine " + pe;
        if (!env_norm.empty() && env_norm != pe)
            w.warnings.push_back("architecture disagreement: cmd.exe is " + pe +
                                 " but PROCESSOR_ARCHITECTURE is " + env_arch);
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

    // Network interfaces (windows_network.cpp).
    inspect_detail::read_network(sys, ccs, w);

    // Drivers: VirtIO, IDE fallback, GPU, leftovers of other hypervisors.
    const auto packages = driverstore_packages(vol, root);
    {
        auto area = sys.area("services");
        for (const char* name : {"viostor", "vioscsi", "netkvm", "VirtioSerial", "BALLOON", "VirtRng",
                                 "PVPanic", "FwCfg", "VirtioSocket"})
            w.virtio_services.push_back(service_facts(sys, ccs, name, vol, root, packages));
        for (const char* name : {"intelide", "pciide", "atapi"})
            w.ide_services.push_back(service_facts(sys, ccs, name, vol, root, packages));
    }
    static const char* virtio_infs[] = {"viostor.inf_", "vioscsi.inf_", "netkvm.inf_",
                                        "vioser.inf_",  "balloon.inf_", "viorng.inf_",
                                        "pvpanic.inf_", "fwcfg.inf_",   "viosock.inf_"};
    for (const auto& pkg : packages)
        for (const char* inf : virtio_infs)
            if (istarts(pkg, inf)) w.virtio_driver_packages.push_back(pkg);
    auto drivers_area = std::make_unique<Reg::Area>(sys, "drivers");
    for (const auto& k : sys.subkeys("DriverDatabase\\DriverInfFiles", 20000))
        if (lower(k.name()) == "viostor.inf" || lower(k.name()) == "vioscsi.inf" ||
            lower(k.name()) == "netkvm.inf")
            w.virtio_driver_packages.push_back("DriverDatabase\\DriverInfFiles\\" + k.name());

    // PCI device → storage driver mapping (what makes the driver load for the boot disk).
    const bool pre_win8 =
        w.build ? *w.build < 9200 : (w.major_version.value_or(10) == 6 && w.minor_version.value_or(2) < 2);
    auto pci_mapped = [&](const std::string& service,
                          std::initializer_list<const char*> devs) -> std::string {
        for (const auto& k : sys.subkeys(ccs + "\\Control\\CriticalDeviceDatabase", 20000))
            for (const char* dev : devs)
                if (istarts(k.name(), std::string("pci#ven_1af4&dev_") + dev) &&
                    lower(sys.str(k, "Service")) == service)
                    return sys.where(ccs + "\\Control\\CriticalDeviceDatabase\\" + k.name()) +
                           " Service=" + service;
        for (const auto& k : sys.subkeys("DriverDatabase\\DeviceIds\\PCI", 20000))
            for (const char* dev : devs)
                if (istarts(k.name(), std::string("VEN_1AF4&DEV_") + dev)) {
                    auto vals = k.values();
                    if (vals)
                        for (const auto& v : *vals)
                            if (istarts(v.name(), service + ".inf"))
                                return sys.where("DriverDatabase\\DeviceIds\\PCI\\" + k.name()) + " " +
                                       v.name();
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
        std::string mapping =
            n == "viostor" ? pci_mapped(n, {"1001", "1042"}) : pci_mapped(n, {"1004", "1048"});
        std::vector<std::string> missing;
        if (s.type != 1u)
            missing.push_back(s.type ? "Type is " + std::to_string(*s.type) + ", not 1 (kernel driver)"
                                     : "Type not set (1, kernel driver, needed)");
        if (s.start != 0u)
            missing.push_back(s.start ? "Start is " + std::to_string(*s.start) + ", not 0 (boot)"
                                      : "Start not set (0, boot, needed)");
        if (s.start_override && *s.start_override == 4) missing.push_back("StartOverride disables it");
        if (!s.file_present) missing.push_back(s.file_path + " missing");
        if (mapping.empty())
            missing.push_back(std::string("no PCI device mapping (") +
                              (pre_win8 ? "CriticalDeviceDatabase pci#ven_1af4&dev_"
                                        : "DriverDatabase\\DeviceIds\\PCI\\VEN_1AF4&DEV_") +
                              (n == "viostor" ? "1001/1042" : "1004/1048") + ")");
        if (missing.empty()) {
            w.virtio_storage_boot_ready = true;
            storage_notes.push_back(s.name + " boot-ready: " + s.evidence + "; " + mapping);
        } else {
            std::string m;
            for (std::size_t i = 0; i < missing.size(); ++i)
                m += (i ? "; " : "") + missing[i];
            storage_notes.push_back(s.name + " installed but not boot-ready: " + m);
        }
    }
    drivers_area.reset();
    for (std::size_t i = 0; i < storage_notes.size(); ++i)
        w.virtio_storage_evidence += (i ? " | " : "") + storage_notes[i];
    if (storage_notes.empty()) w.virtio_storage_evidence = "no viostor or vioscsi service or driver package";
    for (const auto& s : w.virtio_services)
        if (lower(s.name) == "netkvm" &&
            ((s.present && s.file_present) ||
             std::any_of(w.virtio_driver_packages.begin(), w.virtio_driver_packages.end(),
                         [](const std::string& p) { return icontains(p, "netkvm.inf"); })))
            w.virtio_network = true;

    {
        auto area = sys.area("display");
        for (const auto& k :
             sys.subkeys(ccs + "\\Control\\Class\\{4D36E968-E325-11CE-BFC1-08002BE10318}", 256)) {
            std::string desc = sys.str(k, "DriverDesc");
            if (desc.empty() || icontains(desc, "Microsoft Basic Display") ||
                icontains(desc, "Standard VGA") || icontains(desc, "QXL") || icontains(desc, "VMware SVGA") ||
                icontains(desc, "Hyper-V Video") || icontains(desc, "Remote Display") ||
                icontains(desc, "Cirrus") || icontains(desc, "VirtIO GPU") ||
                icontains(desc, "VirtualBox Graphics"))
                continue;
            w.gpu_drivers.push_back(desc);
        }
    }

    // Installed applications (both views).
    struct App {
        std::string key, name, version, location;
    };
    std::vector<App> apps;
    {
        auto area = soft.area("applications");
        for (const char* base : {"Microsoft\\Windows\\CurrentVersion\\Uninstall",
                                 "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"})
            for (const auto& k : soft.subkeys(base, 5000))
                apps.push_back({std::string(base) + "\\" + k.name(), soft.str(k, "DisplayName"),
                                soft.str(k, "DisplayVersion"), soft.str(k, "InstallLocation")});
    }

    // Tools of other hypervisors: one table (hypervisor_tools()) of services and program names.
    std::set<std::string> legacy;
    auto found = [&](const std::string& product, const std::string& why) {
        legacy.insert(product);
        w.legacy_tools_evidence.push_back(product + ": " + why);
    };
    {
        auto area = sys.area("services");
        for (const auto& t : hypervisor_tools())
            for (const char* n : t.services) {
                const std::string path = ccs + "\\Services\\" + n;
                if (auto k = sys.key(path)) {
                    auto start = sys.dword(*k, "Start");
                    found(t.product, sys.where(path) + " present (" + numbered("Start", start) + ")");
                }
            }
    }
    for (const auto& a : apps) {
        const std::string why = soft.where(a.key) + ": DisplayName=\"" + a.name + "\"";
        for (const auto& t : hypervisor_tools())
            for (const char* p : t.programs)
                if (icontains(a.name, p)) found(t.product, why);
    }
    w.legacy_tools.assign(legacy.begin(), legacy.end());

    static const char* av_vendors[] = {"Symantec",
                                       "Norton",
                                       "McAfee",
                                       "Trellix",
                                       "Trend Micro",
                                       "Kaspersky",
                                       "ESET",
                                       "Sophos",
                                       "Bitdefender",
                                       "CrowdStrike",
                                       "Carbon Black",
                                       "Avast",
                                       "AVG ",
                                       "F-Secure",
                                       "Panda",
                                       "Webroot",
                                       "Cylance",
                                       "SentinelOne",
                                       "Malwarebytes",
                                       "G DATA",
                                       "Comodo",
                                       "Deep Security",
                                       "Endpoint Protection",
                                       "Antivirus"};
    for (const auto& a : apps)
        for (const char* v : av_vendors)
            if (!a.name.empty() && icontains(a.name, v)) {
                w.antivirus.push_back(a.name);
                break;
            }

    // Cloudbase-Init: the service, or the program entry. The install folder is read from the entry's
    // InstallLocation or the service's ImagePath; without either the installer's default is assumed (and
    // said).
    auto& cb = w.cloudbase_init;
    {
        auto area = sys.area("services");
        cb.service = service_facts(sys, ccs, "cloudbase-init", vol, root, packages);
    }
    std::string install;
    if (cb.service.present) {
        cb.installed = true;
        auto pos = lower(cb.service.image_path).find("cloudbase-init\\");
        if (pos != std::string::npos)
            install = volume_path_of(cb.service.image_path.substr(0, pos + 14), root);
    }
    for (const auto& a : apps)
        if (icontains(a.name, "Cloudbase-Init")) {
            cb.installed = true;
            cb.version = a.version;
            if (!a.location.empty()) install = volume_path_of(a.location, root);
            while (!install.empty() && install.back() == '\\')
                install.pop_back();
            cb.evidence = soft.where(a.key) + ": " + quoted("DisplayName", a.name) + " " +
                          quoted("DisplayVersion", a.version);
        }
    if (install.empty()) {
        install = "\\Program Files\\Cloudbase Solutions\\Cloudbase-Init";
        cb.install_path_assumed = true;
    }
    cb.install_path = w.system_drive + install; // no drive letter when MountedDevices does not name one
    cb.config_path = cb.install_path + "\\conf\\cloudbase-init.conf";
    if (auto conf = vol.read_path(install + "\\conf\\cloudbase-init.conf", 1 << 20)) {
        cb.config_found = true;
        cb.config = inspect_detail::parse_ini_section(std::string(conf->begin(), conf->end()), "DEFAULT");
    }
    if (auto conf = vol.read_path(install + "\\conf\\cloudbase-init-unattend.conf", 1 << 20)) {
        cb.unattend_config_found = true;
        cb.unattend_config =
            inspect_detail::parse_ini_section(std::string(conf->begin(), conf->end()), "DEFAULT");
    }
    if (cb.evidence.empty())
        cb.evidence = cb.service.present
                          ? cb.service.evidence
                          : sys.where(ccs + "\\Services\\cloudbase-init") + " absent; no Cloudbase-Init "
                                                                            "entry under Uninstall";

    // Sysprep state: SOFTWARE ...\Setup\State ImageState, else \Windows\Setup\State\State.ini.
    {
        auto area = soft.area("sysprep");
        const std::string state_key = "Microsoft\\Windows\\CurrentVersion\\Setup\\State";
        w.sysprep_image_state = soft.str(state_key, "ImageState");
        if (!w.sysprep_image_state.empty()) w.sysprep_evidence = soft.where(state_key) + ": ImageState";
        if (w.sysprep_image_state.empty())
            if (auto ini = vol.read_path(root + "\\Setup\\State\\State.ini", 65536)) {
                auto m = inspect_detail::parse_ini_section(std::string(ini->begin(), ini->end()), "State");
                if (m.count("imagestate")) {
                    w.sysprep_image_state = m["imagestate"];
                    w.sysprep_evidence = root + "\\Setup\\State\\State.ini [State] ImageState";
                }
            }
        auto sarea = sys.area("sysprep");
        if (auto k = sys.key("Setup"))
            for (const char* n :
                 {"SetupType", "CmdLine", "SystemSetupInProgress", "OOBEInProgress", "SetupPhase"}) {
                std::string v = sys.str(*k, n);
                if (!v.empty()) w.setup_state[n] = v;
            }
    }

    // SAN policy, time, RDP, power, pending reboot, group policy. A value that is not set stays nullopt.
    {
        auto area = sys.area("san_policy");
        w.san_policy = sys.dword(ccs + "\\Services\\partmgr\\Parameters", "SanPolicy");
    }
    {
        auto area = sys.area("rtc");
        w.real_time_is_universal = sys.dword(ccs + "\\Control\\TimeZoneInformation", "RealTimeIsUniversal");
        if (w.real_time_is_universal) w.rtc_utc = *w.real_time_is_universal == 1;
    }
    {
        auto sarea = sys.area("rdp");
        auto sys_deny = sys.dword(ccs + "\\Control\\Terminal Server", "fDenyTSConnections");
        auto parea = soft.area("rdp");
        auto policy = soft.dword("Policies\\Microsoft\\Windows NT\\Terminal Services", "fDenyTSConnections");
        if (policy) {
            w.rdp_allowed = *policy == 0;
            w.rdp_evidence = soft.where("Policies\\Microsoft\\Windows NT\\Terminal Services") +
                             "\\fDenyTSConnections = " + std::to_string(*policy) + " (policy)";
        } else if (sys_deny) {
            w.rdp_allowed = *sys_deny == 0;
            w.rdp_evidence = sys.where(ccs + "\\Control\\Terminal Server") +
                             "\\fDenyTSConnections = " + std::to_string(*sys_deny);
        }
    }
    {
        auto area = sys.area("power");
        if (auto v = sys.dword(ccs + "\\Control\\Session Manager\\Power", "HiberbootEnabled"))
            w.hiberboot_enabled = *v != 0;
        if (auto v = sys.dword(ccs + "\\Control\\Power", "HibernateEnabled")) w.hibernate_enabled = *v != 0;
    }
    {
        auto parea = soft.area("pending_reboot");
        for (const char* k :
             {"Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired",
              "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending"})
            if (soft.exists(k)) w.pending_reboot_evidence.push_back(soft.where(k) + " present");
        auto sarea = sys.area("pending_reboot");
        if (auto sm = sys.key(ccs + "\\Control\\Session Manager")) {
            auto ops = sys.multi(*sm, "PendingFileRenameOperations");
            std::size_t n =
                std::count_if(ops.begin(), ops.end(), [](const std::string& s) { return !s.empty(); });
            if (n)
                w.pending_reboot_evidence.push_back(sys.where(ccs + "\\Control\\Session Manager") +
                                                    "\\PendingFileRenameOperations holds " +
                                                    std::to_string(n) + " entries");
        }
        w.pending_reboot = !w.pending_reboot_evidence.empty();
    }
    {
        auto area = soft.area("group_policy");
        for (const auto& k : soft.subkeys("Microsoft\\Windows\\CurrentVersion\\Group Policy\\History", 256))
            for (const auto& g : soft.subkeys(k, 64)) {
                std::string name = soft.str(g, "DisplayName");
                if (name.empty()) name = soft.str(g, "GPOName");
                if (!name.empty() && std::find(w.group_policies.begin(), w.group_policies.end(), name) ==
                                         w.group_policies.end())
                    w.group_policies.push_back(name);
            }
    }
    return w;
}

} // namespace imgprep
