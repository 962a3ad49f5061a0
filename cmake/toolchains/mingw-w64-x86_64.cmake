# Cross build for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64-posix: GCC 12, C++20, POSIX
# threads so that std::thread works). Used by the configure preset windows-cross.
# Everything is linked statically (-static): imgprep.exe needs no libstdc++/libgcc/winpthread DLLs.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(IMGPREP_MINGW_TRIPLE x86_64-w64-mingw32)
set(IMGPREP_MINGW_SYSROOT /usr/${IMGPREP_MINGW_TRIPLE})

find_program(CMAKE_C_COMPILER NAMES ${IMGPREP_MINGW_TRIPLE}-gcc-posix)
find_program(CMAKE_CXX_COMPILER NAMES ${IMGPREP_MINGW_TRIPLE}-g++-posix)
find_program(CMAKE_RC_COMPILER NAMES ${IMGPREP_MINGW_TRIPLE}-windres)
if(NOT CMAKE_C_COMPILER OR NOT CMAKE_CXX_COMPILER)
  message(FATAL_ERROR "The mingw-w64 cross compiler (${IMGPREP_MINGW_TRIPLE}-g++-posix) is missing. "
                      "Debian: apt-get install g++-mingw-w64-x86-64-posix libz-mingw-w64-dev")
endif()

set(CMAKE_FIND_ROOT_PATH ${IMGPREP_MINGW_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config must not hand the host's libraries to the cross build.
set(ENV{PKG_CONFIG_LIBDIR} ${IMGPREP_MINGW_SYSROOT}/lib/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Tests of this tree (ctest in the cross build folder) run under Wine when it is installed.
find_program(IMGPREP_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(IMGPREP_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${IMGPREP_WINE})
endif()
