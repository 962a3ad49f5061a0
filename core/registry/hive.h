// Read-only reader for Windows registry hive files (regf primary files: SYSTEM, SOFTWARE, SAM, BCD, ...),
// written from Maxim Suhanov's "Windows registry file format specification".
//
// The hive is read lazily through ByteSource::read_at: open() reads the base block and the 32-byte header of
// every hive bin; cells are read from whole hive bins kept in a small LRU cache. A hive inside an NTFS volume
// therefore never needs to be copied into memory, and a MemorySource holding the whole file works the same
// way.
//
// Every cell reference is checked: it must lie inside a valid hive bin, be the start of an allocated cell and
// hold the record it should. Loops (a key listed under two parents or under its own descendant, an index root
// that refers to itself), absurd counts and sizes end in an Error naming the file offset; nothing is
// allocated from a claimed size that the hive's real size does not back.
//
// A dirty hive is replayed in memory from its transaction logs when they are given (log_replay.h); without
// logs, or when they do not apply, it is read as it is on disk, with a warning.
// A damaged hive bin (bad header) is skipped: the hive bins after it are read when a valid one is found at a
// 4 KiB boundary (as Windows and hivex's lenient mode do); cells in the skipped range cannot be referenced.
// Thread safety: a Hive and the Keys and Values made from it may be used from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/byte_source.h"
#include "registry/log_replay.h"
#include "util/result.h"

namespace imgprep::registry {

// Value data types (the vk record's type field). Other numbers occur too and are kept as they are.
enum class ValueType : std::uint32_t {
    None = 0,                      // REG_NONE
    String = 1,                    // REG_SZ
    ExpandString = 2,              // REG_EXPAND_SZ
    Binary = 3,                    // REG_BINARY
    Dword = 4,                     // REG_DWORD (little-endian)
    DwordBigEndian = 5,            // REG_DWORD_BIG_ENDIAN
    Link = 6,                      // REG_LINK
    MultiString = 7,               // REG_MULTI_SZ
    ResourceList = 8,              // REG_RESOURCE_LIST
    FullResourceDescriptor = 9,    // REG_FULL_RESOURCE_DESCRIPTOR
    ResourceRequirementsList = 10, // REG_RESOURCE_REQUIREMENTS_LIST
    Qword = 11,                    // REG_QWORD (little-endian)
};
// "REG_SZ", ..., or "0x%08x" for a type without a name.
std::string type_name(ValueType t);

class Hive;
class Value;

namespace detail {
struct Ancestry; // chain of key node offsets from the root, for loop detection
struct BinCache;
} // namespace detail

// A registry key (nk record). Cheap to copy; keeps its hive alive.
class Key {
  public:
    // Name as stored (UTF-8). The root key's name is whatever the hive's creator wrote (e.g. "ROOT",
    // "CMI-CreateHive{...}"); it is not part of paths.
    const std::string& name() const { return name_; }
    // Path from the root, '\'-separated with a leading '\' ("\" for the root itself).
    const std::string& path() const { return path_; }
    // Last written time of the key, as a Windows FILETIME (100 ns units since 1601-01-01 UTC).
    std::uint64_t last_written() const { return last_written_; }
    // Seconds since 1970-01-01 UTC (may be negative for pre-1970 stamps).
    std::int64_t last_written_unix() const;
    std::uint16_t flags() const { return flags_; }
    bool is_symlink() const { return (flags_ & 0x0010) != 0; }
    std::uint32_t subkey_count() const { return subkey_count_; }
    std::uint32_t value_count() const { return value_count_; }
    // Offset of the key node cell, relative to the start of the hive bins data.
    std::uint32_t cell_offset() const { return offset_; }

    // All subkeys, in the order of the subkey lists (which Windows keeps sorted by upper-case name).
    Result<std::vector<Key>> subkeys() const;
    // The subkey with this name (case-insensitive, as Windows compares), or nullopt.
    Result<std::optional<Key>> subkey(std::string_view name) const;
    // Relative path lookup ("A\B\C", case-insensitive); "" or "\" is this key itself.
    Result<std::optional<Key>> find(std::string_view relative_path) const;

