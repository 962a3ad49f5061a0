// imgprep report IMAGE [--pdf OUT.pdf] [--html OUT.html] [--json OUT.json] [--manifest
// CONVERSION.manifest.json]
//                [--page-size a4|letter] [--confirm ID]... [--confirmed-by NAME] [--checksum sha256]
//                [--force]
// Exit 0 when every requested report was written (whatever the verdict), 2 on error.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>

#include "checks/checks.h"
#include "cli.h"
#include "convert/manifest.h"
#include "convert/output_file.h"
#include "image/identify.h"
#include "inspect/inspect.h"
#include "io/file_system.h"
#include "report/report.h"

namespace imgprep::cli {

namespace {

int fail(const Error& e) {
    print_error(e.describe());
    return kExitError;
}

int usage_error(const std::string& what) {
    print_error("report: " + what +
                " (usage: imgprep report IMAGE --pdf OUT.pdf [--html OUT.html] [--json OUT.json] "
                "[--manifest CONVERSION.manifest.json] [--page-size a4|letter] [--confirm ID]... "
                "[--confirmed-by NAME] [--checksum sha256] [--force])");
    return kExitError;
}

struct ReportArgs {
    std::string image;
    std::string pdf, html, json, manifest;
    std::string page_size = "a4";
    std::vector<std::string> confirm;
    std::string confirmed_by;
    bool checksum = false;
    bool force = false;
};

std::string default_user() {
    for (const char* v : {"IMGPREP_USER", "USER", "USERNAME", "LOGNAME"})
        if (const char* s = std::getenv(v); s && *s) return s;
    return "unknown user";
}

Status write_text(const std::string& path, const std::string& text, bool force) {
    IMGPREP_ASSIGN(OutputFile out, OutputFile::create(path, force));
    IMGPREP_TRY(out.write_at(0, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
    return out.commit();
}

} // namespace

int cmd_report(const std::vector<std::string>& args) {
    ReportArgs a;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string s = args[i], val;
        bool has_eq = false;
        if (s.rfind("--", 0) == 0)
            if (auto eq = s.find('='); eq != std::string::npos) {
                val = s.substr(eq + 1);
                s = s.substr(0, eq);
                has_eq = true;
            }
        static const std::set<std::string> with_value = {"--pdf",          "--html",      "--json",
                                                         "--manifest",     "--page-size", "--confirm",
                                                         "--confirmed-by", "--checksum"};
        if (with_value.count(s)) {
            if (!has_eq) {
                if (i + 1 >= args.size()) return usage_error("option " + s + " needs a value");
                val = args[++i];
            }
            if (s == "--pdf")
                a.pdf = val;
            else if (s == "--html")
                a.html = val;
            else if (s == "--json")
                a.json = val;
            else if (s == "--manifest")
                a.manifest = val;
            else if (s == "--page-size")
                a.page_size = val;
            else if (s == "--confirm")
                a.confirm.push_back(val);
            else if (s == "--confirmed-by")
                a.confirmed_by = val;
            else if (s == "--checksum") {
                if (val != "sha256") return usage_error("--checksum supports only sha256");
                a.checksum = true;
            }
        } else if (s == "--force" && !has_eq) {
            a.force = true;
        } else if (s.size() > 1 && s[0] == '-') {
            return usage_error("unknown option " + args[i]);
        } else if (a.image.empty()) {
            a.image = s;
        } else {
            return usage_error("more than one IMAGE given");
        }
    }
    if (a.image.empty()) return usage_error("missing IMAGE");
    if (a.pdf.empty() && a.html.empty() && a.json.empty()) return usage_error("no output given");
    if (!a.pdf.empty() && !kHavePdfReport)
        return fail(make_error(a.pdf,
                               "PDF reports are not available in this build of imgprep (built without Qt); "
                               "write the same report with --html and --json instead"));
    for (auto& c : a.page_size)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    if (a.page_size != "a4" && a.page_size != "letter")
        return usage_error("--page-size must be a4 or letter");

    // Outputs: distinct, not the image, not overwritten without --force.
    std::vector<std::string> outputs;
    for (const auto* p : {&a.pdf, &a.html, &a.json})
        if (!p->empty()) outputs.push_back(*p);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        for (std::size_t k = 0; k < i; ++k)
            if (outputs[k] == outputs[i] || files::same_file(outputs[k], outputs[i]))
                return usage_error("the same file " + outputs[i] + " is given for two outputs");
        if (outputs[i] == a.image || files::same_file(outputs[i], a.image))
            return fail(make_error(outputs[i], "is the image itself; the source is never written"));
        if (!a.force && files::exists(outputs[i]))
            return fail(make_error(outputs[i], "exists; not overwriting it (use --force to replace it)"));
    }

    ReportOptions opt;
    opt.created = iso8601_now();
    if (!a.manifest.empty()) {
        auto m = load_manifest(a.manifest);
        if (!m) return fail(m.error());
        opt.manifest = std::move(*m);
        opt.manifest_path = a.manifest;
    }
    Confirmations conf;
    if (auto st = confirm_checks(conf, a.confirm); !st) return fail(st.error());
    const std::string by = a.confirmed_by.empty() ? default_user() : a.confirmed_by;
    for (const auto& id : conf.confirmed)
        opt.confirmations.push_back({id, by, opt.created});

    auto input = open_input(a.image);
    if (!input) return fail(input.error());
    auto in = inspect_input(*input);
    if (!in) return fail(in.error());
    if (a.checksum) {
        std::size_t disk = std::size_t(std::max(0, in->facts.windows_disk_index));
        if (disk >= input->disks.size()) disk = 0;
        auto sum = virtual_disk_sha256(*input->disks[disk].reader);
        if (!sum) return fail(sum.error());
        opt.checksum_sha256 = *sum;
    }
    auto results = evaluate_checks(in->image, in->facts, conf);
    auto summary = summarize(in->image, in->facts, results);
    const Json report = build_report(*in, results, summary, opt);

    if (!a.pdf.empty()) {
        std::string error;
        if (!write_report_pdf(report, a.pdf, a.page_size == "letter", error)) {
            print_error(error);
            return kExitError;
        }
    }
    if (!a.html.empty())
        if (auto st = write_text(a.html, render_html(report), a.force); !st) return fail(st.error());
    if (!a.json.empty())
        if (auto st = write_text(a.json, report.dump() + "\n", a.force); !st) return fail(st.error());

    for (const auto& o : outputs)
        std::printf("wrote %s\n", o.c_str());
    std::printf("verdict: %s, import path: %s\n", summary.verdict.c_str(), summary.import_path.c_str());
    return kExitOk;
}

} // namespace imgprep::cli
