// Other: initial password complexity and the tenant administrator account (both confirmed by the user; the
// password can be tested with check_password(), whose report, never the password, is passed in).
#include "checks/common.h"

namespace imgprep::checks_detail {

namespace {

CheckOutcome password_complexity(const CheckContext& c) {
    CheckOutcome o;
    if (const auto& r = c.confirmations.password) {
        if (r->ok()) {
            o.status = CheckStatus::Pass;
            o.message =
                "The password tested by the user contains uppercase and lowercase letters, digits and "
                "special characters.";
            o.evidence.push_back("password tested by the user: all four classes present (the password itself "
                                 "was not stored)");
        } else {
            std::vector<std::string> miss;
            for (auto m : r->missing)
                miss.push_back(describe(m));
            o.status = CheckStatus::Fail;
            o.message = "The password tested by the user lacks " + join(miss, ", ") + ".";
            std::vector<std::string> names;
            for (auto m : r->missing)
                names.push_back(to_string(m));
            o.evidence.push_back("password tested by the user: missing " + join(names, ", ") +
                                 " (the password itself was not stored)");
        }
        if (r->has_other_characters)
            o.evidence.push_back("the password also contains characters outside the four classes");
        return o;
    }
    o.status = CheckStatus::Manual;
    o.message =
        "Cannot be checked offline: confirm (or test with imgprep) that the image's initial password has "
        "uppercase and lowercase letters, digits and one of !@$%^-_=+[{}]:,./?";
    return o;
}

CheckOutcome tenant_admin(const CheckContext&) {
    return make_outcome(CheckStatus::Manual, "Cannot be checked offline: confirm that you have a tenant "
                                             "administrator account and password for the import.");
}

} // namespace

std::vector<CheckImpl> account_checks() {
    return {{"account.password_complexity", password_complexity}, {"account.tenant_admin", tenant_admin}};
}

} // namespace imgprep::checks_detail
