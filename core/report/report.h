// The report: one model (a JSON document) rendered as JSON, as self-contained HTML (here) and as PDF (the Qt
// library in report/, write_pdf_report). The wizard's last page and `imgprep report` both use it:
//
//   Json doc = build_report(inspection, results, summary, options);  // the model
//   std::string html = render_html(doc);                              // self-contained HTML
//   write_pdf_report(doc, "out.pdf", QPageSize::A4, &error);          // ui/report_pdf/report_pdf.h (Qt)
//
// The model is `imgprep check --json` (check_document, docs/json-schema.md) plus `report` (metadata),
// `checksum`, `confirmations` and `conversion` (a conversion manifest). It never holds a password: the checks
// only ever see which character classes a password lacks. See docs/report.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/checks.h"
#include "inspect/inspect.h"
#include "util/json.h"
#include "util/result.h"

namespace imgprep {

// Who confirmed a manual check, and when (ISO 8601 with time zone, e.g. iso8601_now()).
struct ReportConfirmation {
    std::string id; // check id ("os.hardware_independent")
    std::string by; // person (or account) who confirmed it
    std::string at; // when
};

struct ReportOptions {
    std::optional<Json> manifest;                  // a conversion manifest (OUT.manifest.json), validated
    std::string manifest_path;                     // where it was read from (shown in the report), optional
    std::vector<ReportConfirmation> confirmations; // confirmed manual checks
    std::string tool_version;                      // "" = this build's version
    std::string created;                           // "" = iso8601_now() (local time with its UTC offset)
    std::optional<std::string> checksum_sha256;    // SHA-256 of the virtual disk, when computed
};

// The report model. Never fails: what is missing is null or absent as docs/report.md says.
Json build_report(const Inspection& inspection, const std::vector<CheckResult>& results,
                  const Summary& summary, const ReportOptions& options);

// Self-contained HTML (XHTML-compatible markup, inline CSS and SVG, no external files, print CSS). Every
// string from the image is escaped.
std::string render_html(const Json& report);

// A conversion manifest as written by `imgprep convert` (core/convert/manifest.h): checks the fields the
// report shows. The error names the file and what is wrong.
Status validate_manifest(const Json& manifest, const std::string& source_name);
// Reads, parses and validates a manifest file.
Result<Json> load_manifest(const std::string& path);

// Pieces shared by the HTML renderer and the Qt PDF renderer (ui/report_pdf/report_pdf.cpp), so that both show the
// same content. Not a stable API: use build_report / render_html / write_pdf_report.
namespace report_detail {

enum class HtmlFlavor {
    Browser,    // full CSS, inline SVG disk maps
    QtRichText, // the subset QTextDocument understands; disk maps are placeholders (see diskmap_anchor)
};
std::string render_html(const Json& report, HtmlFlavor flavor);
// In the QtRichText flavor, disk map i is a paragraph holding one link anchor named diskmap_anchor(i).
std::string diskmap_anchor(std::size_t index);

// Labels shown for a check status, a verdict and an import path (also what tests look for in the PDF).
std::string status_label(std::string_view status);    // PASS FAIL WARNING INFO CONFIRM UNKNOWN
std::string verdict_label(std::string_view verdict);  // READY FOR IMPORT, NOT READY, INCOMPLETE
std::string verdict_explanation(const Json& summary); // one sentence
std::string import_path_label(std::string_view path); // "Direct import", ...
std::string status_color(std::string_view status);    // badge colour "#rrggbb"
std::string verdict_color(std::string_view verdict);  // banner colour

// "1.0 GiB (1,073,741,824 bytes)"
std::string bytes_with_exact(std::uint64_t bytes);
// "2026-11-25 14:05:09 UTC+01:00" from "2026-11-25T14:05:09+01:00" (unchanged when not in that form).
std::string display_time(const std::string& iso8601);

// Valid UTF-8 (invalid sequences become U+FFFD), without characters XML forbids (C0 controls other than tab,
// newline and carriage return, U+FFFE/U+FFFF) and with C1 controls replaced too.
std::string sanitize_text(std::string_view s);
// sanitize_text + & < > " ' escaped: safe in XML/HTML text and attribute values.
std::string xml_escape(std::string_view s);

// The disk map, laid out once in abstract units and drawn by both renderers (SVG, QPainter).
struct DiskMapShape {
    enum class Kind { Rect, Line, Text } kind = Kind::Rect;
    double x = 0, y = 0, w = 0, h = 0; // Rect: box; Line: from (x, y) to (x + w, y + h); Text: baseline point
    std::string fill;                  // "#rrggbb" or "" (none)
    std::string stroke;                // "#rrggbb" or "" (none)
    double stroke_width = 1;
    bool dashed = false;
    std::string text; // Text: the string (plain, not escaped)
    double size = 11; // Text: font size in units
    bool bold = false;
    int anchor = 0;    // Text: 0 start, 1 middle, 2 end
    int partition = 0; // the partition index a Rect or Text belongs to (0: none)
};
struct DiskMap {
    double width = 720, height = 0; // units: 720 across the text width (about 10 units = 7 pt on A4)
    std::string title;              // "Disk 1: 1.0 GiB, GPT"
    std::vector<DiskMapShape> shapes;
};
// Minimum width of a partition on the map, in units of the 720-unit bar.
inline constexpr double kDiskMapMinWidth = 12;
// Lays out one map per disk of the report (per_disk for an OVA). Partitions are drawn to scale; a partition
// narrower than kDiskMapMinWidth is widened to it (the others shrink to make room); a label that does not fit
// inside its box is drawn below the bar with a leader line.
std::vector<DiskMap> disk_maps(const Json& report);
DiskMap layout_disk_map(const Json& facts, std::optional<std::uint64_t> disk_size, const std::string& title);

} // namespace report_detail

} // namespace imgprep
