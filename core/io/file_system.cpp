#include "io/file_system.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#else
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace imgprep::files {

namespace fs = std::filesystem;

#ifdef _WIN32

std::wstring widen(const std::string& s) {
    if (s.empty()) return {};
    int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), int(s.size()), nullptr, 0);
    std::wstring w(std::size_t(std::max(n, 0)), L'\0');
    if (n > 0) MultiByteToWideChar(CP_UTF8, 0, s.data(), int(s.size()), w.data(), n);
    return w;
}

std::string narrow(const std::wstring& w) {
    if (w.empty()) return {};
    int n = WideCharToMultiByte(CP_UTF8, 0, w.data(), int(w.size()), nullptr, 0, nullptr, nullptr);
    std::string s(std::size_t(std::max(n, 0)), '\0');
    if (n > 0) WideCharToMultiByte(CP_UTF8, 0, w.data(), int(w.size()), s.data(), n, nullptr, nullptr);
    return s;
}

std::wstring win32_name(const std::string& utf8) {
    std::wstring w = widen(utf8);
    // Short names, and names already in a device or \\?\ form, go as they are.
    if (w.size() < MAX_PATH - 12 || w.rfind(L"\\\\?\\", 0) == 0 || w.rfind(L"\\\\.\\", 0) == 0) return w;
    // \\?\ names are taken literally: absolute, backslashes only, no "." or ".." (GetFullPathNameW does
    // that).
    DWORD n = GetFullPathNameW(w.c_str(), 0, nullptr, nullptr);
    if (n == 0) return w;
    std::wstring full(n, L'\0');
    n = GetFullPathNameW(w.c_str(), n, full.data(), nullptr);
    if (n == 0 || n >= full.size()) return w;
    full.resize(n);
    if (full.rfind(L"\\\\", 0) == 0) return L"\\\\?\\UNC\\" + full.substr(2); // \\server\share\...
    return L"\\\\?\\" + full;
}

fs::path to_path(const std::string& utf8) {
    return fs::path(widen(utf8));
}
std::string to_utf8(const fs::path& p) {
    return narrow(p.wstring());
}

namespace {
bool attributes(const std::string& path, WIN32_FILE_ATTRIBUTE_DATA& data) {
    return GetFileAttributesExW(win32_name(path).c_str(), GetFileExInfoStandard, &data) != 0;
}
} // namespace

bool exists(const std::string& path) {
    WIN32_FILE_ATTRIBUTE_DATA d;
    return attributes(path, d);
}

bool is_regular_file(const std::string& path) {
    WIN32_FILE_ATTRIBUTE_DATA d;
    return attributes(path, d) && !(d.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_DEVICE));
}

bool is_directory(const std::string& path) {
    WIN32_FILE_ATTRIBUTE_DATA d;
    return attributes(path, d) && (d.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY);
}

Result<std::uint64_t> file_size(const std::string& path) {
    WIN32_FILE_ATTRIBUTE_DATA d;
    if (!attributes(path, d))
        return make_error(path, "cannot read its size: " + system_error_text(int(GetLastError())));
    return (std::uint64_t(d.nFileSizeHigh) << 32) | d.nFileSizeLow;
}

Result<std::uint64_t> allocated_size(const std::string& path) {
    // FILE_STANDARD_INFO.AllocationSize: the clusters the file occupies (holes of a sparse file excluded).
    // (GetCompressedFileSizeW says the same on NTFS, but Wine 8 answers the file size there.)
    HANDLE h = CreateFileW(win32_name(path).c_str(), FILE_READ_ATTRIBUTES,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                           FILE_FLAG_BACKUP_SEMANTICS, nullptr);
    if (h == INVALID_HANDLE_VALUE)
        return make_error(path, "cannot read its allocated size: " + system_error_text(int(GetLastError())));
    FILE_STANDARD_INFO info{};
    const bool ok = GetFileInformationByHandleEx(h, FileStandardInfo, &info, sizeof info) != 0;
    const DWORD e = GetLastError();
    CloseHandle(h);
    if (!ok) return make_error(path, "cannot read its allocated size: " + system_error_text(int(e)));
    return std::uint64_t(info.AllocationSize.QuadPart);
}

bool remove_file(const std::string& path) {
    if (DeleteFileW(win32_name(path).c_str())) return true;
    const DWORD e = GetLastError();
    return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND;
}

Status rename_file(const std::string& from, const std::string& to) {
    if (MoveFileExW(win32_name(from).c_str(), win32_name(to).c_str(), MOVEFILE_REPLACE_EXISTING)) return {};
    return make_error(to, "cannot rename " + from + " to it: " + system_error_text(int(GetLastError())));
}

bool same_file(const std::string& a, const std::string& b) {
    auto id = [](const std::string& p, BY_HANDLE_FILE_INFORMATION& info) {
        HANDLE h =
            CreateFileW(win32_name(p).c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr);
        if (h == INVALID_HANDLE_VALUE) return false;
        const bool ok = GetFileInformationByHandle(h, &info) != 0;
        CloseHandle(h);
        return ok;
    };
    BY_HANDLE_FILE_INFORMATION x{}, y{};
    if (!id(a, x) || !id(b, y)) return false;
    return x.dwVolumeSerialNumber == y.dwVolumeSerialNumber && x.nFileIndexHigh == y.nFileIndexHigh &&
           x.nFileIndexLow == y.nFileIndexLow;
}

std::string system_error_text(int code) {
    wchar_t* buf = nullptr;
    DWORD n = FormatMessageW(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
        DWORD(code), MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), reinterpret_cast<wchar_t*>(&buf), 0, nullptr);
    std::wstring w = n && buf ? std::wstring(buf, n) : std::wstring();
    if (buf) LocalFree(buf);
    while (!w.empty() && (w.back() == L'\n' || w.back() == L'\r' || w.back() == L' ' || w.back() == L'.'))
        w.pop_back();
    std::string text = narrow(w);
    if (text.empty()) text = "Windows error";
    return text + " (Windows error " + std::to_string(code) + ")";
}

#else

fs::path to_path(const std::string& utf8) {
    return fs::path(utf8);
}
std::string to_utf8(const fs::path& p) {
    return p.string();
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::uint64_t> file_size(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return make_error(path, "cannot read its size: " + system_error_text(errno));
    return std::uint64_t(st.st_size);
}

Result<std::uint64_t> allocated_size(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return make_error(path, "cannot read its allocated size: " + system_error_text(errno));
    return std::uint64_t(st.st_blocks) * 512u;
}

bool remove_file(const std::string& path) {
    return ::unlink(path.c_str()) == 0 || errno == ENOENT;
}

Status rename_file(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) == 0) return {};
    return make_error(to, "cannot rename " + from + " to it: " + system_error_text(errno));
}

bool same_file(const std::string& a, const std::string& b) {
    struct stat x {
    }, y{};
    if (::stat(a.c_str(), &x) != 0 || ::stat(b.c_str(), &y) != 0) return false;
    return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

std::string system_error_text(int code) {
    return std::strerror(code);
}

#endif

std::string weakly_canonical(const std::string& path) {
    std::error_code ec;
    auto c = fs::weakly_canonical(to_path(path), ec);
    return ec || c.empty() ? path : to_utf8(c);
}

std::string parent_of(const std::string& path) {
    return to_utf8(to_path(path).parent_path());
}

} // namespace imgprep::files
