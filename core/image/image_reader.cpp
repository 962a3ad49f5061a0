#include "image/image_reader.h"
#include "io/file_system.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "util/sha256.h"

namespace imgprep {

const char* to_string(ExtentKind k) {
    switch (k) {
    case ExtentKind::Data:
        return "data";
    case ExtentKind::Zero:
        return "zero";
    case ExtentKind::Unallocated:
        return "unallocated";
    }
    return "?";
}

Result<Extent> checked_extent_at(const ImageReader& image, std::uint64_t offset) {
    IMGPREP_ASSIGN(Extent e, image.extent_at(offset));
    if (e.offset != offset || e.length == 0 || e.length > image.size() - offset)
        return image.error("internal error: bad extent at virtual offset " + std::to_string(offset));
    return e;
}

Status for_each_extent(const ImageReader& image, const std::function<bool(const Extent&)>& fn,
                       std::uint64_t offset, std::uint64_t length) {
    const std::uint64_t size = image.size();
    std::uint64_t end = length > size - std::min(offset, size) ? size : offset + length;
    Extent pending{};
    bool have = false;
    std::uint64_t pos = offset;
    while (pos < end) {
        IMGPREP_ASSIGN(Extent e, checked_extent_at(image, pos));
        if (e.length > end - pos) e.length = end - pos;
        if (have && pending.kind == e.kind) {
            pending.length += e.length;
        } else {
            if (have && !fn(pending)) return {};
            pending = e;
            have = true;
        }
        pos += e.length;
    }
    if (have) fn(pending);
    return {};
}

Status check_disjoint(const ByteSource& file, std::vector<std::pair<std::uint64_t, std::uint64_t>> used,
                      const std::string& what) {
    std::sort(used.begin(), used.end());
    for (std::size_t i = 1; i < used.size(); ++i)
        if (used[i].first < used[i - 1].second)
            return file.error_at(used[i].first, what + " structures overlap: [" +
                                                    std::to_string(used[i - 1].first) + ", " +
                                                    std::to_string(used[i - 1].second) + ") and [" +
                                                    std::to_string(used[i].first) + ", " +
                                                    std::to_string(used[i].second) + ")");
    return {};
}

Result<std::uint64_t> allocated_bytes(const ImageReader& image) {
    std::uint64_t total = 0;
    IMGPREP_TRY(for_each_extent(image, [&](const Extent& e) {
        if (e.kind == ExtentKind::Data) total += e.length;
        return true;
    }));
    return total;
}

Result<std::string> virtual_disk_sha256(const ImageReader& disk, Progress& progress) {
    Sha256 h;
    const std::size_t chunk = 4 << 20;
    std::vector<std::uint8_t> buf(chunk);
    progress.begin_phase("checksum", disk.size());
    Status inner;
    std::uint64_t done = 0;
    auto st = for_each_extent(disk, [&](const Extent& e) {
        if (e.kind != ExtentKind::Data) {
            h.update_zeros(e.length);
            done += e.length;
            progress.update(done);
            return !progress.cancelled();
        }
        for (std::uint64_t off = e.offset; off < e.offset + e.length; off += chunk) {
            std::size_t n = std::size_t(std::min<std::uint64_t>(chunk, e.offset + e.length - off));
            inner = disk.read_at(off, std::span(buf.data(), n));
            if (!inner) return false;
            h.update(std::span(buf.data(), n));
            done += n;
            progress.update(done);
            if (progress.cancelled()) return false;
        }
        return true;
    });
    IMGPREP_TRY(std::move(st));
    IMGPREP_TRY(std::move(inner));
    if (progress.cancelled()) return disk.error("cancelled");
    return h.finish_hex();
}

std::vector<std::string> chain_of(const ImageReader& image) {
    std::vector<std::string> out;
    for (const ImageReader* p = &image; p; p = p->backing())
        out.push_back(p->name());
    return out;
}

namespace fs = std::filesystem;

static std::string canonical_or_same(const fs::path& p) {
    return files::weakly_canonical(files::to_utf8(p));
}

OpenContext::OpenContext() {
    open_sibling = [](const std::string& referrer, const std::string& name) -> Result<SourcePtr> {
        fs::path p = files::to_path(name);
        if (p.is_relative()) p = files::to_path(referrer).parent_path() / p;
        auto f = FileSource::open(files::to_utf8(p));
        if (!f)
            return make_error(referrer, "cannot open file '" + name +
                                            "' that the image refers to (looked for " + files::to_utf8(p) +
                                            "): " + f.error().message);
        return SourcePtr(std::move(f).value());
    };
}

Result<ImagePtr> OpenContext::open_backing(const std::string& referrer,
                                           const std::vector<std::string>& candidates) {
    if (chain.size() >= max_chain_depth)
        return make_error(referrer,
                          "backing chain deeper than " + std::to_string(max_chain_depth) + " images");
    std::vector<std::string> looked;
    for (const auto& cand : candidates) {
        if (cand.empty()) continue;
        fs::path p = files::to_path(cand);
        if (p.is_relative()) p = files::to_path(referrer).parent_path() / p;
        if (!files::exists(files::to_utf8(p))) {
            looked.push_back(files::to_utf8(p));
            continue;
        }
        std::string canon = canonical_or_same(p);
        for (const auto& c : chain)
            if (c == canon)
                return make_error(referrer, "backing chain loops: " + canon + " is already in the chain");
        if (!open_path) return make_error(referrer, "internal error: no image opener for backing files");
        return open_path(files::to_utf8(p), *this);
    }
    std::string msg = "backing/parent image not found; looked for";
    for (std::size_t i = 0; i < looked.size(); ++i)
        msg += (i ? ", " : " ") + looked[i];
    if (looked.empty()) msg = "image names no usable backing/parent file";
    return make_error(referrer, msg);
}

} // namespace imgprep
