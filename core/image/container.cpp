// Inputs that wrap or are not disk images: OVA (tar + OVF) read in place through libarchive, OVF descriptors,
// ISO 9660 / UDF media, compressed files and archives, and the detection of Huawei's ZVHD/ZVHD2 (read by
// image/zvhd.cpp and image/zvhd2.cpp).
// Format notes and sources: docs/formats.md.
#include "image/container.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string_view>

#include "util/endian.h"

namespace imgprep {
namespace {

constexpr std::uint64_t kMaxOvfSize = 16u << 20; // OVF descriptors are a few KiB; refuse absurd ones
constexpr std::size_t kMaxTarEntries = 100000;
constexpr std::size_t kMaxListedEntries = 10000;      // when only describing an archive
constexpr std::uint64_t kMaxDescribeRead = 16u << 20; // bytes read when only describing an archive
constexpr std::size_t kMaxXmlElements = 200000;

bool has_magic(std::span<const std::uint8_t> b, std::size_t at, std::string_view magic) {
    return b.size() >= at + magic.size() && std::memcmp(b.data() + at, magic.data(), magic.size()) == 0;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

bool ends_with_ci(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == suffix;
}

// A file name as a shell argument (single-quoted unless it is plainly safe).
std::string shell_quote(const std::string& s) {
    bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || std::strchr("._-/+:,@%", c) != nullptr;
    });
    if (plain) return s;
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string human_size(std::uint64_t v) {
    static const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    std::uint64_t x = v;
    while (u < 5 && x >= 1024 && x % 1024 == 0) {
        x /= 1024;
        ++u;
    }
    if (u > 0 || v < 1024) return std::to_string(x) + " " + units[u];
    // Not a whole number of KiB: show bytes and an approximation.
    double d = double(v);
    u = 0;
    while (u < 5 && d >= 1024) {
        d /= 1024;
        ++u;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%llu bytes (%.1f %s)", static_cast<unsigned long long>(v), d, units[u]);
    return buf;
}

Detection other(std::string fmt, std::string sub, std::string msg) {
    return Detection{std::move(fmt), std::move(sub), false, std::move(msg)};
}

// ---------------------------------------------------------------------------------------------------------------
// libarchive reading through a ByteSource (read, skip and seek callbacks), so it works on any source.

struct ArchiveIo {
    const ByteSource* src = nullptr;
    std::uint64_t pos = 0;
    std::vector<std::uint8_t> buf;
    std::string io_error;
    // Bytes libarchive may read (not skip) through this source: bounded when an archive is only described, so
    // that a reader scanning for a signature (a streamed zip in a huge file of zeros) stops in time.
    std::uint64_t budget = ~std::uint64_t{0};

    static la_ssize_t read(struct archive* a, void* ud, const void** out) {
        auto* io = static_cast<ArchiveIo*>(ud);
        const std::uint64_t size = io->src->size();
        if (io->pos >= size) return 0;
        if (io->budget == 0) {
            archive_set_error(a, EIO, "stopped: more than the bytes a description may read");
            return -1;
        }
        const std::size_t n = std::size_t(std::min<std::uint64_t>(io->buf.size(), size - io->pos));
        auto st = io->src->read_at(io->pos, std::span(io->buf.data(), n));
        if (!st) {
            io->io_error = st.error().describe();
            archive_set_error(a, EIO, "%s", io->io_error.c_str());
            return -1;
        }
        io->pos += n;
        io->budget -= std::min<std::uint64_t>(io->budget, n);
        *out = io->buf.data();
        return la_ssize_t(n);
    }
    static la_int64_t skip(struct archive*, void* ud, la_int64_t request) {
        auto* io = static_cast<ArchiveIo*>(ud);
        if (request <= 0) return 0;
        const std::uint64_t size = io->src->size();
        const std::uint64_t left = io->pos < size ? size - io->pos : 0;
        const std::uint64_t n = std::min<std::uint64_t>(std::uint64_t(request), left);
        io->pos += n;
        return la_int64_t(n);
    }
    static la_int64_t seek(struct archive*, void* ud, la_int64_t offset, int whence) {
        auto* io = static_cast<ArchiveIo*>(ud);
        const auto size = la_int64_t(io->src->size());
        la_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? la_int64_t(io->pos) : size;
        la_int64_t target = base + offset;
        if (target < 0) return ARCHIVE_FATAL;
        io->pos = std::uint64_t(std::min(target, size));
        return la_int64_t(io->pos);
    }
};

struct ArchiveFree {
    void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

enum class ArchiveMode {
    Tar,            // tar only, no decompression (OVA)
    Listing,        // zip / 7z / tar, no decompression filters
    CompressedProbe // gzip / xz / zstd / bzip2 decompression, then tar or raw
};

// Opens src with libarchive. io must outlive the archive. For CompressedProbe, filter names the decompressor.
Result<ArchivePtr> open_archive(const ByteSource& src, ArchiveIo& io, ArchiveMode mode,
                                std::string_view filter = {}) {
    ArchivePtr a(archive_read_new());
    if (!a) return src.error("cannot allocate an archive reader");
    switch (mode) {
    case ArchiveMode::Tar:
        archive_read_support_format_tar(a.get());
        break;
    case ArchiveMode::Listing:
        archive_read_support_format_tar(a.get());
        archive_read_support_format_zip(a.get());
        archive_read_support_format_7zip(a.get());
        break;
    case ArchiveMode::CompressedProbe: {
        // Only the built-in decompressor of the format detected by its magic: libarchive answers ARCHIVE_WARN
        // when it would run an external program instead, and then there is no probe.
        int r = ARCHIVE_FATAL;
        if (filter == "gzip") r = archive_read_support_filter_gzip(a.get());
        if (filter == "xz") r = archive_read_support_filter_xz(a.get());
        if (filter == "zstd") r = archive_read_support_filter_zstd(a.get());
        if (filter == "bzip2") r = archive_read_support_filter_bzip2(a.get());
        if (r != ARCHIVE_OK) return src.error("no built-in " + std::string(filter) + " decompressor");
        archive_read_support_format_tar(a.get());
        archive_read_support_format_raw(a.get());
        break;
    }
    }
    io.src = &src;
    io.pos = 0;
    io.buf.resize(64 * 1024);
    // Describing an archive (what it holds, whether a compressed tar is an OVA) reads headers only.
    if (mode != ArchiveMode::Tar) io.budget = kMaxDescribeRead;
    archive_read_set_read_callback(a.get(), &ArchiveIo::read);
    archive_read_set_skip_callback(a.get(), &ArchiveIo::skip);
    archive_read_set_seek_callback(a.get(), &ArchiveIo::seek);
    archive_read_set_callback_data(a.get(), &io);
    if (archive_read_open1(a.get()) != ARCHIVE_OK) {
        const char* e = archive_error_string(a.get());
        return src.error(std::string("cannot read as an archive: ") + (e ? e : "unknown error"));
    }
    return a;
}

// ---------------------------------------------------------------------------------------------------------------
// tar headers, to locate a member's data exactly from libarchive's header position.

constexpr std::size_t kTarBlock = 512;

// Octal (possibly space/NUL padded) or base-256 (high bit set) number field. False when malformed.
bool tar_number(const std::uint8_t* p, std::size_t n, std::uint64_t& out) {
    out = 0;
    if (p[0] & 0x80) {
        if (p[0] == 0xff) return false; // negative
        std::uint64_t v = p[0] & 0x7f;
        for (std::size_t i = 1; i < n; ++i) {
            if (v >> 56) return false;
            v = (v << 8) | p[i];
        }
        out = v;
        return true;
    }
    std::size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == 0))
        ++i;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; ++i) {
        if (out >> 60) return false;
        out = out * 8 + (p[i] - '0');
    }
    for (; i < n; ++i)
        if (p[i] != ' ' && p[i] != 0) return false;
    return true;
}

bool tar_checksum_ok(const std::uint8_t* h) {
    std::uint64_t stored = 0;
    if (!tar_number(h + 148, 8, stored)) return false;
    std::uint64_t usum = 0;
    std::int64_t ssum = 0;
    for (std::size_t i = 0; i < kTarBlock; ++i) {
        const std::uint8_t c = (i >= 148 && i < 156) ? ' ' : h[i];
        usum += c;
        ssum += static_cast<std::int8_t>(c);
    }
    return stored == usum || std::int64_t(stored) == ssum;
}

std::string tar_field(const std::uint8_t* p, std::size_t n) {
    std::size_t len = 0;
    while (len < n && p[len])
        ++len;
    return std::string(reinterpret_cast<const char*>(p), len);
}

struct TarMember {
    std::string name;
    std::uint64_t header_pos = 0;
    std::uint64_t data_offset = 0;
    std::uint64_t size = 0;
    bool regular = false;
    bool sparse = false;
};

// From the position where libarchive started reading an entry's headers, walks the extension headers
// (pax 'x'/'g', GNU long name/link 'L'/'K', Solaris 'X'/'A', volume label 'V') to the entry's own ustar
// header, verifies it against libarchive's view, and returns the offset of the member's data.
Result<std::uint64_t> tar_data_offset(const ByteSource& src, std::uint64_t pos, const std::string& name,
                                      std::uint64_t size) {
    std::array<std::uint8_t, kTarBlock> h{};
    bool extended = false;
    for (int hop = 0; hop < 64; ++hop) {
        if (!range_ok(pos, kTarBlock, src.size()))
            return src.error_at(pos, "tar header of member '" + name + "' is past the end of the file");
        IMGPREP_TRY(src.read_at(pos, h));
        if (!tar_checksum_ok(h.data()))
            return src.error_at(pos, "tar header checksum mismatch at the header of member '" + name + "'");
        std::uint64_t hsize = 0;
        if (!tar_number(h.data() + 124, 12, hsize))
            return src.error_at(pos + 124, "malformed size field in the tar header of member '" + name + "'");
        const char type = char(h[156]);
        if (std::strchr("xgXLKAV", type) && type != 0) {
            const std::uint64_t padded = (hsize + kTarBlock - 1) / kTarBlock * kTarBlock;
            if (hsize > src.size() || !range_ok(pos + kTarBlock, padded, src.size()))
                return src.error_at(pos, "tar extension header of member '" + name +
                                             "' runs past the end of the file");
            pos += kTarBlock + padded;
            extended = true;
            continue;
        }
        if (type != '0' && type != 0 && type != '7')
            return src.error_at(pos + 156, "tar member '" + name + "' is not a regular file (type '" +
                                               std::string(1, type) + "')");
        if (!extended) {
            std::string hname = tar_field(h.data(), 100);
            if (has_magic(h, 257, std::string_view("ustar\0", 6))) {
                std::string prefix = tar_field(h.data() + 345, 155);
                if (!prefix.empty()) hname = prefix + "/" + hname;
            }
            if (hname != name)
                return src.error_at(pos, "tar header names '" + hname + "' where libarchive read member '" +
                                             name + "': cannot locate the member's data exactly");
            if (hsize != size)
                return src.error_at(pos + 124, "tar header of member '" + name + "' gives size " +
                                                   std::to_string(hsize) + ", libarchive " +
                                                   std::to_string(size));
        }
        return pos + kTarBlock;
    }
    return src.error_at(pos, "too many tar extension headers before member '" + name + "'");
}

// Lists a tar with libarchive and locates every regular member's data.
Result<std::vector<TarMember>> list_tar(const ByteSource& src, std::size_t max_entries) {
    ArchiveIo io;
    IMGPREP_ASSIGN(ArchivePtr a, open_archive(src, io, ArchiveMode::Tar));
    std::vector<TarMember> out;
    for (;;) {
        struct archive_entry* e = nullptr;
        const int r = archive_read_next_header(a.get(), &e);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
            const char* msg = archive_error_string(a.get());
            return src.error_at(std::uint64_t(std::max<la_int64_t>(0, archive_read_header_position(a.get()))),
                                std::string("cannot read the tar archive: ") + (msg ? msg : "unknown error") +
                                    (out.empty() ? "" : " (after member '" + out.back().name + "')"));
        }
        if (out.size() >= max_entries)
            return src.error("tar archive has more than " + std::to_string(max_entries) + " members");
        TarMember m;
        const char* path = archive_entry_pathname(e);
        m.name = path ? path : "";
        m.header_pos = std::uint64_t(archive_read_header_position(a.get()));
        m.size =
            archive_entry_size_is_set(e) ? std::uint64_t(std::max<la_int64_t>(0, archive_entry_size(e))) : 0;
        m.regular = archive_entry_filetype(e) == AE_IFREG;
        m.sparse = archive_entry_sparse_count(e) > 0;
        out.push_back(std::move(m));
    }
    if (out.empty()) return src.error("empty tar archive");
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// A small, bounded XML scanner: enough for OVF descriptors (elements and attributes; text is ignored).

struct XmlElement {
    std::string name; // qualified, e.g. "ovf:File"
    std::vector<std::pair<std::string, std::string>> attrs;
    bool closing = false;
};

std::string local_name(const std::string& q) {
    auto c = q.find(':');
    return c == std::string::npos ? q : q.substr(c + 1);
}

std::string xml_unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        auto semi = s.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out += s[i];
            continue;
        }
        std::string_view ent = s.substr(i + 1, semi - i - 1);
        std::uint32_t cp = 0;
        if (ent == "amp")
            out += '&';
        else if (ent == "lt")
            out += '<';
        else if (ent == "gt")
            out += '>';
        else if (ent == "quot")
            out += '"';
        else if (ent == "apos")
            out += '\'';
        else if (ent.size() > 1 && ent[0] == '#') {
            bool hex = ent[1] == 'x' || ent[1] == 'X';
            for (char c : ent.substr(hex ? 2 : 1)) {
                int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                        : hex && std::isxdigit(static_cast<unsigned char>(c))
                            ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                            : -1;
                if (d < 0 || cp > 0x10ffff) {
                    cp = 0xfffd;
                    break;
                }
                cp = cp * (hex ? 16 : 10) + std::uint32_t(d);
            }
            if (cp > 0x10ffff) cp = 0xfffd;
            // UTF-8 encode
            if (cp < 0x80)
                out += char(cp);
            else if (cp < 0x800) {
                out += char(0xc0 | (cp >> 6));
                out += char(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                out += char(0xe0 | (cp >> 12));
                out += char(0x80 | ((cp >> 6) & 0x3f));
                out += char(0x80 | (cp & 0x3f));
            } else {
                out += char(0xf0 | (cp >> 18));
                out += char(0x80 | ((cp >> 12) & 0x3f));
                out += char(0x80 | ((cp >> 6) & 0x3f));
                out += char(0x80 | (cp & 0x3f));
            }
        } else {
            out += s.substr(i, semi - i + 1);
        }
        i = semi;
    }
    return out;
}

