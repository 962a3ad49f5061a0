#include "util/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace imgprep {

namespace {
const Json& null_json() {
    static const Json n;
    return n;
}
const std::string& empty_string() {
    static const std::string s;
    return s;
}
} // namespace

std::int64_t Json::as_int(std::int64_t def) const {
    if (v_.index() == 2) return std::get<2>(v_);
    if (v_.index() == 3) return std::int64_t(std::get<3>(v_));
    if (v_.index() == 4) return std::int64_t(std::get<4>(v_));
    return def;
}
std::uint64_t Json::as_uint(std::uint64_t def) const {
    if (v_.index() == 3) return std::get<3>(v_);
    if (v_.index() == 2) return std::get<2>(v_) < 0 ? def : std::uint64_t(std::get<2>(v_));
    if (v_.index() == 4) return std::get<4>(v_) < 0 ? def : std::uint64_t(std::get<4>(v_));
    return def;
}
double Json::as_double(double def) const {
    if (v_.index() == 4) return std::get<4>(v_);
    if (v_.index() == 2) return double(std::get<2>(v_));
    if (v_.index() == 3) return double(std::get<3>(v_));
    return def;
}
const std::string& Json::as_string() const { return is_string() ? std::get<5>(v_) : empty_string(); }
const Json::Array& Json::as_array() const {
    static const Array empty;
    return is_array() ? std::get<6>(v_) : empty;
}
const Json::Object& Json::as_object() const {
    static const Object empty;
    return is_object() ? std::get<7>(v_) : empty;
}
Json::Array& Json::as_array() {
    if (!is_array()) v_ = Array{};
    return std::get<6>(v_);
}
Json::Object& Json::as_object() {
    if (!is_object()) v_ = Object{};
    return std::get<7>(v_);
}

Json& Json::set(const std::string& key, Json value) {
    auto& o = as_object();
    for (auto& [k, v] : o)
        if (k == key) {
            v = std::move(value);
            return v;
        }
    o.emplace_back(key, std::move(value));
    return o.back().second;
}
const Json& Json::get(const std::string& key) const {
    for (auto& [k, v] : as_object())
        if (k == key) return v;
    return null_json();
}
bool Json::has(const std::string& key) const {
    for (auto& [k, v] : as_object())
        if (k == key) return true;
    return false;
}
const Json& Json::get_path(const std::string& dotted) const {
    const Json* cur = this;
    std::size_t start = 0;
    while (start <= dotted.size()) {
        std::size_t dot = dotted.find('.', start);
        std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        cur = &cur->get(part);
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return *cur;
}
Json& Json::push(Json value) {
    auto& a = as_array();
    a.push_back(std::move(value));
    return a.back();
}

std::string json_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size() + 2);
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out.push_back(char(c));
            }
        }
    }
    return out;
}

void Json::dump_to(std::string& out, int indent, int depth) const {
    auto nl = [&](int d) {
        if (indent <= 0) return;
        out.push_back('\n');
        out.append(std::size_t(indent * d), ' ');
    };
    switch (v_.index()) {
    case 0: out += "null"; break;
    case 1: out += std::get<1>(v_) ? "true" : "false"; break;
    case 2: out += std::to_string(std::get<2>(v_)); break;
    case 3: out += std::to_string(std::get<3>(v_)); break;
    case 4: {
        double d = std::get<4>(v_);
        if (!std::isfinite(d)) {
            out += "null";
        } else {
            // std::to_chars: the shortest round-trip form, independent of the C locale (a GUI may set a locale
            // whose decimal separator is a comma).
            char buf[64];
            auto r = std::to_chars(buf, buf + sizeof buf, d);
            out.append(buf, r.ptr);
        }
        break;
    }
    case 5: out += '"' + json_escape(std::get<5>(v_)) + '"'; break;
    case 6: {
        const auto& a = std::get<6>(v_);
        if (a.empty()) {
            out += "[]";
            break;
        }
        out.push_back('[');
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (i) out.push_back(',');
            nl(depth + 1);
            a[i].dump_to(out, indent, depth + 1);
        }
        nl(depth);
        out.push_back(']');
        break;
    }
    case 7: {
        const auto& o = std::get<7>(v_);
        if (o.empty()) {
            out += "{}";
            break;
        }
        out.push_back('{');
        for (std::size_t i = 0; i < o.size(); ++i) {
            if (i) out.push_back(',');
            nl(depth + 1);
            out += '"' + json_escape(o[i].first) + "\":";
            if (indent > 0) out.push_back(' ');
            o[i].second.dump_to(out, indent, depth + 1);
        }
        nl(depth);
        out.push_back('}');
        break;
    }
    }
}

std::string Json::dump(int indent) const {
    std::string out;
    dump_to(out, indent, 0);
    return out;
}

