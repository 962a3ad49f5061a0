// write_pdf_report: QTextDocument (the report's HTML in Qt's rich-text subset) paginated onto QPdfWriter
// pages; each page gets a header and a footer painted around the document's page; disk maps are text objects
// drawn with QPainter from the same layout the HTML's SVG uses (report_detail::disk_maps).
#include "report_pdf.h"

#include <QAbstractTextDocumentLayout>
#include <QFile>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QPainter>
#include <QPdfWriter>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTextObjectInterface>
#include <filesystem>
#include <system_error>
#include <vector>

#include "report/report.h"

namespace imgprep {

namespace {

using report_detail::DiskMap;
using report_detail::DiskMapShape;

constexpr int kDiskMapObject = QTextFormat::UserObject + 17;
constexpr int kDiskMapIndex = QTextFormat::UserProperty + 17;

const QStringList& sans_families() {
    static const QStringList f = {"DejaVu Sans", "Segoe UI", "Helvetica Neue",
                                  "Helvetica",   "Arial",    "Liberation Sans"};
    return f;
}

QFont sans(double point_size, bool bold = false) {
    QFont f(sans_families());
    f.setStyleHint(QFont::SansSerif, QFont::PreferNoShaping); // no "fi" ligatures: text stays searchable
    f.setPointSizeF(point_size);
    f.setBold(bold);
    return f;
}

QString q(const std::string& s) {
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

// Draws a DiskMap (abstract units) into rect, keeping its aspect ratio.
void draw_disk_map(QPainter& p, const DiskMap& map, const QRectF& rect) {
    if (map.width <= 0 || map.height <= 0) return;
    const double s = rect.width() / map.width;
    const double dpi = p.device() ? p.device()->logicalDpiY() : 72.0;
    auto pt = [&](double x, double y) { return QPointF(rect.left() + x * s, rect.top() + y * s); };
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    for (const auto& sh : map.shapes) {
        switch (sh.kind) {
        case DiskMapShape::Kind::Rect: {
            QPen pen = sh.stroke.empty() ? QPen(Qt::NoPen) : QPen(QColor(q(sh.stroke)), sh.stroke_width * s);
            if (sh.dashed) pen.setStyle(Qt::DashLine);
            p.setPen(pen);
            p.setBrush(sh.fill.empty() ? QBrush(Qt::NoBrush) : QBrush(QColor(q(sh.fill))));
            p.drawRect(QRectF(pt(sh.x, sh.y), QSizeF(sh.w * s, sh.h * s)));
            break;
        }
        case DiskMapShape::Kind::Line: {
            QPen pen(QColor(q(sh.stroke.empty() ? std::string("#000000") : sh.stroke)), sh.stroke_width * s);
            p.setPen(pen);
            p.drawLine(pt(sh.x, sh.y), pt(sh.x + sh.w, sh.y + sh.h));
            break;
        }
        case DiskMapShape::Kind::Text: {
            // Units to points on this device: size * s device pixels = size * s * 72 / dpi points.
            QFont f = sans(sh.size * s * 72.0 / dpi, sh.bold);
            p.setFont(f);
            p.setPen(QColor(q(sh.fill.empty() ? std::string("#000000") : sh.fill)));
            const QString text = q(sh.text);
            const double w = QFontMetricsF(f, p.device()).horizontalAdvance(text);
            QPointF at = pt(sh.x, sh.y);
            if (sh.anchor == 1) at.rx() -= w / 2;
            if (sh.anchor == 2) at.rx() -= w;
            p.drawText(at, text);
            break;
        }
        }
    }
    p.restore();
}

class DiskMapHandler : public QObject, public QTextObjectInterface {
    Q_OBJECT
    Q_INTERFACES(QTextObjectInterface)

  public:
    explicit DiskMapHandler(std::vector<DiskMap> maps) : maps_(std::move(maps)) {}

    QSizeF intrinsicSize(QTextDocument* doc, int, const QTextFormat& format) override {
        const DiskMap* m = map(format);
        if (!m) return {1, 1};
        double width = doc->pageSize().width() > 0 ? doc->pageSize().width() : doc->textWidth();
        if (width <= 0) width = 600;
        width -= 2; // a hair narrower than the text width so that the line never wraps
        return {width, width * m->height / m->width};
    }

    void drawObject(QPainter* painter, const QRectF& rect, QTextDocument*, int,
                    const QTextFormat& format) override {
        if (const DiskMap* m = map(format)) draw_disk_map(*painter, *m, rect);
    }

  private:
    const DiskMap* map(const QTextFormat& format) const {
        const int i = format.intProperty(kDiskMapIndex);
        return i >= 0 && std::size_t(i) < maps_.size() ? &maps_[std::size_t(i)] : nullptr;
    }
    std::vector<DiskMap> maps_;
};

// Replaces each disk map placeholder (a paragraph holding a link anchor named diskmap_anchor(i)) by the disk
// map object. The whole paragraph is replaced: Qt may split the anchor text into several fragments.
void insert_disk_maps(QTextDocument& doc, std::size_t count) {
    struct Spot {
        int pos, len, index;
    };
    std::vector<Spot> spots;
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
        int found = -1;
        for (auto it = b.begin(); !it.atEnd() && found < 0; ++it) {
            const QTextFragment f = it.fragment();
            if (!f.isValid()) continue;
            for (const QString& name : f.charFormat().anchorNames())
                for (std::size_t i = 0; i < count; ++i)
                    if (name == q(report_detail::diskmap_anchor(i))) found = int(i);
        }
        if (found >= 0) spots.push_back({b.position(), std::max(0, b.length() - 1), found});
    }
    for (auto it = spots.rbegin(); it != spots.rend(); ++it) {
        QTextCursor c(&doc);
        c.setPosition(it->pos);
        c.setPosition(it->pos + it->len, QTextCursor::KeepAnchor);
        QTextCharFormat f;
        f.setObjectType(kDiskMapObject);
        f.setProperty(kDiskMapIndex, it->index);
        c.insertText(QString(QChar::ObjectReplacementCharacter), f);
    }
}

bool file_is_complete_pdf(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly) || f.size() < 64) return false;
    if (!f.read(5).startsWith("%PDF-")) return false;
    f.seek(std::max<qint64>(0, f.size() - 1024));
    return f.readAll().contains("%%EOF");
}

} // namespace

