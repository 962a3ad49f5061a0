// Guided remediation: a PowerShell script for the failed and warned checks, run by an administrator inside
// the source VM before exporting again. Nothing here runs it. Facts come from an untrusted image, so
// everything taken from them is reduced to printable ASCII and put only into comments or single-quoted
// strings.
#include <map>
#include <set>

#include "checks/common.h"

namespace imgprep {

using namespace checks_detail;

const std::vector<std::string>& remediation_step_ids() {
    static const std::vector<std::string> ids = {"disk.not_encrypted",
                                                 "network.dhcp",
                                                 "windows.san_policy",
                                                 "tools.cloudbase_init",
                                                 "cloudbase_init.config",
                                                 "windows.rtc_utc",
                                                 "windows.rdp",
                                                 "drivers.virtio",
                                                 "drivers.virtio_boot",
                                                 "windows.legacy_hypervisor_tools",
                                                 "windows.pending_reboot",
                                                 "windows.clean_shutdown",
                                                 "tools.sysprep"};
    return ids;
}

namespace {

// Printable ASCII only (no CR/LF, no Unicode quotes that PowerShell would treat as quote characters).
std::string ascii(std::string_view s, std::size_t max = 400) {
    std::string out;
    for (char ch : s) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        out += (ch >= 0x20 && ch <= 0x7e) ? ch : '?';
    }
    return out;
}

std::string quote(std::string_view s) {
    std::string out = "'";
    for (char ch : ascii(s, 1000)) {
        if (ch == '\'') out += '\'';
        out += ch;
    }
    return out + "'";
}

bool safe_guid(const std::string& g) {
    if (g.size() != 38 || g.front() != '{' || g.back() != '}') return false;
    for (std::size_t i = 1; i + 1 < g.size(); ++i) {
        char ch = g[i];
        bool dash = i == 9 || i == 14 || i == 19 || i == 24;
        if (dash ? ch != '-'
                 : !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
            return false;
    }
    return true;
}

bool safe_windows_path(const std::string& p) {
    if (p.size() < 4 || p.size() > 260 || !(p[1] == ':' && p[2] == '\\')) return false;
    for (char ch : p)
        if (!(is_alnum(ch) || ch == ' ' || ch == '_' || ch == '-' || ch == '.' || ch == '\\' || ch == ':' ||
              ch == '(' || ch == ')'))
            return false;
    return true;
}

class Script {
  public:
    void line(const std::string& s = {}) { text_ += s + "\n"; }
    void comment(const std::string& s) { line("# " + ascii(s)); }
    void say(const std::string& s) { line("Write-Host " + quote(s)); }
    void raw(const char* block) { text_ += block; }
    const std::string& text() const { return text_; }

  private:
    std::string text_;
};

const char* kPreamble = R"ps(param([switch]$DryRun)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    Write-Host 'Run this script as Administrator (right-click PowerShell > Run as administrator).'
    exit 1
}
if ($DryRun) { Write-Host 'Dry run: nothing will be changed.' }

# Runs $Action unless -DryRun was given; always says what it changes.
function Invoke-ImgprepChange {
    param([string]$What, [scriptblock]$Action)
    if ($DryRun) {
        Write-Host ('  would: ' + $What)
        return
    }
    Write-Host ('  change: ' + $What)
    & $Action
}

# Sets a REG_DWORD value when it differs.
function Set-ImgprepDword {
    param([string]$Path, [string]$Name, [int]$Value)
    $current = $null
    $item = Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue
    if ($item) { $current = $item.$Name }
    if ($current -eq $Value) {
        Write-Host ('  unchanged: {0}\{1} is already {2}' -f $Path, $Name, $Value)
        return
    }
    Invoke-ImgprepChange ('set {0}\{1} = {2} (was: {3})' -f $Path, $Name, $Value, $current) {
        if (-not (Test-Path -LiteralPath $Path)) { New-Item -Path $Path -Force | Out-Null }
        New-ItemProperty -LiteralPath $Path -Name $Name -Value $Value -PropertyType DWord -Force | Out-Null
    }
}

# Sets key=value in the [DEFAULT] section of an INI file (cloudbase-init.conf) when it differs. The last
# occurrence of a key wins (as oslo.config reads it); all occurrences are replaced by one line at the end of
# [DEFAULT]. $Contains: accept the current value when it contains this text. A backup is kept once.
function Set-ImgprepIniValue {
    param([string]$Path, [string]$Key, [string]$Value, [string]$Contains)
    if (-not (Test-Path -LiteralPath $Path)) {
        Write-Host ('  skipped: {0} not found' -f $Path)
        return
    }
    $lines = @(Get-Content -LiteralPath $Path)
    $section = ''
    $found = @()
    $ok = $false
    $insertAt = -1
    $hasDefault = $false
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $t = ([string]$lines[$i]).Trim()
        if ($t -match '^\[(.+)\]$') {
            if ($section -eq 'DEFAULT' -and $insertAt -lt 0) { $insertAt = $i }
            $section = $matches[1].Trim().ToUpper()
            if ($section -eq 'DEFAULT') { $hasDefault = $true }
            continue
        }
        if ($section -ne 'DEFAULT') { continue }
        if ($t -match '^([A-Za-z0-9_]+)\s*=\s*(.*)$' -and $matches[1] -eq $Key) {
            $found += $i
            $v = $matches[2].Trim()
            if ($Contains) { $ok = $v.ToLower().Contains($Contains.ToLower()) } else { $ok = ($v -eq $Value) }
        }
    }
    if ($section -eq 'DEFAULT' -and $insertAt -lt 0) { $insertAt = $lines.Count }
    if ($ok) {
        Write-Host ('  unchanged: {0} already has {1}' -f $Path, $Key)
        return
    }
    Invoke-ImgprepChange ('set {0}={1} in [DEFAULT] of {2}' -f $Key, $Value, $Path) {
        $backup = $Path + '.imgprep-backup'
        if (-not (Test-Path -LiteralPath $backup)) { Copy-Item -LiteralPath $Path -Destination $backup }
        $out = New-Object System.Collections.ArrayList
        if (-not $hasDefault) {
            [void]$out.Add('[DEFAULT]')
            [void]$out.Add($Key + '=' + $Value)
        }
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($hasDefault -and $i -eq $insertAt) { [void]$out.Add($Key + '=' + $Value) }
            if ($found -contains $i) { continue }
            [void]$out.Add($lines[$i])
        }
        if ($hasDefault -and $insertAt -ge $lines.Count) { [void]$out.Add($Key + '=' + $Value) }
        Set-Content -LiteralPath $Path -Value $out.ToArray() -Encoding ASCII
    }
}
)ps";

