// The report model (build_report), manifest validation, labels and the disk map layout shared by the HTML and
// PDF renderers.
#include "report/report.h"
#include "io/byte_source.h"
#include "io/file_system.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "convert/manifest.h"
#include "util/format.h"
#include "util/version.h"

namespace imgprep {

namespace {

constexpr std::uint64_t kMaxManifestBytes = 16 * 1024 * 1024;

std::string file_name_of(const std::string& path) {
    if (path.empty()) return path;
#ifdef _WIN32
    auto pos = path.find_last_of("/\\");
#else
    auto pos = path.find_last_of('/'); // a backslash is an ordinary character in a POSIX file name
#endif
    std::string name = pos == std::string::npos ? path : path.substr(pos + 1);
    return name.empty() ? path : name;
}

bool same_file(const std::string& a, const std::string& b) {
    if (a == b) return true;
    return files::same_file(a, b);
}

} // namespace

Json build_report(const Inspection& inspection, const std::vector<CheckResult>& results,
                  const Summary& summary, const ReportOptions& options) {
    const std::string version = options.tool_version.empty() ? IMGPREP_VERSION_STRING : options.tool_version;
    Json tool = Json::object();
    tool.set("name", "imgprep");
    tool.set("version", version);
    Json doc = check_document(inspection.image_json, to_json(inspection.facts), results, summary, tool);

    const std::string path =
        inspection.image.path.empty() ? inspection.image_json.get("path").as_string() : inspection.image.path;
    Json warnings = Json::array();

    Json meta = Json::object();
    meta.set("title", "Image preparation report");
    meta.set("created", options.created.empty() ? iso8601_now() : options.created);
    meta.set("tool_version", version);
    meta.set("image_name", file_name_of(path));
    meta.set("image_path", path);
    meta.set("manifest_path", options.manifest_path.empty() ? Json() : Json(options.manifest_path));

    Json checksum;
    if (options.checksum_sha256) {
        checksum = Json::object();
        checksum.set("sha256", *options.checksum_sha256);
    }

    Json confirmations = Json::array();
    for (const auto& c : options.confirmations) {
        Json e = Json::object();
        e.set("id", c.id);
        std::string title;
        std::string status;
        for (const auto& r : results)
            if (r.id == c.id) {
                title = r.title;
                status = to_string(r.status);
            }
        e.set("title", title.empty() ? Json() : Json(title));
        e.set("by", c.by);
        e.set("at", c.at);
        confirmations.push(std::move(e));
        if (title.empty())
            warnings.push("confirmation for \"" + c.id + "\", which is not a check of this report");
        else if (status == "manual")
            warnings.push("\"" + c.id +
                          "\" is recorded as confirmed but the check was evaluated without that "
                          "confirmation: it is still listed as pending");
    }

    Json conversion;
    if (options.manifest) {
        conversion = *options.manifest;
        const std::string in = conversion.get_path("input.path").as_string();
        if (!in.empty() && !path.empty() && !same_file(in, path) && file_name_of(in) != file_name_of(path))
            warnings.push("the conversion manifest describes the input " + in + ", not this image (" + path +
                          ")");
    }

    meta.set("warnings", std::move(warnings));
    doc.set("report", std::move(meta));
    doc.set("checksum", std::move(checksum));
    doc.set("confirmations", std::move(confirmations));
    doc.set("conversion", std::move(conversion));
    return doc;
}

// ---------------------------------------------------------------------------------------------------------------
// Manifest

Status validate_manifest(const Json& m, const std::string& source) {
    auto bad = [&](const std::string& what) {
        return Status(make_error(source, "not a conversion manifest of imgprep convert: " + what));
    };
    if (!m.is_object()) return bad("the document is not a JSON object");
    if (!m.get("schema").is_int() || m.get("schema").as_int() != 1) return bad("\"schema\" is not 1");
    const Json& target = m.get("target");
    if (!target.is_string() || target.as_string().empty()) return bad("\"target\" (raw or zvhd2) is missing");
    const Json& input = m.get("input");
    if (!input.is_object() || !input.get("path").is_string()) return bad("\"input.path\" is missing");
    for (const char* k : {"virtual_size", "file_size"})
        if (input.has(k) && !input.get(k).is_int() && !input.get(k).is_null())
            return bad(std::string("\"input.") + k + "\" is not an integer");
    const Json& outputs = m.get("outputs");
    if (!outputs.is_array()) return bad("\"outputs\" is not an array");
    std::size_t i = 0;
    for (const auto& o : outputs.as_array()) {
        const std::string at = "\"outputs[" + std::to_string(i++) + "]";
        if (!o.is_object()) return bad(at + "\" is not an object");
        if (!o.get("path").is_string() || o.get("path").as_string().empty())
            return bad(at + ".path\" is missing");
        if (o.has("role") && !o.get("role").is_string()) return bad(at + ".role\" is not a string");
        if (o.has("size") && !o.get("size").is_null() && !o.get("size").is_int())
            return bad(at + ".size\" is not an integer");
        if (o.has("sha256") && !o.get("sha256").is_string()) return bad(at + ".sha256\" is not a string");
    }
    if (m.has("created") && !m.get("created").is_string()) return bad("\"created\" is not a string");
    if (m.has("verification")) {
        const Json& v = m.get("verification");
        if (!v.is_object() || !v.get("performed").is_bool())
            return bad("\"verification.performed\" is missing");
        if (v.has("match") && !v.get("match").is_bool())
            return bad("\"verification.match\" is not a boolean");
    }
    if (m.has("bitmap") && !m.get("bitmap").is_object()) return bad("\"bitmap\" is not an object");
    if (m.has("stats") && !m.get("stats").is_object()) return bad("\"stats\" is not an object");
    return {};
}

Result<Json> load_manifest(const std::string& path) {
    if (!files::is_regular_file(path)) return make_error(path, "conversion manifest not found");
    auto file = FileSource::open(path);
    if (!file) return make_error(path, "cannot open the conversion manifest: " + file.error().message);
    if ((*file)->size() > kMaxManifestBytes)
        return make_error(path, "conversion manifest larger than 16 MiB");
    std::string text(std::size_t((*file)->size()), '\0');
    if (auto st = (*file)->read_at(0, std::span(reinterpret_cast<std::uint8_t*>(text.data()), text.size()));
        !st)
        return make_error(path, "cannot read the conversion manifest: " + st.error().message);
    IMGPREP_ASSIGN(Json m, Json::parse(text, path));
    IMGPREP_TRY(validate_manifest(m, path));
    return m;
}

// ---------------------------------------------------------------------------------------------------------------
// Labels and text

namespace report_detail {

std::string status_label(std::string_view s) {
    if (s == "pass") return "PASS";
    if (s == "fail") return "FAIL";
    if (s == "warn") return "WARNING";
    if (s == "info") return "INFO";
    if (s == "manual") return "CONFIRM";
    return "UNKNOWN";
}

std::string status_color(std::string_view s) {
    if (s == "pass") return "#2e7d32";
    if (s == "fail") return "#c62828";
    if (s == "warn") return "#b25e00";
    if (s == "info") return "#1565c0";
    if (s == "manual") return "#6a1b9a";
    return "#616161";
}

std::string verdict_label(std::string_view v) {
    if (v == "ready") return "READY FOR IMPORT";
    if (v == "not_ready") return "NOT READY";
    return "INCOMPLETE";
}

std::string verdict_color(std::string_view v) {
    if (v == "ready") return "#2e7d32";
    if (v == "not_ready") return "#c62828";
    return "#b25e00";
}

std::string verdict_explanation(const Json& summary) {
    const std::string v = summary.get("verdict").as_string();
    const std::size_t blockers = summary.get("blockers").as_array().size();
    const std::size_t pending = summary.get("pending_confirmations").as_array().size();
    std::string s;
    if (v == "ready")
        s = "Every required check passed: the image meets the requirements that can be checked offline.";
    else if (v == "not_ready")
        s = std::to_string(blockers) + " required check(s) failed or could not be decided: fix them before "
                                       "importing the image.";
    else
        s = "No required check failed, but " + std::to_string(blockers) +
            " required check(s) could not be decided offline.";
    if (pending > 0)
        s += " " + std::to_string(pending) +
             " item(s) cannot be checked offline and still need a confirmation.";
    return s;
}

std::string import_path_label(std::string_view p) {
    if (p == "direct") return "Direct import (image file up to 128 GiB)";
    if (p == "fast") return "Fast import (128 GiB to 1 TiB, as RAW or ZVHD2)";
    if (p == "unsupported") return "Not supported (above 1 TiB)";
    return "Unknown (no size known)";
}

std::string bytes_with_exact(std::uint64_t bytes) {
    std::string digits = std::to_string(bytes);
    std::string grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
        grouped += digits[i];
    }
    if (bytes < 1024) return grouped + " bytes";
    return human_bytes(bytes) + " (" + grouped + " bytes)";
}

std::string display_time(const std::string& t) {
    // YYYY-MM-DDTHH:MM:SS(+HH:MM|-HH:MM|Z)
    if (t.size() < 20 || t[10] != 'T') return t;
    std::string zone = t.substr(19);
    if (zone == "Z") zone = "+00:00";
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-')) return t;
    return t.substr(0, 10) + " " + t.substr(11, 8) + " UTC" + zone;
}

std::string sanitize_text(std::string_view s) {
    static const char kReplacement[] = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(s.size());
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                out += kReplacement;
            else
                out += char(c);
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0, min = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
            min = 0x10000;
        }
        bool ok = len > 0 && i + len <= n;
        for (std::size_t k = 1; ok && k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE &&
             cp != 0xFFFF && !(cp >= 0x80 && cp <= 0x9F);
        if (!ok) {
            out += kReplacement;
            ++i; // resynchronise on the next byte
            continue;
        }
        out.append(s.substr(i, len));
        i += len;
    }
    return out;
}

