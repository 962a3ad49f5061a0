// Registry names and strings: UTF-16 decoding, Latin-1 compressed names, and the upper-casing Windows uses
// to compare names (see hive.h and names.h).
#include <cstdio>
#include <iterator>

#include "registry/hive.h"
#include "registry/names.h"
#include "util/endian.h"
#include "util/text.h"

namespace imgprep::registry {

namespace detail {

std::u16string utf16le_units(std::span<const std::uint8_t> b) {
    std::u16string u;
    u.reserve(b.size() / 2);
    for (std::size_t i = 0; i + 1 < b.size(); i += 2)
        u += char16_t(le16(b.data() + i));
    return u;
}

// UTF-8 -> UTF-16 code units; malformed sequences become U+FFFD (one per bad byte).
std::u16string utf8_to_units(std::string_view s) {
    std::u16string u;
    u.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        auto b0 = std::uint8_t(s[i]);
        char32_t cp = 0xFFFD;
        std::size_t len = 1;
        auto cont = [&](std::size_t k) {
            return i + k < s.size() && (std::uint8_t(s[i + k]) & 0xC0) == 0x80;
        };
        if (b0 < 0x80) {
            cp = b0;
        } else if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
            cp = (char32_t(b0 & 0x1F) << 6) | (std::uint8_t(s[i + 1]) & 0x3F);
            len = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2)) {
            cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(std::uint8_t(s[i + 1]) & 0x3F) << 6) |
                 (std::uint8_t(s[i + 2]) & 0x3F);
            len = 3;
            if (cp < 0x800) cp = 0xFFFD, len = 1;
        } else if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3)) {
            cp = (char32_t(b0 & 0x07) << 18) | (char32_t(std::uint8_t(s[i + 1]) & 0x3F) << 12) |
                 (char32_t(std::uint8_t(s[i + 2]) & 0x3F) << 6) | (std::uint8_t(s[i + 3]) & 0x3F);
            len = 4;
            if (cp < 0x10000 || cp > 0x10FFFF) cp = 0xFFFD, len = 1;
        }
        if (cp >= 0x10000) {
            u += char16_t(0xD800 + ((cp - 0x10000) >> 10));
            u += char16_t(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            u += char16_t(cp);
        }
        i += len;
    }
    return u;
}

std::u16string upcased(std::u16string u) {
    for (auto& c : u)
        c = upcase(c);
    return u;
}

// Upper-cased UTF-16 form of a stored name (compressed = Latin-1 bytes widened, as Windows does).
std::u16string stored_name_key(std::span<const std::uint8_t> raw, bool compressed) {
    std::u16string u;
    if (compressed) {
        u.reserve(raw.size());
        for (auto b : raw)
            u += upcase(char16_t(b));
    } else {
        u = upcased(utf16le_units(raw));
    }
    return u;
}

std::string decode_name(std::span<const std::uint8_t> raw, bool compressed) {
    return compressed ? latin1_to_utf8(raw) : utf16le_to_utf8(raw);
}

// The UTF-16 string up to the first NUL code unit.
std::u16string until_nul(std::span<const std::uint8_t> data) {
    std::u16string u = utf16le_units(data);
    auto nul = u.find(char16_t(0));
    if (nul != std::u16string::npos) u.resize(nul);
    return u;
}

} // namespace detail

using namespace detail;

// ---------------------------------------------------------------------------------------------------------
// strings

std::string utf16le_to_utf8(std::span<const std::uint8_t> bytes) {
    return utf16_units_to_utf8(utf16le_units(bytes));
}

std::string latin1_to_utf8(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (auto b : bytes)
        append_utf8(out, b);
    return out;
}

char16_t upcase(char16_t c) {
    auto pair_even_upper = [](char16_t ch) { return (ch & 1) ? char16_t(ch - 1) : ch; };
    auto pair_odd_upper = [](char16_t ch) { return (ch & 1) ? ch : char16_t(ch - 1); };
    if (c < 0x80) return (c >= u'a' && c <= u'z') ? char16_t(c - 0x20) : c;
    if (c < 0x100) {
        if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return char16_t(c - 0x20);
        if (c == 0xFF) return 0x0178;
        return c;
    }
    if (c <= 0x17F) { // Latin Extended-A
        if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
            return pair_even_upper(c);
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return pair_odd_upper(c);
        return c;
    }
    if (c <= 0x24F) { // Latin Extended-B (the regular pairs)
        if (c >= 0x1CD && c <= 0x1DC) return pair_odd_upper(c);
        if ((c >= 0x1DE && c <= 0x1EF) || (c >= 0x1F8 && c <= 0x21F) || (c >= 0x222 && c <= 0x233) ||
            (c >= 0x246 && c <= 0x24F))
            return pair_even_upper(c);
        return c;
    }
    if (c >= 0x370 && c <= 0x3FF) { // Greek
        if (c == 0x3AC) return 0x386;
        if (c >= 0x3AD && c <= 0x3AF) return char16_t(c - 0x25);
        if (c == 0x3C2) return 0x3A3;
        if ((c >= 0x3B1 && c <= 0x3C1) || (c >= 0x3C3 && c <= 0x3CB)) return char16_t(c - 0x20);
        if (c == 0x3CC) return 0x38C;
        if (c == 0x3CD || c == 0x3CE) return char16_t(c - 0x3F);
        if (c >= 0x3D8 && c <= 0x3EF) return pair_even_upper(c);
        return c;
    }
    if (c >= 0x400 && c <= 0x52F) { // Cyrillic
        if (c >= 0x430 && c <= 0x44F) return char16_t(c - 0x20);
        if (c >= 0x450 && c <= 0x45F) return char16_t(c - 0x50);
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
            return pair_even_upper(c);
        if (c >= 0x4C1 && c <= 0x4CE) return pair_odd_upper(c);
        if (c == 0x4CF) return 0x4C0;
        return c;
    }
    if (c >= 0x561 && c <= 0x586) return char16_t(c - 0x30); // Armenian
    if (c >= 0x1E00 && c <= 0x1EFF) {                        // Latin Extended Additional
        if (c <= 0x1E95 || c >= 0x1EA0) return pair_even_upper(c);
        return c;
    }
    if (c >= 0x2170 && c <= 0x217F) return char16_t(c - 0x10); // small Roman numerals
    if (c >= 0x24D0 && c <= 0x24E9) return char16_t(c - 0x1A); // circled small letters
    if (c >= 0xFF41 && c <= 0xFF5A) return char16_t(c - 0x20); // fullwidth a-z
    return c;
}

bool names_equal(std::string_view a, std::string_view b) {
    return upcased(utf8_to_units(a)) == upcased(utf8_to_units(b));
}

std::string type_name(ValueType t) {
    static const char* const names[] = {"REG_NONE",
                                        "REG_SZ",
                                        "REG_EXPAND_SZ",
                                        "REG_BINARY",
                                        "REG_DWORD",
                                        "REG_DWORD_BIG_ENDIAN",
                                        "REG_LINK",
                                        "REG_MULTI_SZ",
                                        "REG_RESOURCE_LIST",
                                        "REG_FULL_RESOURCE_DESCRIPTOR",
                                        "REG_RESOURCE_REQUIREMENTS_LIST",
                                        "REG_QWORD"};
    auto v = std::uint32_t(t);
    if (v < std::size(names)) return names[v];
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

} // namespace imgprep::registry
