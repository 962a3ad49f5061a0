// NTFS reader against independent tools: every directory listing is compared with sleuthkit's `fls`, every
// file read with `icat` (by inode-type-id from `fls -r -p`), volume facts with `fsstat`/`istat` and ntfs-3g's
// `ntfsinfo`. Volumes are built at test time by mkntfs + libntfs-3g (tests/fixtures/build_ntfs.sh); the real
// Windows-made volume from ../shared/testdata is used when present. Hostile input: patched copies in a
// QTemporaryDir (bad fix-ups, run lists past the volume, index and directory loops, attribute lists pointing
// at the wrong records, truncation, broken boot sectors) and a seeded random-corruption loop.
#include <QtTest>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <atomic>
#include <map>
#include <thread>

#include "fs/encryption.h"
#include "fs/ntfs.h"
#include "io/byte_source.h"
#include "testsupport.h"
#include "util/endian.h"
#include "util/sha256.h"

using namespace imgprep;

namespace {

struct FlsEntry {
    QString spec; // inode-type-id for icat
    quint64 inode = 0;
    int attrType = -1;
    QString path; // as printed (with ":stream" for named attributes)
    QString base; // the file's path
    QString stream;
    quint64 size = 0;
    bool dir = false;
};

QList<FlsEntry> runFls(const QString& image, qint64 offSectors, QString* err) {
    QList<FlsEntry> out;
    auto r = testsupport::runTool("fls", {"-r", "-p", "-l", "-u", "-o", QString::number(offSectors), image},
                                  600000);
    if (r.exitCode != 0) {
        *err = "fls failed: " + QString::fromUtf8(r.err);
        return out;
    }
    for (const QByteArray& rawLine : r.out.split('\n')) {
        if (rawLine.isEmpty()) continue;
        const QStringList f = QString::fromUtf8(rawLine).split('\t');
        if (f.size() < 7) continue;
        QStringList head = f[0].split(' ', Qt::SkipEmptyParts);
        if (head.size() < 2 || head[0].startsWith('V') || head.contains("*")) continue;
        FlsEntry e;
        e.spec = head.last();
        e.spec.chop(1); // ':'
        const QStringList parts = e.spec.split('-');
        e.inode = parts[0].toULongLong();
        if (parts.size() >= 3) e.attrType = parts[1].toInt();
        // sleuthkit also prints MFT extension records of $MFT as "-/r 16: $MFT" (no attribute): not a file.
        if (parts.size() < 3 && head[0].startsWith("-/")) continue;
        e.path = f[1];
        if (e.path.startsWith("$OrphanFiles")) continue;
        e.size = f[6].toULongLong();
        e.dir = head[0].startsWith("d/");
        e.base = e.path;
        const int slash = e.path.lastIndexOf('/');
        const int colon = e.path.indexOf(':', slash + 1);
        if (colon >= 0) {
            e.base = e.path.left(colon);
            e.stream = e.path.mid(colon + 1);
        }
        out.append(e);
    }
    return out;
}

QByteArray icat(const QString& image, qint64 offSectors, const QString& spec) {
    auto r = testsupport::runTool("icat", {"-o", QString::number(offSectors), image, spec}, 600000);
    return r.exitCode == 0 ? r.out : QByteArray("<icat failed: ") + r.err + ">";
}

QByteArray icatSha(const QString& image, qint64 offSectors, const QString& spec) {
    auto r = testsupport::runTool("bash",
                                  {"-c", "icat -o \"$1\" \"$2\" \"$3\" | sha256sum | cut -c1-64", "sh",
                                   QString::number(offSectors), image, spec},
                                  600000);
    return r.out.trimmed();
}

// SHA-256 of a whole source read in odd-sized chunks.
Result<QByteArray> sourceSha(const ByteSource& s) {
    Sha256 h;
    std::vector<std::uint8_t> buf((1 << 20) + 7);
    for (std::uint64_t off = 0; off < s.size();) {
        const std::size_t n = std::size_t(std::min<std::uint64_t>(buf.size(), s.size() - off));
        IMGPREP_TRY(s.read_at(off, std::span(buf.data(), n)));
        h.update(std::span(buf.data(), n));
        off += n;
    }
    return QByteArray::fromStdString(h.finish_hex());
}

Result<QByteArray> readAll(const ByteSource& s) {
    QByteArray a(qsizetype(s.size()), '\0');
    IMGPREP_TRY(s.read_at(0, std::span(reinterpret_cast<std::uint8_t*>(a.data()), std::size_t(a.size()))));
    return a;
}

QString toQ(const std::string& s) {
    return QString::fromStdString(s);
}
std::string toS(const QString& s) {
    return s.toStdString();
}
// Error text of a failed result, or "" (QVERIFY2 evaluates its message even when the check passes).
template <typename R> QString why(const R& r) {
    return r.ok() ? QString() : toQ(r.error().describe());
}

Result<std::unique_ptr<ntfs::Volume>> openFile(const QString& path, std::uint64_t offset = 0,
                                               std::uint64_t length = 0) {
    IMGPREP_ASSIGN(auto f, FileSource::open(toS(path)));
    SourcePtr src = f;
    if (offset || length)
        src = std::make_shared<SubSource>(src, offset, length ? length : f->size() - offset,
                                          toS(path) + "@part");
    return ntfs::Volume::open(src);
}

// A source with some bytes replaced (for the random-corruption loop: no file copies).
class PatchedSource final : public ByteSource {
  public:
    PatchedSource(SourcePtr base, std::map<std::uint64_t, std::uint8_t> patches)
        : base_(std::move(base)), patches_(std::move(patches)), name_(base_->name() + "+patched") {}
    const std::string& name() const override { return name_; }
    std::uint64_t size() const override { return base_->size(); }
    Status read_at(std::uint64_t offset, std::span<std::uint8_t> buf) const override {
        IMGPREP_TRY(base_->read_at(offset, buf));
        for (auto it = patches_.lower_bound(offset); it != patches_.end() && it->first < offset + buf.size();
             ++it)
            buf[it->first - offset] = it->second;
        return {};
    }

  private:
    SourcePtr base_;
    std::map<std::uint64_t, std::uint8_t> patches_;
    std::string name_;
};

// --- minimal on-disk knowledge the tests need to place their patches (kept independent of the reader) ---

struct Geometry {
    quint32 bps = 0, cs = 0, rec = 1024;
    quint64 mftLcn = 0;
};

Geometry geometryOf(const QString& image) {
    Geometry g;
    QFile f(image);
    if (!f.open(QIODevice::ReadOnly)) return g;
    QByteArray b = f.read(512);
    auto p = reinterpret_cast<const std::uint8_t*>(b.constData());
    g.bps = le16(p + 11);
    g.cs = g.bps * p[13];
    g.mftLcn = le64(p + 48);
    return g;
}

QByteArray readAt(const QString& path, qint64 off, qint64 n) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly) || !f.seek(off)) return {};
    return f.read(n);
}

bool writeAt(const QString& path, qint64 off, const QByteArray& data) {
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite) || !f.seek(off)) return false;
    return f.write(data) == data.size();
}

QByteArray le(quint64 v, int n) {
    QByteArray b(n, '\0');
    for (int i = 0; i < n; ++i)
        b[i] = char((v >> (8 * i)) & 0xff);
    return b;
}

