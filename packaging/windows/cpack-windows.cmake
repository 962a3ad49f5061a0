# Windows packaging, included from packaging/CMakeLists.txt when WIN32: runtime DLLs next to the executables,
# the wizard's .exe icon, and the CPack NSIS installer (ZIP as a portable alternative, WiX when asked for).
# Build on Windows (see README, "Packages"):  cpack --config build/windows/CPackConfig.cmake -G NSIS

# Runtime DLLs. Qt plugins (platforms, styles, image formats): windeployqt through Qt's deploy script. Every DLL
# the two executables load, directly or through another DLL (Qt and its own dependencies such as pcre2 or
# harfbuzz, spdlog, fmt, libarchive and its codecs, zlib, zstd), is resolved from the import tables against the
# build folder and the vcpkg bin folder. The MSVC runtime comes from InstallRequiredSystemLibraries; DLLs of
# Windows itself are left out.
if(TARGET imgprep-wizard)
  if(Qt6_VERSION VERSION_GREATER_EQUAL 6.5)
    qt_generate_deploy_app_script(TARGET imgprep-wizard OUTPUT_SCRIPT imgprep_qt_deploy NO_UNSUPPORTED_PLATFORM_ERROR)
  else()
    qt_generate_deploy_app_script(TARGET imgprep-wizard FILENAME_VARIABLE imgprep_qt_deploy
                                  NO_UNSUPPORTED_PLATFORM_ERROR)
  endif()
  install(SCRIPT ${imgprep_qt_deploy})
endif()

set(imgprep_exes "[[$<TARGET_FILE:imgprep>]]")
if(TARGET imgprep-wizard)
  string(APPEND imgprep_exes " [[$<TARGET_FILE:imgprep-wizard>]]")
endif()
set(imgprep_dll_dirs "[[$<TARGET_FILE_DIR:imgprep>]]")
if(DEFINED VCPKG_INSTALLED_DIR AND DEFINED VCPKG_TARGET_TRIPLET)
  string(APPEND imgprep_dll_dirs " [[${VCPKG_INSTALLED_DIR}/${VCPKG_TARGET_TRIPLET}/bin]]")
endif()
install(CODE "
  file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${imgprep_exes}
    DIRECTORIES ${imgprep_dll_dirs}
    RESOLVED_DEPENDENCIES_VAR imgprep_dlls
    UNRESOLVED_DEPENDENCIES_VAR imgprep_missing
    PRE_EXCLUDE_REGEXES [[^api-ms-]] [[^ext-ms-]] [[^(msvcp|vcruntime|concrt|ucrtbase)]]
    POST_EXCLUDE_REGEXES [=[^[A-Za-z]:[/\\][Ww][Ii][Nn][Dd][Oo][Ww][Ss][/\\]]=])
  foreach(dll IN LISTS imgprep_dlls)
    file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\" TYPE SHARED_LIBRARY
         FILES \"\${dll}\")
  endforeach()
  if(imgprep_missing)
    message(WARNING \"imgprep: DLLs not found for the package: \${imgprep_missing}\")
  endif()
")
set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION ${CMAKE_INSTALL_BINDIR})
include(InstallRequiredSystemLibraries)

# The wizard's .exe icon (also used by the start-menu shortcut and "Apps & features"), unless the wizard's own
# CMakeLists already brings a resource script.
if(TARGET imgprep-wizard AND IMGPREP_ICON_ICO)
  get_target_property(imgprep_wizard_sources imgprep-wizard SOURCES)
  list(FILTER imgprep_wizard_sources INCLUDE REGEX "\\.rc$")
  if(NOT imgprep_wizard_sources)
    set(IMGPREP_ICON_ICO_RC "${IMGPREP_ICON_ICO}") # rc.exe accepts forward slashes
    configure_file(${CMAKE_CURRENT_LIST_DIR}/imgprep-wizard.rc.in ${CMAKE_CURRENT_BINARY_DIR}/imgprep-wizard.rc @ONLY)
    target_sources(imgprep-wizard PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/imgprep-wizard.rc)
    set_source_files_properties(${CMAKE_CURRENT_BINARY_DIR}/imgprep-wizard.rc TARGET_DIRECTORY imgprep-wizard
                                PROPERTIES OBJECT_DEPENDS ${IMGPREP_ICON_ICO})
    add_dependencies(imgprep-wizard imgprep_icons)
  endif()
