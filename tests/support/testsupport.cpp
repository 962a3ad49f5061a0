#include "testsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

#include <algorithm>
#include <cstring>
#include <vector>

#include "util/endian.h"
#include "util/sha256.h"

namespace testsupport {

QString fixtureDir(const QString& fixture) { return QStringLiteral(IMGPREP_FIXTURE_ROOT) + "/" + fixture; }

QString sharedDir() {
    QString d = QStringLiteral(IMGPREP_SHARED_DIR);
    return QFileInfo(d + "/testdata").isDir() ? d : QString();
}

QString cliPath() { return QStringLiteral(IMGPREP_CLI); }

QList<FixtureImage> readImageList(const QString& dir) {
    QList<FixtureImage> out;
    QFile f(dir + "/images.list");
    if (!f.open(QIODevice::ReadOnly)) return out;
    while (!f.atEnd()) {
        QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (line.isEmpty()) continue;
        QStringList p = line.split('|');
        if (p.size() < 4) continue;
        out.append({p[0], p[1], dir + "/" + p[2], dir + "/" + p[3]});
    }
    return out;
}

FixtureImage findFixtureImage(const QString& name) {
    for (const auto& f : readImageList(fixtureDir("images")))
        if (f.name == name) return f;
    return {};
}

ToolResult runTool(const QString& program, const QStringList& args, int timeoutMs, const QByteArray& stdinData) {
    ToolResult r;
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        r.err = "failed to start " + program.toUtf8();
        return r;
    }
    if (!stdinData.isEmpty()) p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out: " + program.toUtf8();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QByteArray sha256OfFile(const QString& path) {
    // The core's SHA-256 (hardware accelerated where the CPU allows; checked against sha256sum in test_base).
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    imgprep::Sha256 h;
    QByteArray buf;
    while (!(buf = f.read(4 << 20)).isEmpty())
        h.update(std::span(reinterpret_cast<const std::uint8_t*>(buf.constData()), std::size_t(buf.size())));
    return QByteArray::fromStdString(h.finish_hex());
}

QString compareWithOracle(const imgprep::ImageReader& reader, const QString& oraclePath) {
    QFile oracle(oraclePath);
    if (!oracle.open(QIODevice::ReadOnly)) return "cannot open oracle " + oraclePath;
    const std::uint64_t size = reader.size();
    if (std::uint64_t(oracle.size()) != size)
        return QString("virtual size %1 differs from the oracle's %2").arg(size).arg(oracle.size());

    // 1) Large aligned reads over the whole disk.
    const std::size_t chunk = 4 << 20;
    std::vector<std::uint8_t> a(chunk), b(chunk);
    for (std::uint64_t off = 0; off < size; off += chunk) {
        std::size_t n = std::size_t(std::min<std::uint64_t>(chunk, size - off));
        auto st = reader.read_at(off, std::span(a.data(), n));
        if (!st) return "read failed: " + QString::fromStdString(st.error().describe());
        oracle.seek(qint64(off));
        if (oracle.read(reinterpret_cast<char*>(b.data()), qint64(n)) != qint64(n)) return "oracle short read";
        if (std::memcmp(a.data(), b.data(), n) != 0) {
            std::size_t i = 0;
            while (a[i] == b[i]) ++i;
            return QString("content differs at virtual offset %1 (ours 0x%2, qemu-img 0x%3)")
                .arg(off + i)
                .arg(a[i], 2, 16, QChar('0'))
                .arg(b[i], 2, 16, QChar('0'));
        }
    }
    // 2) Unaligned, odd-sized reads crossing cluster/grain/block boundaries.
    std::uint64_t seed = 12345;
    for (int k = 0; k < 300; ++k) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        std::uint64_t off = (seed >> 11) % size;
        std::size_t n = std::size_t(std::min<std::uint64_t>(1 + (seed >> 40) % 300000, size - off));
        if (k % 3 == 0) { // straddle a 64 KiB / 2 MiB boundary
            std::uint64_t boundary = ((seed >> 20) % (size >> 16)) << 16;
            off = boundary > 100 ? boundary - 100 - (seed % 400) : 0;
            n = std::size_t(std::min<std::uint64_t>(1000 + (seed % 5000), size - off));
        }
        auto st = reader.read_at(off, std::span(a.data(), n));
        if (!st) return "unaligned read failed: " + QString::fromStdString(st.error().describe());
        oracle.seek(qint64(off));
        oracle.read(reinterpret_cast<char*>(b.data()), qint64(n));
        if (std::memcmp(a.data(), b.data(), n) != 0)
            return QString("unaligned read of %1 bytes at %2 differs").arg(n).arg(off);
    }
    // 3) Allocation map: tiles the disk; no non-zero byte outside Data.
    std::uint64_t expect = 0;
    QString why;
    auto st = imgprep::for_each_extent(reader, [&](const imgprep::Extent& e) {
        if (e.offset != expect) {
            why = QString("allocation map gap at %1").arg(expect);
            return false;
        }
        expect = e.offset + e.length;
        if (e.kind == imgprep::ExtentKind::Data) return true;
        for (std::uint64_t off = e.offset; off < e.offset + e.length; off += chunk) {
            std::size_t n = std::size_t(std::min<std::uint64_t>(chunk, e.offset + e.length - off));
            oracle.seek(qint64(off));
            oracle.read(reinterpret_cast<char*>(b.data()), qint64(n));
            if (!imgprep::is_all_zero(std::span(b.data(), n))) {
                why = QString("extent [%1,+%2) is %3 but the oracle has data at %4")
                          .arg(e.offset)
                          .arg(e.length)
                          .arg(imgprep::to_string(e.kind))
                          .arg(off);
                return false;
            }
        }
        return true;
    });
    if (!st) return "allocation map failed: " + QString::fromStdString(st.error().describe());
    if (!why.isEmpty()) return why;
    if (expect != size) return QString("allocation map ends at %1, disk size %2").arg(expect).arg(size);
    return {};
}

} // namespace testsupport