// Calls fn for each start/end tag; false when the text is not well-formed enough to scan.
template <typename Fn> bool scan_xml(std::string_view x, Fn&& fn) {
    std::size_t i = 0, elements = 0, depth = 0;
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    auto is_name = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '_' || c == '-' || c == '.' ||
               static_cast<unsigned char>(c) >= 0x80;
    };
    while (true) {
        i = x.find('<', i);
        if (i == std::string_view::npos) return depth == 0; // unclosed elements: truncated
        if (x.compare(i, 4, "<!--") == 0) {
            auto e = x.find("-->", i + 4);
            if (e == std::string_view::npos) return false;
            i = e + 3;
            continue;
        }
        if (x.compare(i, 9, "<![CDATA[") == 0) {
            auto e = x.find("]]>", i + 9);
            if (e == std::string_view::npos) return false;
            i = e + 3;
            continue;
        }
        if (x.compare(i, 2, "<?") == 0) {
            auto e = x.find("?>", i + 2);
            if (e == std::string_view::npos) return false;
            i = e + 2;
            continue;
        }
        if (x.compare(i, 2, "<!") == 0) {
            auto e = x.find('>', i + 2);
            if (e == std::string_view::npos) return false;
            i = e + 1;
            continue;
        }
        if (++elements > kMaxXmlElements) return false;
        XmlElement el;
        ++i;
        if (i < x.size() && x[i] == '/') {
            el.closing = true;
            ++i;
        }
        std::size_t s = i;
        while (i < x.size() && is_name(x[i]))
            ++i;
        el.name = std::string(x.substr(s, i - s));
        if (el.name.empty()) return false;
        // attributes
        while (true) {
            while (i < x.size() && is_space(x[i]))
                ++i;
            if (i >= x.size()) return false;
            if (x[i] == '>') {
                ++i;
                if (el.closing) {
                    if (depth == 0) return false;
                    --depth;
                } else {
                    ++depth;
                }
                break;
            }
            if (x[i] == '/' && i + 1 < x.size() && x[i + 1] == '>' && !el.closing) {
                i += 2;
                fn(el);
                el.closing = true; // self-closing: also an end tag
                break;
            }
            std::size_t ns = i;
            while (i < x.size() && is_name(x[i]))
                ++i;
            if (i == ns) return false;
            std::string an(x.substr(ns, i - ns));
            while (i < x.size() && is_space(x[i]))
                ++i;
            if (i >= x.size() || x[i] != '=') return false;
            ++i;
            while (i < x.size() && is_space(x[i]))
                ++i;
            if (i >= x.size() || (x[i] != '"' && x[i] != '\'')) return false;
            const char q = x[i++];
            auto e = x.find(q, i);
            if (e == std::string_view::npos) return false;
            el.attrs.emplace_back(std::move(an), xml_unescape(x.substr(i, e - i)));
            i = e + 1;
        }
        fn(el);
    }
}

