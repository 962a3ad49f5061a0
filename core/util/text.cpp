#include "util/text.h"
#include "io/file_system.h"

#include <algorithm>
#include <filesystem>

#include "util/endian.h"

namespace imgprep {

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

std::string utf16_units_to_utf8(std::u16string_view u) {
    std::string out;
    out.reserve(u.size());
    for (std::size_t i = 0; i < u.size(); ++i) {
        const std::uint32_t c = u[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < u.size() && u[i + 1] >= 0xDC00 && u[i + 1] < 0xE000) {
            append_utf8(out, 0x10000 + ((c - 0xD800) << 10) + (std::uint32_t(u[i + 1]) - 0xDC00));
            ++i;
        } else {
            append_utf8(out, c >= 0xD800 && c < 0xE000 ? 0xFFFD : c);
        }
    }
    return out;
}

std::string utf16_to_utf8(std::span<const std::uint8_t> b, bool big_endian) {
    std::u16string units;
    units.reserve(b.size() / 2);
    for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
        const char16_t u = char16_t(big_endian ? be16(b.data() + i) : le16(b.data() + i));
        if (u == 0) break;
        units += u;
    }
    return utf16_units_to_utf8(units);
}

std::string windows_path_to_generic(std::string p) {
    if (p.rfind("\\\\?\\", 0) == 0) p.erase(0, 4);
    std::replace(p.begin(), p.end(), '\\', '/');
    // The same result on every platform: on Windows lexically_normal() turns '/' into '\\', turned back here.
    std::string n = files::to_utf8(files::to_path(p).lexically_normal());
    std::replace(n.begin(), n.end(), '\\', '/');
    return n;
}

} // namespace imgprep
