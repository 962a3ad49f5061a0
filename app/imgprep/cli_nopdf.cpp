// Builds without Qt (IMGPREP_WITH_QT=OFF): no PDF renderer. cmd_report refuses --pdf before doing any work
// (kHavePdfReport is false); this definition only keeps the link complete.
#include "cli.h"

namespace imgprep::cli {

bool write_report_pdf(const Json&, const std::string& path, bool, std::string& error) {
    error = path + ": PDF reports are not available in this build of imgprep (built without Qt)";
    return false;
}

} // namespace imgprep::cli
