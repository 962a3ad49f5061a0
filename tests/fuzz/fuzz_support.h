// Shared pieces of the libFuzzer targets (tests/fuzz/fuzz_*.cpp): the fuzzer's bytes as a ByteSource (no file
// is written), and bounded walks over what a parser returns, so that every target exercises more than the
// header.
//
// Input encodings (fuzz_source):
//   plain     the bytes are the file.
//   sparse    "IMGPSPRS" u64le size, then records, applied in order (later ones win):
//               u64le offset, u32le length, then `length` bytes of data, or
//               u64le offset, u32le (0x80000000 | length), one fill byte (a run of that byte).
//             Everything not covered reads as zero. Lets a small input stand for a large volume (an NTFS
//             volume's boot sector, MFT and indexes at their real offsets); tests/fuzz/make_seed.py writes
//             it.
// Both are read by the same parsers; the sparse form is only a way to keep large seeds small.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "image/image_reader.h"
#include "io/byte_source.h"
#include "registry/hive.h"

namespace imgprep::fuzz {

// The fuzzer's data as a source named `name`. The bytes must outlive the source (libFuzzer's buffer does for
// one run).
std::shared_ptr<const ByteSource> fuzz_source(const std::uint8_t* data, std::size_t size, std::string name);

// Splits the input at the first occurrence of `separator` (parts[0] before, parts[1] after); no separator:
// one part.
std::vector<std::span<const std::uint8_t>> split_input(const std::uint8_t* data, std::size_t size,
                                                       std::string_view separator, std::size_t max_parts);

// An OpenContext that resolves nothing: backing files and extent files are errors, as when they are missing.
OpenContext isolated_context();

// Walks an opened image the way the tools do: info, the allocation map (at most `max_extents` extents), reads
// at the start, the end and inside the first Data extents (at most `max_bytes` in all), and the backing
// chain.
void exercise_image(const ImageReader& image, std::size_t max_extents = 256,
                    std::size_t max_bytes = 1u << 20);

// Walks a registry hive the way inspection does: the lookups it makes, then breadth-first over at most 512
// keys, every value's data and typed conversions (at most 64 values a key).
void exercise_hive(const registry::Hive& hive);

// Reads [offset, offset+len) of a source into a scratch buffer (a bounded read, result ignored).
void touch(const ByteSource& src, std::uint64_t offset, std::size_t len);

} // namespace imgprep::fuzz

namespace imgprep::fuzz {
// One format target: opens the input with `open` (isolated context) and exercises the image.
int run_format_target(const std::uint8_t* data, std::size_t size, const char* name,
                      Result<ImagePtr> (*open)(SourcePtr, OpenContext&));
} // namespace imgprep::fuzz

// The targets (tests/fuzz/fuzz_<name>.cpp). Each is a plain function so that the regression suite
// (test_fuzz_regressions) can replay the inputs the fuzzers found without libFuzzer; IMGPREP_FUZZ_TARGET
// makes it the libFuzzer entry point in the fuzz build (IMGPREP_LIBFUZZER).
namespace imgprep::fuzz {
using Target = int (*)(const std::uint8_t* data, std::size_t size);
int fuzz_qcow2(const std::uint8_t* data, std::size_t size);
int fuzz_qcow(const std::uint8_t* data, std::size_t size);
int fuzz_qed(const std::uint8_t* data, std::size_t size);
int fuzz_vdi(const std::uint8_t* data, std::size_t size);
int fuzz_vhd(const std::uint8_t* data, std::size_t size);
int fuzz_vhdx(const std::uint8_t* data, std::size_t size);
int fuzz_vmdk(const std::uint8_t* data, std::size_t size);
int fuzz_vmdk_descriptor(const std::uint8_t* data, std::size_t size);
int fuzz_image(const std::uint8_t* data, std::size_t size);
int fuzz_ova(const std::uint8_t* data, std::size_t size);
int fuzz_partitions(const std::uint8_t* data, std::size_t size);
int fuzz_ntfs(const std::uint8_t* data, std::size_t size);
int fuzz_fat(const std::uint8_t* data, std::size_t size);
int fuzz_registry(const std::uint8_t* data, std::size_t size);
int fuzz_inspect(const std::uint8_t* data, std::size_t size);
int fuzz_json(const std::uint8_t* data, std::size_t size);
int fuzz_registry_logs(const std::uint8_t* data, std::size_t size);
int fuzz_zvhd2(const std::uint8_t* data, std::size_t size);
int fuzz_zvhd(const std::uint8_t* data, std::size_t size);
struct NamedTarget {
    const char* name;
    Target fn;
};
inline constexpr NamedTarget kTargets[] = {
    {"qcow2", &fuzz_qcow2},
    {"qcow", &fuzz_qcow},
    {"qed", &fuzz_qed},
    {"vdi", &fuzz_vdi},
    {"vhd", &fuzz_vhd},
    {"vhdx", &fuzz_vhdx},
    {"vmdk", &fuzz_vmdk},
    {"vmdk_descriptor", &fuzz_vmdk_descriptor},
    {"image", &fuzz_image},
    {"ova", &fuzz_ova},
    {"partitions", &fuzz_partitions},
    {"ntfs", &fuzz_ntfs},
    {"fat", &fuzz_fat},
    {"registry", &fuzz_registry},
    {"inspect", &fuzz_inspect},
    {"json", &fuzz_json},
    {"registry_logs", &fuzz_registry_logs},
    {"zvhd2", &fuzz_zvhd2},
    {"zvhd", &fuzz_zvhd},
};
} // namespace imgprep::fuzz

#ifdef IMGPREP_LIBFUZZER
#define IMGPREP_FUZZ_TARGET(fn)                                                                              \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {                      \
        return fn(data, size);                                                                               \
    }
#else
#define IMGPREP_FUZZ_TARGET(fn)
#endif
