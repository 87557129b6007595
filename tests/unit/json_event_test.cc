#include "ledger/json_event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ledger/hash.h"

namespace kasse {
namespace {

std::string Refused(const std::string& line) {
  Event event;
  const Status status = ParseEventJson(line, &event);
  EXPECT_FALSE(status.ok()) << line;
  return status.message();
}

TEST(ParseEventJson, ReadsAnExpense) {
  Event event;
  ASSERT_TRUE(ParseEventJson(R"({"type":"expense.paid","id":"e-1","date":"2022-03-01",)"
                             R"("category":"Hardware","amount":"129.90","payee":"Shop",)"
                             R"("project":"P1","document":"B-1","note":"n"})",
                             &event)
                  .ok());
  const auto& body = std::get<ExpensePaid>(event.body);
  EXPECT_EQ(body.amount_cents, 12990);
  EXPECT_EQ(body.category, "Hardware");
  EXPECT_EQ(body.project, "P1");
  EXPECT_EQ(event.personal, "Shop");
  EXPECT_EQ(event.document, "B-1");
  EXPECT_EQ(event.date.yyyymmdd(), 20220301);
}

TEST(ParseEventJson, NamesTheField) {
  EXPECT_NE(
      Refused(
          R"({"type":"expense.paid","id":"e","date":"2022-03-01","category":"H","amount":129.9})")
          .find("field \"amount\""),
      std::string::npos);
  EXPECT_NE(
      Refused(R"({"type":"expense.paid","id":"e","date":"2022-02-30","category":"H","amount":"1"})")
          .find("field \"date\""),
      std::string::npos);
  EXPECT_NE(
      Refused(
          R"({"type":"expense.paid","id":"e f","date":"2022-02-03","category":"H","amount":"1"})")
          .find("field \"id\""),
      std::string::npos);
  EXPECT_NE(
      Refused(
          R"({"type":"expense.paid","id":"e","date":"2022-02-03","category":"H","amount":"1","colour":"red"})")
          .find("field \"colour\""),
      std::string::npos);
  EXPECT_NE(
      Refused(R"({"type":"expense.payed","id":"e","date":"2022-02-03"})").find("field \"type\""),
      std::string::npos);
  EXPECT_NE(Refused(R"({"type":"member.changed","id":"e","date":"2022-02-03","member":"M1"})")
                .find("name or kind"),
            std::string::npos);
  EXPECT_NE(Refused(R"({"type":"year.closed","id":"y","date":"2023-02-03","year":"2022"})")
                .find("field \"year\""),
            std::string::npos);
  EXPECT_NE(Refused(R"({"type":"year.closed","id":"y","date":"2023-02-03","year":2022.0})")
                .find("field \"year\""),
            std::string::npos);
  EXPECT_NE(
      Refused(
          R"({"type":"dues.paid","id":"d","date":"2023-02-03","member":"M1","amount":"1","covers":"2025-2022"})")
          .find("field \"covers\""),
      std::string::npos);
  EXPECT_NE(
      Refused(
          R"({"type":"dues.paid","id":"d","date":"2023-02-03","member":"M1","amount":"1","covers":"2020-2030"})")
          .find("field \"covers\""),
      std::string::npos);
  EXPECT_NE(Refused("[1,2]").find("one JSON object"), std::string::npos);
  EXPECT_NE(Refused("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(Refused(std::string(kLineBytesMax + 1, ' ')).find("limit"), std::string::npos);
}

// Found by tests/fuzz/fuzz_event_line: nlohmann throws out_of_range, not parse_error, for a number
// beyond double; it escaped ParseEventJson and `kasse import` died in std::terminate.
TEST(ParseEventJson, RefusesANumberTooLargeForADouble) {
  EXPECT_NE(Refused(R"({"type":"year.closed","id":"y","date":"2023-03-31","year":1e999})")
                .find("not valid JSON"),
            std::string::npos);
  EXPECT_NE(Refused("9999e999").find("not valid JSON"), std::string::npos);
}

TEST(ParseEventJson, RefusesAFieldGivenTwice) {
  EXPECT_NE(Refused(R"({"type":"expense.paid","id":"e","date":"2022-03-01","category":"H",)"
                    R"("amount":"1.00","amount":"2.00"})")
                .find("twice"),
            std::string::npos);
}

TEST(ParseEventJson, LimitsTextByCharactersNotBytes) {
  std::string note;
  for (int i = 0; i < 1000; ++i) note += "ä";  // 2000 bytes, 1000 characters
  Event event;
  EXPECT_TRUE(
      ParseEventJson(R"({"type":"year.closed","id":"y","date":"2023-02-03","year":2022,"note":")" +
                         note + "\"}",
                     &event)
          .ok());
  EXPECT_NE(Refused(R"({"type":"year.closed","id":"y","date":"2023-02-03","year":2022,"note":")" +
                    note + "x\"}")
                .find("field \"note\""),
            std::string::npos);
}

TEST(ParseEventJson, IgnoresTheFieldsTheLedgerAdds) {
  Event event;
  EXPECT_TRUE(
      ParseEventJson(R"({"seq":5,"type":"year.closed","id":"y","date":"2023-02-03","year":2022,)"
                     R"("recorded_at":"x","recorded_by":"y","prev_hash":"00","hash":"11"})",
                     &event)
          .ok());
}

// An import's lines go through simdjson, the recording commands' objects through nlohmann
// (ledger/json_fields.h). Both must read every line alike: the same event, or the same message.
std::string ReadBothWays(const std::string& line) {
  Event from_line, from_object;
  const Status line_status = ParseEventJson(line, &from_line);
  const Status object_status = EventFromJson(nlohmann::json::parse(line), &from_object);
  EXPECT_EQ(line_status.ok(), object_status.ok()) << line;
  EXPECT_EQ(line_status.message(), object_status.message()) << line;
  if (line_status.ok() && object_status.ok()) {
    EXPECT_TRUE(SameClientContent(from_line, from_object)) << line;
  }
  return line_status.message();
}

TEST(ParseEventJson, ReadsNumbersOfEveryKindAsTheRecordingCommandsDo) {
  const std::string year = R"({"type":"year.closed","id":"y","date":"2023-03-31","year":)";
  EXPECT_EQ(ReadBothWays(year + "2022}"), "");
  EXPECT_NE(ReadBothWays(year + "2022.0}").find("field \"year\""), std::string::npos);
  EXPECT_NE(ReadBothWays(year + "-5}").find("-5 is not a year"), std::string::npos);
  EXPECT_NE(ReadBothWays(year + "18446744073709551615}").find("field \"year\""), std::string::npos);
  EXPECT_NE(ReadBothWays(year + "\"2022\"}").find("JSON integer"), std::string::npos);
  const std::string seal = R"({"type":"audit.sealed","id":"s","date":"2023-03-31","auditor":"A",)"
                           R"("covers_hash":")" +
                           std::string(64, 'a') + R"(","covers_seq":)";
  EXPECT_EQ(ReadBothWays(seal + "7}"), "");
  EXPECT_NE(ReadBothWays(seal + "0}").find("from 1"), std::string::npos);
  EXPECT_NE(ReadBothWays(seal + "-7}").find("from 1"), std::string::npos);
  EXPECT_NE(ReadBothWays(seal + "7.5}").find("from 1"), std::string::npos);
}

