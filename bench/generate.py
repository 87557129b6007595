#!/usr/bin/env python3
"""Deterministic workload of a German association for the kasse benchmarks.

Usage: bench/generate.py N OUTDIR

Writes exactly N events to OUTDIR/events.jsonl (kasse JSON lines, to be imported into a fresh
`kasse init` ledger) and the same money transactions to OUTDIR/journal.ledger (read by ledger-cli
and hledger). Ten years, 2015-01-01 to 2024-12-31:

- six category.defined lines for the other spheres (Zinsen, Kursgebühren, Kursleitung,
  Getränkeverkauf, Wareneinkauf, Depotgebühren) on top of the default chart;
- about N/25 members joining (20 % founders on the first day, 80 % personal), a fifth of them
  leaving later;
- yearly dues (dues.paid, covers the year) for every year a member is active, mostly in Q1;
- donations (a quarter of them by members), income in every sphere, expenses over the whole
  chart with payee and voucher number (document);
- ~1 % reversals (entry.reversed of an earlier money event, dated the same day up to 60 days
  later, never twice);
- ~5 % late recordings: a money event recorded 1 to 45 days after its booking date, so that its
  date is earlier than the previous line's.

Python standard library only; a fixed seed, so the same N gives the same bytes. Streams day by
day: memory grows with the number of members, not of events.
"""

import datetime
import os
import random
import sys

SEED = 20240417
# Share of the money events other than dues that are recorded late (about 5 % of all lines).
LATE_SHARE = 0.075
FIRST = datetime.date(2015, 1, 1)
LAST = datetime.date(2024, 12, 31)
DAYS = (LAST - FIRST).days + 1

EXTRA_CATEGORIES = [
    # (category, direction, sphere)
    ("Zinsen", "income", "asset_management"),
    ("Kursgebühren", "income", "purpose_business"),
    ("Kursleitung", "expense", "purpose_business"),
    ("Getränkeverkauf", "income", "commercial"),
    ("Wareneinkauf", "expense", "commercial"),
    ("Depotgebühren", "expense", "asset_management"),
]

# Expense categories: (category, weight, lowest and highest amount in cents, payees).
EXPENSES = [
    ("Kommunikation", 8, 2000, 300000, ["Pixelwerk Kommunikation GmbH", "Druckerei Lindner KG",
                                         "Telekom Deutschland GmbH", "Mailversand Nord GmbH"]),
    ("Personalkosten", 6, 45000, 380000, ["Geschäftsstellenservice Rheinaue GmbH",
                                          "Lohnbüro Becker", "Honorarkraft J. Neumann"]),
    ("Büroausstattung", 6, 300, 60000, ["Bürobedarf Sonnenschein GmbH", "Papier & Co. OHG",
                                        "Möbelhaus Weber"]),
    ("Hardware", 4, 2500, 250000, ["Technikhaus Kranich GmbH", "Computerladen Meier",
                                   "Elektro Schmidt e.K."]),
    ("Veranstaltungen", 6, 5000, 500000, ["Bürgerhaus Mitte", "Catering Sonnenblume GmbH",
                                          "Tagungshotel am See", "Veranstaltungstechnik Roth"]),
    ("Reisekosten", 8, 900, 45000, ["Deutsche Bahn AG", "Hotel zur Post", "Taxi Zentrale",
                                    "Flinkster Carsharing"]),
    ("Fachliteratur", 3, 990, 12000, ["Buchhandlung am Markt", "Fachverlag Recht & Steuern",
                                      "Zeitschriftenvertrieb Ost"]),
    ("Beratung", 2, 20000, 300000, ["Steuerberatung Klein & Partner", "Rechtsanwältin Dr. Ott",
                                    "Vereinsberatung Süd eG"]),
    ("Lizenzen", 3, 500, 150000, ["Softwarehaus Nordlicht GmbH", "Cloud Dienste AG",
                                  "Vereinsverwaltung Online GmbH"]),
    ("Sonstige Gebühren", 3, 500, 30000, ["Amtsgericht Registergericht", "Notariat Berger",
                                          "Rundfunkbeitrag"]),
    ("Sonstige Kosten", 4, 300, 80000, ["Getränkemarkt Quelle", "Blumen Fischer",
                                        "Hausmeisterservice Wolf"]),
    ("Kontoführungsgebühren", 6, 500, 2500, ["Musterbank eG"]),
    ("Versicherung", 1, 15000, 90000, ["Vereinsversicherung VVaG", "Haftpflichtkasse AG"]),
    ("Kursleitung", 6, 8000, 90000, ["Kursleiterin M. Sommer", "Kursleiter P. Jäger",
                                     "Trainerteam Süd GbR"]),
    ("Wareneinkauf", 5, 2000, 120000, ["Getränkegroßhandel Becker", "Brauerei zum Löwen",
                                       "Großmarkt Ost"]),
    ("Depotgebühren", 1, 500, 6000, ["Musterbank eG Depot", "Direktbank AG"]),
]

