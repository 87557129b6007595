#include "cli/common.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace kasse::cli {

void ResolveDefaults(GlobalOptions* options) {
  if (options->db_path.empty()) {
    const char* from_env = std::getenv("KASSE_DB");
    options->db_path = from_env != nullptr && *from_env != '\0' ? from_env : "./kasse.db";
  }
}

std::string RecordingUser(const GlobalOptions& options) {
  if (!options.user_option.empty()) return options.user_option;
  const char* from_env = std::getenv("KASSE_USER");
  if (from_env != nullptr && *from_env != '\0') return from_env;
  if (const passwd* entry = ::getpwuid(::geteuid()); entry != nullptr) return entry->pw_name;
  return fmt::format("uid {}", ::geteuid());
}

int Finish(const Status& status) {
  if (status.ok()) return kExitOk;
  fmt::print(stderr, "kasse: error: {}\n", status.message());
  return kExitRejected;
}

size_t StateBytesMax(size_t default_bytes) {
  const char* text = std::getenv("KASSE_STATE_CACHE_BYTES_MAX");
  if (text == nullptr || *text == '\0') return default_bytes;
  char* end = nullptr;
  const unsigned long long bytes = std::strtoull(text, &end, 10);
  return *end == '\0' ? static_cast<size_t>(bytes) : default_bytes;
}

Date Today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return Date{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday};
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status WriteNewFile(const std::string& path, std::string_view bytes,
                    const std::string& exists_message) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST) return Status::Rejected(exists_message);
  if (fd < 0) {
    return Status::IoError(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  }
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t count = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    written += static_cast<size_t>(count);
  }
  const int error = written == bytes.size() && ::fsync(fd) == 0 ? 0 : errno;
  if (::close(fd) != 0 || error != 0) {
    ::unlink(path.c_str());
    return Status::IoError(
        fmt::format("cannot write {}: {}", path, std::strerror(error ? error : errno)));
  }
  return Status::Ok();
}

}  // namespace kasse::cli
