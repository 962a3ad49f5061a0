// ImageFacts: everything the offline inspection found in an image — the one structure that checks, reports
// and the wizard consume (data flows reader → inspector → facts → checks → report/ui). std::optional fields
// are "could not tell"; evidence strings name where a fact came from (registry path and value, file path,
// partition) so that checks can show them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/json.h"

namespace imgprep {

// The image file itself (from the reader; what `imgprep info` reports).
struct ImageSummary {
    std::string path;
    std::string format; // raw vmdk vhd vhdx qcow qcow2 qed vdi zvhd zvhd2 ova iso archive unknown
    std::string subformat;
    bool readable = false; // the virtual disk content can be read offline
    std::string message;   // why not, when not readable
    std::optional<std::uint64_t>
        virtual_size; // of the system disk (first disk of an OVA when none is Windows)
    std::uint64_t file_size = 0;
    std::optional<std::uint64_t> allocated_size;
    std::vector<std::uint64_t> disk_sizes; // virtual size of every disk (2 entries for an OVA with two disks)
    // Added for image.format (one self-contained file is uploaded): ImageInfo::files of the system disk
    // (descriptor + extents; empty or 1 entry for a single-file image) and the paths of its backing/parent
    // images (chain_of() without the image itself; empty when standalone).
    std::vector<std::string> files;
    std::vector<std::string> backing_chain;
};

struct PartitionFacts {
    int index = 0;            // as the OS numbers them (1-based)
    std::uint64_t offset = 0; // bytes from the start of the disk
    std::uint64_t size = 0;
    std::string type;       // MBR type byte "0x07" or GPT type GUID
    std::string type_name;  // "EFI System", "Microsoft basic data", "NTFS/exFAT (0x07)", ...
    std::string role;       // esp msr basic_data recovery extended linux swap lvm raid bios_boot ldm_metadata
                            // ldm_data storage_spaces hidden_basic_data protective unknown
    std::string name;       // GPT partition name
    bool active = false;    // MBR active flag
    bool logical = false;   // inside an MBR extended partition
    std::string filesystem; // ntfs fat12 fat16 fat32 bitlocker bitlocker_to_go luks ext2/3/4 xfs unknown none
    std::string label;
    bool encrypted = false;
    bool dirty = false;      // NTFS dirty flag
    bool hibernated = false; // hiberfil.sys with a hibernation / Fast Startup signature
    // Why the partition's state could not be read ("" when it was): its first sector, or for NTFS the volume
    // ($Volume: dirty flag) and \hiberfil.sys. encrypted / dirty / hibernated are then not facts.
    std::string read_error;
    bool is_system = false; // holds \Windows\System32\config\SYSTEM
    bool is_boot = false;   // holds the boot files (bootmgr + \Boot\BCD, or \EFI\Microsoft\Boot\bootmgfw.efi)
    std::vector<std::string> notes; // e.g. "bootmgfw.efi present", read errors
};

struct ServiceFacts {
    std::string name;
    bool present = false;                        // a Services\<name> key exists
    std::optional<std::uint32_t> type;           // 1 kernel driver, 0x10 own process service, ...
    std::optional<std::uint32_t> start;          // 0 boot, 1 system, 2 automatic, 3 manual, 4 disabled
    std::optional<std::uint32_t> start_override; // StartOverride\0 value, when present
    std::string image_path;
    std::string group;
    std::string display_name;
    bool file_present = false; // its .sys/.exe file exists (System32\drivers or the DriverStore)
    std::string file_path;     // where the file was found (or looked for)
    std::string evidence;      // "SYSTEM\ControlSet001\Services\viostor: Type=1 Start=0 ..."
};

struct InterfaceFacts {
    std::string guid;         // {…}
    std::string adapter;      // adapter description from the network class key, when known
    std::optional<bool> dhcp; // EnableDHCP
    std::vector<std::string>
        addresses; // static IPAddress values when EnableDHCP = 0 (without 0.0.0.0, empty)
    // What the interface is bound to, from the network adapter class key Control\Class\{4D36E972-…}\NNNN
    // whose NetCfgInstanceId is this GUID: "adapter" (its Characteristics has NCF_PHYSICAL 0x4, or is not
    // set), "virtual" (Characteristics without NCF_PHYSICAL: RAS/WAN miniports, VPN and TAP adapters,
    // loopback, virtual switch ports), "none" (no class entry: the adapter was removed, or a RAS/tunnel
    // interface), "unknown" (the class key could not be read).
    std::string binding = "unknown";
    std::optional<std::uint32_t> characteristics; // NCF_* flags of the class entry
    std::string connection; // Control\Network\{4D36E972-…}\{GUID}\Connection Name ("Ethernet0"), if set
    std::string evidence; // "SYSTEM\ControlSet001\Services\Tcpip\Parameters\Interfaces\{…}\EnableDHCP = 0"
    // A static address that matters: EnableDHCP = 0 on an interface bound to an adapter, with a real address.
    bool static_adapter() const { return dhcp && !*dhcp && binding == "adapter" && !addresses.empty(); }
};

// One registry hive the facts were read from (SYSTEM, SOFTWARE).
struct HiveFacts {
    std::string name;      // "SYSTEM"
    std::string path;      // "\Windows\System32\config\SYSTEM"
    bool readable = false; // opened (possibly after a replay or with damaged bins skipped)
    std::string error;     // why not
    bool dirty = false;    // the primary needed its transaction logs (sequence numbers differ / checksum)
    std::vector<std::string> logs_found; // transaction logs beside it ("SYSTEM.LOG1", ...)
    bool replayed = false;               // the logs were replayed in memory (the image is never written)
    std::string log_format;              // "new" (HvLE) or "old" (dirty vector)
    std::vector<std::string> logs_applied;
    std::uint32_t from_sequence = 0, to_sequence = 0; // log entries applied (new format), sequence numbers
    std::uint32_t entries = 0;
    std::uint64_t damaged_bytes = 0; // hive bins skipped as damaged
};

struct CloudbaseInitFacts {
    bool installed = false;
    ServiceFacts service;              // the cloudbase-init service
    std::string install_path;          // Windows path of the install folder
    bool install_path_assumed = false; // install_path is the installer's default, not read from the image
    std::string version;               // from the Uninstall key, when present
    bool config_found = false;
    std::string config_path;                   // Windows path of cloudbase-init.conf
    std::map<std::string, std::string> config; // [DEFAULT] keys, lower-cased names
    bool unattend_config_found = false;
    std::map<std::string, std::string> unattend_config;
    std::string evidence;
};

struct WindowsFacts {
    std::string system_root;       // "\Windows"
    std::string product_name;      // ProductName
    std::string edition_id;        // EditionID
    std::string installation_type; // Client / Server / Server Core
    bool installation_type_derived =
        false;                   // InstallationType not set (before Windows 7): from EditionID/ProductName
    std::string current_version; // CurrentVersion "6.3"
    std::optional<std::uint32_t> major_version, minor_version;
    std::optional<std::uint32_t> build;
    std::optional<std::uint32_t> ubr;
    std::string display_version; // DisplayVersion / ReleaseId
    std::string marketing_name;  // derived: "Windows Server 2016", "Windows 11", ...
    std::string arch;            // x86 x64 arm64, "" unknown
    std::string arch_evidence;
    std::optional<std::uint32_t> current_control_set; // the ControlSetNNN read (see control_set_evidence)
    std::string control_set_evidence; // "SYSTEM\Select\Current = 1"; names the set used instead when Current
                                      // names a missing one
    std::string system_drive;         // "C:" from MountedDevices, "" unknown
    std::string evidence;             // "SOFTWARE\Microsoft\Windows NT\CurrentVersion: ProductName=..."