const CheckResult* find_result(const std::vector<CheckResult>& results, const std::string& id) {
    for (const auto& r : results)
        if (r.id == id) return &r;
    return nullptr;
}

bool needs_step(const CheckResult* r) {
    return r && (r->status == CheckStatus::Fail || r->status == CheckStatus::Warn);
}

void step_header(Script& s, const CheckResult& r, const std::string& what) {
    s.line();
    s.line("# imgprep-step: " + r.id);
    s.comment(r.title + " (" + to_string(r.status) + ", " + r.level + ") - " + r.doc.title);
    if (!r.message.empty()) s.comment("Found: " + r.message);
    std::size_t n = 0;
    for (const auto& e : r.evidence)
        if (n++ < 12) s.comment("  " + e);
    s.say("[" + r.id + "] " + what);
}

void step_encryption(Script& s, const CheckResult& r) {
    step_header(s, r, "Turn BitLocker off on every volume");
    s.raw(R"ps(try {
    $volumes = @(Get-WmiObject -Namespace 'root\CIMV2\Security\MicrosoftVolumeEncryption' -Class Win32_EncryptableVolume)
} catch {
    $volumes = @()
    Write-Host '  BitLocker WMI provider not available: check with manage-bde -status'
}
foreach ($volume in $volumes) {
    $state = $volume.GetConversionStatus()
    if ($state.ConversionStatus -eq 0) {
        Write-Host ('  unchanged: volume {0} is fully decrypted' -f $volume.DriveLetter)
        continue
    }
    Invoke-ImgprepChange ('decrypt volume {0} (manage-bde -off)' -f $volume.DriveLetter) { [void]$volume.Decrypt() }
}
Write-Host '  Decryption runs in the background: wait until manage-bde -status shows Fully Decrypted for every volume.'
)ps");
}

