// Inputs that wrap or are not disk images: OVA/OVF, ISO 9660, compressed files and archives, ZVHD/ZVHD2.
#pragma once

#include <span>

#include "image/open.h"

namespace imgprep {

// Empty format when the bytes are none of these. h holds the first bytes of the file (up to 4 KiB).
Detection detect_container(const ByteSource& src, std::span<const std::uint8_t> h);
Detection detect_zvhd(const ByteSource& src, std::span<const std::uint8_t> h);

} // namespace imgprep
