// The platform layer for the process itself: the command line in UTF-8, the console, and interruption.
//   POSIX:   argv as it is (bytes; UTF-8 on any current system); SIGINT/SIGTERM cancel.
//   Windows: the UTF-16 command line (GetCommandLineW) converted to UTF-8, since char** argv is in the ANSI
//            code page and loses every character outside it; the console's output code page set to UTF-8
//            (restored at exit) so that UTF-8 text shows as such; Ctrl-C, Ctrl-Break and closing the
//            console window cancel through SetConsoleCtrlHandler.
#pragma once

#include <string>
#include <vector>

namespace imgprep::process {

// The program's arguments (without the program name) in UTF-8.
std::vector<std::string> utf8_arguments(int argc, char** argv);

// Makes the console show UTF-8 output (Windows); nothing elsewhere. Call once at start.
void setup_console();

// Calls on_interrupt (from a signal handler or the console's control thread: it must only set an atomic flag)
// when the user interrupts the program: Ctrl-C, SIGTERM, Ctrl-Break, closing the console window.
// Also ignores SIGXFSZ, so that a file-size limit becomes a write error instead of killing the process.
void on_interrupt(void (*on_interrupt)());

} // namespace imgprep::process
