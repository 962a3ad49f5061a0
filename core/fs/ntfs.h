// Read-only NTFS reader (versions 3.0 / 3.1): volume header, MFT records with update-sequence fix-ups,
// resident and non-resident attributes, run lists (sparse runs, negative deltas), $ATTRIBUTE_LIST (attributes
// spread over extension records, including a fragmented $MFT), $I30 directory indexes (B-tree over
// $INDEX_ROOT / $INDEX_ALLOCATION), case-insensitive lookup through the volume's $UpCase table, named and
// unnamed $DATA streams, LZNT1 compression, initialized size < data size, $Volume flags and label.
//
// Format reference: libyal's "New Technologies File System (NTFS)" document. Every offset and length read
// from the volume is bounds-checked; loops, recursion and allocations are bounded (see ntfs.cpp).
// Thread-safe: a Volume and the sources it returns may be used from several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/byte_source.h"
#include "util/result.h"

namespace imgprep::ntfs {

inline constexpr std::uint64_t kMftFile = 0;
inline constexpr std::uint64_t kVolumeFile = 3;
inline constexpr std::uint64_t kRootDirectory = 5;
inline constexpr std::uint64_t kUpCaseFile = 10;

// Reparse tag of Windows Overlay Filter (CompactOS / "compact /exe") files: their data lives compressed in
// the "WofCompressedData" stream, which this reader does not decode.
inline constexpr std::uint32_t kReparseTagWof = 0x80000017;

// $VOLUME_INFORMATION flags.
inline constexpr std::uint16_t kVolumeDirty = 0x0001;

// $FILE_NAME namespaces.
enum class NameSpace : std::uint8_t { Posix = 0, Win32 = 1, Dos = 2, Win32AndDos = 3 };

struct VolumeInfo {
    std::uint32_t bytes_per_sector = 0;
    std::uint32_t cluster_size = 0;
    std::uint32_t mft_record_size = 0;
    std::uint32_t index_block_size = 0;
    std::uint64_t total_sectors = 0;
    std::uint64_t volume_size = 0; // bytes covered by the file system (total_sectors * bytes_per_sector)
    std::uint64_t cluster_count = 0;
    std::uint64_t mft_lcn = 0;
    std::uint64_t mftmirr_lcn = 0;
    std::uint64_t serial = 0;
    std::uint64_t mft_records = 0;   // records in $MFT's data stream
    std::uint32_t mft_fragments = 0; // runs in $MFT's data stream
    // From $Volume (file 3); volume_info_read is false when it could not be read (see warnings).
    bool volume_info_read = false;
    std::uint8_t major_version = 0;
    std::uint8_t minor_version = 0;
    std::uint16_t volume_flags = 0;
    bool dirty = false;
    std::string label; // $VOLUME_NAME, UTF-8
    std::vector<std::string> warnings;
};

struct FileName {
    std::string name; // UTF-8
    NameSpace name_space = NameSpace::Posix;
    std::uint64_t parent = 0;
    std::uint16_t parent_sequence = 0;
};

struct StreamInfo {
    std::string name; // "" for the unnamed (default) data stream
    std::uint64_t size = 0;
    std::uint64_t allocated = 0;
    std::uint64_t initialized = 0;
    bool resident = false;
    bool compressed = false;
    bool sparse = false;
    bool encrypted = false;
};

struct FileInfo {
    std::uint64_t mft_index = 0;
    std::uint16_t sequence = 0;
    std::uint16_t link_count = 0;
    bool is_directory = false;
    std::uint32_t attributes = 0; // $STANDARD_INFORMATION file attribute flags (FILE_ATTRIBUTE_*)
    std::uint64_t created = 0;    // FILETIME values from $STANDARD_INFORMATION
    std::uint64_t modified = 0;
    std::uint64_t mft_modified = 0;
    std::uint64_t accessed = 0;
    std::vector<FileName> names;
    std::vector<StreamInfo> streams; // $DATA streams
    std::uint64_t size = 0;          // size of the unnamed $DATA stream (0 when absent)
    std::uint32_t reparse_tag = 0;   // $REPARSE_POINT tag (0: none)
    bool has_attribute_list = false;
    std::uint32_t extension_records = 0; // MFT records other than the base one holding its attributes
};

// One name in a directory index. Names that exist only in the DOS namespace (8.3 aliases) are not listed;
// lookup() still finds them.
struct DirEntry {
    std::string name; // UTF-8
    std::uint64_t mft_index = 0;
    std::uint16_t sequence = 0;
    NameSpace name_space = NameSpace::Posix;
    bool is_directory = false;
    std::uint64_t size = 0;       // data size recorded in the index (can be stale; stat() is authoritative)
    std::uint32_t attributes = 0; // file attribute flags recorded in the index
};

// hiberfil.sys state (Windows hibernation / Fast Startup).
struct HiberfilState {
    bool present = false;
    std::uint64_t size = 0;
    std::string signature; // first 4 bytes, printable characters only
    bool hibernated = false;
    std::string reason;
};

// Classifies the first page (up to 4096 bytes) of hiberfil.sys: hibernated when it starts with
// "hibr"/"HIBR"/"wake"/"WAKE" or holds any non-zero byte.
HiberfilState classify_hiberfil(std::span<const std::uint8_t> first_page, std::uint64_t file_size);

class Volume {
  public:
    // Opens the NTFS volume held by source (a partition: a SubSource of a disk image, or a bare volume).
    static Result<std::unique_ptr<Volume>> open(SourcePtr source);
    ~Volume();
    Volume(const Volume&) = delete;
    Volume& operator=(const Volume&) = delete;