// Attribute by local name, preferring the ovf: prefix or no prefix.
std::string attr(const XmlElement& el, const std::string& local) {
    std::string fallback;
    bool have_fallback = false;
    for (const auto& [k, v] : el.attrs) {
        if (local_name(k) != local) continue;
        if (k == local || k == "ovf:" + local) return v;
        if (!have_fallback) {
            fallback = v;
            have_fallback = true;
        }
    }
    return fallback;
}

struct OvfFile {
    std::string id, href, compression, chunk_size;
    std::uint64_t size = 0;
    bool size_set = false;
};
struct OvfDisk {
    std::string disk_id, file_ref, format, capacity_text, units;
    std::uint64_t capacity = 0;
};
struct Ovf {
    bool envelope = false;
    std::string ns_version; // "1" / "2" from the envelope namespace
    std::vector<OvfFile> files;
    std::vector<OvfDisk> disks;
    std::vector<std::string> warnings;
    const OvfFile* file(const std::string& id) const {
        for (const auto& f : files)
            if (f.id == id) return &f;
        return nullptr;
    }
};

bool parse_u64(const std::string& s, std::uint64_t& out) {
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
        const std::uint64_t d = std::uint64_t(s[i] - '0');
        if (out > (~std::uint64_t{0} - d) / 10) return false;
        out = out * 10 + d;
    }
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    return i == s.size();
}

