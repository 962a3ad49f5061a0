#include "icons.h"

#include <QFile>
#include <QHash>
#include <QImageReader>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QTransform>

namespace imgprep::ui {

namespace {

bool svgSupported() {
    static const bool ok = QImageReader::supportedImageFormats().contains("svg");
    return ok;
}

QString iconName(RowStatus s) {
    if (!s) return QStringLiteral("checking");
    switch (*s) {
    case CheckStatus::Pass:
        return QStringLiteral("pass");
    case CheckStatus::Fail:
        return QStringLiteral("fail");
    case CheckStatus::Warn:
        return QStringLiteral("warn");
    case CheckStatus::Info:
        return QStringLiteral("info");
    case CheckStatus::Manual:
        return QStringLiteral("manual");
    case CheckStatus::Unknown:
        return QStringLiteral("unknown");
    }
    return QStringLiteral("unknown");
}

// Fallback when Qt's SVG plugin is missing: a disc in the status colour with a glyph, drawn at each size.
QPixmap paintedStatus(RowStatus s, int px, qreal dpr) {
    QPixmap pm(QSize(px, px) * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r(1, 1, px - 2, px - 2);
    if (!s) {
        p.setPen(QPen(QColor(140, 149, 159), px / 8.0));
        p.drawEllipse(r.adjusted(px / 8.0, px / 8.0, -px / 8.0, -px / 8.0));
        return pm;
    }
    p.setPen(Qt::NoPen);
    p.setBrush(statusColor(s));
    p.drawEllipse(r);
    p.setPen(Qt::white);
    QFont f = p.font();
    f.setBold(true);
    f.setPixelSize(int(px * 0.7));
    p.setFont(f);
    const char* glyph = "?";
    switch (*s) {
    case CheckStatus::Pass:
        glyph = "\u2713";
        break;
    case CheckStatus::Fail:
        glyph = "\u2715";
        break;
    case CheckStatus::Warn:
        glyph = "!";
        break;
    case CheckStatus::Info:
        glyph = "i";
        break;
    case CheckStatus::Manual:
        glyph = "\u270E";
        break;
    case CheckStatus::Unknown:
        glyph = "?";
        break;
    }
    p.drawText(r, Qt::AlignCenter, QString::fromUtf8(glyph));
    return pm;
}

QIcon makeStatusIcon(RowStatus s) {
    const QString path = QStringLiteral(":/imgprep/icons/%1.svg").arg(iconName(s));
    if (svgSupported() && QFile::exists(path)) return QIcon(path);
    QIcon icon;
    for (int px : {16, 24, 32, 48, 64})
        for (qreal dpr : {1.0, 2.0})
            icon.addPixmap(paintedStatus(s, px, dpr));
    return icon;
}

} // namespace

QIcon statusIcon(RowStatus status) {
    static QHash<int, QIcon> cache;
    const int key = status ? int(*status) : -1;
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.insert(key, makeStatusIcon(status));
    return *it;
}

QIcon checkingIcon(int step) {
    static QHash<int, QIcon> cache;
    step = ((step % 12) + 12) % 12;
    auto it = cache.find(step);
    if (it != cache.end()) return *it;
    const QIcon base = statusIcon(std::nullopt);
    QIcon turned;
    for (int px : {16, 20, 24, 32}) {
        for (qreal dpr : {1.0, 2.0}) {
            QPixmap src = base.pixmap(QSize(px, px), dpr);
            QPixmap out(src.size());
            out.setDevicePixelRatio(dpr);
            out.fill(Qt::transparent);
            QPainter p(&out);
            p.setRenderHint(QPainter::SmoothPixmapTransform);
            p.translate(px / 2.0, px / 2.0);
            p.rotate(step * 30.0);
            p.translate(-px / 2.0, -px / 2.0);
            p.drawPixmap(QPointF(0, 0), src);
            p.end();
            turned.addPixmap(out);
        }
    }
    return *cache.insert(step, turned);
}

QColor statusColor(RowStatus status) {
    if (!status) return QColor(0x6e, 0x77, 0x81);
    switch (*status) {
    case CheckStatus::Pass:
        return QColor(0x1f, 0x88, 0x3d);
    case CheckStatus::Fail:
        return QColor(0xcf, 0x22, 0x2e);
    case CheckStatus::Warn:
        return QColor(0xd4, 0x9a, 0x06);
    case CheckStatus::Info:
        return QColor(0x09, 0x69, 0xda);
    case CheckStatus::Manual:
        return QColor(0x82, 0x50, 0xdf);
    case CheckStatus::Unknown:
        return QColor(0x6e, 0x77, 0x81);
    }
    return QColor(0x6e, 0x77, 0x81);
}

QString statusText(RowStatus status) {
    if (!status) return StatusText::tr("Checking…");
    switch (*status) {
    case CheckStatus::Pass:
        return StatusText::tr("Pass");
    case CheckStatus::Fail:
        return StatusText::tr("Fail");
    case CheckStatus::Warn:
        return StatusText::tr("Warning");
    case CheckStatus::Info:
        return StatusText::tr("Info");
    case CheckStatus::Manual:
        return StatusText::tr("Confirm");
    case CheckStatus::Unknown:
        return StatusText::tr("Unknown");
    }
    return StatusText::tr("Unknown");
}

QString levelText(const std::string& level) {
    if (level == "required") return StatusText::tr("required");
    if (level == "advised") return StatusText::tr("advised");
    if (level == "optional") return StatusText::tr("optional");
    if (level == "manual") return StatusText::tr("to confirm");
    return QString::fromStdString(level);
}

QIcon stepIcon(int number, const QPalette& palette) {
    QIcon icon;
    const QString text = QString::number(number);
    for (auto mode : {QIcon::Normal, QIcon::Selected, QIcon::Disabled}) {
        QColor c = palette.color(QPalette::Active, QPalette::WindowText);
        if (mode == QIcon::Selected) c = palette.color(QPalette::Active, QPalette::HighlightedText);
        if (mode == QIcon::Disabled) c = palette.color(QPalette::Disabled, QPalette::WindowText);
        for (qreal dpr : {1.0, 2.0}) {
            const int px = 20;
            QPixmap pm(QSize(px, px) * dpr);
            pm.setDevicePixelRatio(dpr);
            pm.fill(Qt::transparent);
            QPainter p(&pm);
            p.setRenderHint(QPainter::Antialiasing);
            p.setPen(QPen(c, 1.4));
            p.drawEllipse(QRectF(1.2, 1.2, px - 2.4, px - 2.4));
            QFont f;
            f.setPixelSize(11);
            f.setBold(true);
            p.setFont(f);
            p.drawText(QRectF(0, 0, px, px), Qt::AlignCenter, text);
            p.end();
            icon.addPixmap(pm, mode);
        }
    }
    return icon;
}

QIcon appIcon() {
    static const QIcon icon = [] {
        const QString path = QStringLiteral(":/imgprep/icons/imgprep.svg");
        if (svgSupported() && QFile::exists(path)) return QIcon(path);
        return statusIcon(CheckStatus::Pass);
    }();
    return icon;
}

QIcon diskPicture() {
    static const QIcon icon = [] {
        const QString path = QStringLiteral(":/imgprep/icons/disk.svg");
        if (svgSupported() && QFile::exists(path)) return QIcon(path);
        return QIcon();
    }();
    return icon;
}

QColor verdictColor(const std::string& verdict) {
    if (verdict == "ready") return statusColor(CheckStatus::Pass);
    if (verdict == "not_ready") return statusColor(CheckStatus::Fail);
    if (verdict == "incomplete") return statusColor(CheckStatus::Warn);
    return statusColor(std::nullopt);
}

} // namespace imgprep::ui
