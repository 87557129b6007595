#!/usr/bin/python3
"""Validates kasse JSON-lines events against schemas/*.schema.json with the jsonschema package.

Usage:
  validate.py SCHEMA_DIR < events.jsonl
      One output line per input line (no line is skipped): "valid" or "invalid: <message>". The
      schema is picked by the line's "type"; a line whose type is missing or unknown is invalid.
  validate.py --check-schemas SCHEMA_DIR
      One output line per schema file: "<file>: valid" or "<file>: invalid: <message>", checked
      against the draft 2020-12 meta-schema.

Exit status: 0 when it ran (whatever the verdicts), 2 on a usage error, 3 when jsonschema is missing.
Meant for Debian's python3-jsonschema (4.10, with /usr/bin/python3), used by tests/schema/schema_test.cc.
"""

import json
import os
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
except ImportError as error:  # the test turns this into a failure with the message
    print(f"validate.py: cannot import jsonschema ({error}); install python3-jsonschema "
          f"(apt-get install -y python3-jsonschema)", file=sys.stderr)
    sys.exit(3)

SCHEMA_SUFFIX = ".schema.json"


def schema_files(directory):
    names = sorted(name for name in os.listdir(directory) if name.endswith(SCHEMA_SUFFIX))
    if not names:
        print(f"validate.py: no *{SCHEMA_SUFFIX} in {directory}", file=sys.stderr)
        sys.exit(2)
    return [os.path.join(directory, name) for name in names]


def one_line(text):
    return " ".join(str(text).split())


def describe(error):
    where = "/".join(str(part) for part in error.absolute_path)
    return one_line(f"{where}: {error.message}" if where else error.message)


def check_schemas(directory):
    for path in schema_files(directory):
        name = os.path.basename(path)
        try:
            with open(path, encoding="utf-8") as file:
                schema = json.load(file)
            if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
                raise ValueError(f"$schema is {schema.get('$schema')!r}, not draft 2020-12")
            Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as error:
            print(f"{name}: invalid: {describe(error)}")
        except (OSError, ValueError) as error:
            print(f"{name}: invalid: {one_line(error)}")
        else:
            print(f"{name}: valid")


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def check_strings(value):
    """Rejects lone surrogates (\\ud800 escapes), which are no Unicode text; Python's json takes them."""
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, list):
        for item in value:
            check_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_strings(key)
            check_strings(item)


def load_validators(directory):
    options = {}
    if hasattr(Draft202012Validator, "FORMAT_CHECKER"):
        options["format_checker"] = Draft202012Validator.FORMAT_CHECKER
    validators = {}
    for path in schema_files(directory):
        with open(path, encoding="utf-8") as file:
            schema = json.load(file)
        type_name = schema["properties"]["type"]["const"]
        expected = os.path.basename(path)[: -len(SCHEMA_SUFFIX)]
        if type_name != expected:
            print(f"validate.py: {path} is for type {type_name!r}", file=sys.stderr)
            sys.exit(2)
        validators[type_name] = Draft202012Validator(schema, **options)
    return validators


def verdict(validators, raw):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"invalid: not UTF-8: {error}"
    try:
        event = json.loads(text, parse_constant=reject_constant)
        check_strings(event)
    except (ValueError, UnicodeEncodeError) as error:
        return f"invalid: not JSON: {one_line(error)}"
    if not isinstance(event, dict):
        return "invalid: not a JSON object"
    type_name = event.get("type")
    if not isinstance(type_name, str) or type_name not in validators:
        return f"invalid: type: {json.dumps(type_name)} is not an event type"
    error = best_match(validators[type_name].iter_errors(event))
    return "valid" if error is None else f"invalid: {describe(error)}"


def validate_lines(directory):
    validators = load_validators(directory)
    data = sys.stdin.buffer.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the final newline ends the last line, it does not start another
    out = sys.stdout
    for raw in lines:
        out.write(verdict(validators, raw) + "\n")
    out.flush()


def main(argv):
    if len(argv) == 3 and argv[1] == "--check-schemas":
        check_schemas(argv[2])
    elif len(argv) == 2 and not argv[1].startswith("-"):
        validate_lines(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
