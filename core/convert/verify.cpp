#include "convert/verify.h"

#include <future>
#include <vector>

#include "util/endian.h"
#include "util/sha256.h"

namespace imgprep {

Result<std::string> raw_file_sha256(const FileSource& raw, Progress& progress) {
    Sha256 h;
    const std::uint64_t size = raw.size();
    const std::size_t chunk = 4 << 20;
    std::vector<std::uint8_t> buf(chunk);
    std::uint64_t pos = 0;
    while (pos < size) {
        if (progress.cancelled()) return raw.error("cancelled");
        std::uint64_t data = raw.next_data(pos);
        if (data > pos) {
            h.update_zeros(data - pos);
            pos = data;
            if (pos >= size) break;
        }
        std::uint64_t hole = raw.next_hole(pos);
        if (hole <= pos) hole = size;
        while (pos < hole) {
            std::size_t n = std::size_t(std::min<std::uint64_t>(chunk, hole - pos));
            IMGPREP_TRY(raw.read_at(pos, std::span(buf.data(), n)));
            h.update(std::span(buf.data(), n));
            pos += n;
            if (progress.cancelled()) return raw.error("cancelled");
        }
    }
    return h.finish_hex();
}

namespace {

// SHA-256 of the source's virtual disk and, at the same time on another thread, of the output (out_sha256).
template <typename OutputHash>
Result<VerifyResult> hash_both(const ImageReader& source, Progress& progress, OutputHash out_sha256) {
    progress.begin_phase("verifying", source.size());
    auto out_future = std::async(std::launch::async, out_sha256);
    auto src_sum = virtual_disk_sha256(source, progress);
    auto out_sum = out_future.get();
    if (!src_sum) return src_sum.take_error();
    if (!out_sum) return out_sum.take_error();
    VerifyResult v;
    v.source_sha256 = *src_sum;
    v.output_sha256 = *out_sum;
    v.match = v.source_sha256 == v.output_sha256;
    return v;
}

} // namespace

Result<VerifyResult> verify_raw_output(const ImageReader& source, const std::string& raw_path,
                                       Progress& progress) {
    IMGPREP_ASSIGN(auto raw, FileSource::open(raw_path));
    if (raw->size() != source.size())
        return make_error(raw_path, "output size " + std::to_string(raw->size()) +
                                        " differs from the virtual size " + std::to_string(source.size()));
    return hash_both(source, progress, [&]() { return raw_file_sha256(*raw, progress); });
}

Result<std::string> disk_prefix_sha256(const ImageReader& disk, std::uint64_t length, Progress& progress) {
    if (length > disk.size())
        return disk.error("internal error: hash of " + std::to_string(length) + " bytes of a " +
                          std::to_string(disk.size()) + "-byte disk");
    Sha256 h;
    const std::size_t chunk = 4 << 20;
    std::vector<std::uint8_t> buf;
    Status inner;
    auto st = for_each_extent(
        disk,
        [&](const Extent& e) {
            if (e.kind != ExtentKind::Data) {
                h.update_zeros(e.length);
                return !progress.cancelled();
            }
            buf.resize(chunk);
            for (std::uint64_t off = e.offset; off < e.offset + e.length; off += chunk) {
                const std::size_t n = std::size_t(std::min<std::uint64_t>(chunk, e.offset + e.length - off));
                inner = disk.read_at(off, std::span(buf.data(), n));
                if (!inner) return false;
                h.update(std::span(buf.data(), n));
                if (progress.cancelled()) return false;
            }
            return true;
        },
        0, length);
    IMGPREP_TRY(std::move(st));
    IMGPREP_TRY(std::move(inner));
    if (progress.cancelled()) return disk.error("cancelled");
    return h.finish_hex();
}

Result<VerifyResult> verify_image_output(const ImageReader& source, const ImageReader& output,
                                         Progress& progress) {
    if (output.size() < source.size())
        return output.error("virtual size " + std::to_string(output.size()) +
                            " is smaller than the source's " + std::to_string(source.size()));
    IMGPREP_ASSIGN(VerifyResult v, hash_both(source, progress, [&]() {
                       return disk_prefix_sha256(output, source.size(), progress);
                   }));
    // The rounding past the source's end must be zeros.
    std::vector<std::uint8_t> buf;
    Status inner;
    bool zero = true;
    IMGPREP_TRY(for_each_extent(
        output,
        [&](const Extent& e) {
            if (e.kind != ExtentKind::Data) return true;
            for (std::uint64_t off = e.offset; off < e.offset + e.length && zero;) {
                const std::size_t n =
                    std::size_t(std::min<std::uint64_t>(4 << 20, e.offset + e.length - off));
                buf.resize(n);
                inner = output.read_at(off, buf);
                if (!inner) return false;
                zero = is_all_zero(buf);
                off += n;
            }
            return zero;
        },
        source.size()));
    IMGPREP_TRY(std::move(inner));
    if (!zero) v.match = false;
    return v;
}

} // namespace imgprep
