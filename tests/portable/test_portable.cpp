// test_portable: the core's platform layer (core/io: file names, FileSource; convert/output_file:
// OutputFile), without Qt, so that the same suite runs natively on Linux and, cross-built, on Windows under
// Wine (windows.unit). The Qt Test suites cover everything else on Linux against the oracle tools; what this
// suite checks is what differs between the platforms: UTF-8 names, names over 260 characters, offsets past 4
// GiB, sparse output, partial output removed, errors naming the file.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "convert/output_file.h"
#include "io/byte_source.h"
#include "io/file_system.h"
#include "util/text.h"

namespace {

// A minimal test harness: CHECK records a failure and goes on; each case runs in its own folder.
int g_failures = 0;
#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            ++g_failures;                                                                                    \
            std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                      \
        }                                                                                                    \
    } while (0)

using namespace imgprep;
namespace fs = std::filesystem;

std::string g_root; // UTF-8

std::string join(const std::string& a, const std::string& b) {
#ifdef _WIN32
    return a + "\\" + b;
#else
    return a + "/" + b;
#endif
}

// Creates a folder with any name (long ones in the \\?\ form on Windows).
bool make_dirs(const std::string& utf8) {
    std::error_code ec;
#ifdef _WIN32
    fs::create_directories(fs::path(files::win32_name(utf8)), ec);
#else
    fs::create_directories(fs::path(utf8), ec);
#endif
    return files::is_directory(utf8);
}

std::vector<std::uint8_t> pattern(std::size_t n, unsigned seed) {
    std::vector<std::uint8_t> v(n);
    std::mt19937 rng(seed);
    for (auto& b : v)
        b = std::uint8_t(rng() | 1); // never zero: data is told from holes
    return v;
}

bool write_file(const std::string& path, const std::vector<std::uint8_t>& data) {
    auto f = OutputFile::create(path, true);
    if (!f) return false;
    if (!f->write_at(0, data)) return false;
    return bool(f->commit(false));
}

std::vector<std::uint8_t> read_all(const std::string& path) {
    auto f = FileSource::open(path);
    if (!f) return {};
    std::vector<std::uint8_t> v(std::size_t((*f)->size()));
    if (!(*f)->read_at(0, v)) return {};
    return v;
}

// --------------------------------------------------------------------------------------------------------------

void names_round_trip() {
    for (std::string name : {"磁盘映像.vmdk", "Réplica-été-ñandú.vhdx", "ascii.raw", "emoji-💾.img"}) {
        CHECK(files::to_utf8(files::to_path(name)) == name);
        CHECK(files::to_utf8(files::to_path(name).filename()) == name);
        const std::string dir = join(g_root, "dir-" + name);
        CHECK(make_dirs(dir));
        const std::string path = join(dir, name);
        const auto data = pattern(70000, 1);
        CHECK(write_file(path, data));
        CHECK(files::exists(path));
        CHECK(files::is_regular_file(path));
        CHECK(!files::is_regular_file(dir));
        auto size = files::file_size(path);
        CHECK(size && *size == data.size());
        CHECK(read_all(path) == data);
        // The name in a listing of the folder is the name written.
        bool listed = false;
        for (const auto& entry : fs::directory_iterator(files::to_path(dir)))
            listed = listed || files::to_utf8(entry.path().filename()) == name;
        CHECK(listed);
        const std::string renamed = join(dir, "renamed-" + name);
        CHECK(files::rename_file(path, renamed));
        CHECK(!files::exists(path) && files::exists(renamed));
        CHECK(files::same_file(renamed, join(join(dir, ".."), join("dir-" + name, "renamed-" + name))));
        CHECK(!files::same_file(renamed, dir));
        CHECK(files::weakly_canonical(renamed).find(name.substr(0, 3)) != std::string::npos);
        CHECK(files::remove_file(renamed));
        CHECK(!files::exists(renamed));
        CHECK(files::remove_file(renamed)); // already gone: fine
    }
    // Paths stored inside images (VHD parent locators) come out the same on every platform.
    CHECK(windows_path_to_generic("C:\\VMs\\磁盘\\..\\Réplica\\disk.vhd") == "C:/VMs/Réplica/disk.vhd");
}

void long_names() {
    std::string dir = join(g_root, "long");
    while (dir.size() < 300)
        dir = join(dir, "a-long-folder-name-über-40-characters-long");
    CHECK(make_dirs(dir));
    const std::string path = join(dir, "长文件名-disk.raw");
    CHECK(path.size() > 260);
    const auto data = pattern(100000, 2);
    CHECK(write_file(path, data));
    CHECK(files::exists(path));
    auto size = files::file_size(path);
    CHECK(size && *size == data.size());
    CHECK(read_all(path) == data);
    CHECK(files::same_file(path, path));
    CHECK(files::rename_file(path, path + ".2"));
    CHECK(files::remove_file(path + ".2"));
    CHECK(!files::exists(path + ".2"));
    CHECK(free_space_for(path) > 0);
}

