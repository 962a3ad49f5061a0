// imgprep_render_icon IN.svg OUT.png SIZE
// Rasterises the application icon with Qt's QSvgRenderer into a SIZE x SIZE PNG with a transparent
// background. Build-time fallback for machines without rsvg-convert (e.g. Windows with vcpkg's qtsvg).
#include <QImage>
#include <QPainter>
#include <QString>
#include <QSvgRenderer>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s IN.svg OUT.png SIZE\n", argc > 0 ? argv[0] : "imgprep_render_icon");
        return 2;
    }
    char* end = nullptr;
    const long size = std::strtol(argv[3], &end, 10);
    if (end == argv[3] || *end != '\0' || size < 1 || size > 1024) {
        std::fprintf(stderr, "SIZE must be 1..1024, got '%s'\n", argv[3]);
        return 2;
    }
    QSvgRenderer svg(QString::fromLocal8Bit(argv[1]));
    if (!svg.isValid()) {
        std::fprintf(stderr, "%s: not a readable SVG file\n", argv[1]);
        return 2;
    }
    QImage image(static_cast<int>(size), static_cast<int>(size), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        svg.render(&painter, QRectF(0, 0, static_cast<qreal>(size), static_cast<qreal>(size)));
    }
    if (!image.save(QString::fromLocal8Bit(argv[2]), "PNG")) {
        std::fprintf(stderr, "%s: cannot write PNG\n", argv[2]);
        return 2;
    }
    return 0;
}
