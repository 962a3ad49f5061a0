// Table 1, Network: DHCP on every adapter; NIC multi-queue (optional).
#include "checks/common.h"
#include "checks/os_identity.h"

namespace imgprep::checks_detail {

namespace {

// The facts' evidence string as it is, plus a line with the adapter and static addresses when known.
void add_interface_evidence(std::vector<std::string>& out, const WindowsFacts& w, const InterfaceFacts& i) {
    std::string e = i.evidence;
    if (e.empty())
        e = "SYSTEM\\" + control_set(w) + "\\Services\\Tcpip\\Parameters\\Interfaces\\" + i.guid +
            "\\EnableDHCP " + (i.dhcp ? std::string("= ") + (*i.dhcp ? "1" : "0") : std::string("not set"));
    out.push_back(e);
    std::vector<std::string> extra;
    if (!i.adapter.empty()) extra.push_back("adapter: " + i.adapter);
    if (!i.addresses.empty()) extra.push_back("IPAddress: " + join(i.addresses, ", "));
    if (!extra.empty()) out.push_back(i.guid + " " + join(extra, "; "));
}

std::string interface_name(const InterfaceFacts& i) {
    return i.adapter.empty() ? "interface " + i.guid : "interface " + i.guid + " (" + i.adapter + ")";
}

CheckOutcome dhcp(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    CheckOutcome o;
    if (w.interfaces.empty()) {
        return make_outcome(
            CheckStatus::Pass,
            "No TCP/IP interface is configured in the image; the adapter the cloud adds gets "
            "DHCP, the Windows default.",
            {"no interface under SYSTEM\\" + control_set(w) + "\\Services\\Tcpip\\Parameters\\Interfaces"});
    }
    std::vector<const InterfaceFacts*> statics, with_dhcp, unset;
    for (const auto& i : w.interfaces) {
        if (!i.dhcp)
            unset.push_back(&i);
        else if (*i.dhcp)
            with_dhcp.push_back(&i);
        else
            statics.push_back(&i);
    }
    if (!statics.empty()) {
        o.status = c.not_met();
        o.message = std::to_string(statics.size()) + " of " + std::to_string(w.interfaces.size()) +
                    " network interface(s) use a static address; the ECS needs DHCP to get its address.";
        for (const auto* i : statics) {
            add_interface_evidence(o.evidence, w, *i);
            o.remediation.push_back("Switch " + interface_name(*i) +
                                    (i->addresses.empty() ? "" : " from " + join(i->addresses, ", ")) +
                                    " to 'Obtain an IP address automatically'.");
        }
        for (const auto* i : with_dhcp)
            add_interface_evidence(o.evidence, w, *i);
        return o;
    }
    if (with_dhcp.empty()) {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: no EnableDHCP value was found for any of the " +
                    std::to_string(w.interfaces.size()) + " interface(s).";
        for (const auto* i : unset)
            add_interface_evidence(o.evidence, w, *i);
        return o;
    }
    o.status = CheckStatus::Pass;
    o.message =
        "All " + std::to_string(with_dhcp.size()) + " configured interface(s) use DHCP" +
        (unset.empty() ? std::string(".") : " (" + std::to_string(unset.size()) + " without EnableDHCP).");
    for (const auto* i : with_dhcp)
        add_interface_evidence(o.evidence, w, *i);
    for (const auto* i : unset)
        add_interface_evidence(o.evidence, w, *i);
    return o;
}

CheckOutcome nic_multiqueue(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    WindowsIdentity id = identify_windows(w, c.catalogue.supported_os);
    bool listed = false;
    for (const auto& p : json_strings(c.param("windows_products")))
        listed = listed || (iequals(p, id.product) && id.bits == 64);
    CheckOutcome o;
    o.status = CheckStatus::Info;
    o.evidence = id.evidence;
    for (const auto& s : w.virtio_services)
        if (iequals(s.name, "netkvm") && s.present && !s.evidence.empty()) o.evidence.push_back(s.evidence);
    if (!w.virtio_network) {
        o.message = "NIC multi-queue needs the VirtIO network driver (netkvm), which is not installed; it is "
                    "optional and set on the registered image.";
    } else if (listed) {
        o.message =
            id.display() +
            " is listed for NIC multi-queue (private images only): it can be enabled on the registered "
            "image (hw_vif_multiqueue_enabled); Windows may start more slowly with it.";
    } else {
        o.message = (id.product.empty() ? std::string("This Windows") : id.display()) +
                    " is not listed on the NIC multi-queue page; leave multi-queue disabled on the image.";
    }
    return o;
}

} // namespace

std::vector<CheckImpl> network_checks() {
    return {{"network.dhcp", dhcp}, {"network.nic_multiqueue", nic_multiqueue}};
}

} // namespace imgprep::checks_detail