namespace {

class Parser {
public:
    Parser(const std::string& t, const std::string& name) : t_(t), name_(name) {}
    Result<Json> run() {
        IMGPREP_ASSIGN(Json v, value(0));
        ws();
        if (i_ != t_.size()) return err("trailing characters after the JSON value");
        return v;
    }

private:
    Error err(const std::string& m) const { return make_error(name_, i_, m); }
    void ws() {
        while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
    }
    bool lit(const char* s) {
        std::size_t n = std::char_traits<char>::length(s);
        if (t_.compare(i_, n, s) == 0) {
            i_ += n;
            return true;
        }
        return false;
    }
    Result<Json> value(int depth) {
        if (depth > 200) return err("JSON nested too deeply");
        ws();
        if (i_ >= t_.size()) return err("unexpected end of JSON");
        char c = t_[i_];
        if (c == '{') {
            ++i_;
            Json o = Json::object();
            ws();
            if (i_ < t_.size() && t_[i_] == '}') {
                ++i_;
                return o;
            }
            for (;;) {
                ws();
                if (i_ >= t_.size() || t_[i_] != '"') return err("expected a string key");
                IMGPREP_ASSIGN(std::string k, str());
                ws();
                if (i_ >= t_.size() || t_[i_] != ':') return err("expected ':'");
                ++i_;
                IMGPREP_ASSIGN(Json v, value(depth + 1));
                o.set(k, std::move(v));
                ws();
                if (i_ < t_.size() && t_[i_] == ',') {
                    ++i_;
                    continue;
                }
                if (i_ < t_.size() && t_[i_] == '}') {
                    ++i_;
                    return o;
                }
                return err("expected ',' or '}'");
            }
        }
        if (c == '[') {
            ++i_;
            Json a = Json::array();
            ws();
            if (i_ < t_.size() && t_[i_] == ']') {
                ++i_;
                return a;
            }
            for (;;) {
                IMGPREP_ASSIGN(Json v, value(depth + 1));
                a.push(std::move(v));
                ws();
                if (i_ < t_.size() && t_[i_] == ',') {
                    ++i_;
                    continue;
                }
                if (i_ < t_.size() && t_[i_] == ']') {
                    ++i_;
                    return a;
                }
                return err("expected ',' or ']'");
            }
        }
        if (c == '"') {
            IMGPREP_ASSIGN(std::string s, str());
            return Json(std::move(s));
        }
        if (lit("true")) return Json(true);
        if (lit("false")) return Json(false);
        if (lit("null")) return Json();
        return number();
    }
    static void utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out.push_back(char(cp));
        } else if (cp < 0x800) {
            out.push_back(char(0xc0 | (cp >> 6)));
            out.push_back(char(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            out.push_back(char(0xe0 | (cp >> 12)));
            out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(char(0x80 | (cp & 0x3f)));
        } else {
            out.push_back(char(0xf0 | (cp >> 18)));
            out.push_back(char(0x80 | ((cp >> 12) & 0x3f)));
            out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(char(0x80 | (cp & 0x3f)));
        }
    }
    Result<std::uint32_t> hex4() {
        if (i_ + 4 > t_.size()) return err("short \\u escape");
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            char h = t_[i_++];
            v <<= 4;
            if (h >= '0' && h <= '9') v |= std::uint32_t(h - '0');
            else if (h >= 'a' && h <= 'f') v |= std::uint32_t(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') v |= std::uint32_t(h - 'A' + 10);
            else return err("bad \\u escape");
        }
        return v;
    }
    Result<std::string> str() {
        ++i_; // opening quote
        std::string out;
        while (i_ < t_.size()) {
            char c = t_[i_++];
            if (c == '"') return out;
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (i_ >= t_.size()) break;
            char e = t_[i_++];
            switch (e) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case 'u': {
                IMGPREP_ASSIGN(std::uint32_t cp, hex4());
                if (cp >= 0xd800 && cp < 0xdc00 && i_ + 6 <= t_.size() && t_[i_] == '\\' && t_[i_ + 1] == 'u') {
                    i_ += 2;
                    IMGPREP_ASSIGN(std::uint32_t lo, hex4());
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                }
                utf8(out, cp);
                break;
            }
            default: return err("bad escape in string");
            }
        }
        return err("unterminated string");
    }
    Result<Json> number() {
        std::size_t start = i_;
        if (i_ < t_.size() && t_[i_] == '-') ++i_;
        bool is_float = false;
        while (i_ < t_.size()) {
            char c = t_[i_];
            if (c >= '0' && c <= '9') {
                ++i_;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                is_float = true;
                ++i_;
            } else {
                break;
            }
        }
        std::string s = t_.substr(start, i_ - start);
        if (s.empty() || s == "-") return err("unexpected character");
        char* end = nullptr;
        if (!is_float) {
            if (s[0] == '-') {
                long long v = std::strtoll(s.c_str(), &end, 10);
                return Json(v);
            }
            unsigned long long v = std::strtoull(s.c_str(), &end, 10);
            return Json(v);
        }
        double d = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return err("bad number");
        (void)end;
        return Json(d);
    }
    const std::string& t_;
    const std::string& name_;
    std::size_t i_ = 0;
};

} // namespace

Result<Json> Json::parse(const std::string& text, const std::string& source_name) {
    return Parser(text, source_name).run();
}

} // namespace imgprep