void step_dhcp(Script& s, const CheckResult& r, const ImageFacts& facts) {
    step_header(s, r, "Switch network adapters to DHCP");
    s.comment("Run this from the VM console: changing the address drops Remote Desktop sessions.");
    s.raw(
        R"ps($adapters = @(Get-WmiObject -Class Win32_NetworkAdapterConfiguration -Filter 'IPEnabled = TRUE')
foreach ($nic in $adapters) {
    if ($nic.DHCPEnabled) {
        Write-Host ('  unchanged: {0} already uses DHCP' -f $nic.Description)
        continue
    }
    Write-Host ('  {0} has static address(es) {1}: note them if you may need them again' -f $nic.Description, ($nic.IPAddress -join ', '))
    Invoke-ImgprepChange ('enable DHCP and automatic DNS servers on {0}' -f $nic.Description) {
        $result = $nic.EnableDHCP()
        if ($result.ReturnValue -gt 1) { throw ('EnableDHCP failed with code ' + $result.ReturnValue) }
        [void]$nic.SetDNSServerSearchOrder()
    }
}
)ps");
    // Interfaces bound to a network adapter with a static address (network.dhcp's failures), including those
    // of adapters that are not present now (the adapter of the old hypervisor): their registry keys are
    // switched as well.
    std::vector<std::string> guids;
    if (facts.windows)
        for (const auto& i : facts.windows->interfaces)
            if (i.static_adapter() && safe_guid(i.guid)) guids.push_back(quote(i.guid));
    if (!guids.empty()) {
        s.comment("Adapter interfaces the image has with a static address (also adapters not present now):");
        s.line("foreach ($guid in @(" + join(guids, ", ") + ")) {");
        s.line("    $key = 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters\\Interfaces\\' + "
               "$guid");
        s.line("    if (Test-Path -LiteralPath $key) { Set-ImgprepDword $key 'EnableDHCP' 1 }");
        s.line("}");
    }
}

void step_san(Script& s, const CheckResult& r) {
    step_header(s, r, "SAN policy OnlineAll");
    s.raw(
        R"ps($sanItem = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Services\partmgr\Parameters' -Name SanPolicy -ErrorAction SilentlyContinue
$sanPolicy = $null
if ($sanItem) { $sanPolicy = $sanItem.SanPolicy }
if ($sanPolicy -eq 1) {
    Write-Host '  unchanged: the SAN policy is already OnlineAll'
} else {
    Invoke-ImgprepChange ('diskpart: san policy=onlineall (SanPolicy was: {0})' -f $sanPolicy) {
        $diskpartScript = [IO.Path]::GetTempFileName()
        Set-Content -LiteralPath $diskpartScript -Value 'san policy=onlineall' -Encoding ASCII
        & diskpart.exe /s $diskpartScript | Out-Host
        Remove-Item -LiteralPath $diskpartScript
    }
}
)ps");
}

