# Requirement checks (included from core/CMakeLists.txt, so paths are relative to core/).
# The catalogue and OS lists are data (resources/checks/*.json) embedded into a generated source; the
# custom command regenerates it whenever one of the JSON files (or the script) changes.
set(IMGPREP_CHECKS_CATALOGUE ${CMAKE_CURRENT_SOURCE_DIR}/../resources/checks/catalogue.json)
set(IMGPREP_CHECKS_SUPPORTED_OS ${CMAKE_CURRENT_SOURCE_DIR}/../resources/checks/supported_os.json)
set(IMGPREP_CHECKS_UEFI_OS ${CMAKE_CURRENT_SOURCE_DIR}/../resources/checks/uefi_os.json)
set(IMGPREP_CHECKS_EMBEDDED ${CMAKE_CURRENT_BINARY_DIR}/generated/checks/embedded_data.cpp)
add_custom_command(
  OUTPUT ${IMGPREP_CHECKS_EMBEDDED}
  COMMAND ${CMAKE_COMMAND}
          -DOUTPUT=${IMGPREP_CHECKS_EMBEDDED}
          -DCATALOGUE=${IMGPREP_CHECKS_CATALOGUE}
          -DSUPPORTED_OS=${IMGPREP_CHECKS_SUPPORTED_OS}
          -DUEFI_OS=${IMGPREP_CHECKS_UEFI_OS}
          -P ${CMAKE_CURRENT_LIST_DIR}/embed_data.cmake
  DEPENDS ${IMGPREP_CHECKS_CATALOGUE} ${IMGPREP_CHECKS_SUPPORTED_OS} ${IMGPREP_CHECKS_UEFI_OS}
          ${CMAKE_CURRENT_LIST_DIR}/embed_data.cmake
  COMMENT "Embedding the requirement catalogue (resources/checks/*.json)"
  VERBATIM)

imgprep_component(checks
  SOURCES checks/catalogue.cpp checks/os_identity.cpp checks/password.cpp checks/evaluate.cpp
          checks/report_json.cpp checks/remediation.cpp checks/common.cpp
          checks/network.cpp checks/tools.cpp checks/drivers.cpp checks/os.cpp checks/image.cpp
          checks/disk.cpp checks/boot.cpp checks/account.cpp checks/windows_state.cpp
          ${IMGPREP_CHECKS_EMBEDDED}
  DEPS imgprep_base)
