// The receipt document as JSON, and RenderReceiptPdf: the PDF made by the program
// kasse-receipt-pdf (cli/receipt_pdf_main.cc) in a child process, so that kasse itself does not
// load cairo and pango (see cli/receipt_pdf.h).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/receipt_pdf.h"
#include "ledger/money.h"

extern char** environ;

namespace kasse::cli {
namespace {

using nlohmann::json;

// The renderer's input and output are bounded: a receipt lists at most a few thousand donations,
// and its PDF stays far below this.
constexpr size_t kDocumentBytesMax = 4 << 20;
constexpr size_t kPdfBytesMax = 64 << 20;
constexpr size_t kErrorBytesMax = 4096;

// Reads an enum by the name the events use (ledger/event.h), e.g. ReceiptFormFromName.
template <typename Enum>
Status EnumFromName(const json& value, bool (*from_name)(std::string_view, Enum*),
                    std::string_view field, Enum* result) {
  if (!value.is_string()) return Status::InvalidInput(fmt::format("{} is not a string", field));
  const std::string& name = value.get_ref<const std::string&>();
  if (!from_name(name, result)) {
    return Status::InvalidInput(fmt::format("{}: unknown value \"{}\"", field, name));
  }
  return Status::Ok();
}

Status StringField(const json& object, const char* field, std::string* value) {
  const auto it = object.find(field);
  if (it == object.end() || !it->is_string()) {
    return Status::InvalidInput(fmt::format("{} is missing or not a string", field));
  }
  *value = it->get<std::string>();
  return Status::Ok();
}

Status DateField(const json& object, const char* field, Date* date) {
  std::string text;
  KASSE_RETURN_IF_ERROR(StringField(object, field, &text));
  return ParseDate(text, date).WithContext(field);
}

Status CentsField(const json& object, const char* field, int64_t* cents) {
  const auto it = object.find(field);
  if (it == object.end() || !it->is_number_integer()) {
    return Status::InvalidInput(fmt::format("{} is missing or not a whole number", field));
  }
  *cents = it->get<int64_t>();
  return Status::Ok();
}

Status BoolField(const json& object, const char* field, bool* value) {
  const auto it = object.find(field);
  if (it == object.end() || !it->is_boolean()) {
    return Status::InvalidInput(fmt::format("{} is missing or not true/false", field));
  }
  *value = it->get<bool>();
  return Status::Ok();
}

Status LinesFromJson(const json& object, std::vector<ReceiptLine>* lines) {
  const auto it = object.find("lines");
  if (it == object.end() || !it->is_array()) {
    return Status::InvalidInput("lines is missing or not an array");
  }
  for (const json& item : *it) {
    if (!item.is_object()) return Status::InvalidInput("lines: an item is not an object");
    ReceiptLine line;
    KASSE_RETURN_IF_ERROR(DateField(item, "date", &line.date).WithContext("lines"));
    KASSE_RETURN_IF_ERROR(
        CentsField(item, "amount_cents", &line.amount_cents).WithContext("lines"));
    KASSE_RETURN_IF_ERROR(BoolField(item, "is_dues", &line.is_dues).WithContext("lines"));
    lines->push_back(line);
  }
  return Status::Ok();
}

// Reads all of `fd` into `bytes`, at most `max_bytes`; false on a read error or more bytes.
bool ReadAll(int fd, size_t max_bytes, std::string* bytes) {
  std::array<char, 1 << 16> buffer;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes->append(buffer.data(), static_cast<size_t>(n));
    if (bytes->size() > max_bytes) return false;
  }
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// kasse-receipt-pdf beside the running kasse binary.
Status RendererPath(std::string* path) {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return Status::IoError("cannot find the kasse binary: " + error.message());
  *path = (self.parent_path() / "kasse-receipt-pdf").string();
  if (::access(path->c_str(), X_OK) != 0) {
    return Status::IoError(fmt::format(
        "the receipt renderer {} is missing; it is built and installed with kasse", *path));
  }
  return Status::Ok();
}

struct Pipe {
  int fds[2] = {-1, -1};
  ~Pipe() { Close(); }
  void Close() {
    for (int& fd : fds) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
  }
  void CloseEnd(int end) {
    if (fds[end] >= 0) ::close(fds[end]);
    fds[end] = -1;
  }
};

}  // namespace

std::string ReceiptDocumentToJson(const ReceiptDocument& r) {
  json lines = json::array();
  for (const ReceiptLine& line : r.lines) {
    lines.push_back({{"date", FormatDate(line.date)},
                     {"amount_cents", line.amount_cents},
                     {"is_dues", line.is_dues}});
  }
  const json document = {
      {"template", ReceiptFormName(r.form)},
      {"number", r.number},
      {"issued_on", FormatDate(r.issued_on)},
      {"issuer_name", r.issuer_name},
      {"issuer_address", r.issuer_address},
      {"tax_office", r.tax_office},
      {"tax_number", r.tax_number},
      {"notice", ExemptionNoticeName(r.notice)},
      {"notice_date", FormatDate(r.notice_date)},
      {"assessment_period", r.assessment_period},
      {"purposes", r.purposes},
      {"place", r.place},
      {"donor_name", r.donor_name},
      {"donor_address", r.donor_address},
      {"lines", lines},
      {"total_cents", r.total_cents},
      {"in_kind_description", r.in_kind_description},
      {"in_kind_origin", InKindOriginName(r.in_kind_origin)},
      {"valuation_documents", r.valuation_documents},
  };
  return document.dump();
}

Status ReceiptDocumentFromJson(std::string_view text, ReceiptDocument* receipt) {
  if (text.size() > kDocumentBytesMax) return Status::InvalidInput("receipt document too large");
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return Status::InvalidInput("receipt document is not a JSON object");
  ReceiptDocument r;
  KASSE_RETURN_IF_ERROR(
      EnumFromName(object.value("template", json()), ReceiptFormFromName, "template", &r.form));
  KASSE_RETURN_IF_ERROR(StringField(object, "number", &r.number));
  KASSE_RETURN_IF_ERROR(DateField(object, "issued_on", &r.issued_on));
  KASSE_RETURN_IF_ERROR(StringField(object, "issuer_name", &r.issuer_name));
  KASSE_RETURN_IF_ERROR(StringField(object, "issuer_address", &r.issuer_address));
  KASSE_RETURN_IF_ERROR(StringField(object, "tax_office", &r.tax_office));
  KASSE_RETURN_IF_ERROR(StringField(object, "tax_number", &r.tax_number));
  KASSE_RETURN_IF_ERROR(
      EnumFromName(object.value("notice", json()), ExemptionNoticeFromName, "notice", &r.notice));
  KASSE_RETURN_IF_ERROR(DateField(object, "notice_date", &r.notice_date));
  KASSE_RETURN_IF_ERROR(StringField(object, "assessment_period", &r.assessment_period));
  KASSE_RETURN_IF_ERROR(StringField(object, "purposes", &r.purposes));
  KASSE_RETURN_IF_ERROR(StringField(object, "place", &r.place));
  KASSE_RETURN_IF_ERROR(StringField(object, "donor_name", &r.donor_name));
  KASSE_RETURN_IF_ERROR(StringField(object, "donor_address", &r.donor_address));
  KASSE_RETURN_IF_ERROR(LinesFromJson(object, &r.lines));
  KASSE_RETURN_IF_ERROR(CentsField(object, "total_cents", &r.total_cents));
  KASSE_RETURN_IF_ERROR(StringField(object, "in_kind_description", &r.in_kind_description));
  KASSE_RETURN_IF_ERROR(EnumFromName(object.value("in_kind_origin", json()), InKindOriginFromName,
                                     "in_kind_origin", &r.in_kind_origin));
  KASSE_RETURN_IF_ERROR(BoolField(object, "valuation_documents", &r.valuation_documents));
  *receipt = std::move(r);
  return Status::Ok();
}

Status RenderReceiptPdf(const ReceiptDocument& receipt, std::string* pdf) {
  std::string renderer;
  KASSE_RETURN_IF_ERROR(RendererPath(&renderer));
  Pipe in, out, err;
  if (::pipe2(in.fds, O_CLOEXEC) != 0 || ::pipe2(out.fds, O_CLOEXEC) != 0 ||
      ::pipe2(err.fds, O_CLOEXEC) != 0) {
    return Status::IoError(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fds[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fds[1], STDERR_FILENO);
  char* argv[] = {renderer.data(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, renderer.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return Status::IoError(fmt::format("cannot run {}: {}", renderer, std::strerror(spawned)));
  }
  in.CloseEnd(0);
  out.CloseEnd(1);
  err.CloseEnd(1);
  // The renderer reads its whole input before it writes anything, so writing first, then reading
  // cannot deadlock on full pipes.
  const bool written = WriteAll(in.fds[1], ReceiptDocumentToJson(receipt));
  in.CloseEnd(1);
  std::string bytes;
  std::string message;
  const bool read_out = ReadAll(out.fds[0], kPdfBytesMax, &bytes);
  out.CloseEnd(0);  // a renderer still writing gets SIGPIPE instead of blocking us
  const bool read_err = ReadAll(err.fds[0], kErrorBytesMax, &message);
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const int exit_code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  if (exit_code == 1) return Status::InvalidInput(message);
  if (exit_code != 0 || !written || !read_out || !read_err) {
    return Status::IoError(fmt::format("the receipt renderer {} failed (exit {}): {}", renderer,
                                       exit_code, message.empty() ? "no message" : message));
  }
  *pdf = std::move(bytes);
  return Status::Ok();
}

}  // namespace kasse::cli
