// Table 1, Tools: Cloudbase-Init (advised) and its configuration, Sysprep (optional).
#include <algorithm>
#include <map>

#include "checks/common.h"

namespace imgprep::checks_detail {

namespace {

// Compares dotted version strings numerically; nullopt when either is not purely numeric.
std::optional<int> compare_versions(const std::string& a, const std::string& b) {
    auto parts = [](const std::string& s) -> std::optional<std::vector<unsigned long>> {
        std::vector<unsigned long> out;
        std::string cur;
        for (char ch : s + ".") {
            if (ch == '.') {
                if (cur.empty() || cur.size() > 9) return std::nullopt;
                out.push_back(std::stoul(cur));
                cur.clear();
            } else if (ch >= '0' && ch <= '9') {
                cur += ch;
            } else {
                return std::nullopt;
            }
        }
        return out;
    };
    auto pa = parts(trim(a)), pb = parts(trim(b));
    if (!pa || !pb) return std::nullopt;
    for (std::size_t i = 0; i < std::max(pa->size(), pb->size()); ++i) {
        unsigned long x = i < pa->size() ? (*pa)[i] : 0, y = i < pb->size() ? (*pb)[i] : 0;
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

CheckOutcome cloudbase_init(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    const CloudbaseInitFacts& cb = w.cloudbase_init;
    CheckOutcome o;
    if (!cb.evidence.empty()) o.evidence.push_back(cb.evidence);
    if (!cb.installed) {
        // Not found: a fact only when the services and the program entries could be read.
        if (auto why = unreadable_text(w, {"services", "applications"}); !why.empty())
            return cannot_read("whether Cloudbase-Init is installed", why, o.evidence);
        o.status = c.not_met();
        o.message = "Cloudbase-Init is not installed: passwords and user data cannot be injected into ECSs, "
                    "and the password stored in the image must be used to log in.";
        if (o.evidence.empty())
            o.evidence.push_back("no cloudbase-init service under SYSTEM\\" + control_set(w) +
                                 "\\Services and no Cloudbase-Init program entry");
        return o;
    }
    if (cb.service.present && !cb.service.evidence.empty()) o.evidence.push_back(cb.service.evidence);
    if (!cb.install_path.empty())
        o.evidence.push_back("installed in " + cb.install_path +
                             (cb.install_path_assumed
                                  ? " (the installer's default folder: neither the program "
                                    "entry nor the service names one)"
                                  : ""));
    if (!cb.version.empty()) o.evidence.push_back("version " + cb.version);
    std::string recommended = c.param("recommended_version").as_string();
    if (cb.service.present && cb.service.start && *cb.service.start == 4) {
        o.status = c.not_met();
        o.message =
            "Cloudbase-Init is installed but its service is disabled (Start=4), so it will not run on "
            "the ECS.";
        o.remediation.push_back("Set the cloudbase-init service to start automatically (sc config "
                                "cloudbase-init start= auto).");
        return o;
    }
    auto cmp =
        recommended.empty() || cb.version.empty() ? std::nullopt : compare_versions(cb.version, recommended);
    if (cmp && *cmp < 0) {
        o.status = c.not_met();
        o.message = "Cloudbase-Init " + cb.version + " is installed; the page asks for " + recommended +
                    ": uninstall it and install the current version.";
        return o;
    }
    o.status = CheckStatus::Pass;
    o.message = "Cloudbase-Init" + (cb.version.empty() ? std::string() : " " + cb.version) + " is installed.";
    return o;
}

CheckOutcome sysprep(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    const std::string& st = w.sysprep_image_state;
    CheckOutcome o;
    if (!st.empty())
        o.evidence.push_back((w.sysprep_evidence.empty() ? std::string("ImageState") : w.sysprep_evidence) +
                             " = " + st);
    for (const auto& [k, v] : w.setup_state)
        o.evidence.push_back("SYSTEM\\Setup: " + k + "=" + v);
    if (st.empty()) {
        const std::string why = unreadable_text(w, {"sysprep"});
        o.status = CheckStatus::Unknown;
        o.message = why.empty() ? "Cannot tell: the Sysprep image state (ImageState) was not found in the "
                                  "registry nor in \\Windows\\Setup\\State\\State.ini."
                                : "Cannot tell: the Sysprep image state could not be read (" + why + ").";
        return o;
    }
    if (st == "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE") {
        if (!w.cloudbase_init.installed) {
            o.status = CheckStatus::Warn;
            o.message =
                "Windows was generalized by Sysprep, but Cloudbase-Init is not installed: the page runs "
                "Sysprep after installing Cloudbase-Init, with its Unattend.xml.";
            return o;
        }
        o.status = CheckStatus::Pass;
        o.message = "Windows was generalized by Sysprep (/generalize /oobe): each ECS gets its own SID.";
        return o;
    }
    if (st == "IMAGE_STATE_GENERALIZE_RESEAL_TO_AUDIT") {
        o.status = CheckStatus::Warn;
        o.message =
            "Windows was generalized into audit mode: the first boot on the cloud starts in audit mode. "
            "Use /oobe.";
        return o;
    }
    if (st == "IMAGE_STATE_UNDEPLOYABLE") {
        o.status = CheckStatus::Warn;
        o.message =
            "Windows setup or Sysprep did not finish (IMAGE_STATE_UNDEPLOYABLE): the image may not boot "
            "into a usable state.";
        return o;
    }
    o.status = c.not_met();
    if (st == "IMAGE_STATE_COMPLETE")
        o.message =
            "Windows is not generalized: every ECS keeps this installation's SID. That is fine unless the "
            "ECSs must join a domain or need unique SIDs; then run Sysprep.";
    else
        o.message = "Windows is not generalized (" + st + "); run Sysprep only if the ECSs need unique SIDs.";
    return o;
}

// Options of one file checked against the recommended settings.
void file_fixes(const std::map<std::string, std::string>& config, const std::string& file,
                const Json& settings, std::vector<ConfigFix>& out) {
    for (const auto& s : settings.as_array()) {
        std::string key = lower(s.get("key").as_string());
        if (key.empty()) continue;
        ConfigFix f{file, key, s.get("value").as_string(), "", false};
        auto it = config.find(key);
        bool ok = false;
        if (it != config.end()) {
            f.present = true;
            f.current = trim(it->second);
            if (s.has("contains"))
                ok = icontains(f.current, s.get("contains").as_string());
            else if (s.has("equals"))
                ok = iequals(f.current, trim(s.get("equals").as_string()));
            else
                ok = true;
        }
        if (!ok) out.push_back(std::move(f));
    }
}

std::string option_evidence(const std::map<std::string, std::string>& config, const std::string& file,
                            const std::string& key) {
    auto it = config.find(key);
    return file + " [DEFAULT] " + key + (it == config.end() ? " not set" : " = " + it->second);
}

CheckOutcome cloudbase_config(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const CloudbaseInitFacts& cb = c.facts.windows->cloudbase_init;
    CheckOutcome o;
    if (!cb.installed) {
        o.status = CheckStatus::Info;
        o.message =
            "Cloudbase-Init is not installed (see tools.cloudbase_init); there is no configuration to check.";
        return o;
    }
    if (!cb.config_found) {
        o.status = c.not_met();
        o.message = "Cloudbase-Init is installed but cloudbase-init.conf was not found" +
                    (cb.config_path.empty() ? std::string(".") : " at " + cb.config_path + ".");
        return o;
    }
    const Json& settings = c.param("settings");
    const Json& optional = c.param("optional_settings");
    if (!cb.config_path.empty()) o.evidence.push_back("configuration file " + cb.config_path);
    for (const auto& s : settings.as_array())
        o.evidence.push_back(
            option_evidence(cb.config, "cloudbase-init.conf", lower(s.get("key").as_string())));
    if (cb.unattend_config_found)
        for (const auto& s : settings.as_array())
            o.evidence.push_back(option_evidence(cb.unattend_config, "cloudbase-init-unattend.conf",
                                                 lower(s.get("key").as_string())));
    for (const auto& s : optional.as_array())
        o.evidence.push_back("optional: " + option_evidence(cb.config, "cloudbase-init.conf",
                                                            lower(s.get("key").as_string())));
    auto fixes = cloudbase_config_fixes(cb, c.def);
    auto plugins = cloudbase_discouraged_plugins(cb, c.def);
    if (fixes.empty() && plugins.empty()) {
        o.status = CheckStatus::Pass;
        o.message = "cloudbase-init.conf has the recommended settings.";
        return o;
    }
    std::vector<std::string> what;
    for (const auto& f : fixes) {
        what.push_back(f.key + " in " + f.file);
        o.remediation.push_back("In " + f.file + " [DEFAULT] set " + f.key + "=" + f.value +
                                (f.present ? " (now: " + f.current + ")." : " (not set now)."));
    }
    for (const auto& p : plugins) {
        what.push_back("plugin " + p);
        o.remediation.push_back("Remove " + p + " from plugins: the WinRM plugins use weak cryptography.");
    }
    o.status = c.not_met();
    o.message = "Cloudbase-Init settings differ from the page's recommendation: " + join(what, ", ") + ".";
    return o;
}

} // namespace

std::vector<ConfigFix> cloudbase_config_fixes(const CloudbaseInitFacts& cb, const CheckDef& def) {
    std::vector<ConfigFix> out;
    if (!cb.installed || !cb.config_found) return out;
    const Json& settings = def.params.get("settings");
    file_fixes(cb.config, "cloudbase-init.conf", settings, out);
    if (cb.unattend_config_found)
        file_fixes(cb.unattend_config, "cloudbase-init-unattend.conf", settings, out);
    return out;
}

std::vector<std::string> cloudbase_discouraged_plugins(const CloudbaseInitFacts& cb, const CheckDef& def) {
    std::vector<std::string> out;
    for (const auto& p : json_strings(def.params.get("discouraged_plugins"))) {
        bool found = false;
        for (const auto* cfg : {&cb.config, &cb.unattend_config}) {
            auto it = cfg->find("plugins");
            found = found || (it != cfg->end() && icontains(it->second, p));
        }
        if (found) out.push_back(p);
    }
    return out;
}

std::vector<CheckImpl> tools_checks() {
    return {{"tools.cloudbase_init", cloudbase_init},
            {"tools.sysprep", sysprep},
            {"cloudbase_init.config", cloudbase_config}};
}

} // namespace imgprep::checks_detail
