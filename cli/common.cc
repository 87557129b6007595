#include "cli/common.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>

namespace kasse::cli {

void ResolveDefaults(GlobalOptions* options) {
  if (options->db_path.empty()) {
    const char* from_env = std::getenv("KASSE_DB");
    options->db_path = from_env != nullptr && *from_env != '\0' ? from_env : "./kasse.db";
  }
  if (options->user.empty()) {
    const char* from_env = std::getenv("KASSE_USER");
    if (from_env != nullptr && *from_env != '\0') {
      options->user = from_env;
    } else if (const passwd* entry = ::getpwuid(::geteuid()); entry != nullptr) {
      options->user = entry->pw_name;
    } else {
      options->user = fmt::format("uid {}", ::geteuid());
    }
  }
}

int Finish(const Status& status) {
  if (status.ok()) return kExitOk;
  fmt::print(stderr, "kasse: error: {}\n", status.message());
  return kExitRejected;
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

}  // namespace kasse::cli
