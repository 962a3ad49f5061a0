// Running external converters (qemu-img-hw, java -jar CreateMF.jar): output relayed line by line, qemu-img-style
// progress parsed, cancellation honoured (the child is terminated).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "util/progress.h"
#include "util/result.h"

namespace imgprep {

struct ToolRun {
    int exit_code = -1;
    std::string output; // stdout and stderr, interleaved as received (bounded: the last 64 KiB)
};

// Runs program with args; each output line (split on \n or \r) goes to on_line. Returns an error only when the
// program cannot be started or was cancelled; a non-zero exit is reported in exit_code.
Result<ToolRun> run_tool(const std::string& program, const std::vector<std::string>& args,
                         const std::function<void(const std::string&)>& on_line, Progress& progress);

// Finds an executable on PATH (or returns the path itself when it names an executable file).
std::optional<std::string> find_executable(const std::string& name_or_path);

// Parses qemu-img's "-p" progress "    (45.67/100%)" → 45.67.
std::optional<double> parse_qemu_progress(const std::string& line);

} // namespace imgprep
