#include "checks/common.h"

#include <cstdio>

#include "util/format.h"

namespace imgprep::checks_detail {

CheckStatus CheckContext::not_met() const {
    if (def.level == "required") return CheckStatus::Fail;
    if (def.level == "advised") return CheckStatus::Warn;
    if (def.level == "optional") return CheckStatus::Info;
    return CheckStatus::Manual;
}

CheckOutcome make_outcome(CheckStatus s, std::string message, std::vector<std::string> evidence) {
    CheckOutcome o;
    o.status = s;
    o.message = std::move(message);
    o.evidence = std::move(evidence);
    return o;
}

std::string unreadable_text(const WindowsFacts& w, std::initializer_list<const char*> areas) {
    std::vector<std::string> out;
    for (const char* a : areas) {
        std::string why = w.unreadable_reason(a);
        if (!why.empty()) out.push_back(std::string(a) + ": " + why);
    }
    return join(out, "; ");
}

CheckOutcome cannot_read(const std::string& what, const std::string& reasons,
                         std::vector<std::string> evidence) {
    evidence.push_back("could not be read: " + reasons);
    return make_outcome(CheckStatus::Unknown,
                        "Cannot tell " + what + ": the registry facts it needs could not be read (" +
                            reasons + ").",
                        std::move(evidence));
}

std::optional<CheckOutcome> need_contents(const CheckContext& c) {
    if (c.facts.readable) return std::nullopt;
    std::string why = c.facts.unreadable_reason;
    if (why.empty()) why = c.image.message;
    if (why.empty()) why = "the disk contents were not inspected";
    return make_outcome(CheckStatus::Unknown,
                        "Cannot tell: the image contents could not be read (" + why + ").");
}

std::optional<CheckOutcome> need_windows(const CheckContext& c) {
    if (auto u = need_contents(c)) return u;
    if (c.facts.windows) return std::nullopt;
    std::string why = c.facts.not_windows_reason.empty() ? "no Windows system volume was found"
                                                         : c.facts.not_windows_reason;
    return make_outcome(CheckStatus::Unknown,
                        "Cannot tell: no Windows installation was found (" + why + ").");
}

std::string control_set(const WindowsFacts& w) {
    if (!w.current_control_set) return "CurrentControlSet";
    char buf[32];
    std::snprintf(buf, sizeof buf, "ControlSet%03u", unsigned(*w.current_control_set % 1000));
    return buf;
}

std::string partition_text(const PartitionFacts& p) {
    std::vector<std::string> parts;
    std::string type = p.type_name.empty() ? p.type : p.type_name;
    if (!type.empty()) parts.push_back(type);
    if (!p.filesystem.empty()) parts.push_back(p.filesystem);
    if (!p.label.empty()) parts.push_back("label \"" + p.label + "\"");
    parts.push_back(human_bytes(p.size) + " at offset " + std::to_string(p.offset));
    return "partition " + std::to_string(p.index) + " (" + join(parts, ", ") + ")";
}

std::string amount(std::uint64_t bytes) {
    if (bytes % kGiB == 0) return std::to_string(bytes / kGiB) + " GiB";
    return human_bytes(bytes) + " (" + std::to_string(bytes) + " bytes)";
}

std::string size_text(std::uint64_t bytes) {
    return std::to_string(bytes) + " bytes (" + human_bytes(bytes) + ")";
}

bool is_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& ch : out)
        if (ch >= 'A' && ch <= 'Z') ch = char(ch - 'A' + 'a');
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && lower(a) == lower(b);
}

bool icontains(std::string_view haystack, std::string_view needle) {
    return lower(haystack).find(lower(needle)) != std::string::npos;
}

bool contains_word(std::string_view haystack, std::string_view word) {
    if (word.empty()) return false;
    std::string h = lower(haystack), w = lower(word);
    for (std::size_t pos = h.find(w); pos != std::string::npos; pos = h.find(w, pos + 1)) {
        bool left = pos == 0 || !is_alnum(h[pos - 1]);
        bool right = pos + w.size() == h.size() || !is_alnum(h[pos + w.size()]);
        if (left && right) return true;
    }
    return false;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

std::string trim(std::string_view s) {
    std::size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n'))
        ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n'))
        --b;
    return std::string(s.substr(a, b - a));
}

std::vector<std::string> json_strings(const Json& j) {
    std::vector<std::string> out;
    for (const auto& v : j.as_array())
        if (v.is_string()) out.push_back(v.as_string());
    return out;
}

} // namespace imgprep::checks_detail