void step_cloudbase_install(Script& s, const CheckResult& r, const ImageFacts& facts) {
    step_header(s, r, "Cloudbase-Init");
    bool x86 = facts.windows && facts.windows->arch == "x86";
    s.raw(R"ps($cloudbaseService = Get-WmiObject -Class Win32_Service -Filter "Name='cloudbase-init'"
if ($cloudbaseService) {
    Write-Host ('  installed: service state {0}, start mode {1}' -f $cloudbaseService.State, $cloudbaseService.StartMode)
    if ($cloudbaseService.StartMode -eq 'Disabled') {
        Invoke-ImgprepChange 'set the cloudbase-init service to start automatically' { & sc.exe config cloudbase-init start= auto | Out-Host }
    }
} else {
    Write-Host '  Cloudbase-Init is not installed. This script does not install it; download and run:'
)ps");
    s.line(std::string("    Write-Host ") +
           quote(std::string("    https://www.cloudbase.it/downloads/CloudbaseInitSetup_Stable_") +
                 (x86 ? "x86" : "x64") + ".msi"));
    s.raw(
        R"ps(    Write-Host '  Keep the default path; Username: Administrator; serial port for logging: COM1;'
    Write-Host '  leave "Run Cloudbase-Init service as LocalSystem" unselected; on Windows Server leave both'
    Write-Host '  options of the last page unselected. On a desktop Windows enable the Administrator account first.'
    Write-Host '  Then run this script again (or configure cloudbase-init.conf as the next step describes).'
}
)ps");
}

void step_cloudbase_config(Script& s, const CheckResult& r, const ImageFacts& facts, const Catalogue& cat) {
    step_header(s, r, "cloudbase-init.conf settings");
    const CheckDef* def = cat.find("cloudbase_init.config");
    const CloudbaseInitFacts* cb = facts.windows ? &facts.windows->cloudbase_init : nullptr;
    std::vector<ConfigFix> fixes = (def && cb) ? cloudbase_config_fixes(*cb, *def) : std::vector<ConfigFix>{};
    // When the facts cannot say which settings differ (e.g. the file was not found), set all recommended
    // ones.
    if (fixes.empty() && def)
        for (const auto& st : def->params.get("settings").as_array())
            fixes.push_back({"cloudbase-init.conf", lower(st.get("key").as_string()),
                             st.get("value").as_string(), "", false});
    s.raw(R"ps($programFiles = $env:ProgramFiles
if ($env:ProgramW6432) { $programFiles = $env:ProgramW6432 }
$cloudbaseConf = Join-Path $programFiles 'Cloudbase Solutions\Cloudbase-Init\conf'
)ps");
    if (cb && safe_windows_path(cb->config_path)) {
        s.comment("The image's configuration file:");
        s.line("$imageConf = " + quote(cb->config_path));
        s.line("if (Test-Path -LiteralPath $imageConf) { $cloudbaseConf = Split-Path -Parent $imageConf }");
    }
    std::map<std::string, std::string> contains;
    if (def)
        for (const auto& st : def->params.get("settings").as_array())
            if (st.has("contains"))
                contains[lower(st.get("key").as_string())] = st.get("contains").as_string();
    std::set<std::string> seen;
    for (const auto& f : fixes) {
        if (!seen.insert(f.file + "|" + f.key).second) continue;
        auto it = contains.find(f.key);
        s.line("Set-ImgprepIniValue (Join-Path $cloudbaseConf " + quote(f.file) + ") " + quote(f.key) + " " +
               quote(f.value) + " " + quote(it == contains.end() ? "" : it->second));
    }
    if (def && cb)
        for (const auto& p : cloudbase_discouraged_plugins(*cb, *def))
            s.say("  Remove " + p +
                  " from the plugins option by hand: the WinRM plugins use weak cryptography.");
    s.say("  Before exporting, run ipconfig /release (it interrupts the network until the next start).");
}

void step_rtc(Script& s, const CheckResult& r) {
    step_header(s, r, "Hardware clock in UTC (RealTimeIsUniversal = 1)");
    s.comment(
        "After this the source VM shows the wrong time until it runs with a UTC clock (as on the cloud).");
    s.line("Set-ImgprepDword 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\TimeZoneInformation' "
           "'RealTimeIsUniversal' 1");
    s.say(
        "  With Cloudbase-Init also set real_time_clock_utc=true, or it sets RealTimeIsUniversal back to 0.");
}