bool mul_ok(std::uint64_t& a, std::uint64_t b) {
    if (b && a > ~std::uint64_t{0} / b) return false;
    a *= b;
    return true;
}

// ovf:capacityAllocationUnits (DMTF programmatic units, e.g. "byte * 2^30"; default "byte") to a multiplier.
bool capacity_units(const std::string& units, std::uint64_t& mult) {
    std::string s;
    for (char c : lower(units))
        if (!std::isspace(static_cast<unsigned char>(c))) s += c;
    mult = 1;
    if (s.empty() || s == "byte" || s == "bytes") return true;
    static const std::pair<const char*, std::uint64_t> named[] = {
        {"kilobytes", 1ull << 10}, {"megabytes", 1ull << 20}, {"gigabytes", 1ull << 30},
        {"terabytes", 1ull << 40}, {"kb", 1ull << 10},        {"mb", 1ull << 20},
        {"gb", 1ull << 30},        {"tb", 1ull << 40}};
    for (auto& [n, m] : named)
        if (s == n) {
            mult = m;
            return true;
        }
    if (s.rfind("byte", 0) != 0) return false;
    std::size_t i = 4;
    while (i < s.size()) {
        if (s[i] != '*') return false;
        ++i;
        std::size_t st = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            ++i;
        std::uint64_t base = 0;
        if (i == st || !parse_u64(s.substr(st, i - st), base)) return false;
        if (i < s.size() && s[i] == '^') {
            ++i;
            std::size_t es = i;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
                ++i;
            std::uint64_t exp = 0;
            if (i == es || !parse_u64(s.substr(es, i - es), exp) || exp > 64) return false;
            for (std::uint64_t k = 0; k < exp; ++k)
                if (!mul_ok(mult, base)) return false;
        } else if (!mul_ok(mult, base)) {
            return false;
        }
    }
    return true;
}

