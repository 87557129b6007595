// Test support: the kasse binary running in the background, and who holds a ledger's lock.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kasse::test {

// kasse running in the background with `--db db --user tester` before `args`, stdout and stderr
// to the files output_prefix.out and output_prefix.err, stdin a pipe kept by the test or
// /dev/null. Killed and reaped when it goes out of scope while still running.
class Child {
 public:
  // Starts the child, its environment without KASSE_DB and KASSE_USER; throws when it cannot.
  Child(const std::string& db, std::vector<std::string> args, const std::string& output_prefix,
        bool stdin_pipe = true);
  // Closes stdin; kills (SIGKILL) and reaps the child unless it has been seen to exit.
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // The child's process id.
  pid_t pid() const { return pid_; }
  // Writes all of `text` to the child's stdin pipe; throws when it cannot.
  void Write(const std::string& text);
  // Closes the stdin pipe (end of input); does nothing when already closed or never a pipe.
  void CloseStdin();
  // Sends SIGKILL unless the child has been seen to exit; does not reap it.
  void Kill();
  // Blocks until the child exits; its exit code, or 128 + signal.
  int Wait();
  // Waits until the child exits or `deadline`; the exit code (or 128 + signal) when it exited.
  std::optional<int> WaitUntil(std::chrono::steady_clock::time_point deadline);
  // Everything the child has written to stdout so far.
  std::string out() const;
  // Everything the child has written to stderr so far.
  std::string err() const;

 private:
  void Record(int status);

  pid_t pid_ = 0;
  int stdin_fd_ = -1;
  std::optional<int> exit_code_;
  std::string out_path_, err_path_;
};

// The process holding the fcntl() lock of a RocksDB directory (its LOCK file), 0 when none.
pid_t LockHolder(const std::string& db);

}  // namespace kasse::test