// Run list of an attribute as istat -r prints it: (start cluster, length); sparse runs have start -1.
QList<QPair<qint64, qint64>> istatRuns(const QString& image, quint64 inode, const QString& typeLine) {
    QList<QPair<qint64, qint64>> runs;
    auto r = testsupport::runTool("istat", {"-r", image, QString::number(inode)});
    bool in = false;
    static const QRegularExpression re("Starting address: (\\d+|X), length: (\\d+)");
    for (const QString& line : QString::fromUtf8(r.out).split('\n')) {
        if (line.startsWith("Type: ")) {
            in = line.contains(typeLine);
            continue;
        }
        if (!in) continue;
        auto m = re.match(line);
        if (m.hasMatch())
            runs.append({m.captured(1) == "X" ? -1 : m.captured(1).toLongLong(), m.captured(2).toLongLong()});
    }
    return runs;
}

// Byte offset of an MFT record, when it lies in $MFT's first run.
qint64 recordOffset(const QString& image, const Geometry& g, quint64 inode) {
    auto runs = istatRuns(image, 0, "$DATA");
    if (runs.isEmpty()) return -1;
    if ((inode + 1) * g.rec > quint64(runs[0].second) * g.cs) return -1;
    return qint64(g.mftLcn * g.cs + inode * g.rec);
}

// Offset of the first attribute of the given type inside a raw record, or -1.
int findAttr(const QByteArray& rec, quint32 type) {
    auto p = reinterpret_cast<const std::uint8_t*>(rec.constData());
    int pos = le16(p + 20);
    while (pos + 16 <= rec.size()) {
        const quint32 t = le32(p + pos), len = le32(p + pos + 4);
        if (t == 0xffffffffu || len < 16) return -1;
        if (t == type) return pos;
        pos += int(len);
    }
    return -1;
}

// True when [off, off+n) avoids the update-sequence words at the end of each 512-byte sector.
bool clearOfFixups(qint64 off, qint64 n) {
    for (qint64 i = off; i < off + n; ++i)
        if (i % 512 >= 510) return false;
    return true;
}

quint64 inodeOf(const QList<FlsEntry>& fls, const QString& path) {
    for (const auto& e : fls)
        if (e.base == path && e.stream.isEmpty()) return e.inode;
    return ~quint64(0);
}

QString fieldOf(const QByteArray& text, const QString& key) {
    for (const QString& line : QString::fromUtf8(text).split('\n')) {
        const QString t = line.trimmed();
        if (t.startsWith(key)) return t.mid(key.size()).trimmed();
    }
    return {};
}

} // namespace

class TestNtfs : public QObject {
    Q_OBJECT

    QString dir_;
    qint64 partStart_ = 0, partSectors_ = 0; // main volume's partition, from mmls

    // The main volume (partition of disk.raw) as a SubSource.
    Result<std::unique_ptr<ntfs::Volume>> openMain() {
        return openFile(dir_ + "/disk.raw", quint64(partStart_) * 512, quint64(partSectors_) * 512);
    }

    // Compares a volume's recursive listing with fls and every data stream with icat. Paths for which
    // sampleOnly() is true get content comparison for every 25th file only (sizes are compared for all).
    void compareVolume(const QString& image, qint64 offSectors, const ntfs::Volume& vol,
                       const std::function<bool(const QString&)>& sampleOnly = {}) {
        QString err;
        const QList<FlsEntry> fls = runFls(image, offSectors, &err);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        QVERIFY(fls.size() > 10);

        // Listing: every file fls shows (by base path) is in our walk with the same record number, and back.
        std::map<QString, ntfs::DirEntry> ours;
        auto st = vol.walk(ntfs::kRootDirectory, [&](const std::string& p, const ntfs::DirEntry& e) {
            ours.emplace(toQ(p), e);
            return true;
        });
        QVERIFY2(st.ok(), qPrintable(why(st)));
        std::map<QString, std::pair<quint64, bool>> theirs;
        for (const auto& e : fls) {
            auto& slot = theirs[e.base];
            slot.first = e.inode;
            if (e.dir) slot.second = true;
        }
        QStringList missing, extra, wrong;
        for (const auto& [p, v] : theirs) {
            auto it = ours.find(p);
            if (it == ours.end())
                missing << p;
            else if (it->second.mft_index != v.first || (v.second && !it->second.is_directory))
                wrong << p;
        }
        for (const auto& [p, e] : ours)
            if (!theirs.count(p)) extra << p;
        QVERIFY2(missing.isEmpty(), qPrintable("not listed by us: " + missing.mid(0, 10).join(", ")));
        QVERIFY2(extra.isEmpty(), qPrintable("not listed by fls: " + extra.mid(0, 10).join(", ")));
        QVERIFY2(wrong.isEmpty(), qPrintable("different record or type: " + wrong.mid(0, 10).join(", ")));

        // Contents of every $DATA stream (type 128).
        int compared = 0, counter = 0, refusedWof = 0;
        for (const auto& e : fls) {
            if (e.attrType != 128) continue;
            const QString what = image + ": " + e.path + " (" + e.spec + ")";
            auto byPath = vol.open_path(toS("\\" + e.base), toS(e.stream));
            if (!byPath.ok() && e.stream.isEmpty()) {
                // WOF-compressed files are refused (icat shows the placeholder zeros of the unnamed stream).
                auto st = vol.stat(e.inode);
                QVERIFY2(st.ok() && st->reparse_tag == ntfs::kReparseTagWof,
                         qPrintable(what + ": " + why(byPath)));
                QVERIFY(byPath.error().message.find("WOF") != std::string::npos);
                ++refusedWof;
                continue;
            }
            QVERIFY2(byPath.ok(), qPrintable(what + ": " + why(byPath)));
            const ByteSource& s = **byPath;
            QVERIFY2(s.size() == e.size,
                     qPrintable(what + QString(": size %1, fls says %2").arg(s.size()).arg(e.size)));
            auto byIndex = vol.open_stream(e.inode, toS(e.stream));
            QVERIFY2(byIndex.ok() && (*byIndex)->size() == e.size,
                     qPrintable(what + ": open by record number"));
            if (e.size == 0) continue;
            if (e.base == "$BadClus" && e.stream == "$Bad") {
                // sleuthkit special-cases this volume-sized sparse stream (icat prints nothing): check zeros.
                std::vector<std::uint8_t> b(65536);
                QVERIFY(s.read_at(0, b).ok() && is_all_zero(b));
                QVERIFY(s.read_at(s.size() - b.size(), b).ok() && is_all_zero(b));
                continue;
            }
            if (sampleOnly && sampleOnly(e.base) && (counter++ % 25) != 0) continue;
            ++compared;
            if (e.size <= (32u << 20)) {
                const QByteArray want = icat(image, offSectors, e.spec);
                auto got = readAll(s);
                QVERIFY2(got.ok(), qPrintable(what + ": " + why(got)));
                QVERIFY2(*got == want, qPrintable(what + ": content differs from icat"));
                // Unaligned reads at random places.
                QRandomGenerator rng(quint32(e.inode * 7919 + e.size));
                for (int i = 0; i < 8; ++i) {
                    const quint64 off = rng.bounded(quint64(want.size()));
                    const quint64 n = std::min<quint64>(rng.bounded(70000) + 1, want.size() - off);
                    std::vector<std::uint8_t> b(n);
                    QVERIFY(s.read_at(off, b).ok());
                    QVERIFY2(std::memcmp(b.data(), want.constData() + off, n) == 0,
                             qPrintable(what + QString(": read of %1 at %2 differs").arg(n).arg(off)));
                }
            } else {
                auto got = sourceSha(s);
                QVERIFY2(got.ok(), qPrintable(what + ": " + why(got)));
                QCOMPARE(*got, icatSha(image, offSectors, e.spec));
            }
        }
        QVERIFY(compared > 0);
        qInfo("%s: %d listed entries and %d streams compared with fls/icat (%d WOF files refused)",
              qPrintable(image), int(ours.size()), compared, refusedWof);
    }

