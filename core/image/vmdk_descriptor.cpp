// VMDK text descriptor parsing (VMware "Virtual Disk Format" technical note, section "The Descriptor File").
#include "image/vmdk_descriptor.h"

#include <algorithm>
#include <cstdio>

namespace imgprep::vmdk {
namespace {

constexpr std::size_t kMaxWarnings = 8;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// Next whitespace-separated token of s (s advances past it); empty at the end.
std::string_view next_token(std::string_view& s) {
    s = trim(s);
    std::size_t n = 0;
    while (n < s.size() && !is_space(s[n]))
        ++n;
    std::string_view tok = s.substr(0, n);
    s.remove_prefix(n);
    return tok;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        std::uint64_t d = std::uint64_t(c - '0');
        if (v > (~std::uint64_t{0} - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

bool is_access(std::string_view tok) {
    return iequals(tok, "RW") || iequals(tok, "RDONLY") || iequals(tok, "NOACCESS");
}

} // namespace

std::string Descriptor::get(std::string_view key) const {
    for (const auto& [k, v] : entries)
        if (iequals(k, key)) return v;
    return {};
}

bool Descriptor::has(std::string_view key) const {
    return std::any_of(entries.begin(), entries.end(), [&](const auto& e) { return iequals(e.first, key); });
}

Result<Descriptor> parse_descriptor(std::string_view text, const std::string& file, std::uint64_t base) {
    if (auto nul = text.find('\0'); nul != std::string_view::npos) text = text.substr(0, nul);
    Descriptor d;
    std::size_t pos = 0, line_no = 0, ignored = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3; // UTF-8 byte order mark
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        const std::uint64_t line_off = base + pos;
        std::string_view raw = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++line_no;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            const unsigned char c = static_cast<unsigned char>(raw[i]);
            if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02x", c);
                return make_error(file, line_off + i,
                                  "not a VMDK text descriptor: binary byte " + std::string(hex) +
                                      " on line " + std::to_string(line_no));
            }
        }
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') continue;

        std::string_view rest = line;
        std::string_view first = next_token(rest);
        if (is_access(first)) {
            if (d.extents.size() >= kMaxDescriptorExtents)
                return make_error(file, line_off,
                                  "descriptor lists more than " + std::to_string(kMaxDescriptorExtents) +
                                      " extents; refusing it as corrupt");
            ExtentLine e;
            e.line = line_no;
            e.access = upper(first);
            const std::string where =
                "extent line " + std::to_string(line_no) + " ('" + std::string(line) + "')";
            std::string_view size_tok = next_token(rest);
            if (!parse_u64(size_tok, e.sectors))
                return make_error(file, line_off,
                                  where + ": size '" + std::string(size_tok) +
                                      "' is not a number of sectors");
            std::string_view type_tok = next_token(rest);
            if (type_tok.empty()) return make_error(file, line_off, where + ": the extent type is missing");
            e.type = upper(type_tok);
            rest = trim(rest);
            if (!rest.empty()) {
                if (rest.front() == '"') {
                    std::size_t close = rest.find('"', 1);
                    if (close == std::string_view::npos)
                        return make_error(file, line_off,
                                          where + ": the file name's closing quote is missing");
                    e.file = std::string(rest.substr(1, close - 1));
                    rest.remove_prefix(close + 1);
                } else {
                    e.file = std::string(next_token(rest));
                }
                std::string_view off_tok = next_token(rest);
                if (!off_tok.empty() && !parse_u64(off_tok, e.offset))
                    return make_error(file, line_off,
                                      where + ": offset '" + std::string(off_tok) +
                                          "' is not a number of sectors");
            }
            d.extents.push_back(std::move(e));
            continue;
        }
        std::size_t eq = line.find('=');
        if (eq != std::string_view::npos && eq > 0) {
            std::string_view key = trim(line.substr(0, eq));
            std::string_view value = trim(line.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            else if (!value.empty() && value.front() == '"')
                value.remove_prefix(1); // unbalanced quote: keep what follows it
            d.entries.emplace_back(std::string(key), std::string(value));
            continue;
        }
        if (++ignored <= kMaxWarnings)
            d.warnings.push_back("descriptor line " + std::to_string(line_no) +
                                 " not understood and ignored: '" + std::string(line.substr(0, 80)) + "'");
    }
    return d;
}

} // namespace imgprep::vmdk
