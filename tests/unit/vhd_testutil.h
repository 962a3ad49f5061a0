// Helpers shared by test_vhd and test_vhdx: opening images (and their parents) without the full dispatcher,
// patching copies of fixture files, and checks that run against independent oracles.
#pragma once

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QStringList>

#include <array>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "image/formats.h"
#include "testsupport.h"
#include "util/endian.h"

namespace vhdtest {

// Detects vhdx / vhd / raw by content and opens the file in ctx (pushing it on ctx.chain as
// image/open.cpp does), so that parents open through ctx.open_backing.
inline imgprep::Result<imgprep::ImagePtr> openAny(const std::string& path, imgprep::OpenContext& ctx) {
    using namespace imgprep;
    auto f = FileSource::open(path);
    if (!f) return f.take_error();
    SourcePtr src = std::move(f).value();
    std::error_code ec;
    auto canon = std::filesystem::weakly_canonical(path, ec);
    ctx.chain.push_back(ec ? path : canon.string());
    std::array<std::uint8_t, 512> b{};
    const std::uint64_t size = src->size();
    std::string kind = "raw";
    if (size >= 8 && src->read_at(0, std::span(b.data(), 8)) && std::memcmp(b.data(), "vhdxfile", 8) == 0)
        kind = "vhdx";
    else if (size >= 8 && std::memcmp(b.data(), "conectix", 8) == 0)
        kind = "vhd";
    else if (size >= 512 && src->read_at(size - 512, b) &&
             (std::memcmp(b.data(), "conectix", 8) == 0 || std::memcmp(b.data() + 1, "conectix", 8) == 0))
        kind = "vhd";
    Result<ImagePtr> r = kind == "vhdx"  ? open_vhdx(src, ctx)
                         : kind == "vhd" ? open_vhd(src, ctx)
                                         : open_raw(src, ctx);
    ctx.chain.pop_back();
    return r;
}

inline imgprep::Result<imgprep::ImagePtr> openImage(const QString& path) {
    imgprep::OpenContext ctx;
    ctx.open_path = openAny;
    return openAny(path.toStdString(), ctx);
}

inline QString describe(const imgprep::Error& e) {
    return QString::fromStdString(e.describe());
}

inline std::string detail(const imgprep::ImageInfo& info, const std::string& key) {
    for (const auto& [k, v] : info.details)
        if (k == key) return v;
    return {};
}

inline bool hasWarning(const imgprep::ImageInfo& info, const QString& part) {
    for (const auto& w : info.warnings)
        if (QString::fromStdString(w).contains(part)) return true;
    return false;
}

struct ListEntry {
    QString name, format, image, expected;
};
// DIR/vhd.list: name|format|image|expected (written by build_vhd_images.sh).
inline QList<ListEntry> readList(const QString& dir, const QString& file = "vhd.list") {
    QList<ListEntry> out;
    QFile f(dir + "/" + file);
    if (!f.open(QIODevice::ReadOnly)) return out;
    while (!f.atEnd()) {
        const QStringList p = QString::fromUtf8(f.readLine()).trimmed().split('|');
        if (p.size() == 4) out.append({p[0], p[1], dir + "/" + p[2], dir + "/" + p[3]});
        if (p.size() == 2) out.append({p[0], {}, {}, dir + "/" + p[1]});
    }
    return out;
}

inline QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
inline bool writeFile(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}
inline std::uint8_t* u8(QByteArray& b, qsizetype at) {
    return reinterpret_cast<std::uint8_t*>(b.data()) + at;
}

// CRC-32C, written here independently of the reader (for re-signing patched VHDX structures).
inline std::uint32_t crc32c(const std::uint8_t* p, std::size_t n, std::size_t skip4 = std::size_t(-1)) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t b = (i >= skip4 && i < skip4 + 4) ? 0 : p[i];
        c ^= b;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

// Reads random ranges from several threads at once and compares them with the expected raw file.
inline QString concurrentReads(const imgprep::ImageReader& r, const QString& expectedPath, int threads = 4,
                               int reads = 100) {
    const QByteArray expect = readFile(expectedPath);
    if (std::uint64_t(expect.size()) != r.size()) return "expected file size differs";
    std::atomic<int> bad{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            std::uint64_t seed = 977 + 31 * t;
            std::vector<std::uint8_t> buf;
            for (int i = 0; i < reads; ++i) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                const std::uint64_t off = (seed >> 13) % r.size();
                const std::size_t n =
                    std::size_t(std::min<std::uint64_t>(1 + (seed >> 41) % (1 << 20), r.size() - off));
                buf.resize(n);
                if (!r.read_at(off, buf) || std::memcmp(buf.data(), expect.constData() + off, n) != 0) ++bad;
            }
        });
    for (auto& th : pool)
        th.join();
    return bad ? QString("%1 concurrent reads failed or differed").arg(bad.load()) : QString();
}

// Opens, reads everything and maps every extent: returns "" or the error. For mutated (hostile) files: must
// not crash or hang; an error is a fine outcome.
inline QString exercise(const QString& path) {
    auto r = openImage(path);
    if (!r) return describe(r.error());
    const auto& img = **r;
    std::vector<std::uint8_t> buf(1 << 20);
    // 1 MiB out of every 4 MiB (and at most 64 samples): enough to touch every kind of block.
    for (std::uint64_t off = 0, k = 0; off < img.size() && k < 64; off += 4 * buf.size(), ++k) {
        const std::size_t n = std::size_t(std::min<std::uint64_t>(buf.size(), img.size() - off));
        auto st = img.read_at(off, std::span(buf.data(), n));
        if (!st) return describe(st.error());
    }
    auto st = imgprep::for_each_extent(
        img, [](const imgprep::Extent&) { return true; }, 0, std::min<std::uint64_t>(img.size(), 1ull << 30));
    return st ? QString() : describe(st.error());
}

} // namespace vhdtest
