#include "io/byte_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/file_system.h"

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <winioctl.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace imgprep {

namespace {
std::atomic<std::uint64_t> g_total_read{0};
}

std::uint64_t FileSource::total_bytes_read() {
    return g_total_read.load(std::memory_order_relaxed);
}

#ifdef _WIN32
Result<std::shared_ptr<FileSource>> FileSource::open(const std::string& path) {
    // FILE_SHARE_WRITE | FILE_SHARE_DELETE: a source that another program (a hypervisor) still has open is
    // read anyway, as on POSIX; the file is never written through this handle.
    HANDLE h = CreateFileW(files::win32_name(path).c_str(), GENERIC_READ,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS, nullptr);
    if (h == INVALID_HANDLE_VALUE)
        return make_error(path, "cannot open: " + files::system_error_text(int(GetLastError())));
    BY_HANDLE_FILE_INFORMATION info{};
    if (GetFileInformationByHandle(h, &info) && (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
        CloseHandle(h);
        return make_error(path, "is a directory, not an image file");
    }
    LARGE_INTEGER sz;
    if (!GetFileSizeEx(h, &sz)) {
        const DWORD e = GetLastError();
        CloseHandle(h);
        return make_error(path, "cannot get the file size: " + files::system_error_text(int(e)));
    }
    std::shared_ptr<FileSource> f(new FileSource());
    f->path_ = path;
    f->handle_ = h;
    f->size_ = std::uint64_t(sz.QuadPart);
    return f;
}

FileSource::~FileSource() {
    if (handle_) CloseHandle(handle_);
}

Status FileSource::read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const {
    if (!range_ok(offset, buf.size(), size_))
        return error_at(offset, "read of " + std::to_string(buf.size()) +
                                    " bytes past the end of the file (size " + std::to_string(size_) +
                                    "); the file is truncated or a table points past its end");
    std::size_t done = 0;
    while (done < buf.size()) {
        // Positional read: the OVERLAPPED offset on a synchronous handle; several threads may read at once.
        OVERLAPPED ov{};
        std::uint64_t pos = offset + done;
        ov.Offset = DWORD(pos & 0xffffffffu);
        ov.OffsetHigh = DWORD(pos >> 32);
        DWORD want = DWORD(std::min<std::size_t>(buf.size() - done, 1u << 30));
        DWORD got = 0;
        if (!ReadFile(handle_, buf.data() + done, want, &got, &ov)) {
            const DWORD e = GetLastError();
            if (e == ERROR_HANDLE_EOF)
                return error_at(pos, "unexpected end of file (file shrank while reading?)");
            return error_at(pos, "read failed: " + files::system_error_text(int(e)));
        }
        if (got == 0) return error_at(pos, "unexpected end of file (file shrank while reading?)");
        done += got;
    }
    bytes_read_.fetch_add(buf.size(), std::memory_order_relaxed);
    g_total_read.fetch_add(buf.size(), std::memory_order_relaxed);
    return {};
}

namespace {
// The first allocated range of the file at or after from (FSCTL_QUERY_ALLOCATED_RANGES, the Windows
// counterpart of SEEK_DATA/SEEK_HOLE). False when the filesystem cannot tell; [size, size) when none is left.
bool first_allocated_range(void* handle, std::uint64_t from, std::uint64_t size, std::uint64_t& start,
                           std::uint64_t& end) {
    FILE_ALLOCATED_RANGE_BUFFER query{};
    query.FileOffset.QuadPart = LONGLONG(from);
    query.Length.QuadPart = LONGLONG(size - from);
    FILE_ALLOCATED_RANGE_BUFFER range[1]{};
    DWORD bytes = 0;
    if (!DeviceIoControl(handle, FSCTL_QUERY_ALLOCATED_RANGES, &query, sizeof query, range, sizeof range,
                         &bytes, nullptr) &&
        GetLastError() != ERROR_MORE_DATA)
        return false;
    if (bytes < sizeof range[0]) {
        start = end = size;
        return true;
    }
    start = std::max<std::uint64_t>(from, std::uint64_t(range[0].FileOffset.QuadPart));
    end =
        std::min<std::uint64_t>(size, std::uint64_t(range[0].FileOffset.QuadPart + range[0].Length.QuadPart));
    if (start > size) start = size;
    if (end < start) end = start;
    return true;
}
} // namespace

std::uint64_t FileSource::next_data(std::uint64_t from) const {
    if (from >= size_) return size_;
    std::uint64_t start = 0, end = 0;
    if (!first_allocated_range(handle_, from, size_, start, end)) return from;
    return start;
}

std::uint64_t FileSource::next_hole(std::uint64_t from) const {
    if (from >= size_) return size_;
    std::uint64_t start = 0, end = 0;
    if (!first_allocated_range(handle_, from, size_, start, end)) return size_;
    if (start > from) return from; // from is in a hole
    // Adjacent ranges may follow: callers ask again from the returned offset, and next_data answers for it.
    return end > from ? end : size_;
}

#else

Result<std::shared_ptr<FileSource>> FileSource::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return make_error(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        return make_error(path, std::string("cannot stat: ") + std::strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return make_error(path, "is a directory, not an image file");
    }
    std::uint64_t size = std::uint64_t(st.st_size);
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        size = end > 0 ? std::uint64_t(end) : 0;
    }
    std::shared_ptr<FileSource> f(new FileSource());
    f->path_ = path;
    f->fd_ = fd;
    f->size_ = size;
    return f;
}

FileSource::~FileSource() {
    if (fd_ >= 0) ::close(fd_);
}

Status FileSource::read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const {
    if (!range_ok(offset, buf.size(), size_))
        return error_at(offset, "read of " + std::to_string(buf.size()) +
                                    " bytes past the end of the file (size " + std::to_string(size_) +
                                    "); the file is truncated or a table points past its end");
    std::size_t done = 0;
    while (done < buf.size()) {
        ssize_t n = ::pread(fd_, buf.data() + done, buf.size() - done, off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return error_at(offset + done, std::string("read failed: ") + std::strerror(errno));
        }
        if (n == 0) return error_at(offset + done, "unexpected end of file (file shrank while reading?)");
        done += std::size_t(n);
    }
    bytes_read_.fetch_add(buf.size(), std::memory_order_relaxed);
    g_total_read.fetch_add(buf.size(), std::memory_order_relaxed);
    return {};
}

std::uint64_t FileSource::next_data(std::uint64_t from) const {
#ifdef SEEK_DATA
    if (from >= size_) return size_;
    off_t r = lseek(fd_, off_t(from), SEEK_DATA);
    if (r < 0) return errno == ENXIO ? size_ : from;
    return std::min<std::uint64_t>(std::uint64_t(r), size_);
#else
    return from;
#endif
}

std::uint64_t FileSource::next_hole(std::uint64_t from) const {
#ifdef SEEK_HOLE
    if (from >= size_) return size_;
    off_t r = lseek(fd_, off_t(from), SEEK_HOLE);
    if (r < 0) return size_;
    return std::min<std::uint64_t>(std::uint64_t(r), size_);
#else
    return size_;
#endif
}
#endif

SubSource::SubSource(SourcePtr parent, std::uint64_t offset, std::uint64_t length, std::string name)
    : parent_(std::move(parent)), offset_(offset), length_(length), name_(std::move(name)) {}

Status SubSource::read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const {
    if (!range_ok(offset, buf.size(), length_))
        return error_at(offset, "read of " + std::to_string(buf.size()) + " bytes past the end (size " +
                                    std::to_string(length_) + ")");
    return parent_->read_at(offset_ + offset, buf);
}

MemorySource::MemorySource(std::vector<std::uint8_t> data, std::string name)
    : data_(std::move(data)), name_(std::move(name)) {}

Status MemorySource::read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const {
    if (!range_ok(offset, buf.size(), data_.size()))
        return error_at(offset, "read of " + std::to_string(buf.size()) + " bytes past the end (size " +
                                    std::to_string(data_.size()) + ")");
    if (!buf.empty()) std::memcpy(buf.data(), data_.data() + offset, buf.size());
    return {};
}

} // namespace imgprep
