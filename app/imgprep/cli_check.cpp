// imgprep inspect IMAGE [--json]
// imgprep check IMAGE [--json] [--confirm ID]... [--check-password]
// imgprep remediate IMAGE -o fix.ps1 [--force]
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "checks/checks.h"
#include "checks/password.h"
#include "cli.h"
#include "convert/manifest.h"
#include "convert/output_file.h"
#include "inspect/inspect.h"
#include "io/file_system.h"
#include "util/format.h"

#ifdef _WIN32
#include <conio.h>
#include <io.h>
#define isatty _isatty
#define fileno _fileno
#else
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#endif

namespace imgprep::cli {

namespace {

int fail(const Error& e) {
    print_error(e.describe());
    return kExitError;
}

// Reads a line from the terminal without echo. Never from an argument, never logged.
Result<std::string> read_password_from_tty(const char* prompt) {
#ifdef _WIN32
    std::fprintf(stderr, "%s", prompt);
    std::fflush(stderr);
    std::string s;
    for (int c = _getch(); c != '\r' && c != '\n' && c != EOF; c = _getch()) {
        if (c == '\b') {
            if (!s.empty()) s.pop_back();
        } else {
            s.push_back(char(c));
        }
    }
    std::fprintf(stderr, "\n");
    return s;
#else
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return make_error("/dev/tty",
                          "--check-password reads the password from a terminal, and there is none");
    termios old{};
    if (tcgetattr(fd, &old) != 0) {
        ::close(fd);
        return make_error("/dev/tty", "cannot switch off echo on the terminal");
    }
    termios quiet = old;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
    if (::write(fd, prompt, std::strlen(prompt)) < 0) {
    }
    std::string s;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r' && s.size() < 4096)
        s.push_back(c);
    tcsetattr(fd, TCSAFLUSH, &old);
    if (::write(fd, "\n", 1) < 0) {
    }
    ::close(fd);
    return s;
#endif
}

struct Styles {
    bool color;
    const char* reset() const { return color ? "\033[0m" : ""; }
    const char* of(CheckStatus s) const {
        if (!color) return "";
        switch (s) {
        case CheckStatus::Pass:
            return "\033[32m";
        case CheckStatus::Fail:
            return "\033[31;1m";
        case CheckStatus::Warn:
            return "\033[33m";
        case CheckStatus::Info:
            return "\033[36m";
        case CheckStatus::Manual:
            return "\033[35m";
        case CheckStatus::Unknown:
            return "\033[90m";
        }
        return "";
    }
    const char* bold() const { return color ? "\033[1m" : ""; }
};

const char* symbol(CheckStatus s) {
    switch (s) {
    case CheckStatus::Pass:
        return "PASS   ";
    case CheckStatus::Fail:
        return "FAIL   ";
    case CheckStatus::Warn:
        return "WARN   ";
    case CheckStatus::Info:
        return "INFO   ";
    case CheckStatus::Manual:
        return "CONFIRM";
    case CheckStatus::Unknown:
        return "UNKNOWN";
    }
    return "?";
}

void print_checks(const Inspection& in, const std::vector<CheckResult>& results, const Summary& sum) {
    Styles st{isatty(fileno(stdout)) != 0 && std::getenv("NO_COLOR") == nullptr};
    std::printf("%sImage%s  %s\n", st.bold(), st.reset(), in.image.path.c_str());
    std::printf("       %s%s, virtual %s, file %s\n", in.image.format.c_str(),
                in.image.subformat.empty() ? "" : (" " + in.image.subformat).c_str(),
                in.image.virtual_size ? human_bytes(*in.image.virtual_size).c_str() : "?",
                human_bytes(in.image.file_size).c_str());
    if (in.facts.windows)
        std::printf("       %s (build %s, %s), boot %s\n", in.facts.windows->product_name.c_str(),
                    in.facts.windows->build ? std::to_string(*in.facts.windows->build).c_str() : "?",
                    in.facts.windows->arch.empty() ? "?" : in.facts.windows->arch.c_str(),
                    in.facts.boot_mode.c_str());
    else if (in.facts.readable)
        std::printf("       not Windows: %s\n", in.facts.not_windows_reason.c_str());
    else
        std::printf("       contents not readable: %s\n", in.facts.unreadable_reason.c_str());
    static const std::pair<const char*, const char*> groups[] = {{"1", "Table 1 - initial configuration"},
                                                                 {"2", "Table 2 - image file properties"},
                                                                 {"other", "Other requirements"},
                                                                 {"extra", "Extra - from the linked guides"}};
    for (const auto& [table, heading] : groups) {
        std::printf("\n%s%s%s\n", st.bold(), heading, st.reset());
        for (const auto& r : results) {
            if (r.table != table) continue;
            std::printf("  %s%s%s  %-34s %s [%s]\n", st.of(r.status), symbol(r.status), st.reset(),
                        r.id.c_str(), r.title.c_str(), r.level.c_str());
            if (!r.message.empty()) std::printf("           %s\n", r.message.c_str());
            for (const auto& e : r.evidence)
                std::printf("           evidence: %s\n", e.c_str());
            if (r.status != CheckStatus::Pass)
                for (const auto& f : r.remediation)
                    std::printf("           fix: %s\n", f.c_str());
        }
    }
    std::printf("\n%sVerdict%s  %s\n", st.bold(), st.reset(), sum.verdict.c_str());
    std::printf("Import path: %s", sum.import_path.c_str());
    if (sum.min_system_disk_gb)
        std::printf(", minimum system disk %llu GB",
                    static_cast<unsigned long long>(*sum.min_system_disk_gb));
    std::printf("\n");
    if (!sum.blockers.empty()) {
        std::printf("Blocking:");
        for (const auto& b : sum.blockers)
            std::printf(" %s", b.c_str());
        std::printf("\n");
    }
    if (!sum.pending_confirmations.empty()) {
        std::printf("Still to confirm (--confirm ID):");
        for (const auto& p : sum.pending_confirmations)
            std::printf(" %s", p.c_str());
        std::printf("\n");
    }
}

struct CommonArgs {
    std::string path;
    bool json = false;
    std::vector<std::string> confirm;
    bool check_password = false;
    std::string output;
    bool force = false;
};

Result<CommonArgs> parse_common(const std::vector<std::string>& args, const char* cmd, bool allow_confirm,
                                bool allow_output) {
    CommonArgs a;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& s = args[i];
        if (s == "--json") {
            a.json = true;
        } else if (allow_confirm && s == "--confirm" && i + 1 < args.size()) {
            a.confirm.push_back(args[++i]);
        } else if (allow_confirm && s.rfind("--confirm=", 0) == 0) {
            a.confirm.push_back(s.substr(10));
        } else if (allow_confirm && s == "--check-password") {
            a.check_password = true;
        } else if (allow_output && (s == "-o" || s == "--output") && i + 1 < args.size()) {
            a.output = args[++i];
        } else if (allow_output && s == "--force") {
            a.force = true;
        } else if (s.size() > 1 && s[0] == '-') {
            return make_error("", std::string(cmd) + ": unknown option " + s);
        } else if (a.path.empty()) {
            a.path = s;
        } else {
            return make_error("", std::string(cmd) + ": more than one IMAGE given");
        }
    }
    if (a.path.empty()) return make_error("", std::string(cmd) + ": missing IMAGE");
    return a;
}

} // namespace

