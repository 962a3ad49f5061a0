// PLACEHOLDER: reader not written yet.
#include "image/formats.h"

namespace imgprep {

Result<ImagePtr> open_vdi(SourcePtr src, OpenContext&) {
    return src->error("the vdi reader is not implemented yet");
}

} // namespace imgprep
