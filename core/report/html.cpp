// render_html: the report model as one self-contained HTML file (XHTML-compatible markup: every element
// closed, attributes quoted, only numeric character references), and the same markup in the subset that Qt's
// QTextDocument understands for the PDF (ui/report_pdf/report_pdf.cpp). Every string from the image goes through
// xml_escape (or, inside CSS strings, css_string).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "report/report.h"
#include "util/format.h"

namespace imgprep {

namespace report_detail {

namespace {

constexpr std::size_t kMaxListItems = 200;  // evidence, notes, files, ... per list
constexpr std::size_t kMaxTextChars = 4000; // one string from the image
constexpr std::size_t kMaxTablePartitions = 256;

std::string num(double v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, std::round(v * 100) / 100, std::chars_format::fixed, 2);
    std::string s(buf, r.ptr);
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s.empty() || s == "-" ? "0" : s;
}

// Fixed-point with `decimals` digits, independent of the C locale (a GUI may have set a decimal comma).
std::string fixed(double v, int decimals) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    return r.ec == std::errc() ? std::string(buf, r.ptr) : std::string("?");
}

std::string clip(const std::string& s) {
    if (s.size() <= kMaxTextChars) return s;
    std::size_t cut = kMaxTextChars;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    return s.substr(0, cut) + " … (" + std::to_string(s.size() - cut) + " more bytes)";
}

// Escaped text of a (possibly hostile) string.
std::string esc(const std::string& s) {
    return xml_escape(clip(s));
}

// A CSS string literal: only ASCII letters, digits and a few safe characters stay; everything else becomes a
// CSS escape, so no quote, backslash, "<", "&" or newline can leave the string or the <style> element.
std::string css_string(const std::string& s) {
    const std::string clean = sanitize_text(s.size() > 200 ? s.substr(0, 200) : s);
    std::string out = "\"";
    for (std::size_t i = 0; i < clean.size();) {
        unsigned char c = static_cast<unsigned char>(clean[i]);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
            c == '.' || c == '-' || c == '_' || c == ':' || c == ',' || c == '(' || c == ')' || c == '+') {
            out += char(c);
            ++i;
            continue;
        }
        // Decode one UTF-8 sequence (sanitize_text made it valid).
        std::uint32_t cp = c;
        std::size_t len = 1;
        if (c >= 0xF0) {
            cp = c & 0x07;
            len = 4;
        } else if (c >= 0xE0) {
            cp = c & 0x0F;
            len = 3;
        } else if (c >= 0xC0) {
            cp = c & 0x1F;
            len = 2;
        }
        for (std::size_t k = 1; k < len && i + k < clean.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(clean[i + k]) & 0x3F);
        char buf[16];
        std::snprintf(buf, sizeof buf, "\\%X ", static_cast<unsigned>(cp));
        out += buf;
        i += len;
    }
    return out + "\"";
}

std::string yes_no(const Json& v, const char* yes = "yes", const char* no = "no",
                   const char* unknown = "unknown") {
    if (v.is_bool()) return v.as_bool() ? yes : no;
    return unknown;
}

std::string boot_mode_label(const std::string& m) {
    return m == "uefi" ? "UEFI" : m == "bios" ? "BIOS" : "unknown";
}

std::string start_name(const Json& v) {
    if (!v.is_int()) return "";
    switch (v.as_int()) {
    case 0:
        return "boot";
    case 1:
        return "system";
    case 2:
        return "automatic";
    case 3:
        return "manual";
    case 4:
        return "disabled";
    default:
        return std::to_string(v.as_int());
    }
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : sep) + x;
    return s;
}

std::vector<std::string> strings_of(const Json& a) {
    std::vector<std::string> v;
    for (const auto& x : a.as_array())
        if (x.is_string()) v.push_back(x.as_string());
    return v;
}

// ---------------------------------------------------------------------------------------------------------------

class Writer {
  public:
    explicit Writer(HtmlFlavor f) : flavor(f) {}
    HtmlFlavor flavor;
    std::string out;
    bool qt() const { return flavor == HtmlFlavor::QtRichText; }

    Writer& raw(const std::string& s) {
        out += s;
        return *this;
    }
    Writer& text(const std::string& s) {
        out += esc(s);
        return *this;
    }
    void h2(const std::string& number, const std::string& title, bool new_page = false) {
        out += new_page ? "<h2 class=\"newpage\"" : "<h2";
        if (new_page && qt()) out += " style=\"page-break-before: always\"";
        out += ">" + esc(number) + "&#160;&#160;" + esc(title) + "</h2>\n";
    }
    void h3(const std::string& title) { out += "<h3>" + esc(title) + "</h3>\n"; }
    void para(const std::string& s, const char* cls = nullptr) {
        out += cls ? std::string("<p class=\"") + cls + "\">" : std::string("<p>");
        out += esc(s) + "</p>\n";
    }

    // Key/value tables: values are already-escaped markup.
    void kv_begin(const char* cls = "kv") {
        out += std::string("<table class=\"") + cls + "\" width=\"100%\" cellspacing=\"0\" cellpadding=\"" +
               (qt() ? "3" : "0") + "\">\n";
    }
    void kv_row(const std::string& key, const std::string& value_markup) {
        out += "<tr><th valign=\"top\" width=\"30%\">" + esc(key) +
               "</th><td valign=\"top\" class=\"wrap\">" + value_markup + "</td></tr>\n";
    }
    void kv_text(const std::string& key, const std::string& value) { kv_row(key, esc(value)); }
    void kv_end() { out += "</table>\n"; }

    void list(const std::vector<std::string>& items, const char* tag = "ul", const char* cls = nullptr) {
        if (items.empty()) return;
        out += std::string("<") + tag + (cls ? std::string(" class=\"") + cls + "\"" : "") + ">";
        std::size_t n = 0;
        for (const auto& s : items) {
            if (n++ == kMaxListItems) {
                out += "<li>… and " + std::to_string(items.size() - kMaxListItems) + " more</li>";
                break;
            }
            out += "<li>" + esc(s) + "</li>";
        }
        out += std::string("</") + tag + ">\n";
    }
    std::string badge(const std::string& status) const {
        const std::string label = status_label(status);
        const std::string color = status_color(status);
        if (qt())
            return "<span class=\"badge\" style=\"background-color:" + color + "; color:#ffffff\">&#160;" +
                   esc(label) + "&#160;</span>";
        return "<span class=\"badge\" style=\"background-color:" + color + "\">" + esc(label) + "</span>";
    }
};

