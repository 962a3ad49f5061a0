// Hostile ZVHD2 (and ZVHD) through the real CLI: files written by imgprep's writer, then truncated, given a
// bad checksum, bytes after the trailing footer, an index or bitmap outside the file, a frame past the end, a
// payload that decompresses to the wrong size, a finished zlib stream, and random corruption. `imgprep info
// --checksum sha256` (which opens the image and reads every block) must end with exit 2 and one clear line
// naming the file and the problem — never a crash, a hang or unbounded memory (address-space limit of 1 GiB
// when not sanitized) — or, for random corruption that happens to be harmless, exit 0.
#include <QtTest>

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtEndian>

#include <zlib.h>
#include <zstd.h>

#include "testsupport.h"
#include "zvhd2_testutil.h"

using namespace testsupport;

namespace {

constexpr qint64 MiB = 1 << 20;

struct Outcome {
    int exitCode;
    QByteArray err;
    QByteArray out; // the --json document
};

// Random-corruption rounds: fewer under ASan+UBSan, where every case runs several times slower (the fuzzers
// go much further).
#ifdef IMGPREP_SANITIZED
constexpr int kRoundScale = 2;
#else
constexpr int kRoundScale = 5;
#endif

Outcome runInfo(const QString& path) {
    QStringList args;
    QString program;
#ifdef IMGPREP_SANITIZED
    program = cliPath();
#else
    program = "prlimit";
    args << "--as=1073741824"
         << "--" << cliPath();
#endif
    args << "info" << path << "--json"
         << "--checksum"
         << "sha256";
    auto r = runTool(program, args, 60000);
    return {r.exitCode, r.err, r.out};
}

QByteArray text(int n, int seed) {
    QByteArray b;
    while (b.size() < n)
        b += QByteArray::number(seed++) + " lorem ipsum dolor sit amet ";
    return b.left(n);
}

QByteArray slurp(const QString& p) {
    QFile f(p);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}
bool spit(const QString& p, const QByteArray& b) {
    QFile f(p);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(b) == b.size();
}
void putLe32(QByteArray& b, qint64 at, quint32 v) {
    qToLittleEndian<quint32>(v, b.data() + at);
}
void putLe64(QByteArray& b, qint64 at, quint64 v) {
    qToLittleEndian<quint64>(v, b.data() + at);
}
// Recomputes the VHD checksum of the footer at `at`.
void fixChecksum(QByteArray& b, qint64 at) {
    quint32 sum = 0;
    for (int i = 0; i < 512; ++i)
        if (i < 64 || i >= 68) sum += quint8(b[int(at + i)]);
    putLe32(b, at + 64, ~sum);
}

} // namespace

