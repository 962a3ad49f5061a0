// The platform layer for file names and whole-file operations. Everywhere in imgprep a file name is a UTF-8
// std::string; this is the one place that turns it into what the operating system takes:
//   POSIX:   the bytes as they are.
//   Windows: UTF-16 through MultiByteToWideChar, made absolute and given the \\?\ prefix when it is longer
//   than
//            the classic 260-character limit (MAX_PATH), so that long paths work without the LongPathsEnabled
//            policy. std::filesystem::path(std::string) would instead decode the bytes in the C library's
//            locale (not UTF-8 with mingw-w64's msvcrt), and path::string() would encode back the same way:
//            core code converts with to_path() / to_utf8() below and never with those.
// FileSource (io/byte_source) and OutputFile (convert/output_file) open files through the same conversion.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "util/result.h"

namespace imgprep::files {

// UTF-8 name <-> std::filesystem::path (exact on every platform).
std::filesystem::path to_path(const std::string& utf8);
std::string to_utf8(const std::filesystem::path& path);

bool exists(const std::string& path);
bool is_regular_file(const std::string& path);
bool is_directory(const std::string& path);
// Size in bytes of a regular file.
Result<std::uint64_t> file_size(const std::string& path);
// Bytes the file occupies on disk (less than its size for a sparse file): st_blocks on POSIX,
// FILE_STANDARD_INFO.AllocationSize on Windows.
Result<std::uint64_t> allocated_size(const std::string& path);
// Removes a file; true when it is gone (or was never there).
bool remove_file(const std::string& path);
// Renames from to to, replacing an existing to.
Status rename_file(const std::string& from, const std::string& to);
// Both names exist and are the same file (same device and inode / volume and file index).
bool same_file(const std::string& a, const std::string& b);
// The absolute, normalised name with symbolic links resolved as far as the path exists; the name itself when
// it cannot be resolved.
std::string weakly_canonical(const std::string& path);
// The folder part of a file name ("" for a bare name).
std::string parent_of(const std::string& path);

// The operating system's text for an error number (errno on POSIX, GetLastError() on Windows), in UTF-8.
std::string system_error_text(int code);

#ifdef _WIN32
// UTF-8 <-> UTF-16 (invalid UTF-8 becomes U+FFFD).
std::wstring widen(const std::string& utf8);
std::string narrow(const std::wstring& utf16);
// The name to hand to CreateFileW and friends: UTF-16, and in the \\?\ form when it is long.
std::wstring win32_name(const std::string& utf8);
#endif

} // namespace imgprep::files
