#include "formatting.h"

#include <QCoreApplication>
#include <QLocale>

#include <cmath>

namespace imgprep::ui {

QString qs(const std::string& s) {
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

std::string utf8(const QString& s) {
    return s.toUtf8().toStdString();
}

QString bytesText(std::uint64_t bytes) {
    return QLocale().formattedDataSize(qint64(std::min<std::uint64_t>(bytes, std::uint64_t(INT64_MAX))), 1,
                                       QLocale::DataSizeIecFormat);
}

QString bytesExact(std::uint64_t bytes) {
    return QCoreApplication::translate("imgprep::ui::Format", "%1 bytes")
        .arg(QLocale().toString(qulonglong(bytes)));
}

QString durationText(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("–");
    const auto s = static_cast<long long>(std::llround(seconds));
    const long long h = s / 3600, m = (s / 60) % 60, sec = s % 60;
    if (h > 0)
        return QStringLiteral("%1:%2:%3")
            .arg(h)
            .arg(m, 2, 10, QLatin1Char('0'))
            .arg(sec, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(m).arg(sec, 2, 10, QLatin1Char('0'));
}

QString rateText(double bytesPerSecond) {
    if (!std::isfinite(bytesPerSecond) || bytesPerSecond <= 0) return QStringLiteral("–");
    return QCoreApplication::translate("imgprep::ui::Format", "%1/s")
        .arg(bytesText(static_cast<std::uint64_t>(bytesPerSecond)));
}

QString formatLabel(const std::string& format, const std::string& subformat) {
    QString f = qs(format).toUpper();
    if (format.empty()) f = QCoreApplication::translate("imgprep::ui::Format", "unknown");
    if (!subformat.empty()) return QStringLiteral("%1 (%2)").arg(f, qs(subformat));
    return f;
}

QString htmlEscape(const std::string& s) {
    return qs(s).toHtmlEscaped();
}

} // namespace imgprep::ui