std::string xml_escape(std::string_view s) {
    const std::string clean = sanitize_text(s);
    std::string out;
    out.reserve(clean.size() + clean.size() / 8);
    for (char c : clean) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Disk map

namespace {

struct Part {
    int index = 0;
    std::uint64_t start = 0, end = 0;
    const Json* j = nullptr;
};

struct Segment {
    bool free = false;
    const Part* part = nullptr;
    std::uint64_t start = 0, end = 0;
    double x = 0, w = 0;
};

std::string fill_for(const Json& p) {
    const std::string fs = p.get("filesystem").as_string();
    const std::string role = p.get("role").as_string();
    if (p.get("encrypted").as_bool() || fs == "bitlocker" || fs == "bitlocker_to_go" || fs == "luks")
        return "#c0504d";
    if (role == "esp") return "#f0b429";
    if (role == "msr") return "#a9b1bd";
    if (role == "recovery") return "#8e6bbf";
    if (p.get("is_system").as_bool()) return "#2f5f9e";
    if (fs == "ntfs") return "#6f9bd1";
    if (fs.rfind("fat", 0) == 0 || fs == "exfat") return "#f5cd6b";
    if (fs.rfind("ext", 0) == 0 || fs == "xfs" || fs == "btrfs" || role == "linux") return "#5b9a5b";
    if (fs == "swap" || role == "swap") return "#9cc08a";
    if (role == "extended") return "#d7dde5";
    return "#c9cdd3";
}

bool dark(const std::string& hex) {
    if (hex.size() != 7) return false;
    auto v = [&](int at) { return std::stoi(hex.substr(std::size_t(at), 2), nullptr, 16); };
    const double lum = 0.2126 * v(1) + 0.7152 * v(3) + 0.0722 * v(5);
    return lum < 140;
}

std::string role_words(const Json& p) {
    std::vector<std::string> roles;
    const std::string role = p.get("role").as_string();
    if (role == "esp") roles.push_back("ESP");
    if (role == "msr") roles.push_back("MSR");
    if (role == "recovery") roles.push_back("recovery");
    if (p.get("is_system").as_bool()) roles.push_back("system (Windows)");
    if (p.get("is_boot").as_bool()) roles.push_back("boot");
    if (p.get("active").as_bool()) roles.push_back("active");
    if (p.get("encrypted").as_bool()) roles.push_back("encrypted");
    if (p.get("hibernated").as_bool()) roles.push_back("hibernated");
    if (p.get("dirty").as_bool()) roles.push_back("dirty");
    std::string s;
    for (const auto& r : roles)
        s += (s.empty() ? "" : ", ") + r;
    return s;
}

std::string fs_words(const Json& p) {
    std::string fs = p.get("filesystem").as_string();
    if (fs == "none" || fs.empty()) fs = p.get("type_name").as_string();
    std::string label = p.get("label").as_string();
    if (label.size() > 40) label = label.substr(0, 40) + "…";
    return label.empty() ? fs : fs + " \"" + label + "\"";
}

// Text width estimate in units for a sans-serif font (DejaVu Sans averages ~0.6 em; bold a little wider).
double text_width(const std::string& s, double size, bool bold) {
    std::size_t chars = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++chars;
    return double(chars) * size * (bold ? 0.66 : 0.6);
}

DiskMapShape text(double x, double y, std::string s, double size, bool bold, int anchor, std::string color,
                  int partition) {
    DiskMapShape t;
    t.kind = DiskMapShape::Kind::Text;
    t.x = x;
    t.y = y;
    t.text = sanitize_text(s);
    t.size = size;
    t.bold = bold;
    t.anchor = anchor;
    t.fill = std::move(color);
    t.partition = partition;
    return t;
}

constexpr std::size_t kMaxMapPartitions = 128;

} // namespace

DiskMap layout_disk_map(const Json& facts, std::optional<std::uint64_t> disk_size, const std::string& title) {
    DiskMap map;
    map.title = title;
    const double W = map.width;
    const double bar_y = 26, bar_h = 62;

    std::vector<Part> parts;
    std::uint64_t max_end = 0;
    for (const auto& p : facts.get("partitions").as_array()) {
        if (parts.size() >= kMaxMapPartitions) break;
        Part q;
        q.index = int(p.get("index").as_int());
        q.start = p.get("offset").as_uint();
        const std::uint64_t size = p.get("size").as_uint();
        q.end = q.start + std::min(size, ~std::uint64_t(0) - q.start);
        q.j = &p;
        max_end = std::max(max_end, q.end);
        parts.push_back(q);
    }
    std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
        return a.start != b.start ? a.start < b.start : a.index < b.index;
    });
    std::uint64_t total = disk_size.value_or(0);
    if (total < max_end) total = max_end;

    // Top line: title left, size right.
    map.shapes.push_back(text(0, 15, title, 12.5, true, 0, "#1f2933", 0));
    if (total > 0) map.shapes.push_back(text(W, 15, "0 … " + human_bytes(total), 11, false, 2, "#52606d", 0));

    if (total == 0 || parts.empty()) {
        DiskMapShape box;
        box.x = 0;
        box.y = bar_y;
        box.w = W;
        box.h = bar_h;
        box.fill = "#f4f5f7";
        box.stroke = "#9aa5b1";
        box.dashed = true;
        map.shapes.push_back(box);
        std::string what =
            facts.get("readable").as_bool(true) ? "no partitions found" : "contents not readable";
        if (total > 0 && parts.empty() && facts.get("readable").as_bool(true))
            what = "no partition table: " + human_bytes(total) + " without partitions";
        map.shapes.push_back(text(W / 2, bar_y + bar_h / 2 + 4, what, 12, false, 1, "#52606d", 0));
        map.height = bar_y + bar_h + 6;
        return map;
    }

    // Segments: partitions and the free space between them (overlapping partitions start where the
    // previous one ends, so the bar never goes backwards).
    std::vector<Segment> segs;
    std::uint64_t cursor = 0;
    for (const auto& p : parts) {
        std::uint64_t start = std::max(p.start, cursor);
        if (start > cursor) segs.push_back({true, nullptr, cursor, start});
        std::uint64_t end = std::max(p.end, start);
        segs.push_back({false, &p, start, end});
        cursor = end;
    }
    if (cursor < total) segs.push_back({true, nullptr, cursor, total});

    // Proportional widths; partitions get at least kDiskMapMinWidth and the others shrink to make room.
    std::size_t nparts = 0;
    for (const auto& s : segs)
        nparts += s.free ? 0 : 1;
    const double min_w = std::min(kDiskMapMinWidth, W * 0.6 / double(std::max<std::size_t>(nparts, 1)));
    std::vector<bool> pinned(segs.size(), false);
    for (int round = 0; round < 64; ++round) {
        double fixed = 0, flexible = 0;
        for (std::size_t i = 0; i < segs.size(); ++i) {
            const double len = double(segs[i].end - segs[i].start);
            if (pinned[i])
                fixed += min_w;
            else
                flexible += len;
        }
        const double scale = flexible > 0 ? (W - fixed) / flexible : 0;
        bool changed = false;
        for (std::size_t i = 0; i < segs.size(); ++i) {
            if (pinned[i]) {
                segs[i].w = min_w;
                continue;
            }
            segs[i].w = double(segs[i].end - segs[i].start) * scale;
            if (!segs[i].free && segs[i].w < min_w) {
                pinned[i] = true;
                changed = true;
            }
        }
        if (!changed) break;
    }
    double x = 0;
    for (auto& s : segs) {
        s.x = x;
        x += s.w;
    }

    // Boxes and labels.
    struct Callout {
        double cx;
        std::vector<std::string> lines;
        int partition;
    };
    std::vector<Callout> callouts;
    const double fs = 11, line_h = 13.5;
    for (const auto& s : segs) {
        DiskMapShape box;
        box.x = s.x;
        box.y = bar_y;
        box.w = s.w;
        box.h = bar_h;
        if (s.free) {
            if (s.w < 0.5) continue;
            box.fill = "#f4f5f7";
            box.stroke = "#9aa5b1";
            box.dashed = true;
            map.shapes.push_back(box);
            const std::string l1 = "free", l2 = human_bytes(s.end - s.start);
            if (text_width(l2, fs, false) + 8 <= s.w) {
                map.shapes.push_back(
                    text(s.x + s.w / 2, bar_y + bar_h / 2 - 2, l1, fs, false, 1, "#616e7c", 0));
                map.shapes.push_back(
                    text(s.x + s.w / 2, bar_y + bar_h / 2 + 12, l2, fs, false, 1, "#616e7c", 0));
            }
            continue;
        }
        const Json& pj = *s.part->j;
        const int idx = s.part->index;
        box.fill = fill_for(pj);
        box.stroke = "#ffffff";
        box.stroke_width = 1.5;
        box.partition = idx;
        map.shapes.push_back(box);
        const std::string ink = dark(box.fill) ? "#ffffff" : "#1f2933";
        std::string head = std::to_string(idx);
        const std::string role = role_words(pj);
        std::vector<std::string> lines = {head + "  " + fs_words(pj),
                                          human_bytes(s.part->end - s.part->start)};
        if (!role.empty()) lines.push_back(role);
        auto need = [&](const std::vector<std::string>& l) {
            double n = 0;
            for (std::size_t i = 0; i < l.size(); ++i)
                n = std::max(n, text_width(l[i], fs, i == 0));
            return n + 10;
        };
        if (need(lines) > s.w) {
            // Without the volume label (the partition table below lists it).
            std::vector<std::string> compact = lines;
            std::string fsname = pj.get("filesystem").as_string();
            if (fsname == "none" || fsname.empty()) fsname = pj.get("type_name").as_string();
            compact[0] = head + " " + fsname;
            if (need(compact) <= s.w) lines = compact;
        }
        if (need(lines) <= s.w) {
            double y = bar_y + (bar_h - line_h * double(lines.size())) / 2 + fs;
            for (std::size_t i = 0; i < lines.size(); ++i, y += line_h)
                map.shapes.push_back(text(s.x + 5, y, lines[i], fs, i == 0, 0, ink, idx));
        } else {
            if (text_width(head, fs, true) + 4 <= s.w)
                map.shapes.push_back(text(s.x + s.w / 2, bar_y + bar_h / 2 + 4, head, fs, true, 1, ink, idx));
            callouts.push_back({s.x + s.w / 2, lines, idx});
        }
    }
    // Outline of the whole disk.
    DiskMapShape frame;
    frame.x = 0;
    frame.y = bar_y;
    frame.w = W;
    frame.h = bar_h;
    frame.stroke = "#52606d";
    frame.stroke_width = 1;
    map.shapes.push_back(frame);

    // Callouts below the bar, for partitions whose label does not fit inside: the text starts just right of
    // a vertical leader line from the partition. Placed from right to left, each on the first row where its
    // text neither overlaps another callout's text nor crosses a leader that runs down to a lower row.
    struct Placed {
        double left, right, cx;
        std::size_t row;
    };
    std::vector<Placed> placed;
    double bottom = bar_y + bar_h;
    const double row_h = line_h * 3 + 10, first_row = bar_y + bar_h + 12;
    constexpr std::size_t kMaxRows = 8;
    for (auto c = callouts.rbegin(); c != callouts.rend(); ++c) {
        double w = 0;
        for (std::size_t i = 0; i < c->lines.size(); ++i)
            w = std::max(w, text_width(c->lines[i], fs, i == 0));
        double left = c->cx + 4;
        if (left + w > W) left = std::max(0.0, W - w);
        const double right = left + w;
        std::size_t row = 0;
        for (; row + 1 < kMaxRows; ++row) {
            bool clash = false;
            for (const auto& p : placed) {
                if (p.row == row && left < p.right + 10 && right + 10 > p.left) clash = true;
                if (p.row > row && p.cx >= left - 4 && p.cx <= right + 4) clash = true;       // its leader
                if (p.row < row && c->cx >= p.left - 4 && c->cx <= p.right + 4) clash = true; // our leader
            }
            if (!clash) break;
        }
        placed.push_back({left, right, c->cx, row});
        const double top = first_row + double(row) * row_h;
        DiskMapShape leader;
        leader.kind = DiskMapShape::Kind::Line;
        leader.x = c->cx;
        leader.y = bar_y + bar_h;
        leader.w = 0;
        // Beside the text when the text starts right of it, else (text pushed left by the edge) above it.
        const double leader_end = c->cx < left ? top + line_h * double(c->lines.size()) - 2 : top - 3;
        leader.h = leader_end - (bar_y + bar_h);
        leader.stroke = "#7b8794";
        leader.partition = c->partition;
        map.shapes.push_back(leader);
        double y = top + fs;
        for (std::size_t i = 0; i < c->lines.size(); ++i, y += line_h)
            map.shapes.push_back(text(left, y, c->lines[i], fs, i == 0, 0, "#1f2933", c->partition));
        bottom = std::max(bottom, top + line_h * double(c->lines.size()) + 4);
    }
    map.height = bottom + 4;
    return map;
}

