// Every input a libFuzzer campaign (tests/fuzz/run_fuzz.sh) found to crash, hang or exhaust memory, minimised
// and kept here as bytes, replayed through the same target functions in-process (in the ASan+UBSan build of
// the README test command too). A case passes when the target returns: the parsers must turn each into an
// error or a warning. Each case says what it was and which change fixed it.
#include <QtTest>

#include <QElapsedTimer>

#include <sys/resource.h>

#include "fuzz_support.h"

namespace {

struct Case {
    const char* target; // fuzz_<target>
    const char* what;   // what the input does and what went wrong
    const char* hex;    // the minimised input (whitespace ignored)
    bool oom = false;   // it exhausted memory: its replay must stay within the fuzzers' 256 MiB
};

// clang-format off
const Case kCases[] = {
    {"qcow2", "qcow2 v3 header of 104 bytes (the whole file) with header_length 112: the compression type byte was "
              "read past the end of the buffer (heap over-read); now an error: header_length past the end of the file",
     "514649fb000000030000000000000000000000000000001000000000001000000000000000000001000000000003000000000000"
     "00010000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000400000070"},
    {"qcow", "QCOW v1 header in a 1 TiB sparse file claiming a 4.4 TB disk of 2 MiB L2 spans: a 16 MiB L1 table "
             "(within the 32 MiB limit) decoded entry by entry at open took over 1 s under the fuzzer (timeout); L1 "
             "tables are now kept as read and decoded on access (qemu::WordTable)",
     "494d4750535052530000000000010000000000000000000030000000514649fb000000010000000000000000000000000000"
     "000000000400110000000c090000000000000000000000000030"},
    {"qed", "QED image in a sparse 1 TiB file: its L1 table decoded entry by entry at open took over 1 s under the fuzzer (timeout); L1 tables are now decoded on access (qemu::WordTable)",
     "494d47505350525300d0010000ffff000000000000000000fc01000051454400001000000400000001000000000000000000"
     "0000000000000000000000000000000000000010000000000000000080000200000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000200000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000008000270000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000060000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000028000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000494d4750535052ba0010000000000000f60100000060"
     "0000000000000010000000000000000000000d00000000000001000000000000000000000000008000000000000000100000"
     "00000000000000000d0000000000000100000000000000000000000000800000000000000000000500000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000009b00000000000000000000000000000000000000"
     "0000000000000000000000fffffffff6ff0000000000000000000000000000d1000000000000003800000000000000000000"
     "0000000000000000000000000000000000000000f80000000000000000008700000000000000000000000000000000000000"
     "00000000000000000000009d0000000000000000670000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000001000000000000000000000000630000000000b4000002"
     "0000000000000000000000000040000000000000000000000000000004000000000000000000000000000000000040000000"
     "0000000000000000000000100000000000000000000000000000800000000000001000000000000000000000350000000002"},
    {"vhd", "VHD BAT of 64M entries claimed by a 253 GB sparse file: 576 MiB of table in memory (out of memory); the BAT is now at most 4M entries (16 MiB), read in place",
     "494d47505350525300106000003b0000000000000000000000040000636f6e65637469780000000200010000000000000000"
     "020032a3f67671656d75000500035769326b0000000000800800000000280078080000f104110000000300ffebdcc29d67bd"
     "64c846f7859ebafa748a43460000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002100"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000006378737061727365ffff"
     "ffffffffffff000000000000060000010000620000250000200000fffff47200000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000ffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff28d2661118"
     "a88c1f772047597125e27e970d23d952bcd1b0aa316e09162edd5f30db8c4d9a46473a6ad6b44ddf50624a1b89fc406dd85b"
     "24f0c6ae05765ae2c99964615ddf2df5ff87123bbdc0a2262a7c3e15f09a1c2dbd7dbb267686613b898c94a8eae9bb3b9e90"
     "16037f84267c2e8cc2cc5fccd096cf05ae2ec55c4343bc9c2c4859470c014e0c4b25ef13406b01f4da88ed66875ef7aa1c9c"
     "11bdfb90f5889051c039fef3263620202d31c4b0b2a8f4db163ff7837ae041f3f48e1a9ec2e1aba7db721bad818862bd657a"
     "d20d5d9ae6748fcb47e63483f8de9114acc7b6d0aef39318e0df7f2b3aaea36941ccc86e2c8fa3f172642300000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000", true},
    {"image", "a zip signature (PK 07 08, a streamed zip) at the start of a 1 TiB sparse file: libarchive's zip "
              "reader scanned the zeros for the next header (timeout; `imgprep info` ran for minutes on such a real "
              "file); describing an archive now reads at most 16 MiB",
     "494d475053505253" "0000000000010000" "0000000000000000" "04000000" "504b0708"},
    {"ova", "the same streamed-zip signature in a 1 TiB sparse file, through the OVA target (timeout)",
     "494d475053505253" "0000000000010000" "0000000000000000" "04000000" "504b0708"},
};
// clang-format on

std::vector<std::uint8_t> from_hex(const char* hex) {
    std::vector<std::uint8_t> out;
    int hi = -1;
    for (const char* p = hex; *p; ++p) {
        int v;
        if (*p >= '0' && *p <= '9')
            v = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            v = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            v = *p - 'A' + 10;
        else
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(std::uint8_t(hi << 4 | v));
            hi = -1;
        }
    }
    return out;
}

imgprep::fuzz::Target target_named(const char* name) {
    for (const auto& t : imgprep::fuzz::kTargets)
        if (std::strcmp(t.name, name) == 0) return t.fn;
    return nullptr;
}

long peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

} // namespace

class TestFuzzRegressions : public QObject {
    Q_OBJECT
  private slots:
    void replay_data() {
        QTest::addColumn<int>("index");
        for (int i = 0; i < int(std::size(kCases)); ++i)
            QTest::newRow(qPrintable(QString("%1 #%2").arg(kCases[i].target).arg(i))) << i;
    }
    void replay() {
        QFETCH(int, index);
        const Case& c = kCases[index];
        auto fn = target_named(c.target);
        QVERIFY2(fn, c.target);
        const std::vector<std::uint8_t> bytes = from_hex(c.hex);
        QVERIFY(!bytes.empty());
        QElapsedTimer t;
        t.start();
        const long before = peak_rss_kib();
        QCOMPARE(fn(bytes.data(), bytes.size()), 0);
#if !defined(__SANITIZE_ADDRESS__)
        // The process's high-water mark grows by what the case needed beyond what earlier work used (ASan keeps
        // freed memory in quarantine, so the figure means nothing there).
        if (c.oom)
            QVERIFY2(peak_rss_kib() - before < 256 * 1024,
                     qPrintable(QString("peak RSS grew by %1 MiB").arg((peak_rss_kib() - before) / 1024)));
#else
        (void)before;
#endif
        if (t.elapsed() > 1000) qWarning() << c.target << "case" << index << "took" << t.elapsed() << "ms";
    }
    // Every target runs on empty and tiny inputs (the fuzzers' first inputs).
    void tinyInputs() {
        for (const auto& t : imgprep::fuzz::kTargets) {
            const std::uint8_t one = 0;
            QCOMPARE(t.fn(&one, 0), 0);
            QCOMPARE(t.fn(&one, 1), 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
