// RenderReceiptPdf: lays out a donation receipt with cairo (PDF surface) and pango (text shaping,
// line breaking, font lookup through fontconfig).
//
// The wording and the order of the passages follow the binding templates of the BMF letter of
// 7 November 2013 (IV C 4 - S 2223/07/0018 :005); only the passages that apply are printed (its
// rule no. 1), so a ticked box is always "☒" and an alternative that does not apply is left out.
// The annex of a collective receipt follows the same letter's table. Sources and the choices
// made where the templates leave room: README, section "Donation receipts".
#include "cli/receipt_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "ledger/money.h"

namespace kasse::cli {
namespace {

// DIN A4 in PostScript points, and the margins of a letter (20 mm left and right).
constexpr double kPageWidthPt = 595.276;
constexpr double kPageHeightPt = 841.890;
constexpr double kMarginLeftPt = 62.0;
constexpr double kMarginRightPt = 56.0;
constexpr double kMarginTopPt = 48.0;
constexpr double kMarginBottomPt = 56.0;
constexpr double kContentWidthPt = kPageWidthPt - kMarginLeftPt - kMarginRightPt;

// The fonts: DejaVu (fonts-dejavu-core) has every glyph the templates need, the ballot boxes
// included. Sizes in points, as pango font descriptions.
constexpr const char* kFontBody = "DejaVu Sans 8.6";
constexpr const char* kFontSmall = "DejaVu Sans 7";
constexpr const char* kFontTitle = "DejaVu Sans Bold 10";
constexpr const char* kFontField = "DejaVu Sans 9.5";

constexpr const char* kTicked = "☒";
constexpr const char* kUnticked = "☐";

// Explicit limits: the annex gets one row per donation, and a receipt must stay a document that
// a tax office can read; cli/cmd_receipts.cc enforces a lower limit on what it issues.
constexpr size_t kLinesMax = 10'000;
constexpr size_t kFieldBytesMax = 2'000;

// --- checks ------------------------------------------------------------------------------------

Status CheckField(std::string_view value, std::string_view name) {
  if (value.empty()) return Status::InvalidInput(fmt::format("{} is empty", name));
  if (value.size() > kFieldBytesMax) {
    return Status::InvalidInput(fmt::format("{} is longer than {} bytes", name, kFieldBytesMax));
  }
  if (!g_utf8_validate(value.data(), static_cast<gssize>(value.size()), nullptr)) {
    return Status::InvalidInput(fmt::format("{} is not valid UTF-8", name));
  }
  return Status::Ok();
}

Status CheckFields(const ReceiptDocument& r) {
  KASSE_RETURN_IF_ERROR(CheckField(r.issuer_name, "issuer name"));
  KASSE_RETURN_IF_ERROR(CheckField(r.issuer_address, "issuer address"));
  KASSE_RETURN_IF_ERROR(CheckField(r.tax_office, "tax office"));
  KASSE_RETURN_IF_ERROR(CheckField(r.tax_number, "tax number"));
  KASSE_RETURN_IF_ERROR(CheckField(r.purposes, "purposes"));
  KASSE_RETURN_IF_ERROR(CheckField(r.place, "place"));
  KASSE_RETURN_IF_ERROR(CheckField(r.donor_name, "donor name"));
  KASSE_RETURN_IF_ERROR(CheckField(r.donor_address, "donor address"));
  if (r.notice == ExemptionNotice::kExemption) {
    KASSE_RETURN_IF_ERROR(CheckField(r.assessment_period, "assessment period"));
  }
  if (r.form == ReceiptForm::kInKind) {
    KASSE_RETURN_IF_ERROR(CheckField(r.in_kind_description, "in-kind description"));
  }
  return Status::Ok();
}

Status CheckDocument(const ReceiptDocument& r) {
  KASSE_RETURN_IF_ERROR(CheckField(r.number, "receipt number").WithContext("receipt"));
  KASSE_RETURN_IF_ERROR(CheckFields(r).WithContext("receipt " + r.number));
  const bool collective = r.form == ReceiptForm::kCollective;
  // A collective receipt is for two or more donations (one gets the single template).
  if (collective && (r.lines.size() < 2 || r.lines.size() > kLinesMax)) {
    return Status::InvalidInput(
        fmt::format("receipt {}: a collective receipt lists 2 to {} donations, not {}", r.number,
                    kLinesMax, r.lines.size()));
  }
  if (!collective && r.lines.size() != 1) {
    return Status::InvalidInput(fmt::format("receipt {}: a {} receipt lists one donation, not {}",
                                            r.number, ReceiptFormName(r.form), r.lines.size()));
  }
  int64_t sum_cents = 0;
  for (size_t i = 0; i < r.lines.size(); ++i) {
    const ReceiptLine& line = r.lines[i];
    if (line.amount_cents <= 0 || line.amount_cents > kAmountCentsMax ||
        !AddCents(sum_cents, line.amount_cents, &sum_cents)) {
      return Status::InvalidInput(
          fmt::format("receipt {}: donation {} has an amount out of range", r.number, i + 1));
    }
    if (i > 0 && line.date < r.lines[i - 1].date) {
      return Status::InvalidInput(
          fmt::format("receipt {}: donations not sorted by date", r.number));
    }
  }
  if (sum_cents != r.total_cents || sum_cents > kAmountCentsMax) {
    return Status::InvalidInput(
        fmt::format("receipt {}: total {} is not the sum {} of its donations", r.number,
                    FormatAmount(r.total_cents), FormatAmount(sum_cents)));
  }
  return Status::Ok();
}

// --- text helpers ------------------------------------------------------------------------------

// Pango markup needs <, > and & escaped in whatever the user typed.
std::string Escape(std::string_view text) {
  gchar* escaped = g_markup_escape_text(text.data(), static_cast<gssize>(text.size()));
  std::string result(escaped);
  g_free(escaped);
  return result;
}

std::string GermanDate(const Date& date) {
  return fmt::format("{:02}.{:02}.{:04}", date.day, date.month, date.year);
}

std::string Euros(int64_t cents) {
  return FormatAmountGerman(cents) + " €";
}

// --- the pen: a cursor that runs down the page -------------------------------------------------

struct FontDeleter {
  void operator()(PangoFontDescription* font) const { pango_font_description_free(font); }
};
using Font = std::unique_ptr<PangoFontDescription, FontDeleter>;

struct Pen {
  cairo_t* cr = nullptr;
  PangoLayout* layout = nullptr;
  double y_pt = kMarginTopPt;
};

// Draws `markup` wrapped into `width_pt` at (x_pt, pen.y_pt) and returns its height; the pen
// does not move.
double DrawAt(Pen& pen, double x_pt, double width_pt, const char* font, std::string_view markup,
              PangoAlignment align = PANGO_ALIGN_LEFT) {
  const Font description(pango_font_description_from_string(font));
  pango_layout_set_font_description(pen.layout, description.get());
  pango_layout_set_width(pen.layout, static_cast<int>(width_pt * PANGO_SCALE));
  pango_layout_set_wrap(pen.layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(pen.layout, align);
  pango_layout_set_markup(pen.layout, markup.data(), static_cast<int>(markup.size()));
  cairo_move_to(pen.cr, x_pt, pen.y_pt);
  pango_cairo_show_layout(pen.cr, pen.layout);
  int width_pango = 0;
  int height_pango = 0;
  pango_layout_get_size(pen.layout, &width_pango, &height_pango);
  return static_cast<double>(height_pango) / PANGO_SCALE;
}

// A paragraph across the full width; the pen moves below it and `gap_pt` further.
void Paragraph(Pen& pen, const char* font, std::string_view markup, double gap_pt = 6.0) {
  pen.y_pt += DrawAt(pen, kMarginLeftPt, kContentWidthPt, font, markup) + gap_pt;
}

// A ticked box with its passage, the passage indented beside the box.
void BoxParagraph(Pen& pen, std::string_view markup, const char* box = kTicked) {
  constexpr double kIndentPt = 16.0;
  DrawAt(pen, kMarginLeftPt, kIndentPt, kFontField, box);
  pen.y_pt +=
      DrawAt(pen, kMarginLeftPt + kIndentPt, kContentWidthPt - kIndentPt, kFontBody, markup) + 6.0;
}

void Rule(Pen& pen, double x_pt, double width_pt) {
  cairo_set_line_width(pen.cr, 0.5);
  cairo_move_to(pen.cr, x_pt, pen.y_pt);
  cairo_line_to(pen.cr, x_pt + width_pt, pen.y_pt);
  cairo_stroke(pen.cr);
}

// The height of `markup` wrapped into `width_pt`, without drawing it.
double Measure(Pen& pen, double width_pt, const char* font, std::string_view markup) {
  const Font description(pango_font_description_from_string(font));
  pango_layout_set_font_description(pen.layout, description.get());
  pango_layout_set_width(pen.layout, static_cast<int>(width_pt * PANGO_SCALE));
  pango_layout_set_markup(pen.layout, markup.data(), static_cast<int>(markup.size()));
  int width_pango = 0;
  int height_pango = 0;
  pango_layout_get_size(pen.layout, &width_pango, &height_pango);
  return static_cast<double>(height_pango) / PANGO_SCALE;
}

// A fill-in of the template: a small label above a frame that holds the value.
struct Field {
  double x_pt;
  double width_pt;
  std::string label;
  std::string value_markup;
};

// Draws `fields` side by side, their labels on one baseline and their frames of one height, and
// moves the pen below them.
void FieldRow(Pen& pen, const std::vector<Field>& fields, double min_height_pt) {
  constexpr double kPaddingPt = 4.0;
  double label_pt = 0;
  double frame_pt = min_height_pt;
  for (const Field& field : fields) {
    label_pt = std::max(label_pt, Measure(pen, field.width_pt, kFontSmall, field.label));
    frame_pt = std::max(
        frame_pt, Measure(pen, field.width_pt - 2 * kPaddingPt, kFontField, field.value_markup) +
                      2 * kPaddingPt);
  }
  const double frame_y_pt = pen.y_pt + label_pt + 1.0;
  for (const Field& field : fields) {
    DrawAt(pen, field.x_pt, field.width_pt, kFontSmall, field.label);
    cairo_set_line_width(pen.cr, 0.5);
    cairo_rectangle(pen.cr, field.x_pt, frame_y_pt, field.width_pt, frame_pt);
    cairo_stroke(pen.cr);
    Pen inner = pen;
    inner.y_pt = frame_y_pt + kPaddingPt;
    DrawAt(inner, field.x_pt + kPaddingPt, field.width_pt - 2 * kPaddingPt, kFontField,
           field.value_markup);
  }
  pen.y_pt = frame_y_pt + frame_pt + 14.0;
}

// --- the passages of the templates -------------------------------------------------------------

std::string_view Title(ReceiptForm kind) {
  switch (kind) {
    case ReceiptForm::kMoney:
      return "Bestätigung über Geldzuwendungen/Mitgliedsbeitrag";
    case ReceiptForm::kCollective:
      return "Sammelbestätigung über Geldzuwendungen/Mitgliedsbeiträge";
    case ReceiptForm::kInKind:
      return "Bestätigung über Sachzuwendungen";
  }
  assert(false);
  return "";
}

void Issuer(Pen& pen, const ReceiptDocument& r) {
  Paragraph(pen, kFontSmall,
            "Aussteller (Bezeichnung und Anschrift der steuerbegünstigten Einrichtung)", 2.0);
  Paragraph(pen, kFontField, "<b>" + Escape(r.issuer_name) + "</b>\n" + Escape(r.issuer_address),
            12.0);
  Paragraph(pen, kFontTitle, Escape(Title(r.form)), 3.0);
  Paragraph(pen, kFontBody,
            "im Sinne des § 10b des Einkommensteuergesetzes an eine der in § 5 Abs. 1 Nr. 9 des "
            "Körperschaftsteuergesetzes bezeichneten Körperschaften, Personenvereinigungen oder "
            "Vermögensmassen",
            10.0);
}

void Donor(Pen& pen, const ReceiptDocument& r) {
  FieldRow(pen,
           {{kMarginLeftPt, kContentWidthPt, "Name und Anschrift des Zuwendenden:",
             Escape(r.donor_name) + "\n" + Escape(r.donor_address)}},
           0.0);
}

// The amount in figures, in letters, and the day (or period) of the donation, side by side.
void Amount(Pen& pen, const ReceiptDocument& r) {
  const bool collective = r.form == ReceiptForm::kCollective;
  const char* what = collective                       ? "Gesamtbetrag der Zuwendung"
                     : r.form == ReceiptForm::kInKind ? "Wert der Zuwendung"
                                                      : "Betrag der Zuwendung";
  const std::string when =
      collective ? GermanDate(r.lines.front().date) + " bis " + GermanDate(r.lines.back().date)
                 : GermanDate(r.lines.front().date);
  constexpr double kGapPt = 8.0;
  constexpr double kFiguresPt = 110.0;
  constexpr double kWhenPt = 105.0;
  const double words_pt = kContentWidthPt - kFiguresPt - kWhenPt - 2 * kGapPt;
  const double words_x_pt = kMarginLeftPt + kFiguresPt + kGapPt;
  FieldRow(pen,
           {{kMarginLeftPt, kFiguresPt, std::string(what) + "\n- in Ziffern -",
             "<b>" + Euros(r.total_cents) + "</b>"},
            {words_x_pt, words_pt, "- in Buchstaben -", Escape(AmountInGermanWords(r.total_cents))},
            {words_x_pt + words_pt + kGapPt, kWhenPt,
             collective ? "Zeitraum der Sammelbestätigung:" : "Tag der Zuwendung:", when}},
           0.0);
}

void InKindDetails(Pen& pen, const ReceiptDocument& r) {
  Paragraph(pen, kFontSmall,
            "Genaue Bezeichnung der Sachzuwendung mit Alter, Zustand, Kaufpreis usw.", 2.0);
  Paragraph(pen, kFontField, Escape(r.in_kind_description), 10.0);
  switch (r.in_kind_origin) {
    case InKindOrigin::kBusiness:
      BoxParagraph(pen,
                   "Die Sachzuwendung stammt nach den Angaben des Zuwendenden aus dem "
                   "Betriebsvermögen. Die Zuwendung wurde nach dem Wert der Entnahme (ggf. mit dem "
                   "niedrigeren gemeinen Wert) und nach der Umsatzsteuer, die auf die Entnahme "
                   "entfällt, bewertet.");
      break;
    case InKindOrigin::kPrivate:
      BoxParagraph(pen,
                   "Die Sachzuwendung stammt nach den Angaben des Zuwendenden aus dem "
                   "Privatvermögen.");
      break;
    case InKindOrigin::kUnknown:
      BoxParagraph(pen,
                   "Der Zuwendende hat trotz Aufforderung keine Angaben zur Herkunft der "
                   "Sachzuwendung gemacht.");
      break;
  }
  if (r.valuation_documents) {
    BoxParagraph(pen,
                 "Geeignete Unterlagen, die zur Wertermittlung gedient haben, z. B. Rechnung, "
                 "Gutachten, liegen vor.");
  }
  pen.y_pt += 4.0;
}

void Waiver(Pen& pen, const ReceiptDocument& r) {
  if (r.form == ReceiptForm::kInKind) return;  // not in the in-kind template
  if (r.form == ReceiptForm::kCollective) {
    Paragraph(pen, kFontBody,
              "Ob es sich um den Verzicht auf Erstattung von Aufwendungen handelt, ist der Anlage "
              "zur Sammelbestätigung zu entnehmen.",
              10.0);
    return;
  }
  // kasse records no waivers of reimbursement (Aufwandsspenden): always "Nein".
  Paragraph(pen, kFontBody,
            fmt::format("Es handelt sich um den Verzicht auf Erstattung von Aufwendungen"
                        "   Ja {}   Nein {}",
                        kUnticked, kTicked),
            10.0);
}

void Exemption(Pen& pen, const ReceiptDocument& r) {
  const std::string purposes = Escape(r.purposes);
  if (r.notice == ExemptionNotice::kExemption) {
    BoxParagraph(
        pen, fmt::format("Wir sind wegen Förderung {} nach dem Freistellungsbescheid bzw. nach der "
                         "Anlage zum Körperschaftsteuerbescheid des Finanzamtes {}, StNr. {}, vom "
                         "{} für den letzten Veranlagungszeitraum {} nach § 5 Abs. 1 Nr. 9 des "
                         "Körperschaftsteuergesetzes von der Körperschaftsteuer und nach § 3 Nr. 6 "
                         "des Gewerbesteuergesetzes von der Gewerbesteuer befreit.",
                         purposes, Escape(r.tax_office), Escape(r.tax_number),
                         GermanDate(r.notice_date), Escape(r.assessment_period)));
  } else {
    BoxParagraph(pen,
                 fmt::format("Die Einhaltung der satzungsmäßigen Voraussetzungen nach den §§ 51, "
                             "59, 60 und 61 AO wurde vom Finanzamt {}, StNr. {}, mit Bescheid vom "
                             "{} nach § 60a AO gesondert festgestellt. Wir fördern nach unserer "
                             "Satzung Förderung {}.",
                             Escape(r.tax_office), Escape(r.tax_number), GermanDate(r.notice_date),
                             purposes));
  }
  pen.y_pt += 4.0;
  Paragraph(
      pen, kFontBody,
      fmt::format("Es wird bestätigt, dass die Zuwendung nur zur Förderung {} verwendet wird.",
                  purposes),
      10.0);
  if (r.form == ReceiptForm::kCollective) {
    Paragraph(pen, kFontBody,
              "Es wird bestätigt, dass über die in der Gesamtsumme enthaltenen Zuwendungen keine "
              "weiteren Bestätigungen, weder formelle Zuwendungsbestätigungen noch "
              "Beitragsquittungen oder ähnliches ausgestellt wurden und werden.",
              10.0);
  }
}

void Signature(Pen& pen, const ReceiptDocument& r) {
  pen.y_pt += 10.0;
  Paragraph(pen, kFontField, Escape(r.place) + ", " + GermanDate(r.issued_on), 22.0);
  Rule(pen, kMarginLeftPt, 260.0);
  pen.y_pt += 3.0;
  Paragraph(pen, kFontSmall, "(Ort, Datum und Unterschrift des Zuwendungsempfängers)", 16.0);
}

void Notes(Pen& pen) {
  Paragraph(pen, kFontSmall, "<b>Hinweis:</b>", 2.0);
  Paragraph(pen, kFontSmall,
            "Wer vorsätzlich oder grob fahrlässig eine unrichtige Zuwendungsbestätigung erstellt "
            "oder veranlasst, dass Zuwendungen nicht zu den in der Zuwendungsbestätigung "
            "angegebenen steuerbegünstigten Zwecken verwendet werden, haftet für die entgangene "
            "Steuer (§ 10b Abs. 4 EStG, § 9 Abs. 3 KStG, § 9 Nr. 5 GewStG).",
            5.0);
  Paragraph(pen, kFontSmall,
            "Diese Bestätigung wird nicht als Nachweis für die steuerliche Berücksichtigung der "
            "Zuwendung anerkannt, wenn das Datum des Freistellungsbescheides länger als 5 Jahre "
            "bzw. das Datum der Feststellung der Einhaltung der satzungsmäßigen Voraussetzungen "
            "nach § 60a Abs. 1 AO länger als 3 Jahre seit Ausstellung des Bescheides zurückliegt "
            "(§ 63 Abs. 5 AO).");
}

// The receipt number at the foot of every page, so that each sheet names its receipt.
void Footer(Pen& pen, const ReceiptDocument& r, int page, int pages) {
  Pen foot = pen;
  foot.y_pt = kPageHeightPt - kMarginBottomPt + 18.0;
  DrawAt(foot, kMarginLeftPt, kContentWidthPt, kFontSmall,
         fmt::format("{} · Nr. {} · Seite {} von {}", Escape(r.issuer_name), Escape(r.number), page,
                     pages),
         PANGO_ALIGN_RIGHT);
}

// --- the annex of a collective receipt ---------------------------------------------------------

constexpr double kAnnexRowPt = 14.0;
constexpr double kAnnexColumnsPt[] = {100.0, 150.0, 140.0};  // date, kind, waiver; amount: rest

void AnnexRow(Pen& pen, const std::string& date, const std::string& kind, const std::string& waiver,
              const std::string& amount, const char* font) {
  double x_pt = kMarginLeftPt;
  double height_pt = DrawAt(pen, x_pt, kAnnexColumnsPt[0], font, date);
  x_pt += kAnnexColumnsPt[0];
  height_pt = std::max(height_pt, DrawAt(pen, x_pt, kAnnexColumnsPt[1], font, kind));
  x_pt += kAnnexColumnsPt[1];
  height_pt = std::max(height_pt, DrawAt(pen, x_pt, kAnnexColumnsPt[2], font, waiver));
  x_pt += kAnnexColumnsPt[2];
  height_pt = std::max(height_pt, DrawAt(pen, x_pt, kMarginLeftPt + kContentWidthPt - x_pt, font,
                                         amount, PANGO_ALIGN_RIGHT));
  pen.y_pt += std::max(height_pt, kAnnexRowPt) + 3.0;
}

void AnnexHeader(Pen& pen, const ReceiptDocument& r, bool continued) {
  Paragraph(pen, kFontTitle,
            fmt::format("Anlage zur Sammelbestätigung vom {}{}", GermanDate(r.issued_on),
                        continued ? " (Fortsetzung)" : ""),
            4.0);
  Paragraph(pen, kFontBody,
            fmt::format("Nr. {} · Zuwendender: {}", Escape(r.number), Escape(r.donor_name)), 12.0);
  AnnexRow(pen, "Datum der Zuwendung", "Art der Zuwendung (Geldzuwendung/Mitgliedsbeitrag)",
           "Verzicht auf die Erstattung von Aufwendungen (ja/nein)", "Betrag", kFontSmall);
  Rule(pen, kMarginLeftPt, kContentWidthPt);
  pen.y_pt += 4.0;
}

// Rows per annex page, the total included: 36 rows of at least 17 pt below the heading fit the
// page between its margins.
constexpr size_t kAnnexRowsPerPage = 36;

int AnnexPages(const ReceiptDocument& r) {
  if (r.form != ReceiptForm::kCollective) return 0;
  const size_t rows = r.lines.size() + 1;  // the total takes one more row
  return static_cast<int>((rows + kAnnexRowsPerPage - 1) / kAnnexRowsPerPage);
}

void Annex(Pen& pen, const ReceiptDocument& r, int first_page, int pages) {
  size_t row = 0;  // r.lines.size() is the total
  for (int page = first_page; page <= pages; ++page) {
    pen.y_pt = kMarginTopPt;
    AnnexHeader(pen, r, page != first_page);
    for (size_t on_page = 0; on_page < kAnnexRowsPerPage && row <= r.lines.size();
         ++on_page, ++row) {
      if (row == r.lines.size()) {
        Rule(pen, kMarginLeftPt, kContentWidthPt);
        pen.y_pt += 4.0;
        AnnexRow(pen, "<b>Gesamtsumme</b>", "", "", "<b>" + Euros(r.total_cents) + "</b>",
                 kFontBody);
        continue;
      }
      const ReceiptLine& line = r.lines[row];
      AnnexRow(pen, GermanDate(line.date), line.is_dues ? "Mitgliedsbeitrag" : "Geldzuwendung",
               "nein", Euros(line.amount_cents), kFontBody);
    }
    assert(pen.y_pt <= kPageHeightPt - kMarginBottomPt);
    Footer(pen, r, page, pages);
    cairo_show_page(pen.cr);
  }
  assert(row == r.lines.size() + 1);
}

// --- the PDF surface ---------------------------------------------------------------------------

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Draws every page of the receipt on `cr`. Returns false when the receipt itself does not fit on
// its one page (the templates allow one DIN A4 page; only the annex may follow on more).
bool DrawReceipt(cairo_t* cr, PangoLayout* layout, const ReceiptDocument& r) {
  Pen pen{cr, layout, kMarginTopPt};
  const int pages = 1 + AnnexPages(r);
  cairo_set_source_rgb(cr, 0, 0, 0);
  Issuer(pen, r);
  Donor(pen, r);
  Amount(pen, r);
  if (r.form == ReceiptForm::kInKind) InKindDetails(pen, r);
  Waiver(pen, r);
  Exemption(pen, r);
  Signature(pen, r);
  Notes(pen);
  const bool fits = pen.y_pt <= kPageHeightPt - kMarginBottomPt;
  Footer(pen, r, 1, pages);
  cairo_show_page(cr);
  if (pages > 1) Annex(pen, r, 2, pages);
  return fits;
}

}  // namespace

Status RenderReceiptPdfInProcess(const ReceiptDocument& receipt, std::string* pdf) {
  KASSE_RETURN_IF_ERROR(CheckDocument(receipt));
  std::string bytes;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(AppendToString, &bytes, kPageWidthPt, kPageHeightPt);
  // No clock in the file: the creation date is the issue date, so the same receipt always gives
  // the same bytes.
  const std::string created = fmt::format("{:04}-{:02}-{:02}T00:00:00Z", receipt.issued_on.year,
                                          receipt.issued_on.month, receipt.issued_on.day);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, created.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, created.c_str());
  const std::string title = fmt::format("{} Nr. {}", Title(receipt.form), receipt.number);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, receipt.issuer_name.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "kasse");
  cairo_t* cr = cairo_create(surface);
  PangoLayout* layout = pango_cairo_create_layout(cr);
  const bool fits = DrawReceipt(cr, layout, receipt);
  g_object_unref(layout);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return Status::IoError(fmt::format("receipt {}: cairo could not write the PDF: {}",
                                       receipt.number, cairo_status_to_string(status)));
  }
  if (!fits) {
    return Status::InvalidInput(fmt::format(
        "receipt {}: the receipt does not fit on one DIN A4 page, as the official template "
        "requires; shorten the addresses, the purposes or the in-kind description",
        receipt.number));
  }
  *pdf = std::move(bytes);
  return Status::Ok();
}

}  // namespace kasse::cli
