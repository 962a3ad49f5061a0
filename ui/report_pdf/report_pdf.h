// The report as PDF (Qt): the model from build_report (core/report/report.h) laid out with QTextDocument on
// QPdfWriter pages, with a header, a footer ("Page N of M") and the disk map drawn with QPainter (vector).
// Text stays text (selectable, searchable). Needs a QGuiApplication (fonts); works with
// QT_QPA_PLATFORM=offscreen.
#pragma once

#include <QPageSize>
#include <QString>

#include "util/json.h"

namespace imgprep {

// Writes the report to path + ".part" and renames it to path when complete (an existing file at path is
// replaced). size: QPageSize::A4 or QPageSize::Letter (any id works). On failure returns false, sets *error
// (when not null) to one sentence naming the file, and leaves nothing at path + ".part".
bool write_pdf_report(const imgprep::Json& report, const QString& path, QPageSize::PageSizeId size,
                      QString* error);

} // namespace imgprep

using imgprep::write_pdf_report;
