#include <cstdio>

#include "cli.h"
#include "image/open.h"

namespace imgprep::cli {

void print_error(const std::string& message) { std::fprintf(stderr, "imgprep: %s\n", message.c_str()); }

int cmd_info(const std::vector<std::string>& args) {
    if (args.empty()) {
        print_error("info: missing IMAGE");
        return kExitError;
    }
    auto r = open_image(args[0]);
    if (!r) {
        print_error(r.error().describe());
        return kExitError;
    }
    std::printf("format: %s\nvirtual size: %llu\n", (*r)->info().format.c_str(),
                static_cast<unsigned long long>((*r)->size()));
    return kExitOk;
}

} // namespace imgprep::cli
