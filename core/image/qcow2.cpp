// PLACEHOLDER: reader not written yet.
#include "image/formats.h"

namespace imgprep {

Result<ImagePtr> open_qcow2(SourcePtr src, OpenContext&) {
    return src->error("the qcow2 reader is not implemented yet");
}

} // namespace imgprep
