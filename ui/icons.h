// Status icons (resources/ui/*.svg), status colours and status names. The colours are mid-tones chosen to
// read on light and dark palettes alike; everything else in the wizard uses palette roles.
#pragma once

#include <QColor>
#include <QCoreApplication>
#include <QIcon>
#include <QPalette>
#include <QString>

#include <optional>

#include "checks/checks.h"

namespace imgprep::ui {

// A row's status: a final CheckStatus, or nullopt while the check is still running ("checking…").
using RowStatus = std::optional<CheckStatus>;

QIcon statusIcon(RowStatus status);
// The "checking…" icon turned by step * 30 degrees (0..11), for the spinning rows.
QIcon checkingIcon(int step);
QColor statusColor(RowStatus status);
QString statusText(RowStatus status); // "Pass", "Fail", "Warning", "Info", "Confirm", "Unknown", "Checking…"
QString levelText(const std::string& level); // "required", "advised", "optional", "manual" (translated)

// A step number in a ring, in the palette's text colours (normal and selected), for the step list.
QIcon stepIcon(int number, const QPalette& palette);

QIcon appIcon();
QIcon diskPicture();

// Colour of a verdict ("ready", "not_ready", "incomplete", "" = checking).
QColor verdictColor(const std::string& verdict);

class StatusText {
    Q_DECLARE_TR_FUNCTIONS(StatusText)
};

} // namespace imgprep::ui
