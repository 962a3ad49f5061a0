#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "io/process.h"
#include "util/version.h"

namespace {

void usage(std::FILE* to) {
    std::fprintf(
        to, "Usage: imgprep COMMAND [OPTIONS]\n"
            "Get a Windows disk image ready for import into Huawei Cloud / Open Telekom Cloud IMS.\n\n"
            "Commands:\n"
            "  info IMAGE [--json] [--checksum sha256]   format, sizes, chain, warnings\n"
            "  inspect IMAGE [--json]                    what is inside: partitions, boot, Windows facts\n"
            "  check IMAGE [--json] [--confirm ID]... [--check-password]\n"
            "                                            the cloud's requirements as a checklist\n"
            "  remediate IMAGE -o fix.ps1                PowerShell steps for the failed in-guest checks\n"
            "  report IMAGE --pdf OUT.pdf [--html OUT.html] [--json OUT.json] [--manifest M.manifest.json]\n"
            "          [--page-size a4|letter] [--confirm ID]... [--confirmed-by NAME] [--checksum sha256]\n"
            "                                            the report for an auditor (PDF, HTML, JSON)\n"
            "  convert IMAGE --to raw|zvhd2 -o OUT [--bitmap] [--verify] [--force] [--no-sync]\n"
            "          [--compress zstd|zlib] [--bitmap-tool CreateMF.jar]\n"
            "          [--qemu-img-hw PATH] [--disk N] [--threads N]\n"
            "                                            RAW (+ bitmap) or ZVHD2 for fast import\n"
            "  bitmap RAW [-o RAW.mf] [--block-size N]   bitmap file of a RAW image\n"
            "  bitmap --verify RAW MF                    recompute and compare a bitmap file\n"
            "  --version                                 print the version\n\n"
            "Exit codes: 0 success (check: ready), 1 check: not ready or incomplete,\n"
            "2 error (not a disk image, unreadable, corrupt, unsupported input, usage).\n");
}

} // namespace

int main(int argc, char** argv) {
    imgprep::process::setup_console();
    const std::vector<std::string> args = imgprep::process::utf8_arguments(argc, argv);
    if (args.empty()) {
        usage(stderr);
        return imgprep::cli::kExitError;
    }
    const std::string cmd = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "--version" || cmd == "version") {
        std::printf("imgprep %s\n", IMGPREP_VERSION_STRING);
        return 0;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        usage(stdout);
        return 0;
    }
    if (cmd == "info") return imgprep::cli::cmd_info(rest);
    if (cmd == "convert") return imgprep::cli::cmd_convert(rest);
    if (cmd == "bitmap") return imgprep::cli::cmd_bitmap(rest);
    if (cmd == "inspect") return imgprep::cli::cmd_inspect(rest);
    if (cmd == "check") return imgprep::cli::cmd_check(rest);
    if (cmd == "remediate") return imgprep::cli::cmd_remediate(rest);
    if (cmd == "report") return imgprep::cli::cmd_report(rest);
    imgprep::cli::print_error("unknown command '" + cmd + "' (see imgprep --help)");
    return imgprep::cli::kExitError;
}
