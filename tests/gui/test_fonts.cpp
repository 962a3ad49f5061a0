// The wizard's monospace font (remediation script, log) on desktops whose font configuration does not map the
// "monospace" family to a monospace face: the situation behind a fresh-machine failure, where
// QFontDatabase::systemFont(FixedFont) ("monospace" under the offscreen platform) resolved to DejaVu Sans.
// Each case runs the check in a child process whose fontconfig sees only the given font files and no alias
// rules (FONTCONFIG_FILE), and asks for what the user sees: a fixed-pitch face, with "iiii" as wide as
// "WWWW".
#include <QtTest>

#include <QApplication>
#include <QDirIterator>
#include <QFontDatabase>
#include <QFontInfo>
#include <QProcess>
#include <QTemporaryDir>

#include "widgets.h"

namespace {

QString findFontFile(const QString& name) {
    for (const QString& root :
         {QStringLiteral("/usr/share/fonts"), QStringLiteral("/usr/local/share/fonts")}) {
        QDirIterator it(root, {name}, QDir::Files, QDirIterator::Subdirectories);
        if (it.hasNext()) return it.next();
    }
    return {};
}

// Child mode: print what the fonts resolve to; exit 0 when monospaceFont() is fixed-pitch as the user sees
// it.
int child(int argc, char** argv) {
    QApplication app(argc, argv);
    const QFont system = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    const QFont mono = imgprep::ui::monospaceFont();
    const QFontMetrics fm(mono);
    const bool fixed = QFontInfo(mono).fixedPitch() && fm.horizontalAdvance(QStringLiteral("iiii")) ==
                                                           fm.horizontalAdvance(QStringLiteral("WWWW"));
    std::printf("system=%s system_fixed=%d mono=%s fixed=%d\n", qPrintable(QFontInfo(system).family()),
                int(QFontInfo(system).fixedPitch()), qPrintable(QFontInfo(mono).family()), int(fixed));
    return fixed ? 0 : 1;
}

} // namespace

class TestFonts : public QObject {
    Q_OBJECT
  private:
    // Runs the child with a fontconfig that knows only `files`. Returns its output line.
    QString runWith(const QStringList& files, int* exitCode) {
        QTemporaryDir dir;
        if (!dir.isValid()) return {};
        QDir().mkpath(dir.filePath("fonts"));
        for (const QString& f : files)
            QFile::copy(f, dir.filePath("fonts/" + QFileInfo(f).fileName()));
        QFile conf(dir.filePath("fonts.conf"));
        if (!conf.open(QIODevice::WriteOnly)) return {};
        conf.write(QStringLiteral("<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n"
                                  "<fontconfig><dir>%1</dir><cachedir>%2</cachedir></fontconfig>\n")
                       .arg(dir.filePath("fonts"), dir.filePath("cache"))
                       .toUtf8());
        conf.close();
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("FONTCONFIG_FILE", dir.filePath("fonts.conf"));
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("IMGPREP_FONT_CHILD", "1");
        p.setProcessEnvironment(env);
        p.start(QCoreApplication::applicationFilePath(), {});
        p.waitForFinished(60000);
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }

  private slots:
    // No alias rules: "monospace" falls to the first face (DejaVu Sans); the wizard still finds DejaVu Sans
    // Mono.
    void dejavuWithoutAliases() {
        const QString sans = findFontFile("DejaVuSans.ttf"), mono = findFontFile("DejaVuSansMono.ttf");
        if (sans.isEmpty() || mono.isEmpty()) QSKIP("DejaVu fonts not installed (Debian: fonts-dejavu-core)");
        int rc = 0;
        const QString out = runWith({sans, mono}, &rc);
        QVERIFY2(out.contains("system_fixed=0"), qPrintable(out)); // the situation of the failure
        QVERIFY2(rc == 0, qPrintable(out));
        QVERIFY2(out.contains("mono=DejaVu Sans Mono"), qPrintable(out));
    }
    // Only Liberation Mono as a monospace face.
    void liberationMono() {
        const QString sans = findFontFile("DejaVuSans.ttf"),
                      mono = findFontFile("LiberationMono-Regular.ttf");
        if (sans.isEmpty() || mono.isEmpty())
            QSKIP("fonts not installed (Debian: fonts-dejavu-core, fonts-liberation2)");
        int rc = 0;
        const QString out = runWith({sans, mono}, &rc);
        QVERIFY2(rc == 0, qPrintable(out));
        QVERIFY2(out.contains("mono=Liberation Mono"), qPrintable(out));
    }
    // The fonts this machine really has (the README's install list): fixed-pitch as well.
    void installedFonts() {
        const QFont mono = imgprep::ui::monospaceFont();
        QVERIFY2(QFontInfo(mono).fixedPitch(), qPrintable(QFontInfo(mono).family()));
        const QFontMetrics fm(mono);
        QCOMPARE(fm.horizontalAdvance(QStringLiteral("iiii")), fm.horizontalAdvance(QStringLiteral("WWWW")));
    }
};

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsSet("IMGPREP_FONT_CHILD")) return child(argc, argv);
    QApplication app(argc, argv);
    TestFonts t;
    return QTest::qExec(&t, argc, argv);
}
#include "test_fonts.moc"