TEST(ParseEventJson, ReadsArraysBooleansAndNullsAsTheRecordingCommandsDo) {
  const std::string expense =
      R"({"type":"expense.paid","id":"e","date":"2022-03-01","category":"H","amount":"1.00",)";
  EXPECT_NE(ReadBothWays(expense + R"("payee":["a"]})").find("field \"payee\""), std::string::npos);
  EXPECT_NE(ReadBothWays(expense + R"("payee":true})").find("field \"payee\""), std::string::npos);
  EXPECT_NE(ReadBothWays(expense + R"("payee":null})").find("field \"payee\""), std::string::npos);
  EXPECT_NE(ReadBothWays(expense + R"("payee":{"name":"a"}})").find("field \"payee\""),
            std::string::npos);
  EXPECT_EQ(ReadBothWays(expense + R"("payee":"a\u00e4\n"})"),
            "field \"payee\": must not "
            "contain control characters");
}

// A line names its unknown fields in any order; the message names the first in key order.
TEST(ParseEventJson, NamesTheFirstUnknownFieldInKeyOrder) {
  EXPECT_NE(ReadBothWays(R"({"zeta":1,"type":"year.closed","id":"y","date":"2023-03-31",)"
                         R"("year":2022,"alpha":2})")
                .find("field \"alpha\""),
            std::string::npos);
}

