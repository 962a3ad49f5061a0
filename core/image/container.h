// Inputs that wrap or are not disk images: OVA/OVF, ISO 9660 / UDF, compressed files and archives,
// ZVHD/ZVHD2. All reading goes through a ByteSource; nothing is extracted to disk.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "image/open.h"

namespace imgprep {

// Empty format when the bytes are none of these. h holds the first bytes of the file (up to 4 KiB).
//   iso      ISO 9660 ("CD001") or UDF-only ("BEA01"/"NSR0x") installation media (subformat "iso9660" /
//   "udf") archive  gzip, xz, zstd, bzip2, zip, 7z (subformat = the compressor), or "tar"; message = how to
//   unpack it ova      a tar holding an .ovf descriptor; message lists the disks ovf      an OVF XML
//   descriptor on its own; message lists the files it references
// disk_image is always false.
Detection detect_container(const ByteSource& src, std::span<const std::uint8_t> h);

// ZVHD ("stream" cookie) and ZVHD2 ("z2strm" cookie) headers written by Huawei's qemu-img-hw (see
// docs/formats.md): format "zvhd" / "zvhd2", disk_image true (read by open_zvhd / open_zvhd2); empty format
// when the header is not one.
Detection detect_zvhd(const ByteSource& src, std::span<const std::uint8_t> h);

// One disk of an OVA: a tar member referenced by the OVF's DiskSection.
struct OvaDisk {
    std::string member;       // tar member name (the OVF File's ovf:href)
    std::uint64_t offset = 0; // offset of the member's data inside the OVA
    std::uint64_t size = 0;   // member data size in bytes
    std::string ovf_format;   // ovf:format of the Disk (e.g. "...vmdk.html#streamOptimized"), may be empty
    std::uint64_t ovf_capacity = 0; // virtual size the OVF declares in bytes (0 when absent or unparsable)
    std::string disk_id;            // ovf:diskId
};

struct OvaInfo {
    std::string ovf_member;     // the .ovf descriptor's member name
    std::vector<OvaDisk> disks; // in DiskSection order
    std::vector<std::string> warnings;
};

// Lists the OVA (a tar, read through src with libarchive), parses its OVF descriptor and locates each disk's
// member data exactly. Fails with a clear message on a tar without .ovf, on compressed (ovf:compression) or
// chunked (ovf:chunkSize) disk files and on sparse tar members, which cannot be read in place.
Result<OvaInfo> read_ova(SourcePtr src);

// The bytes of one disk member, in place (a SubSource of the OVA named "ova:member").
Result<SourcePtr> ova_member_source(SourcePtr ova, const OvaDisk& disk);

} // namespace imgprep
