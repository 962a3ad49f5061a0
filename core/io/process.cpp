#include "io/process.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
// (after windows.h, which it needs)
#include <shellapi.h>

#include <fcntl.h>
#include <io.h>
#include <utility>

#include "io/file_system.h"
#endif

namespace imgprep::process {

namespace {
void (*g_on_interrupt)() = nullptr;
} // namespace

#ifdef _WIN32

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    int n = 0;
    LPWSTR* w = CommandLineToArgvW(GetCommandLineW(), &n);
    std::vector<std::string> out;
    if (!w) { // fall back to the ANSI arguments
        for (int i = 1; i < argc; ++i)
            out.emplace_back(argv[i]);
        return out;
    }
    for (int i = 1; i < n; ++i)
        out.push_back(files::narrow(w[i]));
    LocalFree(w);
    return out;
}

namespace {
UINT g_saved_output_cp = 0;
void restore_console() {
    if (g_saved_output_cp) SetConsoleOutputCP(g_saved_output_cp);
}

BOOL WINAPI console_control(DWORD type) {
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
        if (g_on_interrupt) g_on_interrupt();
        return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        // The process ends when this returns: give the cancelled work a moment to remove its partial output.
        if (g_on_interrupt) g_on_interrupt();
        Sleep(3000);
        return TRUE;
    default:
        return FALSE;
    }
}
} // namespace

void setup_console() {
    // Only a real console has a code page to set; pipes and files receive the UTF-8 bytes unchanged.
    DWORD mode = 0;
    bool console = false;
    for (auto [handle, file] : {std::pair{STD_OUTPUT_HANDLE, stdout}, std::pair{STD_ERROR_HANDLE, stderr}}) {
        if (!GetConsoleMode(GetStdHandle(handle), &mode)) continue;
        console = true;
        // Text mode makes the C runtime convert console output character by character in its own locale
        // (Wine's msvcrt turns UTF-8 into mojibake); binary mode hands the bytes to the console, which
        // decodes them in its output code page, UTF-8 from here on. Buffered, so that a character's bytes
        // reach the console in one write (unbuffered, the C runtime writes byte by byte and the console
        // cannot decode the pieces). Flushed at exit, and by the progress display after every line.
        std::fflush(file);
        _setmode(_fileno(file), _O_BINARY);
        std::setvbuf(file, nullptr, _IOFBF, 1 << 16);
    }
    if (!console) return;
    const UINT cp = GetConsoleOutputCP();
    if (cp != CP_UTF8 && SetConsoleOutputCP(CP_UTF8)) {
        g_saved_output_cp = cp;
        std::atexit(restore_console);
    }
}

void on_interrupt(void (*callback)()) {
    g_on_interrupt = callback;
    SetConsoleCtrlHandler(console_control, TRUE);
    // Wine delivers a SIGINT sent to the Unix process as a C-runtime signal, not as a console event.
    std::signal(SIGINT, [](int) {
        if (g_on_interrupt) g_on_interrupt();
    });
}

#else

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    return std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + (argc > 0 ? argc : 0));
}

void setup_console() {}

namespace {
extern "C" void handle_signal(int) {
    if (g_on_interrupt) g_on_interrupt();
}
} // namespace

void on_interrupt(void (*callback)()) {
    g_on_interrupt = callback;
    std::signal(SIGINT, handle_signal);
    std::signal(SIGTERM, handle_signal);
#ifdef SIGXFSZ
    std::signal(SIGXFSZ, SIG_IGN);
#endif
}

#endif

} // namespace imgprep::process
