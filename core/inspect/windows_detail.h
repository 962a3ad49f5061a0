// Internal to core/inspect: the Windows facts are read by windows.cpp (hives, version, control set, drivers,
// tools, state) and windows_network.cpp (TCP/IP interfaces and the adapters behind them).
#pragma once

#include <string>

#include "inspect/facts.h"
#include "inspect/registry_access.h"

namespace imgprep::inspect_detail {

std::string lower_ascii(std::string s);
bool istarts(const std::string& s, const std::string& prefix); // ASCII case-insensitive
bool icontains(const std::string& s, const std::string& part);

// TCP/IP interfaces of control set ccs ("ControlSet001") and what each is bound to: w.interfaces,
// w.dhcp_all; read failures are recorded under the area "network".
void read_network(const Reg& sys, const std::string& ccs, WindowsFacts& w);

} // namespace imgprep::inspect_detail
