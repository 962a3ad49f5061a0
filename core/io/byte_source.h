// Random-access, read-only byte sources: files, regions of other sources, memory.
// Every consumer in the core (image readers, partition tables, filesystems, hives) reads through this.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "util/result.h"

namespace imgprep {

class ByteSource {
  public:
    virtual ~ByteSource() = default;

    // Name used in error messages (a path, or "archive.ova:disk1.vmdk").
    virtual const std::string& name() const = 0;
    virtual std::uint64_t size() const = 0;

    // Reads exactly buf.size() bytes at offset. Reading past the end is an error naming the offset.
    // Implementations are safe to call from several threads at once.
    virtual Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const = 0;

    // Bytes read so far through this source (for inspection statistics).
    virtual std::uint64_t bytes_read() const { return 0; }

    // Helper: error about this source at an offset.
    Error error_at(std::uint64_t offset, std::string message) const {
        return make_error(name(), offset, std::move(message));
    }
    Error error(std::string message) const { return make_error(name(), std::move(message)); }
};

using SourcePtr = std::shared_ptr<const ByteSource>;

// A regular file opened read-only (O_RDONLY / GENERIC_READ); positional reads, thread-safe.
class FileSource final : public ByteSource {
  public:
    static Result<std::shared_ptr<FileSource>> open(const std::string& path);
    ~FileSource() override;
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;

    const std::string& name() const override { return path_; }
    std::uint64_t size() const override { return size_; }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override;
    std::uint64_t bytes_read() const override { return bytes_read_.load(std::memory_order_relaxed); }
    // Bytes read from every FileSource of the process (inspection statistics).
    static std::uint64_t total_bytes_read();

    // Next offset >= from that holds data according to the filesystem (SEEK_DATA), or size() if none;
    // returns from when the OS cannot tell.
    std::uint64_t next_data(std::uint64_t from) const;
    // Next hole at or after from (SEEK_HOLE), or size().
    std::uint64_t next_hole(std::uint64_t from) const;

  private:
    FileSource() = default;
    std::string path_;
    std::uint64_t size_ = 0;
    mutable std::atomic<std::uint64_t> bytes_read_{0};
#ifdef _WIN32
    void* handle_ = nullptr;
#else
    int fd_ = -1;
#endif
};

// A window [offset, offset+length) of another source (a partition, an archive member).
class SubSource final : public ByteSource {
  public:
    SubSource(SourcePtr parent, std::uint64_t offset, std::uint64_t length, std::string name);
    const std::string& name() const override { return name_; }
    std::uint64_t size() const override { return length_; }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override;
    std::uint64_t bytes_read() const override { return parent_->bytes_read(); }
    const SourcePtr& parent() const { return parent_; }
    std::uint64_t parent_offset() const { return offset_; }

  private:
    SourcePtr parent_;
    std::uint64_t offset_;
    std::uint64_t length_;
    std::string name_;
};

// Bytes held in memory (tests, small decoded structures).
class MemorySource final : public ByteSource {
  public:
    MemorySource(std::vector<std::uint8_t> data, std::string name);
    const std::string& name() const override { return name_; }
    std::uint64_t size() const override { return data_.size(); }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override;
    const std::vector<std::uint8_t>& data() const { return data_; }

  private:
    std::vector<std::uint8_t> data_;
    std::string name_;
};

// Checks that [offset, offset+len) lies inside [0, size) without overflow.
inline bool range_ok(std::uint64_t offset, std::uint64_t len, std::uint64_t size) {
    return offset <= size && len <= size - offset;
}

} // namespace imgprep
