#include "checks/os_identity.h"

#include "checks/common.h"

namespace imgprep {

using checks_detail::contains_word;
using checks_detail::icontains;
using checks_detail::iequals;

std::string WindowsIdentity::display() const {
    std::string s = product.empty() ? std::string("Windows (version unknown)") : product;
    if (!edition.empty())
        s += " " + edition;
    else if (!edition_id.empty())
        s += " (EditionID " + edition_id + ")";
    if (bits)
        s += " " + std::to_string(bits) + "bit";
    else if (!arch.empty())
        s += " " + arch;
    return s;
}

namespace {

bool is_server(const WindowsFacts& w) {
    return icontains(w.installation_type, "server") || icontains(w.product_name, "server") ||
           icontains(w.edition_id, "server");
}

// "6.3" -> (6, 3)
bool parse_version(const std::string& s, std::uint32_t& major, std::uint32_t& minor) {
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ')
        ++i;
    auto number = [&](std::uint32_t& out) {
        std::size_t start = i;
        out = 0;
        while (i < s.size() && i - start < 3 && s[i] >= '0' && s[i] <= '9')
            out = out * 10 + std::uint32_t(s[i++] - '0');
        return i > start;
    };
    if (!number(major)) return false;
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
    return number(minor);
}

std::string product_from_version(std::uint32_t major, std::uint32_t minor, std::optional<std::uint32_t> build,
                                 bool server) {
    if (major == 10 && minor == 0) {
        if (!build) return {};
        if (server) {
            switch (*build) {
            case 14393:
                return "Windows Server 2016";
            case 17763:
                return "Windows Server 2019";
            case 20348:
                return "Windows Server 2022";
            case 26100:
                return "Windows Server 2025";
            default:
                return "Windows Server (build " + std::to_string(*build) + ")";
            }
        }
        return *build >= 22000 ? "Windows 11" : "Windows 10";
    }
    if (major == 6) {
        switch (minor) {
        case 0:
            return server ? "Windows Server 2008" : "Windows Vista";
        case 1:
            return server ? "Windows Server 2008 R2" : "Windows 7";
        case 2:
            return server ? "Windows Server 2012" : "Windows 8";
        case 3:
            return server ? "Windows Server 2012 R2" : "Windows 8.1";
        default:
            return {};
        }
    }
    if (major == 5) return server ? "Windows Server 2003" : (minor == 1 ? "Windows XP" : "Windows XP/2003");
    return {};
}

// "Windows Server 2008 R2 Enterprise", "Windows Web Server 2008 R2", "Windows 10 Pro" -> product name.
// Plain scanning (no std::regex: ProductName comes from the image and may be long or hostile).
std::string product_from_name(const std::string& name_in) {
    const std::string name = checks_detail::lower(name_in.substr(0, 512));
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    for (std::size_t pos = name.find("server"); pos != std::string::npos;
         pos = name.find("server", pos + 1)) {
        std::size_t i = pos + 6;
        if (i >= name.size() || name[i] != ' ') continue;
        while (i < name.size() && name[i] == ' ')
            ++i;
        if (i + 4 > name.size() || !is_digit(name[i]) || !is_digit(name[i + 1]) || !is_digit(name[i + 2]) ||
            !is_digit(name[i + 3]) || (i + 4 < name.size() && is_digit(name[i + 4])))
            continue;
        std::string year = name.substr(i, 4);
        i += 4;
        while (i < name.size() && name[i] == ' ')
            ++i;
        bool r2 =
            name.compare(i, 2, "r2") == 0 && (i + 2 == name.size() || !checks_detail::is_alnum(name[i + 2]));
        return "Windows Server " + year + (r2 ? " R2" : "");
    }
    static const char* const clients[][2] = {{"11", "11"}, {"10", "10"},       {"8.1", "8.1"}, {"8", "8"},
                                             {"7", "7"},   {"vista", "Vista"}, {"xp", "XP"}};
    for (std::size_t pos = name.find("windows"); pos != std::string::npos;
         pos = name.find("windows", pos + 1)) {
        std::size_t i = pos + 7;
        if (i >= name.size() || name[i] != ' ') continue;
        while (i < name.size() && name[i] == ' ')
            ++i;
        for (const auto& c : clients) {
            std::size_t n = std::char_traits<char>::length(c[0]);
            if (name.compare(i, n, c[0]) != 0) continue;
            if (i + n < name.size() && (checks_detail::is_alnum(name[i + n]) || name[i + n] == '.')) continue;
            return std::string("Windows ") + c[1];
        }
    }
    return {};
}

} // namespace

WindowsIdentity identify_windows(const WindowsFacts& w, const OsList& editions) {
    WindowsIdentity id;
    id.arch = w.arch;
    if (w.arch == "x64")
        id.bits = 64;
    else if (w.arch == "x86")
        id.bits = 32;
    id.edition_id = w.edition_id;

    bool server = is_server(w);
    std::uint32_t major = 0, minor = 0;
    bool have_version = false;
    if (w.major_version && w.minor_version) {
        major = *w.major_version;
        minor = *w.minor_version;
        have_version = true;
    } else if (parse_version(w.current_version, major, minor)) {
        have_version = true;
    }
    std::string from_version = have_version ? product_from_version(major, minor, w.build, server) : "";
    std::string from_name = product_from_name(w.product_name);
    std::string basis;
    if (!from_version.empty()) {
        id.product = from_version;
        basis = "version " + std::to_string(major) + "." + std::to_string(minor) +
                (w.build ? " build " + std::to_string(*w.build) : "") +
                (w.installation_type.empty() ? ""
                 : w.installation_type_derived
                     ? ", InstallationType not set (taken as " + w.installation_type + ")"
                     : ", InstallationType=" + w.installation_type);
    } else if (!w.marketing_name.empty()) {
        id.product = w.marketing_name;
        basis = "the inspector's product name";
    } else if (!from_name.empty()) {
        id.product = from_name;
        basis = "ProductName=" + w.product_name;
    }
    if (!id.product.empty()) {
        std::string line = "identified as " + id.product + " from " + basis;
        if (!w.product_name.empty() && !from_name.empty() && !iequals(from_name, id.product))
            line += " (ProductName says \"" + w.product_name + "\")";
        id.evidence.push_back(line);
    }

    // Edition: the EditionID value through the list's map, else an edition word in ProductName.
    for (const auto& [name, ids] : editions.edition_ids)
        for (const auto& v : ids)
            if (!w.edition_id.empty() && iequals(v, w.edition_id)) id.edition = name;
    if (id.edition.empty() && w.edition_id.empty()) {
        for (const auto& [name, ids] : editions.edition_ids)
            if (contains_word(w.product_name, name)) id.edition = name;
        // Windows 7/10 "Pro" is the Professional edition.
        if (id.edition.empty() && contains_word(w.product_name, "Pro")) id.edition = "Professional";
    }
    if (!w.edition_id.empty())
        id.evidence.push_back(
            "EditionID=" + w.edition_id +
            (id.edition.empty() ? " (not an edition the OS lists name)" : " (edition " + id.edition + ")"));
    if (!w.arch.empty())
        id.evidence.push_back("architecture " + w.arch +
                              (w.arch_evidence.empty() ? "" : " (" + w.arch_evidence + ")"));
    return id;
}

std::string other_windows_name(const OsList& supported, int bits) {
    auto it = supported.other.find(bits);
    if (it != supported.other.end()) return it->second;
    return bits ? "Other_Windows (" + std::to_string(bits) + "_bit)" : "Other_Windows";
}

} // namespace imgprep
