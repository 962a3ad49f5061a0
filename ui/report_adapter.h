// The wizard's side of the report (core/report: build_report, render_html; report/: write_pdf_report).
// When the report module is part of the build (IMGPREP_HAVE_REPORT, set by ui/CMakeLists.txt) JSON, HTML and
// PDF come from it; without it the wizard still writes the `imgprep check --json` document and says that HTML
// and PDF are not available.
#pragma once

#include <QString>

#include <memory>
#include <string>
#include <vector>

#include "checks/checks.h"
#include "inspect/inspect.h"

namespace imgprep::ui {

class Session;

namespace report {

enum class Kind { Json, Html, Pdf };

bool available(Kind kind);
QString unavailableReason(Kind kind);

struct Confirmation {
    std::string id, by, at;
};

// Everything the report is made from, copied from the session (so that it can be written on a worker thread).
struct Snapshot {
    std::shared_ptr<const Inspection> inspection;
    std::vector<CheckResult> results;
    Summary summary;
    std::vector<Confirmation> confirmations;
    QString manifestPath; // the last conversion's manifest, or empty
};
// False (and nothing filled in) when the session has no finished checklist.
bool snapshot(const Session& session, Snapshot* out);

// Writes the report (atomically, through a temporary file). Call from a worker thread.
bool write(Kind kind, const Snapshot& snap, const QString& path, QString* error);

} // namespace report
} // namespace imgprep::ui
