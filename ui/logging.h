// The wizard's log: spdlog into a rotating per-user file, QStandardPaths::AppLocalDataLocation/imgprep.log.
// Qt's own messages (qWarning, ...) are routed there too. Passwords are never logged.
#pragma once

#include <QString>

#include <string>

namespace imgprep::ui::log {

// Opens the log file (creating its folder) and installs the Qt message handler. Safe to call more than once.
void init();
// Flushes and closes the log (the file stays).
void shutdown();
QString filePath();

void info(const QString& message);
void warn(const QString& message);
void error(const QString& message);
void flush();

} // namespace imgprep::ui::log
