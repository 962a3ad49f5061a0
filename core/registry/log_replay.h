// Transaction-log replay for dirty registry hives, in memory (the primary file and the logs are only read).
// Written from Maxim Suhanov's "Windows registry file format specification" (msuhanov/regf), sections
// "Format of transaction log files", "Dirty state of a hive" and "Multiple transaction log files".
//
// A hive is dirty when its base block checksum is wrong or its primary and secondary sequence numbers differ:
// Windows wrote (or was writing) changes that only the transaction logs hold. Windows replays them when it
// loads the hive; so does replay_logs():
//  - new format (Windows 8.1 / 2012 R2 and later; HIVE.LOG1 + HIVE.LOG2, file type 6): log entries "HvLE"
//    with sequence numbers, Marvin32 hashes and dirty pages. Only entries from the log's base block sequence
//    number on, consecutive, with both hashes right are applied; the log with the earlier entries goes first
//    and the other continues it when its first entry is the next sequence number. With a wrong primary base
//    block checksum only the log with the latest entries is used.
//  - old format (up to Windows 8; HIVE.LOG or HIVE.LOG1/.LOG2, file type 1 or 2): a dirty vector (one bit
//    per 512-byte page of the hive bins data) and the dirty pages; the log with the latest base block
//    timestamp is used, and only when that timestamp is not older than the primary's.
// The result is a ByteSource that lays the logs' pages over the primary file (memory: the pages applied,
// never the whole hive) behind a rewritten base block (sequence numbers equal, hive bins size and flags
// from the logs, checksum recomputed). Logs that do not apply leave the primary as it is, with warnings
// saying why.
//
// Bounds: a log larger than kMaxLogBytes is not used; every size and count read from a log is checked
// against the log's size, the entry's size and the hive bins size cap; every loop is bounded by the log size.
// Callable on any ByteSources (files, NTFS files, memory), e.g. from fuzz targets.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "util/result.h"

namespace imgprep::registry {

// Seed of the log entry hashes (the spec's bytes 82 EF 4D 88 7A 4E 55 C5 read as one number: the low 32 bits
// 0x7A4E55C5 start the first state word, the high 32 bits 0x82EF4D88 the second).
inline constexpr std::uint64_t kLogEntryHashSeed = 0x82EF4D887A4E55C5ull;
// A transaction log larger than this is not used (Windows keeps them far smaller).
inline constexpr std::uint64_t kMaxLogBytes = std::uint64_t{512} << 20;
// Largest hive bins data size accepted from a log (regf offsets are 31-bit).
inline constexpr std::uint32_t kMaxHiveBinsSize = 0x7FFFF000u;

// Marvin32 (the hash of new-format log entries).
std::uint64_t marvin32(std::span<const std::uint8_t> data, std::uint64_t seed = kLogEntryHashSeed);

// The transaction logs beside a primary file HIVE; null when the file is not there.
struct LogFiles {
    SourcePtr log;  // HIVE.LOG  (single-log scheme, or a leftover next to LOG1/LOG2)
    SourcePtr log1; // HIVE.LOG1
    SourcePtr log2; // HIVE.LOG2
    bool any() const { return log || log1 || log2; }
};

// What a replay did.
struct ReplayInfo {
    bool replayed = false;
    std::string format;                 // "new" (HvLE log entries) or "old" (dirty vector)
    std::vector<std::string> logs;      // names of the logs whose pages were applied, in the order applied
    std::uint32_t from_sequence = 0;    // new format: sequence number of the first log entry applied
    std::uint32_t to_sequence = 0;      // new: of the last entry applied (the hive's sequence number after
                                        // the replay); old: the log's sequence number
    std::uint32_t entries = 0;          // new: log entries applied; old: 1
    std::uint64_t pages = 0;            // dirty pages applied (new format: page references)
    std::uint64_t bytes = 0;            // bytes of dirty pages applied
    std::uint32_t bins_size_before = 0; // hive bins data size of the primary base block
    std::uint32_t bins_size_after = 0;  // and after the replay
};

struct ReplayResult {
    SourcePtr hive; // the replayed hive, or the primary itself when nothing was replayed
    ReplayInfo info;
    bool dirty = false; // the primary needed a replay (checksum wrong or sequence numbers differ)
    std::string
        dirty_reason; // "primary sequence number 1622, secondary 1621" / "base block checksum is wrong"
    std::vector<std::string> warnings; // why a log was not used, where a replay stopped (name: message)
};

// Replays the logs over a dirty primary. Bad or non-applying logs are not an error: they become warnings
// and the primary is returned as it is. Errors only for a primary whose base block cannot be read.
Result<ReplayResult> replay_logs(SourcePtr primary, const LogFiles& logs);

} // namespace imgprep::registry
