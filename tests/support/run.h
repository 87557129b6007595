// Test support: run the real kasse binary and work in a temporary folder.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kasse::test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// This process's environment ("NAME=value" entries) without KASSE_DB and KASSE_USER.
std::vector<std::string> CleanEnvironment();

// Runs the kasse binary with `args` (no shell), feeding `input` on stdin. The environment has
// KASSE_DB and KASSE_USER cleared so only the arguments count.
RunResult RunKasse(const std::vector<std::string>& args, const std::string& input = "");
// Runs the program at the absolute path `program` the same way (e.g. /usr/bin/python3).
RunResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     const std::string& input = "");

// The exit code and the start of stdout and stderr, for a failed expectation's message.
std::string Describe(const RunResult& result);

// The names and sizes of the files in `dir`, sorted: compared before and after a command, it
// shows whether the command wrote anything there.
std::vector<std::pair<std::string, uintmax_t>> FilesAndSizes(const std::string& dir);

// A fresh temporary directory, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/name
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
// The source tree's file, e.g. "examples/next-ev-2022.jsonl".
std::string SourcePath(const std::string& relative);

}  // namespace kasse::test
