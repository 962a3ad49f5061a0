// Internal to core/inspect: registry access for the Windows facts (windows.cpp, windows_network.cpp).
//
// Reg wraps one hive with its display name ("SYSTEM", "SOFTWARE") for evidence strings. Every lookup tells
// "absent" (the key or value is not there: a fact read) from "unreadable" (the hive could not be opened, a
// cell is damaged, a value has the wrong type): an unreadable lookup returns nothing like an absent one, adds
// a warning, and is recorded under the current fact area (Reg::Area) in WindowsFacts::unreadable, so that a
// check using that area says "unknown" instead of deciding on a default.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "registry/hive.h"

namespace imgprep::inspect_detail {

class Reg {
  public:
    // hive may be null (it could not be opened: why_unopened says why).
    Reg(std::shared_ptr<registry::Hive> hive, std::string label, std::string why_unopened,
        std::vector<std::string>& warnings, std::map<std::string, std::string>& unreadable)
        : hive_(std::move(hive)), label_(std::move(label)), why_unopened_(std::move(why_unopened)),
          warnings_(warnings), unreadable_(unreadable) {}
    explicit operator bool() const { return hive_ != nullptr; }
    const std::string& label() const { return label_; }

    // While an Area is alive, read failures are recorded under its name ("network", "services", ...).
    class Area {
      public:
        Area(const Reg& r, std::string name) : r_(r), saved_(std::move(r.area_)) {
            r.area_ = std::move(name);
        }
        ~Area() { r_.area_ = std::move(saved_); }
        Area(const Area&) = delete;
        Area& operator=(const Area&) = delete;

      private:
        const Reg& r_;
        std::string saved_;
    };
    Area area(std::string name) const { return Area(*this, std::move(name)); }

    // Records the current area as unreadable without a failed lookup (e.g. no control set exists).
    void mark_unreadable(const std::string& why) const { note(why); }

    std::optional<registry::Key> key(const std::string& path) const;
    // Subkeys of a key (at most limit); empty when absent or unreadable (then recorded).
    std::vector<registry::Key> subkeys(const std::string& path, std::size_t limit = 10000) const;
    std::vector<registry::Key> subkeys(const registry::Key& k, std::size_t limit = 10000) const;
    std::optional<registry::Value> value(const registry::Key& k, const std::string& name) const;
    // REG_DWORD, or a decimal REG_SZ; nullopt when absent or unreadable.
    std::optional<std::uint32_t> dword(const registry::Key& k, const std::string& name) const;
    std::optional<std::uint32_t> dword(const std::string& path, const std::string& name) const;
    // Strings ("" when absent or unreadable); a REG_MULTI_SZ gives its first string, a REG_DWORD its number.
    std::string str(const registry::Key& k, const std::string& name) const;
    std::string str(const std::string& path, const std::string& name) const;
    std::vector<std::string> multi(const registry::Key& k, const std::string& name) const;
    bool exists(const std::string& path) const { return key(path).has_value(); }
    // "SYSTEM\path" for evidence.
    std::string where(const std::string& path) const { return label_ + "\\" + path; }

  private:
    void warn(const std::string& w) const;
    void note(const std::string& why) const;
    std::shared_ptr<registry::Hive> hive_;
    std::string label_;
    std::string why_unopened_;
    std::vector<std::string>& warnings_;
    std::map<std::string, std::string>& unreadable_;
    mutable std::string area_;
};

} // namespace imgprep::inspect_detail
