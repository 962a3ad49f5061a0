// The requirement checklist: evaluates an image's facts against the catalogue ("Preparing an Image File",
// Table 1, Table 2, Other, and extra checks from the linked pages), summarises a verdict, and renders JSON.
//
//   auto results = evaluate_checks(summary, facts, confirmations, [](const CheckResult& r) { show(r); });
//   Summary s = summarize(summary, facts, results);
//   Json doc = check_document(image_json, facts_json, results, s);   // `imgprep check --json`
//
// Every check is a function of (ImageSummary, ImageFacts, Confirmations); checks run independently and a
// check that throws is reported as "unknown" without stopping the others.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checks/catalogue.h"
#include "checks/password.h"
#include "inspect/facts.h"
#include "util/json.h"

namespace imgprep {

enum class CheckStatus : std::uint8_t {
    Pass,    // requirement met
    Fail,    // requirement not met (blocks the import when the check is required)
    Warn,    // advised item not met, or met with a caveat the user must act on
    Info,    // optional item: nothing to fix, something to know
    Manual,  // cannot be checked offline: the user must confirm it
    Unknown, // the engine could not tell (the message says why)
};
inline constexpr std::size_t kCheckStatusCount = 6;

const char* to_string(CheckStatus s); // "pass" "fail" "warn" "info" "manual" "unknown"
std::optional<CheckStatus> check_status_from_string(std::string_view s);

struct CheckResult {
    std::string id;    // stable public id ("network.dhcp")
    std::string table; // "1" "2" "other" "extra"
    std::string level; // "required" "advised" "optional" "manual"
    std::string title;
    std::string rule; // the requirement in one sentence (from the catalogue)
    CheckStatus status = CheckStatus::Unknown;
    std::string message;                  // what was found, in one or two sentences; for unknown: why not
    std::vector<std::string> evidence;    // facts used: registry values, files, partitions
    std::vector<std::string> remediation; // what to do (empty when the check passes)
    DocRef doc;
};

// What the user has confirmed for checks that cannot be decided offline.
struct Confirmations {
    std::set<std::string> confirmed;        // ids of manual checks the user confirmed
    std::optional<PasswordReport> password; // check_password() run on the image's initial password

    void confirm(std::string id) { confirmed.insert(std::move(id)); }
    bool is_confirmed(std::string_view id) const { return confirmed.count(std::string(id)) != 0; }
};

// Adds confirmations given by id (e.g. from `--confirm a,b`): each id must name a check the catalogue lists
// as manual, or one without an implementation (which is reported as manual). The error names the offending
// id.
Status confirm_checks(Confirmations& confirmations, const std::vector<std::string>& ids,
                      const Catalogue& catalogue = builtin_catalogue());

using CheckCallback = std::function<void(const CheckResult&)>;

// Runs every check of the built-in catalogue, in catalogue order; on_result is called as each one finishes.
std::vector<CheckResult> evaluate_checks(const ImageSummary& image, const ImageFacts& facts,
                                         const Confirmations& confirmations = {},
                                         const CheckCallback& on_result = {});
// Same with a given catalogue. A catalogue id with no implementation becomes a manual check.
std::vector<CheckResult> evaluate_checks(const Catalogue& catalogue, const ImageSummary& image,
                                         const ImageFacts& facts, const Confirmations& confirmations,
                                         const CheckCallback& on_result = {});

// How the image file can be imported (image.size's params). GiB = 2^30 bytes.
struct ImportPlan {
    std::string path = "unknown";     // "direct" (<= 128 GiB), "fast" (128 GiB - 1 TiB, RAW or ZVHD2),
                                      // "unsupported" (> 1 TiB), "unknown" (no size known)
    std::uint64_t measured_bytes = 0; // the size compared with the limits
    std::string measured;             // "file" (the image file as it is) or "virtual" (a disk that must
                                      // still be converted: its converted file is at most this big)
    bool format_ready = false;        // the format suits that path as it is (fast: RAW or ZVHD2 already)
    std::optional<std::uint64_t> min_system_disk_gb; // virtual size rounded up to whole GiB
};
ImportPlan plan_import(const ImageSummary& image, const Catalogue& catalogue = builtin_catalogue());

struct Summary {
    std::string verdict;     // "ready", "not_ready", "incomplete" (only unknowns block)
    std::string import_path; // as ImportPlan::path
    std::optional<std::uint64_t> min_system_disk_gb;     // enter at least this many GB as system disk size
    std::optional<std::uint64_t> console_system_disk_gb; // the same clamped to the console's 40-1024 GB range
    std::string register_os;        // OS to select when registering ("Windows Server 2016 Datacenter 64bit",
                                    // "Other_Windows (64_bit)"), "" unknown
    std::string register_boot_mode; // "BIOS", "UEFI", "" unknown
    std::array<int, kCheckStatusCount> counts{};    // indexed by CheckStatus
    std::vector<std::string> pending_confirmations; // ids of checks in status manual
    std::vector<std::string> blockers;              // ids that keep the verdict from "ready"
};

// Verdict: "ready" when no required check is fail or unknown and no manual check failed (a failed password
// test); otherwise "incomplete" when every blocker is unknown, else "not_ready". Manual checks that are still
// pending are listed, never counted as passed.
Summary summarize(const ImageSummary& image, const ImageFacts& facts, const std::vector<CheckResult>& results,
                  const Catalogue& catalogue = builtin_catalogue());

// JSON (schema 1, see docs/json-schema.md).
Json to_json(const CheckResult& r);
Json checks_to_json(const std::vector<CheckResult>& results);
Json summary_to_json(const Summary& s);
// The whole `imgprep check --json` document: {"schema": 1, "tool", "image", "facts", "checks", "summary"}.
// image and facts are passed in already rendered (image_section(), to_json(ImageFacts)); tool may be null.
Json check_document(Json image, Json facts, const std::vector<CheckResult>& results, const Summary& s,
                    Json tool = {});

// Guided remediation: a commented PowerShell script for the failed and warned checks, to be run by an
// administrator inside the source VM before exporting again. Nothing is run by imgprep. Every step starts
// with a line "# imgprep-step: <check id>", is idempotent and says what it changes (Write-Host); the script
// takes -DryRun to only print what it would change.
struct RemediationOptions {
    bool include_sysprep = false; // add the Sysprep step even when tools.sysprep is not fail/warn
    std::string image_name;       // shown in the header comment
};
std::string remediation_script(const std::vector<CheckResult>& results, const ImageFacts& facts,
                               const RemediationOptions& options = {},
                               const Catalogue& catalogue = builtin_catalogue());
// Check ids that have a step in the script, in script order.
const std::vector<std::string>& remediation_step_ids();

} // namespace imgprep
