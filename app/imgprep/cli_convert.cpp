// imgprep convert IMAGE --to raw|zvhd2 -o OUT [--bitmap] [--verify] [--force] [--bitmap-tool CreateMF.jar]
//                 [--qemu-img-hw PATH] [--disk N] [--bitmap-block-size BYTES]
// imgprep bitmap RAW [-o RAW.mf] [--block-size BYTES] [--force]
// imgprep bitmap --verify RAW MF
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "cli.h"
#include "cli_progress.h"
#include "convert/bitmap.h"
#include "convert/external_tool.h"
#include "convert/manifest.h"
#include "convert/raw_convert.h"
#include "convert/verify.h"
#include "convert/zvhd2.h"
#include "image/identify.h"
#include "util/format.h"
#include "util/version.h"

namespace imgprep::cli {

namespace {

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> values;
    std::set<std::string> flags;
};

// Options taking a value; everything else starting with "-" is a flag.
Result<Args> parse(const std::vector<std::string>& in, const std::set<std::string>& with_value,
                   const std::set<std::string>& known_flags) {
    Args a;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const std::string& s = in[i];
        if (s.size() > 1 && s[0] == '-') {
            std::string key = s, val;
            bool has_eq = false;
            if (auto eq = s.find('='); eq != std::string::npos && s.rfind("--", 0) == 0) {
                key = s.substr(0, eq);
                val = s.substr(eq + 1);
                has_eq = true;
            }
            if (with_value.count(key)) {
                if (!has_eq) {
                    if (i + 1 >= in.size()) return make_error("", "option " + key + " needs a value");
                    val = in[++i];
                }
                a.values[key] = val;
            } else if (known_flags.count(key) && !has_eq) {
                a.flags.insert(key);
            } else {
                return make_error("", "unknown option " + s);
            }
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

std::string qemu_format_name(const std::string& ours) { return ours == "vhd" ? "vpc" : ours; }

Result<std::uint64_t> parse_size(const std::string& s) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (end == s.c_str()) return make_error("", "not a number: " + s);
    std::string suffix(end);
    if (suffix == "K" || suffix == "k") v <<= 10;
    else if (suffix == "M" || suffix == "m") v <<= 20;
    else if (!suffix.empty()) return make_error("", "bad size suffix in " + s);
    return std::uint64_t(v);
}

int fail(const Error& e) {
    print_error(e.describe());
    return kExitError;
}

Json output_entry(const std::string& role, const std::string& path) {
    Json o = Json::object();
    o.set("role", role);
    o.set("path", path);
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    o.set("size", ec ? Json() : Json(std::uint64_t(size)));
    return o;
}

} // namespace

int cmd_convert(const std::vector<std::string>& argv) {
    auto parsed = parse(argv, {"--to", "-o", "--output", "--bitmap-tool", "--qemu-img-hw", "--disk", "--bitmap-block-size"},
                        {"--bitmap", "--verify", "--force", "--quiet", "--no-sync"});
    if (!parsed) return fail(parsed.error());
    Args& a = *parsed;
    if (a.positional.size() != 1) {
        print_error("convert: usage: imgprep convert IMAGE --to raw|zvhd2 -o OUT [--bitmap] [--verify] [--force]");
        return kExitError;
    }
    const std::string input = a.positional[0];
    std::string out = a.values.count("-o") ? a.values["-o"] : a.values["--output"];
    const std::string to = a.values["--to"];
    if (to != "raw" && to != "zvhd2") {
        print_error("convert: --to must be raw or zvhd2");
        return kExitError;
    }
    if (out.empty()) {
        print_error("convert: missing -o OUT");
        return kExitError;
    }
    const bool force = a.flags.count("--force") > 0;
    const bool want_bitmap = a.flags.count("--bitmap") > 0 || a.values.count("--bitmap-tool") > 0;
    CliProgress progress(a.flags.count("--quiet") > 0);
    install_cancel_handler(&progress);

    auto opened = open_input(input);
    if (!opened) return fail(opened.error());
    if (opened->disks.empty()) return fail(make_error(input, opened->detection.message));
    std::size_t disk_index = 0;
    if (a.values.count("--disk")) {
        disk_index = std::size_t(std::strtoul(a.values["--disk"].c_str(), nullptr, 10));
        if (disk_index >= opened->disks.size())
            return fail(make_error(input, "--disk " + a.values["--disk"] + ": the input has " +
                                              std::to_string(opened->disks.size()) + " disk(s), numbered from 0"));
    }
    const ImageReader& src = *opened->disks[disk_index].reader;

    Json manifest = Json::object();
    manifest.set("schema", 1);
    manifest.set("tool", tool_section());
    manifest.set("created", iso8601_now());
    Json in = Json::object();
    in.set("path", input);
    in.set("format", opened->detection.format);
    in.set("disk", opened->disks[disk_index].label);
    in.set("disk_format", src.info().format);
    in.set("subformat", src.info().subformat);
    in.set("virtual_size", src.size());
    in.set("file_size", opened->file_size);
    manifest.set("input", std::move(in));
    manifest.set("target", to);
    Json outputs = Json::array();

    if (to == "zvhd2") {
        if (opened->detection.format == "ova")
            return fail(make_error(input, "qemu-img-hw cannot read a disk inside an OVA; convert it to RAW with a "
                                          "bitmap file instead (--to raw --bitmap)"));
        Zvhd2Options zo;
        zo.input = input;
        zo.input_format = qemu_format_name(src.info().format);
        zo.output = out;
        zo.tool = a.values["--qemu-img-hw"];
        zo.overwrite = force;
        auto r = convert_to_zvhd2(zo, progress);
        progress.finish();
        if (!r) return fail(r.error());
        outputs.push(output_entry("image", out));
        Json tool = Json::object();
        tool.set("path", r->tool_path);
        tool.set("version", r->tool_version);
        manifest.set("external_tool", std::move(tool));
        manifest.set("outputs", std::move(outputs));
        if (auto st = write_manifest(manifest, manifest_path_for(out), true); !st) return fail(st.error());
        std::printf("wrote %s (ZVHD2 by %s)\nmanifest %s\n", out.c_str(), r->tool_path.c_str(),
                    manifest_path_for(out).c_str());
        return kExitOk;
    }

    RawConvertOptions ro;
    ro.output = out;
    ro.overwrite = force;
    ro.sync = a.flags.count("--no-sync") == 0;
    ro.bitmap = want_bitmap && !a.values.count("--bitmap-tool");
    if (a.values.count("--bitmap-block-size")) {
        auto bs = parse_size(a.values["--bitmap-block-size"]);
        if (!bs || *bs < 512 || (*bs & (*bs - 1))) {
            print_error("convert: --bitmap-block-size must be a power of two ≥ 512");
            return kExitError;
        }
        ro.bitmap_block = *bs;
    }
    const std::string mf = bitmap_path_for(out);
    if (want_bitmap && !force && std::filesystem::exists(mf))
        return fail(make_error(mf, "bitmap file exists; not overwriting it (use --force to replace it)"));
    auto r = convert_to_raw(src, ro, progress);
    progress.finish();
    if (!r) return fail(r.error());
    Json raw_out = output_entry("image", out);
    raw_out.set("bytes_written", r->bytes_written);
    Json stats = Json::object();
    stats.set("seconds", r->seconds);
    stats.set("bytes_read", r->bytes_read);
    stats.set("bytes_written", r->bytes_written);
    stats.set("zero_bytes_skipped", r->zero_bytes_skipped);
    manifest.set("stats", std::move(stats));

    if (a.values.count("--bitmap-tool")) {
        const std::string jar = a.values["--bitmap-tool"];
        auto java = find_executable("java");
        if (!java) return fail(make_error(jar, "--bitmap-tool needs Java (java not found on PATH)"));
        auto run = run_tool(*java, {"-jar", jar, out, mf}, [](const std::string& line) {
            std::fprintf(stderr, "CreateMF: %s\n", line.c_str());
        }, progress);
        if (!run) return fail(run.error());
        std::error_code ec;
        if (run->exit_code != 0 || !std::filesystem::exists(mf, ec) || std::filesystem::file_size(mf, ec) == 0)
            return fail(make_error(jar, "CreateMF.jar failed (exit code " + std::to_string(run->exit_code) +
                                            "): " + run->output));
        Json bm = Json::object();
        bm.set("format", "CreateMF.jar");
        bm.set("tool", jar);
        manifest.set("bitmap", std::move(bm));
    } else if (ro.bitmap) {
        Json bm = Json::object();
        bm.set("format", "imgprep-bitmap-1");
        bm.set("block_size", ro.bitmap_block);
        bm.set("blocks", r->bitmap_blocks);
        bm.set("set_bits", *r->bitmap_set_bits);
        manifest.set("bitmap", std::move(bm));
    }

    if (a.flags.count("--verify")) {
        auto v = verify_raw_output(src, out, progress);
        progress.finish();
        if (!v) return fail(v.error());
        Json vj = Json::object();
        vj.set("performed", true);
        vj.set("match", v->match);
        vj.set("source_sha256", v->source_sha256);
        vj.set("output_sha256", v->output_sha256);
        manifest.set("verification", std::move(vj));
        raw_out.set("sha256", v->output_sha256);
        if (!v->match) {
            print_error(out + ": verification FAILED: output SHA-256 " + v->output_sha256 +
                        " differs from the source's " + v->source_sha256);
            std::filesystem::remove(out);
            if (want_bitmap) std::filesystem::remove(mf);
            return kExitError;
        }
    } else {
        Json vj = Json::object();
        vj.set("performed", false);
        manifest.set("verification", std::move(vj));
    }
    outputs.push(std::move(raw_out));
    if (want_bitmap) {
        Json b = output_entry("bitmap", mf);
        if (auto sum = file_sha256(mf)) b.set("sha256", *sum);
        outputs.push(std::move(b));
    }
    manifest.set("outputs", std::move(outputs));
    const std::string mpath = manifest_path_for(out);
    if (auto st = write_manifest(manifest, mpath, true); !st) return fail(st.error());
    std::printf("wrote %s (%s virtual, %s of data written in %.1f s)\n", out.c_str(), human_bytes(src.size()).c_str(),
                human_bytes(r->bytes_written).c_str(), r->seconds);
    if (want_bitmap) std::printf("bitmap %s\n", mf.c_str());
    if (a.flags.count("--verify")) std::printf("verified: output matches the source (SHA-256)\n");
    std::printf("manifest %s\n", mpath.c_str());
    return kExitOk;
}

int cmd_bitmap(const std::vector<std::string>& argv) {
    auto parsed = parse(argv, {"-o", "--output", "--block-size"}, {"--verify", "--force", "--quiet"});
    if (!parsed) return fail(parsed.error());
    Args& a = *parsed;
    CliProgress progress(a.flags.count("--quiet") > 0);
    install_cancel_handler(&progress);
    if (a.flags.count("--verify")) {
        if (a.positional.size() != 2) {
            print_error("bitmap: usage: imgprep bitmap --verify RAW MF");
            return kExitError;
        }
        auto raw = FileSource::open(a.positional[0]);
        if (!raw) return fail(raw.error());
        auto mfsrc = FileSource::open(a.positional[1]);
        if (!mfsrc) return fail(mfsrc.error());
        auto stored = Bitmap::parse(**mfsrc);
        if (!stored) return fail(stored.error());
        if (stored->virtual_size() != (*raw)->size())
            return fail(make_error(a.positional[1], "bitmap is for a " + std::to_string(stored->virtual_size()) +
                                                        "-byte image; the RAW file has " +
                                                        std::to_string((*raw)->size()) + " bytes"));
        auto fresh = compute_bitmap(**raw, stored->block_size(), progress);
        progress.finish();
        if (!fresh) return fail(fresh.error());
        if (fresh->bytes() != stored->bytes()) {
            std::uint64_t first = 0;
            while (first < fresh->block_count() && fresh->test(first) == stored->test(first)) ++first;
            print_error(a.positional[1] + ": bitmap does NOT match " + a.positional[0] + " (first difference at block " +
                        std::to_string(first) + ", byte offset " + std::to_string(first * stored->block_size()) + ")");
            return kExitError;
        }
        std::printf("bitmap matches: %llu of %llu blocks hold data\n",
                    static_cast<unsigned long long>(stored->set_bits()),
                    static_cast<unsigned long long>(stored->block_count()));
        return kExitOk;
    }
    if (a.positional.size() != 1) {
        print_error("bitmap: usage: imgprep bitmap RAW [-o RAW.mf]");
        return kExitError;
    }
    const std::string rawp = a.positional[0];
    std::string out = a.values.count("-o") ? a.values["-o"] : a.values.count("--output") ? a.values["--output"]
                                                                                          : bitmap_path_for(rawp);
    std::uint64_t block = kDefaultBitmapBlock;
    if (a.values.count("--block-size")) {
        auto bs = parse_size(a.values["--block-size"]);
        if (!bs || *bs < 512 || (*bs & (*bs - 1))) {
            print_error("bitmap: --block-size must be a power of two ≥ 512");
            return kExitError;
        }
        block = *bs;
    }
    auto raw = FileSource::open(rawp);
    if (!raw) return fail(raw.error());
    auto det = detect_format(**raw);
    if (det.format != "raw")
        return fail(make_error(rawp, "is a " + det.format + " file, not RAW; convert it first (imgprep convert "
                                                            "--to raw --bitmap)"));
    auto bm = compute_bitmap(**raw, block, progress);
    progress.finish();
    if (!bm) return fail(bm.error());
    if (auto st = write_bitmap_file(*bm, out, a.flags.count("--force") > 0); !st) return fail(st.error());
    std::printf("wrote %s: %llu of %llu blocks of %s hold data\n", out.c_str(),
                static_cast<unsigned long long>(bm->set_bits()), static_cast<unsigned long long>(bm->block_count()),
                human_bytes(block).c_str());
    return kExitOk;
}

} // namespace imgprep::cli
