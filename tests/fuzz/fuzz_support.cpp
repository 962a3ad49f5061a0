#include "fuzz_support.h"

#include <algorithm>
#include <cstring>
#include <deque>

#include "util/endian.h"

namespace imgprep::fuzz {
namespace {

constexpr char kSparseMagic[8] = {'I', 'M', 'G', 'P', 'S', 'P', 'R', 'S'};
constexpr std::uint64_t kMaxSparseSize = std::uint64_t(1) << 40; // 1 TiB virtual, never materialised
constexpr std::size_t kMaxRecords = 4096;

// The plain form: the fuzzer's buffer itself, not copied.
class PlainSource final : public ByteSource {
  public:
    PlainSource(const std::uint8_t* data, std::size_t size, std::string name)
        : data_(data), size_(size), name_(std::move(name)) {}
    const std::string& name() const override { return name_; }
    std::uint64_t size() const override { return size_; }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), size_)) return error_at(offset, "read past the end of the file");
        if (!buf.empty()) std::memcpy(buf.data(), data_ + offset, buf.size());
        return {};
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::string name_;
};

struct Record {
    std::uint64_t offset;
    std::uint64_t length;
    const std::uint8_t* data; // nullptr: a run of `fill`
    std::uint8_t fill;
};

class SparseSource final : public ByteSource {
  public:
    SparseSource(std::uint64_t size, std::vector<Record> records, std::string name)
        : size_(size), records_(std::move(records)), name_(std::move(name)) {}
    const std::string& name() const override { return name_; }
    std::uint64_t size() const override { return size_; }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        if (!range_ok(offset, buf.size(), size_)) return error_at(offset, "read past the end of the file");
        std::fill(buf.begin(), buf.end(), std::uint8_t{0});
        const std::uint64_t end = offset + buf.size();
        for (const Record& r : records_) {
            const std::uint64_t s = std::max(offset, r.offset), e = std::min(end, r.offset + r.length);
            if (s >= e) continue;
            if (r.data)
                std::memcpy(buf.data() + (s - offset), r.data + (s - r.offset), std::size_t(e - s));
            else
                std::memset(buf.data() + (s - offset), r.fill, std::size_t(e - s));
        }
        return {};
    }

  private:
    std::uint64_t size_;
    std::vector<Record> records_;
    std::string name_;
};

} // namespace

std::shared_ptr<const ByteSource> fuzz_source(const std::uint8_t* data, std::size_t size, std::string name) {
    if (size < 16 || std::memcmp(data, kSparseMagic, 8) != 0)
        return std::make_shared<PlainSource>(data, size, std::move(name));
    const std::uint64_t vsize = std::min(le64(data + 8), kMaxSparseSize);
    std::vector<Record> records;
    std::size_t pos = 16;
    while (pos + 12 <= size && records.size() < kMaxRecords) {
        const std::uint64_t off = le64(data + pos);
        const std::uint32_t word = le32(data + pos + 8);
        pos += 12;
        const std::uint64_t len = word & 0x7fffffffu;
        if (off >= vsize) break;
        const std::uint64_t clipped = std::min(len, vsize - off);
        if (word & 0x80000000u) {
            if (pos + 1 > size) break;
            records.push_back({off, clipped, nullptr, data[pos]});
            pos += 1;
        } else {
            if (len > size - pos) break;
            records.push_back({off, clipped, data + pos, 0});
            pos += std::size_t(len);
        }
    }
    return std::make_shared<SparseSource>(vsize, std::move(records), std::move(name));
}

std::vector<std::span<const std::uint8_t>> split_input(const std::uint8_t* data, std::size_t size,
                                                       std::string_view separator, std::size_t max_parts) {
    std::vector<std::span<const std::uint8_t>> parts;
    std::size_t start = 0;
    while (parts.size() + 1 < max_parts) {
        const auto* b = reinterpret_cast<const char*>(data);
        const std::string_view rest(b + start, size - start);
        const std::size_t at = rest.find(separator);
        if (at == std::string_view::npos) break;
        parts.emplace_back(data + start, at);
        start += at + separator.size();
    }
    parts.emplace_back(data + start, size - start);
    return parts;
}

OpenContext isolated_context() {
    OpenContext ctx;
    ctx.open_sibling = [](const std::string& referrer, const std::string& name) -> Result<SourcePtr> {
        return make_error(referrer, "file '" + name + "' is not available to the fuzzer");
    };
    ctx.open_path = [](const std::string& path, OpenContext&) -> Result<ImagePtr> {
        return make_error(path, "backing files are not available to the fuzzer");
    };
    return ctx;
}

void touch(const ByteSource& src, std::uint64_t offset, std::size_t len) {
    if (offset >= src.size()) return;
    len = std::size_t(std::min<std::uint64_t>(len, src.size() - offset));
    std::vector<std::uint8_t> buf(len);
    (void)src.read_at(offset, buf);
}

void exercise_hive(const registry::Hive& h) {
    (void)h.find("Select");
    (void)h.find("ControlSet001\\Services\\Tcpip\\Parameters\\Interfaces");
    auto root = h.root();
    if (!root) return;
    std::deque<registry::Key> keys{*root};
    std::size_t visited = 0;
    while (!keys.empty() && visited++ < 512) {
        registry::Key k = std::move(keys.front());
        keys.pop_front();
        (void)k.subkey("Parameters");
        if (auto values = k.values()) {
            std::size_t n = 0;
            for (const registry::Value& v : *values) {
                if (n++ >= 64) break;
                (void)v.data();
                (void)v.as_string();
                (void)v.as_multi_string();
                (void)v.as_dword();
                (void)v.as_qword();
            }
        }
        if (auto subs = k.subkeys())
            for (auto& s : *subs)
                if (keys.size() < 512) keys.push_back(std::move(s));
    }
}

void exercise_image(const ImageReader& image, std::size_t max_extents, std::size_t max_bytes) {
    const ImageInfo& info = image.info();
    (void)info.warnings.size();
    const std::uint64_t size = image.size();
    if (size == 0) return;
    std::size_t budget = max_bytes;
    auto read = [&](std::uint64_t off, std::size_t len) {
        len = std::min(len, budget);
        if (len == 0) return;
        budget -= len;
        touch(image, off, len);
    };
    read(0, 4096);
    read(size > 4096 ? size - 4096 : 0, 4096);
    read(size / 2 + 1, 3000); // unaligned, in the middle
    std::size_t n = 0;
    std::uint64_t off = 0;
    while (off < size && n++ < max_extents) {
        auto e = checked_extent_at(image, off);
        if (!e) break;
        if (e->kind == ExtentKind::Data)
            read(e->offset, std::size_t(std::min<std::uint64_t>(e->length, 4096)));
        off = e->offset + e->length;
    }
    for (const ImageReader* p = image.backing(); p; p = p->backing())
        (void)p->info();
}

} // namespace imgprep::fuzz

namespace imgprep::fuzz {
int run_format_target(const std::uint8_t* data, std::size_t size, const char* name,
                      Result<ImagePtr> (*open)(SourcePtr, OpenContext&)) {
    OpenContext ctx = isolated_context();
    auto image = open(fuzz_source(data, size, name), ctx);
    if (image) exercise_image(**image);
    return 0;
}
} // namespace imgprep::fuzz
