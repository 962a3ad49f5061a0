#include "widgets.h"

#include <QAbstractTextDocumentLayout>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEvent>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFontInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QResizeEvent>
#include <QStyle>
#include <QTextDocument>
#include <QUrl>
#include <QVBoxLayout>
#include <cmath>

#include "formatting.h"
#include "icons.h"

namespace imgprep::ui {

QColor tint(const QColor& base, const QColor& status, qreal amount) {
    const qreal a = std::clamp(amount, 0.0, 1.0);
    return QColor::fromRgbF(float(base.redF() * (1 - a) + status.redF() * a),
                            float(base.greenF() * (1 - a) + status.greenF() * a),
                            float(base.blueF() * (1 - a) + status.blueF() * a));
}

QFont monospaceFont() {
    const QFont ui = QGuiApplication::font();
    auto sized = [&](QFont f) {
        if (ui.pointSizeF() > 0) f.setPointSizeF(ui.pointSizeF());
        return f;
    };
    const QFont system = sized(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    if (QFontInfo(system).fixedPitch()) return system;
    static const char* const families[] = {"monospace",       "DejaVu Sans Mono", "Liberation Mono",
                                           "Noto Sans Mono",  "Noto Mono",        "Ubuntu Mono",
                                           "Cascadia Mono",   "Consolas",         "Menlo",
                                           "Source Code Pro", "Courier New",      "Courier"};
    for (const char* family : families) {
        QFont f = sized(QFont(QString::fromLatin1(family)));
        f.setStyleHint(QFont::TypeWriter, QFont::PreferMatch);
        f.setFixedPitch(true);
        if (QFontInfo(f).fixedPitch()) return f;
    }
    // Nothing fixed-pitch is installed: ask by style hint and let the font engine pick its best match.
    QFont f = sized(QFont());
    f.setStyleHint(QFont::TypeWriter, QFont::PreferMatch);
    f.setFixedPitch(true);
    return f;
}

namespace {
bool isDark(const QPalette& p) {
    return p.color(QPalette::Window).lightnessF() < 0.5;
}
} // namespace

// ---- WizardPage ----------------------------------------------------------------------------------------

WizardPage::WizardPage(const QString& title, const QString& subtitle, QWidget* parent)
    : QWidget(parent), title_(title), subtitle_(subtitle), body_(new QVBoxLayout(this)) {
    body_->setContentsMargins(0, 0, 0, 0);
    setAccessibleName(title);
}

// ---- Banner --------------------------------------------------------------------------------------------

Banner::Banner(QWidget* parent)
    : QFrame(parent), icon_(new QLabel(this)), headline_(new QLabel(this)), detail_(new QLabel(this)) {
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(16, 10, 12, 10);
    lay->setSpacing(12);
    icon_->setFixedSize(32, 32);
    icon_->setAlignment(Qt::AlignCenter);
    lay->addWidget(icon_, 0, Qt::AlignTop);
    auto* text = new QVBoxLayout;
    text->setSpacing(2);
    QFont f = headline_->font();
    f.setPointSizeF(f.pointSizeF() * 1.25);
    f.setBold(true);
    headline_->setFont(f);
    headline_->setWordWrap(true);
    headline_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    detail_->setWordWrap(true);
    detail_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text->addWidget(headline_);
    text->addWidget(detail_);
    lay->addLayout(text, 1);
    setFocusPolicy(Qt::NoFocus);
}

void Banner::set(const QColor& color, const QIcon& icon, const QString& headline, const QString& detail) {
    color_ = color;
    iconSource_ = icon;
    icon_->setPixmap(icon.pixmap(QSize(32, 32), devicePixelRatioF()));
    headline_->setText(headline);
    detail_->setText(detail);
    detail_->setVisible(!detail.isEmpty());
    setAccessibleName(headline);
    setAccessibleDescription(detail);
    update();
}

QString Banner::headline() const {
    return headline_->text();
}
QString Banner::detail() const {
    return detail_->text();
}

void Banner::changeEvent(QEvent* e) {
    QFrame::changeEvent(e);
    if (e->type() == QEvent::PaletteChange || e->type() == QEvent::StyleChange) update();
}

void Banner::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    const QColor base = palette().color(QPalette::Base);
    QPainterPath path;
    path.addRoundedRect(r, 6, 6);
    p.fillPath(path, tint(base, color_, isDark(palette()) ? 0.28 : 0.14));
    p.setPen(QPen(tint(base, color_, 0.55), 1));
    p.drawPath(path);
    QPainterPath strip;
    strip.addRoundedRect(QRectF(r.left(), r.top(), 6, r.height()), 3, 3);
    p.fillPath(strip, color_);
}

// ---- VerdictBanner -------------------------------------------------------------------------------------

VerdictBanner::VerdictBanner(QWidget* parent) : Banner(parent) {
    showEmpty();
}

void VerdictBanner::showEmpty() {
    verdict_.clear();
    set(statusColor(CheckStatus::Unknown), statusIcon(CheckStatus::Unknown), tr("No image checked yet"),
        tr("Choose an image on the first page."));
}

void VerdictBanner::showChecking(int percent) {
    verdict_ = QStringLiteral("checking");
    set(statusColor(std::nullopt), statusIcon(std::nullopt), tr("Checking the image…"),
        percent < 100 ? tr("Reading partitions, file systems and the Windows registry (%1 %).").arg(percent)
                      : tr("Evaluating the requirements."));
}

void VerdictBanner::showError(const QString& message) {
    verdict_ = QStringLiteral("error");
    set(statusColor(CheckStatus::Fail), statusIcon(CheckStatus::Fail), tr("The image could not be checked"),
        message);
}

QString VerdictBanner::importPathText(const Summary& s) {
    if (s.import_path == "direct") return tr("direct import (image file up to 128 GiB)");
    if (s.import_path == "fast") return tr("fast import (RAW or ZVHD2 file, 128 GiB to 1 TiB)");
    if (s.import_path == "unsupported") return tr("none — the image is larger than 1 TiB");
    return tr("unknown (the size is not known)");
}

QString VerdictBanner::systemDiskText(const Summary& s) {
    const auto gb = s.console_system_disk_gb ? s.console_system_disk_gb : s.min_system_disk_gb;
    return gb ? tr("at least %1 GB").arg(*gb) : QString();
}

QString VerdictBanner::verdictHeadline(const Summary& s) {
    const int blockers = int(s.blockers.size());
    if (s.verdict == "ready") return tr("Ready for import");
    if (s.verdict == "incomplete")
        return tr("Incomplete: %n check(s) could not be decided", nullptr, blockers);
    return tr("Not ready for import: %n blocking problem(s)", nullptr, blockers);
}

void VerdictBanner::showSummary(const Summary& s) {
    verdict_ = qs(s.verdict);
    QStringList lines;
    QString path = tr("Import path: %1").arg(importPathText(s));
    if (!systemDiskText(s).isEmpty())
        path += QStringLiteral(" · ") + tr("system disk %1").arg(systemDiskText(s));
    lines << path;
    if (!s.register_os.empty() || !s.register_boot_mode.empty()) {
        lines << tr("Register as: %1, boot mode %2")
                     .arg(s.register_os.empty() ? tr("(OS not recognised)") : qs(s.register_os),
                          s.register_boot_mode.empty() ? tr("unknown") : qs(s.register_boot_mode));
    }
    if (!s.pending_confirmations.empty())
        lines << tr("%n item(s) still to confirm by you.", nullptr, int(s.pending_confirmations.size()));
    const QColor c = verdictColor(s.verdict);
    const QIcon icon = s.verdict == "ready"       ? statusIcon(CheckStatus::Pass)
                       : s.verdict == "not_ready" ? statusIcon(CheckStatus::Fail)
                                                  : statusIcon(CheckStatus::Warn);
    set(c, icon, verdictHeadline(s), lines.join(QLatin1Char('\n')));
}

// ---- InlineMessage -------------------------------------------------------------------------------------

InlineMessage::InlineMessage(QWidget* parent)
    : QFrame(parent), icon_(new QLabel(this)), label_(new QLabel(this)) {
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(12, 8, 12, 8);
    lay->setSpacing(10);
    icon_->setFixedSize(20, 20);
    lay->addWidget(icon_, 0, Qt::AlignTop);
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label_->setTextFormat(Qt::PlainText);
    lay->addWidget(label_, 1);
    setAccessibleName(tr("Message"));
    QFrame::hide();
}

void InlineMessage::showMessage(Kind kind, const QString& text) {
    kind_ = kind;
    RowStatus s = CheckStatus::Info;
    if (kind == Kind::Error) s = CheckStatus::Fail;
    if (kind == Kind::Warning) s = CheckStatus::Warn;
    if (kind == Kind::Success) s = CheckStatus::Pass;
    icon_->setPixmap(statusIcon(s).pixmap(QSize(20, 20), devicePixelRatioF()));
    label_->setText(text);
    setAccessibleDescription(text);
    QFrame::show();
    update();
}

void InlineMessage::clear() {
    label_->clear();
    QFrame::hide();
}

QString InlineMessage::text() const {
    return isHidden() ? QString() : label_->text();
}

void InlineMessage::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    RowStatus s = CheckStatus::Info;
    if (kind_ == Kind::Error) s = CheckStatus::Fail;
    if (kind_ == Kind::Warning) s = CheckStatus::Warn;
    if (kind_ == Kind::Success) s = CheckStatus::Pass;
    const QColor base = palette().color(QPalette::Base);
    const QColor c = statusColor(s);
    QPainterPath path;
    path.addRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
    p.fillPath(path, tint(base, c, isDark(palette()) ? 0.25 : 0.12));
    p.setPen(QPen(tint(base, c, 0.6), 1));
    p.drawPath(path);
}