  private slots:
    void initTestCase() {
        dir_ = testsupport::fixtureDir("ntfs");
        QVERIFY2(QFile::exists(dir_ + "/disk.raw"), qPrintable("NTFS fixtures missing in " + dir_));
        // The partition of the main volume, as mmls sees it.
        auto r = testsupport::runTool("mmls", {dir_ + "/disk.raw"});
        QCOMPARE(r.exitCode, 0);
        for (const QString& line : QString::fromUtf8(r.out).split('\n')) {
            if (!line.contains("NTFS")) continue;
            const QStringList f = line.split(' ', Qt::SkipEmptyParts);
            partStart_ = f[2].toLongLong();
            partSectors_ = f[4].toLongLong();
        }
        QVERIFY2(partStart_ > 0 && partSectors_ > 0, r.out.constData());
    }

    void mainVolumeMatchesSleuthkit() {
        auto v = openMain();
        QVERIFY2(v.ok(), qPrintable(why(v)));
        compareVolume(dir_ + "/disk.raw", partStart_, **v,
                      [](const QString& p) { return p.startsWith("Many/"); });
    }

    void otherGeometriesMatchSleuthkit_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<quint32>("clusterSize");
        QTest::addColumn<quint32>("sectorSize");
        QTest::newRow("512-byte clusters") << "c512.ntfs" << 512u << 512u;
        QTest::newRow("64 KiB clusters") << "c64k.ntfs" << 65536u << 512u;
        QTest::newRow("4 KiB sectors") << "s4k.ntfs" << 4096u << 4096u;
        QTest::newRow("fragmented $MFT") << "mftfrag.ntfs" << 4096u << 512u;
        QTest::newRow("dirty") << "dirty.ntfs" << 4096u << 512u;
        QTest::newRow("hostile baseline") << "hostile.ntfs" << 4096u << 512u;
    }
    void otherGeometriesMatchSleuthkit() {
        QFETCH(QString, name);
        QFETCH(quint32, clusterSize);
        QFETCH(quint32, sectorSize);
        const QString image = dir_ + "/" + name;
        auto v = openFile(image);
        QVERIFY2(v.ok(), qPrintable(why(v)));
        const auto& info = (*v)->info();
        auto fs = testsupport::runTool("fsstat", {image});
        QCOMPARE(fieldOf(fs.out, "Cluster Size:").toUInt(), info.cluster_size);
        QCOMPARE(fieldOf(fs.out, "Sector Size:").toUInt(), info.bytes_per_sector);
        QCOMPARE(fieldOf(fs.out, "Size of MFT Entries:").section(' ', 0, 0).toUInt(), info.mft_record_size);
        QCOMPARE(fieldOf(fs.out, "Size of Index Records:").section(' ', 0, 0).toUInt(),
                 info.index_block_size);
        QCOMPARE(info.cluster_size, clusterSize);
        QCOMPARE(info.bytes_per_sector, sectorSize);
        compareVolume(image, 0, **v, [](const QString& p) {
            return p.startsWith("cb/") || p.startsWith("loop/") || p.startsWith("dir/");
        });
    }

    void fragmentedMft() {
        const QString image = dir_ + "/mftfrag.ntfs";
        auto v = openFile(image);
        QVERIFY2(v.ok(), qPrintable(why(v)));
        // sleuthkit's view of $MFT: its own $ATTRIBUTE_LIST and many runs.
        auto ist = testsupport::runTool("istat", {image, "0"});
        QVERIFY(ist.out.contains("$ATTRIBUTE_LIST"));
        const int runs = int(istatRuns(image, 0, "$DATA").size());
        QVERIFY2(runs > 100, qPrintable(QString::number(runs)));
        QCOMPARE(int((*v)->info().mft_fragments), runs);
        auto st = (*v)->stat(ntfs::kMftFile);
        QVERIFY(st.ok());
        QVERIFY(st->has_attribute_list);
        QVERIFY(st->extension_records >= 1);
        auto mft = (*v)->open_stream(ntfs::kMftFile);
        QVERIFY(mft.ok());
        QCOMPARE(*sourceSha(**mft), icatSha(image, 0, "0-128-1"));
        // The last records (mapped by the last extents) are readable: the last file created exists.
        QCOMPARE((*v)->info().mft_records * (*v)->info().mft_record_size, st->size);
    }

    void fragmentedFileWithAttributeList() {
        auto v = openMain();
        QVERIFY(v.ok());
        QString err;
        auto fls = runFls(dir_ + "/disk.raw", partStart_, &err);
        const quint64 ino = inodeOf(fls, "Frag/fragmented.bin");
        auto st = (*v)->stat_path("\\frag\\FRAGMENTED.BIN");
        QVERIFY2(st.ok(), qPrintable(why(st)));
        QCOMPARE(st->mft_index, ino);
        QVERIFY(st->has_attribute_list);
        QVERIFY(st->extension_records >= 1);
        auto ist = testsupport::runTool(
            "istat", {"-o", QString::number(partStart_), dir_ + "/disk.raw", QString::number(ino)});
        QVERIFY(ist.out.contains("$ATTRIBUTE_LIST"));
        // Sparse file written every 16th cluster: data and sparse runs alternate, also spread over extents.
        auto sp = (*v)->stat_path("/Frag/sparse-stride.bin");
        QVERIFY(sp.ok());
        QVERIFY(sp->has_attribute_list);
        QVERIFY(sp->streams.size() == 1 && sp->streams[0].sparse);
    }

    void lookupIsCaseInsensitive() {
        auto v = openMain();
        QVERIFY(v.ok());
        QString err;
        auto fls = runFls(dir_ + "/disk.raw", partStart_, &err);
        QVERIFY(err.isEmpty());
        const auto& vol = **v;
        struct Case {
            const char* query;
            const char* flsPath;
        } cases[] = {
            {"\\Windows\\System32\\config\\SYSTEM", "Windows/System32/config/SYSTEM"},
            {"\\WINDOWS\\system32\\CONFIG\\system", "Windows/System32/config/SYSTEM"},
            {"/windows/SYSTEM32/Config/Software", "Windows/System32/config/SOFTWARE"},
            {"windows//system32\\config/sam", "Windows/System32/config/SAM"},
            {"\\Windows\\System32\\config\\SOFTWARE.log2", "Windows/System32/config/software.LOG2"},
            {"\\Windows\\System32\\CMD.EXE", "Windows/System32/cmd.exe"},
            // Non-ASCII case folding needs the volume's $UpCase table (ü→Ü, ω→Ω, æ→Æ).
            {"\\unicode\\übergröße.TXT", "Unicode/Übergröße.txt"},
            {"\\UNICODE\\ÜBERGRÖSSE.txt", nullptr},
            {"\\Unicode\\æøå-ωMEGA\\STRASSE.TXT", nullptr},
            {"\\Unicode\\æøå-ωMEGA\\STRAßE.TXT", "Unicode/ÆØÅ-Ωmega/straße.txt"},
            {"\\Unicode\\日本語のファイル.TXT", "Unicode/日本語のファイル.txt"},
            {"\\Unicode\\EMOJI-😀.BIN", "Unicode/emoji-😀.bin"},
            // Exact-case match wins when two POSIX names differ only in case.
            {"\\Unicode\\CaseTest.txt", "Unicode/CaseTest.txt"},
            {"\\Unicode\\casetest.txt", "Unicode/casetest.txt"},
            {"\\Windows\\System32\\config\\SYSTEM\\x", nullptr},
            {"\\nonexistent", nullptr},
            {"\\Many\\entry-03000-with-a-rather-long-name-to-fill-index-blocks.txt", nullptr},
            {"\\Many\\entry-01500-with-a-rather-long-name-to-fill-index-blocks.tx", nullptr},
        };
        for (const auto& c : cases) {
            auto r = vol.lookup(c.query);
            if (!c.flsPath) {
                QVERIFY2(!r.ok(), c.query);
                continue;
            }
            QVERIFY2(r.ok(), qPrintable(QString(c.query) + ": " + why(r)));
            QCOMPARE(*r, inodeOf(fls, QString::fromUtf8(c.flsPath)));
        }
        // 8.3 aliases (DOS namespace) resolve to the same file; listings show only the long name.
        const quint64 pf = inodeOf(fls, "Program Files");
        QCOMPARE(*vol.lookup("\\progra~1"), pf);
        QCOMPARE(*vol.lookup("\\PROGRA~1\\longfi~1.txt"), inodeOf(fls, "Program Files/Long File Name.txt"));
        auto pst = vol.stat(pf);
        QVERIFY(pst.ok());
        QCOMPARE(int(pst->names.size()), 2);
        bool win32 = false, dos = false;
        for (const auto& n : pst->names) {
            if (n.name == "Program Files" && n.name_space == ntfs::NameSpace::Win32) win32 = true;
            if (n.name == "PROGRA~1" && n.name_space == ntfs::NameSpace::Dos) dos = true;
            QCOMPARE(n.parent, ntfs::kRootDirectory);
        }
        QVERIFY(win32 && dos);
        auto pfl = vol.list(pf);
        QVERIFY(pfl.ok());
        QCOMPARE(int(pfl->size()), 1);
        QCOMPARE(pfl->front().name, std::string("Long File Name.txt"));
        auto either = vol.lookup("\\UNICODE\\CASETEST.TXT");
        QVERIFY(either.ok() && (*either == inodeOf(fls, "Unicode/CaseTest.txt") ||
                                *either == inodeOf(fls, "Unicode/casetest.txt")));
        QCOMPARE(*vol.exists("\\windows\\system32"), true);
        QCOMPARE(*vol.exists("\\windows\\system64"), false);
        QCOMPARE(*vol.lookup(""), ntfs::kRootDirectory);
        QCOMPARE(*vol.lookup("\\"), ntfs::kRootDirectory);
        QVERIFY(!vol.lookup("\\Windows\\..\\Windows").ok());
        QVERIFY(!vol.lookup("\\bad\xff utf8").ok());
        // A hive read by path equals icat's bytes.
        auto hive = vol.read_path("\\windows\\system32\\config\\system", 64 << 20);
        QVERIFY(hive.ok());
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(hive->data()), qsizetype(hive->size())),
                 icat(dir_ + "/disk.raw", partStart_,
                      QString::number(inodeOf(fls, "Windows/System32/config/SYSTEM"))));
        QVERIFY(!vol.read_path("\\windows\\system32\\config\\system", 1000).ok()); // over the caller's limit
        QVERIFY(!vol.open_path("\\Windows").ok());                                 // a directory has no data
        QVERIFY(!vol.open_path("\\small.txt", "nosuchstream").ok());
        auto ads = vol.open_path("\\SMALL.TXT", "zone.identifier"); // stream names are case-insensitive too
        QVERIFY(ads.ok());
        QCOMPARE((*ads)->size(), quint64(90));
    }

    void directoryWithManyEntries() {
        auto v = openMain();
        QVERIFY(v.ok());
        QString err;
        auto fls = runFls(dir_ + "/disk.raw", partStart_, &err);
        std::map<QString, quint64> want;
        for (const auto& e : fls)
            if (e.base.startsWith("Many/")) want[e.base.mid(5)] = e.inode;
        QCOMPARE(int(want.size()), 3000);
        auto list = (*v)->list_path("\\MANY");
        QVERIFY2(list.ok(), qPrintable(why(list)));
        QCOMPARE(int(list->size()), 3000);
        QString prev;
        for (const auto& e : *list) {
            const QString n = toQ(e.name);
            QVERIFY2(want.count(n) && want[n] == e.mft_index, qPrintable(n));
            QVERIFY2(prev.isEmpty() || prev.toUpper() < n.toUpper(), "entries not in collation order");
            prev = n;
            // Each name found by a B-tree search, in upper case.
            auto r = (*v)->lookup(toS("\\Many\\" + n.toUpper()));
            QVERIFY2(r.ok() && *r == e.mft_index, qPrintable(n));
        }
        // The index is a multi-level B-tree: ~150 index blocks (sleuthkit's $INDEX_ALLOCATION size) are more
        // than the root, inside a 1 KiB MFT record, can point to with keys this long.
        auto ist = testsupport::runTool("istat", {"-o", QString::number(partStart_), dir_ + "/disk.raw",
                                                  QString::number(inodeOf(fls, "Many"))});
        static const QRegularExpression re("\\$INDEX_ALLOCATION.*size: (\\d+)");
        const auto m = re.match(QString::fromUtf8(ist.out));
        QVERIFY(m.hasMatch());
        QVERIFY2(m.captured(1).toULongLong() / 4096 > 40, qPrintable(m.captured(0)));
    }

    void compressedFiles() {
        auto v = openMain();
        QVERIFY(v.ok());
        QString err;
        auto fls = runFls(dir_ + "/disk.raw", partStart_, &err);
        for (const char* p : {"Compressed/text.txt", "Compressed/mixed.bin"}) {
            const quint64 ino = inodeOf(fls, p);
            auto ist = testsupport::runTool(
                "istat", {"-o", QString::number(partStart_), dir_ + "/disk.raw", QString::number(ino)});
            QVERIFY2(ist.out.contains("Compressed"), p); // sleuthkit agrees the stream is LZNT1-compressed
            auto st = (*v)->stat(ino);
            QVERIFY(st.ok());
            QVERIFY(!st->streams.empty() && st->streams[0].compressed);
            auto s = (*v)->open_stream(ino);
            QVERIFY(s.ok());
            const QByteArray want = icat(dir_ + "/disk.raw", partStart_, QString::number(ino));
            QCOMPARE(qint64(want.size()), qint64((*s)->size()));
            // Reads crossing compression-unit (64 KiB) boundaries and LZNT1 chunk (4 KiB) boundaries.
            for (quint64 off : {0ull, 4095ull, 65535ull, 65536ull - 3, 131072ull + 4096 * 3 - 1, 300000ull}) {
                const quint64 n = std::min<quint64>(10000, want.size() - off);
                std::vector<std::uint8_t> b(n);
                QVERIFY((*s)->read_at(off, b).ok());
                QVERIFY(std::memcmp(b.data(), want.constData() + off, n) == 0);
            }
        }
        // A WOF (CompactOS) file is refused with a clear error; its compressed stream is readable as-is.
        auto wof = (*v)->stat_path("\\Windows\\System32\\compact.exe");
        QVERIFY(wof.ok());
        QCOMPARE(wof->reparse_tag, ntfs::kReparseTagWof);
        auto ist = testsupport::runTool("istat", {"-o", QString::number(partStart_), dir_ + "/disk.raw",
                                                  QString::number(wof->mft_index)});
        QVERIFY(ist.out.contains("$REPARSE_POINT"));
        auto wofData = (*v)->open_path("\\Windows\\System32\\compact.exe");
        QVERIFY(!wofData.ok() && wofData.error().message.find("WOF") != std::string::npos);
        QVERIFY((*v)->open_path("\\Windows\\System32\\compact.exe", "WofCompressedData").ok());
        auto tiny = (*v)->stat_path("\\Compressed\\tiny.txt");
        QVERIFY(tiny.ok() && tiny->streams[0].resident);
        // 512-byte clusters: 8 KiB compression units.
        auto c = openFile(dir_ + "/c512.ntfs");
        QVERIFY(c.ok());
        auto ct = (*c)->stat_path("\\comp\\text.txt");
        QVERIFY(ct.ok() && ct->streams[0].compressed);
    }

    void sparseAndInitializedSize() {
        auto v = openMain();
        QVERIFY(v.ok());
        auto st = (*v)->stat_path("\\sparse.bin");
        QVERIFY(st.ok());
        QVERIFY(st->streams[0].sparse);
        auto s = (*v)->open_path("\\sparse.bin");
        QVERIFY(s.ok());
        std::vector<std::uint8_t> hole(1 << 20);
        QVERIFY((*s)->read_at(4 << 20, hole).ok());
        QVERIFY(is_all_zero(hole));

        // Initialized size below the data size (patched copy): bytes past it read as zero, as icat shows.
        QTemporaryDir tmp;
        const QString copy = tmp.path() + "/init.ntfs";
        QVERIFY(QFile::copy(dir_ + "/hostile.ntfs", copy));
        const Geometry g = geometryOf(copy);
        QString err;
        auto fls = runFls(copy, 0, &err);
        const quint64 ino = inodeOf(fls, "big.bin");
        const qint64 ro = recordOffset(copy, g, ino);
        QVERIFY(ro > 0);
        QByteArray rec = readAt(copy, ro, g.rec);
        const int a = findAttr(rec, 0x80);
        QVERIFY(a > 0 && rec[a + 8] == 1);
        const quint64 size = le64(reinterpret_cast<const std::uint8_t*>(rec.constData()) + a + 48);
        const quint64 init = size / 2 + 12345;
        QVERIFY(clearOfFixups(a + 56, 8));
        QVERIFY(writeAt(copy, ro + a + 56, le(init, 8)));
        auto pv = openFile(copy);
        QVERIFY(pv.ok());
        auto ps = (*pv)->open_stream(ino);
        QVERIFY(ps.ok());
        QCOMPARE((*ps)->size(), size);
        auto got = readAll(**ps);
        QVERIFY(got.ok());
        const QByteArray want = icat(copy, 0, QString::number(ino));
        QCOMPARE(*got, want);
        QVERIFY(is_all_zero(
            std::span(reinterpret_cast<const std::uint8_t*>(got->constData()) + init, size - init)));
        QVERIFY(!is_all_zero(
            std::span(reinterpret_cast<const std::uint8_t*>(got->constData()) + init - 100, 100)));
    }

    void volumeState() {
        // ntfs-3g's ntfsinfo reads the same $Volume fields independently.
        struct V {
            QString image;
            bool dirty;
        } vols[] = {{dir_ + "/dirty.ntfs", true}, {dir_ + "/c512.ntfs", false}};
        for (const auto& c : vols) {
            auto v = openFile(c.image);
            QVERIFY(v.ok());
            const auto& i = (*v)->info();
            auto ni = testsupport::runTool("ntfsinfo", {"-f", "-m", c.image});
            QVERIFY(i.volume_info_read);
            QCOMPARE(i.dirty, c.dirty);
            QCOMPARE(i.volume_flags,
                     quint16(fieldOf(ni.out, "Volume Flags:").section(' ', 0, 0).toUShort(nullptr, 0)));
            QCOMPARE(toQ(i.label), fieldOf(ni.out, "Volume Name:"));
            QCOMPARE(QString("%1.%2").arg(i.major_version).arg(i.minor_version),
                     fieldOf(ni.out, "Volume Version:"));
            auto fs = testsupport::runTool("fsstat", {c.image});
            QCOMPARE(toQ(i.label), fieldOf(fs.out, "Volume Name:"));
            // fsstat zero-pads to 16 digits; compare the numbers, not the spellings.
            QCOMPARE(quint64(i.serial), fieldOf(fs.out, "Volume Serial Number:").toULongLong(nullptr, 16));
        }
        auto m = openMain();
        QVERIFY(m.ok());
        QCOMPARE((*m)->info().label, std::string("IMGPREP MAIN"));
        QVERIFY(!(*m)->info().dirty);
        QVERIFY((*m)->info().warnings.empty());
    }

    void hibernation() {
        auto m = openMain();
        QVERIFY(m.ok());
        auto h = (*m)->hiberfil_state();
        QVERIFY(h.ok());
        QVERIFY(h->present && h->hibernated);
        QCOMPARE(h->signature, std::string("hibr"));
        auto d = openFile(dir_ + "/dirty.ntfs");
        QVERIFY(d.ok());
        auto hd = (*d)->hiberfil_state();
        QVERIFY(hd.ok() && hd->present && !hd->hibernated);
        auto c = openFile(dir_ + "/c512.ntfs");
        QVERIFY(c.ok());
        auto hc = (*c)->hiberfil_state();
        QVERIFY(hc.ok() && !hc->present && !hc->hibernated);
        // The classification rule itself.
        std::vector<std::uint8_t> page(4096, 0);
        QVERIFY(!ntfs::classify_hiberfil(page, 1 << 20).hibernated);
        for (const char* sig : {"hibr", "HIBR", "wake", "WAKE"}) {
            std::memcpy(page.data(), sig, 4);
            auto r = ntfs::classify_hiberfil(page, 1 << 20);
            QVERIFY2(r.hibernated && r.signature == sig, sig);
        }
        std::fill(page.begin(), page.end(), 0);
        page[4000] = 1;
        QVERIFY(ntfs::classify_hiberfil(page, 1 << 20).hibernated);
        QVERIFY(!ntfs::classify_hiberfil({}, 0).hibernated);
    }

    void encryptionDetection() {
        struct C {
            const char* file;
            fs::Encryption kind;
        } cases[] = {{"bitlocker.img", fs::Encryption::BitLocker},
                     {"bitlocker-togo.img", fs::Encryption::BitLockerToGo},
                     {"luks.img", fs::Encryption::Luks},
                     {"dirty.ntfs", fs::Encryption::None},
                     {"c512.ntfs", fs::Encryption::None}};
        for (const auto& c : cases) {
            auto f = FileSource::open(toS(dir_ + "/" + c.file));
            QVERIFY(f.ok());
            auto r = fs::detect_encryption(**f);
            QVERIFY(r.ok());
            QVERIFY2(r->kind == c.kind, c.file);
            if (c.kind != fs::Encryption::None) {
                // Not parsed as NTFS: a clear error instead.
                auto v = ntfs::Volume::open(*f);
                QVERIFY(!v.ok());
                qInfo("%s: %s; NTFS open: %s", c.file, r->description.c_str(), v.error().describe().c_str());
            }
        }
        auto bl = ntfs::Volume::open(*FileSource::open(toS(dir_ + "/bitlocker.img")));
        QVERIFY(!bl.ok() && bl.error().message.find("BitLocker") != std::string::npos);
        auto lk = FileSource::open(toS(dir_ + "/luks.img"));
        QCOMPARE(fs::detect_encryption(**lk)->description, std::string("LUKS version 2"));
        // The partition of the main disk is plain NTFS.
        auto disk = FileSource::open(toS(dir_ + "/disk.raw"));
        SubSource part(*disk, quint64(partStart_) * 512, quint64(partSectors_) * 512, "part");
        QVERIFY(fs::detect_encryption(part)->kind == fs::Encryption::None);
        QVERIFY(fs::detect_encryption(std::span<const std::uint8_t>()).kind == fs::Encryption::None);
    }

    void concurrentReads() {
        auto v = openMain();
        QVERIFY(v.ok());
        QString err;
        auto fls = runFls(dir_ + "/disk.raw", partStart_, &err);
        QList<QPair<SourcePtr, QByteArray>> files;
        for (const char* p : {"Windows/System32/config/SOFTWARE", "Frag/fragmented.bin",
                              "Compressed/mixed.bin", "Compressed/text.txt"}) {
            const quint64 ino = inodeOf(fls, p);
            auto s = (*v)->open_stream(ino);
            QVERIFY(s.ok());
            files.append({*s, icat(dir_ + "/disk.raw", partStart_, QString::number(ino))});
        }
        std::atomic<int> bad{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&, t] {
                QRandomGenerator rng(quint32(1000 + t));
                for (int i = 0; i < 300; ++i) {
                    const auto& [src, want] = files[int(rng.bounded(files.size()))];
                    const quint64 off = rng.bounded(quint64(want.size()));
                    const quint64 n = std::min<quint64>(rng.bounded(200000) + 1, want.size() - off);
                    std::vector<std::uint8_t> b(n);
                    if (!src->read_at(off, b).ok() || std::memcmp(b.data(), want.constData() + off, n) != 0)
                        ++bad;
                    // Metadata lookups share the record and index caches.
                    if (!(*v)->lookup("\\Windows\\System32\\config\\SAM").ok()) ++bad;
                }
            });
        for (auto& th : threads)
            th.join();
        QCOMPARE(bad.load(), 0);
    }

    void windowsMadeVolume() {
        if (testsupport::sharedDir().isEmpty()) QSKIP("../shared/testdata not present");
        const QString qcow = testsupport::sharedDir() + "/testdata/images/dfvfs-windows_volume.qcow2";
        QTemporaryDir tmp;
        const QString raw = tmp.path() + "/windows_volume.raw";
        auto conv = testsupport::runTool("qemu-img", {"convert", "-O", "raw", qcow, raw});
        QVERIFY2(conv.exitCode == 0, conv.err.constData());
        auto v = openFile(raw);
        QVERIFY2(v.ok(), qPrintable(why(v)));
        compareVolume(raw, 0, **v);
        // The files under \Windows\System32\config, by case-insensitive path, against icat.
        QString err;
        auto fls = runFls(raw, 0, &err);
        int n = 0;
        for (const auto& e : fls) {
            if (!e.base.startsWith("Windows/System32/config/") || e.attrType != 128) continue;
            auto s = (*v)->open_path(toS("\\WINDOWS\\SYSTEM32\\CONFIG\\" + e.base.mid(24).toUpper()),
                                     toS(e.stream));
            QVERIFY2(s.ok(), qPrintable(e.path));
            QCOMPARE(*readAll(**s), icat(raw, 0, e.spec));
            ++n;
        }
        QVERIFY(n > 0);
        const auto& i = (*v)->info();
        auto fs = testsupport::runTool("fsstat", {raw});
        // fsstat zero-pads to 16 digits; compare the numbers, not the spellings.
            QCOMPARE(quint64(i.serial), fieldOf(fs.out, "Volume Serial Number:").toULongLong(nullptr, 16));
        QCOMPARE(QString::number(i.mft_lcn), fieldOf(fs.out, "First Cluster of MFT:"));
        QVERIFY(i.volume_info_read);
    }

    // ---- hostile input ----

    void corruptedRecordFixup() {
        QTemporaryDir tmp;
        const QString copy = tmp.path() + "/fixup.ntfs";
        QVERIFY(QFile::copy(dir_ + "/hostile.ntfs", copy));
        const Geometry g = geometryOf(copy);
        QString err;
        auto fls = runFls(copy, 0, &err);
        const quint64 ino = inodeOf(fls, "small.txt");
        const qint64 ro = recordOffset(copy, g, ino);
        QVERIFY(ro > 0);
        // The second sector's update-sequence word no longer matches the record's USN.
        QByteArray tail = readAt(copy, ro + 1022, 2);
        tail[0] = char(tail[0] ^ 0x5a);
        QVERIFY(writeAt(copy, ro + 1022, tail));
        auto v = openFile(copy);
        QVERIFY2(v.ok(), "other records are intact: the volume still opens");
        auto st = (*v)->stat(ino);
        QVERIFY(!st.ok());
        QVERIFY2(st.error().message.find("update sequence mismatch") != std::string::npos,
                 st.error().message.c_str());
        QCOMPARE(st.error().offset, quint64(ro + 1022));
        QVERIFY(!(*v)->open_path("\\small.txt").ok());
        QVERIFY((*v)->open_path("\\big.bin").ok());
        // Record 0 ($MFT) corrupt: the volume cannot be opened.
        QVERIFY(writeAt(copy, qint64(g.mftLcn * g.cs) + 510, QByteArray("\x12\x34", 2)));
        auto v0 = openFile(copy);
        QVERIFY(!v0.ok());
        QVERIFY2(v0.error().message.find("update sequence") != std::string::npos, v0.error().message.c_str());
    }

    void runListPastVolume() {
        QTemporaryDir tmp;
        const QString copy = tmp.path() + "/runs.ntfs";
        QVERIFY(QFile::copy(dir_ + "/hostile.ntfs", copy));
        const Geometry g = geometryOf(copy);
        QString err;
        auto fls = runFls(copy, 0, &err);
        const quint64 ino = inodeOf(fls, "big.bin");
        const qint64 ro = recordOffset(copy, g, ino);
        QByteArray rec = readAt(copy, ro, g.rec);
        const int a = findAttr(rec, 0x80);
        QVERIFY(a > 0 && rec[a + 8] == 1);
        const int runs = a + le16(reinterpret_cast<const std::uint8_t*>(rec.constData()) + a + 32);
        const quint8 h = quint8(rec[runs]);
        const int ls = h & 15, os = h >> 4;
        QVERIFY(os >= 2);
        QVERIFY(clearOfFixups(ro + runs, 1 + ls + os));
        // Largest positive cluster number the field holds: far past the end of a 40 MiB volume.
        QByteArray lcn(os, '\xff');
        lcn[os - 1] = '\x7f';
        QVERIFY(writeAt(copy, ro + runs + 1 + ls, lcn));
        auto v = openFile(copy);
        QVERIFY(v.ok());
        auto s = (*v)->open_path("\\big.bin");
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.find("past the volume") != std::string::npos, s.error().message.c_str());
        // Negative cluster number.
        QByteArray neg(os, '\0');
        neg[os - 1] = '\x80';
        QVERIFY(writeAt(copy, ro + runs + 1 + ls, neg));
        auto v2 = openFile(copy);
        QVERIFY(v2.ok());
        auto s2 = (*v2)->stat(ino);
        QVERIFY(!s2.ok());
        QVERIFY2(s2.error().message.find("before the volume start") != std::string::npos,
                 s2.error().message.c_str());
        // Invalid run header (length field of 9 bytes).
        QVERIFY(writeAt(copy, ro + runs, QByteArray(1, char(0x29))));
        QVERIFY(!(*openFile(copy))->stat(ino).ok());
    }

    void indexLoop() {
        QTemporaryDir tmp;
        const QString copy = tmp.path() + "/loop.ntfs";
        QVERIFY(QFile::copy(dir_ + "/hostile.ntfs", copy));
        const Geometry g = geometryOf(copy);
        QString err;
        auto fls = runFls(copy, 0, &err);
        const quint64 loop = inodeOf(fls, "loop");
        const auto runs = istatRuns(copy, loop, "$INDEX_ALLOCATION");
        QVERIFY(!runs.isEmpty());
        // Find an internal index block (one whose entries point to sub-nodes) and make one of its sub-node
        // pointers refer to the block itself.
        bool patched = false;
        for (const auto& run : runs) {
            for (qint64 c = 0; c < run.second && !patched && run.first >= 0; ++c) {
                const qint64 boff = (run.first + c) * g.cs;
                QByteArray blk = readAt(copy, boff, 4096);
                if (!blk.startsWith("INDX")) continue;
                auto p = reinterpret_cast<std::uint8_t*>(blk.data());
                // Undo fix-ups on the local copy to walk the entries.
                const int usa = le16(p + 4), cnt = le16(p + 6);
                for (int s = 1; s < cnt; ++s)
                    std::memcpy(p + s * 512 - 2, p + usa + 2 * s, 2);
                const quint64 vcn = le64(p + 16);
                int pos = 24 + int(le32(p + 24));
                const int end = 24 + int(le32(p + 28));
                while (pos + 16 <= end) {
                    const int len = le16(p + pos + 8);
                    const quint32 flags = le32(p + pos + 12);
                    if (len < 16) break;
                    if ((flags & 1) && clearOfFixups(boff + pos + len - 8, 8)) {
                        QVERIFY(writeAt(copy, boff + pos + len - 8, le(vcn, 8)));
                        patched = true;
                        break;
                    }
                    if (flags & 2) break;
                    pos += len;
                }
            }
        }
        QVERIFY2(patched, "fixture has no internal index block under /loop");
        auto v = openFile(copy);
        QVERIFY(v.ok());
        QElapsedTimer t;
        t.start();
        auto l = (*v)->list_path("\\loop");
        QVERIFY(!l.ok());
        QVERIFY2(l.error().message.find("index loop") != std::string::npos, l.error().message.c_str());
        // Lookups terminate (found, not found or an error) for every name, quickly.
        for (int i = 0; i < 600; i += 7) {
            auto r = (*v)->lookup(toS(
                QString("\\loop\\entry-%1-with-a-long-name-for-the-index.txt").arg(i, 4, 10, QChar('0'))));
            Q_UNUSED(r);
        }
        QVERIFY(
            !(*v)->walk(ntfs::kRootDirectory, [](const std::string&, const ntfs::DirEntry&) { return true; })
                 .ok());
        QVERIFY2(t.elapsed() < 20000, qPrintable(QString::number(t.elapsed())));
    }

    void directoryContainingItself() {
        QTemporaryDir tmp;
        const QString copy = tmp.path() + "/dirloop.ntfs";
        QVERIFY(QFile::copy(dir_ + "/hostile.ntfs", copy));
        const Geometry g = geometryOf(copy);
        QString err;
        auto fls = runFls(copy, 0, &err);
        const quint64 loop = inodeOf(fls, "loop");
        const quint64 sub = inodeOf(fls, "loop/sub");
        auto ist = testsupport::runTool("istat", {copy, QString::number(loop)});
        const quint64 seq =
            fieldOf(ist.out, QString("Entry: %1").arg(loop)).section(':', 1).trimmed().toULongLong();
        QVERIFY(seq > 0);
        // Find the index entry named "sub" in /loop's index blocks and point it at /loop itself.
        const QByteArray subName = QByteArray("s\0u\0b\0", 6);
        bool patched = false;
        for (const auto& run : istatRuns(copy, loop, "$INDEX_ALLOCATION")) {
            for (qint64 c = 0; c < run.second && !patched; ++c) {
                const qint64 boff = (run.first + c) * g.cs;
                QByteArray blk = readAt(copy, boff, 4096);
                if (!blk.startsWith("INDX")) continue;
                auto p = reinterpret_cast<std::uint8_t*>(blk.data());
                const int usa = le16(p + 4), cnt = le16(p + 6);
                for (int s = 1; s < cnt; ++s)
                    std::memcpy(p + s * 512 - 2, p + usa + 2 * s, 2);
                int pos = 24 + int(le32(p + 24));
                const int end = 24 + int(le32(p + 28));
                while (pos + 16 <= end) {
                    const int len = le16(p + pos + 8), klen = le16(p + pos + 10);
                    if (len < 16) break;
                    if (klen >= 66 && p[pos + 16 + 64] == 3 && blk.mid(pos + 16 + 66, 6) == subName &&
                        (le64(p + pos) & 0xffffffffffffULL) == sub) {
                        QVERIFY(clearOfFixups(boff + pos, 8));
                        QVERIFY(writeAt(copy, boff + pos, le(loop | (seq << 48), 8)));
                        patched = true;
                        break;
                    }
                    if (le32(p + pos + 12) & 2) break;
                    pos += len;
                }
            }
        }
        QVERIFY2(patched, "entry 'sub' not found in /loop's index blocks");
        auto v = openFile(copy);
        QVERIFY(v.ok());
        QElapsedTimer t;
        t.start();
        auto w =
            (*v)->walk(ntfs::kRootDirectory, [](const std::string&, const ntfs::DirEntry&) { return true; });
        QVERIFY(!w.ok());
        QVERIFY2(w.error().message.find("directory loop") != std::string::npos, w.error().message.c_str());
        // Paths through the loop resolve finitely: \loop\sub\sub\... is \loop.
        auto r = (*v)->lookup("\\loop\\sub\\sub\\sub\\sub");
        QVERIFY(r.ok() && *r == loop);
        QVERIFY2(t.elapsed() < 10000, qPrintable(QString::number(t.elapsed())));
    }

    void attributeListPointingAtWrongRecords() {
        const QString orig = dir_ + "/hostile.ntfs";
        const Geometry g = geometryOf(orig);
        QString err;
        auto fls = runFls(orig, 0, &err);
        const quint64 ino = inodeOf(fls, "frag/frag.bin");
        const qint64 ro = recordOffset(orig, g, ino);
        QVERIFY(ro > 0);
        const QByteArray rec = readAt(orig, ro, g.rec);
        const int a = findAttr(rec, 0x20);
        QVERIFY(a > 0);
        auto rp = reinterpret_cast<const std::uint8_t*>(rec.constData());
        const quint16 baseSeq = le16(rp + 16);
        // Where the attribute list's bytes are (resident: inside the record; else its first run).
        qint64 listOff;
        quint32 listLen;
        if (rec[a + 8] == 0) {
            listOff = ro + a + le16(rp + a + 20);
            listLen = le32(rp + a + 16);
        } else {
            const int runs = a + le16(rp + a + 32);
            const quint8 h = rp[runs];
            qint64 lcn = 0;
            for (int i = 0; i < (h >> 4); ++i)
                lcn |= qint64(rp[runs + 1 + (h & 15) + i]) << (8 * i);
            listOff = lcn * g.cs;
            listLen = quint32(le64(rp + a + 48));
        }
        struct Variant {
            const char* what;
            quint64 target; // record the extension references are redirected to
            const char* expect;
        } variants[] = {
            {"to the base record itself", ino, "missing extents"},
            {"to another file's base record", ntfs::kRootDirectory, "belongs to record"},
            {"past the end of the MFT", 0xffffffffULL, "past the end of the MFT"},
        };
        for (const auto& var : variants) {
            QTemporaryDir tmp;
            const QString copy = tmp.path() + "/alist.ntfs";
            QVERIFY(QFile::copy(orig, copy));
            QByteArray list = readAt(copy, listOff, listLen);
            int changed = 0;
            for (int pos = 0; pos + 26 <= list.size();) {
                auto e = reinterpret_cast<std::uint8_t*>(list.data()) + pos;
                const int len = le16(e + 4);
                if (len < 26) break;
                if ((le64(e + 16) & 0xffffffffffffULL) != ino &&
                    (rec[a + 8] != 0 || clearOfFixups(listOff + pos + 16, 8))) {
                    const quint64 seq = var.target == ino ? baseSeq : 0;
                    put_le64(e + 16, var.target | (seq << 48));
                    ++changed;
                }
                pos += len;
            }
            QVERIFY(changed > 0);
            QVERIFY(writeAt(copy, listOff, list));
            auto v = openFile(copy);
            QVERIFY(v.ok());
            auto st = (*v)->open_stream(ino);
            QVERIFY2(!st.ok(), var.what);
            QVERIFY2(st.error().message.find(var.expect) != std::string::npos,
                     qPrintable(QString(var.what) + ": " + toQ(st.error().message)));
            QVERIFY(!(*v)->open_path("\\frag\\frag.bin").ok());
            QVERIFY((*v)->open_path("\\big.bin").ok());
        }
    }

    void truncatedVolume() {
        QTemporaryDir tmp;
        const QString copy = tmp.path() + "/trunc.ntfs";
        QVERIFY(QFile::copy(dir_ + "/hostile.ntfs", copy));
        const Geometry g = geometryOf(copy);
        QString err;
        auto fls = runFls(copy, 0, &err);
        const quint64 big = inodeOf(fls, "big.bin");
        const auto bigRuns = istatRuns(copy, big, "$DATA");
        QVERIFY(!bigRuns.isEmpty());
        // Cut the volume just before big.bin's data: the MFT survives, the file's clusters do not.
        const qint64 cut = bigRuns[0].first * g.cs;
        QVERIFY(cut > qint64(g.mftLcn * g.cs + 64 * g.rec));
        QVERIFY(QFile::resize(copy, cut));
        auto v = openFile(copy);
        if (v.ok()) {
            QVERIFY(!(*v)->info().warnings.empty());
            auto s = (*v)->open_path("\\big.bin");
            QVERIFY(s.ok());
            std::vector<std::uint8_t> b(4096);
            auto r = (*s)->read_at(0, b);
            QVERIFY(!r.ok());
            QVERIFY2(r.error().message.find("past the end") != std::string::npos, r.error().message.c_str());
        } else {
            qInfo("truncated volume: %s", v.error().describe().c_str());
        }
        for (qint64 size : {qint64(g.mftLcn * g.cs + 100), qint64(4096), qint64(511), qint64(0)}) {
            QVERIFY(QFile::resize(copy, size));
            auto t = openFile(copy);
            QVERIFY2(!t.ok(), qPrintable(QString::number(size)));
        }
    }

    void brokenBootSector_data() {
        QTest::addColumn<int>("offset");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expect");
        QTest::newRow("oem") << 3 << QByteArray("MSDOS5.0") << "not an NTFS volume";
        QTest::newRow("bytes per sector 3") << 11 << le(3, 2) << "bytes per sector";
        QTest::newRow("bytes per sector 0") << 11 << le(0, 2) << "bytes per sector";
        QTest::newRow("sectors per cluster 3") << 13 << le(3, 1) << "sectors per cluster";
        QTest::newRow("sectors per cluster 0") << 13 << le(0, 1) << "sectors per cluster";
        QTest::newRow("cluster size 16 MiB") << 11 << (le(4096, 2) + le(244, 1)) << "too large";
        QTest::newRow("total sectors 0") << 40 << le(0, 8) << "total sector";
        QTest::newRow("total sectors huge") << 40 << le(0xffffffffffffffffULL, 8) << "total sector";
        QTest::newRow("MFT past the volume") << 48 << le(1ULL << 40, 8) << "outside the volume";
        QTest::newRow("MFT record size 0") << 64 << le(0, 1) << "MFT record";
        QTest::newRow("MFT record size 2^-40") << 64 << le(quint8(-40), 1) << "MFT record";
        QTest::newRow("MFT record size 100 clusters") << 64 << le(100, 1) << "MFT record";
        QTest::newRow("index block size 2^-4") << 68 << le(quint8(-4), 1) << "index block";
        QTest::newRow("MFT at cluster 0 (boot sector)") << 48 << le(0, 8) << "bad signature";
    }
    void brokenBootSector() {
        QFETCH(int, offset);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expect);
        QTemporaryDir tmp;
        const QString copy = tmp.path() + "/boot.ntfs";
        QVERIFY(QFile::copy(dir_ + "/dirty.ntfs", copy));
        QVERIFY(writeAt(copy, offset, bytes));
        auto v = openFile(copy);
        QVERIFY(!v.ok());
        QVERIFY2(v.error().message.find(toS(expect)) != std::string::npos, v.error().message.c_str());
        QCOMPARE(toQ(v.error().file), copy);
    }

    void randomCorruption() {
        // Seeded random byte changes in the MFT and in /loop's index blocks; every operation must end in a
        // result or a clear error, in bounded time.
        const QString image = dir_ + "/hostile.ntfs";
        auto f = FileSource::open(toS(image));
        QVERIFY(f.ok());
        const Geometry g = geometryOf(image);
        QString err;
        auto fls = runFls(image, 0, &err);
        const auto idxRuns = istatRuns(image, inodeOf(fls, "loop"), "$INDEX_ALLOCATION");
        QVERIFY(!idxRuns.isEmpty());
        const quint64 mftStart = g.mftLcn * g.cs, mftLen = 700ull * g.rec;
        const quint64 idxStart = quint64(idxRuns[0].first) * g.cs, idxLen = quint64(idxRuns[0].second) * g.cs;
        // Records worth aiming at: $MFT, $Volume, root, $UpCase, /loop, /frag/frag.bin and its extensions.
        const quint64 frag = inodeOf(fls, "frag/frag.bin");
        const QList<quint64> hot = {0,    3,        5,        10,       inodeOf(fls, "loop"),
                                    frag, frag + 1, frag + 2, frag + 3, inodeOf(fls, "big.bin")};
        QRandomGenerator rng(20240611);
        QElapsedTimer total;
        total.start();
        int opened = 0, errors = 0;
        for (int iter = 0; iter < 400; ++iter) {
            std::map<std::uint64_t, std::uint8_t> patches;
            const int n = 1 + int(rng.bounded(12));
            for (int k = 0; k < n; ++k) {
                quint64 off;
                switch (rng.bounded(4)) {
                case 0:
                    off = idxStart + rng.bounded(idxLen);
                    break;
                case 1:
                    off = mftStart + rng.bounded(mftLen);
                    break;
                default: // headers and attribute headers of the hot records (first 256 bytes)
                    off = mftStart + hot[int(rng.bounded(hot.size()))] * g.rec + rng.bounded(256);
                }
                patches[off] = std::uint8_t(rng.bounded(256));
            }
            auto src = std::make_shared<PatchedSource>(*f, std::move(patches));
            QElapsedTimer t;
            t.start();
            auto v = ntfs::Volume::open(src);
            if (!v.ok()) {
                ++errors;
                QVERIFY(!v.error().message.empty());
                continue;
            }
            ++opened;
            int files = 0;
            auto st = (*v)->walk(ntfs::kRootDirectory, [&](const std::string& p, const ntfs::DirEntry& e) {
                if (!e.is_directory && files++ < 40) {
                    auto s = (*v)->open_path(p);
                    if (s.ok()) {
                        std::vector<std::uint8_t> b(
                            std::size_t(std::min<std::uint64_t>((*s)->size(), 1 << 20)));
                        (void)(*s)->read_at(0, b);
                    }
                }
                return true;
            });
            if (!st.ok()) ++errors;
            for (const char* p : {"\\big.bin", "\\frag\\frag.bin", "\\loop\\sub\\file.txt"}) {
                auto s = (*v)->open_path(p);
                if (!s.ok()) continue;
                std::vector<std::uint8_t> b(std::size_t(std::min<std::uint64_t>((*s)->size(), 4 << 20)));
                (void)(*s)->read_at(0, b);
            }
            QVERIFY2(t.elapsed() < 10000,
                     qPrintable(QString("iteration %1 took %2 ms").arg(iter).arg(t.elapsed())));
        }
        qInfo("random corruption: %d opened, %d errors, %lld ms", opened, errors, total.elapsed());
        QVERIFY(opened > 0);
    }
};

QTEST_GUILESS_MAIN(TestNtfs)
#include "test_ntfs.moc"