# Income other than dues and donations: (category, weight, cents range, payers).
INCOME = [
    ("Zinsen", 1, 100, 60000, ["Musterbank eG", "Direktbank AG"]),
    ("Kursgebühren", 5, 1500, 40000, None),  # paid by participants (person names)
    ("Getränkeverkauf", 4, 2000, 150000, ["Sommerfest Kasse", "Vereinsheim Tresen",
                                          "Weihnachtsmarkt Stand"]),
]

FIRST_NAMES = ["Anna", "Markus", "Sabine", "Thomas", "Julia", "Stefan", "Katrin", "Michael",
               "Claudia", "Philipp", "Florian", "Heike", "Tobias", "Martin", "Birgit", "Hendrik",
               "Lena", "Jonas", "Miriam", "Paul", "Sophie", "Felix", "Tanja", "Uwe", "Petra",
               "Jürgen", "Monika", "Lukas", "Elif", "Mehmet", "Olga", "Dmitri", "Chiara", "Ole"]
LAST_NAMES = ["Lehmann", "Brandt", "Krüger", "Vogel", "Hoffmann", "Engel", "Albers", "Sauer",
              "Reinholz", "Gerlach", "Seidel", "Arnold", "Brandes", "Wendt", "Heinemann",
              "Paulsen", "Hartung", "Müller", "Schmidt", "Schneider", "Fischer", "Weber",
              "Meyer", "Wagner", "Becker", "Schulz", "Koch", "Richter", "Wolf", "Schröder",
              "Yılmaz", "Kowalski", "Ivanova", "Rossi", "Nowak", "Öztürk", "Groß", "Weiß"]
PLACES = ["Musterstadt", "Beispielhausen", "Modellburg", "Fiktivhausen", "Exemplingen",
          "Probenau", "Modellhafen", "Testdorf", "Am See", "Neustadt"]
INSTITUTIONS = ["Stadt {p} – Amt für Digitalisierung", "Gemeinde {p}", "Sportverein {p} e.V.",
                "Landkreis {p} – Stabsstelle", "Förderverein Schule {p}", "Stadtwerke {p} GmbH",
                "Bürgerstiftung {p}", "Kirchengemeinde {p}"]
DONORS = ["Stiftung Digitale Teilhabe {p}", "Sparkasse {p}", "Bäckerei Hoffmann {p}",
          "Autohaus {p} GmbH", "Lions Club {p}", "Rotary Club {p}", "Anonym"]
LEAVE_REASONS = ["Austritt auf eigenen Wunsch", "Umzug", "Kündigung wegen Haushaltskonsolidierung",
                 "verstorben", None, None]
NOTES = ["Rechnung per E-Mail", "Abschlag", "Sammelrechnung", "siehe Vorstandsbeschluss",
         "Barzahlung, Quittung liegt bei", "Quartalsabrechnung"]


def amount(cents):
    return f"{cents // 100}.{cents % 100:02d}"


def safe(text):
    # The generator writes JSON by hand for speed; none of its texts needs escaping.
    assert '"' not in text and "\\" not in text
    return text


