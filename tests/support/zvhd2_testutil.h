// The tests' own, independent reading of a ZVHD2 file (docs/formats.md, from the cloud's driver zvhd2.c):
// every footer field, the frames walked from offset 4096, the index and bitmap segments, and every payload
// decoded with libzstd / zlib directly (not through core/image) and compared with the expected content.
// Header-only; used by the ZVHD2 suites.
#pragma once

#include <QByteArray>
#include <QFile>
#include <QScopeGuard>
#include <QString>
#include <QVector>
#include <QtEndian>

#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <cstring>

#include "convert/zvhd2_writer.h"
#include "image/image_reader.h"
#include "image/open.h"
#include "testsupport.h"

namespace zvhd2test {

// Writes the image at src to out with imgprep's ZVHD2 writer (no final flush); returns "" or the error.
inline QString writeWithImgprep(const QString& src, const QString& out, imgprep::zvhd::Method m,
                                unsigned threads) {
    auto img = imgprep::open_image(src.toStdString());
    if (!img) return QString::fromStdString(img.error().describe());
    imgprep::Zvhd2WriteOptions o;
    o.output = out.toStdString();
    o.overwrite = true;
    o.method = m;
    o.threads = threads;
    o.sync = false;
    auto r = imgprep::write_zvhd2(**img, o, imgprep::null_progress());
    return r ? QString() : QString::fromStdString(r.error().describe());
}

constexpr quint64 kBlock = 2u << 20;
constexpr quint64 kSlot = 4096;

struct Footer {
    QByteArray raw; // 512 bytes
    quint64 u64(int off) const { return qFromLittleEndian<quint64>(raw.constData() + off); }
    quint32 u32(int off) const { return qFromLittleEndian<quint32>(raw.constData() + off); }
    quint8 u8(int off) const { return quint8(raw[off]); }
    quint64 origSize() const { return u64(40); }
    quint64 currSize() const { return u64(48); }
    quint32 checksum() const { return u32(64); }
    quint32 maxBlk() const { return u32(92); }
    quint64 indexLba() const { return u64(96); }
    quint64 bitmapLba() const { return u64(104); }
    quint32 indexSize() const { return u32(112); }
    quint32 bitmapSize() const { return u32(116); }
    quint32 indexSegNum() const { return u32(128); }
    quint32 bitmapSegNum() const { return u32(132); }
    quint32 nonZero() const { return u32(136); }
    quint8 method() const { return u8(141); }
    // VHD checksum: ones' complement of the byte sum with the checksum field as zero.
    quint32 computedChecksum() const {
        quint32 sum = 0;
        for (int i = 0; i < 512; ++i)
            if (i < 64 || i >= 68) sum += quint8(raw[i]);
        return ~sum;
    }
};

// The VHD specification's CHS algorithm (appendix "CHS calculation"), on the sector count as a 32-bit number.
inline quint32 vhdGeometry(quint64 bytes) {
    quint64 s64 = (bytes + 511) / 512;
    if (s64 == 0) s64 = 1;
    quint32 total = quint32(s64);
    quint32 spt, heads, cth;
    if (total > 65535u * 16 * 255) total = 65535u * 16 * 255;
    if (total >= 65535u * 16 * 63) {
        spt = 255;
        heads = 16;
        cth = total / spt;
    } else {
        spt = 17;
        cth = total / spt;
        heads = (cth + 1023) / 1024;
        if (heads < 4) heads = 4;
        if (cth >= heads * 1024 || heads > 16) {
            spt = 31;
            heads = 16;
            cth = total / spt;
        }
        if (cth >= heads * 1024) {
            spt = 63;
            heads = 16;
            cth = total / spt;
        }
    }
    return ((cth / heads) << 16) | (heads << 8) | spt;
}

struct Parsed {
    Footer header, mid, trailer;
    QVector<quint32> blocks;  // stored blocks in file order
    QVector<quint64> offsets; // their frame offsets
    QVector<quint32> lengths; // their frame lengths
    quint64 dataEnd = 0;
};

inline QString fail(const QString& s) {
    return s;
}

// Checks the file at `path` against the driver's layout (docs/formats.md "ZVHD2 writer"). expectedRaw: a file
// with the content the image must hold (shorter than the virtual size: the rest must be zeros), or empty to
// skip the content comparison. expectMethod: 1 zstd, 0 zlib. Returns "" when all is as it must be.
inline QString checkZvhd2(const QString& path, const QString& expectedRaw, int expectMethod,
                          Parsed* out = nullptr) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return "cannot open " + path;
    const QByteArray all = f.readAll();
    const quint64 size = quint64(all.size());
    if (size < 3 * kSlot || size % kSlot)
        return QString("file size %1 is not a multiple of 4096 >= 12288").arg(size);
    Parsed p;
    p.header.raw = all.left(512);
    p.trailer.raw = all.mid(int(size - kSlot), 512);
    for (const Footer* ft : {&p.header, &p.trailer}) {
        if (!ft->raw.startsWith(QByteArray("z2strm\0\0", 8))) return "footer cookie is not z2strm";
        if (ft->checksum() != ft->computedChecksum()) return "footer checksum mismatch";
        if (ft->u32(8) != 2 || ft->u32(12) != 0x00010000 || ft->u64(16) != ~quint64(0))
            return "features / ff_version / data_offset differ from the driver's";
        if (ft->raw.mid(28, 4) != QByteArray("tap\0", 4) || ft->u32(32) != 0x00010004 || ft->u32(36) != 0)
            return "creator fields differ from the driver's";
        if (ft->u32(60) != 4 || ft->u8(87) != 1 || ft->u32(88) != kBlock || ft->u8(140) != 0)
            return "type / zvhd2_version / block_size / index_contains_zero_blk differ";
        if (ft->method() != expectMethod) return QString("compress_method %1").arg(ft->method());
        if (ft->origSize() % 512 ||
            ft->currSize() != (ft->origSize() + (1u << 30) - 1) / (1u << 30) * (1u << 30))
            return "orig_size / curr_size rounding differs";
        if (ft->maxBlk() != (ft->origSize() + kBlock - 1) / kBlock) return "max_blk_num differs";
        if (ft->u32(56) != vhdGeometry(ft->origSize()))
            return "geometry differs from the VHD CHS of orig_size";
        if (ft->raw.mid(142) != QByteArray(370, '\0')) return "reserved footer bytes are not zero";
    }
    if (all.mid(512, int(kSlot - 512)) != QByteArray(int(kSlot - 512), '\0') ||
        all.mid(int(size - kSlot + 512), int(kSlot - 512)) != QByteArray(int(kSlot - 512), '\0'))
        return "footer slot bytes 512..4095 are not zero";
    const Footer& h = p.header;
    const Footer& t = p.trailer;
    if (h.indexLba() || h.bitmapLba() || h.indexSize() || h.bitmapSize() || h.u32(120) || h.u32(124) ||
        h.indexSegNum() || h.bitmapSegNum() || h.nonZero())
        return "the header footer's index/bitmap fields are not 0 as zvhd2_create writes them";
    if (h.raw.mid(0, 64) != t.raw.mid(0, 64) || h.raw.mid(68, 28) != t.raw.mid(68, 28))
        return "header and trailing footer differ in their common fields";
    // Frames from 4096, ascending, contiguous.
    quint64 pos = kSlot;
    const quint64 midAt = t.indexLba() - kSlot;
    QFile raw(expectedRaw);
    if (!expectedRaw.isEmpty() && !raw.open(QIODevice::ReadOnly)) return "cannot open " + expectedRaw;
    QByteArray block(int(kBlock), '\0');
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    auto cleanup = qScopeGuard([&] { ZSTD_freeDCtx(dctx); });
    while (pos < midAt) {
        const char* fr = all.constData() + pos;
        if (std::memcmp(fr, "hwstream bg\0", 12) != 0) return QString("no frame prefix at %1").arg(pos);
        const quint32 psize = qFromLittleEndian<quint32>(fr + 12);
        const quint32 blk = qFromLittleEndian<quint32>(fr + 16);
        if (QByteArray(fr + 20, 28) != QByteArray(28, '\0')) return "frame header reserved bytes not zero";
        const quint64 len = (48 + quint64(psize) + 4 + kSlot - 1) / kSlot * kSlot;
        if (pos + len > midAt) return QString("frame at %1 runs into the metadata").arg(pos);
        if (std::memcmp(fr + len - 4, "end\0", 4) != 0)
            return QString("frame at %1 does not end with end").arg(pos);
        if (!p.blocks.isEmpty() && blk <= p.blocks.last()) return "frames not in ascending block order";
        if (blk >= t.maxBlk()) return "frame block beyond max_blk_num";
        const QByteArray payload(fr + 48, int(psize));
        // Decode independently.
        if (expectMethod == 1) {
            if (!payload.startsWith("\x28\xb5\x2f\xfd")) return "zstd payload without the zstd magic";
            const size_t n = ZSTD_decompressDCtx(dctx, block.data(), size_t(block.size()),
                                                 payload.constData(), size_t(payload.size()));
            if (ZSTD_isError(n) || n != kBlock)
                return QString("block %1: zstd payload does not give 2 MiB").arg(blk);
        } else {
            if (!payload.startsWith("\x78\x01")) return "zlib payload without the level-1 zlib header 78 01";
            if (!payload.endsWith(QByteArray("\x00\x00\xff\xff", 4)))
                return QString("block %1: zlib payload does not end with the sync-flush marker").arg(blk);
            z_stream z{};
            inflateInit2(&z, 15);
            z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.constData()));
            z.avail_in = uInt(payload.size());
            z.next_out = reinterpret_cast<Bytef*>(block.data());
            z.avail_out = uInt(block.size());
            const int ret = inflate(&z, Z_SYNC_FLUSH);
            const bool full = z.avail_out == 0 && z.avail_in == 0;
            inflateEnd(&z);
            if (ret != Z_OK || !full)
                return QString("block %1: zlib payload is not an unfinished stream of 2 MiB (%2)")
                    .arg(blk)
                    .arg(ret);
        }
        if (!expectedRaw.isEmpty()) {
            QByteArray want(int(kBlock), '\0');
            if (quint64(raw.size()) > quint64(blk) * kBlock) {
                raw.seek(qint64(blk) * qint64(kBlock));
                const QByteArray got = raw.read(qint64(kBlock));
                want.replace(0, got.size(), got);
            }
            if (want != block) return QString("block %1 decodes to other bytes than expected").arg(blk);
            if (want.count('\0') == want.size()) return QString("block %1 is all zero but stored").arg(blk);
        }
        p.blocks.append(blk);
        p.offsets.append(pos);
        p.lengths.append(quint32(len));
        pos += len;
    }
    if (pos != midAt) return "frames do not end where the mid footer starts";
    p.dataEnd = pos;
    // Every non-zero block of the expected content is stored.
    if (!expectedRaw.isEmpty()) {
        raw.seek(0);
        quint32 b = 0;
        int k = 0;
        while (!raw.atEnd()) {
            const QByteArray got = raw.read(qint64(kBlock));
            const bool nonzero = got.count('\0') != got.size();
            const bool storedHere = k < p.blocks.size() && p.blocks[k] == b;
            if (nonzero && !storedHere) return QString("non-zero block %1 is not stored").arg(b);
            if (storedHere) ++k;
            ++b;
        }
    }
    // Mid footer: the header with non_zero_blk_num set, checksum not recomputed.
    p.mid.raw = all.mid(int(midAt), 512);
    QByteArray expectMid = h.raw;
    qToLittleEndian<quint32>(quint32(p.blocks.size()), expectMid.data() + 136);
    if (p.mid.raw != expectMid) return "mid footer is not the header footer with non_zero_blk_num updated";
    // Index.
    const quint64 n = quint64(p.blocks.size());
    const quint64 segs = (n + 32767) / 32768;
    if (t.nonZero() != n || t.indexSegNum() != segs || t.indexSize() != segs * 524288 || t.u32(120) != 524288)
        return "index fields of the trailing footer do not match the frames";
    for (quint64 i = 0; i < segs * 32768; ++i) {
        const char* e = all.constData() + t.indexLba() + i * 16;
        if (i < n) {
            if (qFromLittleEndian<quint64>(e) != p.offsets[int(i)] ||
                qFromLittleEndian<quint32>(e + 8) != p.blocks[int(i)] ||
                qFromLittleEndian<quint32>(e + 12) != p.lengths[int(i)])
                return QString("index entry %1 does not describe frame %1").arg(i);
        } else if (QByteArray(e, 16) != QByteArray(16, '\0')) {
            return QString("unused index entry %1 is not zero").arg(i);
        }
    }
    // Bitmap.
    const quint64 bsegs = (quint64(t.maxBlk()) + 32767) / 32768;
    if (t.bitmapLba() != t.indexLba() + segs * 524288 || t.bitmapSegNum() != bsegs ||
        t.bitmapSize() != bsegs * 4096 || t.u32(124) != 4096)
        return "bitmap fields of the trailing footer are wrong";
    if (t.bitmapLba() + bsegs * 4096 + kSlot != size)
        return "the trailing footer is not right after the bitmap";
    int k = 0;
    for (quint64 b = 0; b < bsegs * 32768; ++b) {
        const bool bit = (quint8(all[int(t.bitmapLba() + b / 8)]) >> (b % 8)) & 1;
        const bool storedHere = k < p.blocks.size() && p.blocks[k] == b;
        if (bit != storedHere) return QString("bitmap bit of block %1 is %2").arg(b).arg(bit);
        if (storedHere) ++k;
    }
    if (out) *out = p;
    return {};
}

