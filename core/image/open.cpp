// Content-based format detection and dispatch to the per-format readers.
#include "image/open.h"
#include "io/file_system.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>

#include "image/container.h"
#include "image/formats.h"
#include "util/endian.h"

namespace imgprep {
namespace {

bool starts_with(std::span<const std::uint8_t> b, std::size_t at, std::string_view magic) {
    return b.size() >= at + magic.size() && std::memcmp(b.data() + at, magic.data(), magic.size()) == 0;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

Detection disk(std::string fmt, std::string sub = {}) {
    return Detection{std::move(fmt), std::move(sub), true, {}};
}
Detection other(std::string fmt, std::string sub, std::string msg) {
    return Detection{std::move(fmt), std::move(sub), false, std::move(msg)};
}

} // namespace

Detection detect_format(const ByteSource& src) {
    const std::uint64_t size = src.size();
    if (size == 0) return other("unknown", "empty", "zero-length file: not a disk image");
    std::array<std::uint8_t, 4096> headbuf{};
    const std::size_t n = std::size_t(std::min<std::uint64_t>(size, headbuf.size()));
    if (!src.read_at(0, std::span(headbuf.data(), n)))
        return other("unknown", "", "cannot read the file header");
    std::span<const std::uint8_t> h(headbuf.data(), n);

    // Disk-image formats with a magic at offset 0.
    if (starts_with(h, 0, "QFI\xfb") && n >= 8) {
        std::uint32_t version = be32(h.data() + 4);
        if (version == 1) return disk("qcow", "v1");
        if (version == 2 || version == 3) return disk("qcow2", version == 2 ? "v2" : "v3");
        return other("qcow2", "v" + std::to_string(version),
                     "QCOW version " + std::to_string(version) +
                         " is not a version this tool reads (1, 2, 3)");
    }
    if (starts_with(h, 0, "QED\0")) return disk("qed");
    if (starts_with(h, 0, "vhdxfile")) return disk("vhdx");
    if (starts_with(h, 0, "KDMV")) return disk("vmdk");
    if (starts_with(h, 0, "COWD"))
        return other(
            "vmdk", "vmfsSparse",
            "VMware ESX vmfsSparse (COWD) delta disk: not readable offline; consolidate the snapshot "
            "(or export the VM) to a monolithic VMDK first");
    if (n >= 0x48 && le32(h.data() + 0x40) == 0xbeda107f) return disk("vdi");
    if (starts_with(h, 0, "conectix")) return disk("vhd");
    if (auto z = detect_zvhd(src, h); !z.format.empty()) return z;
    // A VMDK text descriptor.
    {
        std::string text(reinterpret_cast<const char*>(h.data()), std::min<std::size_t>(n, 1024));
        if (text.find("# Disk DescriptorFile") != std::string::npos ||
            (text.find("createType") != std::string::npos && text.find("version=") != std::string::npos))
            return disk("vmdk", "descriptor");
    }
    // Fixed VHD: the footer is the last 512 bytes (511 for very old images).
    if (size >= 512) {
        std::array<std::uint8_t, 512> foot{};
        if (src.read_at(size - 512, foot) && std::memcmp(foot.data(), "conectix", 8) == 0)
            return disk("vhd", "fixed");
        if (src.read_at(size - 512, foot) && std::memcmp(foot.data() + 1, "conectix", 8) == 0)
            return disk("vhd", "fixed");
    }

    // Inputs that are not disk images.
    if (auto c = detect_container(src, h); !c.format.empty()) return c;

    if (size % 512 != 0 && !(n >= 512 && h[510] == 0x55 && h[511] == 0xaa))
        return other("unknown", "",
                     "not a recognised disk image (no known signature, and a size of " +
                         std::to_string(size) + " bytes is not a multiple of 512 as a raw disk would be)");
    return disk("raw");
}

std::string format_for_extension(const std::string& path) {
    std::string ext = lower(files::to_utf8(files::to_path(path).extension()));
    static const std::pair<const char*, const char*> table[] = {
        {".vmdk", "vmdk"},   {".vhd", "vhd"},     {".vpc", "vhd"},     {".vhdx", "vhdx"},
        {".qcow2", "qcow2"}, {".qcow", "qcow"},   {".qed", "qed"},     {".vdi", "vdi"},
        {".raw", "raw"},     {".img", "raw"},     {".zvhd", "zvhd"},   {".zvhd2", "zvhd2"},
        {".ova", "ova"},     {".ovf", "ovf"},     {".iso", "iso"},     {".gz", "archive"},
        {".xz", "archive"},  {".zst", "archive"}, {".bz2", "archive"}, {".zip", "archive"},
        {".7z", "archive"},  {".tar", "archive"}, {".tgz", "archive"}};
    for (auto& [e, f] : table)
        if (ext == e) return f;
    return {};
}

Result<ImagePtr> open_image_source(SourcePtr src, OpenContext& ctx) {
    Detection d = detect_format(*src);
    if (!d.disk_image)
        return src->error(d.message.empty() ? "not a disk image (" + d.format + ")" : d.message);
    if (d.format == "raw") return open_raw(src, ctx);
    if (d.format == "vmdk") return open_vmdk(src, ctx);
    if (d.format == "vhd") return open_vhd(src, ctx);
    if (d.format == "vhdx") return open_vhdx(src, ctx);
    if (d.format == "qcow") return open_qcow(src, ctx);
    if (d.format == "qcow2") return open_qcow2(src, ctx);
    if (d.format == "qed") return open_qed(src, ctx);
    if (d.format == "vdi") return open_vdi(src, ctx);
    if (d.format == "zvhd2") return open_zvhd2(src, ctx);
    if (d.format == "zvhd") return open_zvhd(src, ctx);
    return src->error("no reader for format " + d.format);
}

Result<ImagePtr> open_image_in_context(const std::string& path, OpenContext& ctx) {
    if (!ctx.open_path)
        ctx.open_path = [](const std::string& p, OpenContext& c) { return open_image_in_context(p, c); };
    IMGPREP_ASSIGN(auto file, FileSource::open(path));
    ctx.chain.push_back(files::weakly_canonical(path));
    auto r = open_image_source(std::move(file), ctx);
    ctx.chain.pop_back();
    return r;
}

Result<ImagePtr> open_image(const std::string& path) {
    OpenContext ctx;
    return open_image_in_context(path, ctx);
}

} // namespace imgprep