Ovf parse_ovf(std::string_view text) {
    Ovf ovf;
    bool first = true;
    int in_references = 0;
    const bool ok = scan_xml(text, [&](const XmlElement& el) {
        const std::string ln = local_name(el.name);
        if (first && !el.closing) {
            first = false;
            if (ln == "Envelope")
                for (const auto& [k, v] : el.attrs)
                    if ((k == "xmlns" || k.rfind("xmlns:", 0) == 0) &&
                        v.rfind("http://schemas.dmtf.org/ovf/envelope/", 0) == 0) {
                        ovf.envelope = true;
                        ovf.ns_version = v.substr(std::strlen("http://schemas.dmtf.org/ovf/envelope/"));
                    }
        }
        if (ln == "References") in_references += el.closing ? -1 : 1;
        if (el.closing) return;
        if (ln == "File" && (in_references > 0 || !attr(el, "href").empty())) {
            OvfFile f;
            f.id = attr(el, "id");
            f.href = attr(el, "href");
            f.compression = attr(el, "compression");
            f.chunk_size = attr(el, "chunkSize");
            f.size_set = parse_u64(attr(el, "size"), f.size);
            if (!f.href.empty()) ovf.files.push_back(std::move(f));
        } else if (ln == "Disk" && !attr(el, "diskId").empty()) {
            OvfDisk d;
            d.disk_id = attr(el, "diskId");
            d.file_ref = attr(el, "fileRef");
            d.format = attr(el, "format");
            d.capacity_text = attr(el, "capacity");
            d.units = attr(el, "capacityAllocationUnits");
            std::uint64_t cap = 0, mult = 1;
            if (!parse_u64(d.capacity_text, cap))
                ovf.warnings.push_back("disk " + d.disk_id + ": capacity '" + d.capacity_text +
                                       "' is not a number (unresolved property?)");
            else if (!capacity_units(d.units, mult))
                ovf.warnings.push_back("disk " + d.disk_id + ": unknown capacity units '" + d.units + "'");
            else if (!mul_ok(cap, mult))
                ovf.warnings.push_back("disk " + d.disk_id + ": capacity overflows");
            else
                d.capacity = cap;
            ovf.disks.push_back(std::move(d));
        }
    });
    if (!ok) ovf.warnings.push_back("the OVF descriptor is not well-formed XML; what could be read is shown");
    return ovf;
}

std::string short_format(const std::string& url) {
    const std::string l = lower(url);
    std::string frag;
    if (auto h = url.find('#'); h != std::string::npos) frag = url.substr(h + 1);
    if (l.find("vmdk") != std::string::npos) return "VMDK" + (frag.empty() ? "" : " " + frag);
    if (l.find("vhdx") != std::string::npos) return "VHDX";
    if (l.find("vhd") != std::string::npos || l.find("virtualserver") != std::string::npos) return "VHD";
    if (l.find("qcow") != std::string::npos) return "QCOW2";
    if (l.find("raw") != std::string::npos) return "raw";
    return url;
}

// "disk1.vmdk (disk vmdisk1, 20 GiB, VMDK streamOptimized)"
std::string describe_ovf_refs(const Ovf& ovf) {
    std::string out;
    std::size_t n = 0;
    auto add = [&](const std::string& s) {
        if (n < 32)
            out += (n ? "; " : "") + s;
        else if (n == 32)
            out += "; ...";
        ++n;
    };
    std::vector<const OvfFile*> described;
    for (const auto& d : ovf.disks) {
        const OvfFile* f = d.file_ref.empty() ? nullptr : ovf.file(d.file_ref);
        std::string s = f ? f->href : "(no file: blank disk)";
        s += " (disk " + d.disk_id;
        if (d.capacity) s += ", " + human_size(d.capacity);
        if (!d.format.empty()) s += ", " + short_format(d.format);
        if (f && !f->compression.empty()) s += ", " + f->compression + "-compressed";
        s += ")";
        add(s);
        if (f) described.push_back(f);
    }
    for (const auto& f : ovf.files)
        if (std::find(described.begin(), described.end(), &f) == described.end()) add(f.href);
    return n ? out : "no files";
}

Result<std::string> read_text(const ByteSource& src, std::uint64_t offset, std::uint64_t size,
                              const std::string& what) {
    if (size > kMaxOvfSize)
        return src.error_at(offset, what + " of " + std::to_string(size) + " bytes is larger than the " +
                                        std::to_string(kMaxOvfSize) + " bytes accepted");
    std::string text(std::size_t(size), '\0');
    IMGPREP_TRY(src.read_at(offset, std::span(reinterpret_cast<std::uint8_t*>(text.data()), text.size())));
    return text;
}

// Quick content test for an OVF descriptor: XML whose root is an Envelope in the OVF namespace.
bool looks_like_ovf(std::span<const std::uint8_t> h) {
    std::string_view s(reinterpret_cast<const char*>(h.data()), h.size());
    if (s.substr(0, 3) == "\xef\xbb\xbf") s.remove_prefix(3);
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    if (i >= s.size() || s[i] != '<') return false;
    return s.find("Envelope") != std::string_view::npos &&
           s.find("http://schemas.dmtf.org/ovf/envelope/") != std::string_view::npos;
}

// ---------------------------------------------------------------------------------------------------------------