int cmd_inspect(const std::vector<std::string>& args) {
    auto a = parse_common(args, "inspect", false, false);
    if (!a) return fail(a.error());
    auto in = inspect_path(a->path);
    if (!in) return fail(in.error());
    if (a->json) {
        Json out = Json::object();
        out.set("schema", 1);
        out.set("tool", tool_section());
        out.set("image", in->image_json);
        out.set("facts", to_json(in->facts));
        Json stats = Json::object();
        stats.set("bytes_read", in->facts.bytes_read);
        stats.set("seconds", in->facts.seconds);
        out.set("stats", std::move(stats));
        std::printf("%s\n", out.dump().c_str());
    } else {
        const auto& f = in->facts;
        std::printf("%s: %s, %s partition table, boot mode %s%s\n", a->path.c_str(), in->image.format.c_str(),
                    f.partition_table.c_str(), f.boot_mode.c_str(), f.encrypted ? ", ENCRYPTED" : "");
        for (const auto& p : f.partitions)
            std::printf("  partition %d  %-28s %-10s %10s  %s%s%s%s\n", p.index, p.type_name.c_str(),
                        p.filesystem.c_str(), human_bytes(p.size).c_str(), p.label.c_str(),
                        p.is_system ? " [system]" : "", p.is_boot ? " [boot]" : "",
                        p.active ? " [active]" : "");
        if (f.windows) {
            const auto& w = *f.windows;
            std::printf("  Windows: %s (%s), build %s, %s, installation %s\n", w.product_name.c_str(),
                        w.marketing_name.c_str(), w.build ? std::to_string(*w.build).c_str() : "?",
                        w.arch.empty() ? "?" : w.arch.c_str(), w.installation_type.c_str());
            std::printf(
                "  DHCP on every interface: %s; VirtIO storage: %s (boot-ready: %s); VirtIO network: %s\n",
                w.dhcp_all ? (*w.dhcp_all ? "yes" : "no") : "no interface configured",
                w.virtio_storage ? "yes" : "no", w.virtio_storage_boot_ready ? "yes" : "no",
                w.virtio_network ? "yes" : "no");
            std::printf("  Cloudbase-Init: %s; Sysprep state: %s\n",
                        w.cloudbase_init.installed ? "installed" : "no",
                        w.sysprep_image_state.empty() ? "?" : w.sysprep_image_state.c_str());
            for (const auto& x : w.warnings)
                std::printf("  warning: %s\n", x.c_str());
        } else if (f.readable) {
            std::printf("  not Windows: %s\n", f.not_windows_reason.c_str());
        } else {
            std::printf("  not readable: %s\n", f.unreadable_reason.c_str());
        }
        for (const auto& x : f.warnings)
            std::printf("  warning: %s\n", x.c_str());
        std::printf("  read %s in %.2f s\n", human_bytes(f.bytes_read).c_str(), f.seconds);
    }
    return kExitOk;
}

