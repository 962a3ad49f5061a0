// PLACEHOLDER: reader not written yet.
#include "image/formats.h"

namespace imgprep {

Result<ImagePtr> open_vhd(SourcePtr src, OpenContext&) {
    return src->error("the vhd reader is not implemented yet");
}

} // namespace imgprep