// ---- DropArea ------------------------------------------------------------------------------------------

DropArea::DropArea(QWidget* parent) : QFrame(parent), choose_(new QPushButton(tr("&Choose image…"), this)) {
    setAcceptDrops(true);
    setMinimumHeight(150);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(24, 18, 24, 18);
    lay->setSpacing(6);
    auto* pic = new QLabel(this);
    pic->setAlignment(Qt::AlignCenter);
    pic->setPixmap(diskPicture().pixmap(QSize(56, 56), devicePixelRatioF()));
    auto* title = new QLabel(tr("Drop a disk image here"), this);
    QFont f = title->font();
    f.setPointSizeF(f.pointSizeF() * 1.2);
    f.setBold(true);
    title->setFont(f);
    title->setAlignment(Qt::AlignCenter);
    auto* formats =
        new QLabel(tr("VMDK, VHD, VHDX, QCOW2, QCOW, QED, VDI, RAW/IMG, ZVHD, ZVHD2 or an OVA"), this);
    formats->setAlignment(Qt::AlignCenter);
    formats->setWordWrap(true);
    formats->setForegroundRole(QPalette::PlaceholderText);
    choose_->setAccessibleName(tr("Choose an image file"));
    choose_->setDefault(false);
    choose_->setAutoDefault(false);
    lay->addStretch();
    lay->addWidget(pic);
    lay->addWidget(title);
    lay->addWidget(formats);
    auto* row = new QHBoxLayout;
    row->addStretch();
    row->addWidget(choose_);
    row->addStretch();
    lay->addSpacing(6);
    lay->addLayout(row);
    lay->addStretch();
    setAccessibleName(tr("Drop area for a disk image"));
    connect(choose_, &QPushButton::clicked, this, &DropArea::chooseRequested);
}

