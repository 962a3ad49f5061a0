// Verification: the output's content equals the source's virtual content (streamed SHA-256 of both).
#pragma once

#include <string>

#include "image/image_reader.h"
#include "util/progress.h"

namespace imgprep {

struct VerifyResult {
    bool match = false;
    std::string source_sha256;
    std::string output_sha256;
};

// SHA-256 of a RAW file, hashing holes (SEEK_HOLE) without reading them.
Result<std::string> raw_file_sha256(const FileSource& raw, Progress& progress);

// Hashes the source (through the reader) and the RAW output in parallel and compares.
Result<VerifyResult> verify_raw_output(const ImageReader& source, const std::string& raw_path, Progress& progress);

} // namespace imgprep
