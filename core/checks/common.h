// Internal to core/checks: the context a check function gets, its outcome, and small text helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/checks.h"
#include "util/format.h"

namespace imgprep::checks_detail {

struct CheckContext {
    const ImageSummary& image;
    const ImageFacts& facts;
    const Confirmations& confirmations;
    const CheckDef& def;
    const Catalogue& catalogue;

    // The status for "requirement not met" at this check's level: fail (required), warn (advised),
    // info (optional), manual (manual).
    CheckStatus not_met() const;
    const Json& param(const std::string& key) const { return def.params.get(key); }
};

struct CheckOutcome {
    CheckStatus status = CheckStatus::Unknown;
    std::string message;
    std::vector<std::string> evidence;
    std::vector<std::string> remediation; // specific steps, shown before the catalogue's general steps
};

using CheckFn = CheckOutcome (*)(const CheckContext&);
struct CheckImpl {
    const char* id;
    CheckFn fn;
};

// One list per family file.
std::vector<CheckImpl> network_checks();
std::vector<CheckImpl> tools_checks();
std::vector<CheckImpl> drivers_checks();
std::vector<CheckImpl> os_checks();
std::vector<CheckImpl> image_checks();
std::vector<CheckImpl> disk_checks();
std::vector<CheckImpl> boot_checks();
std::vector<CheckImpl> account_checks();
std::vector<CheckImpl> windows_state_checks();

// The evaluator behind evaluate_checks(), with the implementations given (tests pass their own).
std::vector<CheckResult> run_checks(const Catalogue& catalogue, const std::vector<CheckImpl>& impls,
                                    const ImageSummary& image, const ImageFacts& facts,
                                    const Confirmations& confirmations, const CheckCallback& on_result);
const std::vector<CheckImpl>& all_check_impls();

// Outcomes for checks that need the disk contents / a Windows installation: nullopt when available, else
// "unknown" with the reason (unreadable image, no Windows found).
std::optional<CheckOutcome> need_contents(const CheckContext& c);
std::optional<CheckOutcome> need_windows(const CheckContext& c);
CheckOutcome make_outcome(CheckStatus s, std::string message, std::vector<std::string> evidence = {});
// Why registry fact areas (WindowsFacts::unreadable) could not be read: "" when all of them were read, else
// "<area>: <reason>" for each unreadable one, joined with "; ".
std::string unreadable_text(const WindowsFacts& w, std::initializer_list<const char*> areas);
// An "unknown" outcome for a check whose facts could not be read: "Cannot tell <what>: <reasons>."
CheckOutcome cannot_read(const std::string& what, const std::string& reasons,
                         std::vector<std::string> evidence = {});

// "ControlSet001" (or "CurrentControlSet" when the current set is not known).
std::string control_set(const WindowsFacts& w);
// "partition 2 (Microsoft basic data, ntfs, label "System", 59.5 GiB at offset 1048576)"
std::string partition_text(const PartitionFacts& p);
// "128 GiB" for whole GiB, else "128.0 GiB (137438953473 bytes)" so that values next to a limit read right.
std::string amount(std::uint64_t bytes);
// "137438953472 bytes (128.0 GiB)"
std::string size_text(std::uint64_t bytes);

inline constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;
inline constexpr std::uint64_t kTiB = std::uint64_t{1} << 40;

// Cloudbase-Init settings that differ from the catalogue's recommendation (shared by the check and the
// remediation script).
struct ConfigFix {
    std::string file;    // "cloudbase-init.conf" or "cloudbase-init-unattend.conf"
    std::string key;     // lower-case option name
    std::string value;   // recommended value
    std::string current; // current value, "" when not set
    bool present = false;
};
std::vector<ConfigFix> cloudbase_config_fixes(const CloudbaseInitFacts& cb, const CheckDef& def);
// Discouraged plugins found in the plugins option of either file.
std::vector<std::string> cloudbase_discouraged_plugins(const CloudbaseInitFacts& cb, const CheckDef& def);

// Text helpers (ASCII case folding).
bool is_alnum(char c);
std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view haystack, std::string_view needle);
bool contains_word(std::string_view haystack, std::string_view word); // case-insensitive, alnum boundaries
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string trim(std::string_view s);
std::vector<std::string> json_strings(const Json& j); // array of strings -> vector (other values skipped)

} // namespace imgprep::checks_detail
