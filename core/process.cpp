// External processes: fork/exec with a pipe for the combined output.
#include "core/process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <cstdlib>
#include <filesystem>
#include <mutex>

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

// How the watcher starts the tool: stdout and stderr into the output pipe, stdin from /dev/null
// (a tool that falls into an interactive prompt reads end-of-file instead of waiting forever),
// and the working directory. Built before the fork: the watcher allocates nothing.
struct Spawn {
  std::vector<char*> argv;
  posix_spawn_file_actions_t actions{};
  Spawn(const std::vector<std::string>& args, const std::string& cwd, int out_w) {
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, out_w, 1);
    ::posix_spawn_file_actions_adddup2(&actions, out_w, 2);
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (!cwd.empty()) ::posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  }
  ~Spawn() { ::posix_spawn_file_actions_destroy(&actions); }
  Spawn(const Spawn&) = delete;
  Spawn& operator=(const Spawn&) = delete;
};

// The watcher (a child of rapidnn, leader of a new process group) runs the tool as its own child
// in that group and waits for it. If rapidnn dies (kill -9, a timeout's signal), the lifeline
// pipe's last write end closes and the watcher kills the whole group: the tool and everything it
// started (make, g++, abc). The watcher is a fork of a process with other threads, so it may find
// any lock held by a thread it does not have. It therefore makes only system calls and starts the
// tool with posix_spawn, which runs no fork handlers: fork() here ran OpenBLAS's handler
// (libtorch links it), which waited forever on a lock another thread held when the watcher forked.
[[noreturn]] void watch(const Spawn& spawn, int out_w, int life_r) {
  ::setpgid(0, 0);
  for (int fd = 3; fd < 4096; ++fd)  // the descriptors of other threads' runs: the tool gets none
    if (fd != out_w && fd != life_r) ::close(fd);
  pid_t tool = -1;
  const int started = ::posix_spawnp(&tool, spawn.argv[0], &spawn.actions, nullptr, spawn.argv.data(), environ);
  ::close(out_w);
  ::close(1);
  ::close(2);
  if (started != 0) ::_exit(127);
  // Wake when the tool exits (its pidfd turns readable) or the lifeline breaks; without pidfds
  // (Linux before 5.3), look every 100 ms.
  const int tool_fd = static_cast<int>(::syscall(SYS_pidfd_open, tool, 0));
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(tool, &status, WNOHANG);
    if (done == tool)
      ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
    pollfd p[2] = {{life_r, POLLIN, 0}, {tool_fd, POLLIN, 0}};
    if (::poll(p, tool_fd >= 0 ? 2 : 1, tool_fd >= 0 ? -1 : 100) > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
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
  pid_t pid = -1;
  {
    const Spawn spawn(argv, cwd, fds[1]);
    // One fork at a time: no thread is inside fork's handlers (which take library locks) while
    // another thread's fork copies the process.
    static std::mutex forking;
    const std::lock_guard<std::mutex> lock(forking);
    pid = ::fork();
    if (pid == 0) watch(spawn, fds[1], life[0]);
  }
  ::close(fds[1]);
  ::close(life[0]);
  if (pid < 0) {
    ::close(fds[0]);
    ::close(life[1]);
    r.exit_code = 127;
    return r;
  }
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
