// OUT.manifest.json: what a conversion read, wrote and verified (input, outputs, sizes, SHA-256, bitmap
// statistics, tool version, time). The report (`imgprep report --manifest`) reads it back.
#pragma once

#include <optional>
#include <string>

#include "util/json.h"

namespace imgprep {

// Local time with its UTC offset, ISO 8601: 2026-11-25T14:05:09+01:00.
std::string iso8601_now();

// SHA-256 of a whole file (bitmap files, small outputs).
Result<std::string> file_sha256(const std::string& path);

// The manifest beside an output: OUT.raw -> OUT.manifest.json.
std::string manifest_path_for(const std::string& output);

// Writes the manifest JSON (via NAME.part, renamed when complete).
Status write_manifest(const Json& manifest, const std::string& path, bool overwrite);

} // namespace imgprep
