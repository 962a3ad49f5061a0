// Other: only a system disk, system disk of 1 GB to 1 TB, no encryption.
#include <algorithm>

#include "checks/common.h"

namespace imgprep::checks_detail {

namespace {

CheckOutcome single_system_disk(const CheckContext& c) {
    const ImageSummary& im = c.image;
    std::size_t n = im.disk_sizes.size();
    if (c.facts.readable && c.facts.disks > 0) n = std::max(n, std::size_t(c.facts.disks));
    if (n == 0 && im.virtual_size) n = 1;
    CheckOutcome o;
    for (std::size_t i = 0; i < im.disk_sizes.size(); ++i)
        o.evidence.push_back("disk " + std::to_string(i + 1) + ": virtual size " +
                             size_text(im.disk_sizes[i]));
    if (n == 0) {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: the number of disks in the image is not known" +
                    (im.message.empty() ? std::string(".") : " (" + im.message + ").");
        return o;
    }
    if (n == 1) {
        o.status = CheckStatus::Pass;
        o.message = "The image holds one disk.";
        if (o.evidence.empty() && im.virtual_size)
            o.evidence.push_back("one disk, virtual size " + size_text(*im.virtual_size));
        return o;
    }
    o.status = c.not_met();
    o.message =
        "The image holds " + std::to_string(n) +
        " disks; only the system disk can be imported from one image file" +
        (c.facts.readable ? " (Windows is on disk " + std::to_string(c.facts.windows_disk_index + 1) + ")"
                          : std::string()) +
        ".";
    o.remediation.push_back(
        "Convert only the system disk (imgprep convert selects the Windows disk of an OVA) "
        "and import the other disks as data disk images.");
    return o;
}

CheckOutcome system_disk_size(const CheckContext& c) {
    const ImageSummary& im = c.image;
    if (!im.virtual_size)
        return make_outcome(CheckStatus::Unknown,
                            "Cannot tell: the virtual disk size is not known" +
                                (im.message.empty() ? std::string(".") : " (" + im.message + ")."));
    std::uint64_t v = *im.virtual_size;
    std::uint64_t lo = c.param("min_bytes").as_uint(kGiB), hi = c.param("max_bytes").as_uint(kTiB);
    std::uint64_t gb = (v + kGiB - 1) / kGiB;
    std::uint64_t console_min = c.param("console_min_gb").as_uint(40);
    CheckOutcome o;
    o.evidence.push_back("system disk virtual size " + size_text(v) + "; allowed " + size_text(lo) + " to " +
                         size_text(hi));
    if (v >= lo && v <= hi) {
        o.status = CheckStatus::Pass;
        o.message = "The system disk is " + amount(v) + ", between " + amount(lo) + " and " + amount(hi) +
                    "; enter at least " + std::to_string(std::max(gb, console_min)) +
                    " GB as system disk size when registering.";
        return o;
    }
    o.status = c.not_met();
    o.message = "The system disk is " + amount(v) +
                (v < lo ? ", below " + amount(lo) : ", above " + amount(hi)) + ".";
    return o;
}

CheckOutcome not_encrypted(const CheckContext& c) {
    const ImageFacts& f = c.facts;
    std::vector<std::string> enc;
    for (const auto& p : f.partitions)
        if (p.encrypted) enc.push_back(partition_text(p) + ": encrypted");
    if (f.encrypted || !enc.empty()) {
        CheckOutcome o;
        o.status = c.not_met();
        o.evidence = enc;
        if (enc.empty())
            o.evidence.push_back("the disk is encrypted" + (f.unreadable_reason.empty()
                                                                ? std::string()
                                                                : " (" + f.unreadable_reason + ")"));
        o.message = enc.empty() ? "The image is encrypted."
                                : std::to_string(enc.size()) +
                                      " volume(s) are encrypted; ECSs created from the image "
                                      "may not work.";
        return o;
    }
    if (auto u = need_contents(c)) return *u;
    CheckOutcome o;
    if (f.partitions.empty()) {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: no partition was found to check.";
        return o;
    }
    std::vector<std::string> unread;
    for (const auto& p : f.partitions)
        if (!p.read_error.empty()) unread.push_back(partition_text(p) + ": " + p.read_error);
    if (!unread.empty()) {
        o.status = CheckStatus::Unknown;
        o.evidence = unread;
        o.message = "Cannot tell: " + std::to_string(unread.size()) + " partition(s) could not be read.";
        return o;
    }
    for (const auto& p : f.partitions)
        o.evidence.push_back(partition_text(p) + ": not encrypted");
    o.status = CheckStatus::Pass;
    o.message =
        "No BitLocker or LUKS volume on any of the " + std::to_string(f.partitions.size()) + " partition(s).";
    return o;
}

} // namespace

std::vector<CheckImpl> disk_checks() {
    return {{"disk.single_system_disk", single_system_disk},
            {"disk.system_disk_size", system_disk_size},
            {"disk.not_encrypted", not_encrypted}};
}

} // namespace imgprep::checks_detail
