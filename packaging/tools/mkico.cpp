// imgprep_mkico OUT.ico IN.png...
// Packs PNG images (each at most 256 x 256) into a Windows icon file: an ICONDIR header, one ICONDIRENTRY per
// image, then the PNG streams unchanged (PNG-compressed icon entries, read by Windows Vista and later and by
// NSIS / WiX). Used at build time for the installer and the wizard's .exe icon. Plain C++, no Qt.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

struct Png {
    std::vector<unsigned char> bytes;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

void put16(std::vector<unsigned char>& out, std::uint32_t v) {
    out.push_back(static_cast<unsigned char>(v & 0xff));
    out.push_back(static_cast<unsigned char>((v >> 8) & 0xff));
}

void put32(std::vector<unsigned char>& out, std::uint32_t v) {
    put16(out, v & 0xffff);
    put16(out, v >> 16);
}

constexpr std::size_t kMaxPng = 16u << 20; // an icon image larger than 16 MiB is not an icon

bool load_png(const char* path, Png& png, std::string& err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        err = "cannot open";
        return false;
    }
    png.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    // signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4)
    if (png.bytes.size() < 24 || !std::equal(sig, sig + 8, png.bytes.begin()) ||
        std::memcmp(png.bytes.data() + 12, "IHDR", 4) != 0) {
        err = "not a PNG file (no signature / IHDR at offset 0)";
        return false;
    }
    if (png.bytes.size() > kMaxPng) {
        err = "larger than 16 MiB";
        return false;
    }
    png.width = be32(png.bytes.data() + 16);
    png.height = be32(png.bytes.data() + 20);
    if (png.width == 0 || png.height == 0 || png.width > 256 || png.height > 256) {
        err = "image is " + std::to_string(png.width) + "x" + std::to_string(png.height) +
              " (an icon entry must be 1..256 pixels each way)";
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc - 2 > 64) {
        std::fprintf(stderr, "usage: %s OUT.ico IN.png... (1 to 64 PNG images, each at most 256x256)\n",
                     argc > 0 ? argv[0] : "imgprep_mkico");
        return 2;
    }
    std::vector<Png> images(static_cast<std::size_t>(argc - 2));
    for (std::size_t i = 0; i < images.size(); ++i) {
        std::string err;
        if (!load_png(argv[i + 2], images[i], err)) {
            std::fprintf(stderr, "%s: %s\n", argv[i + 2], err.c_str());
            return 2;
        }
    }

    std::vector<unsigned char> out;
    put16(out, 0); // reserved
    put16(out, 1); // type: icon
    put16(out, static_cast<std::uint32_t>(images.size()));
    std::uint32_t offset = static_cast<std::uint32_t>(6 + 16 * images.size());
    for (const Png& png : images) {
        out.push_back(static_cast<unsigned char>(png.width & 0xff)); // 256 is stored as 0
        out.push_back(static_cast<unsigned char>(png.height & 0xff));
        out.push_back(0); // palette colours: none
        out.push_back(0); // reserved
        put16(out, 1);    // colour planes
        put16(out, 32);   // bits per pixel
        put32(out, static_cast<std::uint32_t>(png.bytes.size()));
        put32(out, offset);
        offset += static_cast<std::uint32_t>(png.bytes.size()); // <= 64 * 16 MiB: no overflow
    }
    for (const Png& png : images)
        out.insert(out.end(), png.bytes.begin(), png.bytes.end());

    std::ofstream file(argv[1], std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
    file.close();
    if (!file) {
        std::fprintf(stderr, "%s: cannot write\n", argv[1]);
        std::remove(argv[1]);
        return 2;
    }
    return 0;
}
