#!/usr/bin/python3
"""Reads a Z3 export (index.xml and its CSV tables) through its description only, as an auditor's
import tool would: the file name, code page, delimiters, decimal symbol, bytes to skip and the
columns with their types come from index.xml, not from knowledge of kasse. Independent of kasse's
code: Python's xml.etree and csv modules.

Usage: gdpdu_read.py DIR. Prints one JSON object:
  {"supplier": {...}, "media": NAME, "tables": [{"name", "url", "skipped", "columns": [{"name",
   "type", "accuracy", "format", "primary_key"}], "foreign_keys": [...], "rows": [[value, ...]]}]}
where a Numeric value is an integer in units of its last declared decimal (cents for accuracy 2),
a Date an ISO date "YYYY-MM-DD", AlphaNumeric the text, and an empty field null. Exits non-zero,
naming table, row and column, when a row does not parse as described.
"""
import csv
import datetime
import io
import json
import os
import re
import sys
import xml.etree.ElementTree as ElementTree

ENCODINGS = {"UTF8": "utf-8", "ANSI": "cp1252", "UTF16": "utf-16", "OEM": "cp850",
             "Macintosh": "mac_roman"}


def fail(message):
    sys.exit("gdpdu_read: " + message)


def text(element, tag, default=None):
    found = element.find(tag)
    return default if found is None else (found.text or "")


def column_of(element):
    column = {"name": text(element, "Name"), "primary_key": element.tag == "VariablePrimaryKey",
              "type": None, "accuracy": 0, "format": None}
    for kind in ("Numeric", "AlphaNumeric", "Date"):
        typed = element.find(kind)
        if typed is None:
            continue
        column["type"] = kind
        if kind == "Numeric":
            column["accuracy"] = int(text(typed, "Accuracy", "0"))  # the DTD's default: 0
            if typed.find("ImpliedAccuracy") is not None:
                fail("ImpliedAccuracy is not supported by this reader")
        if kind == "Date":
            column["format"] = text(typed, "Format", "DD.MM.YYYY")  # the DTD's default
    if column["type"] is None:
        fail("column %s has no data type" % column["name"])
    return column


def describe(table):
    variable = table.find("VariableLength")
    if variable is None:
        fail("table %s is not VariableLength" % text(table, "URL"))
    encodings = [tag for tag in ENCODINGS if table.find(tag) is not None]
    description = {
        "url": text(table, "URL"),
        "name": text(table, "Name", text(table, "URL")),  # the DTD: URL stands in for Name
        "encoding": ENCODINGS[encodings[0]] if encodings else "cp1252",  # ANSI is the default
        "decimal": text(table, "DecimalSymbol", ","),
        "grouping": text(table, "DigitGroupingSymbol", "."),
        "skip": int(text(table, "SkipNumBytes", "0")),
        "delimiter": text(variable, "ColumnDelimiter", ";"),
        "record": text(variable, "RecordDelimiter", "\r\n"),
        "quote": text(variable, "TextEncapsulator", '"'),
        "columns": [column_of(c) for c in variable if c.tag in ("VariablePrimaryKey",
                                                                 "VariableColumn")],
        "foreign_keys": [{"names": [n.text for n in key.findall("Name")],
                          "references": text(key, "References")}
                         for key in variable.findall("ForeignKey")],
    }
    if len(description["delimiter"]) != 1 or len(description["quote"]) != 1:
        fail("this reader handles one-character delimiters and encapsulators only")
    return description


def strptime_format(gdpdu_format):
    converted = gdpdu_format
    for token, directive in (("YYYY", "%Y"), ("MM", "%m"), ("DD", "%d")):
        converted = converted.replace(token, directive)
    return converted


def value_of(field, column, description, where):
    if field == "":
        return None
    if column["type"] == "AlphaNumeric":
        return field
    if column["type"] == "Date":
        try:
            parsed = datetime.datetime.strptime(field, strptime_format(column["format"]))
        except ValueError:
            fail("%s: %r is no date in the format %s" % (where, field, column["format"]))
        return parsed.date().isoformat()
    accuracy = column["accuracy"]
    decimals = (re.escape(description["decimal"]) + r"(\d{%d})" % accuracy) if accuracy else ""
    match = re.fullmatch(r"(-?)(\d+)" + decimals, field)
    if match is None:
        fail("%s: %r is no number with %d decimals and decimal symbol %r"
             % (where, field, accuracy, description["decimal"]))
    units = int(match.group(2) + (match.group(3) if accuracy else ""))
    return -units if match.group(1) else units


def read_table(directory, description):
    raw = open(os.path.join(directory, description["url"]), "rb").read()
    skipped = raw[:description["skip"]].decode(description["encoding"])
    body = raw[description["skip"]:].decode(description["encoding"])
    record = description["record"]
    if body and not body.endswith(record):
        fail("%s does not end with its record delimiter" % description["url"])
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=description["delimiter"],
                        quotechar=description["quote"], strict=True)
    rows = []
    columns = description["columns"]
    for number, fields in enumerate(reader, start=1):
        where = "%s row %d" % (description["name"], number)
        if len(fields) != len(columns):
            fail("%s: %d fields, the description declares %d" % (where, len(fields),
                                                                  len(columns)))
        rows.append([value_of(field, column, description, where + " column " + column["name"])
                     for field, column in zip(fields, columns)])
    return {"name": description["name"], "url": description["url"], "skipped": skipped,
            "encoding": description["encoding"], "decimal": description["decimal"],
            "delimiter": description["delimiter"],
            "columns": [{k: c[k] for k in ("name", "type", "accuracy", "format", "primary_key")}
                        for c in columns],
            "foreign_keys": description["foreign_keys"], "rows": rows}


def main():
    directory = sys.argv[1]
    root = ElementTree.parse(os.path.join(directory, "index.xml")).getroot()
    supplier = root.find("DataSupplier")
    media = root.findall("Media")
    if len(media) != 1:
        fail("expected one Media, found %d" % len(media))
    tables = [read_table(directory, describe(table)) for table in media[0].findall("Table")]
    print(json.dumps({
        "version": text(root, "Version"),
        "supplier": None if supplier is None else {k: text(supplier, k) for k in
                                                    ("Name", "Location", "Comment")},
        "media": text(media[0], "Name"),
        "tables": tables}, ensure_ascii=False))


main()
