// Human-readable numbers for CLI and reports.
#pragma once

#include <cstdint>
#include <string>

namespace imgprep {

// "64.0 MiB" (binary units, one decimal).
std::string human_bytes(std::uint64_t bytes);

} // namespace imgprep
