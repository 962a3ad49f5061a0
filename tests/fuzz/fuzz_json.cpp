// libFuzzer target: the JSON parser and the requirement catalogue built on it (catalogue, supported-OS list,
// UEFI-OS list). The input is one document; it is parsed on its own and as each of the three catalogue
// documents with the two others taken from the embedded data.
#include "checks/catalogue.h"
#include "checks/embedded_data.h"
#include "fuzz_support.h"
#include "util/json.h"

using namespace imgprep;

int imgprep::fuzz::fuzz_json(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (auto j = Json::parse(text, "fuzz.json")) (void)j->dump();
    static const std::string catalogue = checks_data::catalogue_json();
    static const std::string supported = checks_data::supported_os_json();
    static const std::string uefi = checks_data::uefi_os_json();
    (void)parse_catalogue(text, supported, uefi);
    (void)parse_catalogue(catalogue, text, uefi);
    (void)parse_catalogue(catalogue, supported, text);
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_json)
