// PLACEHOLDER: reader not written yet.
#include "image/formats.h"

namespace imgprep {

Result<ImagePtr> open_qed(SourcePtr src, OpenContext&) {
    return src->error("the qed reader is not implemented yet");
}

} // namespace imgprep