// Up to `max` member names (with sizes) of an archive, reading at most max_headers headers (reading a header
// may mean decompressing the previous member, so compressed streams and 7z archives read only the first one).
// Empty when libarchive cannot list it (or, for CompressedProbe, when the stream is not a tar).
std::string list_members(const ByteSource& src, ArchiveMode mode, std::size_t max, std::size_t max_headers,
                         bool* has_ovf = nullptr, std::string_view filter = {}) {
    ArchiveIo io;
    auto a = open_archive(src, io, mode, filter);
    if (!a) return {};
    std::string out;
    std::size_t n = 0;
    for (std::size_t k = 0; k < std::min(max_headers, kMaxListedEntries); ++k) {
        struct archive_entry* e = nullptr;
        int r = archive_read_next_header(a->get(), &e);
        if (r == ARCHIVE_EOF || r < ARCHIVE_WARN) break;
        if (mode == ArchiveMode::CompressedProbe && archive_format(a->get()) == ARCHIVE_FORMAT_RAW) break;
        const char* p = archive_entry_pathname(e);
        std::string name = p ? p : "?";
        if (has_ovf && ends_with_ci(name, ".ovf")) *has_ovf = true;
        if (archive_entry_filetype(e) == AE_IFDIR) continue;
        if (n < max) {
            out += (n ? ", " : "") + name;
            if (archive_entry_size_is_set(e))
                out += " (" + human_size(std::uint64_t(archive_entry_size(e))) + ")";
        } else if (n == max) {
            out += ", ...";
        }
        ++n;
    }
    return out;
}

// gzip's FNAME (original file name), if present.
std::string gzip_original_name(std::span<const std::uint8_t> h) {
    if (h.size() < 10) return {};
    const std::uint8_t flags = h[3];
    std::size_t i = 10;
    if (flags & 0x04) {
        if (h.size() < 12) return {};
        i += 2 + le16(h.data() + 10);
    }
    if (!(flags & 0x08)) return {};
    std::string name;
    for (; i < h.size() && h[i] && name.size() < 255; ++i)
        name += char(h[i]);
    return name;
}

struct Compressor {
    const char* name;
    const char* what;
    const char* unpack; // command for a single compressed file
    const char* untar;  // tar options for a compressed tar
};

const Compressor* compressor_of(std::span<const std::uint8_t> h) {
    static const Compressor gzip{"gzip", "gzip-compressed file", "gunzip -k", "tar -xzf"};
    static const Compressor xz{"xz", "xz-compressed file", "unxz -k", "tar -xJf"};
    static const Compressor zstd{"zstd", "zstd-compressed file", "unzstd", "tar --zstd -xf"};
    static const Compressor bzip2{"bzip2", "bzip2-compressed file", "bunzip2 -k", "tar -xjf"};
    if (h.size() >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8) return &gzip;
    if (has_magic(h, 0,
                  std::string_view("\xfd"
                                   "7zXZ\0",
                                   6)))
        return &xz;
    if (has_magic(h, 0, "\x28\xb5\x2f\xfd")) return &zstd;
    if (h.size() >= 10 && has_magic(h, 0, "BZh") && h[3] >= '1' && h[3] <= '9' &&
        has_magic(h, 4, "\x31\x41\x59\x26\x53\x59"))
        return &bzip2;
    return nullptr;
}

Detection detect_compressed(const ByteSource& src, std::span<const std::uint8_t> h, const Compressor& c) {
    const std::string file = shell_quote(src.name());
    bool has_ovf = false;
    std::string first = list_members(src, ArchiveMode::CompressedProbe, 1, 1, &has_ovf, c.name);
    if (!first.empty()) {
        std::string msg = std::string(c.name) + "-compressed tar archive";
        if (has_ovf) msg += " holding an OVF appliance (a compressed OVA)";
        msg += ", not a disk image: unpack it first with: " + std::string(c.untar) + " " + file +
               " (first member: " + first + ")";
        return other("archive", c.name, msg);
    }
    std::string msg =
        std::string(c.what) + ", not a disk image: unpack it first with: " + c.unpack + " " + file;
    if (c.name == std::string("gzip"))
        if (auto orig = gzip_original_name(h); !orig.empty()) msg += " (original name: " + orig + ")";
    msg += ", then open the unpacked disk image";
    return other("archive", c.name, msg);
}

Detection detect_iso(const ByteSource& src) {
    std::array<std::uint8_t, 6> id{};
    bool cd001 = false, bea = false, nsr = false;
    for (std::uint64_t off : {0x8000ull, 0x8800ull, 0x9000ull}) {
        if (!range_ok(off, id.size(), src.size()) || !src.read_at(off, id)) continue;
        std::string_view s(reinterpret_cast<const char*>(id.data() + 1), 5);
        if (s == "CD001") cd001 = true;
        if (s == "BEA01") bea = true;
        if (s == "NSR02" || s == "NSR03") nsr = true;
    }
    if (!cd001 && !(bea && nsr)) {
        // UDF volume recognition sequence may continue beyond 0x9000 (e.g. after a CD001 + BOOT2 + TEA01
        // run).
        return {};
    }
    std::string label;
    if (cd001) {
        std::array<std::uint8_t, 2048> pvd{};
        for (std::uint64_t off = 0x8000; off < 0x8000 + 16 * 2048 && range_ok(off, pvd.size(), src.size());
             off += 2048) {
            if (!src.read_at(off, pvd) || std::memcmp(pvd.data() + 1, "CD001", 5) != 0) break;
            if (pvd[0] == 1) { // primary volume descriptor
                label = tar_field(pvd.data() + 40, 32);
                while (!label.empty() && label.back() == ' ')
                    label.pop_back();
                break;
            }
            if (pvd[0] == 255) break;
        }
    }
    std::string msg = cd001 ? "ISO 9660 image (installation media), not a disk image"
                            : "UDF image (installation media), not a disk image";
    msg += ": ";
    if (!label.empty()) msg += "volume '" + label + "'. ";
    msg +=
        "An ISO is what a system is installed from; prepare and import a disk image of the installed system "
        "instead (IMS can also create an image from an ISO separately)";
    return other("iso", cd001 ? "iso9660" : "udf", msg);
}

