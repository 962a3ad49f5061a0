#include "util/result.h"

namespace imgprep {

std::string Error::describe() const {
    std::string out;
    if (!file.empty()) out += file + ": ";
    if (offset != NoOffset) out += "at offset " + std::to_string(offset) + ": ";
    out += message;
    return out;
}

} // namespace imgprep
