// PLACEHOLDER: reader not written yet.
#include "image/formats.h"

namespace imgprep {

Result<ImagePtr> open_vmdk(SourcePtr src, OpenContext&) {
    return src->error("the vmdk reader is not implemented yet");
}

} // namespace imgprep