Detection detect_tar(const ByteSource& src) {
    auto members = list_tar(src, kMaxListedEntries);
    bool has_ovf = false;
    if (members)
        for (const auto& m : *members)
            if (m.regular && ends_with_ci(m.name, ".ovf")) has_ovf = true;
    const std::string file = shell_quote(src.name());
    if (has_ovf) {
        // An OVA; describe its disks (or why they cannot be read).
        SourcePtr alias(std::shared_ptr<const ByteSource>(),
                        &src); // non-owning: read_ova only reads through it
        auto ova = read_ova(alias);
        std::string msg = "OVA appliance (tar with an OVF descriptor)";
        if (ova) {
            msg += " '" + ova->ovf_member + "' with " + std::to_string(ova->disks.size()) + " disk(s)";
            for (std::size_t i = 0; i < ova->disks.size(); ++i) {
                const auto& d = ova->disks[i];
                msg += (i ? "; " : ": ") + d.member + " (" + human_size(d.size);
                if (d.ovf_capacity) msg += ", virtual " + human_size(d.ovf_capacity);
                if (!d.ovf_format.empty()) msg += ", " + short_format(d.ovf_format);
                msg += ")";
            }
            msg += ". Its disks can be read in place";
        } else {
            msg += ": " + ova.error().message;
        }
        return other("ova", "", msg);
    }
    std::string list;
    if (members) {
        std::size_t n = 0;
        for (const auto& m : *members) {
            if (!m.regular) continue;
            if (n < 10)
                list += (n ? ", " : "") + m.name + " (" + human_size(m.size) + ")";
            else if (n == 10)
                list += ", ...";
            ++n;
        }
    }
    std::string msg = "tar archive, not a disk image: unpack it first with: tar -xf " + file;
    if (!list.empty()) msg += " (it contains: " + list + ")";
    return other("archive", "tar", msg);
}

Detection detect_ovf(const ByteSource& src) {
    const std::uint64_t size = std::min<std::uint64_t>(src.size(), kMaxOvfSize);
    auto text = read_text(src, 0, size, "OVF descriptor");
    if (!text) return {};
    Ovf ovf = parse_ovf(*text);
    if (!ovf.envelope) return {};
    std::string msg =
        "OVF descriptor (a virtual machine description, not a disk image); it references: " +
        describe_ovf_refs(ovf) +
        ". Open the referenced disk files (they belong next to the .ovf), or the .ova that packs them";
    if (src.size() > kMaxOvfSize) msg += " (descriptor larger than 16 MiB: only its beginning was read)";
    for (const auto& w : ovf.warnings)
        msg += "; " + w;
    return other("ovf", ovf.ns_version.empty() ? "" : "v" + ovf.ns_version, msg);
}

// ZVHD / ZVHD2 header: a 512-byte VHD-footer-like structure at offset 0, host (little-endian) byte order;
// cookie "stream" (ZVHD) or "z2strm" (ZVHD2), 32-bit ones'-complement byte-sum checksum at 64.
bool zvhd_header_plausible(std::span<const std::uint8_t> h) {
    if (h.size() < 512) return false;
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 512; ++i)
        if (i < 64 || i >= 68) sum += h[i];
    const bool checksum_ok = ~sum == le32(h.data() + 64);
    const bool fields_ok = le32(h.data() + 12) == 0x00010000 && (le32(h.data() + 8) & 2) != 0 &&
                           std::memcmp(h.data() + 28, "tap", 3) == 0;
    return checksum_ok || fields_ok;
}

} // namespace

// ---------------------------------------------------------------------------------------------------------------

Detection detect_zvhd(const ByteSource& src, std::span<const std::uint8_t> h) {
    const bool z1 = has_magic(h, 0, std::string_view("stream\0", 7));
    const bool z2 = has_magic(h, 0, std::string_view("z2strm\0", 7));
    if (!z1 && !z2) return {};
    bool plausible = zvhd_header_plausible(h);
    if (!plausible && src.size() >= 4096 + 12) {
        // The first data record after the 4 KiB header starts with "hwstream bg".
        std::array<std::uint8_t, 11> rec{};
        plausible = src.read_at(4096, rec) && std::memcmp(rec.data(), "hwstream bg", 11) == 0;
    }
    if (!plausible) return {};
    // Readable: image/zvhd2.cpp and image/zvhd.cpp.
    return Detection{z2 ? "zvhd2" : "zvhd", "", true, {}};
}

Detection detect_container(const ByteSource& src, std::span<const std::uint8_t> h) {
    if (const Compressor* c = compressor_of(h)) return detect_compressed(src, h, *c);
    const std::string file = shell_quote(src.name());
    if (has_magic(h, 0, "PK\x03\x04") || has_magic(h, 0, "PK\x05\x06") || has_magic(h, 0, "PK\x07\x08")) {
        std::string members = list_members(src, ArchiveMode::Listing, 10, kMaxListedEntries);
        std::string msg = "zip archive, not a disk image: unpack it first with: unzip " + file;
        if (!members.empty()) msg += " (it contains: " + members + ")";
        return other("archive", "zip", msg);
    }
    if (has_magic(h, 0, "7z\xbc\xaf\x27\x1c")) {
        std::string first = list_members(src, ArchiveMode::Listing, 1, 1);
        std::string msg = "7-Zip archive, not a disk image: unpack it first with: 7z x " + file;
        if (!first.empty()) msg += " (first member: " + first + ")";
        return other("archive", "7z", msg);
    }
    if (h.size() >= kTarBlock && !is_all_zero(h.first(kTarBlock)) && tar_checksum_ok(h.data()))
        return detect_tar(src);
    if (auto iso = detect_iso(src); !iso.format.empty()) return iso;
    if (looks_like_ovf(h))
        if (auto ovf = detect_ovf(src); !ovf.format.empty()) return ovf;
    return {};
}

