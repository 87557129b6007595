#include "tests/support/child.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <thread>

#include "tests/support/run.h"

namespace kasse::test {

using Clock = std::chrono::steady_clock;

Child::Child(const std::string& db, std::vector<std::string> args, const std::string& output_prefix,
             bool stdin_pipe) {
  out_path_ = output_prefix + ".out";
  err_path_ = output_prefix + ".err";
  args.insert(args.begin(), {KASSE_BINARY, "--db", db, "--user", "tester"});
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = CleanEnvironment();
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int in_pipe[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_pipe) {
    if (pipe2(in_pipe, O_CLOEXEC) != 0) {
      posix_spawn_file_actions_destroy(&actions);
      throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  const int spawned = posix_spawn(&pid_, KASSE_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (stdin_pipe) {
    close(in_pipe[0]);
    stdin_fd_ = in_pipe[1];
  }
  if (spawned != 0) {
    CloseStdin();
    throw std::runtime_error("cannot start " KASSE_BINARY);
  }
}

Child::~Child() {
  CloseStdin();
  if (!exit_code_) {
    kill(pid_, SIGKILL);
    Wait();
  }
}

void Child::Write(const std::string& text) {
  if (::write(stdin_fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    throw std::runtime_error("write to the child failed");
  }
}

void Child::CloseStdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

void Child::Kill() {
  if (!exit_code_) kill(pid_, SIGKILL);
}

int Child::Wait() {
  if (!exit_code_) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    Record(status);
  }
  return *exit_code_;
}

std::optional<int> Child::WaitUntil(Clock::time_point deadline) {
  while (!exit_code_) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      Record(status);
      break;
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(2), deadline - Clock::now()));
  }
  return exit_code_;
}

std::string Child::out() const {
  return ReadFile(out_path_);
}

std::string Child::err() const {
  return ReadFile(err_path_);
}

void Child::Record(int status) {
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

pid_t LockHolder(const std::string& db) {
  const int fd = ::open((db + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const int result = ::fcntl(fd, F_GETLK, &lock);
  ::close(fd);
  return result == 0 && lock.l_type != F_UNLCK ? lock.l_pid : 0;
}

}  // namespace kasse::test