int cmd_check(const std::vector<std::string>& args) {
    auto a = parse_common(args, "check", true, false);
    if (!a) return fail(a.error());
    Confirmations conf;
    if (auto st = confirm_checks(conf, a->confirm); !st) return fail(st.error());
    if (a->check_password) {
        auto pw = read_password_from_tty("Initial password of the image (not shown, not stored): ");
        if (!pw) return fail(pw.error());
        conf.password = check_password(*pw);
        std::fill(pw->begin(), pw->end(), '\0');
    }
    auto in = inspect_path(a->path);
    if (!in) return fail(in.error());
    auto results = evaluate_checks(in->image, in->facts, conf);
    auto sum = summarize(in->image, in->facts, results);
    if (a->json) {
        Json doc = check_document(in->image_json, to_json(in->facts), results, sum, tool_section());
        std::printf("%s\n", doc.dump().c_str());
    } else {
        print_checks(*in, results, sum);
    }
    return sum.verdict == "ready" ? kExitOk : kExitNotReady;
}

int cmd_remediate(const std::vector<std::string>& args) {
    auto a = parse_common(args, "remediate", false, true);
    if (!a) return fail(a.error());
    if (a->output.empty()) {
        print_error("remediate: missing -o fix.ps1");
        return kExitError;
    }
    auto in = inspect_path(a->path);
    if (!in) return fail(in.error());
    auto results = evaluate_checks(in->image, in->facts, {});
    RemediationOptions opt;
    opt.image_name = files::to_utf8(files::to_path(a->path).filename());
    std::string script = remediation_script(results, in->facts, opt);
    auto out = OutputFile::create(a->output, a->force);
    if (!out) return fail(out.error());
    if (auto st =
            out->write_at(0, std::span(reinterpret_cast<const std::uint8_t*>(script.data()), script.size()));
        !st)
        return fail(st.error());
    if (auto st = out->commit(); !st) return fail(st.error());
    std::size_t steps = 0;
    for (std::size_t pos = 0; (pos = script.find("# imgprep-step:", pos)) != std::string::npos; ++pos)
        ++steps;
    std::printf("wrote %s: %zu remediation step(s) to run inside the source VM before exporting again\n",
                a->output.c_str(), steps);
    return kExitOk;
}

} // namespace imgprep::cli