std::string list_markup(const std::vector<std::string>& items) {
    if (items.empty()) return "none";
    std::string s;
    std::size_t n = 0;
    for (const auto& x : items) {
        if (n++ == kMaxListItems) {
            s += "<br />… and " + std::to_string(items.size() - kMaxListItems) + " more";
            break;
        }
        s += (s.empty() ? "" : "<br />") + esc(x);
    }
    return s;
}

std::string mono(const std::string& s) {
    return "<span class=\"mono\">" + esc(s) + "</span>";
}
std::string small(const std::string& s) {
    return "<br /><span class=\"muted\">" + esc(s) + "</span>";
}

std::string size_or_unknown(const Json& v) {
    return v.is_int() ? bytes_with_exact(v.as_uint()) : std::string("unknown");
}

// ---------------------------------------------------------------------------------------------------------------

std::string css_browser(const Json& report) {
    const Json& meta = report.get("report");
    const std::string name = meta.get("image_name").as_string();
    const std::string created = display_time(meta.get("created").as_string());
    const std::string version = meta.get("tool_version").as_string();
    std::string css;
    css +=
        "@page { margin: 20mm 15mm 20mm 15mm;\n"
        "  @top-left { content: " +
        css_string("Image preparation report: " + name) +
        "; font: 8pt sans-serif; color: #52606d; }\n"
        "  @top-right { content: " +
        css_string(created) +
        "; font: 8pt sans-serif; color: #52606d; }\n"
        "  @bottom-left { content: " +
        css_string("imgprep " + version) +
        "; font: 8pt sans-serif; color: #52606d; }\n"
        "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages); font: 8pt sans-serif; "
        "color: #52606d; } }\n";
    css += R"CSS(
:root { color-scheme: light; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; font-size: 10pt;
       line-height: 1.4; color: #1f2933; background: #e9ecef; margin: 0; }
.doc { max-width: 190mm; margin: 8mm auto; padding: 14mm 14mm 10mm; background: #ffffff;
       box-shadow: 0 1px 4px rgba(0,0,0,0.15); }
.kicker { font-size: 8.5pt; letter-spacing: 0.08em; text-transform: uppercase; color: #52606d; margin: 0; }
h1 { font-size: 22pt; margin: 2pt 0 4pt; color: #102a43; font-weight: 700; }
h2 { font-size: 14pt; color: #1f4e8c; border-bottom: 2px solid #1f4e8c; padding-bottom: 2pt;
     margin: 20pt 0 8pt; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11.5pt; color: #243b53; margin: 14pt 0 6pt; break-after: avoid; page-break-after: avoid; }
p { margin: 3pt 0; }
.imgname { font-size: 13pt; font-weight: 600; margin: 0; overflow-wrap: anywhere; }
.imgpath { color: #52606d; margin: 0 0 8pt; overflow-wrap: anywhere; }
.muted { color: #616e7c; font-size: 8.5pt; }
.mono { font-family: "DejaVu Sans Mono", Consolas, "Liberation Mono", monospace; font-size: 8.5pt; }
.wrap { overflow-wrap: anywhere; word-break: break-word; }
table { border-collapse: collapse; }
table.kv { width: 100%; margin: 4pt 0 8pt; }
table.kv th { text-align: left; font-weight: 600; color: #3e4c59; padding: 3pt 10pt 3pt 0;
              border-bottom: 1px solid #e4e7eb; vertical-align: top; }
table.kv td { padding: 3pt 0; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
table.grid { width: 100%; margin: 6pt 0 8pt; font-size: 9pt; }
table.grid th { background: #f0f4f8; text-align: left; padding: 3pt 5pt; border: 1px solid #d9e2ec; }
table.grid td { padding: 3pt 5pt; border: 1px solid #d9e2ec; vertical-align: top; overflow-wrap: break-word; }
table.grid td.num { white-space: nowrap; }
table.verdict { width: 100%; margin: 10pt 0 6pt; }
table.verdict td { color: #ffffff; padding: 8pt 12pt; }
.verdict-label { font-size: 18pt; font-weight: 800; letter-spacing: 0.04em; margin: 0; }
.verdict-text { margin: 2pt 0 0; font-size: 10pt; }
.badge { display: inline-block; min-width: 5.8em; text-align: center; color: #ffffff; font-weight: 700;
         font-size: 8pt; padding: 1pt 5pt; border-radius: 3pt; margin-right: 6pt; vertical-align: 1pt; }
.check { border-left: 4pt solid #d9e2ec; padding: 4pt 0 4pt 9pt; margin: 0 0 9pt; break-inside: avoid;
         page-break-inside: avoid; }
.check-head { margin: 0 0 2pt; }
.check-title { font-weight: 700; font-size: 10.5pt; }
.cid { color: #616e7c; font-size: 8.5pt; margin-left: 6pt; }
.rule { color: #3e4c59; font-style: italic; }
.lbl { font-weight: 600; color: #3e4c59; margin: 4pt 0 0; font-size: 9pt; }
ul, ol { margin: 2pt 0 2pt 16pt; padding: 0; }
li { margin: 1pt 0; overflow-wrap: anywhere; }
.ev li { font-size: 8.5pt; color: #323f4b; }
.diskmap { margin: 8pt 0 4pt; break-inside: avoid; page-break-inside: avoid; }
.diskmap svg { width: 100%; height: auto; display: block; }
.counts { margin: 4pt 0 10pt; }
.end { margin-top: 18pt; color: #7b8794; font-size: 8.5pt; text-align: center; }
@media print {
  body { background: #ffffff; }
  .doc { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .newpage { break-before: page; page-break-before: always; }
  tr { break-inside: avoid; page-break-inside: avoid; }
}
)CSS";
    return css;
}

std::string css_qt() {
    return R"CSS(
body { font-size: 9pt; color: #1f2933; }
.kicker { font-size: 7.5pt; color: #52606d; margin: 0; }
h1 { font-size: 20pt; margin-top: 0; margin-bottom: 2pt; color: #102a43; font-weight: bold; }
h2 { font-size: 13pt; color: #1f4e8c; margin-top: 16pt; margin-bottom: 6pt; font-weight: bold; }
h3 { font-size: 10.5pt; color: #243b53; margin-top: 10pt; margin-bottom: 4pt; font-weight: bold; }
p { margin-top: 2pt; margin-bottom: 2pt; }
.imgname { font-size: 12pt; font-weight: bold; margin: 0; }
.imgpath { color: #52606d; margin-top: 0; margin-bottom: 6pt; }
.muted { color: #616e7c; font-size: 7.5pt; }
.mono { font-family: "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; font-size: 7.5pt; }
table.kv { margin-top: 2pt; margin-bottom: 6pt; border-collapse: collapse; }
table.kv th { text-align: left; font-weight: bold; color: #3e4c59; border-bottom: 1px solid #e4e7eb; }
table.kv td { border-bottom: 1px solid #e4e7eb; }
table.grid { margin-top: 4pt; margin-bottom: 6pt; font-size: 8pt; border-collapse: collapse; border: 1px solid #d9e2ec; }
table.grid th { background-color: #f0f4f8; text-align: left; border: 1px solid #d9e2ec; }
table.grid td { border: 1px solid #d9e2ec; }
table.verdict { margin-top: 8pt; margin-bottom: 4pt; }
table.verdict td { color: #ffffff; }
.verdict-label { font-size: 16pt; font-weight: bold; margin: 0; }
.verdict-text { margin: 0; font-size: 9pt; }
.badge { font-weight: bold; font-size: 7.5pt; }
table.check { margin-top: 7pt; margin-bottom: 2pt; }
td.check-cell { padding-left: 7pt; }
.check-head { margin-top: 0; margin-bottom: 1pt; }
ul, ol { margin-top: 0; margin-bottom: 2pt; }
.check-title { font-weight: bold; font-size: 9.5pt; }
.cid { color: #616e7c; font-size: 7.5pt; }
.rule { color: #3e4c59; font-style: italic; }
.lbl { font-weight: bold; color: #3e4c59; margin-top: 3pt; margin-bottom: 0; font-size: 8pt; }
li { margin-top: 0; margin-bottom: 1pt; }
.ev { font-size: 7.5pt; color: #323f4b; }
.diskmap { margin-top: 6pt; margin-bottom: 4pt; }
.end { margin-top: 14pt; color: #7b8794; font-size: 7.5pt; }
)CSS";
}

// ---------------------------------------------------------------------------------------------------------------

std::string svg_of(const DiskMap& m) {
    std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(m.width) + " " +
                    num(m.height) + "\" width=\"100%\" role=\"img\" aria-label=\"" +
                    esc("Disk map. " + m.title) +
                    "\" font-family=\"Segoe UI, Helvetica Neue, Arial, DejaVu Sans, sans-serif\">";
    s += "<title>" + esc("Disk map. " + m.title) + "</title>";
    for (const auto& sh : m.shapes) {
        switch (sh.kind) {
        case DiskMapShape::Kind::Rect:
            s += "<rect x=\"" + num(sh.x) + "\" y=\"" + num(sh.y) + "\" width=\"" + num(sh.w) +
                 "\" height=\"" + num(sh.h) + "\" fill=\"" + (sh.fill.empty() ? "none" : sh.fill) + "\"";
            if (!sh.stroke.empty())
                s += " stroke=\"" + sh.stroke + "\" stroke-width=\"" + num(sh.stroke_width) + "\"";
            if (sh.dashed) s += " stroke-dasharray=\"5 3\"";
            s += " />";
            break;
        case DiskMapShape::Kind::Line:
            s += "<line x1=\"" + num(sh.x) + "\" y1=\"" + num(sh.y) + "\" x2=\"" + num(sh.x + sh.w) +
                 "\" y2=\"" + num(sh.y + sh.h) + "\" stroke=\"" +
                 (sh.stroke.empty() ? "#000000" : sh.stroke) + "\" stroke-width=\"" + num(sh.stroke_width) +
                 "\" />";
            break;
        case DiskMapShape::Kind::Text:
            s += "<text x=\"" + num(sh.x) + "\" y=\"" + num(sh.y) + "\" font-size=\"" + num(sh.size) + "\"";
            if (sh.bold) s += " font-weight=\"bold\"";
            if (sh.anchor == 1) s += " text-anchor=\"middle\"";
            if (sh.anchor == 2) s += " text-anchor=\"end\"";
            s += " fill=\"" + (sh.fill.empty() ? std::string("#000000") : sh.fill) + "\">" + esc(sh.text) +
                 "</text>";
            break;
        }
    }
    return s + "</svg>";
}

// ---------------------------------------------------------------------------------------------------------------
// Sections

void summary_section(Writer& w, const Json& r) {
    const Json& sum = r.get("summary");
    const std::string verdict = sum.get("verdict").as_string();
    w.raw("<table class=\"verdict\" width=\"100%\" cellspacing=\"0\" cellpadding=\"" +
          std::string(w.qt() ? "8" : "0") + "\"><tr><td style=\"background-color:" + verdict_color(verdict) +
          "\"><p class=\"verdict-label\">" + esc(verdict_label(verdict)) + "</p><p class=\"verdict-text\">" +
          esc(verdict_explanation(sum)) + "</p></td></tr></table>\n");
    w.kv_begin();
    w.kv_text("Import path", import_path_label(sum.get("import_path").as_string()));
    std::string disk = "unknown";
    if (sum.get("min_system_disk_gb").is_int()) {
        disk = std::to_string(sum.get("min_system_disk_gb").as_uint()) + " GB";
        if (sum.get("console_system_disk_gb").is_int() &&
            sum.get("console_system_disk_gb").as_uint() != sum.get("min_system_disk_gb").as_uint())
            disk += " (enter " + std::to_string(sum.get("console_system_disk_gb").as_uint()) +
                    " GB in the console: its minimum is 40 GB)";
        else if (!sum.get("console_system_disk_gb").is_int())
            disk += " (above the console's maximum of 1024 GB)";
    }
    w.kv_text("Minimum system disk", disk);
    w.kv_text("Register as OS", sum.get("register_os").is_string() ? sum.get("register_os").as_string()
                                                                   : std::string("unknown"));
    w.kv_text("Register with boot mode", sum.get("register_boot_mode").is_string()
                                             ? sum.get("register_boot_mode").as_string()
                                             : std::string("unknown"));
    const Json& counts = sum.get("counts");
    std::string c;
    for (const char* st : {"pass", "fail", "warn", "info", "manual", "unknown"}) {
        if (!c.empty()) c += " &#160;·&#160; ";
        c += std::to_string(counts.get(st).as_int()) + " " + esc(status_label(st));
    }
    w.kv_row("Checks", c);
    // Blockers and pending items with their titles.
    auto titled = [&](const Json& ids) {
        std::vector<std::string> v;
        for (const auto& id : ids.as_array()) {
            std::string t;
            for (const auto& ch : r.get("checks").as_array())
                if (ch.get("id").as_string() == id.as_string()) t = ch.get("title").as_string();
            v.push_back(t.empty() ? id.as_string() : t + " (" + id.as_string() + ")");
        }
        return v;
    };
    w.kv_row("Blocking the import", list_markup(titled(sum.get("blockers"))));
    w.kv_row("Still to confirm", list_markup(titled(sum.get("pending_confirmations"))));
    w.kv_end();
}

void image_section(Writer& w, const Json& r) {
    const Json& img = r.get("image");
    const Json& meta = r.get("report");
    w.h2("1", "Image file");
    w.kv_begin();
    w.kv_text("File name", meta.get("image_name").as_string());
    w.kv_text("Path", meta.get("image_path").as_string());
    std::string fmt = img.get("format").as_string();
    if (!img.get("subformat").as_string().empty()) fmt += " (" + img.get("subformat").as_string() + ")";
    w.kv_text("Format", fmt);
    w.kv_text("Contents readable offline",
              img.get("readable").as_bool() ? "yes" : "no: " + img.get("message").as_string());
    w.kv_text("Virtual size", size_or_unknown(img.get("virtual_size")));
    w.kv_text("File size", size_or_unknown(img.get("file_size")));
    w.kv_text("Allocated (holds data)", size_or_unknown(img.get("allocated_size")));
    if (img.get("cluster_size").is_int())
        w.kv_text("Cluster size", bytes_with_exact(img.get("cluster_size").as_uint()));
    if (img.get("compression").is_string()) w.kv_text("Compression", img.get("compression").as_string());
    const auto& chain = img.get("chain").as_array();
    std::vector<std::string> backing;
    for (std::size_t i = 1; i < chain.size(); ++i)
        backing.push_back(chain[i].get("path").as_string() + " (" + chain[i].get("format").as_string() + ")");
    if (!backing.empty())
        w.kv_row("Backing chain", list_markup(backing));
    else
        w.kv_text("Backing chain", chain.empty() ? "unknown" : "none: a standalone image");
    const auto files = strings_of(img.get("files"));
    if (files.size() > 1) w.kv_row("Files of the image", list_markup(files));
    std::vector<std::string> disks;
    for (const auto& d : img.get("disks").as_array())
        disks.push_back(
            d.get("member").as_string() + ": " + d.get("format").as_string() + " " +
            d.get("subformat").as_string() + ", " +
            (d.get("virtual_size").is_int() ? human_bytes(d.get("virtual_size").as_uint()) : "?"));
    if (!disks.empty()) w.kv_row("Disks in the OVA", list_markup(disks));
    const Json& sum = r.get("checksum");
    if (sum.get("sha256").is_string())
        w.kv_row("SHA-256 of the virtual disk", mono(sum.get("sha256").as_string()));
    else
        w.kv_text("SHA-256 of the virtual disk", "not computed (imgprep report --checksum sha256)");
    const auto warn = strings_of(img.get("warnings"));
    if (!warn.empty()) w.kv_row("Warnings", list_markup(warn));
    w.kv_end();
}

void partitions_table(Writer& w, const Json& facts) {
    const auto& parts = facts.get("partitions").as_array();
    if (parts.empty()) return;
    w.raw("<table class=\"grid\" width=\"100%\" cellspacing=\"0\" cellpadding=\"" +
          std::string(w.qt() ? "3" : "0") +
          "\"><thead><tr><th>#</th><th>Start</th><th>Size</th><th>Type</th><th>File system</th><th>Label</th>"
          "<th>Role and state</th></tr></thead><tbody>\n");
    std::size_t n = 0;
    for (const auto& p : parts) {
        if (n++ == kMaxTablePartitions) {
            w.raw("<tr><td colspan=\"7\">… and " + std::to_string(parts.size() - kMaxTablePartitions) +
                  " more partitions</td></tr>\n");
            break;
        }
        std::vector<std::string> role;
        const std::string rl = p.get("role").as_string();
        if (rl == "esp")
            role.push_back("EFI system partition (ESP)");
        else if (rl == "msr")
            role.push_back("Microsoft reserved");
        else if (rl == "recovery")
            role.push_back("recovery");
        if (p.get("is_system").as_bool()) role.push_back("system: holds Windows");
        if (p.get("is_boot").as_bool()) role.push_back("boot: holds the boot files");
        if (p.get("active").as_bool()) role.push_back("active");
        if (p.get("logical").as_bool()) role.push_back("logical");
        if (p.get("encrypted").as_bool()) role.push_back("ENCRYPTED");
        if (p.get("hibernated").as_bool()) role.push_back("HIBERNATED");
        if (p.get("dirty").as_bool()) role.push_back("dirty (not shut down cleanly)");
        std::string type = p.get("type_name").as_string();
        if (!p.get("name").as_string().empty() && p.get("name").as_string() != type)
            type += " \u201C" + p.get("name").as_string() + "\u201D";
        const auto notes = strings_of(p.get("notes"));
        w.raw("<tr><td class=\"num\">" + std::to_string(p.get("index").as_int()) + "</td><td class=\"num\">" +
              esc(human_bytes(p.get("offset").as_uint())) + "</td><td class=\"num\">" +
              esc(human_bytes(p.get("size").as_uint())) + "</td><td>" + esc(type) + "</td><td>" +
              esc(p.get("filesystem").as_string()) + "</td><td>" + esc(p.get("label").as_string()) +
              "</td><td>" + esc(join(role, ", ")) +
              (notes.empty() ? std::string() : small(join(notes, "; "))) + "</td></tr>\n");
    }
    w.raw("</tbody></table>\n");
}

void disk_section(Writer& w, const Json& r) {
    const Json& facts = r.get("facts");
    w.h2("2", "Disk layout");
    if (!facts.get("readable").as_bool()) {
        w.para("The disk contents could not be read offline: " + facts.get("unreadable_reason").as_string());
        return;
    }
    std::string pt = facts.get("partition_table").as_string();
    w.para("Partition table: " +
           (pt == "gpt"   ? std::string("GPT")
            : pt == "mbr" ? std::string("MBR")
                          : "none") +
           " · boot mode: " + boot_mode_label(facts.get("boot_mode").as_string()) +
           " · logical sector size " + std::to_string(facts.get("sector_size").as_int()) + " bytes · " +
           std::to_string(facts.get("disks").as_int()) + " disk(s)");
    const auto maps = disk_maps(r);
    const auto& per = facts.get("per_disk").as_array();
    for (std::size_t i = 0; i < maps.size(); ++i) {
        if (w.qt())
            w.raw("<p class=\"diskmap\"><a name=\"" + diskmap_anchor(i) + "\">[disk map]</a></p>\n");
        else
            w.raw("<div class=\"diskmap\">" + svg_of(maps[i]) + "</div>\n");
        partitions_table(w, per.empty() ? facts : per[i]);
    }
    w.para("The map is drawn to scale; a partition too small to see is widened to stay visible. Sizes use "
           "binary "
           "units (1 GiB = 2^30 bytes).",
           "muted");
    std::string same = facts.get("boot_on_same_disk").is_bool()
                           ? (facts.get("boot_on_same_disk").as_bool() ? "yes" : "no")
                           : "unknown";
    w.kv_begin();
    w.kv_text("Boot files and Windows on the same disk", same);
    w.kv_text("How the boot mode was told", facts.get("boot_evidence").as_string().empty()
                                                ? std::string("not determined")
                                                : facts.get("boot_evidence").as_string());
    w.kv_text("Encrypted volumes", facts.get("encrypted").as_bool() ? "YES" : "none found");
    w.kv_end();
}

void windows_section(Writer& w, const Json& r) {
    const Json& facts = r.get("facts");
    const Json& win = facts.get("windows");
    w.h2("3", "Windows");
    if (!facts.get("readable").as_bool()) {
        w.para("Not inspected: the disk contents could not be read offline.");
        return;
    }
    if (!win.is_object()) {
        w.para("No Windows installation was found: " + facts.get("not_windows_reason").as_string());
        return;
    }
    w.kv_begin();
    std::string product = win.get("product_name").as_string();
    if (!win.get("marketing_name").as_string().empty() && win.get("marketing_name").as_string() != product)
        product += " (" + win.get("marketing_name").as_string() + ")";
    w.kv_row("Product", esc(product.empty() ? "unknown" : product) + small(win.get("evidence").as_string()));
    std::string edition = win.get("edition_id").as_string();
    if (!win.get("installation_type").as_string().empty())
        edition += (edition.empty() ? "" : ", ") + std::string("installation type ") +
                   win.get("installation_type").as_string();
    if (!edition.empty()) w.kv_text("Edition", edition);
    std::string ver;
    if (win.get("major_version").is_int())
        ver = std::to_string(win.get("major_version").as_int()) + "." +
              std::to_string(win.get("minor_version").as_int());
    else
        ver = win.get("current_version").as_string();
    if (win.get("build").is_int()) {
        ver += (ver.empty() ? "build " : ", build ") + std::to_string(win.get("build").as_int());
        if (win.get("ubr").is_int()) ver += "." + std::to_string(win.get("ubr").as_int());
    }
    if (!win.get("display_version").as_string().empty())
        ver += " (" + win.get("display_version").as_string() + ")";
    w.kv_text("Version and build", ver.empty() ? "unknown" : ver);
    w.kv_row("Architecture", esc(win.get("arch").is_string() ? win.get("arch").as_string() : "unknown") +
                                 small(win.get("arch_evidence").as_string()));
    w.kv_text("Boot mode", boot_mode_label(facts.get("boot_mode").as_string()));
    if (!win.get("system_drive").as_string().empty())
        w.kv_text("System drive", win.get("system_drive").as_string());

    // Network
    const Json& dhcp = win.get("dhcp");
    std::vector<std::string> nics;
    bool any_static = false, any_adapter = false;
    for (const auto& i : dhcp.get("interfaces").as_array()) {
        std::string s = i.get("adapter").as_string().empty()
                            ? i.get("guid").as_string()
                            : i.get("adapter").as_string() + " " + i.get("guid").as_string();
        // Interfaces with EnableDHCP = 0 that are not adapters with an address (WAN miniports, VPN, removed
        // adapters) do not count for network.dhcp (docs/checks.md).
        const bool counts = i.get("static_adapter").is_bool() && i.get("static_adapter").as_bool();
        any_static = any_static || counts;
        any_adapter = any_adapter || i.get("binding").as_string() == "adapter";
        if (i.get("dhcp").is_bool() && i.get("dhcp").as_bool())
            s += ": DHCP";
        else if (i.get("dhcp").is_bool())
            s += counts ? ": STATIC"
                        : ": EnableDHCP=0, not an adapter with an address (" + i.get("binding").as_string() +
                              ")";
        else
            s += ": DHCP setting unknown";
        const auto addrs = strings_of(i.get("addresses"));
        if (!addrs.empty()) s += " " + join(addrs, ", ");
        nics.push_back(s);
    }
    w.kv_row("Network adapters", nics.empty() ? std::string("none configured") : list_markup(nics));
    w.kv_text("DHCP on every adapter", any_static     ? "NO"
                                       : any_adapter  ? "yes"
                                       : nics.empty() ? "no adapter configured"
                                                      : "no network adapter among the interfaces");

    // Drivers
    const Json& virtio = win.get("virtio");
    w.kv_row("VirtIO storage driver",
             esc(std::string(virtio.get("storage").as_bool() ? "installed" : "NOT installed") +
                 (virtio.get("storage").as_bool()
                      ? (virtio.get("storage_boot_ready").as_bool() ? ", registered to boot the disk"
                                                                    : ", NOT registered to boot the disk")
                      : "")) +
                 small(virtio.get("storage_evidence").as_string()));
    w.kv_text("VirtIO network driver", virtio.get("network").as_bool() ? "installed" : "NOT installed");
    std::vector<std::string> svcs;
    for (const auto& s : virtio.get("services").as_array())
        if (s.get("present").as_bool())
            svcs.push_back(
                s.get("name").as_string() + " (start " + start_name(s.get("start")) +
                (s.get("file_present").as_bool() ? ", driver file present" : ", driver file MISSING") + ")");
    w.kv_row("VirtIO services", svcs.empty() ? std::string("none") : list_markup(svcs));
    const auto pkgs = strings_of(virtio.get("driver_packages"));
    if (!pkgs.empty()) w.kv_row("VirtIO driver packages", list_markup(pkgs));
    const auto gpu = strings_of(win.get("gpu_drivers"));
    if (!gpu.empty()) w.kv_row("GPU drivers", list_markup(gpu));
    const auto legacy = strings_of(win.get("legacy_tools"));
    w.kv_row("Tools of the previous hypervisor",
             legacy.empty() ? std::string("none found") : list_markup(legacy));

    // Cloudbase-Init and Sysprep
    const Json& cb = win.get("cloudbase_init");
    std::string cbs = cb.get("installed").as_bool() ? "installed" : "NOT installed";
    if (cb.get("installed").as_bool()) {
        if (!cb.get("version").as_string().empty()) cbs += ", version " + cb.get("version").as_string();
        if (cb.get("service").get("present").as_bool())
            cbs += ", service start " + start_name(cb.get("service").get("start"));
        cbs += cb.get("config_found").as_bool() ? ", configuration " + cb.get("config_path").as_string()
                                                : ", no configuration file found";
    }
    w.kv_row("Cloudbase-Init", esc(cbs) + small(cb.get("evidence").as_string()));
    const Json& sp = win.get("sysprep");
    w.kv_text("Sysprep state", sp.get("image_state").is_string() ? sp.get("image_state").as_string()
                                                                 : std::string("unknown (no State key)"));

    // State
    std::string san = "not set";
    if (win.get("san_policy").is_int()) {
        switch (win.get("san_policy").as_int()) {
        case 1:
            san = "1 (OnlineAll)";
            break;
        case 2:
            san = "2 (OfflineShared)";
            break;
        case 3:
            san = "3 (OfflineAll)";
            break;
        case 4:
            san = "4 (OfflineInternal)";
            break;
        default:
            san = std::to_string(win.get("san_policy").as_int());
        }
    }
    w.kv_text("SAN policy", san);
    w.kv_text("Hardware clock in UTC", yes_no(win.get("rtc_utc"), "yes", "no (local time)", "not set"));
    w.kv_row("Remote Desktop", esc(yes_no(win.get("rdp_allowed"), "allowed", "DENIED")) +
                                   small(win.get("rdp_evidence").as_string()));
    w.kv_text("Fast Startup", yes_no(win.get("hiberboot_enabled"), "ENABLED", "disabled", "not set"));
    w.kv_text("Hibernation", yes_no(win.get("hibernate_enabled"), "enabled", "disabled", "not set"));
    const Json& pending = win.get("pending_reboot");
    w.kv_row("Pending reboot", pending.get("pending").as_bool()
                                   ? "YES" + small(join(strings_of(pending.get("evidence")), "; "))
                                   : std::string("no"));
    const auto av = strings_of(win.get("antivirus"));
    if (!av.empty()) w.kv_row("Antivirus", list_markup(av));
    const auto gpo = strings_of(win.get("group_policies"));
    if (!gpo.empty()) w.kv_row("Group policies", list_markup(gpo));
    w.kv_end();
}

const std::pair<const char*, const char*> kGroups[] = {{"1", "Table 1: initial configuration"},
                                                       {"2", "Table 2: image file properties"},
                                                       {"other", "Other requirements"},
                                                       {"extra", "Extra checks from the linked guides"}};

void check_entry(Writer& w, const Json& c) {
    const std::string status = c.get("status").as_string();
    const bool qt = w.qt();
    // Browser: a block with a coloured left border. Qt: a table whose narrow first cell is the coloured bar.
    if (!qt)
        w.raw("<div class=\"check\" style=\"border-left-color:" + status_color(status) + "\">");
    else
        w.raw("<table class=\"check\" width=\"100%\" cellspacing=\"0\" cellpadding=\"0\" "
              "style=\"margin-top:8pt; margin-bottom:2pt\"><tr><td width=\"1%\" style=\"background-color:" +
              status_color(status) + "\"></td><td width=\"1%\"></td><td class=\"check-cell\">");
    w.raw("<p class=\"check-head\">" + w.badge(status) + (qt ? "&#160;&#160;" : " ") +
          "<span class=\"check-title\">" + esc(c.get("title").as_string()) + "</span>" +
          (qt ? "&#160;&#160;" : "") + "<span class=\"cid\">" +
          esc(c.get("id").as_string() + " · " + c.get("level").as_string()) + "</span></p>\n");
    if (!c.get("message").as_string().empty()) w.para(c.get("message").as_string(), "msg");
    if (!c.get("rule").as_string().empty()) w.para("Requirement: " + c.get("rule").as_string(), "rule");
    const auto ev = strings_of(c.get("evidence"));
    if (!ev.empty()) {
        w.para("Evidence", "lbl");
        w.list(ev, "ul", "ev");
    }
    const auto fix = strings_of(c.get("remediation"));
    if (!fix.empty() && status != "pass") {
        w.para("What to do", "lbl");
        w.list(fix, "ol", "fix");
    }
    const Json& doc = c.get("doc");
    std::string src = doc.get("title").as_string();
    if (!doc.get("section").as_string().empty())
        src += (src.empty() ? "" : " · ") + doc.get("section").as_string();
    if (!doc.get("topic").as_string().empty()) src += " (" + doc.get("topic").as_string() + ")";
    if (!src.empty()) w.para("Source: " + src, "muted");
    // Qt ignores margins on tables: a small empty paragraph keeps the checks apart.
    w.raw(qt ? "</td></tr></table>\n<p style=\"font-size:4pt; margin:0\">&#160;</p>\n" : "</div>\n");
}

void checks_section(Writer& w, const Json& r) {
    w.h2("4", "Requirement checks", true);
    w.para("Each requirement of \u201CPreparing an Image File\u201D (Huawei Cloud / Open Telekom Cloud IMS) "
           "and of "
           "the pages it links to, checked offline on the image. CONFIRM: cannot be checked offline, a "
           "person must "
           "confirm it. UNKNOWN: the image did not tell (the message says why).",
           "muted");
    const auto& checks = r.get("checks").as_array();
    std::vector<bool> shown(checks.size(), false);
    for (const auto& [table, heading] : kGroups) {
        bool any = false;
        for (std::size_t i = 0; i < checks.size(); ++i) {
            if (checks[i].get("table").as_string() != table) continue;
            if (!any) w.h3(heading);
            any = true;
            shown[i] = true;
            check_entry(w, checks[i]);
        }
    }
    bool any = false;
    for (std::size_t i = 0; i < checks.size(); ++i) {
        if (shown[i]) continue;
        if (!any) w.h3("Other checks");
        any = true;
        check_entry(w, checks[i]);
    }
}

void confirmations_section(Writer& w, const Json& r) {
    w.h2("5", "Confirmations");
    w.h3("Confirmed by a person");
    const auto& conf = r.get("confirmations").as_array();
    if (conf.empty()) {
        w.para("No manual check was confirmed for this report.");
    } else {
        w.raw("<table class=\"grid\" width=\"100%\" cellspacing=\"0\" cellpadding=\"" +
              std::string(w.qt() ? "3" : "0") +
              "\"><thead><tr><th>Check</th><th>Confirmed by</th><th>When</th></tr></thead><tbody>\n");
        for (const auto& c : conf) {
            std::string what = c.get("title").is_string()
                                   ? c.get("title").as_string() + " (" + c.get("id").as_string() + ")"
                                   : c.get("id").as_string();
            w.raw("<tr><td>" + esc(what) + "</td><td>" + esc(c.get("by").as_string()) + "</td><td>" +
                  esc(display_time(c.get("at").as_string())) + "</td></tr>\n");
        }
        w.raw("</tbody></table>\n");
    }
    w.h3("Still to confirm");
    std::vector<std::string> pending;
    for (const auto& id : r.get_path("summary.pending_confirmations").as_array())
        for (const auto& c : r.get("checks").as_array())
            if (c.get("id").as_string() == id.as_string())
                pending.push_back(c.get("title").as_string() + " (" + id.as_string() +
                                  "): " + c.get("message").as_string());
    if (pending.empty())
        w.para("Nothing: no manual check is pending.");
    else
        w.list(pending, "ul");
}

void conversion_section(Writer& w, const Json& r) {
    w.h2("6", "Conversion");
    const Json& m = r.get("conversion");
    if (!m.is_object()) {
        w.para("No conversion manifest was given: this report describes the image as it is (imgprep report "
               "--manifest OUT.manifest.json adds the results of imgprep convert).");
        return;
    }
    w.kv_begin();
    if (r.get_path("report.manifest_path").is_string())
        w.kv_text("Manifest", r.get_path("report.manifest_path").as_string());
    if (m.get("created").is_string()) w.kv_text("Converted", display_time(m.get("created").as_string()));
    if (m.get_path("tool.version").is_string())
        w.kv_text("Converted by",
                  m.get_path("tool.name").as_string() + " " + m.get_path("tool.version").as_string());
    const Json& in = m.get("input");
    std::string input = in.get("path").as_string();
    std::string f = in.get("format").as_string();
    if (!in.get("subformat").as_string().empty()) f += " " + in.get("subformat").as_string();
    if (!f.empty()) input += " (" + f + ")";
    w.kv_text("Input", input);
    if (in.get("virtual_size").is_int())
        w.kv_text("Input virtual size", bytes_with_exact(in.get("virtual_size").as_uint()));
    w.kv_text("Target format", m.get("target").as_string());
    if (m.get("external_tool").is_object())
        w.kv_text("External tool", m.get_path("external_tool.path").as_string() + " " +
                                       m.get_path("external_tool.version").as_string());
    if (const Json& z = m.get("zvhd2"); z.is_object()) {
        w.kv_text("ZVHD2",
                  "written by " + z.get("writer").as_string() + ", " + z.get("compression").as_string() +
                      (z.get("stored_blocks").is_int() && z.get("blocks").is_int()
                           ? "; " + std::to_string(z.get("stored_blocks").as_uint()) + " of " +
                                 std::to_string(z.get("blocks").as_uint()) + " blocks of 2 MiB stored"
                           : std::string()));
        if (z.get("virtual_size").is_int() && z.get("orig_size").is_int())
            w.kv_text("ZVHD2 virtual size",
                      bytes_with_exact(z.get("virtual_size").as_uint()) + " (rounded up to 1 GiB; " +
                          "written: " + bytes_with_exact(z.get("orig_size").as_uint()) + ")");
    }
    w.kv_end();

    std::size_t n = 0;
    for (const auto& o : m.get("outputs").as_array()) {
        w.h3("Output " + std::to_string(++n) + ": " + o.get("role").as_string());
        w.kv_begin();
        w.kv_text("Path", o.get("path").as_string());
        w.kv_text("Size", size_or_unknown(o.get("size")));
        if (o.get("bytes_written").is_int())
            w.kv_text("Data written", bytes_with_exact(o.get("bytes_written").as_uint()));
        w.kv_row("SHA-256", o.get("sha256").is_string() ? mono(o.get("sha256").as_string())
                                                        : std::string("not computed"));
        w.kv_end();
    }
    const Json& bm = m.get("bitmap");
    if (bm.is_object()) {
        w.h3("Bitmap file");
        w.kv_begin();
        w.kv_text("Format", bm.get("format").as_string());
        if (bm.get("block_size").is_int())
            w.kv_text("Block size", bytes_with_exact(bm.get("block_size").as_uint()));
        if (bm.get("blocks").is_int() && bm.get("set_bits").is_int()) {
            const std::uint64_t blocks = bm.get("blocks").as_uint(), set = bm.get("set_bits").as_uint();
            const std::string p = fixed(blocks ? 100.0 * double(set) / double(blocks) : 0.0, 1);
            w.kv_text("Blocks holding data",
                      std::to_string(set) + " of " + std::to_string(blocks) + " (" + p + " %)");
        }
        if (bm.get("tool").is_string()) w.kv_text("Made by", bm.get("tool").as_string());
        w.kv_end();
    }
    const Json& v = m.get("verification");
    w.h3("Verification");
    w.kv_begin();
    if (!v.is_object() || !v.get("performed").as_bool()) {
        w.kv_text("Result", "not performed (imgprep convert --verify)");
    } else {
        w.kv_row("Result", v.get("match").as_bool()
                               ? "<b>PASSED</b>: the output reads back identical to the source (SHA-256)"
                               : std::string("<b>FAILED</b>: the output differs from the source"));
        if (v.get("source_sha256").is_string())
            w.kv_row("Source SHA-256", mono(v.get("source_sha256").as_string()));
        if (v.get("output_sha256").is_string())
            w.kv_row("Output SHA-256", mono(v.get("output_sha256").as_string()));
    }
    const Json& st = m.get("stats");
    if (st.is_object()) {
        if (st.get("seconds").is_number()) {
            w.kv_text("Duration", fixed(st.get("seconds").as_double(), 1) + " s");
        }
        if (st.get("bytes_read").is_int())
            w.kv_text("Read", bytes_with_exact(st.get("bytes_read").as_uint()));
        if (st.get("zero_bytes_skipped").is_int())
            w.kv_text("Zeros skipped (left sparse)",
                      bytes_with_exact(st.get("zero_bytes_skipped").as_uint()));
    }
    w.kv_end();
}

void notes_section(Writer& w, const Json& r) {
    w.h2("7", "Notes");
    std::vector<std::string> notes;
    for (const auto& s : strings_of(r.get_path("report.warnings")))
        notes.push_back("Report: " + s);
    for (const auto& s : strings_of(r.get_path("facts.warnings")))
        notes.push_back("Inspection: " + s);
    for (const auto& s : strings_of(r.get_path("facts.windows.warnings")))
        notes.push_back("Windows: " + s);
    if (notes.empty())
        w.para("The inspection found no inconsistencies to note.");
    else
        w.list(notes, "ul");
    w.para(
        "This report was produced offline by imgprep " + r.get_path("report.tool_version").as_string() +
            ": the image was opened read-only and never changed, nothing was booted. Checks that cannot be "
            "decided offline are listed for a person to confirm and are never counted as passed. The same "
            "content is available as JSON (imgprep report --json).",
        "muted");
}

} // namespace

std::string diskmap_anchor(std::size_t index) {
    return "imgprep-diskmap-" + std::to_string(index);
}

std::string render_html(const Json& r, HtmlFlavor flavor) {
    Writer w(flavor);
    const Json& meta = r.get("report");
    const std::string name = meta.get("image_name").as_string();
    w.raw(
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\" xml:lang=\"en\">\n<head>\n"
        "<meta charset=\"utf-8\" />\n<meta name=\"generator\" content=\"imgprep " +
        esc(meta.get("tool_version").as_string()) + "\" />\n<title>" +
        esc("Image preparation report: " + name) + "</title>\n<style type=\"text/css\">" +
        (w.qt() ? css_qt() : css_browser(r)) + "</style>\n</head>\n<body>\n");
    if (!w.qt()) w.raw("<div class=\"doc\">\n");
    w.raw("<p class=\"kicker\">imgprep · Image Prep Wizard · Huawei Cloud / Open Telekom Cloud IMS</p>\n");
    w.raw("<h1>" + esc(meta.get("title").as_string()) + "</h1>\n");
    w.para(name, "imgname");
    w.para(meta.get("image_path").as_string(), "imgpath");
    w.kv_begin();
    w.kv_text("Created", display_time(meta.get("created").as_string()));
    w.kv_text("Tool", "imgprep " + meta.get("tool_version").as_string());
    w.kv_end();
    summary_section(w, r);
    image_section(w, r);
    disk_section(w, r);
    windows_section(w, r);
    checks_section(w, r);
    confirmations_section(w, r);
    conversion_section(w, r);
    notes_section(w, r);
    w.raw("<p class=\"end\">End of report · " + esc(name) + " · " +
          esc(display_time(meta.get("created").as_string())) + "</p>\n");
    if (!w.qt()) w.raw("</div>\n");
    w.raw("</body>\n</html>\n");
    return w.out;
}

} // namespace report_detail

std::string render_html(const Json& report) {
    return report_detail::render_html(report, report_detail::HtmlFlavor::Browser);
}

} // namespace imgprep
