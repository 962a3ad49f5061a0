// Base utilities: SHA-256 against FIPS 180-4 vectors and sha256sum, JSON round trips, source bounds.
#include <QtTest>

#include "io/byte_source.h"
#include "testsupport.h"
#include "util/json.h"
#include "util/sha256.h"

using namespace imgprep;

class TestBase : public QObject {
    Q_OBJECT
private slots:
    void sha256Vectors() {
        auto h = [](const std::string& s) {
            Sha256 x;
            x.update(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
            return x.finish_hex();
        };
        QCOMPARE(h(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(h("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(h("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    }
    void sha256MatchesSha256sum() {
        // A million zero bytes fed in odd pieces, and through update_zeros, equals sha256sum of the same bytes.
        auto r = testsupport::runTool("bash", {"-c", "head -c 1000003 /dev/zero | sha256sum | cut -c1-64"});
        QCOMPARE(r.exitCode, 0);
        Sha256 a;
        std::vector<std::uint8_t> z(1000003);
        std::size_t pos = 0, step = 1;
        while (pos < z.size()) {
            std::size_t n = std::min(step, z.size() - pos);
            a.update(std::span(z.data() + pos, n));
            pos += n;
            step = step * 3 + 1;
        }
        Sha256 b;
        b.update_zeros(1000003);
        QCOMPARE(QByteArray::fromStdString(a.finish_hex()), r.out.trimmed());
        QCOMPARE(QByteArray::fromStdString(b.finish_hex()), r.out.trimmed());
    }
    void sha256PortableAndAccelerated() {
        // Random data of many lengths: the portable and the SHA-extension paths agree with sha256sum.
        QTemporaryDir dir;
        std::vector<std::uint8_t> data(300000);
        std::uint64_t seed = 99;
        for (auto& b : data) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            b = std::uint8_t(seed >> 56);
        }
        for (std::size_t len : {std::size_t(0), std::size_t(55), std::size_t(56), std::size_t(64), std::size_t(65),
                                std::size_t(1000), std::size_t(300000)}) {
            QFile f(dir.filePath("d"));
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(reinterpret_cast<const char*>(data.data()), qint64(len));
            f.close();
            auto r = testsupport::runTool("bash", {"-c", "sha256sum < '" + dir.filePath("d") + "' | cut -c1-64"});
            Sha256 fast, slow;
            slow.force_portable();
            fast.update(std::span(data.data(), len));
            slow.update(std::span(data.data(), len));
            QCOMPARE(QByteArray::fromStdString(fast.finish_hex()), r.out.trimmed());
            QCOMPARE(QByteArray::fromStdString(slow.finish_hex()), r.out.trimmed());
        }
        qDebug() << "SHA extensions in use:" << Sha256::hardware_accelerated();
    }
    void jsonRoundTrip() {
        Json j = Json::object();
        j.set("schema", 1);
        j.set("s", "a\"b\\c\n\x01");
        j.set("big", std::uint64_t(18446744073709551615ULL));
        j.set("neg", -5);
        j.set("arr", Json::Array{Json(true), Json(), Json(1.5)});
        auto p = Json::parse(j.dump());
        QVERIFY(p.ok());
        QCOMPARE(p->dump(), j.dump());
        QCOMPARE(p->get("big").as_uint(), std::uint64_t(18446744073709551615ULL));
        QCOMPARE(p->get_path("s").as_string(), std::string("a\"b\\c\n\x01"));
        QVERIFY(!Json::parse("{\"a\":").ok());
        QVERIFY(!Json::parse("[1,2").ok());
        QVERIFY(!Json::parse(std::string(100000, '[')).ok()); // depth bounded, no stack overflow
    }
    void sourceBounds() {
        MemorySource m(std::vector<std::uint8_t>(100, 7), "mem");
        std::uint8_t buf[10];
        QVERIFY(m.read_at(90, buf).ok());
        QVERIFY(!m.read_at(91, buf).ok());
        QVERIFY(!m.read_at(~std::uint64_t{0} - 2, buf).ok()); // no overflow
        auto e = m.read_at(95, buf).error();
        QCOMPARE(e.file, std::string("mem"));
        QCOMPARE(e.offset, std::uint64_t(95));
        auto parent = std::make_shared<MemorySource>(std::vector<std::uint8_t>(100, 1), "p");
        SubSource s(parent, 50, 20, "p:sub");
        QVERIFY(s.read_at(10, buf).ok());
        QVERIFY(!s.read_at(11, buf).ok());
        QVERIFY(!FileSource::open("/nonexistent/file").ok());
    }
};

QTEST_GUILESS_MAIN(TestBase)
#include "test_base.moc"
