// Helpers shared by the registry suites (test_registry, test_registry_logs): hivexml's tree and the
// comparison of a hive read by core/registry with it and with hivexget (hivex is the oracle).
#pragma once

#include <QtTest>

#include <QDateTime>
#include <QTimeZone>
#include <QXmlStreamReader>

#include <functional>

#include "io/byte_source.h"
#include "registry/hive.h"
#include "testsupport.h"
#include "util/endian.h"

namespace regtest {

using namespace imgprep;
using namespace imgprep::registry;

// ------------------------------------------------------------------------------------------------------------
// hivexml's tree

struct XValue {
    bool isDefault = false;
    QString name;
    QString type;
    bool base64 = false;
    bool hasValue = false;
    QString value;
    QStringList strings;
};
struct XNode {
    QString name;
    QString mtime;
    QList<XValue> values;
    QList<XNode> children;
};

inline bool readNode(QXmlStreamReader& x, XNode& n) {
    n.name = x.attributes().value("name").toString();
    while (x.readNextStartElement()) {
        if (x.name() == QLatin1String("mtime")) {
            n.mtime = x.readElementText();
        } else if (x.name() == QLatin1String("node")) {
            XNode c;
            if (!readNode(x, c)) return false;
            n.children.append(c);
        } else if (x.name() == QLatin1String("value")) {
            XValue v;
            auto a = x.attributes();
            v.isDefault = a.value("default") == QLatin1String("1");
            v.name = a.value("key").toString();
            v.type = a.value("type").toString();
            v.base64 = a.value("encoding") == QLatin1String("base64");
            v.hasValue = a.hasAttribute("value");
            v.value = a.value("value").toString();
            while (x.readNextStartElement()) {
                if (x.name() == QLatin1String("string"))
                    v.strings.append(x.readElementText());
                else
                    x.skipCurrentElement();
            }
            n.values.append(v);
        } else {
            x.skipCurrentElement();
        }
    }
    return !x.hasError();
}

// Runs hivexml on a hive and returns its root node; err is set when hivexml fails.
inline bool hivexmlTree(const QString& hive, XNode& root, QString& err) {
    auto r = testsupport::runTool("hivexml", {hive});
    if (r.exitCode != 0) {
        err = "hivexml failed: " + QString::fromUtf8(r.err);
        return false;
    }
    // hivexml writes control characters in strings raw, which XML 1.0 forbids: map them to U+E000 + c (the
    // comparison maps ours the same way, see xmlSafe).
    QByteArray out;
    out.reserve(r.out.size());
    for (char ch : r.out) {
        auto b = std::uint8_t(ch);
        if (b < 0x20 && b != '\t' && b != '\n' && b != '\r')
            out += QString(QChar(0xE000 + b)).toUtf8();
        else
            out += ch;
    }
    QXmlStreamReader x(out);
    if (!x.readNextStartElement() || x.name() != QLatin1String("hive")) {
        err = "no <hive>";
        return false;
    }
    while (x.readNextStartElement()) {
        if (x.name() == QLatin1String("node")) {
            if (!readNode(x, root)) break;
            return true;
        }
        x.skipCurrentElement();
    }
    err = "cannot parse hivexml output: " + x.errorString();
    return false;
}

inline QString qs(const std::string& s) {
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}
// Control characters as hivexmlTree() maps them.
inline QString xmlSafe(QString s) {
    for (auto& c : s)
        if (c.unicode() < 0x20 && c != u'\t' && c != u'\n' && c != u'\r') c = QChar(0xE000 + c.unicode());
    return s;
}
// hivex handles names as C strings.
inline QString cName(const std::string& s) {
    return xmlSafe(qs(s.substr(0, s.find('\0'))));
}

inline QString hivexType(ValueType t) {
    switch (t) {
    case ValueType::None:
        return "none";
    case ValueType::String:
        return "string";
    case ValueType::ExpandString:
        return "expand";
    case ValueType::Binary:
        return "binary";
    case ValueType::Dword:
    case ValueType::DwordBigEndian:
        return "int32";
    case ValueType::Link:
        return "link";
    case ValueType::MultiString:
        return "string-list";
    case ValueType::ResourceList:
        return "resource-list";
    case ValueType::FullResourceDescriptor:
        return "resource-description";
    case ValueType::ResourceRequirementsList:
        return "resource-requirements";
    case ValueType::Qword:
        return "int64";
    }
    return "unknown";
}

inline QStringList dropTrailingEmpty(QStringList l) {
    while (!l.isEmpty() && l.last().isEmpty())
        l.removeLast();
    return l;
}

inline QStringList toQList(const std::vector<std::string>& v) {
    QStringList l;
    for (auto& s : v)
        l << qs(s);
    return l;
}

struct Counts {
    int keys = 0;
    int values = 0;
};

// Compares a key (recursively) with hivexml's node; returns "" or what differed.
inline QString compareWithXml(const Key& k, const XNode& x, Counts& n) {
    ++n.keys;
    const QString where = qs(k.path());
    if (cName(k.name()) != x.name) return where + ": name " + qs(k.name()) + " vs hivexml " + x.name;
    if (!x.mtime.isEmpty()) {
        QString ours = QDateTime::fromSecsSinceEpoch(k.last_written_unix(), QTimeZone::utc())
                           .toString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        if (ours != x.mtime) return where + ": mtime " + ours + " vs hivexml " + x.mtime;
    }
    auto vals = k.values();
    if (!vals.ok()) return where + ": " + qs(vals.error().describe());
    if (int(vals->size()) != x.values.size())
        return where + QString(": %1 values vs hivexml %2").arg(vals->size()).arg(x.values.size());
    for (std::size_t i = 0; i < vals->size(); ++i) {
        const Value& v = (*vals)[i];
        const XValue& xv = x.values[int(i)];
        ++n.values;
        const QString vw = where + " value \"" + qs(v.name()) + "\"";
        if (v.name().empty() != xv.isDefault || (!xv.isDefault && cName(v.name()) != xv.name))
            return vw + ": name differs from hivexml's " + xv.name;
        const QString t = hivexType(v.type());
        if (t != xv.type && !(xv.type == "unknown" && std::uint32_t(v.type()) > 11))
            return vw + ": type " + t + " vs hivexml " + xv.type;
        auto data = v.data();
        if (!data.ok()) return vw + ": " + qs(data.error().describe());
        const QByteArray raw(reinterpret_cast<const char*>(data->data()), qsizetype(data->size()));
        if (xv.base64) {
            if (raw != QByteArray::fromBase64(xv.value.toLatin1())) return vw + ": data differs from hivexml";
        } else if (xv.type == "string" || xv.type == "expand" || xv.type == "link") {
            auto s = v.as_string();
            if (!s.ok() || xmlSafe(qs(*s)) != xv.value)
                return vw + ": string differs from hivexml's \"" + xv.value + "\"";
        } else if ((xv.type == "int32" && raw.size() != 4) || (xv.type == "int64" && raw.size() != 8)) {
            // hivex prints its error return -1 for a number of the wrong size (real SECURITY hives have
            // REG_DWORD default values of 0 bytes); we refuse to make a number of it.
            if (xv.value != "-1" || v.as_qword().ok()) return vw + ": short number vs hivexml " + xv.value;
        } else if (xv.type == "int32") {
            auto d = v.as_dword();
            if (!d.ok() || QString::number(qint32(*d)) != xv.value)
                return vw + ": dword vs hivexml " + xv.value;
        } else if (xv.type == "int64") {
            auto q = v.as_qword();
            if (!q.ok() || QString::number(qint64(*q)) != xv.value)
                return vw + ": qword vs hivexml " + xv.value;
        } else if (xv.type == "string-list") {
            auto m = v.as_multi_string();
            if (!m.ok()) return vw + ": " + qs(m.error().describe());
            QStringList ours;
            for (auto& str : *m)
                ours << xmlSafe(qs(str));
            if (ours != dropTrailingEmpty(xv.strings))
                return vw + ": strings " + toQList(*m).join('|') + " vs hivexml " + xv.strings.join('|');
        } else {
            return vw + ": hivexml type " + xv.type + " not understood by the test";
        }
    }
    auto subs = k.subkeys();
    if (!subs.ok()) return where + ": " + qs(subs.error().describe());
    if (int(subs->size()) != x.children.size())
        return where + QString(": %1 subkeys vs hivexml %2").arg(subs->size()).arg(x.children.size());
    for (std::size_t i = 0; i < subs->size(); ++i) {
        QString e = compareWithXml((*subs)[i], x.children[int(i)], n);
        if (!e.isEmpty()) return e;
    }
    return {};
}

inline int countXml(const XNode& x, int* values) {
    int n = 1;
    *values += int(x.values.size());
    for (auto& c : x.children)
        n += countXml(c, values);
    return n;
}

// What `hivexget HIVE KEY NAME` prints for this value, built from our reader.
inline QByteArray hivexgetStyle(const Value& v, QString& err) {
    switch (v.type()) {
    case ValueType::String:
    case ValueType::ExpandString:
    case ValueType::Link: {
        auto s = v.as_string();
        if (!s.ok()) return err = qs(s.error().describe()), QByteArray();
        return QByteArray::fromStdString(*s) + "\n";
    }
    case ValueType::Dword:
    case ValueType::DwordBigEndian: {
        auto d = v.as_dword();
        if (!d.ok()) return err = qs(d.error().describe()), QByteArray();
        return QByteArray::number(qint32(*d)) + "\n";
    }
    case ValueType::Qword: {
        auto q = v.as_qword();
        if (!q.ok()) return err = qs(q.error().describe()), QByteArray();
        return QByteArray::number(qint64(*q)) + "\n";
    }
    default: {
        auto d = v.data();
        if (!d.ok()) return err = qs(d.error().describe()), QByteArray();
        return QByteArray(reinterpret_cast<const char*>(d->data()), qsizetype(d->size()));
    }
    }
}

inline QByteArray hivexget(const QString& hive, const std::string& key, const std::string& value) {
    auto r = testsupport::runTool("hivexget", {hive, qs(key), value.empty() ? QString("@") : qs(value)});
    if (r.exitCode != 0) return "<hivexget failed: " + r.err + ">";
    return r.out;
}

// Compares one value with hivexget's output. REG_MULTI_SZ: hivexget prints each string on a line, including
// the empty terminator(s) that we drop.
inline QString compareWithHivexget(const QString& hive, const Key& k, const Value& v) {
    const QByteArray oracle = hivexget(hive, k.path(), v.name());
    const QString where = qs(k.path()) + " value \"" + qs(v.name()) + "\"";
    if (v.type() == ValueType::MultiString) {
        auto m = v.as_multi_string();
        if (!m.ok()) return where + ": " + qs(m.error().describe());
        QStringList lines = QString::fromUtf8(oracle).split('\n');
        lines.removeLast(); // after the last newline
        if (toQList(*m) != dropTrailingEmpty(lines))
            return where + ": " + toQList(*m).join('|') + " vs hivexget " + lines.join('|');
        return {};
    }
    QString err;
    QByteArray ours = hivexgetStyle(v, err);
    if (!err.isEmpty()) return where + ": " + err;
    if (ours != oracle)
        return where + ": ours " + QString::fromUtf8(ours.left(80).toHex()) + " vs hivexget " +
               QString::fromUtf8(oracle.left(80).toHex());
    return {};
}

inline std::shared_ptr<Hive> openHive(const QString& path, QString* err = nullptr) {
    auto src = FileSource::open(path.toStdString());
    if (!src.ok()) {
        if (err) *err = qs(src.error().describe());
        return nullptr;
    }
    auto h = Hive::open(*src);
    if (!h.ok()) {
        if (err) *err = qs(h.error().describe());
        return nullptr;
    }
    return *h;
}

// Walks every key and value; returns a text dump, or the first error (prefixed "ERROR: ").
inline std::string dumpTree(const Hive& h) {
    std::string out;
    std::function<bool(const Key&)> walk = [&](const Key& k) {
        out += "K " + k.path() + " " + std::to_string(k.last_written()) + "\n";
        auto vs = k.values();
        if (!vs.ok()) return out = "ERROR: " + vs.error().describe(), false;
        for (auto& v : *vs) {
            auto d = v.data();
            if (!d.ok()) return out = "ERROR: " + d.error().describe(), false;
            out += " V " + v.name() + " " + type_name(v.type()) + " " + std::to_string(d->size()) + " ";
            for (std::size_t i = 0; i < d->size(); i += 97)
                out += std::to_string((*d)[i]) + ",";
            out += "\n";
        }
        auto sk = k.subkeys();
        if (!sk.ok()) return out = "ERROR: " + sk.error().describe(), false;
        for (auto& s : *sk)
            if (!walk(s)) return false;
        return true;
    };
    auto r = h.root();
    if (!r.ok()) return "ERROR: " + r.error().describe();
    walk(*r);
    return out;
}

inline QByteArray readFile(const QString& p) {
    QFile f(p);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline void fixChecksum(QByteArray& d) {
    auto* p = reinterpret_cast<std::uint8_t*>(d.data());
    std::uint32_t c = 0;
    for (int i = 0; i < 508; i += 4)
        c ^= le32(p + i);
    if (c == 0xffffffffu) c = 0xfffffffeu;
    if (c == 0) c = 1;
    put_le32(p + 508, c);
}

inline bool writeFile(const QString& p, const QByteArray& d) {
    QFile f(p);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(d) == d.size();
}

} // namespace regtest
