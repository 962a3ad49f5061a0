// Table 1, Network: DHCP on every adapter; NIC multi-queue (optional).
#include "checks/common.h"
#include "checks/os_identity.h"

namespace imgprep::checks_detail {

namespace {

// The facts' evidence string as it is (what was read, and what the interface is bound to), plus a line with
// the adapter, connection and static addresses when known.
void add_interface_evidence(std::vector<std::string>& out, const WindowsFacts& w, const InterfaceFacts& i) {
    std::string e = i.evidence;
    if (e.empty())
        e = "SYSTEM\\" + control_set(w) + "\\Services\\Tcpip\\Parameters\\Interfaces\\" + i.guid +
            "\\EnableDHCP " + (i.dhcp ? std::string("= ") + (*i.dhcp ? "1" : "0") : std::string("not set"));
    out.push_back(e);
    std::vector<std::string> extra;
    if (!i.adapter.empty()) extra.push_back("adapter: " + i.adapter);
    if (!i.connection.empty()) extra.push_back("connection: " + i.connection);
    if (!i.addresses.empty()) extra.push_back("IPAddress: " + join(i.addresses, ", "));
    if (!extra.empty()) out.push_back(i.guid + " " + join(extra, "; "));
}

std::string interface_name(const InterfaceFacts& i) {
    return i.adapter.empty() ? "interface " + i.guid : "interface " + i.guid + " (" + i.adapter + ")";
}

// Why an interface with EnableDHCP = 0 does not count (see docs/checks.md).
std::string not_counted_why(const InterfaceFacts& i) {
    if (i.binding == "virtual") return "bound to a software adapter (no NCF_PHYSICAL)";
    if (i.binding == "none") return "bound to no network adapter";
    return "no address set (IPAddress empty or 0.0.0.0)";
}

// Only interfaces bound to a real adapter (network class entry with NCF_PHYSICAL) with a real static address
// fail; RAS/WAN miniports, VPN and software adapters, interfaces of removed adapters and interfaces with
// 0.0.0.0 are shown as evidence only.
CheckOutcome dhcp(const CheckContext& c) {
    if (auto u = need_windows(c)) return *u;
    const WindowsFacts& w = *c.facts.windows;
    const std::string unread = unreadable_text(w, {"network"});
    CheckOutcome o;
    std::vector<const InterfaceFacts*> statics, not_counted, with_dhcp, unset, unknown_binding;
    for (const auto& i : w.interfaces) {
        if (!i.dhcp)
            unset.push_back(&i);
        else if (*i.dhcp)
            with_dhcp.push_back(&i);
        else if (i.static_adapter())
            statics.push_back(&i);
        else if (i.binding == "unknown" && !i.addresses.empty())
            unknown_binding.push_back(&i);
        else
            not_counted.push_back(&i);
    }
    auto others = [&] {
        for (const auto* i : with_dhcp)
            add_interface_evidence(o.evidence, w, *i);
        for (const auto* i : not_counted) {
            add_interface_evidence(o.evidence, w, *i);
            o.evidence.push_back(i->guid + ": EnableDHCP = 0 does not count: " + not_counted_why(*i));
        }
    };
    if (!statics.empty()) {
        o.status = c.not_met();
        o.message = std::to_string(statics.size()) +
                    " network adapter interface(s) use a static address; the " +
                    "ECS needs DHCP to get its address.";
        for (const auto* i : statics) {
            add_interface_evidence(o.evidence, w, *i);
            o.remediation.push_back("Switch " + interface_name(*i) + " from " + join(i->addresses, ", ") +
                                    " to 'Obtain an IP address automatically'.");
        }
        others();
        if (!unread.empty()) o.evidence.push_back("could not be read: " + unread);
        return o;
    }
    if (!unread.empty() || !unknown_binding.empty()) {
        std::vector<std::string> ev;
        for (const auto* i : unknown_binding)
            add_interface_evidence(ev, w, *i);
        return cannot_read("whether a network adapter has a static address",
                           unread.empty() ? "the network adapter class key" : unread, std::move(ev));
    }
    if (w.interfaces.empty()) {
        return make_outcome(CheckStatus::Pass,
                            "No TCP/IP interface is configured in the image; the adapter the cloud adds gets "
                            "DHCP, the Windows default.",
                            {"no interface with EnableDHCP under SYSTEM\\" + control_set(w) +
                             "\\Services\\Tcpip\\Parameters\\Interfaces"});
    }
    if (with_dhcp.empty() && not_counted.empty()) {
        o.status = CheckStatus::Unknown;
        o.message = "Cannot tell: no EnableDHCP value was found for any of the " +
                    std::to_string(w.interfaces.size()) + " interface(s).";
        for (const auto* i : unset)
            add_interface_evidence(o.evidence, w, *i);
        return o;
    }
    o.status = CheckStatus::Pass;
    std::vector<std::string> notes;
    if (!not_counted.empty())
        notes.push_back(std::to_string(not_counted.size()) +
                        " with EnableDHCP = 0 are not network adapters with an address (RAS/WAN miniports, "
                        "VPN or software adapters, removed adapters) and do not count");
    if (!unset.empty()) notes.push_back(std::to_string(unset.size()) + " without EnableDHCP");
    o.message = (with_dhcp.empty() ? std::string("No network adapter has a static address")
                                   : "All " + std::to_string(with_dhcp.size()) +
                                         " configured adapter interface(s) use DHCP") +
                (notes.empty() ? std::string(".") : " (" + join(notes, "; ") + ").");
    others();
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
