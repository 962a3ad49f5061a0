# Dependencies for cross builds (IMGPREP_BUILD_DEPS, preset windows-cross): zstd and libarchive have no mingw-w64
# package in Debian, so they are built here, at configure time, from the upstream source tarballs that Debian's
# archive carries (the .orig.tar files of the Debian 12 source packages), pinned by version and SHA-256.
# libarchive's decompressors for xz and bzip2 come the same way; zlib is Debian's libz-mingw-w64-dev.
#
# Where the files come from: the Debian mirror that apt on this machine uses (read from /etc/apt/sources.list
# and /etc/apt/sources.list.d), or IMGPREP_DEBIAN_MIRROR (a URL whose pool/ holds the files), or files placed in
# IMGPREP_DEPS_DOWNLOAD_DIR beforehand. Every file is checked against its pinned SHA-256 before use.
#
# Result (cached in the build tree; rebuilt only when this file or the toolchain changes):
#   ${IMGPREP_DEPS_PREFIX}/include, /lib: static libzstd, liblzma, libbz2, libarchive
#   zstd_DIR (zstd's CMake package), LibArchive_INCLUDE_DIR / LibArchive_LIBRARY, ZLIB_LIBRARY (static)
#   IMGPREP_DEPS_ARCHIVE_LIBS: what a static libarchive needs linked after it

set(IMGPREP_DEPS_DIR ${CMAKE_BINARY_DIR}/_deps CACHE PATH "Where cross-build dependencies are downloaded and built")
set(IMGPREP_DEPS_DOWNLOAD_DIR ${IMGPREP_DEPS_DIR}/download CACHE PATH
    "Source tarballs of the dependencies (downloaded once, checked by SHA-256)")
set(IMGPREP_DEBIAN_MIRROR "" CACHE STRING
    "Debian archive URL holding pool/ (default: the Debian mirror in apt's sources)")
set(IMGPREP_DEPS_PREFIX ${IMGPREP_DEPS_DIR}/prefix)

# name | path under the archive's pool/ | SHA-256 | folder inside the tarball
set(imgprep_dep_pins
    "zstd|main/libz/libzstd/libzstd_1.5.4+dfsg2.orig.tar.xz|8cf4bbb65e77ec348d052c8d6230eba66d435bddf64c8b5be2fcb16880c19953|zstd-1.5.4"
    "xz|main/x/xz-utils/xz-utils_5.4.1.orig.tar.xz|5d9827aa1875b21c288f78864bb26d2650b436ea8d2cad364e4921eb6266a5a5|xz-5.4.1"
    "bzip2|main/b/bzip2/bzip2_1.0.8.orig.tar.gz|ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269|bzip2-1.0.8"
    "libarchive|main/liba/libarchive/libarchive_3.6.2.orig.tar.xz|9e2c1b80d5fbe59b61308fdfab6c79b5021d7ff4ff2489fb12daf0a96a83551d|libarchive-3.6.2")

# Candidate Debian archive URLs from apt's configuration: one-line ("deb URI suite comp...") and deb822
# ("URIs: ...") sources whose path ends in /debian (the main archive; security and third-party repositories
# have other paths).
function(imgprep_apt_debian_mirrors out)
  set(result "")
  file(GLOB lists /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  foreach(f IN LISTS lists)
    file(STRINGS ${f} lines)
    foreach(line IN LISTS lines)
      set(uris "")
      if(line MATCHES "^[ \t]*deb[ \t]+(\\[[^]]*\\][ \t]+)?([^ \t]+)")
        set(uris ${CMAKE_MATCH_2})
      elseif(line MATCHES "^[ \t]*URIs:[ \t]*(.*)$")
        string(REGEX REPLACE "[ \t]+" ";" uris "${CMAKE_MATCH_1}")
      endif()
      foreach(u IN LISTS uris)
        string(REGEX REPLACE "/+$" "" u "${u}")
        if(u MATCHES "^https?://.*/debian$")
          list(APPEND result ${u})
        endif()
      endforeach()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES result)
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# Downloads (if needed) and checks one pinned tarball; sets ${out} to its path.
function(imgprep_fetch_pinned pin out)
  string(REPLACE "|" ";" f "${pin}")
  list(GET f 1 pool_path)
  list(GET f 2 sha)
  get_filename_component(name ${pool_path} NAME)
  set(file ${IMGPREP_DEPS_DOWNLOAD_DIR}/${name})
  if(EXISTS ${file})
    file(SHA256 ${file} have)
    if(have STREQUAL sha)
      set(${out} ${file} PARENT_SCOPE)
      return()
    endif()
    message(WARNING "${file}: SHA-256 ${have} is not the pinned ${sha}; downloading it again")
    file(REMOVE ${file})
  endif()
  if(IMGPREP_DEBIAN_MIRROR)
    set(mirrors ${IMGPREP_DEBIAN_MIRROR})
  else()
    imgprep_apt_debian_mirrors(mirrors)
  endif()
  set(errors "")
  foreach(m IN LISTS mirrors)
    message(STATUS "imgprep deps: downloading ${name}")
    file(DOWNLOAD ${m}/pool/${pool_path} ${file}.part STATUS st TIMEOUT 300 INACTIVITY_TIMEOUT 60)
    list(GET st 0 code)
    if(code EQUAL 0)
      file(SHA256 ${file}.part have)
      if(have STREQUAL sha)
        file(RENAME ${file}.part ${file})
        set(${out} ${file} PARENT_SCOPE)
        return()
      endif()
      string(APPEND errors "\n  ${m}: SHA-256 ${have}, expected ${sha}")
    else()
      list(GET st 1 msg)
      string(APPEND errors "\n  ${m}: ${msg}")
    endif()
    file(REMOVE ${file}.part)
  endforeach()
  if(NOT mirrors)
    set(errors "\n  no Debian archive found in apt's sources (/etc/apt/sources.list*); set IMGPREP_DEBIAN_MIRROR")
  endif()
  message(FATAL_ERROR "imgprep deps: cannot get ${name} (pool/${pool_path}, SHA-256 ${sha}):${errors}\n"
                      "Put the file into ${IMGPREP_DEPS_DOWNLOAD_DIR} or set IMGPREP_DEBIAN_MIRROR.")