    // Network
    std::vector<InterfaceFacts> interfaces;
    std::optional<bool> dhcp_all; // every interface uses DHCP (nullopt when no interface is configured)

    // Drivers
    std::vector<ServiceFacts>
        virtio_services; // viostor vioscsi netkvm VirtioSerial BALLOON VirtRng PVPanic FwCfg VirtioSocket
    bool virtio_storage = false; // a VirtIO storage driver is installed (service + file, or staged package)
    bool virtio_storage_boot_ready =
        false; // registered to boot the disk (Type=1 Start=0 file present, PCI mapping)
    std::string virtio_storage_evidence;
    bool virtio_network = false;
    std::vector<std::string>
        virtio_driver_packages;             // DriverStore / DriverDatabase entries (viostor.inf_amd64_…)
    std::vector<ServiceFacts> ide_services; // intelide pciide atapi
    std::vector<std::string> gpu_drivers;   // display-class drivers that are not the basic display
    std::vector<std::string> legacy_tools;  // "VMware Tools", "Xen PV drivers", "VirtualBox Guest Additions",
                                            // "Hyper-V integration services"
    std::vector<std::string> legacy_tools_evidence; // the services / Uninstall entries behind legacy_tools

    // Tools and state
    CloudbaseInitFacts cloudbase_init;
    std::string sysprep_image_state; // IMAGE_STATE_COMPLETE, IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE, ...
    std::string sysprep_evidence;    // where ImageState was read (registry value or Setup\State\State.ini)
    std::map<std::string, std::string>
        setup_state;                         // SYSTEM\Setup values (SetupType, SystemSetupInProgress, ...)
    std::optional<std::uint32_t> san_policy; // 1 OnlineAll, 2 OfflineShared, 3 OfflineAll, 4 OfflineInternal
    std::optional<bool> rtc_utc; // RealTimeIsUniversal = 1; nullopt when not set (Windows: local time)
    std::optional<std::uint32_t> real_time_is_universal; // the value as read
    std::optional<bool> rdp_allowed;                     // fDenyTSConnections = 0 (policy copy wins)
    std::string rdp_evidence;
    std::optional<bool> hiberboot_enabled; // Fast Startup
    std::optional<bool> hibernate_enabled;
    bool pending_reboot = false;
    std::vector<std::string> pending_reboot_evidence;
    std::vector<std::string> group_policies; // GPO names applied
    std::vector<std::string> antivirus;      // installed antivirus products
    // Fact areas that could not be read, with the reason (the hive could not be opened, a key lies in a
    // damaged hive bin, a value has the wrong type...). Checks using an area listed here say "unknown" rather
    // than decide on what was not read. Areas: version, control_set, network, services, drivers, display,
    // applications, sysprep, san_policy, rtc, rdp, power, pending_reboot, group_policy.
    std::map<std::string, std::string> unreadable;
    std::vector<HiveFacts> hives; // SYSTEM and SOFTWARE: opened, dirty, replayed, damaged
    std::vector<std::string> warnings;

