#include "convert/conversion.h"
#include "io/file_system.h"

#include <chrono>
#include <filesystem>
#include <future>

#include "convert/external_tool.h"
#include "convert/manifest.h"
#include "convert/qemu_img_hw.h"
#include "convert/raw_convert.h"
#include "convert/verify.h"
#include "convert/zvhd2_writer.h"
#include "image/formats.h"

namespace imgprep {

namespace {

namespace fs = std::filesystem;

std::string qemu_format_name(const std::string& ours) {
    return ours == "vhd" ? "vpc" : ours;
}

Json output_entry(const std::string& role, const std::string& path) {
    Json o = Json::object();
    o.set("role", role);
    o.set("path", path);
    auto size = files::file_size(path);
    o.set("size", size ? Json(std::uint64_t(*size)) : Json());
    return o;
}

bool wants_bitmap(const ConversionRequest& r) {
    return r.target == ConversionRequest::Target::Raw && (r.bitmap || !r.create_mf_jar.empty());
}

// Removes the outputs already renamed into place unless the run completes (dismiss()).
class Rollback {
  public:
    void add(std::string path) { paths_.push_back(std::move(path)); }
    void dismiss() { paths_.clear(); }
    ~Rollback() {
        for (const auto& p : paths_) {
            files::remove_file(p);
        }
    }

  private:
    std::vector<std::string> paths_;
};

// Reads the ZVHD2 output back with imgprep's reader and compares its content (the source's size of it; the
// rest, up to the 1 GiB rounding, must be zeros) with the source; also records the file's own SHA-256.
Status verify_zvhd2(const ImageReader& src, const std::string& out, Json& image, Json& vj,
                    ConversionOutcome& res, Progress& progress) {
    IMGPREP_ASSIGN(auto file, FileSource::open(out));
    OpenContext ctx;
    auto reader = open_zvhd2(file, ctx);
    if (!reader) {
        Error e = reader.take_error();
        return make_error(e.file, e.offset,
                          "verification FAILED: the output does not read back: " + e.message);
    }
    auto file_sum = std::async(std::launch::async, [&] { return file_sha256(out); });
    auto v = verify_image_output(src, **reader, progress);
    auto fsum = file_sum.get();
    if (!v) return v.take_error();
    vj.set("match", v->match);
    vj.set("source_sha256", v->source_sha256);
    vj.set("output_sha256", v->output_sha256);
    vj.set("compared_bytes", src.size());
    if (fsum) image.set("sha256", *fsum);
    if (!v->match)
        return make_error(out, "verification FAILED: the output's content (SHA-256 " + v->output_sha256 +
                                   " of its first " + std::to_string(src.size()) +
                                   " bytes) differs from the source's " + v->source_sha256 +
                                   "; the outputs were removed");
    res.verified = true;
    return {};
}

} // namespace

std::vector<std::string> planned_outputs(const ConversionRequest& r) {
    std::vector<std::string> out{r.output};
    if (wants_bitmap(r)) out.push_back(bitmap_path_for(r.output));
    out.push_back(manifest_path_for(r.output));
    return out;
}

Result<ConversionOutcome> run_conversion(const ConversionRequest& req, Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!req.input || req.disk >= req.input->disks.size())
        return make_error(req.input ? req.input->path : "", "the input holds no disk to convert");
    if (req.output.empty()) return make_error("", "no output file given");
    const OpenedInput& in = *req.input;
    const ImageReader& src = *in.disks[req.disk].reader;
    const std::string& out = req.output;
    const std::string mf = bitmap_path_for(out);
    const bool bitmap = wants_bitmap(req);

    // The image and bitmap are refused before any work; the manifest describes the latest run and is
    // replaced.
    if (!req.overwrite) {
        if (files::exists(out))
            return make_error(out, "exists already; not overwriting it (use --force to replace it)");
        if (bitmap && files::exists(mf))
            return make_error(mf,
                              "bitmap file exists already; not overwriting it (use --force to replace it)");
    }

    ConversionOutcome res;
    res.virtual_size = src.size();
    res.manifest_path = manifest_path_for(out);
    Json& manifest = res.manifest;
    manifest.set("schema", 1);
    manifest.set("tool", req.tool);
    manifest.set("created", iso8601_now());
    Json input = Json::object();
    input.set("path", in.path);
    input.set("format", in.detection.format);
    input.set("disk", in.disks[req.disk].label);
    input.set("disk_format", src.info().format);
    input.set("subformat", src.info().subformat);
    input.set("virtual_size", src.size());
    input.set("file_size", in.file_size);
    manifest.set("input", std::move(input));
    manifest.set("target", req.target == ConversionRequest::Target::Raw ? "raw" : "zvhd2");
    Json outputs = Json::array();
    Rollback rollback;
    auto check_cancel = [&]() -> Status {
        if (progress.cancelled()) return make_error(out, "cancelled");
        return {};
    };
    // A ZVHD2 output (either writer): --verify reads it back with our reader; then it is listed.
    auto finish_zvhd2 = [&](Json image) -> Status {
        Json vj = Json::object();
        vj.set("performed", req.verify);
        if (req.verify) IMGPREP_TRY(verify_zvhd2(src, out, image, vj, res, progress));
        manifest.set("verification", std::move(vj));
        outputs.push(std::move(image));
        res.outputs.push_back(out);
        return {};
    };

