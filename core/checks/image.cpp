// Table 2: image file format and size (the import path).
#include "checks/common.h"

namespace imgprep {

using namespace checks_detail;

namespace {

// A differencing / overlay image: it has a backing chain (or says it is differencing, for a VHD/VHDX whose
// parent was not followed).
bool is_overlay(const ImageSummary& image) {
    return !image.backing_chain.empty() || iequals(image.subformat, "differencing");
}

bool in_list(const Json& list, const std::string& v) {
    for (const auto& s : json_strings(list))
        if (iequals(s, v)) return true;
    return false;
}

} // namespace

ImportPlan plan_import(const ImageSummary& image, const Catalogue& catalogue) {
    ImportPlan p;
    if (image.virtual_size) p.min_system_disk_gb = (*image.virtual_size + kGiB - 1) / kGiB;
    const CheckDef* size_def = catalogue.find("image.size");
    const CheckDef* format_def = catalogue.find("image.format");
    if (!size_def) return p;
    std::uint64_t direct_max = size_def->params.get("direct_max_bytes").as_uint(128 * kGiB);
    std::uint64_t fast_max = size_def->params.get("fast_max_bytes").as_uint(kTiB);
    std::string format = lower(image.format);
    bool importable = format_def && in_list(format_def->params.get("formats"), format) &&
                      !is_overlay(image) && image.files.size() <= 1;
    // The limits apply to the virtual disk (the system disk the cloud creates), as the issue and the console's
    // "image size" mean it: a sparse 200 GiB image still needs fast import. The file size is used only when the
    // virtual size is unknown (an unreadable ZVHD2).
    if (image.virtual_size) {
        p.measured_bytes = *image.virtual_size;
        p.measured = "virtual";
    } else if (image.file_size > 0) {
        p.measured_bytes = image.file_size;
        p.measured = "file";
    } else {
        return p;
    }
    bool disk_too_big = image.virtual_size && *image.virtual_size > fast_max;
    if (disk_too_big || p.measured_bytes > fast_max) {
        p.path = "unsupported";
    } else if (p.measured_bytes <= direct_max) {
        p.path = "direct";
        p.format_ready = importable;
    } else {
        p.path = "fast";
        p.format_ready = importable && in_list(size_def->params.get("fast_formats"), format);
    }
    return p;
}

namespace checks_detail {

namespace {

CheckOutcome format(const CheckContext& c) {
    const ImageSummary& im = c.image;
    std::string fmt = lower(im.format);
    CheckOutcome o;
    o.evidence.push_back("format " + (fmt.empty() ? std::string("unknown") : fmt) +
                         (im.subformat.empty() ? std::string() : " (" + im.subformat + ")") +
                         (im.path.empty() ? std::string() : ", file " + im.path));
    for (const auto& f : im.files)
        o.evidence.push_back("file of the image: " + f);
    for (const auto& b : im.backing_chain)
        o.evidence.push_back("backing file: " + b);
    auto formats = json_strings(c.param("formats"));
    std::vector<std::string> upper;
    for (const auto& f : formats) {
        std::string u = f;
        for (char& ch : u)
            ch = char(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
        upper.push_back(u);
    }
    std::string accepted = join(upper, ", ");
    bool listed = false;
    for (const auto& f : formats)
        listed = listed || iequals(f, fmt);
    if (listed) {
        if (is_overlay(im)) {
            o.status = c.not_met();
            o.message =
                "The image is a differencing/overlay image that depends on " +
                (im.backing_chain.empty() ? std::string("a parent image")
                                          : std::to_string(im.backing_chain.size()) + " backing file(s)") +
                "; the cloud receives one file, so merge the chain into one image first.";
            o.remediation.push_back("Merge the chain into one file: imgprep convert " +
                                    (im.path.empty() ? std::string("IMAGE") : im.path) +
                                    " --to qcow2 (or qemu-img convert -O qcow2 IMAGE OUT.qcow2).");
            return o;
        }
        if (im.files.size() > 1) {
            o.status = c.not_met();
            o.message = "The image consists of " + std::to_string(im.files.size()) +
                        " files (descriptor and extents); upload needs one self-contained file.";
            o.remediation.push_back("Convert it into a single file, e.g. a streamOptimized VMDK or QCOW2.");
            return o;
        }
        o.status = CheckStatus::Pass;
        o.message = "The format " + fmt + " is accepted (" + accepted + ").";
        return o;
    }
    o.status = c.not_met();
    if (fmt == "ova")
        o.message =
            "An OVA archive is not an accepted image format; its system disk must be converted to one of " +
            accepted + ".";
    else if (fmt == "iso")
        o.message =
            "An ISO file is registered as an ISO image, not as a system disk image; accepted formats are " +
            accepted + ".";
    else if (fmt.empty() || fmt == "unknown")
        o.message = "The file is not a recognized disk image; accepted formats are " + accepted + ".";
    else
        o.message = "The format " + fmt + " is not accepted; accepted formats are " + accepted + ".";
    return o;
}

CheckOutcome size(const CheckContext& c) {
    const ImageSummary& im = c.image;
    ImportPlan p = plan_import(im, c.catalogue);
    CheckOutcome o;
    if (im.file_size > 0) o.evidence.push_back("image file " + size_text(im.file_size));
    if (im.virtual_size) o.evidence.push_back("virtual disk " + size_text(*im.virtual_size));
    if (p.path == "unknown") {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: neither the file size nor the virtual disk size is known.";
        return o;
    }
    std::uint64_t direct_max = c.param("direct_max_bytes").as_uint(128 * kGiB);
    std::uint64_t fast_max = c.param("fast_max_bytes").as_uint(kTiB);
    std::string what = p.measured == "file" ? "The image file" : "The virtual disk";
    o.evidence.push_back(
        "measured: " + std::string(p.measured == "file" ? "the image file" : "the virtual disk") + ", " +
        size_text(p.measured_bytes) + "; limits: direct import " + size_text(direct_max) + ", fast import " +
        size_text(fast_max));
    if (p.path == "direct") {
        o.status = CheckStatus::Pass;
        o.message = what + " is " + amount(p.measured_bytes) + ", at most " + amount(direct_max) +
                    ": it can be imported directly.";
        return o;
    }
    if (p.path == "fast") {
        if (p.format_ready) {
            o.status = CheckStatus::Pass;
            o.message = what + " is " + amount(p.measured_bytes) + ", above " + amount(direct_max) +
                        ", and already " + lower(im.format) +
                        ": import it with fast import (Enable Fast Create)" +
                        (iequals(im.format, "raw") ? "; upload its bitmap (.mf) file beside it." : ".");
            return o;
        }
        o.status = CheckStatus::Warn;
        o.message = what + " is " + amount(p.measured_bytes) + ", above " + amount(direct_max) +
                    ": convert it to ZVHD2, or RAW (with a bitmap file), and import it with fast import.";
        o.remediation.push_back(
            "imgprep convert " + (im.path.empty() ? std::string("IMAGE") : im.path) +
            " --to zvhd2 -o IMAGE.zvhd2 (one file, laid out as the cloud's own ZVHD2 driver reads it), or "
            "--to raw "
            "--bitmap -o IMAGE.raw (RAW + its .mf bitmap file in imgprep's format, upload both).");
        return o;
    }
    o.status = c.not_met();
    bool disk = im.virtual_size && *im.virtual_size > fast_max;
    o.message = (disk ? "The virtual disk is " + amount(*im.virtual_size)
                      : what + " is " + amount(p.measured_bytes)) +
                ", above " + amount(fast_max) + ": it cannot be imported.";
    return o;
}

} // namespace

std::vector<CheckImpl> image_checks() {
    return {{"image.format", format}, {"image.size", size}};
}

} // namespace checks_detail

} // namespace imgprep
