"""The xAPI 1.0.1 JSON schemas (RusticiSoftware's TinCanSchema, in ../shared/xapi/tincanschema) as a validator.

The schemas are draft-04 files that name each other by location-independent ids (``#statement``,
``#agent``); they are loaded as one document, and their formats (JavaScript regular expressions in
``formats/formats.json``) are checked by a format checker. A third-party schema, so a statement
Kyky stores is judged by rules Kyky did not write.
"""

from __future__ import annotations

import functools
import json
import re

import jsonschema

from tests.conftest import SHARED

SCHEMAS = SHARED / "xapi" / "tincanschema" / "1.0.1"


@functools.cache
def statement_validator() -> jsonschema.Draft4Validator:
    definitions = {path.stem: json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.json"))}
    for schema in definitions.values():
        schema.pop("$schema", None)
    root = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "definitions": definitions,
        "allOf": [{"$ref": "#statement"}],
    }
    checker = jsonschema.FormatChecker(formats=())
    for name, pattern in json.loads((SCHEMAS / "formats" / "formats.json").read_text()).items():
        compiled = re.compile(pattern)
        checker.checks(name)(
            lambda value, compiled=compiled: not isinstance(value, str) or bool(compiled.search(value))
        )
    return jsonschema.Draft4Validator(root, format_checker=checker)


def schema_errors(statement: dict) -> list[str]:
    """What the schemas find wrong with ``statement``: empty when it is valid."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in statement_validator().iter_errors(statement)]
