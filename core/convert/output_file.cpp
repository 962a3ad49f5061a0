#include "convert/output_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "io/file_system.h"

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <winioctl.h>
#else
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>
#endif

namespace imgprep {

namespace fs = std::filesystem;

OutputFile::OutputFile(OutputFile&& o) noexcept
    : path_(std::move(o.path_)), part_(std::move(o.part_)),
#ifdef _WIN32
      handle_(o.handle_),
#else
      fd_(o.fd_),
#endif
      committed_(o.committed_), sparse_(o.sparse_) {
#ifdef _WIN32
    o.handle_ = nullptr;
#else
    o.fd_ = -1;
#endif
    o.part_.clear();
    o.committed_ = true;
}

OutputFile::~OutputFile() {
    discard();
}

#ifdef _WIN32
namespace {
std::string windows_write_error(DWORD e) {
    std::string text = files::system_error_text(int(e));
    if (e == ERROR_DISK_FULL || e == ERROR_HANDLE_DISK_FULL) text += " (the output filesystem is full)";
    return text;
}
} // namespace

Result<OutputFile> OutputFile::create(const std::string& path, bool overwrite) {
    if (!overwrite && files::exists(path))
        return make_error(path, "output exists; not overwriting it (use --force to replace it)");
    OutputFile f;
    f.path_ = path;
    f.part_ = path + ".part";
    // FILE_SHARE_READ: the file can be looked at while it is written; nobody else writes or deletes it.
    HANDLE h = CreateFileW(files::win32_name(f.part_).c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ,
                           nullptr, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE)
        return make_error(f.part_, "cannot create: " + files::system_error_text(int(GetLastError())));
    f.handle_ = h;
    // Sparse: the zeros of the image are never written, so only written ranges take disk space. Filesystems
    // without sparse files (FAT, exFAT) refuse; the file is then written in full, which is still correct.
    DWORD bytes = 0;
    f.sparse_ = DeviceIoControl(h, FSCTL_SET_SPARSE, nullptr, 0, nullptr, 0, &bytes, nullptr) != 0;
    return f;
}

Status OutputFile::set_size(std::uint64_t size) {
    FILE_END_OF_FILE_INFO eof{};
    eof.EndOfFile.QuadPart = LONGLONG(size);
    if (!SetFileInformationByHandle(handle_, FileEndOfFileInfo, &eof, sizeof eof))
        return make_error(part_, "cannot set the file size: " + windows_write_error(GetLastError()));
    return {};
}

Status OutputFile::write_at(std::uint64_t offset, std::span<const std::uint8_t> data) const {
    std::size_t done = 0;
    while (done < data.size()) {
        // Positional write (OVERLAPPED offset on a synchronous handle): threads write distinct ranges at
        // once.
        OVERLAPPED ov{};
        std::uint64_t pos = offset + done;
        ov.Offset = DWORD(pos & 0xffffffffu);
        ov.OffsetHigh = DWORD(pos >> 32);
        DWORD want = DWORD(std::min<std::size_t>(data.size() - done, 1u << 30));
        DWORD put = 0;
        if (!WriteFile(handle_, data.data() + done, want, &put, &ov))
            return make_error(part_, pos, "write failed: " + windows_write_error(GetLastError()));
        if (put == 0) return make_error(part_, pos, "write failed: no progress");
        done += put;
    }
    return {};
}

void OutputFile::start_writeback(std::uint64_t, std::uint64_t) const {}

Status OutputFile::commit(bool sync) {
    if (sync && !FlushFileBuffers(handle_))
        return make_error(part_, "flush failed: " + windows_write_error(GetLastError()));
    if (!CloseHandle(handle_)) {
        handle_ = nullptr;
        return make_error(part_, "close failed: " + files::system_error_text(int(GetLastError())));
    }
    handle_ = nullptr;
    if (!MoveFileExW(files::win32_name(part_).c_str(), files::win32_name(path_).c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return make_error(path_, "cannot rename the finished .part file: " +
                                     files::system_error_text(int(GetLastError())));
    committed_ = true;
    return {};
}

void OutputFile::discard() {
    if (handle_) {
        CloseHandle(handle_);
        handle_ = nullptr;
    }
    if (!committed_ && !part_.empty()) {
        DeleteFileW(files::win32_name(part_).c_str());
        committed_ = true;
    }
}

std::uint64_t free_space_for(const std::string& path) {
    std::string dir = files::parent_of(path);
    if (dir.empty()) dir = ".";
    ULARGE_INTEGER avail{};
    std::wstring name = files::win32_name(dir);
    if (!name.empty() && name.back() != L'\\') name += L'\\';
    if (!GetDiskFreeSpaceExW(name.c_str(), &avail, nullptr, nullptr)) return 0;
    return avail.QuadPart;
}

#else

Result<OutputFile> OutputFile::create(const std::string& path, bool overwrite) {
    if (!overwrite && files::exists(path))
        return make_error(path, "output exists; not overwriting it (use --force to replace it)");
    OutputFile f;
    f.path_ = path;
    f.part_ = path + ".part";
    int fd = ::open(f.part_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return make_error(f.part_, std::string("cannot create: ") + std::strerror(errno));
    f.fd_ = fd;
    return f;
}

Status OutputFile::set_size(std::uint64_t size) {
    if (::ftruncate(fd_, off_t(size)) != 0)
        return make_error(part_, std::string("cannot set the file size: ") + std::strerror(errno));
    return {};
}

Status OutputFile::write_at(std::uint64_t offset, std::span<const std::uint8_t> data) const {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            return make_error(part_, offset + done,
                              std::string("write failed: ") + std::strerror(e) +
                                  (e == ENOSPC ? " (the output filesystem is full)" : ""));
        }
        if (n == 0) return make_error(part_, offset + done, "write failed: no progress");
        done += std::size_t(n);
    }
    return {};
}

void OutputFile::start_writeback(std::uint64_t offset, std::uint64_t length) const {
#if defined(__linux__)
    ::sync_file_range(fd_, off_t(offset), off_t(length), SYNC_FILE_RANGE_WRITE);
#else
    (void)offset;
    (void)length;
#endif
}

Status OutputFile::commit(bool sync) {
    if (sync && ::fsync(fd_) != 0)
        return make_error(part_, std::string("fsync failed: ") + std::strerror(errno));
    if (::close(fd_) != 0) {
        fd_ = -1;
        return make_error(part_, std::string("close failed: ") + std::strerror(errno));
    }
    fd_ = -1;
    if (::rename(part_.c_str(), path_.c_str()) != 0)
        return make_error(path_,
                          std::string("cannot rename the finished .part file: ") + std::strerror(errno));
    committed_ = true;
    return {};
}

void OutputFile::discard() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    if (!committed_ && !part_.empty()) {
        ::unlink(part_.c_str());
        committed_ = true;
    }
}

std::uint64_t free_space_for(const std::string& path) {
    std::error_code ec;
    auto dir = fs::absolute(path, ec).parent_path();
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0) return 0;
    return std::uint64_t(st.f_bavail) * st.f_frsize;
}
#endif

} // namespace imgprep
