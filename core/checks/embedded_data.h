// The requirement catalogue and OS lists (resources/checks/*.json), embedded at build time by
// core/checks/embed_data.cmake so that the program needs no data files at run time.
#pragma once

#include <string>

namespace imgprep::checks_data {

std::string catalogue_json();    // resources/checks/catalogue.json
std::string supported_os_json(); // resources/checks/supported_os.json
std::string uefi_os_json();      // resources/checks/uefi_os.json

} // namespace imgprep::checks_data