namespace {
QString localFileOf(const QMimeData* m) {
    if (!m || !m->hasUrls()) return {};
    const auto urls = m->urls();
    if (urls.size() != 1 || !urls.first().isLocalFile()) return {};
    return urls.first().toLocalFile();
}
} // namespace

void DropArea::dragEnterEvent(QDragEnterEvent* e) {
    if (!localFileOf(e->mimeData()).isEmpty()) {
        e->acceptProposedAction();
        hover_ = true;
        update();
    }
}

void DropArea::dragLeaveEvent(QDragLeaveEvent*) {
    hover_ = false;
    update();
}

void DropArea::dropEvent(QDropEvent* e) {
    hover_ = false;
    update();
    const QString f = localFileOf(e->mimeData());
    if (f.isEmpty()) return;
    e->acceptProposedAction();
    emit fileDropped(f);
}

void DropArea::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = palette();
    const QRectF r = QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5);
    QPainterPath path;
    path.addRoundedRect(r, 10, 10);
    const QColor base = pal.color(QPalette::Base);
    p.fillPath(path, hover_ ? tint(base, pal.color(QPalette::Highlight), 0.15) : base);
    QPen pen(hover_ ? pal.color(QPalette::Highlight) : pal.color(QPalette::Mid), hover_ ? 2.5 : 1.5);
    pen.setStyle(Qt::DashLine);
    p.setPen(pen);
    p.drawPath(path);
}

// ---- TextBlock -----------------------------------------------------------------------------------------

TextBlock::TextBlock(QWidget* parent) : QTextBrowser(parent) {
    setFrameShape(QFrame::NoFrame);
    setReadOnly(true);
    setOpenLinks(false);
    setTabChangesFocus(true);
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    viewport()->setAutoFillBackground(false);
    setAutoFillBackground(false);
    document()->setDocumentMargin(0);
    connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
            &TextBlock::updateHeight);
}

QSize TextBlock::sizeHint() const {
    return {200, height()};
}
QSize TextBlock::minimumSizeHint() const {
    return {60, height()};
}

void TextBlock::resizeEvent(QResizeEvent* e) {
    QTextBrowser::resizeEvent(e);
    if (e->size().width() != e->oldSize().width()) updateHeight();
}

void TextBlock::updateHeight() {
    document()->setTextWidth(viewport()->width());
    const int h = int(std::ceil(document()->size().height())) + 2;
    if (h != height()) setFixedHeight(h);
}

// ---- Expander ------------------------------------------------------------------------------------------

Expander::Expander(const QString& title, QWidget* content, QWidget* parent)
    : QWidget(parent), button_(new QToolButton(this)), content_(content) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->setSpacing(4);
    button_->setText(title);
    button_->setCheckable(true);
    button_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button_->setArrowType(Qt::RightArrow);
    button_->setAutoRaise(true);
    button_->setFocusPolicy(Qt::StrongFocus);
    button_->setAccessibleName(title);
    QFont f = button_->font();
    f.setBold(true);
    button_->setFont(f);
    lay->addWidget(button_, 0, Qt::AlignLeft);
    content_->setParent(this);
    lay->addWidget(content_);
    content_->setVisible(false);
    connect(button_, &QToolButton::toggled, this, [this](bool on) {
        button_->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
        content_->setVisible(on);
        emit toggled(on);
    });
}

void Expander::setExpanded(bool on) {
    button_->setChecked(on);
}
bool Expander::isExpanded() const {
    return button_->isChecked();
}

} // namespace imgprep::ui
