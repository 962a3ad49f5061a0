// Entry points of the per-format readers (one file per format in core/image/).
// Each opens an image whose format detect_format() identified, reading only metadata; the source is read-only.
#pragma once

#include "image/image_reader.h"

namespace imgprep {

Result<ImagePtr> open_raw(SourcePtr src, OpenContext& ctx);
Result<ImagePtr> open_vmdk(SourcePtr src, OpenContext& ctx);  // sparse ("KDMV") or text descriptor
Result<ImagePtr> open_vhd(SourcePtr src, OpenContext& ctx);   // fixed, dynamic, differencing
Result<ImagePtr> open_vhdx(SourcePtr src, OpenContext& ctx);  // fixed, dynamic, differencing
Result<ImagePtr> open_qcow(SourcePtr src, OpenContext& ctx);  // QCOW version 1
Result<ImagePtr> open_qcow2(SourcePtr src, OpenContext& ctx); // QCOW2 v2/v3
Result<ImagePtr> open_qed(SourcePtr src, OpenContext& ctx);
Result<ImagePtr> open_vdi(SourcePtr src, OpenContext& ctx);
Result<ImagePtr> open_zvhd2(SourcePtr src, OpenContext& ctx); // Huawei ZVHD2 ("z2strm"), zstd or zlib
Result<ImagePtr> open_zvhd(SourcePtr src, OpenContext& ctx);  // Huawei ZVHD ("stream"), one zlib stream

} // namespace imgprep
