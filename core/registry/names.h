// Internal to core/registry: the UTF-16 forms of registry names and strings that the hive reader compares
// and decodes (the public helpers are declared in hive.h). Implemented in names.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace imgprep::registry::detail {

// UTF-16LE bytes to code units (an odd trailing byte is dropped).
std::u16string utf16le_units(std::span<const std::uint8_t> b);
// UTF-8 -> UTF-16 code units; malformed sequences become U+FFFD (one per bad byte).
std::u16string utf8_to_units(std::string_view s);
// Every code unit through upcase().
std::u16string upcased(std::u16string u);
// Upper-cased UTF-16 form of a stored name (compressed = Latin-1 bytes widened, as Windows does).
std::u16string stored_name_key(std::span<const std::uint8_t> raw, bool compressed);
// A stored key or value name as UTF-8.
std::string decode_name(std::span<const std::uint8_t> raw, bool compressed);
// The UTF-16 string up to the first NUL code unit.
std::u16string until_nul(std::span<const std::uint8_t> data);

} // namespace imgprep::registry::detail