class Writer:
    """Writes the JSON lines and the journal, and counts what it wrote."""

    def __init__(self, outdir):
        self.events = open(os.path.join(outdir, "events.jsonl"), "w", encoding="utf-8",
                           buffering=1 << 20)
        self.journal = open(os.path.join(outdir, "journal.ledger"), "w", encoding="utf-8",
                            buffering=1 << 20)
        self.lines = 0
        self.last_date = ""
        self.late_lines = 0
        self.journal.write("; kasse benchmark workload: the money events of events.jsonl\n\n")

    def event(self, text, date):
        self.events.write(text)
        self.events.write("\n")
        if date < self.last_date:
            self.late_lines += 1
        self.last_date = date
        self.lines += 1

    def transaction(self, date, txid, account, cents):
        # Expenses debit the expense account; income credits the income account. A reversal
        # passes the negated cents.
        if account.startswith("Expenses:"):
            first, second = account, "Assets:Bank"
        else:
            first, second = "Assets:Bank", account
        self.journal.write(f"{date} {txid}\n    {first}    {amount_signed(cents)} EUR\n"
                           f"    {second}\n\n")

    def close(self):
        self.events.close()
        self.journal.close()


def amount_signed(cents):
    return amount(cents) if cents >= 0 else "-" + amount(-cents)


