// imgprep command-line tool: one function per command. Exit codes: 0 success, 1 (check) not ready, 2 error.
#pragma once

#include <string>
#include <vector>

#include "util/json.h"

namespace imgprep::cli {

constexpr int kExitOk = 0;
constexpr int kExitNotReady = 1;
constexpr int kExitError = 2;

Json tool_section();
int cmd_info(const std::vector<std::string>& args);
int cmd_convert(const std::vector<std::string>& args);
int cmd_bitmap(const std::vector<std::string>& args);
int cmd_inspect(const std::vector<std::string>& args);
int cmd_check(const std::vector<std::string>& args);
int cmd_remediate(const std::vector<std::string>& args);
int cmd_report(const std::vector<std::string>& args);

// "imgprep: <message>" on stderr.
void print_error(const std::string& message);

} // namespace imgprep::cli
