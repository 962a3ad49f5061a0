// An output file written under a temporary name (NAME.part) and renamed to NAME only when complete.
// Destroying an OutputFile that was not committed removes the .part file: cancelled or failed work leaves
// nothing that looks complete.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "util/result.h"

namespace imgprep {

class OutputFile {
  public:
    // Creates path + ".part" (replacing a stale one). Fails if path exists and !overwrite.
    static Result<OutputFile> create(const std::string& path, bool overwrite);
    OutputFile(OutputFile&& other) noexcept;
    OutputFile& operator=(OutputFile&& other) = delete;
    OutputFile(const OutputFile&) = delete;
    ~OutputFile();

    // Sets the final size (sparse: no blocks allocated) and, on Windows, marks the file sparse.
    Status set_size(std::uint64_t size);
    // Positional write of the whole buffer; thread-safe for distinct ranges.
    Status write_at(std::uint64_t offset, std::span<const std::uint8_t> data) const;
    // Starts writing [offset, offset+length) back to the disk without waiting (Linux sync_file_range), so
    // that the final flush in commit() has little left to do. A hint: errors are ignored.
    void start_writeback(std::uint64_t offset, std::uint64_t length) const;
    // Flushes (unless sync is false), closes and renames NAME.part to NAME.
    Status commit(bool sync = true);
    // Removes the partial file now (also done by the destructor).
    void discard();

    const std::string& path() const { return path_; }
    const std::string& part_path() const { return part_; }
    // Windows: FSCTL_SET_SPARSE succeeded (the file system has sparse files); always true on POSIX, where
    // files are sparse wherever the file system allows.
    bool sparse() const { return sparse_; }

  private:
    OutputFile() = default;
    std::string path_;
    std::string part_;
#ifdef _WIN32
    void* handle_ = nullptr;
#else
    int fd_ = -1;
#endif
    bool committed_ = false;
    bool sparse_ = true;
};

// Bytes free for an unprivileged user on the filesystem holding path's directory (0 if unknown).
std::uint64_t free_space_for(const std::string& path);

} // namespace imgprep
