// ZVHD2 output through the cloud's qemu-img-hw (`imgprep convert --to zvhd2 --qemu-img-hw PATH`): an explicit
// alternative to imgprep's own writer (convert/zvhd2_writer.h). Linux x86-64 only, not open source.
#pragma once

#include <string>

#include "util/progress.h"
#include "util/result.h"

namespace imgprep {

struct QemuImgHwOptions {
    std::string input;        // source image path (qemu-img-hw reads it itself)
    std::string input_format; // qemu-img -f name (vpc for VHD), "" to let it probe
    std::string output;       // OUT.zvhd2 (written as OUT.zvhd2.part and renamed)
    std::string tool;         // --qemu-img-hw PATH, or "" to search PATH
    bool overwrite = false;
};

struct QemuImgHwResult {
    std::string tool_path;
    std::string tool_version;
    std::string info_output; // `qemu-img-hw info` of the result
};

// Locates qemu-img-hw ("" = look on PATH); the error says it is absent and that imgprep's own writer needs no
// such tool.
Result<std::string> locate_qemu_img_hw(const std::string& given);

Result<QemuImgHwResult> convert_with_qemu_img_hw(const QemuImgHwOptions& options, Progress& progress);

} // namespace imgprep
