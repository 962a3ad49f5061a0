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

// SHA-256 of [0, length) of a virtual disk, hashing unallocated runs without reading them.
Result<std::string> disk_prefix_sha256(const ImageReader& disk, std::uint64_t length, Progress& progress);

// For an output image that may be larger than the source (ZVHD2 rounds its virtual size up to 1 GiB): hashes
// the source and the first source.size() bytes of the output (read back through its reader) in parallel and
// compares; the output's bytes past the source's size must read as zeros (else match is false).
Result<VerifyResult> verify_image_output(const ImageReader& source, const ImageReader& output,
                                         Progress& progress);

} // namespace imgprep