class TestZvhd2Hostile : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;
    QString raw_, zstd_, zlib_;
    zvhd2test::Parsed pz_, pl_;

    void expectError(const QString& path, const QString& what, const QByteArray& phrase) {
        const QByteArray before = sha256OfFile(path);
        const Outcome o = runInfo(path);
        const QByteArray line = o.err.trimmed();
        QVERIFY2(o.exitCode == 2, qPrintable(QString("%1: exit %2, stderr: %3")
                                                 .arg(what)
                                                 .arg(o.exitCode)
                                                 .arg(QString::fromUtf8(o.err.left(2000)))));
        QVERIFY2(line.startsWith("imgprep: "), qPrintable(what + ": " + QString::fromUtf8(line)));
        QVERIFY2(!line.contains('\n'), qPrintable(what + ": more than one line: " + QString::fromUtf8(line)));
        QVERIFY2(line.contains(QFileInfo(path).fileName().toUtf8()),
                 qPrintable(what + ": does not name the file: " + QString::fromUtf8(line)));
        QVERIFY2(line.contains(phrase), qPrintable(what + ": expected \"" + QString::fromUtf8(phrase) +
                                                   "\" in: " + QString::fromUtf8(line)));
        QCOMPARE(sha256OfFile(path), before);
    }
    void expectClean(const QString& path, const QString& what) {
        const Outcome o = runInfo(path);
        QVERIFY2(o.exitCode == 0 || o.exitCode == 2,
                 qPrintable(QString("%1: exit %2 (crash or signal?) stderr: %3")
                                .arg(what)
                                .arg(o.exitCode)
                                .arg(QString::fromUtf8(o.err.left(2000)))));
        if (o.exitCode == 2) {
            const QByteArray line = o.err.trimmed();
            QVERIFY2(line.startsWith("imgprep: ") && !line.contains('\n'),
                     qPrintable(what + ": " + QString::fromUtf8(line)));
        }
    }
    // A copy of base with the change applied.
    QString variant(const QString& base, const QString& name,
                    const std::function<void(QByteArray&)>& change) {
        QByteArray b = slurp(base);
        change(b);
        const QString p = tmp_.filePath(name + ".zvhd2");
        spit(p, b);
        return p;
    }

  private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        // 16 MiB: text in blocks 0, 2, 3, 7 (block 0 also holds an MBR signature), zeros elsewhere.
        raw_ = tmp_.filePath("base.raw");
        QByteArray raw(int(16 * MiB), '\0');
        for (int b : {0, 2, 3, 7})
            raw.replace(int(b * 2 * MiB + 4096), int(MiB / 2), text(int(MiB / 2), b));
        raw[510] = char(0x55);
        raw[511] = char(0xaa);
        QVERIFY(spit(raw_, raw));
        zstd_ = tmp_.filePath("base-zstd.zvhd2");
        zlib_ = tmp_.filePath("base-zlib.zvhd2");
        for (const auto& [out, method] :
             {qMakePair(zstd_, QString("zstd")), qMakePair(zlib_, QString("zlib"))}) {
            auto r = runTool(cliPath(),
                             {"convert", raw_, "--to", "zvhd2", "--compress", method, "-o", out, "--quiet"});
            QVERIFY2(r.exitCode == 0, r.err.constData());
        }
        QString why = zvhd2test::checkZvhd2(zstd_, raw_, 1, &pz_);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        why = zvhd2test::checkZvhd2(zlib_, raw_, 0, &pl_);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QCOMPARE(pz_.blocks.size(), 4);
        QCOMPARE(runInfo(zstd_).exitCode, 0);
        QCOMPARE(runInfo(zlib_).exitCode, 0);
    }

    void truncated() {
        const qint64 size = QFileInfo(zstd_).size();
        for (qint64 cut : {size - 1000, size - 4096, size / 2, qint64(8192 + 100)}) {
            const QString p =
                variant(zstd_, QString("cut%1").arg(cut), [&](QByteArray& b) { b.truncate(int(cut)); });
            expectError(p, QString("truncated to %1").arg(cut), "truncated");
        }
        expectError(variant(zstd_, "cut4096", [](QByteArray& b) { b.truncate(4096); }), "4096 bytes",
                    "too short");
    }

    void badChecksum() {
        const QString p = variant(zstd_, "badsum", [](QByteArray& b) {
            b[b.size() - 4096 + 40] = char(b[b.size() - 4096 + 40] ^ 1);
        });
        expectError(p, "bad trailing checksum", "checksum");
    }

    void bytesAfterTrailingFooter() {
        for (int extra : {1, 512, 4096, 100000}) {
            const QString p = variant(zstd_, QString("tail%1").arg(extra),
                                      [&](QByteArray& b) { b.append(QByteArray(extra, '\0')); });
            expectError(p, QString("%1 bytes appended").arg(extra), "follow the ZVHD2 trailing footer");
        }
    }

    void metadataOutsideTheFile() {
        auto trailerField = [&](const QString& name, int off, quint64 value, bool wide,
                                const QByteArray& phrase) {
            const QString p = variant(zstd_, name, [&](QByteArray& b) {
                const qint64 t = b.size() - 4096;
                if (wide)
                    putLe64(b, t + off, value);
                else
                    putLe32(b, t + off, quint32(value));
                fixChecksum(b, t);
            });
            expectError(p, name, phrase);
        };
        const qint64 size = QFileInfo(zstd_).size();
        trailerField("index-outside", 96, quint64(size) * 4, true, "index");
        trailerField("index-past-end", 96, quint64(size) - 4096 - 16, true, "index");
        trailerField("bitmap-outside", 104, quint64(1) << 40, true, "bitmap");
        trailerField("index-over-bitmap", 96, pz_.trailer.bitmapLba() - 16, true, "overlap");
        trailerField("index-in-header", 96, 16, true, "index");
        trailerField("max-blk-huge", 92, 0xffffffffu, false, "max_blk_num");
        trailerField("block-size-1M", 88, 1u << 20, false, "block size");
        trailerField("curr-size-odd", 48, (quint64(1) << 30) + 512, true, "multiple of the 2 MiB");
        trailerField("curr-size-zero", 48, 0, true, "multiple of the 2 MiB");
        trailerField("curr-size-absurd", 48, quint64(1) << 62, true, "256 TiB");
        const QString m = variant(zstd_, "method7", [](QByteArray& b) {
            b[b.size() - 4096 + 141] = 7;
            fixChecksum(b, b.size() - 4096);
        });
        expectError(m, "compress_method 7", "compression method");
        const QString v0 = variant(zstd_, "version0", [](QByteArray& b) { b[87] = 0; });
        expectError(v0, "header version 0", "version 0");
    }

    void framesAndIndex() {
        const qint64 idx = qint64(pz_.trailer.indexLba());
        auto entry = [&](const QString& name, int k, int off, quint32 value, const QByteArray& phrase) {
            const QString p =
                variant(zstd_, name, [&](QByteArray& b) { putLe32(b, idx + 16 * k + off, value); });
            expectError(p, name, phrase);
        };
        entry("frame-past-end", 0, 12, 4202496, "outside the data area");
        entry("frame-length-absurd", 0, 12, 0xffffffffu, "frame length");
        entry("entry-names-other-block", 1, 8, 9999, "names block 9999");
        const QString off = variant(zstd_, "frame-offset-past-end", [&](QByteArray& b) {
            putLe64(b, idx + 16 * 2, quint64(b.size()) + 8192);
        });
        expectError(off, "frame offset past the end", "outside the data area");
        const qint64 f1 = qint64(pz_.offsets[1]);
        const QString hdr =
            variant(zstd_, "frame-header-block", [&](QByteArray& b) { putLe32(b, f1 + 16, 77); });
        expectError(hdr, "frame header names another block", "frame header says block 77");
        const QString pre = variant(zstd_, "frame-prefix", [&](QByteArray& b) { b[int(f1)] = 'X'; });
        expectError(pre, "frame prefix", "hwstream bg");
        const QString psz =
            variant(zstd_, "payload-size", [&](QByteArray& b) { putLe32(b, f1 + 12, 0x00ffffff); });
        expectError(psz, "payload size past the frame", "payload size");
        const QString garbage = variant(zstd_, "payload-garbage", [&](QByteArray& b) {
            for (int i = 0; i < 64; ++i)
                b[int(f1 + 48 + 20 + i)] = char(0xa5 ^ i);
        });
        expectError(garbage, "corrupt zstd payload", "zstd");
        // More bitmap bits than index entries: the entries after the extra one name other blocks.
        const QString bits = variant(zstd_, "extra-bitmap-bit", [&](QByteArray& b) {
            b[int(pz_.trailer.bitmapLba())] = char(quint8(b[int(pz_.trailer.bitmapLba())]) | 0x02);
        });
        expectError(bits, "extra bitmap bit", "names block");
    }

    // An index entry with offset 0 or length 0 reads as a zero block, as the driver reads it: through
    // whole-block reads (the checksum) and through reads smaller than a block (inspection reads block 0's
    // sectors).
    void zeroIndexEntries() {
        const qint64 idx = qint64(pz_.trailer.indexLba());
        const QString p = variant(zstd_, "zero-entries", [&](QByteArray& b) {
            putLe64(b, idx + 16 * 0, 0);      // block 0: offset 0
            putLe32(b, idx + 16 * 2 + 12, 0); // block 3 (the third stored): length 0
        });
        QByteArray raw = slurp(raw_);
        for (int block : {0, 3})
            raw.replace(int(block * 2 * MiB), int(2 * MiB), QByteArray(int(2 * MiB), '\0'));
        const Outcome o = runInfo(p);
        QVERIFY2(o.exitCode == 0, o.err.constData());
        const QJsonObject root = QJsonDocument::fromJson(o.out).object();
        const qint64 vsize = qint64(root["image"].toObject()["virtual_size"].toDouble());
        QVERIFY(vsize >= raw.size());
        QCryptographicHash h(QCryptographicHash::Sha256);
        h.addData(raw);
        const QByteArray zeros(int(MiB), '\0');
        for (qint64 left = vsize - raw.size(); left > 0; left -= MiB)
            h.addData(zeros.left(int(std::min<qint64>(left, MiB))));
        QCOMPARE(root["checksum"].toObject()["sha256"].toString().toLatin1(), h.result().toHex());
        // Block 0 held the MBR signature (inspection reads its first sectors): found in the original, gone
        // here.
        auto table = [](const QString& path) {
            const ToolResult r = runTool(cliPath(), {"inspect", path, "--json"}, 60000);
            return QJsonDocument::fromJson(r.out).object()["facts"].toObject()["partition_table"].toString();
        };
        QCOMPARE(table(zstd_), QString("mbr"));
        QVERIFY2(table(p) != "mbr", qPrintable(table(p)));
    }

    void wrongDecompressedSize() {
        // Frame 0's payload replaced by a zstd frame of 1 MiB (the last block included, every payload must
        // give exactly 2 MiB).
        const qint64 f0 = qint64(pz_.offsets[0]);
        const QByteArray half =
            QByteArray(int(MiB) - 100, 'a') + text(100, 5); // compresses to a few hundred bytes
        QByteArray z(int(ZSTD_compressBound(size_t(half.size()))), '\0');
        const size_t n = ZSTD_compress(z.data(), size_t(z.size()), half.constData(), size_t(half.size()), 3);
        QVERIFY(!ZSTD_isError(n));
        QVERIFY(48 + n + 4 <= pz_.lengths[0]);
        const QString p = variant(zstd_, "zstd-1MiB", [&](QByteArray& b) {
            b.replace(int(f0 + 48), int(n), z.left(int(n)));
            putLe32(b, f0 + 12, quint32(n));
        });
        expectError(p, "zstd payload of 1 MiB", "decompresses to 1048576 bytes");
        // The same with zlib (an unfinished stream of 1 MiB).
        const qint64 g0 = qint64(pl_.offsets[0]);
        QByteArray d(int(compressBound(uLong(half.size()))) + 64, '\0');
        z_stream s{};
        deflateInit2(&s, 1, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY);
        s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(half.constData()));
        s.avail_in = uInt(half.size());
        s.next_out = reinterpret_cast<Bytef*>(d.data());
        s.avail_out = uInt(d.size());
        QCOMPARE(deflate(&s, Z_SYNC_FLUSH), Z_OK);
        const int dn = d.size() - int(s.avail_out);
        deflateEnd(&s);
        QVERIFY(48 + dn + 4 <= int(pl_.lengths[0]));
        const QString q = variant(zlib_, "zlib-1MiB", [&](QByteArray& b) {
            b.replace(int(g0 + 48), dn, d.left(dn));
            putLe32(b, g0 + 12, quint32(dn));
        });
        expectError(q, "zlib payload of 1 MiB", "decompresses to 1048576 bytes");
    }

    void finishedZlibStream() {
        // Frame 0 of the zlib file replaced by a normal, finished zlib stream of the same 2 MiB (compress2):
        // the cloud's driver refuses it (inflate returns Z_STREAM_END), so must we.
        const qint64 g0 = qint64(pl_.offsets[0]);
        QByteArray block = slurp(raw_).left(int(2 * MiB));
        uLongf n = compressBound(uLong(block.size()));
        QByteArray z(int(n), '\0');
        QCOMPARE(compress2(reinterpret_cast<Bytef*>(z.data()), &n,
                           reinterpret_cast<const Bytef*>(block.constData()), uLong(block.size()), 1),
                 Z_OK);
        QVERIFY2(48 + n + 4 <= pl_.lengths[0], "the finished stream does not fit the frame");
        const QString p = variant(zlib_, "zlib-finished", [&](QByteArray& b) {
            b.replace(int(g0 + 48), int(n), z.left(int(n)));
            putLe32(b, g0 + 12, quint32(n));
        });
        expectError(p, "finished zlib stream", "finished");
    }

    void randomCorruption() {
        for (const QString& base : {zstd_, zlib_}) {
            const QByteArray orig = slurp(base);
            quint64 seed = quint64(orig.size()) * 2654435761u;
            auto next = [&]() {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                return seed >> 17;
            };
            for (int round = 0; round < 6 * kRoundScale; ++round) {
                QByteArray b = orig;
                const int bursts = 1 + int(next() % 4);
                for (int k = 0; k < bursts; ++k) {
                    // Footers, index and bitmap (the last 600 KiB) more often than frames.
                    const qint64 window = round % 2 ? qMin<qint64>(b.size(), 600 * 1024) : b.size();
                    const qint64 at = b.size() - 1 - qint64(next() % quint64(window));
                    const int len = 1 + int(next() % 8);
                    for (int i = 0; i < len && at + i < b.size(); ++i) {
                        const quint64 v = next();
                        b[int(at + i)] = char(v % 4 == 0 ? 0xff : v % 4 == 1 ? 0x00 : int(v >> 8));
                    }
                }
                if (round % 3 == 0) fixChecksum(b, b.size() - 4096); // let the corruption past the checksum
                const QString p = tmp_.filePath(QString("random%1.zvhd2").arg(round));
                QVERIFY(spit(p, b));
                expectClean(p, QString("%1 round %2").arg(QFileInfo(base).fileName()).arg(round));
            }
        }
    }

    void oldZvhd() {
        if (sharedDir().isEmpty()) QSKIP("../shared/testdata is absent");
        const QByteArray orig = slurp(sharedDir() + "/testdata/zvhd2/g1.zvhd");
        QCOMPARE(runInfo(sharedDir() + "/testdata/zvhd2/g1.zvhd").exitCode, 0);
        auto make = [&](const QString& name, const std::function<void(QByteArray&)>& change) {
            QByteArray b = orig;
            change(b);
            const QString p = tmp_.filePath(name + ".zvhd");
            spit(p, b);
            return p;
        };
        expectError(make("z-cut", [](QByteArray& b) { b.truncate(b.size() - 4096); }), "truncated ZVHD",
                    "truncated");
        expectError(make("z-cut-mid", [](QByteArray& b) { b.truncate(b.size() / 2); }), "truncated ZVHD",
                    "truncated");
        // Frame 2 (block 31) renumbered to block 1: blocks must ascend.
        expectError(make("z-order", [](QByteArray& b) { putLe32(b, 159744 + 16, 1); }), "descending blocks",
                    "ascend");
        expectError(make("z-postfix", [](QByteArray& b) { b[135168 - 2] = 'X'; }), "postfix", "end");
        expectError(make("z-payload",
                         [](QByteArray& b) {
                             for (int i = 0; i < 32; ++i)
                                 b[4096 + 48 + 100 + i] = char(i * 37);
                         }),
                    "corrupt stream", "zlib");
        expectError(make("z-header", [](QByteArray& b) { b[40] = char(b[40] ^ 4); }), "header checksum",
                    "checksum");
        quint64 seed = 7;
        for (int round = 0; round < 4 * kRoundScale; ++round) {
            QByteArray b = orig;
            for (int k = 0; k < 3; ++k) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                b[int((seed >> 20) % quint64(b.size()))] = char(seed >> 56);
            }
            const QString p = tmp_.filePath(QString("zrandom%1.zvhd").arg(round));
            spit(p, b);
            expectClean(p, QString("ZVHD round %1").arg(round));
        }
    }
};

QTEST_GUILESS_MAIN(TestZvhd2Hostile)
#include "test_zvhd2_hostile.moc"