std::vector<DiskMap> disk_maps(const Json& report) {
    std::vector<DiskMap> maps;
    const Json& facts = report.get("facts");
    const Json& image = report.get("image");
    auto size_of = [](const Json& v) -> std::optional<std::uint64_t> {
        if (v.is_int()) return v.as_uint();
        return std::nullopt;
    };
    auto title_of = [](std::size_t n, const Json& f, std::optional<std::uint64_t> size) {
        std::string t = "Disk " + std::to_string(n);
        if (size) t += ": " + human_bytes(*size);
        const std::string pt = f.get("partition_table").as_string();
        if (pt == "gpt")
            t += ", GPT";
        else if (pt == "mbr")
            t += ", MBR";
        else if (!pt.empty())
            t += ", no partition table";
        return t;
    };
    const auto& per = facts.get("per_disk").as_array();
    if (!per.empty()) {
        const auto& disks = image.get("disks").as_array();
        for (std::size_t i = 0; i < per.size() && i < 16; ++i) {
            auto size = i < disks.size() ? size_of(disks[i].get("virtual_size")) : std::nullopt;
            std::string t = title_of(i + 1, per[i], size);
            if (i < disks.size() && !disks[i].get("member").as_string().empty())
                t += " (" + disks[i].get("member").as_string() + ")";
            maps.push_back(layout_disk_map(per[i], size, t));
        }
        return maps;
    }
    if (!facts.get("readable").as_bool()) return maps;
    auto size = size_of(image.get("virtual_size"));
    maps.push_back(layout_disk_map(facts, size, title_of(1, facts, size)));
    return maps;
}

} // namespace report_detail

} // namespace imgprep