    if (req.target == ConversionRequest::Target::Zvhd2 && !req.qemu_img_hw.empty()) {
        if (in.detection.format == "ova")
            return make_error(
                in.path, "qemu-img-hw cannot read a disk inside an OVA; leave out --qemu-img-hw to write "
                         "the ZVHD2 file with imgprep itself");
        QemuImgHwOptions zo;
        zo.input = in.path;
        zo.input_format = qemu_format_name(src.info().format);
        zo.output = out;
        zo.tool = req.qemu_img_hw;
        zo.overwrite = req.overwrite;
        IMGPREP_ASSIGN(QemuImgHwResult r, convert_with_qemu_img_hw(zo, progress));
        rollback.add(out);
        IMGPREP_TRY(check_cancel());
        res.tool_path = r.tool_path;
        Json image = output_entry("image", out);
        Json tool = Json::object();
        tool.set("path", r.tool_path);
        tool.set("version", r.tool_version);
        manifest.set("external_tool", std::move(tool));
        IMGPREP_TRY(finish_zvhd2(std::move(image)));
    } else if (req.target == ConversionRequest::Target::Zvhd2) {
        Zvhd2WriteOptions zo;
        zo.output = out;
        zo.overwrite = req.overwrite;
        zo.method = req.compression;
        zo.threads = req.threads;
        zo.sync = req.sync;
        IMGPREP_ASSIGN(Zvhd2WriteResult r, write_zvhd2(src, zo, progress));
        rollback.add(out);
        IMGPREP_TRY(check_cancel());
        res.bytes_written = r.file_size;
        res.stored_blocks = r.stored_blocks;
        res.output_virtual_size = r.virtual_size;
        Json image = output_entry("image", out);
        Json z = Json::object();
        z.set("writer", "imgprep");
        z.set("compression", req.compression == zvhd::Method::Zstd ? "zstd" : "zlib");
        z.set("orig_size", r.orig_size);
        z.set("virtual_size", r.virtual_size);
        z.set("block_size", zvhd::kBlockSize);
        z.set("blocks", r.blocks);
        z.set("stored_blocks", r.stored_blocks);
        manifest.set("zvhd2", std::move(z));
        Json stats = Json::object();
        stats.set("seconds", r.seconds);
        stats.set("threads", r.threads);
        stats.set("bytes_read", r.bytes_read);
        stats.set("zero_bytes_skipped", r.zero_bytes_read);
        manifest.set("stats", std::move(stats));
        IMGPREP_TRY(finish_zvhd2(std::move(image)));
    } else {
        RawConvertOptions ro;
        ro.output = out;
        ro.overwrite = req.overwrite;
        ro.sync = req.sync;
        ro.bitmap = req.bitmap && req.create_mf_jar.empty();
        ro.bitmap_block = req.bitmap_block;
        ro.threads = req.threads;
        IMGPREP_ASSIGN(RawConvertResult r, convert_to_raw(src, ro, progress));
        rollback.add(out);
        if (ro.bitmap) rollback.add(mf);
        res.bytes_written = r.bytes_written;
        Json raw_out = output_entry("image", out);
        raw_out.set("bytes_written", r.bytes_written);
        Json stats = Json::object();
        stats.set("seconds", r.seconds);
        stats.set("bytes_read", r.bytes_read);
        stats.set("bytes_written", r.bytes_written);
        stats.set("zero_bytes_skipped", r.zero_bytes_skipped);
        manifest.set("stats", std::move(stats));

        if (!req.create_mf_jar.empty()) {
            const std::string& jar = req.create_mf_jar;
            auto java = find_executable("java");
            if (!java) return make_error(jar, "CreateMF.jar needs Java (java not found on PATH)");
            progress.begin_phase("bitmap (CreateMF.jar)", 0);
            rollback.add(mf);
            auto on_line = req.tool_output ? req.tool_output : [](const std::string&) {};
            IMGPREP_ASSIGN(ToolRun run, run_tool(*java, {"-jar", jar, out, mf}, on_line, progress));
            IMGPREP_TRY(check_cancel());
            auto mf_size = files::file_size(mf);
            if (run.exit_code != 0 || !mf_size || *mf_size == 0)
                return make_error(jar, "CreateMF.jar failed (exit code " + std::to_string(run.exit_code) +
                                           "): " + run.output);
            Json bm = Json::object();
            bm.set("format", "CreateMF.jar");
            bm.set("tool", jar);
            manifest.set("bitmap", std::move(bm));
        } else if (ro.bitmap) {
            Json bm = Json::object();
            bm.set("format", "imgprep-bitmap-1");
            bm.set("block_size", ro.bitmap_block);
            bm.set("blocks", r.bitmap_blocks);
            bm.set("set_bits", r.bitmap_set_bits ? Json(*r.bitmap_set_bits) : Json());
            manifest.set("bitmap", std::move(bm));
        }

        Json vj = Json::object();
        vj.set("performed", req.verify);
        if (req.verify) {
            IMGPREP_ASSIGN(VerifyResult v, verify_raw_output(src, out, progress));
            vj.set("match", v.match);
            vj.set("source_sha256", v.source_sha256);
            vj.set("output_sha256", v.output_sha256);
            raw_out.set("sha256", v.output_sha256);
            if (!v.match)
                return make_error(out, "verification FAILED: the output's SHA-256 " + v.output_sha256 +
                                           " differs from the source's " + v.source_sha256 +
                                           "; the outputs were removed");
            res.verified = true;
        }
        manifest.set("verification", std::move(vj));
        outputs.push(std::move(raw_out));
        res.outputs.push_back(out);
        if (bitmap) {
            Json b = output_entry("bitmap", mf);
            if (auto sum = file_sha256(mf)) b.set("sha256", *sum);
            outputs.push(std::move(b));
            res.outputs.push_back(mf);
        }
    }
    manifest.set("outputs", std::move(outputs));
    IMGPREP_TRY(check_cancel());
    IMGPREP_TRY(write_manifest(manifest, res.manifest_path, true));
    rollback.dismiss();
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
}

} // namespace imgprep