void step_rdp(Script& s, const CheckResult& r) {
    step_header(s, r, "Enable Remote Desktop");
    s.raw(
        R"ps(Set-ImgprepDword 'HKLM:\SYSTEM\CurrentControlSet\Control\Terminal Server' 'fDenyTSConnections' 0
Invoke-ImgprepChange 'enable the Remote Desktop rules of Windows Firewall' {
    & netsh.exe advfirewall firewall set rule 'group=@FirewallAPI.dll,-28752' new enable=yes | Out-Host
}
$rdpPolicy = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services' -Name fDenyTSConnections -ErrorAction SilentlyContinue
if ($rdpPolicy -and $rdpPolicy.fDenyTSConnections -eq 1) {
    Write-Host '  note: a Group Policy denies Remote Desktop (Policies\...\Terminal Services fDenyTSConnections = 1); change that policy.'
}
)ps");
}

void step_virtio(Script& s, const CheckResult& r, const ImageFacts& facts) {
    step_header(s, r, "VirtIO drivers");
    bool x86 = facts.windows && facts.windows->arch == "x86";
    s.raw(R"ps(foreach ($driverName in @('viostor', 'vioscsi', 'netkvm')) {
    $driver = Get-WmiObject -Class Win32_SystemDriver -Filter ("Name='" + $driverName + "'")
    if ($driver) { Write-Host ('  {0}: installed, start mode {1}' -f $driverName, $driver.StartMode) }
    else { Write-Host ('  {0}: not installed' -f $driverName) }
}
Write-Host '  This script does not install drivers. Download a VirtIO driver package from'
Write-Host '    https://fedorapeople.org/groups/virt/virtio-win/direct-downloads/archive-virtio/'
)ps");
    s.say(std::string("  From the VM console (not over Remote Desktop) run virtio-win-gt-") +
          (x86 ? "x86" : "x64") +
          ".msi as administrator, select all drivers, restart, and check them in Device Manager.");
}

void step_virtio_boot(Script& s, const CheckResult& r, const ImageFacts& facts) {
    step_header(s, r, "Register the VirtIO storage driver to start at boot");
    s.raw(R"ps(foreach ($driverName in @('viostor', 'vioscsi')) {
    $key = 'HKLM:\SYSTEM\CurrentControlSet\Services\' + $driverName
    if (-not (Test-Path -LiteralPath $key)) {
        Write-Host ('  {0}: not installed; install the VirtIO package first (drivers.virtio)' -f $driverName)
        continue
    }
    $driverFile = Join-Path $env:SystemRoot ('System32\drivers\' + $driverName + '.sys')
    if (-not (Test-Path -LiteralPath $driverFile)) {
        Write-Host ('  {0}: {1} is missing; reinstall the VirtIO package' -f $driverName, $driverFile)
        continue
    }
    Set-ImgprepDword $key 'Start' 0
    $override = $key + '\StartOverride'
    if (Test-Path -LiteralPath $override) {
        Invoke-ImgprepChange ('remove {0} (it disables the boot start)' -f $override) { Remove-Item -LiteralPath $override -Recurse }
    }
}
)ps");
    const WindowsFacts* w = facts.windows ? &*facts.windows : nullptr;
    bool old =
        w && ((w->major_version && *w->major_version < 10 && w->minor_version && *w->minor_version <= 1) ||
              w->current_version == "6.1" || w->current_version == "6.0");
    if (old) {
        s.say("  Windows 7 / Server 2008 R2 and older: the driver boots the disk only after it has been "
              "bound to a "
              "VirtIO disk once.");
        s.say("  Attach a small VirtIO disk to the source VM, let Windows install the driver for it, then "
              "remove it.");
    }
    s.say(
        "  Keep 'Enable automatic configuration' selected when registering: the cloud then restores the IDE "
        "driver for the first start.");
}

