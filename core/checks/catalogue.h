// The requirement catalogue: every check's id, table, level, title, rule, documentation page and remediation
// steps, plus the Windows OS lists (supported OSs, OSs supporting UEFI boot). All of it is data
// (resources/checks/*.json, embedded at build time): a new cloud rule or OS is a data change.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"
#include "util/result.h"

namespace imgprep {

// Where a requirement is written down.
struct DocRef {
    std::string page;    // file name of the ims-docs page, or of the seed page (000_7afcd1d3a26f5565.txt)
    std::string title;   // the page's title
    std::string topic;   // the page's topic id (en-us_topic_...), also its name on the documentation site
    std::string section; // where on the page (or on "Preparing an Image File") the rule is
};

struct CheckDef {
    std::string id;     // stable public id, e.g. "network.dhcp"
    std::string table;  // "1", "2", "other", "extra"
    std::string level;  // "required", "advised", "optional", "manual"
    std::string family; // network tools drivers os image disk boot account windows_state
    std::string title;
    std::string rule; // the requirement in one sentence
    DocRef doc;
    std::vector<std::string> remediation;
    Json params; // check-specific data (limits, format lists, recommended settings); object or null
};

// One entry of an OS list: a product with the editions and bitness the page lists for it.
struct OsEntry {
    std::string product;                // "Windows Server 2016" (imgprep's product names, see os_identity.h)
    std::vector<std::string> editions;  // "Standard", "Datacenter", ...; empty means any edition
    std::vector<int> bits;              // 32 and/or 64
    std::vector<std::string> listed_as; // the page's rows this entry stands for
};

struct OsList {
    std::string title;
    DocRef source;
    std::vector<OsEntry> windows;
    // Edition name -> EditionID registry values (only in supported_os.json; shared by both lists).
    std::map<std::string, std::vector<std::string>> edition_ids;
    std::map<int, std::string>
        other; // bits -> registration name for unlisted Windows ("Other_Windows (64_bit)")

    // The entry listing product + edition + bits (edition compared case-insensitively), or nullptr.
    const OsEntry* find(std::string_view product, std::string_view edition, int bits) const;
    // The page row for that match ("Windows Server 2016 Datacenter 64bit"), or "" when not listed.
    std::string listed_as(std::string_view product, std::string_view edition, int bits) const;
};

struct Catalogue {
    std::vector<CheckDef> checks; // in catalogue order (Table 1, Table 2, Other, extra)
    OsList supported_os;
    OsList uefi_os;
    std::string load_error; // non-empty when the embedded data could not be parsed (a build defect)

    const CheckDef* find(std::string_view id) const;
};

// Parses the three JSON documents. Errors name the document and the offending entry.
Result<Catalogue> parse_catalogue(const std::string& catalogue_json, const std::string& supported_os_json,
                                  const std::string& uefi_os_json);

// The catalogue embedded at build time, parsed once (thread-safe). Never throws: if the embedded data is
// broken, load_error says why and evaluate_checks() reports every check as "unknown".
const Catalogue& builtin_catalogue();

// Valid values of CheckDef::table and CheckDef::level.
bool is_valid_table(std::string_view t);
bool is_valid_level(std::string_view l);

} // namespace imgprep
