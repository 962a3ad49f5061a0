// Runs the checks of the catalogue and summarises the verdict.
#include <algorithm>
#include <exception>
#include <map>

#include "checks/common.h"
#include "checks/os_identity.h"

namespace imgprep {

using namespace checks_detail;

const char* to_string(CheckStatus s) {
    switch (s) {
    case CheckStatus::Pass:
        return "pass";
    case CheckStatus::Fail:
        return "fail";
    case CheckStatus::Warn:
        return "warn";
    case CheckStatus::Info:
        return "info";
    case CheckStatus::Manual:
        return "manual";
    case CheckStatus::Unknown:
        return "unknown";
    }
    return "unknown";
}

std::optional<CheckStatus> check_status_from_string(std::string_view s) {
    for (std::size_t i = 0; i < kCheckStatusCount; ++i)
        if (s == to_string(CheckStatus(i))) return CheckStatus(i);
    return std::nullopt;
}

namespace {

const std::vector<CheckImpl>& implementations() {
    static const std::vector<CheckImpl> all = [] {
        std::vector<CheckImpl> v;
        for (auto family : {network_checks, tools_checks, drivers_checks, os_checks, image_checks,
                            disk_checks, boot_checks, account_checks, windows_state_checks})
            for (auto& impl : family())
                v.push_back(impl);
        return v;
    }();
    return all;
}

CheckResult run_one(const CheckDef& def, CheckFn fn, const Catalogue& cat, const ImageSummary& image,
                    const ImageFacts& facts, const Confirmations& conf) {
    CheckResult r;
    r.id = def.id;
    r.table = def.table;
    r.level = def.level;
    r.title = def.title;
    r.rule = def.rule;
    r.doc = def.doc;
    CheckOutcome o;
    if (!cat.load_error.empty()) {
        o = make_outcome(CheckStatus::Unknown,
                         "Cannot tell: the requirement catalogue could not be loaded (" + cat.load_error +
                             ").");
    } else if (!fn) {
        o = make_outcome(CheckStatus::Manual,
                         "imgprep cannot check this offline: confirm it yourself. (" + def.rule + ")");
    } else {
        try {
            o = fn(CheckContext{image, facts, conf, def, cat});
        } catch (const std::exception& e) {
            o = make_outcome(CheckStatus::Unknown,
                             std::string("Cannot tell: the check stopped with an internal error (") +
                                 e.what() + ").");
        } catch (...) {
            o = make_outcome(CheckStatus::Unknown, "Cannot tell: the check stopped with an internal error.");
        }
    }
    // A manual check never passes silently: only the user's confirmation makes it pass.
    if (o.status == CheckStatus::Manual && conf.is_confirmed(def.id)) {
        o.status = CheckStatus::Pass;
        o.evidence.insert(o.evidence.begin(), "confirmed by the user");
        o.message = "Confirmed by the user: " + def.rule;
    }
    r.status = o.status;
    r.message = std::move(o.message);
    r.evidence = std::move(o.evidence);
    if (r.status != CheckStatus::Pass) {
        r.remediation = std::move(o.remediation);
        for (const auto& step : def.remediation)
            r.remediation.push_back(step);
    }
    return r;
}

} // namespace

namespace checks_detail {

std::vector<CheckResult> run_checks(const Catalogue& catalogue, const std::vector<CheckImpl>& impls,
                                    const ImageSummary& image, const ImageFacts& facts,
                                    const Confirmations& confirmations, const CheckCallback& on_result) {
    std::map<std::string, CheckFn> fns;
    for (const auto& impl : impls)
        fns[impl.id] = impl.fn;
    std::vector<CheckResult> results;
    auto emit = [&](CheckResult r) {
        results.push_back(std::move(r));
        if (on_result) on_result(results.back());
    };
    for (const auto& def : catalogue.checks) {
        auto it = fns.find(def.id);
        emit(run_one(def, it == fns.end() ? nullptr : it->second, catalogue, image, facts, confirmations));
    }
    // Implemented checks the catalogue lacks still run, as required checks of table "extra", so that a
    // catalogue mistake is visible instead of silently dropping a check.
    for (const auto& impl : impls) {
        if (catalogue.find(impl.id)) continue;
        CheckDef def;
        def.id = impl.id;
        def.table = "extra";
        def.level = "required";
        def.title = impl.id;
        def.rule = "(no catalogue entry for this check)";
        def.remediation = {"Add an entry for " + std::string(impl.id) +
                           " to resources/checks/catalogue.json."};
        emit(run_one(def, impl.fn, catalogue, image, facts, confirmations));
    }
    return results;
}

const std::vector<CheckImpl>& all_check_impls() {
    return implementations();
}

} // namespace checks_detail

std::vector<CheckResult> evaluate_checks(const Catalogue& catalogue, const ImageSummary& image,
                                         const ImageFacts& facts, const Confirmations& confirmations,
                                         const CheckCallback& on_result) {
    return run_checks(catalogue, implementations(), image, facts, confirmations, on_result);
}

Status confirm_checks(Confirmations& confirmations, const std::vector<std::string>& ids,
                      const Catalogue& catalogue) {
    for (const auto& id : ids) {
        const CheckDef* def = catalogue.find(id);
        if (!def) return make_error("--confirm", "unknown check id \"" + id + "\"");
        bool implemented = false;
        for (const auto& impl : implementations())
            implemented = implemented || id == impl.id;
        if (def->level != "manual" && implemented)
            return make_error("--confirm", "\"" + id + "\" is checked by imgprep (level " + def->level +
                                               "), it cannot be confirmed by hand");
    }
    for (const auto& id : ids)
        confirmations.confirm(id);
    return {};
}

std::vector<CheckResult> evaluate_checks(const ImageSummary& image, const ImageFacts& facts,
                                         const Confirmations& confirmations, const CheckCallback& on_result) {
    return evaluate_checks(builtin_catalogue(), image, facts, confirmations, on_result);
}

Summary summarize(const ImageSummary& image, const ImageFacts& facts, const std::vector<CheckResult>& results,
                  const Catalogue& catalogue) {
    Summary s;
    bool any_fail = false;
    for (const auto& r : results) {
        s.counts[std::size_t(r.status)]++;
        if (r.status == CheckStatus::Manual) s.pending_confirmations.push_back(r.id);
        bool blocks =
            (r.level == "required" && (r.status == CheckStatus::Fail || r.status == CheckStatus::Unknown)) ||
            (r.level == "manual" && r.status == CheckStatus::Fail);
        if (blocks) {
            s.blockers.push_back(r.id);
            any_fail = any_fail || r.status == CheckStatus::Fail;
        }
    }
    s.verdict = s.blockers.empty() ? "ready" : any_fail ? "not_ready" : "incomplete";

    ImportPlan plan = plan_import(image, catalogue);
    s.import_path = plan.path;
    s.min_system_disk_gb = plan.min_system_disk_gb;
    if (plan.min_system_disk_gb) {
        std::uint64_t lo = 40, hi = 1024;
        if (const CheckDef* d = catalogue.find("disk.system_disk_size")) {
            lo = d->params.get("console_min_gb").as_uint(lo);
            hi = d->params.get("console_max_gb").as_uint(hi);
        }
        if (*plan.min_system_disk_gb <= hi) s.console_system_disk_gb = std::max(*plan.min_system_disk_gb, lo);
    }

    if (facts.readable && facts.windows) {
        WindowsIdentity id = identify_windows(*facts.windows, catalogue.supported_os);
        std::string row = id.bits ? catalogue.supported_os.listed_as(id.product, id.edition, id.bits) : "";
        if (!row.empty())
            s.register_os = row;
        else if (!id.product.empty() && (id.bits || !id.arch.empty()))
            s.register_os = other_windows_name(catalogue.supported_os, id.bits);
    }
    if (facts.readable && facts.boot_mode == "bios")
        s.register_boot_mode = "BIOS";
    else if (facts.readable && facts.boot_mode == "uefi")
        s.register_boot_mode = "UEFI";
    return s;
}

} // namespace imgprep