    // The reason an area could not be read, or "" when it could.
    std::string unreadable_reason(const std::string& area) const {
        auto it = unreadable.find(area);
        return it == unreadable.end() ? std::string() : it->second;
    }
};

struct ImageFacts {
    bool readable = false; // the disk content could be read (false: ZVHD2, encrypted container, ...)
    std::string unreadable_reason;
    std::string partition_table = "none"; // gpt mbr none
    std::string boot_mode = "unknown";    // bios uefi unknown
    std::string boot_evidence;
    bool encrypted = false; // any encrypted volume (BitLocker, BitLocker To Go, LUKS)
    int disks = 1;          // disks in the image (2 for an OVA with two disks)
    std::uint32_t sector_size = 512;
    std::vector<PartitionFacts> partitions;
    std::optional<bool> boot_on_same_disk; // boot files and Windows on this disk
    std::optional<WindowsFacts> windows;   // nullopt when the disk is not Windows (or unreadable)
    std::string not_windows_reason;        // "no Windows system volume: partitions hold ext4, swap"
    std::vector<std::string> warnings;     // partition-table inconsistencies, hive dirty, ... (with offsets)
    std::uint64_t bytes_read = 0;          // inspection statistics
    double seconds = 0;
    std::vector<ImageFacts> per_disk; // OVA: each disk's own facts (this object describes the Windows disk)
    int windows_disk_index = 0;       // which per_disk entry this object describes
};

// JSON forms (the `facts` object of `imgprep inspect --json`, schema 1).
Json to_json(const ImageFacts& f);
Json to_json(const WindowsFacts& w);
Json to_json(const ServiceFacts& s);

} // namespace imgprep
