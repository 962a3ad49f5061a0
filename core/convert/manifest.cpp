#include "convert/manifest.h"
#include "io/file_system.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <vector>

#include "convert/output_file.h"
#include "io/byte_source.h"
#include "util/sha256.h"

namespace imgprep {

std::string iso8601_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
#ifdef _WIN32
    // The Windows C runtime's %z is the time zone's name ("W. Europe Standard Time"), not +hhmm: the offset
    // is computed from the local time read back as UTC.
    localtime_s(&tm, &t);
    std::tm local = tm;
    const long long offset_min = (static_cast<long long>(_mkgmtime(&local)) - static_cast<long long>(t)) / 60;
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    const long long m = offset_min < 0 ? -offset_min : offset_min;
    std::snprintf(buf + n, sizeof buf - n, "%c%02lld%02lld", offset_min < 0 ? '-' : '+', m / 60, m % 60);
#else
    localtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
#endif
    const std::string s(buf);
    if (s.size() < 5) return s;
    return s.substr(0, s.size() - 2) + ":" + s.substr(s.size() - 2); // +0100 -> +01:00
}

Result<std::string> file_sha256(const std::string& path) {
    IMGPREP_ASSIGN(auto f, FileSource::open(path));
    Sha256 h;
    std::vector<std::uint8_t> buf(1 << 20);
    for (std::uint64_t off = 0; off < f->size(); off += buf.size()) {
        std::size_t n = std::size_t(std::min<std::uint64_t>(buf.size(), f->size() - off));
        IMGPREP_TRY(f->read_at(off, std::span(buf.data(), n)));
        h.update(std::span(buf.data(), n));
    }
    return h.finish_hex();
}

std::string manifest_path_for(const std::string& output) {
    std::filesystem::path p = files::to_path(output);
    p.replace_extension(".manifest.json");
    return files::to_utf8(p);
}

Status write_manifest(const Json& manifest, const std::string& path, bool overwrite) {
    IMGPREP_ASSIGN(OutputFile out, OutputFile::create(path, overwrite));
    std::string text = manifest.dump() + "\n";
    IMGPREP_TRY(out.write_at(0, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
    return out.commit();
}

} // namespace imgprep
