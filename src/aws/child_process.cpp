#include "aws/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace wc::aws {

namespace {

/// Closes the descriptors it holds.
struct Pipe {
  std::array<int, 2> fds{-1, -1};
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
  void close_end(int which) {
    if (fds[which] >= 0) close(fds[which]);
    fds[which] = -1;
  }
};

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

/// Spawns the shell with stdout and stderr on the pipes' write ends.
util::Expected<pid_t, std::string> spawn(const std::string& command, Pipe& out, Pipe& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fds[1], STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // We ignore SIGPIPE and may block signals on this thread; the command should do neither.
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  // A group of its own, so that a timeout ends whatever the shell started too.
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  std::string shell = "/bin/sh";
  std::string dash_c = "-c";
  std::string line = command;
  char* argv[] = {shell.data(), dash_c.data(), line.data(), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, shell.c_str(), &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) {
    errno = spawned;
    return util::Unexpected(errno_text("cannot start /bin/sh"));
  }
  return pid;
}

/// Reads both pipes to their end; false (with `why`) on timeout or too much output.
bool collect(Pipe& out, Pipe& err, CommandOutput& output, std::chrono::milliseconds timeout,
             std::size_t max_output, std::string& why) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::array<char, 4096> buffer{};
  while (out.fds[0] >= 0 || err.fds[0] >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      why = "it did not finish within " + std::to_string(timeout.count() / 1000) + " s";
      return false;
    }
    std::array<pollfd, 2> fds{pollfd{out.fds[0], POLLIN, 0}, pollfd{err.fds[0], POLLIN, 0}};
    if (poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) {
      why = errno_text("poll");
      return false;
    }
    for (int stream = 0; stream < 2; ++stream) {
      if (fds[stream].fd < 0 || fds[stream].revents == 0) continue;
      Pipe& pipe = stream == 0 ? out : err;
      std::string& text = stream == 0 ? output.out : output.err;
      const ssize_t got = read(pipe.fds[0], buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        pipe.close_end(0);
        continue;
      }
      text.append(buffer.data(), static_cast<std::size_t>(got));
      if (text.size() > max_output) {
        why = std::string("it wrote more than ") + std::to_string(max_output) + " bytes to " +
              (stream == 0 ? "standard output" : "standard error");
        return false;
      }
    }
  }
  return true;
}

}  // namespace

util::Expected<CommandOutput, std::string> run_command(const std::string& command,
                                                       std::chrono::milliseconds timeout,
                                                       std::size_t max_output) {
  Pipe out;
  Pipe err;
  if (pipe2(out.fds.data(), O_CLOEXEC) != 0 || pipe2(err.fds.data(), O_CLOEXEC) != 0) {
    return util::Unexpected(errno_text("pipe"));
  }
  auto pid = spawn(command, out, err);
  if (!pid) return util::Unexpected(std::move(pid).error());
  out.close_end(1);
  err.close_end(1);
  CommandOutput output;
  std::string why;
  const bool finished = collect(out, err, output, timeout, max_output, why);
  if (!finished) kill(-*pid, SIGKILL);
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!finished) return util::Unexpected(why);
  output.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return output;
}

}  // namespace wc::aws
