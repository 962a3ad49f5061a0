// imgprep convert IMAGE --to raw|zvhd2 -o OUT [--bitmap] [--verify] [--force] [--bitmap-tool CreateMF.jar]
//                 [--compress zstd|zlib] [--qemu-img-hw PATH] [--disk N] [--bitmap-block-size BYTES]
//                 [--threads N] [--no-sync] [--quiet]
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
#include "convert/conversion.h"
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

Result<std::uint64_t> parse_size(const std::string& s) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(s.c_str(), &end, 10);
    if (end == s.c_str()) return make_error("", "not a number: " + s);
    std::string suffix(end);
    if (suffix == "K" || suffix == "k")
        v <<= 10;
    else if (suffix == "M" || suffix == "m")
        v <<= 20;
    else if (!suffix.empty())
        return make_error("", "bad size suffix in " + s);
    return std::uint64_t(v);
}

int fail(const Error& e) {
    print_error(e.describe());
    return kExitError;
}

} // namespace

int cmd_convert(const std::vector<std::string>& argv) {
    auto parsed = parse(argv,
                        {"--to", "-o", "--output", "--bitmap-tool", "--qemu-img-hw", "--disk",
                         "--bitmap-block-size", "--compress", "--threads"},
                        {"--bitmap", "--verify", "--force", "--quiet", "--no-sync"});
    if (!parsed) return fail(parsed.error());
    Args& a = *parsed;
    if (a.positional.size() != 1) {
        print_error(
            "convert: usage: imgprep convert IMAGE --to raw|zvhd2 -o OUT [--bitmap] [--compress zstd|zlib] "
            "[--verify] [--force]");
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
    std::string compress = a.values.count("--compress") ? a.values["--compress"] : "";
    if (!compress.empty() && compress != "zstd" && compress != "zlib") {
        print_error("convert: --compress must be zstd or zlib");
        return kExitError;
    }
    if (!compress.empty() && to != "zvhd2") {
        print_error("convert: --compress applies to --to zvhd2 only");
        return kExitError;
    }
    if (!compress.empty() && a.values.count("--qemu-img-hw")) {
        print_error("convert: --compress is for imgprep's own ZVHD2 writer; qemu-img-hw chooses its own");
        return kExitError;
    }
    unsigned threads = 0;
    if (a.values.count("--threads")) {
        const std::string& t = a.values["--threads"];
        char* end = nullptr;
        const unsigned long v = std::strtoul(t.c_str(), &end, 10);
        if (t.empty() || *end != '\0' || v < 1 || v > 64) {
            print_error("convert: --threads must be a number from 1 to 64");
            return kExitError;
        }
        threads = unsigned(v);
    }
    const bool force = a.flags.count("--force") > 0;
    const bool want_bitmap = a.flags.count("--bitmap") > 0 || a.values.count("--bitmap-tool") > 0;
    CliProgress progress(a.flags.count("--quiet") > 0);
    install_cancel_handler(&progress);

    auto opened = open_input(input);
    if (!opened) return fail(opened.error());
    std::size_t disk_index = 0;
    if (a.values.count("--disk")) {
        disk_index = std::size_t(std::strtoul(a.values["--disk"].c_str(), nullptr, 10));
        if (disk_index >= opened->disks.size())
            return fail(make_error(input, "--disk " + a.values["--disk"] + ": the input has " +
                                              std::to_string(opened->disks.size()) +
                                              " disk(s), numbered from 0"));
    }
    const ImageReader& src = *opened->disks[disk_index].reader;

    ConversionRequest req;
    req.input = &*opened;
    req.disk = disk_index;
    req.target = to == "raw" ? ConversionRequest::Target::Raw : ConversionRequest::Target::Zvhd2;
    req.output = out;
    req.overwrite = force;
    req.sync = a.flags.count("--no-sync") == 0;
    req.bitmap = want_bitmap;
    req.create_mf_jar = a.values.count("--bitmap-tool") ? a.values["--bitmap-tool"] : "";
    req.qemu_img_hw = a.values["--qemu-img-hw"];
    req.compression = compress == "zlib" ? zvhd::Method::Zlib : zvhd::Method::Zstd;
    req.threads = threads;
    req.verify = a.flags.count("--verify") > 0;
    req.tool = tool_section();
    req.tool_output = [](const std::string& line) { std::fprintf(stderr, "CreateMF: %s\n", line.c_str()); };
    if (a.values.count("--bitmap-block-size")) {
        auto bs = parse_size(a.values["--bitmap-block-size"]);
        if (!bs || *bs < 512 || (*bs & (*bs - 1))) {
            print_error("convert: --bitmap-block-size must be a power of two ≥ 512");
            return kExitError;
        }
        req.bitmap_block = *bs;
    }
    auto r = run_conversion(req, progress);
    progress.finish();
    if (!r) return fail(r.error());
    if (req.target == ConversionRequest::Target::Zvhd2 && !r->tool_path.empty()) {
        std::printf("wrote %s (ZVHD2 by %s)\n", out.c_str(), r->tool_path.c_str());
        if (r->verified) std::printf("verified: output matches the source (SHA-256)\n");
        std::printf("manifest %s\n", r->manifest_path.c_str());
        return kExitOk;
    }
    if (req.target == ConversionRequest::Target::Zvhd2) {
        std::printf("wrote %s (ZVHD2, %s, %s virtual; %llu blocks of 2 MiB stored, %s file, in %.1f s)\n",
                    out.c_str(), compress == "zlib" ? "zlib" : "zstd",
                    human_bytes(r->output_virtual_size).c_str(),
                    static_cast<unsigned long long>(r->stored_blocks), human_bytes(r->bytes_written).c_str(),
                    r->seconds);
        if (r->verified) std::printf("verified: output matches the source (SHA-256)\n");
        std::printf("manifest %s\n", r->manifest_path.c_str());
        return kExitOk;
    }
    std::printf("wrote %s (%s virtual, %s of data written in %.1f s)\n", out.c_str(),
                human_bytes(src.size()).c_str(), human_bytes(r->bytes_written).c_str(), r->seconds);
    if (r->outputs.size() > 1) std::printf("bitmap %s\n", r->outputs[1].c_str());
    if (r->verified) std::printf("verified: output matches the source (SHA-256)\n");
    std::printf("manifest %s\n", r->manifest_path.c_str());
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
            return fail(make_error(a.positional[1], "bitmap is for a " +
                                                        std::to_string(stored->virtual_size()) +
                                                        "-byte image; the RAW file has " +
                                                        std::to_string((*raw)->size()) + " bytes"));
        auto fresh = compute_bitmap(**raw, stored->block_size(), progress);
        progress.finish();
        if (!fresh) return fail(fresh.error());
        if (fresh->bytes() != stored->bytes()) {
            std::uint64_t first = 0;
            while (first < fresh->block_count() && fresh->test(first) == stored->test(first))
                ++first;
            print_error(a.positional[1] + ": bitmap does NOT match " + a.positional[0] +
                        " (first difference at block " + std::to_string(first) + ", byte offset " +
                        std::to_string(first * stored->block_size()) + ")");
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
    std::string out = a.values.count("-o")         ? a.values["-o"]
                      : a.values.count("--output") ? a.values["--output"]
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
        return fail(make_error(rawp, "is a " + det.format +
                                         " file, not RAW; convert it first (imgprep convert "
                                         "--to raw --bitmap)"));
    auto bm = compute_bitmap(**raw, block, progress);
    progress.finish();
    if (!bm) return fail(bm.error());
    if (auto st = write_bitmap_file(*bm, out, a.flags.count("--force") > 0); !st) return fail(st.error());
    std::printf("wrote %s: %llu of %llu blocks of %s hold data\n", out.c_str(),
                static_cast<unsigned long long>(bm->set_bits()),
                static_cast<unsigned long long>(bm->block_count()), human_bytes(block).c_str());
    return kExitOk;
}

} // namespace imgprep::cli
