// One conversion as the CLI (`imgprep convert`) and the wizard run it: RAW (+ our bitmap or CreateMF.jar's)
// or ZVHD2 (imgprep's own writer, or the cloud's qemu-img-hw when asked for), optional verification, and
// OUT.manifest.json. Outputs are written through
// NAME.part and renamed when complete; when a later step fails or the user cancels, every output already
// renamed is removed again, so nothing that looks complete is left behind.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "convert/bitmap.h"
#include "image/identify.h"
#include "image/zvhd_format.h"
#include "util/json.h"
#include "util/progress.h"
#include "util/result.h"

namespace imgprep {

struct ConversionRequest {
    enum class Target { Raw, Zvhd2 };
    const OpenedInput* input = nullptr;
    std::size_t disk = 0; // index into input->disks
    Target target = Target::Raw;
    std::string output;        // OUT.raw / OUT.zvhd2
    bool bitmap = false;       // RAW: also write OUT.mf in imgprep's bitmap format (same pass)
    std::string create_mf_jar; // RAW: make OUT.mf with the cloud's CreateMF.jar (java -jar) instead
    std::uint64_t bitmap_block = kDefaultBitmapBlock;
    std::string qemu_img_hw; // ZVHD2: write it with the cloud's qemu-img-hw at this path (a name is looked
                             // up on PATH) instead of imgprep's own writer ("" = imgprep's writer)
    zvhd::Method compression = zvhd::Method::Zstd; // ZVHD2, imgprep's writer: --compress zstd|zlib
    unsigned threads = 0;                          // worker threads (0 = one per core)
    bool verify = false;        // SHA-256 of the source's virtual disk and of the output read back compared
    bool overwrite = false;     // replace existing outputs
    bool sync = true;           // flush outputs to disk before renaming them
    Json tool = Json::object(); // manifest "tool" section (name, version)
    std::function<void(const std::string&)> tool_output; // lines printed by external tools (CreateMF.jar)
};

struct ConversionOutcome {
    std::vector<std::string> outputs; // the image first, then the bitmap file
    std::string manifest_path;
    Json manifest = Json::object();
    std::uint64_t virtual_size = 0;
    std::uint64_t bytes_written = 0; // RAW: non-zero bytes written; ZVHD2: bytes of the file
    double seconds = 0;              // whole run
    bool verified = false;           // verification performed and matched
    std::string tool_path;           // ZVHD2: the qemu-img-hw that ran ("" = imgprep's writer)
    std::uint64_t stored_blocks = 0; // ZVHD2 (imgprep's writer): frames written
    std::uint64_t output_virtual_size = 0; // ZVHD2: the virtual size the cloud will see (rounded up to 1 GiB)
};

// The files a request writes (image, bitmap, manifest).
std::vector<std::string> planned_outputs(const ConversionRequest& request);

// Runs the request on the calling thread. A verification mismatch is an error (outputs removed).
Result<ConversionOutcome> run_conversion(const ConversionRequest& request, Progress& progress);

} // namespace imgprep
