// imgprep info IMAGE [--json] [--checksum sha256]
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli.h"
#include "image/identify.h"
#include "util/format.h"
#include "util/version.h"

namespace imgprep::cli {

void print_error(const std::string& message) {
    std::fprintf(stderr, "imgprep: %s\n", message.c_str());
    std::fflush(stderr);
}

Json tool_section() {
    Json t = Json::object();
    t.set("name", "imgprep");
    t.set("version", IMGPREP_VERSION_STRING);
    return t;
}

namespace {

void print_human(const Json& image, const Json* checksum) {
    auto line = [](const char* k, const std::string& v) { std::printf("%-15s %s\n", k, v.c_str()); };
    auto size = [](const Json& v) {
        return v.is_null() ? std::string("-")
                           : human_bytes(v.as_uint()) + " (" + std::to_string(v.as_uint()) + " bytes)";
    };
    line("File:", image.get("path").as_string());
    std::string fmt = image.get("format").as_string();
    if (!image.get("subformat").as_string().empty()) fmt += " (" + image.get("subformat").as_string() + ")";
    line("Format:", fmt);
    line("Virtual size:", size(image.get("virtual_size")));
    // ZVHD2 / ZVHD: the virtual size is rounded up to 1 GiB; the size written is kept beside it.
    if (const Json& orig = image.get("details").get("orig_size"); orig.is_string())
        line("Written size:",
             size(Json(std::uint64_t(std::strtoull(orig.as_string().c_str(), nullptr, 10)))));
    line("File size:", size(image.get("file_size")));
    line("Allocated:", size(image.get("allocated_size")));
    if (image.has("cluster_size")) line("Cluster size:", human_bytes(image.get("cluster_size").as_uint()));
    const auto& chain = image.get("chain").as_array();
    for (std::size_t i = 1; i < chain.size(); ++i)
        line(i == 1 ? "Backing chain:" : "",
             chain[i].get("path").as_string() + " (" + chain[i].get("format").as_string() + ")");
    for (const auto& d : image.get("disks").as_array())
        line("Disk:", d.get("member").as_string() + ": " + d.get("format").as_string() + " " +
                          d.get("subformat").as_string() + ", " +
                          human_bytes(d.get("virtual_size").as_uint()));
    for (const auto& w : image.get("warnings").as_array())
        line("Warning:", w.as_string());
    if (checksum) line("SHA-256:", checksum->get("sha256").as_string());
}

} // namespace

int cmd_info(const std::vector<std::string>& args) {
    std::string path;
    bool json = false;
    bool checksum = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--json") {
            json = true;
        } else if (a == "--checksum" || a.rfind("--checksum=", 0) == 0) {
            std::string algo = a == "--checksum" ? (i + 1 < args.size() ? args[++i] : "") : a.substr(11);
            if (algo != "sha256") {
                print_error("info: --checksum supports only sha256");
                return kExitError;
            }
            checksum = true;
        } else if (!a.empty() && a[0] == '-' && a != "-") {
            print_error("info: unknown option " + a);
            return kExitError;
        } else if (path.empty()) {
            path = a;
        } else {
            print_error("info: more than one IMAGE given");
            return kExitError;
        }
    }
    if (path.empty()) {
        print_error("info: missing IMAGE (usage: imgprep info IMAGE [--json] [--checksum sha256])");
        return kExitError;
    }
    auto input = open_input(path);
    if (!input) {
        print_error(input.error().describe());
        return kExitError;
    }
    auto image = image_section(*input);
    if (!image) {
        print_error(image.error().describe());
        return kExitError;
    }
    Json checksum_json;
    if (checksum) {
        std::vector<std::string> sums;
        for (const auto& d : input->disks) {
            auto sum = virtual_disk_sha256(*d.reader);
            if (!sum) {
                print_error(sum.error().describe());
                return kExitError;
            }
            sums.push_back(*sum);
        }
        checksum_json = Json::object();
        checksum_json.set("sha256", sums.front());
        if (image->has("disks")) {
            Json disks = image->get("disks");
            for (std::size_t i = 0; i < sums.size() && i < disks.as_array().size(); ++i)
                disks.as_array()[i].set("sha256", sums[i]);
            image->set("disks", std::move(disks));
        }
    }
    if (json) {
        Json out = Json::object();
        out.set("schema", 1);
        out.set("tool", tool_section());
        out.set("image", *image);
        if (checksum && !checksum_json.is_null()) out.set("checksum", checksum_json);
        std::printf("%s\n", out.dump().c_str());
    } else {
        print_human(*image, checksum_json.is_null() ? nullptr : &checksum_json);
    }
    return kExitOk;
}

} // namespace imgprep::cli
