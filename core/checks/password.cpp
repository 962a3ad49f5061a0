#include "checks/password.h"

namespace imgprep {

const char* to_string(PasswordClass c) {
    switch (c) {
    case PasswordClass::Uppercase:
        return "uppercase";
    case PasswordClass::Lowercase:
        return "lowercase";
    case PasswordClass::Digit:
        return "digit";
    case PasswordClass::Special:
        return "special";
    }
    return "?";
}

const char* describe(PasswordClass c) {
    switch (c) {
    case PasswordClass::Uppercase:
        return "an uppercase letter (A-Z)";
    case PasswordClass::Lowercase:
        return "a lowercase letter (a-z)";
    case PasswordClass::Digit:
        return "a digit (0-9)";
    case PasswordClass::Special:
        return "a special character (one of !@$%^-_=+[{}]:,./?)";
    }
    return "?";
}

PasswordReport check_password(std::string_view password) {
    bool upper = false, lower = false, digit = false, special = false;
    PasswordReport r;
    r.empty = password.empty();
    for (char ch : password) {
        if (ch >= 'A' && ch <= 'Z')
            upper = true;
        else if (ch >= 'a' && ch <= 'z')
            lower = true;
        else if (ch >= '0' && ch <= '9')
            digit = true;
        else if (kPasswordSpecials.find(ch) != std::string_view::npos)
            special = true;
        else
            r.has_other_characters = true;
    }
    if (!upper) r.missing.push_back(PasswordClass::Uppercase);
    if (!lower) r.missing.push_back(PasswordClass::Lowercase);
    if (!digit) r.missing.push_back(PasswordClass::Digit);
    if (!special) r.missing.push_back(PasswordClass::Special);
    return r;
}

} // namespace imgprep
