// Helpers shared by the Qt Test suites: fixture paths, running real tools, oracle comparison.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include "image/image_reader.h"

namespace testsupport {

// Directory of a built ctest fixture (tests/fixtures/<script> output), e.g. fixtureDir("images").
QString fixtureDir(const QString& fixture);
// ../shared next to the source tree, or empty when absent (suites that need it QSKIP).
QString sharedDir();
QString cliPath();

struct FixtureImage {
    QString name;       // e.g. "qcow2-zstd"
    QString qemuFormat; // qemu-img's -f name
    QString image;      // absolute path
    QString oracle;     // absolute path of qemu-img convert -O raw output
};
// Reads DIR/images.list (name|qemu_format|image|oracle).
QList<FixtureImage> readImageList(const QString& dir);
// The format fixture (fixtureDir("images")) called name; empty paths when there is none.
FixtureImage findFixtureImage(const QString& name);

// A Progress that asks to cancel at its n-th update (cancellation tests of long work).
class CancelAfter : public imgprep::Progress {
  public:
    explicit CancelAfter(int n) : n_(n) {}
    void update(std::uint64_t) override {
        if (--n_ <= 0) cancel();
    }

  private:
    int n_;
};

struct ToolResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};
ToolResult runTool(const QString& program, const QStringList& args, int timeoutMs = 120000,
                   const QByteArray& stdinData = {});

QByteArray sha256OfFile(const QString& path);

// Reads the whole virtual disk through reader and compares it with the oracle raw file byte for byte, using
// aligned large reads and unaligned odd-sized reads. Also checks the allocation map: extents tile the disk
// and every non-zero byte lies inside a Data extent. Returns an empty string on success, else what differed.
QString compareWithOracle(const imgprep::ImageReader& reader, const QString& oraclePath);

} // namespace testsupport