    // All values, in the order of the key's value list (unsorted on disk).
    Result<std::vector<Value>> values() const;
    // The value with this name (case-insensitive); "" is the default value ("@" in .reg files).
    Result<std::optional<Value>> value(std::string_view name) const;

  private:
    friend class Hive;
    Value make_value(std::uint32_t offset, std::string name, std::uint32_t type, std::uint32_t size_field,
                     std::uint32_t data_field) const;
    std::shared_ptr<const Hive> hive_;
    std::shared_ptr<const detail::Ancestry> ancestry_; // this key and its ancestors
    std::uint32_t offset_ = 0;
    std::uint16_t flags_ = 0;
    std::uint64_t last_written_ = 0;
    std::uint32_t subkey_count_ = 0;
    std::uint32_t subkey_list_ = 0;
    std::uint32_t value_count_ = 0;
    std::uint32_t value_list_ = 0;
    std::string name_;
    std::string path_;
};

// A registry value (vk record). Its data is read from the hive when asked for (and may fail on its own: a
// key's values can be listed even when one value's data is corrupt).
class Value {
  public:
    // Name (UTF-8); "" for the key's default value.
    const std::string& name() const { return name_; }
    ValueType type() const { return type_; }
    std::uint32_t raw_type() const { return std::uint32_t(type_); }
    // Data size in bytes as recorded in the value record.
    std::uint32_t data_size() const { return data_size_; }
    // Offset of the value record cell, relative to the start of the hive bins data.
    std::uint32_t cell_offset() const { return offset_; }

    // The raw data bytes (inline, one cell, or the segments of a big data record).
    Result<std::vector<std::uint8_t>> data() const;

    // REG_SZ, REG_EXPAND_SZ, REG_LINK: UTF-16LE decoded to UTF-8, ending at the first NUL (so trailing NULs
    // and anything after a terminator are dropped); an odd trailing byte is ignored, unpaired surrogates
    // become U+FFFD. Environment variables in REG_EXPAND_SZ are not expanded. Other types are an error.
    Result<std::string> as_string() const;
    // REG_MULTI_SZ: the NUL-separated strings, without the empty string(s) at the end that terminate the list
    // (empty strings between others are kept: PendingFileRenameOperations relies on them); a last string
    // without a terminator is kept. REG_SZ / REG_EXPAND_SZ give a one-element list. Other types are an error.
    Result<std::vector<std::string>> as_multi_string() const;
    // REG_DWORD (little-endian) or REG_DWORD_BIG_ENDIAN, exactly 4 bytes of data.
    Result<std::uint32_t> as_dword() const;
    // REG_QWORD (exactly 8 bytes); REG_DWORD / REG_DWORD_BIG_ENDIAN are widened.
    Result<std::uint64_t> as_qword() const;

  private:
    friend class Key;
    Error error(std::string what) const;
    std::shared_ptr<const Hive> hive_;
    std::string key_path_;
    std::string name_;
    ValueType type_ = ValueType::None;
    std::uint32_t offset_ = 0;
    std::uint32_t data_size_ = 0;  // without the inline flag
    std::uint32_t data_field_ = 0; // data offset, or the data itself when inline
    bool inline_ = false;
};

class Hive : public std::enable_shared_from_this<Hive> {
  public:
    // Reads and checks the base block, indexes the hive bins and reads the root key. Problems that do not
    // stop reading (wrong checksum, dirty hive, truncated file, a broken hive bin) become warnings().
    static Result<std::shared_ptr<Hive>> open(SourcePtr source);
    // The same for a primary file with its transaction logs: a dirty hive is replayed in memory first
    // (replay() says what was applied; a warning says "replayed ... up to sequence N"). Logs that do not
    // apply, or a replay that leaves the hive unreadable, fall back to the primary as stored, with warnings.
    static Result<std::shared_ptr<Hive>> open(SourcePtr primary, const LogFiles& logs);

    ~Hive();
    Hive(const Hive&) = delete;
    Hive& operator=(const Hive&) = delete;

    Result<Key> root() const;
    // Key by path from the root: "Microsoft\Windows NT\CurrentVersion", '\'-separated, case-insensitive,
    // a leading '\' allowed; "" or "\" is the root. nullopt when a component does not exist.
    Result<std::optional<Key>> find(std::string_view path) const;

