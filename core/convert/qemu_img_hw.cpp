#include "convert/qemu_img_hw.h"
#include "io/file_system.h"

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "convert/external_tool.h"

namespace imgprep {

namespace fs = std::filesystem;

Result<std::string> locate_qemu_img_hw(const std::string& given) {
    const std::string name = given.empty() ? "qemu-img-hw" : given;
    if (auto p = find_executable(name)) return *p;
#ifdef _WIN32
    return make_error(name,
                      "qemu-img-hw is not available on Windows (the cloud ships it for Linux x86-64 only); "
                      "leave out --qemu-img-hw and imgprep writes the ZVHD2 file itself");
#else
    return make_error(name,
                      given.empty()
                          ? "qemu-img-hw was not found on PATH (it comes with the cloud's fast-import tool "
                            "package, Linux x86-64 only); imgprep writes ZVHD2 itself without it"
                          : "is not an executable file (qemu-img-hw comes with the cloud's fast-import tool "
                            "package, Linux x86-64 only); leave out --qemu-img-hw and imgprep writes the "
                            "ZVHD2 file itself");
#endif
}

Result<QemuImgHwResult> convert_with_qemu_img_hw(const QemuImgHwOptions& opt, Progress& progress) {
    IMGPREP_ASSIGN(std::string tool, locate_qemu_img_hw(opt.tool));
    if (!opt.overwrite && files::exists(opt.output))
        return make_error(opt.output, "output exists; not overwriting it (use --force to replace it)");
    const std::string part = opt.output + ".part";
    files::remove_file(part);
    struct Cleanup { // removes partial output unless released
        std::string path;
        ~Cleanup() {
            if (!path.empty()) {
                files::remove_file(path);
            }
        }
    } cleanup{part};

    QemuImgHwResult res;
    res.tool_path = tool;
    auto version = run_tool(tool, {"--version"}, {}, null_progress());
    if (version && version->exit_code == 0) {
        std::string v = version->output;
        res.tool_version = v.substr(0, v.find('\n'));
    }
    progress.begin_phase("converting with qemu-img-hw", 10000);
    std::vector<std::string> args = {"convert", "-p"};
    if (!opt.input_format.empty()) args.insert(args.end(), {"-f", opt.input_format});
    args.insert(args.end(), {"-O", "zvhd2", opt.input, part});
    std::string last_error_lines;
    IMGPREP_ASSIGN(ToolRun run, run_tool(
                                    tool, args,
                                    [&](const std::string& line) {
                                        if (auto pct = parse_qemu_progress(line))
                                            progress.update(std::uint64_t(*pct * 100));
                                        else
                                            last_error_lines += line + "\n";
                                    },
                                    progress));
    if (run.exit_code != 0) {
        while (!last_error_lines.empty() && last_error_lines.back() == '\n')
            last_error_lines.pop_back();
        return make_error(
            tool, "conversion failed (exit code " + std::to_string(run.exit_code) +
                      "): " + (last_error_lines.empty() ? std::string("no message") : last_error_lines));
    }
    if (auto written = files::file_size(part); !written || *written == 0)
        return make_error(part, "qemu-img-hw reported success but wrote no output");
    IMGPREP_ASSIGN(ToolRun info, run_tool(tool, {"info", part}, {}, null_progress()));
    if (info.exit_code != 0)
        return make_error(tool, "the converted file does not pass `qemu-img-hw info`: " + info.output);
    if (info.output.find("zvhd2") == std::string::npos)
        return make_error(tool, "`qemu-img-hw info` does not report the output as zvhd2: " + info.output);
    res.info_output = info.output;
    IMGPREP_TRY(files::rename_file(part, opt.output));
    cleanup.path.clear();
    progress.update(10000);
    return res;
}

} // namespace imgprep
