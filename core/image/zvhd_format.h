// On-disk structures of Huawei's ZVHD2 and ZVHD images, shared by the readers (image/zvhd2.cpp,
// image/zvhd.cpp) and the ZVHD2 writer (convert/zvhd2_writer.cpp). The layout is what the cloud's own qemu
// block drivers (opnmind/ims-qemu-img, src/zvhd2.c and src/zvhd.c) read and write; docs/formats.md describes
// it.
//
// A footer is the 512-byte VHD footer layout in little-endian byte order inside a 4096-byte slot; ZVHD2 keeps
// its own fields in what VHD calls reserved (bytes 87-141). A data frame is a 48-byte header ("hwstream bg",
// payload size, block number), the compressed payload, filler, and "end\0" as its last 4 bytes; its length is
// a multiple of 4096. Every stored block decompresses to exactly one 2 MiB block.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace imgprep::zvhd {

inline constexpr std::uint64_t kBlockSize = 2u << 20; // bytes of the virtual disk per frame
inline constexpr std::uint64_t kSlot = 4096;          // footer slot, frame alignment
inline constexpr std::size_t kFooterBytes = 512;      // defined part of a footer slot
inline constexpr std::size_t kFrameHeader = 48;
inline constexpr std::size_t kFramePostfix = 4;            // "end\0"
inline constexpr std::uint64_t kIndexSegment = 512u << 10; // bytes of one index segment
inline constexpr std::uint64_t kIndexEntry = 16;
inline constexpr std::uint64_t kEntriesPerSegment = kIndexSegment / kIndexEntry; // 32768
inline constexpr std::uint64_t kBitmapSegment = 4096;                        // bytes of one bitmap segment
inline constexpr std::uint64_t kBlocksPerBitmapSegment = kBitmapSegment * 8; // 32768
inline constexpr std::uint64_t kGiB = 1u << 30;
// Largest frame the ZVHD2 driver can read into its buffer (4096 + roundup(2 * 2 MiB + 2097 + 128, 4096)).
inline constexpr std::uint64_t kMaxFrame = 4202496;
// The ZVHD driver's buffer: one 4096-byte slot + 4 MiB.
inline constexpr std::uint64_t kMaxZvhdFrame = kSlot + (4u << 20);
inline constexpr std::uint32_t kCreatorVersion = 0x00010004; // "1.4", the ZVHD2-era tap version
inline constexpr std::uint32_t kVhdEpoch = 946684800;        // 2000-01-01T00:00:00Z as a Unix time

enum class Method : std::uint8_t { Zlib = 0, Zstd = 1 }; // footer byte 141

// The 512-byte footer, decoded. ZVHD (the older format) uses the fields up to align_64 only.
struct Footer {
    std::array<char, 8> cookie{};
    std::uint32_t features = 0;
    std::uint32_t ff_version = 0;
    std::uint64_t data_offset = 0;
    std::uint32_t timestamp = 0;
    std::array<char, 4> crtr_app{};
    std::uint32_t crtr_ver = 0;
    std::uint32_t crtr_os = 0;
    std::uint64_t orig_size = 0;
    std::uint64_t curr_size = 0;
    std::uint32_t geometry = 0;
    std::uint32_t type = 0;
    std::uint32_t checksum = 0;
    std::array<std::uint8_t, 16> uuid{};
    std::uint8_t saved = 0;
    std::uint8_t hidden = 0;
    std::uint8_t align_64 = 0;
    // ZVHD2 only.
    std::uint8_t zvhd2_version = 0;
    std::uint32_t block_size = 0;
    std::uint32_t max_blk_num = 0;
    std::uint64_t index_lba = 0; // a byte offset, despite the name
    std::uint64_t bitmap_lba = 0;
    std::uint32_t index_size = 0;
    std::uint32_t bitmap_size = 0;
    std::uint32_t index_seg_size = 0;
    std::uint32_t bitmap_seg_size = 0;
    std::uint32_t index_seg_num = 0;
    std::uint32_t bitmap_seg_num = 0;
    std::uint32_t non_zero_blk_num = 0;
    std::uint8_t index_contains_zero_blk = 0;
    std::uint8_t compress_method = 0;

