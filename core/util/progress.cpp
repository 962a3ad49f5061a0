#include "util/progress.h"

namespace imgprep {

Progress& null_progress() {
    static Progress p;
    return p;
}

} // namespace imgprep