    const std::vector<std::string>& warnings() const { return warnings_; }
    const std::string& name() const { return source_->name(); }
    const SourcePtr& source() const { return source_; }

    std::uint32_t major_version() const { return major_; }
    std::uint32_t minor_version() const { return minor_; }
    std::uint32_t primary_sequence() const { return seq1_; }
    std::uint32_t secondary_sequence() const { return seq2_; }
    // Sequence numbers differ: a write was interrupted; changes held in the transaction logs are missing.
    // (After a replay the sequence numbers are equal: see needed_replay().)
    bool dirty() const { return seq1_ != seq2_; }
    // The primary file was dirty (sequence numbers differ or base block checksum wrong), whether or not its
    // logs could be replayed.
    bool needed_replay() const { return needed_replay_; }
    // What the log replay applied (replay().replayed is false when nothing was).
    const ReplayInfo& replay() const { return replay_; }
    bool checksum_ok() const { return checksum_ok_; }
    // Base block's last written time (FILETIME).
    std::uint64_t last_written() const { return last_written_; }
    // The base block's embedded file name (UTF-16LE, for debugging; often a partial path).
    const std::string& embedded_file_name() const { return file_name_; }
    // Hive bins data size as claimed by the base block, and as usable (after truncation or a bad bin).
    std::uint32_t claimed_bins_size() const { return claimed_bins_size_; }
    std::uint32_t bins_size() const { return bins_end_; }
    std::size_t bin_count() const { return bins_.size(); }
    // Whole hive bins read from the source so far (each cache miss counts once).
    std::uint64_t bins_loaded() const;
    // Ranges of the hive bins data skipped as damaged ([begin, end) relative to the hive bins data): a bin
    // with a bad header up to the next valid bin.
    struct Range {
        std::uint32_t begin, end;
    };
    const std::vector<Range>& damaged() const { return damaged_; }

    // --- internal, used by Key and Value ---
    struct Cell {
        std::shared_ptr<const void> keep;   // keeps the cached hive bin alive
        std::span<const std::uint8_t> data; // cell data, without the 4-byte size field
        std::uint32_t offset = 0;           // relative to the hive bins data
    };
    // The allocated cell at offset (relative to the hive bins data); what names the reference in errors.
    Result<Cell> cell(std::uint32_t offset, std::string_view what) const;
    Error error_at_cell(std::uint32_t offset, std::string message) const;
    Result<Key> load_key(std::uint32_t offset, const Key* parent, std::string_view what) const;

  private:
    Hive() = default;
    static Result<std::shared_ptr<Hive>> open_source(SourcePtr source);
    struct BinInfo {
        std::uint32_t offset;
        std::uint32_t size;
    };

    SourcePtr source_;
    std::vector<std::string> warnings_;
    std::vector<BinInfo> bins_; // sorted from offset 0; contiguous except across damaged_ ranges
    std::vector<Range> damaged_;
    ReplayInfo replay_;
    bool needed_replay_ = false;
    std::uint32_t bins_end_ = 0;
    std::uint32_t claimed_bins_size_ = 0;
    std::uint32_t root_offset_ = 0;
    std::uint32_t major_ = 0, minor_ = 0, seq1_ = 0, seq2_ = 0;
    std::uint64_t last_written_ = 0;
    bool checksum_ok_ = true;
    std::string file_name_;
    std::unique_ptr<detail::BinCache> cache_;
};

// --- string helpers (exposed for tests and other Windows-format readers) ---

// UTF-16LE bytes to UTF-8 (all of them; NULs are kept; odd trailing byte dropped; bad surrogates -> U+FFFD).
std::string utf16le_to_utf8(std::span<const std::uint8_t> bytes);
// Latin-1 ("extended ASCII", as in compressed key and value names) to UTF-8.
std::string latin1_to_utf8(std::span<const std::uint8_t> bytes);
// Upper case of one UTF-16 code unit as Windows compares registry names (ASCII, Latin-1, Latin Extended-A/B
// and Additional, Greek, Cyrillic, Armenian, Roman numerals, circled and fullwidth letters; others
// unchanged).
char16_t upcase(char16_t c);
// Case-insensitive equality of two UTF-8 names under upcase().
bool names_equal(std::string_view a, std::string_view b);

} // namespace imgprep::registry
