// A small JSON value (build, serialise, parse) for the Qt-free core: reports, manifests, catalogue data.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "util/result.h"

namespace imgprep {

class Json {
public:
    using Array = std::vector<Json>;
    // Object keys keep insertion order (reports read better that way).
    using Object = std::vector<std::pair<std::string, Json>>;

    Json() = default; // null
    Json(std::nullptr_t) {}
    Json(bool b) : v_(b) {}
    Json(int i) : v_(std::int64_t(i)) {}
    Json(long i) : v_(std::int64_t(i)) {}
    Json(long long i) : v_(std::int64_t(i)) {}
    Json(unsigned i) : v_(std::uint64_t(i)) {}
    Json(unsigned long i) : v_(std::uint64_t(i)) {}
    Json(unsigned long long i) : v_(std::uint64_t(i)) {}
    Json(double d) : v_(d) {}
    Json(const char* s) : v_(std::string(s)) {}
    Json(std::string s) : v_(std::move(s)) {}
    Json(Array a) : v_(std::move(a)) {}
    Json(Object o) : v_(std::move(o)) {}

    static Json array() { return Json(Array{}); }
    static Json object() { return Json(Object{}); }

    bool is_null() const { return v_.index() == 0; }
    bool is_bool() const { return v_.index() == 1; }
    bool is_int() const { return v_.index() == 2 || v_.index() == 3; }
    bool is_number() const { return is_int() || v_.index() == 4; }
    bool is_string() const { return v_.index() == 5; }
    bool is_array() const { return v_.index() == 6; }
    bool is_object() const { return v_.index() == 7; }

    bool as_bool(bool def = false) const { return is_bool() ? std::get<1>(v_) : def; }
    std::int64_t as_int(std::int64_t def = 0) const;
    std::uint64_t as_uint(std::uint64_t def = 0) const;
    double as_double(double def = 0) const;
    const std::string& as_string() const;
    const Array& as_array() const;
    const Object& as_object() const;
    Array& as_array();
    Object& as_object();

    // Object access: set replaces or appends; get returns null Json when absent.
    Json& set(const std::string& key, Json value);
    const Json& get(const std::string& key) const;
    bool has(const std::string& key) const;
    // Dotted path lookup on objects: get_path("image.format").
    const Json& get_path(const std::string& dotted) const;
    Json& push(Json value); // array append

    std::string dump(int indent = 2) const;
    static Result<Json> parse(const std::string& text, const std::string& source_name = "json");

private:
    void dump_to(std::string& out, int indent, int depth) const;
    std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, Array, Object> v_;
};

std::string json_escape(const std::string& s);

} // namespace imgprep