// The first `size` bytes of a disk as a disk of their own (to compare a ZVHD2, whose virtual size is rounded
// up to 1 GiB, with the source's content).
class Prefix final : public imgprep::ImageReader {
  public:
    Prefix(const imgprep::ImageReader& r, std::uint64_t size) : r_(r), size_(size) {}
    const std::string& name() const override { return r_.name(); }
    std::uint64_t size() const override { return size_; }
    imgprep::Status read_at(std::uint64_t off, std::span<std::uint8_t> buf) const override {
        if (!imgprep::range_ok(off, buf.size(), size_)) return error_at(off, "read past the prefix");
        return r_.read_at(off, buf);
    }
    const imgprep::ImageInfo& info() const override { return r_.info(); }
    imgprep::Result<imgprep::Extent> extent_at(std::uint64_t off) const override {
        auto e = r_.extent_at(off);
        if (e) e->length = std::min(e->length, size_ - off);
        return e;
    }

  private:
    const imgprep::ImageReader& r_;
    std::uint64_t size_;
};

// Compares a ZVHD2 read back with the expected raw content: equal over the raw's size (compareWithOracle:
// whole, unaligned, allocation map), and nothing but unallocated space after it.
inline QString compareZvhd2(const imgprep::ImageReader& r, const QString& raw) {
    const std::uint64_t n = std::uint64_t(QFileInfo(raw).size());
    if (r.size() < n) return "the image is smaller than the expected content";
    const std::uint64_t data_end = (n + (2u << 20) - 1) / (2u << 20) * (2u << 20); // the last block, padded
    const QString cmp = testsupport::compareWithOracle(Prefix(r, n), raw);
    if (!cmp.isEmpty()) return cmp;
    QString why;
    auto st = imgprep::for_each_extent(
        r,
        [&](const imgprep::Extent& e) {
            if (e.kind != imgprep::ExtentKind::Data) return true;
            why = QString("data extent at %1 past the content's end").arg(e.offset);
            return false;
        },
        std::min<std::uint64_t>(data_end, r.size()));
    if (!st) return QString::fromStdString(st.error().describe());
    return why;
}

} // namespace zvhd2test
