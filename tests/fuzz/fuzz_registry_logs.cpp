// libFuzzer target: transaction-log replay of a dirty hive (new-format HvLE log entries with Marvin32 hashes
// and sequence rules, old-format dirty vectors), then the replayed hive read as inspection reads it. The
// input is the primary file, then HIVE.LOG1, HIVE.LOG2 and HIVE.LOG, each after a "#IMGPLOG#" separator (a
// missing part is a missing file; each part may be sparse-encoded, see fuzz_support.h).
#include "fuzz_support.h"
#include "registry/hive.h"
#include "registry/log_replay.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_registry_logs(const std::uint8_t* data, std::size_t size) {
    const auto parts = split_input(data, size, "#IMGPLOG#", 4);
    auto part = [&](std::size_t i, const char* name) -> SourcePtr {
        return i < parts.size() ? fuzz_source(parts[i].data(), parts[i].size(), name) : nullptr;
    };
    registry::LogFiles logs;
    logs.log1 = part(1, "SYSTEM.LOG1");
    logs.log2 = part(2, "SYSTEM.LOG2");
    logs.log = part(3, "SYSTEM.LOG");
    auto replayed = registry::replay_logs(part(0, "SYSTEM"), logs);
    if (!replayed) return 0;
    auto hive = registry::Hive::open(replayed->hive);
    if (hive) exercise_hive(**hive);
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_registry_logs)
