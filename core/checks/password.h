// Password complexity tester for account.password_complexity ("Preparing an Image File", Other): the initial
// password must contain uppercase letters, lowercase letters, digits and special characters
// (!@$%^-_=+[{}]:,./?). The password is only looked at: never copied, stored or logged. The report names
// classes, never characters.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace imgprep {

enum class PasswordClass : std::uint8_t { Uppercase, Lowercase, Digit, Special };

// "uppercase", "lowercase", "digit", "special"
const char* to_string(PasswordClass c);
// A phrase for messages: "an uppercase letter (A-Z)", ..., "a special character (one of !@$%^-_=+[{}]:,./?)".
const char* describe(PasswordClass c);

// The special characters the page lists.
inline constexpr std::string_view kPasswordSpecials = "!@$%^-_=+[{}]:,./?";

struct PasswordReport {
    std::vector<PasswordClass> missing; // the required classes the password lacks, in enum order
    bool has_other_characters = false;  // characters in none of the classes (space, #, &, *, non-ASCII, ...)
    bool empty = false;
    bool ok() const { return missing.empty(); }
};

// Which of the four classes the password lacks. Only ASCII A-Z / a-z / 0-9 count as letters and digits.
PasswordReport check_password(std::string_view password);

} // namespace imgprep
