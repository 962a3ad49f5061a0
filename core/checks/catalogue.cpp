#include "checks/catalogue.h"

#include <set>

#include "checks/common.h"
#include "checks/embedded_data.h"

namespace imgprep {

bool is_valid_table(std::string_view t) {
    return t == "1" || t == "2" || t == "other" || t == "extra";
}
bool is_valid_level(std::string_view l) {
    return l == "required" || l == "advised" || l == "optional" || l == "manual";
}

const OsEntry* OsList::find(std::string_view product, std::string_view edition, int bits) const {
    for (const auto& e : windows) {
        if (!checks_detail::iequals(e.product, product)) continue;
        bool bits_ok = false;
        for (int b : e.bits)
            bits_ok = bits_ok || b == bits;
        if (!bits_ok) continue;
        if (e.editions.empty()) return &e;
        for (const auto& ed : e.editions)
            if (checks_detail::iequals(ed, edition)) return &e;
    }
    return nullptr;
}

std::string OsList::listed_as(std::string_view product, std::string_view edition, int bits) const {
    const OsEntry* e = find(product, edition, bits);
    if (!e) return {};
    std::string bit_word = std::to_string(bits) + "bit";
    // Prefer the row that names this edition and bitness; the page spells some rows oddly
    // ("Windows Server 2008 WEB R2 64bit"), so match words rather than one exact pattern.
    for (const auto& row : e->listed_as) {
        bool ed_ok = edition.empty() || e->editions.empty() || checks_detail::icontains(row, edition);
        if (ed_ok && checks_detail::icontains(row, bit_word)) return row;
    }
    return e->listed_as.empty() ? std::string(product) + " " + bit_word : e->listed_as.front();
}

const CheckDef* Catalogue::find(std::string_view id) const {
    for (const auto& c : checks)
        if (c.id == id) return &c;
    return nullptr;
}

namespace {

using checks_detail::iequals;

Result<std::vector<std::string>> string_list(const Json& j, const std::string& doc,
                                             const std::string& where) {
    std::vector<std::string> out;
    if (j.is_null()) return out;
    if (!j.is_array()) return make_error(doc, where + ": expected an array of strings");
    for (const auto& v : j.as_array()) {
        if (!v.is_string()) return make_error(doc, where + ": expected an array of strings");
        out.push_back(v.as_string());
    }
    return out;
}

Result<std::string> required_string(const Json& obj, const std::string& key, const std::string& doc,
                                    const std::string& where) {
    const Json& v = obj.get(key);
    if (!v.is_string() || v.as_string().empty())
        return make_error(doc, where + ": \"" + key + "\" must be a non-empty string");
    return v.as_string();
}

Result<DocRef> page_ref(const Json& page, const std::string& doc, const std::string& where) {
    if (!page.is_object()) return make_error(doc, where + ": expected an object with page, title, topic");
    DocRef r;
    IMGPREP_ASSIGN(r.page, required_string(page, "page", doc, where));
    IMGPREP_ASSIGN(r.title, required_string(page, "title", doc, where));
    r.topic = page.get("topic").as_string();
    return r;
}

Result<OsList> parse_os_list(const std::string& text, const std::string& doc) {
    IMGPREP_ASSIGN(Json j, Json::parse(text, doc));
    if (!j.is_object()) return make_error(doc, "top level: expected an object");
    if (j.get("schema").as_int() != 1) return make_error(doc, "schema: expected 1");
    OsList list;
    list.title = j.get("title").as_string();
    const Json& src = j.get("source");
    list.source.page = src.get("page").as_string();
    list.source.topic = src.get("topic").as_string();
    list.source.section = src.get("table").as_string();
    list.source.title = list.title;
    for (const auto& [name, ids] : j.get("edition_ids").as_object()) {
        IMGPREP_ASSIGN(auto v, string_list(ids, doc, "edition_ids." + name));
        list.edition_ids[name] = std::move(v);
    }
    for (const auto& [bits, name] : j.get("other").as_object()) {
        if (bits != "32" && bits != "64") return make_error(doc, "other: keys must be \"32\" or \"64\"");
        list.other[std::stoi(bits)] = name.as_string();
    }
    const Json& win = j.get("windows");
    if (!win.is_array() || win.as_array().empty())
        return make_error(doc, "windows: expected a non-empty array");
    std::size_t i = 0;
    for (const auto& e : win.as_array()) {
        std::string where = "windows[" + std::to_string(i++) + "]";
        OsEntry entry;
        IMGPREP_ASSIGN(entry.product, required_string(e, "product", doc, where));
        IMGPREP_ASSIGN(entry.editions, string_list(e.get("editions"), doc, where + ".editions"));
        IMGPREP_ASSIGN(entry.listed_as, string_list(e.get("listed_as"), doc, where + ".listed_as"));
        if (!e.get("bits").is_array() || e.get("bits").as_array().empty())
            return make_error(doc, where + ".bits: expected a non-empty array of 32/64");
        for (const auto& b : e.get("bits").as_array()) {
            auto v = b.as_int(-1);
            if (!b.is_int() || (v != 32 && v != 64))
                return make_error(doc, where + ".bits: values must be 32 or 64");
            entry.bits.push_back(int(v));
        }
        list.windows.push_back(std::move(entry));
    }
    return list;
}

Result<std::vector<CheckDef>> parse_checks(const std::string& text, const std::string& doc) {
    IMGPREP_ASSIGN(Json j, Json::parse(text, doc));
    if (!j.is_object()) return make_error(doc, "top level: expected an object");
    if (j.get("schema").as_int() != 1) return make_error(doc, "schema: expected 1");
    const Json& pages = j.get("pages");
    const Json& checks = j.get("checks");
    if (!checks.is_array() || checks.as_array().empty())
        return make_error(doc, "checks: expected a non-empty array");
    std::vector<CheckDef> out;
    std::set<std::string> ids;
    std::size_t i = 0;
    for (const auto& c : checks.as_array()) {
        std::string where = "checks[" + std::to_string(i++) + "]";
        if (!c.is_object()) return make_error(doc, where + ": expected an object");
        CheckDef d;
        IMGPREP_ASSIGN(d.id, required_string(c, "id", doc, where));
        where += " (" + d.id + ")";
        if (!ids.insert(d.id).second) return make_error(doc, where + ": duplicate id");
        IMGPREP_ASSIGN(d.table, required_string(c, "table", doc, where));
        if (!is_valid_table(d.table)) return make_error(doc, where + ": table must be 1, 2, other or extra");
        IMGPREP_ASSIGN(d.level, required_string(c, "level", doc, where));
        if (!is_valid_level(d.level))
            return make_error(doc, where + ": level must be required, advised, optional or manual");
        d.family = c.get("family").as_string();
        IMGPREP_ASSIGN(d.title, required_string(c, "title", doc, where));
        IMGPREP_ASSIGN(d.rule, required_string(c, "rule", doc, where));
        const Json& dj = c.get("doc");
        IMGPREP_ASSIGN(std::string ref, required_string(dj, "ref", doc, where + ".doc"));
        if (!pages.has(ref)) return make_error(doc, where + ".doc.ref: no page \"" + ref + "\" in pages");
        IMGPREP_ASSIGN(d.doc, page_ref(pages.get(ref), doc, "pages." + ref));
        d.doc.section = dj.get("section").as_string();
        IMGPREP_ASSIGN(d.remediation, string_list(c.get("remediation"), doc, where + ".remediation"));
        if (d.remediation.empty())
            return make_error(doc, where + ".remediation: at least one step is needed");
        d.params = c.get("params");
        if (!d.params.is_null() && !d.params.is_object())
            return make_error(doc, where + ".params: expected an object");
        out.push_back(std::move(d));
    }
    return out;
}

} // namespace

Result<Catalogue> parse_catalogue(const std::string& catalogue_json, const std::string& supported_os_json,
                                  const std::string& uefi_os_json) {
    Catalogue cat;
    IMGPREP_ASSIGN(cat.checks, parse_checks(catalogue_json, "catalogue.json"));
    IMGPREP_ASSIGN(cat.supported_os, parse_os_list(supported_os_json, "supported_os.json"));
    IMGPREP_ASSIGN(cat.uefi_os, parse_os_list(uefi_os_json, "uefi_os.json"));
    if (cat.supported_os.edition_ids.empty())
        return make_error("supported_os.json", "edition_ids: expected the edition name -> EditionID map");
    // Both lists name editions with the same words; the map lives in supported_os.json.
    if (cat.uefi_os.edition_ids.empty()) cat.uefi_os.edition_ids = cat.supported_os.edition_ids;
    for (const auto* list : {&cat.supported_os, &cat.uefi_os})
        for (const auto& e : list->windows)
            for (const auto& ed : e.editions) {
                bool known = false;
                for (const auto& [name, ids] : cat.supported_os.edition_ids)
                    known = known || iequals(name, ed);
                if (!known)
                    return make_error(list == &cat.supported_os ? "supported_os.json" : "uefi_os.json",
                                      e.product + ": edition \"" + ed + "\" has no entry in edition_ids");
            }
    return cat;
}

const Catalogue& builtin_catalogue() {
    static const Catalogue cat = [] {
        try {
            auto r = parse_catalogue(checks_data::catalogue_json(), checks_data::supported_os_json(),
                                     checks_data::uefi_os_json());
            if (r) return std::move(r).value();
            Catalogue broken;
            broken.load_error = r.error().describe();
            return broken;
        } catch (const std::exception& e) {
            Catalogue broken;
            broken.load_error = std::string("requirement catalogue: ") + e.what();
            return broken;
        }
    }();
    return cat;
}

} // namespace imgprep
