// SHA-256 (FIPS 180-4), streaming.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace imgprep {

class Sha256 {
public:
    Sha256();
    void update(std::span<const std::uint8_t> data);
    // Feeds n zero bytes without a buffer of that size (fast path for holes).
    void update_zeros(std::uint64_t n);
    std::array<std::uint8_t, 32> finish();
    std::string finish_hex();

    // True when the CPU's SHA extensions are used.
    static bool hardware_accelerated();
    // Tests: use the portable code even where SHA extensions exist.
    void force_portable() { force_portable_ = true; }

private:
    void block(const std::uint8_t* p);
    void blocks(const std::uint8_t* p, std::size_t n);
    bool force_portable_ = false;
    std::array<std::uint32_t, 8> h_;
    std::array<std::uint8_t, 64> buf_{};
    std::size_t used_ = 0;
    std::uint64_t total_ = 0;
};

std::string to_hex(std::span<const std::uint8_t> data);

} // namespace imgprep