endfunction()

function(imgprep_run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "imgprep deps: ${what} failed (${rc}):\n${log}")
  endif()
endfunction()

# Configures, builds and (for the given targets) installs one CMake project with this build's toolchain.
function(imgprep_build_dep name src)
  cmake_parse_arguments(D "" "" "TARGETS;ARGS" ${ARGN})
  set(bin ${IMGPREP_DEPS_DIR}/build/${name})
  file(REMOVE_RECURSE ${bin})
  set(common -G ${CMAKE_GENERATOR} -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=${IMGPREP_DEPS_PREFIX}
             -DCMAKE_PREFIX_PATH=${IMGPREP_DEPS_PREFIX} -DCMAKE_POSITION_INDEPENDENT_CODE=ON
             -DBUILD_SHARED_LIBS=OFF -DCMAKE_POLICY_DEFAULT_CMP0074=NEW)
  if(CMAKE_TOOLCHAIN_FILE)
    list(APPEND common -DCMAKE_TOOLCHAIN_FILE=${CMAKE_TOOLCHAIN_FILE})
  endif()
  if(CMAKE_C_COMPILER_LAUNCHER)
    list(APPEND common -DCMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER})
  endif()
  message(STATUS "imgprep deps: building ${name}")
  imgprep_run_step("configure ${name}" ${CMAKE_COMMAND} -S ${src} -B ${bin} ${common} ${D_ARGS})
  foreach(t IN LISTS D_TARGETS)
    imgprep_run_step("build ${name} (${t})" ${CMAKE_COMMAND} --build ${bin} --target ${t})
  endforeach()
endfunction()

# The stamp names what was built and how; a different pin list or toolchain rebuilds everything.
file(SHA256 ${CMAKE_CURRENT_LIST_FILE} imgprep_deps_recipe)
file(SHA256 ${CMAKE_CURRENT_LIST_DIR}/bzip2/CMakeLists.txt imgprep_deps_bz_recipe)
string(SHA256 imgprep_deps_key "${imgprep_deps_recipe}${imgprep_deps_bz_recipe}${CMAKE_C_COMPILER}${CMAKE_TOOLCHAIN_FILE}")
set(imgprep_deps_stamp ${IMGPREP_DEPS_PREFIX}/imgprep-deps-${imgprep_deps_key}.stamp)

