// The JSON Schemas in schemas/ against an independent validator (Debian's python3-jsonschema, run
// by tests/schema/validate.py with /usr/bin/python3) and against the importer (`kasse import
// --dry-run`): the bundled example is valid, every schema is a valid draft 2020-12 schema, and
// schema and importer give the same verdict on a table of lines; the few lines where the importer
// is knowingly stricter than the schema are listed apart, in kImporterStricter.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/run.h"

extern char** environ;

namespace kasse::test {
namespace {

constexpr const char* kPython = "/usr/bin/python3";  // Debian's, with python3-jsonschema

// ---------------------------------------------------------------------------------------------
// Running /usr/bin/python3 validate.py.

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] (an absolute path, no shell), feeding `input` on stdin, collecting stdout and
// stderr.
ProcessResult RunProcess(std::vector<std::string> argv_strings, const std::string& input) {
  ProcessResult result;
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0) {
    result.err = "pipe failed";
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      posix_spawn(&pid, argv_strings[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = "cannot start " + argv_strings[0] + ": " + std::strerror(spawned);
    return result;
  }
  int in_fd = in_pipe[1];
  size_t written = 0;
  if (input.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  bool out_open = true, err_open = true;
  char buffer[65536];
  while (out_open || err_open) {
    std::vector<pollfd> fds;
    if (out_open) fds.push_back({out_pipe[0], POLLIN, 0});
    if (err_open) fds.push_back({err_pipe[0], POLLIN, 0});
    if (in_fd >= 0) fds.push_back({in_fd, POLLOUT, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) continue;
    for (const pollfd& fd : fds) {
      if (fd.revents == 0) continue;
      if (fd.fd == in_fd) {
        const ssize_t n = write(in_fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if (n < 0 || written == input.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      const ssize_t n = read(fd.fd, buffer, sizeof(buffer));
      if (n > 0) {
        (fd.fd == out_pipe[0] ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      } else {
        (fd.fd == out_pipe[0] ? out_open : err_open) = false;
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// Runs validate.py with `args`; on success returns its output lines. A missing /usr/bin/python3 or
// jsonschema module is a failure (ADD_FAILURE with the reason), never a skip.
bool RunValidator(const std::vector<std::string>& args, const std::string& input,
                  std::vector<std::string>* lines) {
  if (access(kPython, X_OK) != 0) {
    ADD_FAILURE() << kPython << " is missing; the schema tests need Debian's python3 with "
                  << "python3-jsonschema (apt-get install -y python3-jsonschema)";
    return false;
  }
  std::vector<std::string> argv = {kPython, SourcePath("tests/schema/validate.py")};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult run = RunProcess(argv, input);
  if (run.exit_code != 0) {
    ADD_FAILURE() << "validate.py failed (exit " << run.exit_code << "): " << run.err
                  << (run.exit_code == 3 ? "" : "\n(is python3-jsonschema installed?)");
    return false;
  }
  *lines = SplitLines(run.out);
  return true;
}

// Schema verdicts ("valid" or "invalid: ...") for `events`, one python run for all.
bool SchemaVerdicts(const std::vector<std::string>& events, std::vector<std::string>* verdicts) {
  std::string input;
  for (const std::string& event : events) input += event + "\n";
  if (!RunValidator({SourcePath("schemas")}, input, verdicts)) return false;
  if (verdicts->size() != events.size()) {
    ADD_FAILURE() << "validate.py gave " << verdicts->size() << " verdicts for " << events.size()
                  << " lines";
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Building JSON lines. Values are raw JSON text, so that numbers keep their spelling (2022.0, 1e3).

std::string S(const std::string& text) {  // a JSON string
  std::string json = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      json += '\\';
      json += c;
    } else if (byte < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      json += "\\u00";
      json += kHex[byte >> 4];
      json += kHex[byte & 15];
    } else {
      json += c;
    }
  }
  return json + "\"";
}

std::string Repeat(const std::string& text, size_t times) {
  std::string result;
  for (size_t i = 0; i < times; ++i) result += text;
  return result;
}

using Fields = std::vector<std::pair<std::string, std::string>>;  // name, raw JSON value

std::string Line(const Fields& fields) {
  std::string line = "{";
  for (const auto& [name, value] : fields) {
    if (line.size() > 1) line += ", ";
    line += S(name) + ": " + value;
  }
  return line + "}";
}

// `fields` with `name` set to `value` (replaced in place, or appended).
Fields With(Fields fields, const std::string& name, const std::string& value) {
  for (auto& field : fields) {
    if (field.first == name) {
      field.second = value;
      return fields;
    }
  }
  fields.emplace_back(name, value);
  return fields;
}

Fields Without(Fields fields, const std::string& name) {
  std::erase_if(fields, [&](const auto& field) { return field.first == name; });
  return fields;
}

// One valid line per event type, valid in a fresh ledger after kPreamble. Every case line is
// imported after kPreamble, which gives member M-0001 and the money event "ctx-expense" for the
// types that refer to them (dues.paid, member.changed, member.left, entry.reversed), and tax data
// and an in-kind donation for receipt.issued.
const char* const kPreamble =
    R"({"type": "member.joined", "id": "ctx-member", "date": "2021-01-10", "member": "M-0001", "name": "Erika Muster", "kind": "personal"})"
    "\n"
    R"({"type": "expense.paid", "id": "ctx-expense", "date": "2021-01-10", "category": "Hardware", "amount": "1.00"})"
    "\n"
    // What a receipt.issued refers to: tax data "ctx-tax" and donation "ctx-donation".
    R"({"type": "tax_data.recorded", "id": "ctx-tax", "date": "2021-01-10", "name": "T e.V.", "address": "Weg 1\n12345 Ort", "tax_office": "Ort", "tax_number": "12/345/67890", "notice": "60a", "notice_date": "2020-12-01", "purposes": "der Bildung", "place": "Ort"})"
    "\n"
    R"({"type": "donation.received", "id": "ctx-donation", "date": "2022-02-01", "donor": "Max Muster", "amount": "50.00", "kind": "in_kind", "note": "Laptop, 2 Jahre alt"})"
    "\n";

struct BaseEvent {
  std::string type;
  Fields fields;
  std::vector<std::string> required;  // besides type, id, date
};

std::vector<BaseEvent> BaseEvents() {
  const auto head = [](const std::string& type, const std::string& id, const std::string& date) {
    return Fields{{"type", S(type)}, {"id", S(id)}, {"date", S(date)}};
  };
  const auto plus = [](Fields fields, const Fields& more) {
    fields.insert(fields.end(), more.begin(), more.end());
    return fields;
  };
  return {
      {"category.defined",
       plus(
           head("category.defined", "cat-1", "2022-01-01"),
           {{"category", S("Testkategorie")}, {"direction", S("expense")}, {"sphere", S("ideal")}}),
       {"category", "direction", "sphere"}},
      {"member.joined",
       plus(head("member.joined", "join-1", "2022-03-01"),
            {{"member", S("M-0100")}, {"name", S("Max Muster")}, {"kind", S("personal")}}),
       {"member", "name", "kind"}},
      {"member.changed",
       plus(head("member.changed", "change-1", "2022-03-01"),
            {{"member", S("M-0001")}, {"name", S("Erika Mustermann")}}),
       {"member"}},
      {"member.left",
       plus(head("member.left", "left-1", "2022-03-01"), {{"member", S("M-0001")}}),
       {"member"}},
      {"dues.paid",
       plus(head("dues.paid", "dues-1", "2022-03-01"),
            {{"member", S("M-0001")}, {"amount", S("60.00")}, {"covers", S("2022")}}),
       {"member", "amount", "covers"}},
      {"donation.received",
       plus(head("donation.received", "don-1", "2022-03-01"),
            {{"donor", S("Max Muster")}, {"amount", S("50")}}),
       {"donor", "amount"}},
      {"income.received",
       plus(head("income.received", "inc-1", "2022-03-01"),
            {{"category", S("Spenden")}, {"amount", S("10.5")}}),
       {"category", "amount"}},
      {"expense.paid",
       plus(head("expense.paid", "exp-1", "2022-03-01"),
            {{"category", S("Hardware")}, {"amount", S("129.90")}}),
       {"category", "amount"}},
      {"entry.reversed",
       plus(head("entry.reversed", "rev-1", "2022-03-01"),
            {{"reverses", S("ctx-expense")}, {"reason", S("Fehlbuchung")}}),
       {"reverses", "reason"}},
      {"year.closed",
       plus(head("year.closed", "close-1", "2023-01-15"), {{"year", "2022"}}),
       {"year"}},
      {"datev.account_mapped",
       plus(head("datev.account_mapped", "datev-1", "2022-01-01"),
            {{"category", S("Hardware")}, {"chart", S("SKR49")}, {"account", S("2501")}}),
       {"category", "chart", "account"}},
      {"tax_data.recorded",
       plus(head("tax_data.recorded", "tax-1", "2022-08-20"),
            {{"name", S("NExT e.V.")},
             {"address", S("Musterstraße 1\n10115 Berlin")},
             {"tax_office", S("für Körperschaften I")},
             {"tax_number", S("27/640/12345")},
             {"notice", S("exemption")},
             {"notice_date", S("2022-08-15")},
             {"assessment_period", S("2019-2021")},
             {"purposes", S("der Volks- und Berufsbildung")},
             {"place", S("Berlin")}}),
       {"name", "address", "tax_office", "tax_number", "notice", "notice_date", "assessment_period",
        "purposes", "place"}},
      {"receipt.issued",
       plus(head("receipt.issued", "receipt-1", "2023-01-20"),
            {{"number", S("2022-001")},
             {"year", "2022"},
             {"template", S("in_kind")},
             {"donations", R"(["ctx-donation"])"},
             {"amount", S("50.00")},
             {"tax_data_id", S("ctx-tax")},
             {"in_kind_origin", S("private")},
             {"valuation_documents", "true"},
             {"pdf_sha256", S(std::string(64, 'a'))},
             {"donor", S("Max Muster")},
             {"donor_address", S("Weg 2\n12345 Ort")}}),
       {"number", "year", "template", "donations", "amount", "tax_data_id", "in_kind_origin",
        "valuation_documents", "pdf_sha256", "donor", "donor_address"}},
  };
}

const Fields& Base(const std::string& type) {
  static const std::vector<BaseEvent> bases = BaseEvents();
  for (const BaseEvent& base : bases) {
    if (base.type == type) return base.fields;
  }
  throw std::logic_error("no base event " + type);
}

struct Case {
  std::string name;
  std::string line;
  bool valid;  // what both schema and importer must say
};

// The agreement table: schema and importer must both give `valid`.
std::vector<Case> AgreementCases() {
  std::vector<Case> cases;
  const auto add = [&](std::string name, const Fields& fields, bool valid) {
    cases.push_back({std::move(name), Line(fields), valid});
  };
  const auto add_raw = [&](std::string name, std::string line, bool valid) {
    cases.push_back({std::move(name), std::move(line), valid});
  };
  const Fields& expense = Base("expense.paid");
  const Fields& donation = Base("donation.received");

  // A valid base line per type, and each required field missing.
  for (const BaseEvent& base : BaseEvents()) {
    add(base.type + " base", base.fields, true);
    std::vector<std::string> required = {"type", "id", "date"};
    required.insert(required.end(), base.required.begin(), base.required.end());
    for (const std::string& field : required) {
      add(base.type + " without " + field, Without(base.fields, field), false);
    }
    add(base.type + " with an unknown field", With(base.fields, "comment", S("x")), false);
    add(base.type + " with document and note",
        With(With(base.fields, "document", S("B-2022-001")), "note", S("Notiz")), true);
  }

  // Optional fields.
  const Fields& category = Base("category.defined");
  add("category.defined with group", With(category, "group", S("Ausgaben für Satzungszwecke")),
      true);
  add("member.changed kind only",
      With(Without(Base("member.changed"), "name"), "kind", S("institutional")), true);
  add("member.changed name and kind", With(Base("member.changed"), "kind", S("personal")), true);
  add("member.changed neither name nor kind", Without(Base("member.changed"), "name"), false);
  add("member.left with reason", With(Base("member.left"), "reason", S("Austritt")), true);
  add("donation in kind", With(donation, "kind", S("in_kind")), true);
  add("donation kind money", With(donation, "kind", S("money")), true);
  add("donation by a member", With(donation, "member", S("M-0001")), true);
  add("income with payer", With(Base("income.received"), "payer", S("Stadt Musterstadt")), true);
  add("expense with payee and project",
      With(With(expense, "payee", S("Händler GmbH")), "project", S("Projekt A")), true);
  add("category.defined income, asset_management",
      With(With(category, "direction", S("income")), "sphere", S("asset_management")), true);
  add("category.defined purpose_business", With(category, "sphere", S("purpose_business")), true);
  add("category.defined commercial", With(category, "sphere", S("commercial")), true);
  add("member.joined institutional", With(Base("member.joined"), "kind", S("institutional")), true);
  add("exported line with the ledger's fields",
      With(With(With(With(With(expense, "seq", "17"), "recorded_at", S("2022-03-01T10:00:00.000Z")),
                     "recorded_by", S("kassenwart")),
                "prev_hash", S(Repeat("0", 64))),
           "hash", S(Repeat("ab", 32))),
      true);

  // Wrong JSON types.
  add("amount as a JSON number", With(expense, "amount", "129.9"), false);
  add("amount as a JSON integer", With(expense, "amount", "50"), false);
  add("amount null", With(expense, "amount", "null"), false);
  add("year as a string", With(Base("year.closed"), "year", S("2022")), false);
  add("year null", With(Base("year.closed"), "year", "null"), false);
  add("year 2022.5", With(Base("year.closed"), "year", "2022.5"), false);
  const Fields& mapped = Base("datev.account_mapped");
  add("SKR42 account of five digits",
      With(With(mapped, "chart", S("SKR42")), "account", S("68150")), true);
  add("SKR42 account of four digits", With(mapped, "chart", S("SKR42")), false);
  add("SKR49 account of five digits", With(mapped, "account", S("02501")), false);
  add("account as a JSON number", With(mapped, "account", "2501"), false);
  add("account with a letter", With(mapped, "account", S("25O1")), false);
  add("chart in lower case", With(mapped, "chart", S("skr49")), false);
  add("chart SKR03", With(mapped, "chart", S("SKR03")), false);
  const Fields& tax = Base("tax_data.recorded");
  add("tax data of a 60a notice", With(Without(tax, "assessment_period"), "notice", S("60a")),
      true);
  add("tax data of a 60a notice with a period", With(tax, "notice", S("60a")), false);
  add("tax data notice bad", With(tax, "notice", S("Freistellung")), false);
  add("tax data notice_date not a date", With(tax, "notice_date", S("15.08.2022")), false);
  add("tax data address 500 characters", With(tax, "address", S(Repeat("a", 500))), true);
  add("tax data address 501 characters", With(tax, "address", S(Repeat("a", 501))), false);
  add("tax data address with a tab", With(tax, "address", S("Weg 1\t12345 Ort")), false);
  add("tax data name with a newline", With(tax, "name", S("NExT\ne.V.")), false);
  add("tax data name 201 characters", With(tax, "name", S(Repeat("n", 201))), false);
  add("tax data purposes with lines", With(tax, "purposes", S("Bildung\nWissenschaft")), true);
  add("tax data place empty", With(tax, "place", S("")), false);
  add("tax data purposes starting with Förderung",
      With(tax, "purposes", S("Förderung der Bildung")), false);
  add("tax data tax office starting with Finanzamt",
      With(tax, "tax_office", S("Finanzamt Musterstadt")), false);
  add("tax data tax office with Finanzamt inside",
      With(tax, "tax_office", S("Musterstadt (Finanzamt für Körperschaften)")), true);
  add("tax data purposes with Förderung inside",
      With(tax, "purposes", S("der Bildung und Förderung der Kultur")), true);
  const Fields& receipt = Base("receipt.issued");
  const auto money = [](const Fields& fields) {
    return With(Without(Without(fields, "in_kind_origin"), "valuation_documents"), "template",
                S("money"));
  };
  add("receipt of money with in-kind fields", With(receipt, "template", S("money")), false);
  add("receipt in kind without origin", Without(receipt, "in_kind_origin"), false);
  add("receipt origin bad", With(receipt, "in_kind_origin", S("privat")), false);
  add("receipt valuation_documents as a string", With(receipt, "valuation_documents", S("true")),
      false);
  add("receipt collective of one donation", With(money(receipt), "template", S("collective")),
      false);
  add("receipt of two donations", With(receipt, "donations", R"(["ctx-donation", "x"])"), false);
  add("receipt donations empty", With(receipt, "donations", "[]"), false);
  add("receipt donation id with a space", With(receipt, "donations", R"(["a b"])"), false);
  add("receipt donations as a string", With(receipt, "donations", S("ctx-donation")), false);
  add("receipt number 2022-1", With(receipt, "number", S("2022-1")), false);
  add("receipt number 2022-000", With(receipt, "number", S("2022-000")), false);
  add("receipt number 2022-1000", With(receipt, "number", S("2022-1000")), false);
  add("receipt year as a string", With(receipt, "year", S("2022")), false);
  add("receipt tax_data_id empty", With(receipt, "tax_data_id", S("")), false);
  add("receipt tax_data_id as a number", With(receipt, "tax_data_id", "18"), false);
  add("receipt tax_data_id with a space", With(receipt, "tax_data_id", S("ctx tax")), false);
  add("receipt tax_data_id 65 characters", With(receipt, "tax_data_id", S(Repeat("t", 65))), false);
  add("receipt pdf_sha256 in capitals", With(receipt, "pdf_sha256", S(std::string(64, 'A'))),
      false);
  add("receipt donor_address empty", With(receipt, "donor_address", S("")), false);
  add("receipt donor with a newline", With(receipt, "donor", S("Max\nMuster")), false);
  add("receipt amount as a number", With(receipt, "amount", "50"), false);
  add("id as a number", With(expense, "id", "17"), false);
  add("date as a number", With(expense, "date", "20220301"), false);
  add("type as a number", With(expense, "type", "1"), false);
  add("member as a number", With(Base("member.joined"), "member", "100"), false);
  add("name as a number", With(Base("member.joined"), "name", "1"), false);
  add("name null", With(Base("member.changed"), "name", "null"), false);
  add("kind as an array", With(Base("member.joined"), "kind", "[\"personal\"]"), false);
  add("note as a number", With(expense, "note", "1"), false);
  add("document null", With(expense, "document", "null"), false);
  add("covers as a number", With(Base("dues.paid"), "covers", "2022"), false);
  add("direction as a boolean", With(category, "direction", "true"), false);
  add("category as an object", With(expense, "category", "{}"), false);
  add("reverses as a number", With(Base("entry.reversed"), "reverses", "1"), false);

  // Enums and the type.
  add("type unknown", With(expense, "type", S("expense.booked")), false);
  add("type in capitals", With(expense, "type", S("Expense.paid")), false);
  add("direction bad", With(category, "direction", S("both")), false);
  add("direction capitalised", With(category, "direction", S("Income")), false);
  add("sphere bad", With(category, "sphere", S("ideell")), false);
  add("member.joined kind bad", With(Base("member.joined"), "kind", S("person")), false);
  add("member.changed kind bad", With(Base("member.changed"), "kind", S("honorary")), false);
  add("donation kind bad", With(donation, "kind", S("cash")), false);

  // Ids.
  add("id 64 characters", With(expense, "id", S(Repeat("a", 64))), true);
  add("id of every allowed character", With(expense, "id", S("AZaz09._:-")), true);
  add("id 65 characters", With(expense, "id", S(Repeat("a", 65))), false);
  add("id empty", With(expense, "id", S("")), false);
  add("id with a space", With(expense, "id", S("exp 1")), false);
  add("id with a slash", With(expense, "id", S("exp/1")), false);
  add("id with an umlaut", With(expense, "id", S("ä")), false);
  add("member with a space", With(Base("member.joined"), "member", S("M 0100")), false);
  add("member 65 characters", With(Base("member.joined"), "member", S(Repeat("M", 65))), false);
  add("member 64 characters", With(Base("member.joined"), "member", S(Repeat("M", 64))), true);
  add("donation member with a space", With(donation, "member", S("M 0001")), false);
  add("reverses with a space", With(Base("entry.reversed"), "reverses", S("ctx expense")), false);

  // Amounts.
  for (const char* amount : {"0.01", "0.5", "1", "1.5", "1000000000000", "1000000000000.00",
                             "1000000000000.0", "999999999999.99", "30000"}) {
    add(std::string("amount \"") + amount + "\"", With(expense, "amount", S(amount)), true);
  }
  for (const char* amount : {"1,5",
                             "-1",
                             "+1",
                             "1.234",
                             "01",
                             "00.5",
                             "0",
                             "0.0",
                             "0.00",
                             "1000000000000.01",
                             "1000000000001",
                             "10000000000000",
                             "1e3",
                             " 1",
                             "1 ",
                             "",
                             ".5",
                             "1.",
                             "1.2.3",
                             "1.-5",
                             "abc",
                             "1 000"}) {
    add(std::string("amount \"") + amount + "\"", With(expense, "amount", S(amount)), false);
  }
  add("dues amount \"0\"", With(Base("dues.paid"), "amount", S("0")), false);
  add("donation amount \"1,50\"", With(donation, "amount", S("1,50")), false);
  add("income amount \"-5\"", With(Base("income.received"), "amount", S("-5")), false);

  // Dates.
  for (const char* date : {"1900-01-01", "2999-12-31", "2024-02-29", "2000-02-29"}) {
    add(std::string("date ") + date, With(expense, "date", S(date)), true);
  }
  for (const char* date :
       {"2022-3-1", "22-03-01", "2022/03/01", "2022-03-01T10:00:00", "2022-03-01 ", "",
        "01.03.2022", "2022-13-01", "2022-00-10", "2022-03-00", "2022-03-32",
        // Not calendar dates: the format checker rejects them as well.
        "2023-02-30", "2023-02-29", "1900-02-29", "2022-04-31",
        // Outside 1900-2999.
        "1899-12-31", "0001-01-01", "3000-01-01"}) {
    add(std::string("date \"") + date + "\"", With(expense, "date", S(date)), false);
  }

  // Years.
  const Fields& closed = Base("year.closed");
  add("year 1900", With(With(closed, "year", "1900"), "date", S("1901-01-01")), true);
  add("year 1899", With(With(closed, "year", "1899"), "date", S("1900-01-01")), false);
  add("year 3000", With(closed, "year", "3000"), false);
  add("year -2022", With(closed, "year", "-2022"), false);

  // Covers.
  const Fields& dues = Base("dues.paid");
  for (const char* covers : {"2022-2025", "2022-2031", "2021-2022", "1900", "2999"}) {
    add(std::string("covers \"") + covers + "\"", With(dues, "covers", S(covers)), true);
  }
  for (const char* covers : {"22", "2022-25", "2022–2025", "2022-", "2022 ", "2022/2025", "",
                             "20222", "1899", "3000", "1899-1901", "2998-3000"}) {
    add(std::string("covers \"") + covers + "\"", With(dues, "covers", S(covers)), false);
  }

  // Texts: lengths in characters (code points), emptiness, control characters.
  add("note 1000 characters", With(expense, "note", S(Repeat("n", 1000))), true);
  add("note 1000 umlauts", With(expense, "note", S(Repeat("ä", 1000))), true);
  add("note 1000 characters with an emoji",
      With(expense, "note", S(Repeat("n", 999) + "\xF0\x9F\x98\x80")), true);
  add("note 1001 characters", With(expense, "note", S(Repeat("n", 1001))), false);
  add("note empty", With(expense, "note", S("")), true);
  add("note with a newline and a tab", With(expense, "note", S("Zeile 1\n\tZeile 2")), true);
  add("note with a control character", With(expense, "note", S("a\x01z")), false);
  add("note with NUL", With(expense, "note", "\"a\\u0000z\""), false);
  add("note with DEL", With(expense, "note", S("a\x7fz")), true);
  add("document 100 characters", With(expense, "document", S(Repeat("d", 100))), true);
  add("document 101 characters", With(expense, "document", S(Repeat("d", 101))), false);
  add("document empty", With(expense, "document", S("")), false);
  add("document with a tab", With(expense, "document", S("B\t1")), false);
  add("name 200 characters", With(Base("member.joined"), "name", S(Repeat("x", 200))), true);
  add("name 200 euro signs", With(Base("member.joined"), "name", S(Repeat("€", 200))), true);
  add("name 201 characters", With(Base("member.joined"), "name", S(Repeat("x", 201))), false);
  add("name empty", With(Base("member.joined"), "name", S("")), false);
  add("name with a newline", With(Base("member.joined"), "name", S("Max\nMuster")), false);
  add("member.changed name 201 characters",
      With(Base("member.changed"), "name", S(Repeat("x", 201))), false);
  add("member.changed name empty", With(Base("member.changed"), "name", S("")), false);
  add("category 100 characters", With(category, "category", S(Repeat("c", 100))), true);
  add("category 101 characters", With(category, "category", S(Repeat("c", 101))), false);
  add("category empty", With(category, "category", S("")), false);
  add("category with a tab", With(category, "category", S("Reise\tkosten")), false);
  add("group 100 characters", With(category, "group", S(Repeat("g", 100))), true);
  add("group 101 characters", With(category, "group", S(Repeat("g", 101))), false);
  add("group empty", With(category, "group", S("")), false);
  add("donor 200 characters", With(donation, "donor", S(Repeat("d", 200))), true);
  add("donor 201 characters", With(donation, "donor", S(Repeat("d", 201))), false);
  add("donor empty", With(donation, "donor", S("")), false);
  add("payer 201 characters", With(Base("income.received"), "payer", S(Repeat("p", 201))), false);
  add("payer empty", With(Base("income.received"), "payer", S("")), false);
  add("payee 201 characters", With(expense, "payee", S(Repeat("p", 201))), false);
  add("project 100 characters", With(expense, "project", S(Repeat("p", 100))), true);
  add("project 101 characters", With(expense, "project", S(Repeat("p", 101))), false);
  add("project with a control character", With(expense, "project", S("P\x1f")), false);
  add("reason 1000 characters", With(Base("entry.reversed"), "reason", S(Repeat("r", 1000))), true);
  add("reason 1001 characters", With(Base("entry.reversed"), "reason", S(Repeat("r", 1001))),
      false);
  add("reason empty", With(Base("entry.reversed"), "reason", S("")), false);
  add("reason with a newline", With(Base("entry.reversed"), "reason", S("a\nb")), true);
  add("member.left reason empty", With(Base("member.left"), "reason", S("")), false);
  add("member.left reason 1001 characters",
      With(Base("member.left"), "reason", S(Repeat("r", 1001))), false);

  // The ledger's fields: kasse import accepts and ignores them whatever their values (see the unit
  // test ParseEventJson.IgnoresTheFieldsTheLedgerAdds), and so do the schemas.
  add("seq as a string", With(expense, "seq", S("17")), true);
  add("seq 0", With(expense, "seq", "0"), true);
  add("hash not lowercase hex", With(expense, "hash", S(Repeat("AB", 32))), true);
  add("prev_hash too short", With(expense, "prev_hash", S("abc")), true);
  add("recorded_by as a number", With(expense, "recorded_by", "7"), true);
  add("seq null, hash an object", With(With(expense, "seq", "null"), "hash", "{}"), true);

  // Not an event object.
  add_raw("empty object", "{}", false);
  add_raw("an array", "[" + Line(expense) + "]", false);
  add_raw("a string", S("expense.paid"), false);
  add_raw("trailing garbage", Line(expense) + " x", false);
  add_raw("unquoted key", "{type: \"expense.paid\"}", false);
  add_raw("surrounding spaces", "  " + Line(expense) + "  ", true);
  return cases;
}

// Where the importer is knowingly stricter than the schema: the schema says valid, the importer
// invalid. Each is something JSON Schema cannot say, or a known limit of the Python validator.
std::vector<Case> ImporterStricterCases() {
  const Fields& receipt = Base("receipt.issued");
  const Fields& dues = Base("dues.paid");
  const Fields& closed = Base("year.closed");
  const Fields& expense = Base("expense.paid");
  return {
      // covers "A-B" needs B > A: an order between two parts of one string.
      {"covers in the wrong order", Line(With(dues, "covers", S("2022-2021"))), false},
      {"covers the same year twice", Line(With(dues, "covers", S("2022-2022"))), false},
      // covers spans at most 10 years: arithmetic on two parts of one string.
      {"covers 11 years", Line(With(dues, "covers", S("2022-2032"))), false},
      // JSON Schema's "integer" is a number with zero fraction, so 2022.0 is one; the importer
      // wants an integer literal.
      {"year 2022.0", Line(With(closed, "year", "2022.0")), false},
      {"year 2.022e3", Line(With(closed, "year", "2.022e3")), false},
      // At most 65,536 bytes a line (a property of the file format, not of the event).
      {"line over 64 KiB of whitespace",
       Line(With(expense, "note", S("x"))) + std::string(65536, ' '), false},
      // Python's re (the validator's) lets "$" match before a final newline; ECMA-262 patterns,
      // which JSON Schema prescribes, do not. Not the schema's fault (schemas/README.md says so).
      {"amount with a trailing newline (Python re)", Line(With(expense, "amount", S("1\n"))),
       false},
      {"id with a trailing newline (Python re)", Line(With(expense, "id", S("exp-1\n"))), false},
      // Comparisons between two fields, and the referential rules of receipts (the ledger's
      // history decides them: projections/receipts.h).
      {"tax data notice after the event's date",
       Line(With(Base("tax_data.recorded"), "notice_date", S("2022-08-21"))), false},
      {"receipt number of another year", Line(With(receipt, "number", S("2021-001"))), false},
      {"receipt dated before its year", Line(With(Base("receipt.issued"), "date", S("2021-12-31"))),
       false},
      {"receipt of an unknown donation", Line(With(receipt, "donations", R"(["no-such"])")), false},
      {"receipt whose amount is not the sum", Line(With(receipt, "amount", S("50.01"))), false},
      {"receipt of another donor", Line(With(receipt, "donor", S("Erika Muster"))), false},
      {"receipt citing no tax data", Line(With(receipt, "tax_data_id", S("no-such"))), false},
      {"receipt citing a donation as tax data",
       Line(With(receipt, "tax_data_id", S("ctx-donation"))), false},
  };
}

// The importer's verdict on `line` imported (dry run) after kPreamble into the fresh ledger at db.
struct ImporterVerdict {
  bool valid = false;
  std::string message;
};

ImporterVerdict ImportVerdict(const std::string& db, const std::string& line) {
  const RunResult run =
      RunKasse({"--db", db, "import", "--dry-run", "-"}, std::string(kPreamble) + line + "\n");
  ImporterVerdict verdict;
  verdict.valid = run.exit_code == 0;
  verdict.message = run.exit_code == 0 ? "valid"
                                       : "invalid (exit " + std::to_string(run.exit_code) +
                                             "): " + run.err.substr(0, run.err.find('\n'));
  if (run.exit_code != 0 && run.exit_code != 1) verdict.message += " [unexpected exit code]";
  return verdict;
}

std::string Shown(const std::string& line) {
  return line.size() <= 300
             ? line
             : line.substr(0, 300) + "... (" + std::to_string(line.size()) + " bytes)";
}

// Lower case on purpose: the tests are then found by `ctest -R schema`.
class schemas : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }

  // A fresh ledger (the default chart, no members) at db_.
  void InitLedger() {
    const RunResult run = RunKasse({"--db", db_, "init", "--name", "T"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  TempDir dir_;
  std::string db_ = dir_.File("db");
};

TEST_F(schemas, ExampleEventsAreValid) {
  const std::string path = SourcePath("examples/next-ev-2022.jsonl");
  std::vector<std::string> events;
  std::vector<int> line_numbers;
  int number = 0;
  for (std::string line : SplitLines(ReadFile(path))) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;  // as kasse import skips
    events.push_back(line);
    line_numbers.push_back(number);
  }
  ASSERT_GT(events.size(), 100u) << path;
  std::vector<std::string> verdicts;
  ASSERT_TRUE(SchemaVerdicts(events, &verdicts));
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(verdicts[i], "valid") << path << ":" << line_numbers[i] << ": " << events[i];
  }
}

TEST_F(schemas, SchemasAreValidDraft202012) {
  std::vector<std::string> lines;
  ASSERT_TRUE(RunValidator({"--check-schemas", SourcePath("schemas")}, "", &lines));
  EXPECT_EQ(lines.size(), 14u) << "one line per schema file expected";
  for (const std::string& line : lines) {
    EXPECT_TRUE(line.ends_with(": valid")) << line;
  }
}

TEST_F(schemas, SchemaAndImporterAgree) {
  InitLedger();
  const std::vector<Case> cases = AgreementCases();
  std::vector<std::string> lines;
  for (const Case& c : cases) lines.push_back(c.line);
  std::vector<std::string> verdicts;
  ASSERT_TRUE(SchemaVerdicts(lines, &verdicts));
  int disagreements = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const bool schema_valid = verdicts[i] == "valid";
    const ImporterVerdict importer = ImportVerdict(db_, c.line);
    const bool agree = schema_valid == importer.valid;
    if (!agree) ++disagreements;
    EXPECT_TRUE(agree && schema_valid == c.valid)
        << (agree ? "both wrong" : "DISAGREEMENT") << ": " << c.name
        << "\n  line:     " << Shown(c.line) << "\n  expected: " << (c.valid ? "valid" : "invalid")
        << "\n  schema:   " << verdicts[i] << "\n  importer: " << importer.message;
  }
  EXPECT_EQ(disagreements, 0) << "of " << cases.size() << " cases";
  std::cout << cases.size() << " cases checked against schema and importer\n";
}

TEST_F(schemas, ImporterStricterOnlyWhereListed) {
  InitLedger();
  const std::vector<Case> cases = ImporterStricterCases();
  std::vector<std::string> lines;
  for (const Case& c : cases) lines.push_back(c.line);
  std::vector<std::string> verdicts;
  ASSERT_TRUE(SchemaVerdicts(lines, &verdicts));
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const ImporterVerdict importer = ImportVerdict(db_, c.line);
    EXPECT_TRUE(verdicts[i] == "valid" && !importer.valid)
        << c.name << ": expected schema valid, importer invalid\n  line:     " << Shown(c.line)
        << "\n  schema:   " << verdicts[i] << "\n  importer: " << importer.message;
  }
}

}  // namespace
}  // namespace kasse::test
