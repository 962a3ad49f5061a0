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

// The PDF form of the report (cli_report_pdf.cpp, Qt). Builds without Qt (IMGPREP_WITH_QT=OFF, e.g. the
// Windows cross build) have no PDF: kHavePdfReport is false there and `imgprep report --pdf` says so.
#ifdef IMGPREP_HAVE_PDF_REPORT
constexpr bool kHavePdfReport = true;
#else
constexpr bool kHavePdfReport = false;
#endif
// Writes report to path (A4 or letter); false with a one-line error naming the file on failure.
bool write_report_pdf(const Json& report, const std::string& path, bool letter, std::string& error);

// "imgprep: <message>" on stderr.
void print_error(const std::string& message);

} // namespace imgprep::cli