    const VolumeInfo& info() const;
    const SourcePtr& source() const;

    // Resolves a path from the root ("\\Windows\\System32\\config\\SYSTEM" or "/windows/system32/..."),
    // case-insensitively, to an MFT record number. "" or "\\" is the root directory.
    Result<std::uint64_t> lookup(std::string_view path) const;
    // Like lookup(), but a missing file is false rather than an error.
    Result<bool> exists(std::string_view path) const;

    Result<FileInfo> stat(std::uint64_t mft_index) const;
    Result<FileInfo> stat_path(std::string_view path) const;

    // The entries of a directory in index (collation) order.
    Result<std::vector<DirEntry>> list(std::uint64_t dir_index) const;
    Result<std::vector<DirEntry>> list_path(std::string_view path) const;

    // Recursive listing below dir_index; fn(path relative to that directory with '/' separators, entry)
    // returns false to stop. A directory reached twice (a loop) or deeper than max_depth is an error.
    Status walk(std::uint64_t dir_index, const std::function<bool(const std::string&, const DirEntry&)>& fn,
                unsigned max_depth = 64) const;

    // A data stream as a lazily read ByteSource ("" = the unnamed stream; stream names are case-insensitive).
    // The source stays valid after the Volume is destroyed. EFS-encrypted streams and the unnamed stream of
    // WOF-compressed files (kReparseTagWof) are errors, never ciphertext or placeholder zeros.
    Result<SourcePtr> open_stream(std::uint64_t mft_index, std::string_view stream = {}) const;
    Result<SourcePtr> open_path(std::string_view path, std::string_view stream = {}) const;
    // Reads a whole stream into memory; an error when it is larger than max_bytes.
    Result<std::vector<std::uint8_t>> read_path(std::string_view path, std::uint64_t max_bytes) const;

    // Reads \hiberfil.sys's first page (absent file: present = false).
    Result<HiberfilState> hiberfil_state() const;

    struct Impl;

  private:
    struct Key {
        explicit Key() = default;
    };

  public:
    Volume(Key, std::unique_ptr<Impl> impl); // use open()

  private:
    std::unique_ptr<Impl> impl_;
};

} // namespace imgprep::ntfs
