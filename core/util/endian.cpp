#include "util/endian.h"

namespace imgprep {

bool is_all_zero(std::span<const std::uint8_t> data) {
    const std::uint8_t* p = data.data();
    std::size_t n = data.size();
    while (n && (reinterpret_cast<std::uintptr_t>(p) & 7)) {
        if (*p) return false;
        ++p;
        --n;
    }
    while (n >= 64) {
        std::uint64_t w[8];
        std::memcpy(w, p, 64);
        if ((w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) != 0) return false;
        p += 64;
        n -= 64;
    }
    while (n) {
        if (*p) return false;
        ++p;
        --n;
    }
    return true;
}

} // namespace imgprep
