// External processes: fork/exec with a pipe for the combined output.
#include "core/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <cstdlib>
#include <filesystem>

namespace rapidnn {

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return "";
  std::string p = path;
  for (std::size_t start = 0; start <= p.size();) {
    const std::size_t end = p.find(':', start);
    const std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    const std::filesystem::path cand = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (::access(cand.c_str(), X_OK) == 0) return cand.string();
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

namespace {

// The watcher (a child of rapidnn, leader of a new process group) runs the tool as its own child
// in that group and waits for it. If rapidnn dies (kill -9, a timeout's signal), the lifeline
// pipe's last write end closes and the watcher kills the whole group: the tool and everything it
// started (make, g++, abc). Only async-signal-safe calls: the parent may have other threads.
[[noreturn]] void watch(const std::vector<std::string>& argv, const std::string& cwd, int out_w, int life_r) {
  ::setpgid(0, 0);
  const pid_t tool = ::fork();
  if (tool == 0) {
    ::dup2(out_w, 1);
    ::dup2(out_w, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  for (int fd = 3; fd < 4096; ++fd)  // every other descriptor, lifelines of other runs included
    if (fd != life_r) ::close(fd);
  ::close(1);
  ::close(2);
  if (tool < 0) ::_exit(127);
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(tool, &status, WNOHANG);
    if (done == tool)
      ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
    pollfd p{life_r, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      ::kill(-::getpid(), SIGKILL);  // rapidnn is gone: the tool's whole group goes with it
      ::_exit(137);
    }
  }
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd, const LineSink& on_line) {
  ProcessResult r;
  int fds[2], life[2];
  // O_CLOEXEC: a child forked by another thread must not inherit these pipes into a tool, or our
  // read would not see end-of-file until that other child exits.
  if (argv.empty() || ::pipe2(fds, O_CLOEXEC) != 0) {
    r.exit_code = 127;
    return r;
  }
  if (::pipe2(life, O_CLOEXEC) != 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    r.exit_code = 127;
    return r;
  }
  const pid_t pid = ::fork();
  if (pid == 0) watch(argv, cwd, fds[1], life[0]);
  ::close(fds[1]);
  ::close(life[0]);
  char buf[65536];
  std::size_t line_start = 0;
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
    r.output.append(buf, static_cast<std::size_t>(n));
    if (!on_line) continue;
    for (std::size_t nl; (nl = r.output.find('\n', line_start)) != std::string::npos; line_start = nl + 1)
      on_line(std::string_view(r.output).substr(line_start, nl - line_start));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(life[1]);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return r;
}

}  // namespace rapidnn
