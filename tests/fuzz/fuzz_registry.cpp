// libFuzzer target: a registry hive (regf): base block, hive bins, cells, nk/vk/sk, subkey lists
// (lf/lh/li/ri), value lists, big data (db), every value type's conversion, and the path lookups inspection
// makes.
#include <deque>

#include "fuzz_support.h"
#include "registry/hive.h"

using namespace imgprep;
using namespace imgprep::registry;

int imgprep::fuzz::fuzz_registry(const std::uint8_t* data, std::size_t size) {
    auto hive = Hive::open(fuzz::fuzz_source(data, size, "fuzz.hive"));
    if (!hive) return 0;
    const Hive& h = **hive;
    (void)h.find("Select");
    (void)h.find("ControlSet001\\Services\\Tcpip\\Parameters\\Interfaces");
    auto root = h.root();
    if (!root) return 0;
    std::deque<Key> keys{*root};
    std::size_t visited = 0;
    while (!keys.empty() && visited++ < 512) {
        Key k = std::move(keys.front());
        keys.pop_front();
        (void)k.subkey("Parameters");
        if (auto values = k.values()) {
            std::size_t n = 0;
            for (const Value& v : *values) {
                if (n++ >= 64) break;
                (void)v.data();
                (void)v.as_string();
                (void)v.as_multi_string();
                (void)v.as_dword();
                (void)v.as_qword();
            }
        }
        if (auto subs = k.subkeys())
            for (auto& s : *subs)
                if (keys.size() < 512) keys.push_back(std::move(s));
    }
    return 0;
}

IMGPREP_FUZZ_TARGET(imgprep::fuzz::fuzz_registry)