void sparse_past_4gib() {
    const std::string path = join(g_root, "sparse-5G.raw");
    const std::uint64_t size = 5ull << 30;
    const std::uint64_t at = (9ull << 29) + 12345; // 4.5 GiB + an odd offset
    const auto data = pattern(1 << 20, 3);
    {
        auto f = OutputFile::create(path, false);
        CHECK(bool(f));
        if (!f) return;
        CHECK(f->set_size(size));
        CHECK(f->write_at(at, data));
        CHECK(f->write_at(0, std::span(data.data(), 4096)));
        CHECK(files::exists(path + ".part") && !files::exists(path));
        CHECK(f->commit(true));
    }
    CHECK(!files::exists(path + ".part"));
    auto sz = files::file_size(path);
    CHECK(sz && *sz == size);
    auto alloc = files::allocated_size(path);
    CHECK(alloc && *alloc < (64u << 20)); // sparse: two small ranges allocated out of 5 GiB
    auto src = FileSource::open(path);
    CHECK(bool(src));
    if (!src) return;
    CHECK((*src)->size() == size);
    std::vector<std::uint8_t> back(data.size());
    CHECK((*src)->read_at(at, back));
    CHECK(back == data);
    std::vector<std::uint8_t> hole(1 << 16, 0xee);
    CHECK((*src)->read_at(3ull << 30, hole));
    CHECK(std::all_of(hole.begin(), hole.end(), [](std::uint8_t b) { return b == 0; }));
    // The hole map, where the file system gives one, never skips data.
    const std::uint64_t d = (*src)->next_data(8192);
    CHECK(d <= at);
    const std::uint64_t h = (*src)->next_hole(at);
    CHECK(h >= at + data.size() || h == at); // at is data: its hole is after it (or the OS cannot tell)
    CHECK((*src)->next_data(size) == size);
    // Reading past the end names the offset.
    std::vector<std::uint8_t> tail(16);
    auto st = (*src)->read_at(size - 8, tail);
    CHECK(!st && st.error().describe().find("past the end") != std::string::npos);
    src->reset();
    CHECK(files::remove_file(path));
}

void partial_output_removed() {
    const std::string path = join(g_root, "partial-é.raw");
    {
        auto f = OutputFile::create(path, false);
        CHECK(bool(f));
        if (f) CHECK(f->write_at(0, pattern(4096, 4)));
        CHECK(files::exists(path + ".part"));
    } // not committed: removed
    CHECK(!files::exists(path + ".part"));
    CHECK(!files::exists(path));
    // An existing output is not replaced without overwrite; with it, it is.
    CHECK(write_file(path, pattern(10, 5)));
    auto refused = OutputFile::create(path, false);
    CHECK(!refused && refused.error().describe().find("exists") != std::string::npos);
    CHECK(write_file(path, pattern(20, 6)));
    CHECK(read_all(path) == pattern(20, 6));
    CHECK(files::remove_file(path));
    // A folder that does not exist: the error names the file.
    auto missing = OutputFile::create(join(join(g_root, "no-such-folder"), "out.raw"), false);
    CHECK(!missing && missing.error().describe().find("out.raw") != std::string::npos);
    CHECK(!files::exists(join(g_root, "no-such-folder")));
}

void source_errors_and_sharing() {
    auto none = FileSource::open(join(g_root, "missing-磁盘.vmdk"));
    CHECK(!none);
    if (!none) {
        const std::string msg = none.error().describe();
        CHECK(msg.find("missing-磁盘.vmdk") != std::string::npos);
        CHECK(msg.find("cannot open") != std::string::npos);
    }
    auto dir = FileSource::open(g_root);
    CHECK(!dir);
    // A source another program is writing (a running VM's disk) is still readable.
    const std::string path = join(g_root, "shared.raw");
    auto out = OutputFile::create(path, false);
    CHECK(bool(out));
    if (!out) return;
    CHECK(out->write_at(0, pattern(8192, 7)));
    auto src = FileSource::open(out->part_path());
    CHECK(bool(src));
    if (src) {
        std::vector<std::uint8_t> b(8192);
        CHECK((*src)->read_at(0, b));
        CHECK(b == pattern(8192, 7));
    }
    src = make_error("x", "closed");
    out->discard();
    CHECK(!files::exists(out->part_path()));
    // A read-only file is read.
    CHECK(write_file(path, pattern(512, 8)));
    std::error_code ec;
    fs::permissions(files::to_path(path),
                    fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read, ec);
    CHECK(read_all(path) == pattern(512, 8));
    fs::permissions(files::to_path(path), fs::perms::owner_all, ec);
    CHECK(files::remove_file(path));
}

} // namespace

int main() {
    std::error_code ec;
    const fs::path base = fs::temp_directory_path(ec);
    g_root = files::to_utf8(base / ("imgprep-portable-" + std::to_string(std::random_device{}())));
    if (ec || !make_dirs(g_root)) {
        std::printf("FAIL cannot make a scratch folder under %s\n", files::to_utf8(base).c_str());
        return 1;
    }
    const std::pair<const char*, void (*)()> cases[] = {
        {"names_round_trip", names_round_trip},
        {"long_names", long_names},
        {"sparse_past_4gib", sparse_past_4gib},
        {"partial_output_removed", partial_output_removed},
        {"source_errors_and_sharing", source_errors_and_sharing}};
    int failed_cases = 0;
    for (const auto& [name, fn] : cases) {
        const int before = g_failures;
        fn();
        const bool passed = g_failures == before;
        failed_cases += passed ? 0 : 1;
        std::printf("%s %s\n", passed ? "PASS" : "FAIL", name);
    }
#ifdef _WIN32
    fs::remove_all(fs::path(files::win32_name(g_root)), ec);
#else
    fs::remove_all(fs::path(g_root), ec);
#endif
    const int total = int(sizeof cases / sizeof cases[0]);
    std::printf("%d passed, %d failed\n", total - failed_cases, failed_cases);
    return failed_cases ? 1 : 0;
}
