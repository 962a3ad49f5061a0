// Small std::expected-style result type for the Qt-free core (GCC 12 has no <expected> in C++20).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace imgprep {

// An error names the file, the byte offset in that file (or NoOffset) and what was wrong.
struct Error {
    static constexpr std::uint64_t NoOffset = ~std::uint64_t{0};
    std::string file;
    std::uint64_t offset = NoOffset;
    std::string message;

    // "file: at offset N: message" (parts omitted when unknown).
    std::string describe() const;
};

inline Error make_error(std::string file, std::uint64_t offset, std::string message) {
    return Error{std::move(file), offset, std::move(message)};
}
inline Error make_error(std::string file, std::string message) {
    return Error{std::move(file), Error::NoOffset, std::move(message)};
}

template <typename T> class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(v_); }
    Error&& take_error() { return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : err_(std::move(error)), failed_(true) {}
    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return err_; }
    Error&& take_error() { return std::move(err_); }

private:
    Error err_;
    bool failed_ = false;
};

using Status = Result<void>;

} // namespace imgprep

// Propagate an error from an expression returning Result<...>.
#define IMGPREP_TRY(expr)                                                                                    \
    do {                                                                                                     \
        auto&& imgprep_try_r_ = (expr);                                                                      \
        if (!imgprep_try_r_.ok()) return imgprep_try_r_.take_error();                                        \
    } while (0)

#define IMGPREP_CONCAT_INNER(a, b) a##b
#define IMGPREP_CONCAT(a, b) IMGPREP_CONCAT_INNER(a, b)
// IMGPREP_ASSIGN(auto x, expr): declare x from a Result's value or return its error.
#define IMGPREP_ASSIGN(decl, expr) IMGPREP_ASSIGN_IMPL(IMGPREP_CONCAT(imgprep_r_, __LINE__), decl, expr)
#define IMGPREP_ASSIGN_IMPL(tmp, decl, expr)                                                                 \
    auto tmp = (expr);                                                                                       \
    if (!tmp.ok()) return tmp.take_error();                                                                  \
    decl = std::move(tmp).value()
