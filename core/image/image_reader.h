// One interface for every disk-image format: a virtual disk readable at any offset, plus metadata.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/byte_source.h"
#include "util/progress.h"

namespace imgprep {

// What a range of the virtual disk holds according to the image's metadata (no data is scanned).
enum class ExtentKind : std::uint8_t {
    Data,        // stored in some file of the chain; may still contain zero bytes
    Zero,        // explicitly marked as reading zeros (qcow2 zero flag, VMDK zero grain, ...)
    Unallocated, // not stored anywhere in the chain: reads as zeros
};
const char* to_string(ExtentKind k);

struct Extent {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    ExtentKind kind = ExtentKind::Unallocated;
};

// Facts about one image layer (and, through chain, its backing images).
struct ImageInfo {
    std::string format;    // raw, vmdk, vhd, vhdx, qcow, qcow2, qed, vdi (public contract names)
    std::string subformat; // monolithicSparse, dynamic, fixed, v3, static, ...
    std::uint64_t virtual_size = 0;
    std::uint64_t file_size = 0;      // bytes of every file of this layer (descriptor + extents)
    std::uint32_t sector_size = 512;  // logical sector size the image declares
    std::uint64_t cluster_size = 0;   // grain / block / cluster size, 0 when not applicable
    std::string compression = "none"; // none, zlib, zstd, deflate
    std::vector<std::string> files;   // every file this layer reads
    std::vector<std::string> warnings;
    std::vector<std::pair<std::string, std::string>> details; // creator, version, uuid, ...
};

// A virtual disk. As a ByteSource, name() is the image path, size() the virtual size and read_at() reads the
// virtual disk (through backing files where the layer has no data). Thread-safe.
class ImageReader : public ByteSource {
public:
    virtual const ImageInfo& info() const = 0;

    // The run of one kind that starts at offset (offset < size()); length > 0 and ends at or before size().
    // Adjacent runs may have the same kind; callers merge. Kinds are as seen through the whole chain.
    virtual Result<Extent> extent_at(std::uint64_t offset) const = 0;

    // The image this one is layered on, or nullptr.
    virtual const ImageReader* backing() const { return nullptr; }
};

using ImagePtr = std::unique_ptr<ImageReader>;

// image.extent_at(offset), checked against its contract (starts at offset, not empty, inside the disk).
Result<Extent> checked_extent_at(const ImageReader& image, std::uint64_t offset);

// Calls fn for each merged extent of [offset, offset+length) (default: the whole disk). fn returns false to stop.
Status for_each_extent(const ImageReader& image, const std::function<bool(const Extent&)>& fn,
                       std::uint64_t offset = 0, std::uint64_t length = ~std::uint64_t{0});

// Sum of the Data extents' lengths.
Result<std::uint64_t> allocated_bytes(const ImageReader& image);

// SHA-256 of the whole virtual disk content (what `qemu-img convert -O raw` writes), using the allocation map to
// hash holes without reading them.
Result<std::string> virtual_disk_sha256(const ImageReader& disk, Progress& progress = null_progress());

// Checks that the file ranges [start, end) an image's metadata places its structures at do not overlap (sorts
// them); the error names both ranges, e.g. "VHD structures overlap: [0, 512) and [256, 1280)".
Status check_disjoint(const ByteSource& file, std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges,
                      const std::string& what);

// Paths of the chain, this image first, base last.
std::vector<std::string> chain_of(const ImageReader& image);

// Shared state while an image and its backing chain / extent files are being opened.
struct OpenContext {
    std::size_t max_chain_depth = 32;
    std::vector<std::string> chain; // canonical paths opened so far (loop detection)

    // Opens a backing/parent image named `reference` by the image at `referrer` (relative names are resolved
    // against referrer's directory; `candidates` lets formats pass several locator spellings).
    Result<ImagePtr> open_backing(const std::string& referrer, const std::vector<std::string>& candidates);

    // Opens a file that belongs to the image at `referrer` (VMDK extent, ...), read-only.
    // Overridable so that archive members can be resolved inside the archive.
    std::function<Result<SourcePtr>(const std::string& referrer, const std::string& name)> open_sibling;

    // Opens a path as an image within this context (set by image/open.cpp: detection + dispatch).
    std::function<Result<ImagePtr>(const std::string& path, OpenContext& ctx)> open_path;

    OpenContext();
};

} // namespace imgprep
