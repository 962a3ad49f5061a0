// libFuzzer target: the JSON parser and the requirement catalogue built on it. The input is the catalogue,
// the supported-OS list and the UEFI-OS list separated by "\n#DOC\n" (seed: resources/checks/*.json); each
// part is parsed on its own, then the three together as the catalogue.
#include "checks/catalogue.h"
#include "fuzz_support.h"
#include "util/json.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_json(const std::uint8_t* data, std::size_t size) {
    const auto parts = split_input(data, size, "\n#DOC\n", 3);
    std::string docs[3];
    for (std::size_t i = 0; i < parts.size(); ++i) {
        docs[i].assign(reinterpret_cast<const char*>(parts[i].data()), parts[i].size());
        if (auto j = Json::parse(docs[i], "fuzz.json")) (void)j->dump();
    }
    (void)parse_catalogue(docs[0], docs[1], docs[2]);
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_json)
