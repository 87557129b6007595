#include "cli/datev.h"

#include <fmt/format.h>

#include <array>
#include <cstdlib>

namespace kasse::cli {

DatevChart DatevChartOfYear(int32_t year) {
  return year >= kDatevSkr42FirstYear ? DatevChart::kSkr42 : DatevChart::kSkr49;
}

// The default accounts: the one table of them. A treasurer or adviser overrides a category's
// account in the ledger's history with `kasse datev-account` (datev.account_mapped).
//
// Sources (full list in the README, "DATEV export"):
//   GNC49   GnuCash data/accounts/de_DE/acctchrt_skr49.gnucash-xea: a community rebuild of SKR 49,
//           "Erweitert auf den Stand 2018"; not a DATEV file, so even "found" SKR 49 numbers should
//           be checked by the adviser.
//   SKR42X  iLLixM/SKR42-dolibarr skr42_extract.csv: accounts extracted from DATEV's PDF
//           "Kontenrahmen SKR 42 Vereine, Stiftungen, gGmbH (§ 4 Abs. 3 EStG)", Art.-Nr. 12902.
// "not confirmed": no account for this purpose was found in the source; the number is the
// nearest one found there, a suggestion only.
const std::vector<DatevDefaultAccount>& DatevDefaultAccounts() {
  using enum DatevAccountRole;
  static const std::vector<DatevDefaultAccount> kDefaults = {
      // GNC49 0945 Bank; SKR42X 18000 Bank. kasse has no payment channel: all money is booked here.
      {kBank, "", "0945", true, "18000", true},
      // GNC49 0920 Kasse; SKR42X 16000 Kasse. Listed for completeness; see kBank.
      {kCash, "", "0920", true, "16000", true},
      // GNC49 2110 Echte Mitgliedsbeiträge (< 300 EUR); SKR42X 40000 Echte Mitgliedsbeiträge.
      {kCategory, "Mitgliedsbeiträge", "2110", true, "40000", true},
      // GNC49 3221 Geldzuwendungen gegen Zuwendungsbestätigung; SKR42X 40450 the same.
      {kCategory, "Spenden", "3221", true, "40450", true},
      // Website, newsletter, hosting in the example. GNC49 2702 Porto, Telefon (not confirmed: no
      // public-relations account in class 2); SKR42X 66310 Kosten der Öffentlichkeitsarbeit (not
      // confirmed: what the report's line "Kommunikation" holds).
      {kCategory, "Kommunikation", "2702", false, "66310", false},
      // GNC49 2551 Löhne & Gehälter; SKR42X 60000 Löhne und Gehälter.
      {kCategory, "Personalkosten", "2551", true, "60000", true},
      // GNC49 2701 Büromaterial; SKR42X 68150 Bürobedarf.
      {kCategory, "Büroausstattung", "2701", true, "68150", true},
      // GNC49 2501 Sofortabschreibung GWG; SKR42X 62600 Sofortabschreibung GWG. Items above the
      // GWG limit are assets: the adviser must rebook them.
      {kCategory, "Hardware", "2501", true, "62600", true},
      // GNC49: not confirmed, 2900 Sonstige Kosten ideeller Bereich; SKR42X 63040
      // Veranstaltungskosten.
      {kCategory, "Veranstaltungen", "2900", false, "63040", true},
      // GNC49 2561 Reisekosten Arbeitnehmer; SKR42X 66500 Reisekosten.
      {kCategory, "Reisekosten", "2561", true, "66500", true},
      // GNC49: not confirmed, 2704 Sonstige Verwaltungskosten; SKR42X 68200 Zeitschriften, Bücher,
      // digitale Medien (Fachliteratur).
      {kCategory, "Fachliteratur", "2704", false, "68200", true},
      // GNC49 2894 Rechts- und Beratungskosten; SKR42X 68250 Rechts- und Beratungskosten.
      {kCategory, "Beratung", "2894", true, "68250", true},
      // GNC49: not confirmed, 2900 Sonstige Kosten ideeller Bereich; SKR42X 68370 Lizenzen
      // (zeitlich befristete Überlassung von Rechten).
      {kCategory, "Lizenzen", "2900", false, "68370", true},
      // Notary and court fees in the example. GNC49: not confirmed, 2750 Verbrauchsabgaben und
      // sonstige Beiträge; SKR42X: not confirmed, 64300 Sonstige Abgaben.
      {kCategory, "Sonstige Gebühren", "2750", false, "64300", false},
      // GNC49 2900 Sonstige Kosten ideeller Bereich; SKR42X 63000 Sonstige betriebliche
      // Aufwendungen.
      {kCategory, "Sonstige Kosten", "2900", true, "63000", true},
      // GNC49: not confirmed, 2703 Einzugskosten; SKR42X 68550 Nebenkosten des Geldverkehrs.
      {kCategory, "Kontoführungsgebühren", "2703", false, "68550", true},
      // GNC49 2753 Versicherungsbeiträge; SKR42X 64000 Versicherungen.
      {kCategory, "Versicherung", "2753", true, "64000", true},
  };
  return kDefaults;
}

const DatevDefaultAccount* FindDatevDefault(DatevAccountRole role, std::string_view category) {
  for (const DatevDefaultAccount& entry : DatevDefaultAccounts()) {
    if (entry.role == role && (role != DatevAccountRole::kCategory || entry.category == category)) {
      return &entry;
    }
  }
  return nullptr;
}

const std::vector<std::string_view>& DatevColumnHeadings() {
  static const std::vector<std::string_view> kHeadings = [] {
    std::vector<std::string_view> headings = {"Umsatz (ohne Soll/Haben-Kz)",
                                              "Soll/Haben-Kennzeichen",
                                              "WKZ Umsatz",
                                              "Kurs",
                                              "Basis-Umsatz",
                                              "WKZ Basis-Umsatz",
                                              "Konto",
                                              "Gegenkonto (ohne BU-Schlüssel)",
                                              "BU-Schlüssel",
                                              "Belegdatum",
                                              "Belegfeld 1",
                                              "Belegfeld 2",
                                              "Skonto",
                                              "Buchungstext",
                                              "Postensperre",
                                              "Diverse Adressnummer",
                                              "Geschäftspartnerbank",
                                              "Sachverhalt",
                                              "Zinssperre",
                                              "Beleglink"};
    static const std::array<std::string, 16> kBeleginfo = [] {
      std::array<std::string, 16> names;
      for (int i = 0; i < 8; ++i) {
        names[2 * i] = fmt::format("Beleginfo - Art {}", i + 1);
        names[2 * i + 1] = fmt::format("Beleginfo - Inhalt {}", i + 1);
      }
      return names;
    }();
    headings.insert(headings.end(), kBeleginfo.begin(), kBeleginfo.end());
    headings.insert(headings.end(), {"KOST1 - Kostenstelle", "KOST2 - Kostenstelle", "Kost-Menge",
                                     "EU-Land u. UStID (Bestimmung)", "EU-Steuersatz (Bestimmung)",
                                     "Abw. Versteuerungsart", "Sachverhalt L+L",
                                     "Funktionsergänzung L+L", "BU 49 Hauptfunktionstyp",
                                     "BU 49 Hauptfunktionsnummer", "BU 49 Funktionsergänzung"});
    // DATEV's samples write "Zusatzinformation- Inhalt" without a space before the hyphen.
    static const std::array<std::string, 40> kZusatz = [] {
      std::array<std::string, 40> names;
      for (int i = 0; i < 20; ++i) {
        names[2 * i] = fmt::format("Zusatzinformation - Art {}", i + 1);
        names[2 * i + 1] = fmt::format("Zusatzinformation- Inhalt {}", i + 1);
      }
      return names;
    }();
    headings.insert(headings.end(), kZusatz.begin(), kZusatz.end());
    headings.insert(headings.end(), {"Stück",
                                     "Gewicht",
                                     "Zahlweise",
                                     "Forderungsart",
                                     "Veranlagungsjahr",
                                     "Zugeordnete Fälligkeit",
                                     "Skontotyp",
                                     "Auftragsnummer",
                                     "Buchungstyp",
                                     "USt-Schlüssel (Anzahlungen)",
                                     "EU-Land (Anzahlungen)",
                                     "Sachverhalt L+L (Anzahlungen)",
                                     "EU-Steuersatz (Anzahlungen)",
                                     "Erlöskonto (Anzahlungen)",
                                     "Herkunft-Kz",
                                     "Buchungs GUID",
                                     "KOST-Datum",
                                     "SEPA-Mandatsreferenz",
                                     "Skontosperre",
                                     "Gesellschaftername",
                                     "Beteiligtennummer",
                                     "Identifikationsnummer",
                                     "Zeichnernummer",
                                     "Postensperre bis",
                                     "Bezeichnung SoBil-Sachverhalt",
                                     "Kennzeichen SoBil-Buchung",
                                     "Festschreibung",
                                     "Leistungsdatum",
                                     "Datum Zuord. Steuerperiode",
                                     "Fälligkeit",
                                     "Generalumkehr (GU)",
                                     "Steuersatz",
                                     "Land",
                                     "Abrechnungsreferenz",
                                     "BVV-Position",
                                     "EU-Land u. UStID (Ursprung)",
                                     "EU-Steuersatz (Ursprung)",
                                     "Abw. Skontokonto"});
    return headings;
  }();
  return kHeadings;
}

namespace {

// Windows-1252 bytes 0x80-0x9F and the code points they stand for (0 where the byte is unused).
constexpr std::array<char32_t, 32> kHighBlock = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

// The Windows-1252 byte of `code_point`, or -1 when the code page lacks it.
int Windows1252Byte(char32_t code_point) {
  if (code_point < 0x80 || (code_point >= 0xA0 && code_point <= 0xFF)) {
    return static_cast<int>(code_point);
  }
  for (size_t i = 0; i < kHighBlock.size(); ++i) {
    if (kHighBlock[i] != 0 && kHighBlock[i] == code_point) return static_cast<int>(0x80 + i);
  }
  return -1;
}

// Decodes the UTF-8 sequence at text[*at] and advances *at. The ledger stores valid UTF-8 only
// (nlohmann refuses anything else on import); a broken byte decodes as U+FFFD all the same.
char32_t NextCodePoint(std::string_view text, size_t* at) {
  const auto lead = static_cast<uint8_t>(text[*at]);
  const size_t length = lead < 0x80    ? 1
                        : lead >= 0xF0 ? 4
                        : lead >= 0xE0 ? 3
                        : lead >= 0xC0 ? 2
                                       : 0;
  if (length == 0 || *at + length > text.size()) {
    ++*at;
    return 0xFFFD;
  }
  char32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    code_point = (code_point << 6) | (static_cast<uint8_t>(text[*at + i]) & 0x3F);
  }
  *at += length;
  return code_point;
}

}  // namespace

std::string ToWindows1252(std::string_view utf8, size_t* replaced) {
  std::string out;
  out.reserve(utf8.size());
  size_t at = 0;
  while (at < utf8.size()) {
    const char32_t code_point = NextCodePoint(utf8, &at);
    if (code_point < 0x20 || code_point == 0x7F) {
      out.push_back(' ');
      continue;
    }
    const int byte = Windows1252Byte(code_point);
    if (byte < 0) {
      out.push_back('?');
      ++*replaced;
      continue;
    }
    out.push_back(static_cast<char>(byte));
  }
  return out;
}

std::string DatevQuoted(std::string_view cp1252, size_t chars_max) {
  std::string out = "\"";
  for (char c : cp1252.substr(0, chars_max)) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string DatevVoucher(std::string_view cp1252) {
  constexpr size_t kVoucherCharsMax = 36;
  std::string out;
  for (char c : cp1252.substr(0, kVoucherCharsMax)) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') ||
                         std::string_view("$&%*+-/").find(c) != std::string_view::npos;
    out.push_back(allowed ? c : '-');
  }
  return out;
}

std::string DatevAmount(int64_t amount_cents) {
  return fmt::format("{},{:02}", amount_cents / 100, amount_cents % 100);
}

}  // namespace kasse::cli