bool write_pdf_report(const imgprep::Json& report, const QString& path, QPageSize::PageSizeId size,
                      QString* error) {
    const QString part = path + ".part";
    auto fail = [&](const QString& msg) {
        if (error) *error = msg;
        QFile::remove(part);
        return false;
    };
    if (!qobject_cast<QGuiApplication*>(QCoreApplication::instance()))
        return fail(path + ": writing a PDF needs a QGuiApplication (fonts)");
    if (path.isEmpty()) return fail("no PDF file name given");
    QFile::remove(part);

    const Json& meta = report.get("report");
    const QString name = q(meta.get("image_name").as_string());
    const QString created = q(report_detail::display_time(meta.get("created").as_string()));
    const QString version = q(meta.get("tool_version").as_string());
    const QString verdict = q(report_detail::verdict_label(report.get_path("summary.verdict").as_string()));

    {
        QPdfWriter writer(part);
        writer.setPageSize(QPageSize(size));
        writer.setPageOrientation(QPageLayout::Portrait);
        writer.setResolution(300);
        writer.setPageMargins(QMarginsF(16, 11, 16, 11), QPageLayout::Millimeter);
        writer.setTitle("Image preparation report: " + name);
        writer.setCreator("imgprep " + version);

        QPainter painter;
        if (!painter.begin(&writer)) return fail(part + ": cannot write the PDF file");

        const double mm = writer.resolution() / 25.4;
        const double W = writer.width(), H = writer.height();
        const double header_h = 9 * mm, footer_h = 9 * mm;
        const QRectF body(0, header_h, W, H - header_h - footer_h);

        QTextDocument doc;
        doc.documentLayout()->setPaintDevice(&writer);
        doc.setDefaultFont(sans(9));
        QTextOption opt = doc.defaultTextOption();
        opt.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        doc.setDefaultTextOption(opt);
        doc.setDocumentMargin(0);
        const auto maps = report_detail::disk_maps(report);
        DiskMapHandler handler(maps);
        doc.documentLayout()->registerHandler(kDiskMapObject, &handler);
        doc.setPageSize(body.size());
        doc.setHtml(q(report_detail::render_html(report, report_detail::HtmlFlavor::QtRichText)));
        insert_disk_maps(doc, maps.size());
        doc.setPageSize(body.size());
        const int pages = std::max(1, doc.pageCount());

        const QColor ink("#52606d"), rule("#bcccdc");
        const QFont small = sans(7.5), small_bold = sans(7.5, true);
        for (int page = 0; page < pages; ++page) {
            if (page > 0 && !writer.newPage()) return fail(part + ": cannot add a page to the PDF file");
            // Header.
            painter.save();
            painter.setPen(ink);
            painter.setFont(small_bold);
            const QFontMetricsF fm(small_bold, &writer);
            const QRectF head(0, 0, W, header_h - 2.5 * mm);
            const QString left =
                fm.elidedText("Image preparation report · " + name, Qt::ElideMiddle, W * 0.62);
            painter.drawText(head, Qt::AlignLeft | Qt::AlignBottom, left);
            painter.setFont(small);
            painter.drawText(head, Qt::AlignRight | Qt::AlignBottom, created);
            painter.setPen(QPen(rule, 0.25 * mm));
            painter.drawLine(QPointF(0, header_h - 1.5 * mm), QPointF(W, header_h - 1.5 * mm));
            // Footer.
            const double fy = H - footer_h;
            painter.drawLine(QPointF(0, fy + 1.5 * mm), QPointF(W, fy + 1.5 * mm));
            painter.setPen(ink);
            const QRectF foot(0, fy + 2.5 * mm, W, footer_h - 2.5 * mm);
            painter.drawText(foot, Qt::AlignLeft | Qt::AlignTop,
                             "imgprep " + version + " · verdict: " + verdict);
            painter.setFont(small_bold);
            painter.drawText(foot, Qt::AlignRight | Qt::AlignTop,
                             QString("Page %1 of %2").arg(page + 1).arg(pages));
            painter.restore();

            // The document's page.
            painter.save();
            painter.translate(body.left(), body.top() - page * body.height());
            const QRectF clip(0, page * body.height(), body.width(), body.height());
            painter.setClipRect(clip);
            QAbstractTextDocumentLayout::PaintContext ctx;
            ctx.clip = clip;
            ctx.palette.setColor(QPalette::Text, QColor("#1f2933"));
            doc.documentLayout()->draw(&painter, ctx);
            painter.restore();
        }
        if (!painter.end()) return fail(part + ": cannot finish the PDF file");
    }
    if (!file_is_complete_pdf(part))
        return fail(part + ": the PDF file was not written completely (disk full?)");
    std::error_code ec;
    std::filesystem::rename(std::filesystem::path(part.toStdU16String()),
                            std::filesystem::path(path.toStdU16String()), ec);
    if (ec) return fail(path + ": cannot rename " + part + " to it: " + QString::fromStdString(ec.message()));
    return true;
}

} // namespace imgprep

#include "report_pdf.moc"
