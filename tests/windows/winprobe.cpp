// winprobe.exe: what Win32 itself says about files, for the Wine suite (tests/windows/wine_suite.py). Built
// only in the Windows cross build; independent of imgprep's own file layer (plain Win32 calls, no core code).
//   winprobe allocated FILE...   one line per file:
//       "<size> <AllocationSize> <compressed size> <allocated-range bytes or -1> <attributes hex> <name>"
//   size: GetFileAttributesExW; AllocationSize: GetFileInformationByHandleEx(FileStandardInfo), the clusters
//   the file occupies; compressed size: GetCompressedFileSizeW (Wine 8 answers the file size here, so the
//   suite judges sparseness by AllocationSize); allocated ranges: the sum of FSCTL_QUERY_ALLOCATED_RANGES (-1
//   when the file system cannot tell); attributes: 0x200 is FILE_ATTRIBUTE_SPARSE_FILE, 0x1
//   FILE_ATTRIBUTE_READONLY.
// Exit 0 when every file could be asked about, 2 otherwise.
#include <windows.h>
#include <winioctl.h>

#include <cstdio>
#include <cwchar>
#include <shellapi.h>

int main() {
    int argc = 0;
    wchar_t** argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    if (!argv || argc < 3 || std::wcscmp(argv[1], L"allocated") != 0) {
        std::fprintf(stderr, "usage: winprobe allocated FILE...\n");
        return 2;
    }
    int rc = 0;
    for (int i = 2; i < argc; ++i) {
        DWORD high = 0;
        SetLastError(NO_ERROR);
        DWORD low = GetCompressedFileSizeW(argv[i], &high);
        WIN32_FILE_ATTRIBUTE_DATA d{};
        if ((low == INVALID_FILE_SIZE && GetLastError() != NO_ERROR) ||
            !GetFileAttributesExW(argv[i], GetFileExInfoStandard, &d)) {
            std::fprintf(stderr, "winprobe: %ls: Windows error %lu\n", argv[i], GetLastError());
            rc = 2;
            continue;
        }
        const unsigned long long compressed = (static_cast<unsigned long long>(high) << 32) | low;
        const unsigned long long size =
            (static_cast<unsigned long long>(d.nFileSizeHigh) << 32) | d.nFileSizeLow;
        long long allocation = -1, ranges = -1;
        HANDLE h = CreateFileW(argv[i], GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                               OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
        if (h != INVALID_HANDLE_VALUE) {
            FILE_STANDARD_INFO info{};
            if (GetFileInformationByHandleEx(h, FileStandardInfo, &info, sizeof info))
                allocation = info.AllocationSize.QuadPart;
            FILE_ALLOCATED_RANGE_BUFFER query{}, out[256];
            query.Length.QuadPart = static_cast<LONGLONG>(size);
            long long sum = 0;
            bool ok = true;
            while (ok && query.Length.QuadPart > 0) {
                DWORD bytes = 0;
                BOOL done = DeviceIoControl(h, FSCTL_QUERY_ALLOCATED_RANGES, &query, sizeof query, out,
                                            sizeof out, &bytes, nullptr);
                if (!done && GetLastError() != ERROR_MORE_DATA) {
                    ok = false;
                    break;
                }
                const DWORD n = bytes / sizeof out[0];
                for (DWORD k = 0; k < n; ++k)
                    sum += out[k].Length.QuadPart;
                if (done || n == 0) break;
                const LONGLONG next = out[n - 1].FileOffset.QuadPart + out[n - 1].Length.QuadPart;
                query.Length.QuadPart -= next - query.FileOffset.QuadPart;
                query.FileOffset.QuadPart = next;
            }
            if (ok) ranges = sum;
            CloseHandle(h);
        }
        char name[4096];
        WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, name, sizeof name, nullptr, nullptr);
        std::printf("%llu %lld %llu %lld %lx %s\n", size, allocation, compressed, ranges,
                    static_cast<unsigned long>(d.dwFileAttributes), name);
    }
    LocalFree(argv);
    return rc;
}