if(NOT EXISTS ${imgprep_deps_stamp})
  file(REMOVE_RECURSE ${IMGPREP_DEPS_PREFIX} ${IMGPREP_DEPS_DIR}/src)
  file(MAKE_DIRECTORY ${IMGPREP_DEPS_DOWNLOAD_DIR} ${IMGPREP_DEPS_PREFIX}/include ${IMGPREP_DEPS_PREFIX}/lib
       ${IMGPREP_DEPS_DIR}/src)
  foreach(pin IN LISTS imgprep_dep_pins)
    string(REPLACE "|" ";" f "${pin}")
    list(GET f 0 name)
    list(GET f 3 folder)
    imgprep_fetch_pinned("${pin}" tarball)
    file(ARCHIVE_EXTRACT INPUT ${tarball} DESTINATION ${IMGPREP_DEPS_DIR}/src)
    set(src_${name} ${IMGPREP_DEPS_DIR}/src/${folder})
  endforeach()

  # zstd: the static library only (decompression is what imgprep needs; the build includes both).
  imgprep_build_dep(zstd ${src_zstd}/build/cmake TARGETS install
    ARGS -DZSTD_BUILD_PROGRAMS=OFF -DZSTD_BUILD_SHARED=OFF -DZSTD_BUILD_STATIC=ON -DZSTD_BUILD_TESTS=OFF
         -DZSTD_MULTITHREAD_SUPPORT=OFF -DZSTD_LEGACY_SUPPORT=OFF)

  # xz: liblzma only.
  imgprep_build_dep(xz ${src_xz} TARGETS liblzma)
  file(GLOB lzma_lib ${IMGPREP_DEPS_DIR}/build/xz/*.a)
  file(COPY ${lzma_lib} DESTINATION ${IMGPREP_DEPS_PREFIX}/lib)
  file(COPY ${src_xz}/src/liblzma/api/ DESTINATION ${IMGPREP_DEPS_PREFIX}/include)

  # bzip2 1.0.8 ships a Makefile only: our CMake recipe for its library (cmake/deps/bzip2/CMakeLists.txt).
  file(COPY ${CMAKE_CURRENT_LIST_DIR}/bzip2/CMakeLists.txt DESTINATION ${src_bzip2})
  imgprep_build_dep(bzip2 ${src_bzip2} TARGETS install)

  # libarchive: the static library, reading what imgprep reads (tar, zip, 7z; gzip, xz, zstd, bzip2), without
  # crypto, XML, iconv or the command-line tools.
  set(zlib_args -DZLIB_INCLUDE_DIR=${IMGPREP_MINGW_SYSROOT}/include -DZLIB_LIBRARY=${IMGPREP_MINGW_SYSROOT}/lib/libz.a)
  imgprep_build_dep(libarchive ${src_libarchive} TARGETS archive_static
    ARGS ${zlib_args} -DENABLE_OPENSSL=OFF -DENABLE_MBEDTLS=OFF -DENABLE_NETTLE=OFF -DENABLE_LIBB2=OFF
         -DENABLE_LZ4=OFF -DENABLE_LZO=OFF -DENABLE_LIBXML2=OFF -DENABLE_EXPAT=OFF -DENABLE_PCREPOSIX=OFF
         -DENABLE_LIBGCC=OFF -DPOSIX_REGEX_LIB=NONE -DENABLE_CNG=OFF -DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF
         -DENABLE_XATTR=OFF -DENABLE_ACL=OFF -DENABLE_ICONV=OFF -DENABLE_TEST=OFF -DENABLE_WERROR=OFF
         -DENABLE_LZMA=ON -DENABLE_ZSTD=ON -DENABLE_ZLIB=ON -DENABLE_BZip2=ON
         -DLIBLZMA_INCLUDE_DIR=${IMGPREP_DEPS_PREFIX}/include -DLIBLZMA_LIBRARY=${IMGPREP_DEPS_PREFIX}/lib/liblzma.a
         -DBZIP2_INCLUDE_DIR=${IMGPREP_DEPS_PREFIX}/include -DBZIP2_LIBRARIES=${IMGPREP_DEPS_PREFIX}/lib/libbz2.a
         -DZSTD_INCLUDE_DIR=${IMGPREP_DEPS_PREFIX}/include -DZSTD_LIBRARY=${IMGPREP_DEPS_PREFIX}/lib/libzstd.a)
  file(GLOB_RECURSE archive_lib ${IMGPREP_DEPS_DIR}/build/libarchive/libarchive/*.a)
  list(FILTER archive_lib INCLUDE REGEX "archive[^/]*\\.a$")
  list(FILTER archive_lib EXCLUDE REGEX "\\.dll\\.a$")
  list(LENGTH archive_lib n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "imgprep deps: expected one static libarchive, found: ${archive_lib}")
  endif()
  file(COPY_FILE ${archive_lib} ${IMGPREP_DEPS_PREFIX}/lib/libarchive_static.a)
  file(COPY ${src_libarchive}/libarchive/archive.h ${src_libarchive}/libarchive/archive_entry.h
       DESTINATION ${IMGPREP_DEPS_PREFIX}/include)
  file(REMOVE_RECURSE ${IMGPREP_DEPS_DIR}/build ${IMGPREP_DEPS_DIR}/src)
  file(TOUCH ${imgprep_deps_stamp})
endif()

set(zstd_DIR ${IMGPREP_DEPS_PREFIX}/lib/cmake/zstd CACHE PATH "zstd's CMake package (built by imgprep deps)" FORCE)
set(LibArchive_INCLUDE_DIR ${IMGPREP_DEPS_PREFIX}/include CACHE PATH "libarchive headers (built by imgprep deps)" FORCE)
set(LibArchive_LIBRARY ${IMGPREP_DEPS_PREFIX}/lib/libarchive_static.a CACHE FILEPATH "static libarchive" FORCE)
set(ZLIB_INCLUDE_DIR ${IMGPREP_MINGW_SYSROOT}/include CACHE PATH "zlib headers" FORCE)
set(ZLIB_LIBRARY ${IMGPREP_MINGW_SYSROOT}/lib/libz.a CACHE FILEPATH "static zlib" FORCE)
set(IMGPREP_DEPS_ARCHIVE_LIBS ${IMGPREP_DEPS_PREFIX}/lib/libzstd.a ${IMGPREP_DEPS_PREFIX}/lib/liblzma.a
    ${IMGPREP_DEPS_PREFIX}/lib/libbz2.a ${IMGPREP_MINGW_SYSROOT}/lib/libz.a)
if(WIN32)
  list(APPEND IMGPREP_DEPS_ARCHIVE_LIBS bcrypt)
endif()