void step_legacy_tools(Script& s, const CheckResult& r, const ImageFacts& facts) {
    step_header(s, r, "Tools of the old hypervisor");
    if (facts.windows)
        for (const auto& t : facts.windows->legacy_tools)
            s.comment("Found in the image: " + t);
    s.raw(
        R"ps($toolPatterns = @('VMware Tools', 'Xen', 'VirtualBox Guest Additions', 'Citrix', 'Parallels Tools')
foreach ($uninstallRoot in @('HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall', 'HKLM:\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Uninstall')) {
    if (-not (Test-Path -LiteralPath $uninstallRoot)) { continue }
    foreach ($entry in @(Get-ChildItem -LiteralPath $uninstallRoot)) {
        $props = Get-ItemProperty -LiteralPath $entry.PSPath -ErrorAction SilentlyContinue
        if (-not $props) { continue }
        if (-not $props.PSObject.Properties['DisplayName']) { continue }
        $displayName = [string]$props.DisplayName
        foreach ($pattern in $toolPatterns) {
            if ($displayName -like ('*' + $pattern + '*')) {
                Write-Host ('  installed: {0}' -f $displayName)
            }
        }
    }
}
Write-Host '  This script does not uninstall them: after the VirtIO drivers are installed, remove them in'
Write-Host '  Programs and Features, restart, and shut down cleanly.'
)ps");
}

