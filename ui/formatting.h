// Small text helpers shared by the wizard's pages: UTF-8 conversion, sizes, durations, format names.
#pragma once

#include <QString>

#include <cstdint>
#include <string>

namespace imgprep::ui {

QString qs(const std::string& s);   // UTF-8 → QString
std::string utf8(const QString& s); // QString → UTF-8 (paths handed to the core)

QString bytesText(std::uint64_t bytes);  // "256.0 MiB" (binary units, in the user's locale)
QString bytesExact(std::uint64_t bytes); // "268,435,456 bytes"
QString durationText(double seconds);    // "0:42", "12:05", "1:02:03"
QString rateText(double bytesPerSecond); // "312.4 MiB/s"
QString formatLabel(const std::string& format, const std::string& subformat); // "VMDK (streamOptimized)"
QString htmlEscape(const std::string& s);

} // namespace imgprep::ui