endif()

# --- NSIS installer ---
set(CPACK_GENERATOR NSIS ZIP)
# imgprep is a 64-bit program: it goes to "Program Files", not "Program Files (x86)".
set(CPACK_NSIS_INSTALL_ROOT "$PROGRAMFILES64")
# The installer itself is NSIS's default (32-bit) unless IMGPREP_NSIS_TARGET names another stub set, e.g.
# amd64-unicode (needs NSIS's amd64 stubs; the Wine test uses it since Debian's Wine 8 runs 64-bit programs only).
if(IMGPREP_NSIS_TARGET)
  set(CPACK_NSIS_DEFINES "Target ${IMGPREP_NSIS_TARGET}")
endif()
set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY imgprep)
set(CPACK_NSIS_PACKAGE_NAME "Image Prep Wizard ${PROJECT_VERSION}")
set(CPACK_NSIS_DISPLAY_NAME "Image Prep Wizard")
set(CPACK_NSIS_URL_INFO_ABOUT ${IMGPREP_HOMEPAGE})
set(CPACK_NSIS_HELP_LINK ${IMGPREP_HOMEPAGE})
set(CPACK_NSIS_CONTACT ${CPACK_PACKAGE_CONTACT})
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_MANIFEST_DPI_AWARE ON)
set(CPACK_NSIS_MODIFY_PATH ON) # offers to put bin\ (imgprep.exe, the command-line tool) on PATH
if(IMGPREP_ICON_ICO)
  set(CPACK_NSIS_MUI_ICON ${IMGPREP_ICON_ICO})
  set(CPACK_NSIS_MUI_UNIICON ${IMGPREP_ICON_ICO})
endif()
if(TARGET imgprep-wizard)
  # Start-menu shortcut "Image Prep Wizard" -> bin\imgprep-wizard.exe, and its icon in "Apps & features".
  set(CPACK_PACKAGE_EXECUTABLES imgprep-wizard "Image Prep Wizard")
  set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\imgprep-wizard.exe")
  set(CPACK_NSIS_MUI_FINISHPAGE_RUN imgprep-wizard.exe)
  # "Open with" entries for the disk-image extensions; they never take over the user's default application.
  set(imgprep_exts .vmdk .vhd .vhdx .qcow2 .qcow .qed .vdi .ova .img .raw)
  set(imgprep_app_key "Software\\Classes\\Applications\\imgprep-wizard.exe")
  # One string per variable (a CMake list would put ';', an NSIS comment, into the script).
  string(CONCAT CPACK_NSIS_EXTRA_INSTALL_COMMANDS
         "WriteRegStr SHCTX '${imgprep_app_key}' 'FriendlyAppName' 'Image Prep Wizard'\n"
         "WriteRegStr SHCTX '${imgprep_app_key}\\shell\\open\\command' '' '\"$INSTDIR\\bin\\imgprep-wizard.exe\" \"%1\"'\n")
  set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS "DeleteRegKey SHCTX '${imgprep_app_key}'\n")
  foreach(ext IN LISTS imgprep_exts)
    string(APPEND CPACK_NSIS_EXTRA_INSTALL_COMMANDS
           "WriteRegStr SHCTX '${imgprep_app_key}\\SupportedTypes' '${ext}' ''\n"
           "WriteRegStr SHCTX 'Software\\Classes\\${ext}\\OpenWithList\\imgprep-wizard.exe' '' ''\n")
    string(APPEND CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS
           "DeleteRegKey SHCTX 'Software\\Classes\\${ext}\\OpenWithList\\imgprep-wizard.exe'\n")
  endforeach()
  string(APPEND CPACK_NSIS_EXTRA_INSTALL_COMMANDS
         "System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'\n")
endif()

# --- WiX (optional: cpack -G WIX, needs the WiX 3 toolset on PATH) ---
set(CPACK_WIX_UPGRADE_GUID "6C1D9F0E-4B7A-4E55-9E0B-2F3A8D6C51B7") # never change: lets new versions upgrade
if(IMGPREP_ICON_ICO)
  set(CPACK_WIX_PRODUCT_ICON ${IMGPREP_ICON_ICO})
endif()
set(CPACK_WIX_PROGRAM_MENU_FOLDER "Image Prep Wizard")
