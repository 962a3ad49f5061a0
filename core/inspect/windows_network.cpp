// TCP/IP interfaces and the network adapters behind them (see facts.h InterfaceFacts and docs/checks.md,
// network.dhcp). An interface key Services\Tcpip\Parameters\Interfaces\{GUID} is bound to the adapter whose
// class entry Control\Class\{4D36E972-E325-11CE-BFC1-08002BE10318}\NNNN has NetCfgInstanceId = {GUID}; the
// entry's Characteristics (NCF_* flags, written from the adapter's INF) says whether it is a physical adapter
// (NCF_PHYSICAL 0x4: every NIC, virtual machines' emulated and paravirtual NICs included) or a software one
// (RAS/WAN miniports, VPN and TAP adapters, loopback, virtual switch ports).
// Control\Network\{4D36E972-…}\{GUID} \Connection\Name gives the connection's name for the evidence.
#include <map>

#include "inspect/windows_detail.h"

namespace imgprep::inspect_detail {

namespace {

constexpr std::uint32_t kNcfPhysical = 0x4;
const char* const kNetClass = "{4D36E972-E325-11CE-BFC1-08002BE10318}";

struct ClassEntry {
    std::string key; // NNNN
    std::string desc;
    std::optional<std::uint32_t> characteristics;
};

} // namespace

void read_network(const Reg& sys, const std::string& ccs, WindowsFacts& w) {
    auto area = sys.area("network");
    // Adapters by NetCfgInstanceId (lower case). The class key may be absent (no adapter was ever installed).
    std::map<std::string, ClassEntry> adapters;
    const std::string netclass = ccs + "\\Control\\Class\\" + kNetClass;
    bool class_read = true;
    if (auto ck = sys.key(netclass)) {
        auto sub = ck->subkeys();
        if (!sub) {
            class_read = false;
            sys.mark_unreadable(sub.error().describe());
        } else {
            for (const auto& k : *sub) {
                if (k.name() == "Properties") continue;
                std::string id = sys.str(k, "NetCfgInstanceId");
                if (id.empty()) continue;
                adapters[lower_ascii(id)] = {k.name(), sys.str(k, "DriverDesc"),
                                             sys.dword(k, "Characteristics")};
            }
        }
    } else if (!w.unreadable_reason("network").empty()) {
        class_read = false;
    }

    const std::string ifpath = ccs + "\\Services\\Tcpip\\Parameters\\Interfaces";
    const std::string conn = ccs + "\\Control\\Network\\" + kNetClass;
    bool all_dhcp = true, any = false;
    for (const auto& k : sys.subkeys(ifpath, 512)) {
        auto dhcp = sys.dword(k, "EnableDHCP");
        if (!dhcp) continue; // tunnel / unconfigured interfaces carry no EnableDHCP
        InterfaceFacts i;
        i.guid = k.name();
        i.dhcp = *dhcp != 0;
        if (!*i.dhcp) // a static address is in use only without DHCP (IPAddress may be left over)
            for (const auto& ip : sys.multi(k, "IPAddress"))
                if (!ip.empty() && ip != "0.0.0.0") i.addresses.push_back(ip);
        std::string bound;
        auto a = adapters.find(lower_ascii(k.name()));
        if (a != adapters.end()) {
            i.adapter = a->second.desc;
            i.characteristics = a->second.characteristics;
            i.binding = !i.characteristics || (*i.characteristics & kNcfPhysical) ? "adapter" : "virtual";
            char flags[16];
            std::snprintf(flags, sizeof flags, "0x%x", i.characteristics.value_or(0));
            bound =
                "; bound to " + sys.where(netclass + "\\" + a->second.key) + " DriverDesc=\"" + i.adapter +
                "\" Characteristics " +
                (i.characteristics ? std::string("= ") + flags +
                                         (i.binding == "adapter" ? " (NCF_PHYSICAL)" : " (no NCF_PHYSICAL)")
                                   : std::string("not set"));
        } else if (class_read) {
            i.binding = "none";
            bound = "; no network adapter class entry has NetCfgInstanceId " + i.guid;
        } else {
            bound = "; the network adapter class key could not be read";
        }
        {
            auto evidence_only = sys.area(""); // the connection name is shown, never decided on
            if (auto c = sys.key(conn + "\\" + k.name() + "\\Connection")) i.connection = sys.str(*c, "Name");
        }
        std::string addr;
        if (!*i.dhcp) {
            auto raw = sys.multi(k, "IPAddress");
            addr = raw.empty() ? " IPAddress not set" : " IPAddress = " + raw.front();
            for (std::size_t n = 1; n < raw.size(); ++n)
                addr += ", " + raw[n];
        }
        i.evidence = sys.where(ifpath + "\\" + k.name()) + "\\EnableDHCP = " + std::to_string(*dhcp) +
                     (addr.empty() ? "" : ";" + addr) + bound +
                     (i.connection.empty() ? "" : "; connection \"" + i.connection + "\"");
        any = true;
        if (!*i.dhcp) all_dhcp = false;
        w.interfaces.push_back(std::move(i));
    }
    if (any) w.dhcp_all = all_dhcp;
}

} // namespace imgprep::inspect_detail