// What simdjson refuses, nlohmann parses again, for its message (or its result).
TEST(ParseEventJson, KeepsNlohmannsMessagesForInvalidJson) {
  std::string message;
  try {
    (void)nlohmann::json::parse(R"({"type":"year.closed",})");
  } catch (const nlohmann::json::exception& error) {
    message = error.what();
  }
  ASSERT_FALSE(message.empty());
  EXPECT_EQ(Refused(R"({"type":"year.closed",})"), "not valid JSON: " + message);
  // Beyond 64 bits: simdjson refuses the number, nlohmann reads a float, which no field takes.
  EXPECT_NE(Refused(R"({"type":"year.closed","id":"y","date":"2023-03-31",)"
                    R"("year":99999999999999999999})")
                .find("field \"year\""),
            std::string::npos);
}

// An import's reading thread parses each line into an event that held an earlier line (and what
// the ledger added to it): nothing of that may remain.
TEST(ParseEventJson, ReadIntoAReusedEventEqualsAFreshRead) {
  const std::vector<std::string> lines = {
      R"({"type":"expense.paid","id":"expense-with-a-long-id-1","date":"2022-03-01",)"
      R"("category":"Hardware","amount":"129.90","payee":"Technikhaus Kranich GmbH",)"
      R"("project":"P1","document":"B-2022-0001","note":"eine Notiz"})",
      R"({"type":"dues.paid","id":"d-1","date":"2022-01-10","member":"M-1","amount":"60",)"
      R"("covers":"2022"})",
      R"({"type":"member.joined","id":"j-1","date":"2022-01-01","member":"M-2",)"
      R"("name":"Erika Mustermann","kind":"personal"})",
      R"({"type":"expense.paid","id":"e-2","date":"2022-03-02","category":"Porto",)"
      R"("amount":"1.00"})",
  };
  Event reused;
  for (const std::string& line : lines) {
    reused.seq = 41;  // as the ledger sets them on an event it appended
    reused.recorded_at_unix_ms = 7;
    reused.recorded_by = "kassenwart";
    reused.subject = "p:0123";
    reused.personal_digest[0] = 1;
    Event fresh;
    ASSERT_TRUE(ParseEventJson(line, &fresh).ok()) << line;
    ASSERT_TRUE(ParseEventJson(line, &reused).ok()) << line;
    EXPECT_TRUE(SameClientContent(reused, fresh)) << line;
    EXPECT_EQ(reused.document, fresh.document) << line;
    EXPECT_EQ(reused.note, fresh.note) << line;
    EXPECT_EQ(reused.personal, fresh.personal) << line;
    EXPECT_EQ(reused.seq, 0u);
    EXPECT_EQ(reused.recorded_at_unix_ms, 0);
    EXPECT_EQ(reused.recorded_by, "");
    EXPECT_EQ(reused.subject, "");
    EXPECT_EQ(reused.personal_digest, Sha256{});
  }
}

TEST(EventToJson, RoundTripsThroughTheParser) {
  Event event;
  ASSERT_TRUE(ParseEventJson(R"({"type":"dues.paid","id":"d-1","date":"2022-01-10","member":"M-1",)"
                             R"("amount":"600","covers":"2022-2025","note":"vier Jahre"})",
                             &event)
                  .ok());
  event.seq = 3;
  const auto json = EventToJson(event, Sha256{}, ComputeSha256("x"));
  EXPECT_EQ(json["amount"], "600.00");
  EXPECT_EQ(json["covers"], "2022-2025");
  EXPECT_EQ(json["prev_hash"], std::string(64, '0'));
  Event again;
  ASSERT_TRUE(ParseEventJson(json.dump(), &again).ok());
  EXPECT_TRUE(SameClientContent(event, again));
}

TEST(FormatTimestamp, IsRfc3339Utc) {
  EXPECT_EQ(FormatTimestamp(1669852800123), "2022-12-01T00:00:00.123Z");
}

}  // namespace
}  // namespace kasse
