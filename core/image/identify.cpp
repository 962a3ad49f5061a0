#include "image/identify.h"
#include "io/file_system.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "image/container.h"

namespace imgprep {

namespace {

std::string base_name(const std::string& path) {
    return files::to_utf8(files::to_path(path).filename());
}

Result<std::vector<DiskEntry>> open_ova_disks(SourcePtr file, OpenedInput& out) {
    IMGPREP_ASSIGN(OvaInfo ova, read_ova(file));
    for (auto& w : ova.warnings)
        out.warnings.push_back(w);
    std::vector<DiskEntry> disks;
    if (ova.disks.empty()) return file->error("OVA holds no disk image (its OVF lists none)");
    for (const auto& d : ova.disks) {
        IMGPREP_ASSIGN(SourcePtr member, ova_member_source(file, d));
        OpenContext ctx;
        // Extent files named by a descriptor inside the OVA are other members of the same archive.
        ctx.open_sibling = [file, &ova](const std::string& referrer,
                                        const std::string& name) -> Result<SourcePtr> {
            for (const auto& m : ova.disks)
                if (m.member == name) return ova_member_source(file, m);
            return make_error(referrer, "file '" + name + "' named by the disk is not a member of the OVA");
        };
        ctx.open_path = [](const std::string& p, OpenContext& c) { return open_image_in_context(p, c); };
        IMGPREP_ASSIGN(ImagePtr reader, open_image_source(member, ctx));
        if (d.ovf_capacity && d.ovf_capacity != reader->size())
            out.warnings.push_back(d.member + ": the OVF says capacity " + std::to_string(d.ovf_capacity) +
                                   " bytes but the disk's virtual size is " + std::to_string(reader->size()));
        disks.push_back({d.member, std::move(reader)});
    }
    return disks;
}

Json info_json(const ImageInfo& info) {
    Json d = Json::object();
    for (const auto& [k, v] : info.details)
        d.set(k, v);
    return d;
}

} // namespace

Result<OpenedInput> open_input(const std::string& path) {
    OpenedInput out;
    out.path = path;
    IMGPREP_ASSIGN(auto file, FileSource::open(path));
    out.file_size = file->size();
    out.detection = detect_format(*file);
    std::string by_ext = format_for_extension(path);
    if (!by_ext.empty() && by_ext != out.detection.format &&
        !(by_ext == "raw" && out.detection.format == "unknown"))
        out.warnings.push_back("the file name suggests " + by_ext + " but the content is " +
                               out.detection.format);
    if (out.detection.format == "ova") {
        IMGPREP_ASSIGN(out.disks, open_ova_disks(file, out));
        return out;
    }
    // Not a disk image (empty, unrecognised, an archive, installation media, an OVF on its own): an error for
    // every command and the wizard alike, with what the file is and what to do.
    if (!out.detection.disk_image)
        return file->error(out.detection.message.empty() ? "not a disk image (" + out.detection.format + ")"
                                                         : out.detection.message);
    OpenContext ctx;
    IMGPREP_ASSIGN(ImagePtr reader, open_image_in_context(path, ctx));
    out.disks.push_back({base_name(path), std::move(reader)});
    return out;
}

static Result<Json> disk_json(const ImageReader& r) {
    const ImageInfo& info = r.info();
    Json j = Json::object();
    j.set("format", info.format);
    j.set("subformat", info.subformat);
    j.set("virtual_size", r.size());
    j.set("file_size", info.file_size);
    IMGPREP_ASSIGN(std::uint64_t alloc, allocated_bytes(r));
    j.set("allocated_size", alloc);
    j.set("sector_size", info.sector_size);
    if (info.cluster_size) j.set("cluster_size", info.cluster_size);
    j.set("compression", info.compression);
    Json chain = Json::array();
    for (const ImageReader* p = &r; p; p = p->backing()) {
        Json c = Json::object();
        c.set("path", p->name());
        c.set("format", p->info().format);
        c.set("subformat", p->info().subformat);
        chain.push(std::move(c));
    }
    j.set("chain", std::move(chain));
    Json files = Json::array();
    for (const auto& f : info.files)
        files.push(f);
    j.set("files", std::move(files));
    Json warnings = Json::array();
    for (const ImageReader* p = &r; p; p = p->backing())
        for (const auto& w : p->info().warnings)
            warnings.push(p == &r ? w : p->name() + ": " + w);
    j.set("warnings", std::move(warnings));
    j.set("details", info_json(info));
    return j;
}

Result<Json> image_section(const OpenedInput& input) {
    Json j = Json::object();
    j.set("path", input.path);
    j.set("file_size", input.file_size);
    if (input.disks.empty()) return make_error(input.path, "not a disk image");
    IMGPREP_ASSIGN(Json first, disk_json(*input.disks.front().reader));
    if (input.detection.format == "ova") {
        j.set("format", "ova");
        j.set("subformat", first.get("format"));
        j.set("readable", true);
        j.set("virtual_size", first.get("virtual_size"));
        j.set("allocated_size", first.get("allocated_size"));
        j.set("chain", Json::array());
        Json disks = Json::array();
        for (const auto& d : input.disks) {
            IMGPREP_ASSIGN(Json dj, disk_json(*d.reader));
            dj.set("member", d.label);
            disks.push(std::move(dj));
        }
        j.set("disks", std::move(disks));
        Json w = Json::array();
        for (const auto& s : input.warnings)
            w.push(s);
        j.set("warnings", std::move(w));
        return j;
    }
    for (auto& [k, v] : first.as_object())
        if (k != "file_size") j.set(k, v);
    j.set("file_size", first.get("file_size"));
    j.set("readable", true);
    Json& w = j.set("warnings", first.get("warnings"));
    for (const auto& s : input.warnings)
        w.push(s);
    return j;
}

} // namespace imgprep
