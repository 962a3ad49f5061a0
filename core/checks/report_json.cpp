// JSON forms of check results and the summary (docs/json-schema.md, schema 1).
#include "checks/common.h"

namespace imgprep {

namespace {

Json strings(const std::vector<std::string>& v) {
    Json a = Json::array();
    for (const auto& s : v)
        a.push(s);
    return a;
}

} // namespace

Json to_json(const CheckResult& r) {
    Json j = Json::object();
    j.set("id", r.id);
    j.set("table", r.table);
    j.set("level", r.level);
    j.set("status", to_string(r.status));
    j.set("title", r.title);
    j.set("rule", r.rule);
    j.set("message", r.message);
    j.set("evidence", strings(r.evidence));
    j.set("remediation", strings(r.remediation));
    Json doc = Json::object();
    doc.set("page", r.doc.page);
    doc.set("title", r.doc.title);
    doc.set("topic", r.doc.topic);
    doc.set("section", r.doc.section);
    j.set("doc", std::move(doc));
    return j;
}

Json checks_to_json(const std::vector<CheckResult>& results) {
    Json a = Json::array();
    for (const auto& r : results)
        a.push(to_json(r));
    return a;
}

Json summary_to_json(const Summary& s) {
    Json j = Json::object();
    j.set("verdict", s.verdict);
    j.set("import_path", s.import_path);
    j.set("min_system_disk_gb", s.min_system_disk_gb ? Json(*s.min_system_disk_gb) : Json());
    j.set("console_system_disk_gb", s.console_system_disk_gb ? Json(*s.console_system_disk_gb) : Json());
    j.set("register_os", s.register_os.empty() ? Json() : Json(s.register_os));
    j.set("register_boot_mode", s.register_boot_mode.empty() ? Json() : Json(s.register_boot_mode));
    Json counts = Json::object();
    for (std::size_t i = 0; i < kCheckStatusCount; ++i)
        counts.set(to_string(CheckStatus(i)), s.counts[i]);
    j.set("counts", std::move(counts));
    j.set("pending_confirmations", strings(s.pending_confirmations));
    j.set("blockers", strings(s.blockers));
    return j;
}

Json check_document(Json image, Json facts, const std::vector<CheckResult>& results, const Summary& s,
                    Json tool) {
    Json j = Json::object();
    j.set("schema", 1);
    if (!tool.is_null()) j.set("tool", std::move(tool));
    j.set("image", std::move(image));
    j.set("facts", std::move(facts));
    j.set("checks", checks_to_json(results));
    j.set("summary", summary_to_json(s));
    return j;
}

} // namespace imgprep