void step_pending_reboot(Script& s, const CheckResult& r) {
    step_header(s, r, "Pending updates / reboot");
    s.raw(R"ps($pending = @()
if (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') { $pending += 'Windows Update RebootRequired' }
if (Test-Path -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') { $pending += 'Component Based Servicing RebootPending' }
$renames = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -Name PendingFileRenameOperations -ErrorAction SilentlyContinue
if ($renames) { $pending += 'PendingFileRenameOperations' }
if ($pending.Count -gt 0) {
    Write-Host ('  pending: {0}. Restart the VM until nothing is pending, then run this script again.' -f ($pending -join ', '))
} else {
    Write-Host '  unchanged: no reboot is pending'
}
)ps");
}

void step_clean_shutdown(Script& s, const CheckResult& r) {
    step_header(s, r, "Hibernation and Fast Startup off; clean shutdown");
    s.raw(
        R"ps($hibernate = Get-ItemProperty -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Power' -Name HibernateEnabled -ErrorAction SilentlyContinue
if ($hibernate -and $hibernate.HibernateEnabled -eq 0) {
    Write-Host '  unchanged: hibernation is already off'
} else {
    Invoke-ImgprepChange 'powercfg /hibernate off (turns hibernation and Fast Startup off, deletes hiberfil.sys)' { & powercfg.exe /hibernate off | Out-Host }
}
$powerKey = 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Power'
if (Test-Path -LiteralPath $powerKey) { Set-ImgprepDword $powerKey 'HiberbootEnabled' 0 }
Write-Host ('  dirty flag of {0}:' -f $env:SystemDrive)
& fsutil.exe dirty query $env:SystemDrive | Out-Host
Write-Host '  If a volume is dirty run chkdsk X: /f on it and restart. Export only after shutdown /s /t 0.'
)ps");
}

void step_sysprep(Script& s, const CheckResult* r) {
    s.line();
    s.line("# imgprep-step: tools.sysprep");
    if (r) {
        s.comment(r->title + " (" + to_string(r->status) + ", " + r->level + ") - " + r->doc.title);
        if (!r->message.empty()) s.comment("Found: " + r->message);
    }
    s.say("[tools.sysprep] Sysprep (only if the ECSs need unique SIDs or must join a domain)");
    s.raw(
        R"ps(Write-Host '  Not run by this script. As the very last step, after Cloudbase-Init is installed and configured:'
Write-Host '    cd "C:\Program Files\Cloudbase Solutions\Cloudbase-Init\conf"'
Write-Host '    C:\Windows\System32\sysprep\sysprep.exe /generalize /oobe /unattend:Unattend.xml'
Write-Host '  Windows must be activated with a rearm count of at least 1 (slmgr.vbs /dlv).'
Write-Host '  Sysprep shuts the VM down: export the image without starting the VM again.'
)ps");
}

} // namespace

std::string remediation_script(const std::vector<CheckResult>& results, const ImageFacts& facts,
                               const RemediationOptions& options, const Catalogue& catalogue) {
    Script s;
    std::vector<std::string> steps;
    for (const auto& id : remediation_step_ids()) {
        const CheckResult* r = find_result(results, id);
        if (needs_step(r) || (id == "tools.sysprep" && options.include_sysprep)) steps.push_back(id);
    }
    s.comment("imgprep remediation script" +
              (options.image_name.empty() ? std::string() : " for " + options.image_name));
    s.comment(
        "Run it INSIDE THE SOURCE VM, as Administrator, from the VM console, before exporting the image");
    s.comment(
        "again. imgprep does not run it. Review every step first: each step is idempotent and prints what");
    s.comment("it changes; with -DryRun it only prints.");
    s.comment("  powershell.exe -ExecutionPolicy Bypass -File imgprep-remediation.ps1 [-DryRun]");
    s.comment("Written for Windows PowerShell 2.0 and later (Windows 7 / Server 2008 R2 and later).");
    s.line("#");
    if (steps.empty()) {
        s.comment("No check that this script can fix failed or warned.");
    } else {
        s.comment("Steps (checks that failed or warned):");
        for (const auto& id : steps) {
            const CheckResult* r = find_result(results, id);
            s.comment("  " + id + (r ? " - " + r->title : std::string()));
        }
    }
    // Failed/warned checks that are fixed outside the VM.
    std::vector<std::string> outside;
    for (const auto& r : results) {
        if (!needs_step(&r)) continue;
        bool in_script = false;
        for (const auto& id : remediation_step_ids())
            in_script = in_script || id == r.id;
        if (!in_script) outside.push_back(r.id + ": " + r.message);
    }
    if (!outside.empty()) {
        s.comment("Not handled here (outside the VM, see imgprep's report):");
        for (const auto& o : outside)
            s.comment("  " + o);
    }
    s.line();
    s.raw(kPreamble);

    for (const auto& id : steps) {
        const CheckResult* r = find_result(results, id);
        if (id == "tools.sysprep") {
            step_sysprep(s, r);
            continue;
        }
        if (!r) continue;
        if (id == "disk.not_encrypted")
            step_encryption(s, *r);
        else if (id == "network.dhcp")
            step_dhcp(s, *r, facts);
        else if (id == "windows.san_policy")
            step_san(s, *r);
        else if (id == "tools.cloudbase_init")
            step_cloudbase_install(s, *r, facts);
        else if (id == "cloudbase_init.config")
            step_cloudbase_config(s, *r, facts, catalogue);
        else if (id == "windows.rtc_utc")
            step_rtc(s, *r);
        else if (id == "windows.rdp")
            step_rdp(s, *r);
        else if (id == "drivers.virtio")
            step_virtio(s, *r, facts);
        else if (id == "drivers.virtio_boot")
            step_virtio_boot(s, *r, facts);
        else if (id == "windows.legacy_hypervisor_tools")
            step_legacy_tools(s, *r, facts);
        else if (id == "windows.pending_reboot")
            step_pending_reboot(s, *r);
        else if (id == "windows.clean_shutdown")
            step_clean_shutdown(s, *r);
    }
    s.line();
    s.say(
        "Done. Review the output above, then shut down with: shutdown /s /t 0 - and export the image again.");
    return s.text();
}

} // namespace imgprep
