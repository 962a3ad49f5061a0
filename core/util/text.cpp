#include "util/text.h"

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

std::string utf16_to_utf8(std::span<const std::uint8_t> b, bool big_endian) {
    std::string out;
    const std::size_t n = b.size() / 2;
    auto unit = [&](std::size_t i) -> std::uint32_t {
        return big_endian ? be16(b.data() + 2 * i) : le16(b.data() + 2 * i);
    };
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t u = unit(i);
        if (u == 0) break;
        if (u >= 0xD800 && u < 0xDC00 && i + 1 < n) {
            std::uint32_t lo = unit(i + 1);
            if (lo >= 0xDC00 && lo < 0xE000) {
                append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                ++i;
                continue;
            }
        }
        if (u >= 0xD800 && u < 0xE000) u = 0xFFFD;
        append_utf8(out, u);
    }
    return out;
}

std::string windows_path_to_generic(std::string p) {
    if (p.rfind("\\\\?\\", 0) == 0) p.erase(0, 4);
    std::replace(p.begin(), p.end(), '\\', '/');
    return std::filesystem::path(p).lexically_normal().generic_string();
}

} // namespace imgprep
