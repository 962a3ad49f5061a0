// Seeds for the zvhd2 and zvhd fuzz targets from a RAW disk (make_corpora.sh runs it on its pattern disk):
//   OUT/zvhd2/zstd.zvhd2, OUT/zvhd2/zlib.zvhd2   written by imgprep's ZVHD2 writer (the layout the cloud's
//                                                driver writes, test_zvhd2_oracle checks it against the
//                                                driver)
//   OUT/zvhd/stream.zvhd                         an old-format ZVHD laid out here as docs/formats.md
//   describes
//                                                it: header footer ("stream"), one frame per non-zero 2 MiB
//                                                block, all payloads one zlib stream sync-flushed per block,
//                                                a trailing copy of the header
// Usage: make_zvhd_seeds RAW OUTDIR
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "convert/zvhd2_writer.h"
#include "image/open.h"
#include "image/zvhd_format.h"
#include "util/endian.h"

using namespace imgprep;
using namespace imgprep::zvhd;

namespace {

std::vector<std::uint8_t> footer_slot(const char* cookie, std::uint64_t orig, std::uint64_t curr) {
    Footer f;
    std::memcpy(f.cookie.data(), cookie, std::strlen(cookie));
    f.features = 2;
    f.ff_version = 0x00010000;
    f.data_offset = ~std::uint64_t{0};
    f.timestamp = 0x30000000;
    std::memcpy(f.crtr_app.data(), "tap", 3);
    f.crtr_ver = 0x00010001;
    f.orig_size = orig;
    f.curr_size = curr;
    f.geometry = chs_geometry(orig);
    f.type = 4;
    for (std::size_t i = 0; i < f.uuid.size(); ++i)
        f.uuid[i] = std::uint8_t(0x11 * (i + 1));
    std::vector<std::uint8_t> slot(kSlot, 0);
    auto head = std::span<std::uint8_t, kFooterBytes>(slot.data(), kFooterBytes);
    f.encode(head);
    f.checksum = footer_checksum(head);
    f.encode(head);
    return slot;
}

bool write_zvhd(const ImageReader& src, const std::string& out) {
    const std::uint64_t orig = (src.size() + 511) / 512 * 512;
    const std::uint64_t curr = (orig + kGiB - 1) / kGiB * kGiB;
    std::ofstream o(out, std::ios::binary);
    const auto slot = footer_slot("stream", orig, curr);
    o.write(reinterpret_cast<const char*>(slot.data()), std::streamsize(slot.size()));
    z_stream z{};
    if (deflateInit(&z, 6) != Z_OK) return false;
    std::vector<std::uint8_t> block(kBlockSize), payload(kBlockSize * 2 + 4096);
    for (std::uint64_t b = 0; b * kBlockSize < src.size(); ++b) {
        const std::size_t n = std::size_t(std::min<std::uint64_t>(kBlockSize, src.size() - b * kBlockSize));
        std::fill(block.begin(), block.end(), 0);
        if (!src.read_at(b * kBlockSize, std::span(block.data(), n))) return false;
        if (std::all_of(block.begin(), block.end(), [](std::uint8_t c) { return c == 0; })) continue;
        z.next_in = block.data();
        z.avail_in = unsigned(block.size());
        z.next_out = payload.data();
        z.avail_out = unsigned(payload.size());
        if (deflate(&z, Z_SYNC_FLUSH) != Z_OK || z.avail_in != 0) return false;
        const std::size_t len = payload.size() - z.avail_out;
        std::vector<std::uint8_t> frame(std::size_t(frame_length(len)), 0);
        std::memcpy(frame.data(), "hwstream bg", 11);
        put_le32(frame.data() + 12, std::uint32_t(len));
        put_le32(frame.data() + 16, std::uint32_t(b));
        std::memcpy(frame.data() + kFrameHeader, payload.data(), len);
        std::memcpy(frame.data() + frame.size() - kFramePostfix, "end", 4);
        o.write(reinterpret_cast<const char*>(frame.data()), std::streamsize(frame.size()));
    }
    deflateEnd(&z);
    o.write(reinterpret_cast<const char*>(slot.data()), std::streamsize(slot.size()));
    return bool(o);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: make_zvhd_seeds RAW OUTDIR\n");
        return 2;
    }
    const std::string out = argv[2];
    std::filesystem::create_directories(out + "/zvhd2");
    std::filesystem::create_directories(out + "/zvhd");
    auto img = open_image(argv[1]);
    if (!img) {
        std::fprintf(stderr, "make_zvhd_seeds: %s\n", img.error().describe().c_str());
        return 2;
    }
    Progress quiet;
    for (auto [name, method] : {std::pair{"zstd", Method::Zstd}, std::pair{"zlib", Method::Zlib}}) {
        Zvhd2WriteOptions opt;
        opt.output = out + "/zvhd2/" + name + ".zvhd2";
        opt.overwrite = true;
        opt.method = method;
        opt.threads = 1;
        opt.sync = false;
        if (auto r = write_zvhd2(**img, opt, quiet); !r) {
            std::fprintf(stderr, "make_zvhd_seeds: %s\n", r.error().describe().c_str());
            return 2;
        }
    }
    if (!write_zvhd(**img, out + "/zvhd/stream.zvhd")) {
        std::fprintf(stderr, "make_zvhd_seeds: cannot write the ZVHD seed\n");
        return 2;
    }
    return 0;
}