Result<OvaInfo> read_ova(SourcePtr src) {
    IMGPREP_ASSIGN(auto members, list_tar(*src, kMaxTarEntries));
    OvaInfo info;
    const TarMember* ovf_member = nullptr;
    for (const auto& m : members)
        if (m.regular && ends_with_ci(m.name, ".ovf")) {
            ovf_member = &m;
            break;
        }
    if (!ovf_member) return src->error("tar archive without an .ovf descriptor: not an OVA");
    if (ovf_member != &members.front())
        info.warnings.push_back("the OVF descriptor '" + ovf_member->name +
                                "' is not the first member of the OVA (the OVF specification puts it first)");
    info.ovf_member = ovf_member->name;
    IMGPREP_ASSIGN(std::uint64_t ovf_off,
                   tar_data_offset(*src, ovf_member->header_pos, ovf_member->name, ovf_member->size));
    if (!range_ok(ovf_off, ovf_member->size, src->size()))
        return src->error_at(ovf_off, "OVF descriptor '" + ovf_member->name + "' is cut off (truncated OVA)");
    IMGPREP_ASSIGN(std::string text, read_text(*src, ovf_off, ovf_member->size, "OVF descriptor"));
    Ovf ovf = parse_ovf(text);
    if (!ovf.envelope)
        return src->error_at(ovf_off, "'" + ovf_member->name +
                                          "' is not an OVF descriptor (no Envelope element "
                                          "in the OVF namespace)");
    for (auto& w : ovf.warnings)
        info.warnings.push_back(std::move(w));

    auto find_member = [&](const std::string& href) -> const TarMember* {
        auto norm = [](std::string s) {
            while (s.rfind("./", 0) == 0)
                s.erase(0, 2);
            return s;
        };
        for (const auto& m : members)
            if (m.regular && norm(m.name) == norm(href)) return &m;
        return nullptr;
    };

    for (const auto& d : ovf.disks) {
        if (d.file_ref.empty()) {
            info.warnings.push_back("disk " + d.disk_id +
                                    " has no file (a blank disk the VM creates on import)");
            continue;
        }
        const OvfFile* f = ovf.file(d.file_ref);
        if (!f) {
            info.warnings.push_back("disk " + d.disk_id + " refers to file id '" + d.file_ref +
                                    "' that the References section does not list");
            continue;
        }
        if (!f->compression.empty() && lower(f->compression) != "identity")
            return src->error("disk " + d.disk_id + " ('" + f->href + "') is stored " + f->compression +
                              "-compressed inside the OVA (ovf:compression=\"" + f->compression +
                              "\"): it cannot be read in place; extract and decompress it first: tar -xf " +
                              shell_quote(src->name()) + " " + shell_quote(f->href) + " && gunzip " +
                              shell_quote(f->href));
        if (!f->chunk_size.empty())
            return src->error("disk " + d.disk_id + " ('" + f->href +
                              "') is split into chunks (ovf:chunkSize=" + f->chunk_size +
                              "): chunked OVA disks cannot be read in place; extract the chunks "
                              "and join them first");
        const TarMember* m = find_member(f->href);
        if (!m) {
            info.warnings.push_back("disk " + d.disk_id + ": file '" + f->href +
                                    "' is not a member of the OVA");
            continue;
        }
        if (m->sparse)
            return src->error(
                "disk member '" + m->name +
                "' is stored as a sparse tar member: it cannot be read in place; extract it first");
        IMGPREP_ASSIGN(std::uint64_t off, tar_data_offset(*src, m->header_pos, m->name, m->size));
        if (!range_ok(off, m->size, src->size()))
            return src->error_at(off, "disk member '" + m->name + "' (" + std::to_string(m->size) +
                                          " bytes at offset " + std::to_string(off) +
                                          ") is cut off: the OVA is truncated");
        if (f->size_set && f->size != m->size)
            info.warnings.push_back("file '" + f->href + "': the OVF gives size " + std::to_string(f->size) +
                                    ", the tar member has " + std::to_string(m->size) + " bytes");
        OvaDisk disk;
        disk.member = m->name;
        disk.offset = off;
        disk.size = m->size;
        disk.ovf_format = d.format;
        disk.ovf_capacity = d.capacity;
        disk.disk_id = d.disk_id;
        info.disks.push_back(std::move(disk));
    }
    if (ovf.disks.empty()) info.warnings.push_back("the OVF descriptor declares no disks");
    return info;
}

Result<SourcePtr> ova_member_source(SourcePtr ova, const OvaDisk& disk) {
    if (!range_ok(disk.offset, disk.size, ova->size()))
        return ova->error_at(disk.offset, "member '" + disk.member + "' lies past the end of the OVA");
    return SourcePtr(
        std::make_shared<SubSource>(ova, disk.offset, disk.size, ova->name() + ":" + disk.member));
}

} // namespace imgprep