def person(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def day_date(day):
    return (FIRST + datetime.timedelta(days=day)).isoformat()


def spread(total, weights):
    """Splits `total` over the days in proportion to `weights`, exactly."""
    cumulative = 0.0
    sum_weights = float(sum(weights))
    counts = []
    previous = 0
    for weight in weights:
        cumulative += weight
        upto = int(round(total * cumulative / sum_weights))
        counts.append(upto - previous)
        previous = upto
    assert sum(counts) == total
    return counts


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: generate.py N OUTDIR")
    n = int(sys.argv[1])
    outdir = sys.argv[2]
    if n < 200:
        sys.exit("N must be at least 200")
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(SEED)
    dates = [day_date(d) for d in range(DAYS)]
    years = [FIRST.year + i for i in range(LAST.year - FIRST.year + 1)]
    first_day_of_year = {y: (datetime.date(y, 1, 1) - FIRST).days for y in years}
    first_day_of_year[LAST.year + 1] = DAYS

    # Members: join day, leave day (or None), kind, name.
    member_count = max(10, n // 25)
    founders = member_count // 5
    joins_by_day = [[] for _ in range(DAYS)]
    leaves_by_day = [[] for _ in range(DAYS)]
    dues_by_day = [[] for _ in range(DAYS)]
    member_names = []
    member_kinds = []
    leave_count = 0
    for m in range(member_count):
        join = 0 if m < founders else rng.randrange(DAYS)
        kind = "institutional" if rng.random() < 0.2 else "personal"
        if kind == "personal":
            name = person(rng)
        else:
            name = rng.choice(INSTITUTIONS).format(p=rng.choice(PLACES))
        member_names.append(name)
        member_kinds.append(kind)
        joins_by_day[join].append(m)
        leave = None
        if rng.random() < 0.2 and join < DAYS - 1:
            leave = rng.randrange(join + 1, DAYS)
            leaves_by_day[leave].append(m)
            leave_count += 1
        # Dues for every year in which the member is active on 31 December.
        join_year = int(dates[join][:4])
        end_year = int(dates[leave][:4]) - 1 if leave is not None else LAST.year
        for year in range(join_year, end_year + 1):
            start = max(join, first_day_of_year[year])
            # Mostly in the first quarter, some later in the year.
            if rng.random() < 0.8:
                day = start + rng.randrange(90)
            else:
                day = start + rng.randrange(365)
            day = min(day, first_day_of_year[year + 1] - 1)
            if leave is not None:
                day = min(day, leave - 1)
            if day < start:
                day = start
            dues_by_day[day].append(m)
    dues_count = sum(len(d) for d in dues_by_day)

    reversal_count = max(1, n // 100)
    rest = n - len(EXTRA_CATEGORIES) - member_count - leave_count - dues_count - reversal_count
    if rest < 10:
        sys.exit(f"N={n} is too small for this workload")
    donation_count = rest * 15 // 100
    income_count = rest * 20 // 100
    expense_count = rest - donation_count - income_count
    money_count = dues_count + donation_count + income_count + expense_count

    # Busier in spring and autumn, quiet at Christmas and in August; weekdays busier.
    weights = []
    for d in range(DAYS):
        date = FIRST + datetime.timedelta(days=d)
        w = 1.0
        if date.month in (3, 4, 5, 9, 10, 11):
            w *= 1.3
        if date.month == 8 or (date.month == 12 and date.day > 20):
            w *= 0.6
        if date.weekday() >= 5:
            w *= 0.4
        weights.append(w)
    expenses_per_day = spread(expense_count, weights)
    income_per_day = spread(income_count, weights)
    donations_per_day = spread(donation_count, weights)
    reversed_money = set(rng.sample(range(money_count), reversal_count))

    expense_weights = [e[1] for e in EXPENSES]
    income_weights = [i[1] for i in INCOME]
    out = Writer(outdir)
    for number, (category, direction, sphere) in enumerate(EXTRA_CATEGORIES, 1):
        out.event(f'{{"type": "category.defined", "id": "cat-{number}", "date": "2015-01-01", '
                  f'"category": "{category}", "direction": "{direction}", "sphere": "{sphere}"}}',
                  "2015-01-01")

    # Late events and reversals wait in these queues until the day they are recorded.
    late_by_day = {}
    reversals_by_day = {}
    joined = []  # members who have joined so far, for donations by members
    money_index = 0
    counters = {"exp": 0, "inc": 0, "don": 0, "dues": 0, "rev": 0}
    # Where each money event is recorded (its day of recording), for reversals of late events.
    voucher = {}

    def money_event(day, text_body, prefix, account, cents, jdate):
        """Returns (id, line builder) and schedules lateness and a reversal."""
        nonlocal money_index
        counters[prefix] += 1
        event_id = f"{prefix}-{dates[day][:4]}-{counters[prefix]:07d}"
        line = f'{{"type": {text_body[0]}, "id": "{event_id}", "date": "{jdate}", {text_body[1]}}}'
        record_day = day
        # Dues are recorded on their day; other money events are sometimes recorded late.
        if prefix != "dues" and rng.random() < LATE_SHARE and day < DAYS - 1:
            record_day = min(DAYS - 1, day + rng.randint(1, 45))
        entry = (line, jdate, event_id, account, cents)
        if record_day == day:
            today.append(entry)
        else:
            late_by_day.setdefault(record_day, []).append(entry)
        if money_index in reversed_money:
            rev_day = min(DAYS - 1, day + rng.choice([0, 0, 1, 3, 7, 14, 30, 60]))
            reversals_by_day.setdefault(max(rev_day, record_day), []).append(
                (rev_day, event_id, account, cents))
        money_index += 1

    def emit(entry):
        line, jdate, event_id, account, cents = entry
        out.event(line, jdate)
        if account is not None:
            out.transaction(jdate, event_id, account, cents)

    today = []  # the day's lines after its joins, as (line, date, id, account, cents)
    for day in range(DAYS):
        date = dates[day]
        year = date[:4]
        for m in joins_by_day[day]:
            note = ', "note": "Gründungsmitglied"' if day == 0 else ""
            out.event(f'{{"type": "member.joined", "id": "join-{m + 1:07d}", "date": "{date}", '
                      f'"member": "M-{m + 1:07d}", "name": "{safe(member_names[m])}", '
                      f'"kind": "{member_kinds[m]}"{note}}}', date)
            joined.append(m)
        today.clear()
        # The day's events, shuffled by type.
        todo = (["dues"] * len(dues_by_day[day]) + ["exp"] * expenses_per_day[day] +
                ["inc"] * income_per_day[day] + ["don"] * donations_per_day[day] +
                ["left"] * len(leaves_by_day[day]))
        rng.shuffle(todo)
        dues_today = iter(dues_by_day[day])
        leaves_today = iter(leaves_by_day[day])
        for kind in todo:
            if kind == "dues":
                m = next(dues_today)
                fee = (6000 if rng.random() < 0.7 else 12000) if member_kinds[m] == "personal" \
                    else (25000 if rng.random() < 0.5 else 60000)
                body = ('"dues.paid"', f'"member": "M-{m + 1:07d}", "amount": "{amount(fee)}", '
                        f'"covers": "{year}"')
                money_event(day, body, "dues", "Income:Mitgliedsbeiträge", fee, date)
            elif kind == "exp":
                category, _, low, high, payees = rng.choices(EXPENSES, expense_weights)[0]
                # Mostly small amounts: log-uniform-ish between low and high.
                cents = int(low * (high / low) ** rng.random())
                document = f"B-{year}-{counters['exp'] + 1:07d}"
                note = f', "note": "{rng.choice(NOTES)}"' if rng.random() < 0.3 else ""
                project = ', "project": "Projekt Zukunft"' if rng.random() < 0.1 else ""
                body = ('"expense.paid"', f'"category": "{category}", "amount": "{amount(cents)}", '
                        f'"payee": "{rng.choice(payees)}", "document": "{document}"{project}{note}')
                money_event(day, body, "exp", f"Expenses:{category}", cents, date)
            elif kind == "inc":
                category, _, low, high, payers = rng.choices(INCOME, income_weights)[0]
                cents = int(low * (high / low) ** rng.random())
                payer = rng.choice(payers) if payers else person(rng)
                document = f"E-{year}-{counters['inc'] + 1:07d}"
                body = ('"income.received"', f'"category": "{category}", '
                        f'"amount": "{amount(cents)}", "payer": "{safe(payer)}", '
                        f'"document": "{document}"')
                money_event(day, body, "inc", f"Income:{category}", cents, date)
            elif kind == "don":
                cents = int(1000 * 1000 ** rng.random()) // 100 * 100
                document = f"SP-{year}-{counters['don'] + 1:07d}"
                if joined and rng.random() < 0.25:
                    m = rng.choice(joined)
                    donor = member_names[m]
                    member = f', "member": "M-{m + 1:07d}"'
                else:
                    donor = rng.choice(DONORS).format(p=rng.choice(PLACES)) \
                        if rng.random() < 0.4 else person(rng)
                    member = ""
                body = ('"donation.received"', f'"donor": "{safe(donor)}", '
                        f'"amount": "{amount(cents)}", "kind": "money"{member}, '
                        f'"document": "{document}"')
                money_event(day, body, "don", "Income:Spenden", cents, date)
            else:
                m = next(leaves_today)
                reason = rng.choice(LEAVE_REASONS)
                reason = f', "reason": "{reason}"' if reason else ""
                today.append((f'{{"type": "member.left", "id": "left-{m + 1:07d}", '
                              f'"date": "{date}", "member": "M-{m + 1:07d}"{reason}}}',
                              date, None, None, None))
        # Events recorded late today go between today's own events.
        for entry in late_by_day.pop(day, []):
            today.insert(rng.randrange(len(today) + 1), entry)
        for entry in today:
            emit(entry)
        for rev_day, target, account, cents in reversals_by_day.pop(day, []):
            counters["rev"] += 1
            rdate = dates[rev_day]
            rid = f"rev-{rdate[:4]}-{counters['rev']:07d}"
            reason = rng.choice(["doppelt gebucht", "falscher Betrag", "Fehlbuchung",
                                 "Rückbuchung der Bank"])
            out.event(f'{{"type": "entry.reversed", "id": "{rid}", "date": "{rdate}", '
                      f'"reverses": "{target}", "reason": "{reason}"}}', rdate)
            out.transaction(rdate, rid, account, -cents)
    assert not late_by_day and not reversals_by_day
    out.close()
    if out.lines != n:
        sys.exit(f"internal error: wrote {out.lines} events, not {n}")
    sys.stderr.write(
        f"generated {n} events into {outdir}: {member_count} members joined, {leave_count} left, "
        f"{dues_count} dues, {donation_count} donations, {income_count} income, "
        f"{expense_count} expenses, {reversal_count} reversals, {out.late_lines} lines dated "
        f"before the previous line\n")


if __name__ == "__main__":
    main()
