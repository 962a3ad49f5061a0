// Text conversions shared by the on-disk format readers (GPT names, VHD/VHDX locators, ...).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace imgprep {

// Appends the UTF-8 encoding of a Unicode code point.
void append_utf8(std::string& out, std::uint32_t code_point);

// UTF-16 code units to UTF-8, every unit kept (embedded NULs too: registry strings hold them); unpaired
// surrogates become U+FFFD. The one UTF-16 decoder of the core (FAT long names, registry, GPT, VHD/VHDX).
std::string utf16_units_to_utf8(std::u16string_view units);

// UTF-16 bytes (little-endian unless big_endian) to UTF-8; stops at the first NUL; unpaired surrogates become
// U+FFFD.
std::string utf16_to_utf8(std::span<const std::uint8_t> bytes, bool big_endian = false);

// A Windows path as written in image metadata, as a path this platform can try: "\\?\" prefix dropped,
// '\' -> '/', lexically normalised (".\a" -> "a").
std::string windows_path_to_generic(std::string path);

} // namespace imgprep
