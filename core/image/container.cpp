// PLACEHOLDER: OVA / ISO / archive / ZVHD detection not written yet.
#include "image/container.h"

namespace imgprep {

Detection detect_container(const ByteSource&, std::span<const std::uint8_t>) { return {}; }
Detection detect_zvhd(const ByteSource&, std::span<const std::uint8_t>) { return {}; }

} // namespace imgprep