    static Footer decode(std::span<const std::uint8_t, kFooterBytes> b);
    // Writes every field (checksum as stored in the struct) into b; bytes 142-511 become zero.
    void encode(std::span<std::uint8_t, kFooterBytes> b) const;
};

// The VHD checksum of a 512-byte footer: ones' complement of the byte sum, the checksum field counted as
// zero.
std::uint32_t footer_checksum(std::span<const std::uint8_t, kFooterBytes> b);
// True when the stored checksum matches, also in the driver's tapdisk fallback (hidden flag set, creator
// "tap" version 0.1 or 1.1: the sum may be taken with hidden = 0).
bool footer_checksum_ok(std::span<const std::uint8_t, kFooterBytes> b);

// The VHD CHS geometry the driver stores for a disk of `bytes` (its pvhd_chs, including the 32-bit sector
// count).
std::uint32_t chs_geometry(std::uint64_t bytes);

// Frame length for a payload of `payload` bytes: header + payload + "end\0", rounded up to 4096.
inline std::uint64_t frame_length(std::uint64_t payload) {
    return (kFrameHeader + payload + kFramePostfix + kSlot - 1) / kSlot * kSlot;
}

// "1f2e...": the 16 UUID bytes as 8-4-4-4-12 hex.
std::string uuid_text(const std::array<std::uint8_t, 16>& u);
// Footer timestamp (seconds since 2000-01-01 UTC) as ISO 8601 UTC.
std::string timestamp_text(std::uint32_t t);

// Decompresses one ZVHD2 payload into out (2 MiB) the way the driver's reader does: zstd must yield exactly
// out.size() bytes; zlib is one inflate(Z_SYNC_FLUSH) on a fresh zlib-wrapped stream that must return Z_OK
// (a finished stream, Z_STREAM_END, is refused as the driver refuses it) having produced exactly out.size()
// bytes. On failure returns false and says why.
bool decompress_block(Method method, std::span<const std::uint8_t> payload, std::span<std::uint8_t> out,
                      std::string& why);

// A few decoded 2 MiB blocks kept for reads smaller than a block (inspection reads sectors and clusters here
// and there). Thread-safe; a block handed out stays valid while the caller holds it.
class BlockCache {
  public:
    using Block = std::shared_ptr<const std::uint8_t[]>; // kBlockSize bytes

    // A buffer of kBlockSize bytes to decode a block into. Not zeroed: a decode that succeeds writes every
    // byte and one that fails is dropped, never cached (zeroing 2 MiB per decode was half the cost of small
    // reads).
    static std::shared_ptr<std::uint8_t[]> make_block() {
        return std::make_shared_for_overwrite<std::uint8_t[]>(std::size_t(kBlockSize));
    }

    explicit BlockCache(std::size_t capacity) : capacity_(capacity) {}

    Block find(std::uint64_t block) const {
        std::lock_guard lock(mu_);
        for (auto it = lru_.begin(); it != lru_.end(); ++it)
            if (it->first == block) {
                lru_.splice(lru_.begin(), lru_, it);
                return it->second;
            }
        return nullptr;
    }
    void put(std::uint64_t block, Block data) const {
        std::lock_guard lock(mu_);
        for (auto it = lru_.begin(); it != lru_.end(); ++it)
            if (it->first == block) return;
        lru_.emplace_front(block, std::move(data));
        while (lru_.size() > capacity_)
            lru_.pop_back();
    }

  private:
    std::size_t capacity_;
    mutable std::mutex mu_;
    mutable std::list<std::pair<std::uint64_t, Block>> lru_;
};

} // namespace imgprep::zvhd
