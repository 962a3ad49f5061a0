#include "convert/external_tool.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#ifndef _WIN32
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
extern char** environ;
#else
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#endif

#include "io/file_system.h"

namespace imgprep {

namespace fs = std::filesystem;

std::optional<double> parse_qemu_progress(const std::string& line) {
    auto open = line.rfind('(');
    auto slash = line.find("/100%)", open == std::string::npos ? 0 : open);
    if (open == std::string::npos || slash == std::string::npos) return std::nullopt;
    std::string num = line.substr(open + 1, slash - open - 1);
    char* end = nullptr;
    double v = std::strtod(num.c_str(), &end);
    if (end == num.c_str() || v < 0 || v > 100) return std::nullopt;
    return v;
}

std::optional<std::string> find_executable(const std::string& name) {
    auto is_exec = [&](const std::string& p) {
        if (!files::is_regular_file(p)) return false;
#ifdef _WIN32
        return true;
#else
        return ::access(p.c_str(), X_OK) == 0;
#endif
    };
    if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos) {
        if (is_exec(name)) return name;
        return std::nullopt;
    }
    const char* path = std::getenv("PATH");
    if (!path) return std::nullopt;
#ifdef _WIN32
    const char sep = ';';
#else
    const char sep = ':';
#endif
    std::string p(path);
    std::size_t start = 0;
    while (start <= p.size()) {
        std::size_t end = p.find(sep, start);
        std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!dir.empty()) {
            const std::string cand = files::to_utf8(files::to_path(dir) / files::to_path(name));
            if (is_exec(cand)) return cand;
#ifdef _WIN32
            if (is_exec(cand + ".exe")) return cand + ".exe";
#endif
        }
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return std::nullopt;
}

namespace {
void feed(std::string& pending, const char* data, std::size_t n, ToolRun& run,
          const std::function<void(const std::string&)>& on_line) {
    run.output.append(data, n);
    if (run.output.size() > 65536) run.output.erase(0, run.output.size() - 65536);
    for (std::size_t i = 0; i < n; ++i) {
        char c = data[i];
        if (c == '\n' || c == '\r') {
            if (!pending.empty() && on_line) on_line(pending);
            pending.clear();
        } else {
            pending.push_back(c);
        }
    }
}
} // namespace

#ifndef _WIN32
Result<ToolRun> run_tool(const std::string& program, const std::vector<std::string>& args,
                         const std::function<void(const std::string&)>& on_line, Progress& progress) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return make_error(program, std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    std::vector<std::string> argv_s;
    argv_s.push_back(program);
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, program.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        return make_error(program, std::string("cannot start: ") + std::strerror(rc));
    }
    ToolRun run;
    std::string pending;
    char buf[4096];
    bool cancelled = false;
    for (;;) {
        pollfd p{fds[0], POLLIN, 0};
        int r = ::poll(&p, 1, 200);
        if (progress.cancelled() && !cancelled) {
            cancelled = true;
            ::kill(pid, SIGTERM);
        }
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        feed(pending, buf, std::size_t(n), run, on_line);
    }
    if (!pending.empty() && on_line) on_line(pending);
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (cancelled) return make_error(program, "cancelled");
    run.exit_code =
        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return run;
}
#else
namespace {
// One argument quoted for CommandLineToArgvW / the C runtime's parser: backslashes are literal except before
// a double quote, where they are doubled; the argument is quoted when it has a space, a tab or a quote.
std::wstring quote_argument(const std::wstring& a) {
    if (!a.empty() && a.find_first_of(L" \t\"") == std::wstring::npos) return a;
    std::wstring out = L"\"";
    std::size_t slashes = 0;
    for (wchar_t c : a) {
        if (c == L'\\') {
            ++slashes;
            continue;
        }
        out.append(c == L'"' ? slashes * 2 + 1 : slashes, L'\\');
        slashes = 0;
        out += c;
    }
    out.append(slashes * 2, L'\\');
    out += L'"';
    return out;
}
} // namespace

Result<ToolRun> run_tool(const std::string& program, const std::vector<std::string>& args,
                         const std::function<void(const std::string&)>& on_line, Progress& progress) {
    std::wstring cmd = quote_argument(files::widen(program));
    for (const auto& a : args)
        cmd += L" " + quote_argument(files::widen(a));
    SECURITY_ATTRIBUTES sa{sizeof(sa), nullptr, TRUE};
    HANDLE rd = nullptr, wr = nullptr;
    if (!CreatePipe(&rd, &wr, &sa, 0)) return make_error(program, "cannot create a pipe");
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    STARTUPINFOW si{};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = wr;
    si.hStdError = wr;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    PROCESS_INFORMATION pi{};
    std::vector<wchar_t> line(cmd.begin(), cmd.end());
    line.push_back(L'\0');
    if (!CreateProcessW(files::win32_name(program).c_str(), line.data(), nullptr, nullptr, TRUE,
                        CREATE_NO_WINDOW, nullptr, nullptr, &si, &pi)) {
        const DWORD e = GetLastError();
        CloseHandle(rd);
        CloseHandle(wr);
        return make_error(program, "cannot start: " + files::system_error_text(int(e)));
    }
    CloseHandle(wr);
    ToolRun run;
    std::string pending;
    char buf[4096];
    bool cancelled = false;
    for (;;) {
        DWORD avail = 0;
        if (!PeekNamedPipe(rd, nullptr, 0, nullptr, &avail, nullptr)) break;
        if (progress.cancelled() && !cancelled) {
            cancelled = true;
            TerminateProcess(pi.hProcess, 1);
        }
        if (avail == 0) {
            if (WaitForSingleObject(pi.hProcess, 100) == WAIT_OBJECT_0) {
                if (!PeekNamedPipe(rd, nullptr, 0, nullptr, &avail, nullptr) || avail == 0) break;
            }
            continue;
        }
        DWORD n = 0;
        if (!ReadFile(rd, buf, sizeof buf, &n, nullptr) || n == 0) break;
        feed(pending, buf, n, run, on_line);
    }
    if (!pending.empty() && on_line) on_line(pending);
    WaitForSingleObject(pi.hProcess, INFINITE);
    DWORD code = 0;
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(rd);
    if (cancelled) return make_error(program, "cancelled");
    run.exit_code = int(code);
    return run;
}
#endif

} // namespace imgprep
