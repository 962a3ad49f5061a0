// Registry access for the Windows facts: absent vs unreadable (see registry_access.h).
#include "inspect/registry_access.h"

#include <cstdlib>

namespace imgprep::inspect_detail {

using registry::Key;
using registry::ValueType;

void Reg::warn(const std::string& w) const {
    if (warnings_.size() < 50) warnings_.push_back("registry: " + w);
    note(w);
}

void Reg::note(const std::string& why) const {
    if (!area_.empty() && !unreadable_.count(area_)) unreadable_[area_] = why;
}

std::optional<Key> Reg::key(const std::string& path) const {
    if (!hive_) {
        note(label_ + " hive could not be read (" + why_unopened_ + ")");
        return std::nullopt;
    }
    auto k = hive_->find(path);
    if (!k) {
        warn(k.error().describe());
        return std::nullopt;
    }
    return *k;
}

std::vector<Key> Reg::subkeys(const Key& k, std::size_t limit) const {
    auto s = k.subkeys();
    if (!s) {
        warn(s.error().describe());
        return {};
    }
    if (s->size() > limit) s->resize(limit);
    return *s;
}

std::vector<Key> Reg::subkeys(const std::string& path, std::size_t limit) const {
    auto k = key(path);
    return k ? subkeys(*k, limit) : std::vector<Key>{};
}

std::optional<registry::Value> Reg::value(const Key& k, const std::string& name) const {
    auto v = k.value(name);
    if (!v) {
        warn(v.error().describe());
        return std::nullopt;
    }
    return *v;
}

std::optional<std::uint32_t> Reg::dword(const Key& k, const std::string& name) const {
    auto v = value(k, name);
    if (!v) return std::nullopt;
    if (v->type() == ValueType::String || v->type() == ValueType::ExpandString) {
        auto s = v->as_string();
        if (!s) {
            warn(s.error().describe());
            return std::nullopt;
        }
        char* end = nullptr;
        unsigned long n = std::strtoul(s->c_str(), &end, 10);
        if (end == s->c_str()) {
            warn(k.path() + " " + name + " is \"" + *s + "\", not a number");
            return std::nullopt;
        }
        return std::uint32_t(n);
    }
    auto d = v->as_dword();
    if (!d) {
        warn(d.error().describe());
        return std::nullopt;
    }
    return *d;
}

std::optional<std::uint32_t> Reg::dword(const std::string& path, const std::string& name) const {
    auto k = key(path);
    return k ? dword(*k, name) : std::nullopt;
}

std::string Reg::str(const Key& k, const std::string& name) const {
    auto v = value(k, name);
    if (!v) return {};
    if (v->type() == ValueType::MultiString) {
        auto m = v->as_multi_string();
        if (!m) warn(m.error().describe());
        return m && !m->empty() ? m->front() : std::string();
    }
    if (v->type() == ValueType::Dword) {
        auto d = v->as_dword();
        if (!d) warn(d.error().describe());
        return d ? std::to_string(*d) : std::string();
    }
    auto s = v->as_string();
    if (!s) warn(s.error().describe());
    return s ? *s : std::string();
}

std::string Reg::str(const std::string& path, const std::string& name) const {
    auto k = key(path);
    return k ? str(*k, name) : std::string();
}

std::vector<std::string> Reg::multi(const Key& k, const std::string& name) const {
    auto v = value(k, name);
    if (!v) return {};
    if (v->type() == ValueType::MultiString) {
        auto m = v->as_multi_string();
        if (!m) warn(m.error().describe());
        return m ? *m : std::vector<std::string>{};
    }
    auto s = v->as_string();
    if (!s) warn(s.error().describe());
    return s && !s->empty() ? std::vector<std::string>{*s} : std::vector<std::string>{};
}

} // namespace imgprep::inspect_detail
