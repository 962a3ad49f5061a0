// PLACEHOLDER: reader not written yet.
#include "image/formats.h"

namespace imgprep {

Result<ImagePtr> open_vhdx(SourcePtr src, OpenContext&) {
    return src->error("the vhdx reader is not implemented yet");
}

} // namespace imgprep
