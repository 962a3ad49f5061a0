// PLACEHOLDER: reader not written yet.
#include "image/formats.h"

namespace imgprep {

Result<ImagePtr> open_qcow(SourcePtr src, OpenContext&) {
    return src->error("the qcow reader is not implemented yet");
}

} // namespace imgprep
