// FAT12 / FAT16 / FAT32 volumes, read-only (Microsoft "FAT32 File System Specification" 1.03): enough to read
// an EFI System Partition. Long file names (VFAT) with checksum verification, case-insensitive path lookup,
// files as ByteSources. Every chain is bounded by the cluster count, every directory by 65536 entries.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "io/byte_source.h"
#include "util/result.h"

namespace imgprep {

enum class FatType : std::uint8_t { Fat12, Fat16, Fat32 };
const char* to_string(FatType t); // "FAT12", "FAT16", "FAT32"

struct FatDirEntry {
    std::string name; // long name when a valid LFN precedes the entry, else the short name with the
                      // NT lower-case flags applied ("readme.txt") (UTF-8)
    std::string
        short_name; // 8.3 name as stored, "NAME.EXT" / "BOOTMG~1.EFI" (OEM bytes read as code page 437)
    std::uint8_t attributes = 0; // 0x01 read-only, 0x02 hidden, 0x04 system, 0x10 directory, 0x20 archive
    std::uint32_t first_cluster = 0;
    std::uint32_t size = 0;                       // bytes (0 for directories)
    std::uint16_t write_date = 0, write_time = 0; // raw FAT date / time (local time)
    std::uint64_t entry_offset = 0;               // byte offset of the short entry in the volume
    bool is_directory() const { return (attributes & 0x10) != 0; }
};

struct FatWarning {
    std::uint64_t offset = 0; // byte offset in the volume
    std::string message;
    std::string describe() const;
};

class FatVolume {
  public:
    // Opens the volume that starts at byte 0 of `volume` (a partition: use a SubSource). Checks the boot
    // sector.
    static Result<std::unique_ptr<FatVolume>> open(SourcePtr volume);

    FatType type() const { return type_; }
    // Volume label: the root directory's volume-ID entry, else the boot sector's label; "NO NAME" gives "".
    const std::string& label() const { return label_; }
    std::uint32_t serial() const { return serial_; }
    std::uint32_t bytes_per_sector() const { return bps_; }
    std::uint32_t cluster_size() const { return cluster_bytes_; }
    std::uint32_t cluster_count() const { return cluster_count_; } // data clusters (numbered 2..count+1)
    std::uint64_t total_sectors() const { return total_sectors_; }
    std::uint64_t data_offset() const { return data_offset_; }   // byte offset of cluster 2
    std::uint32_t root_cluster() const { return root_cluster_; } // FAT32 only (0 otherwise)
    // FAT[1]'s "clean shutdown" bit is clear (FAT16/32): the volume was not unmounted cleanly.
    bool dirty() const { return dirty_; }
    const std::vector<FatWarning>& warnings() const { return warnings_; }
    const SourcePtr& source() const { return src_; }

    // Directory listings without "." / ".." / volume label / deleted entries, in on-disk order.
    Result<std::vector<FatDirEntry>> list_root() const;
    Result<std::vector<FatDirEntry>> list_directory(const FatDirEntry& dir) const;
    // Path relative to the root: '\\' or '/' separated, case-insensitive, long or short names ("" or "\\" =
    // root;
    // "." components are skipped, ".." is not supported).
    Result<std::vector<FatDirEntry>> list(std::string_view path) const;
    Result<FatDirEntry> lookup(std::string_view path) const; // the root itself has no entry: an error
    // The first entry of a listing whose long or short name is name, case-insensitively (nullptr: none). To
    // look up several names in one directory, list it once and find each here: every lookup() lists each
    // directory of its path again.
    static const FatDirEntry* find(const std::vector<FatDirEntry>& entries, std::string_view name);

    // The whole file (refuses sizes above max_bytes).
    Result<std::vector<std::uint8_t>> read_file(const FatDirEntry& file,
                                                std::uint64_t max_bytes = 256u << 20) const;
    Result<std::vector<std::uint8_t>> read_file(std::string_view path,
                                                std::uint64_t max_bytes = 256u << 20) const;
    // A ByteSource over the file's content (size() == entry size). The chain is resolved now (and checked for
    // loops, bad and free clusters, and being too short for the size).
    Result<SourcePtr> open_file(const FatDirEntry& file, const std::string& display_path = {}) const;
    Result<SourcePtr> open_file(std::string_view path) const;

    // Visits every file and directory below the root depth-first (pre-order), with '/'-separated paths.
    // Directory cycles (a subdirectory pointing at an ancestor / already visited cluster) are reported as
    // errors; depth is limited to 64. fn returns false to stop.
    Status walk(const std::function<bool(const std::string& path, const FatDirEntry& entry)>& fn) const;

    // Next FAT entry of a cluster (raw, masked to 12/16/28 bits).
    Result<std::uint32_t> fat_entry(std::uint32_t cluster) const;
    // The cluster chain from `first`, at most max_clusters long (error if longer, looping, or broken).
    Result<std::vector<std::uint32_t>> cluster_chain(std::uint32_t first, std::uint64_t max_clusters) const;

  private:
    struct Token {}; // only open() constructs volumes

  public:
    explicit FatVolume(Token) {}

  private:
    Result<std::vector<FatDirEntry>> parse_directory(std::span<const std::uint8_t> data,
                                                     const std::vector<std::uint64_t>& offsets,
                                                     std::string* label_out) const;
    Result<std::vector<std::uint8_t>> read_directory_bytes(std::uint32_t first_cluster, bool root,
                                                           std::vector<std::uint64_t>& offsets) const;
    Result<std::vector<FatDirEntry>> list_cluster(std::uint32_t first_cluster, bool root) const;
    Result<std::shared_ptr<const std::vector<std::uint8_t>>> fat_block(std::uint64_t block) const;
    std::uint64_t cluster_offset(std::uint32_t cluster) const {
        return data_offset_ + std::uint64_t(cluster - 2) * cluster_bytes_;
    }
    bool is_eoc(std::uint32_t v) const;
    bool is_bad(std::uint32_t v) const;

    SourcePtr src_;
    FatType type_ = FatType::Fat12;
    std::string label_;
    std::uint32_t serial_ = 0;
    std::uint32_t bps_ = 512;
    std::uint32_t cluster_bytes_ = 512;
    std::uint32_t cluster_count_ = 0;
    std::uint64_t total_sectors_ = 0;
    std::uint64_t fat_offset_ = 0;  // byte offset of the FAT in use
    std::uint64_t fat_bytes_ = 0;   // size of one FAT
    std::uint64_t root_offset_ = 0; // FAT12/16 fixed root directory
    std::uint32_t root_entries_ = 0;
    std::uint32_t root_cluster_ = 0;
    std::uint64_t data_offset_ = 0;
    bool dirty_ = false;
    std::vector<FatWarning> warnings_;

    mutable std::mutex cache_mutex_;
    mutable std::map<std::uint64_t, std::shared_ptr<const std::vector<std::uint8_t>>> cache_; // FAT blocks
};

} // namespace imgprep
