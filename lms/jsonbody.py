"""Parse a JSON request body that may come from an attacker, refusing cleanly instead of crashing.

``json.loads`` is correct JSON parsing, but several inputs that it accepts, or fails on with
something other than ``ValueError``, would reach the database or the error pages as a crash. Each
refusal below exists for one of them; every refusal is a :class:`JSONBodyError` with the HTTP
status to answer (413 for a body over the size limit, 400 for everything else).

- **Too large** (413): checked on the bytes before anything else, so a large body costs nothing.
- **Not UTF-8**: JSON exchanged between systems must be UTF-8 (RFC 8259 §8.1). Decoding strictly
  also refuses encoded surrogates (``ED A0 80``) and overlong forms.
- **Byte order mark**: RFC 8259 forbids sending one and lets parsers ignore it. One leading UTF-8
  BOM (some Windows tools add it) is skipped; ``json.loads`` would otherwise fail on it. A UTF-16 or
  UTF-32 BOM is not UTF-8 and is refused with the other non-UTF-8 bodies.
- **Malformed JSON**: anything ``json.loads`` refuses, including an empty body and raw control
  characters inside strings.
- **Nesting deeper than** ``max_depth``: Python's parser recurses once per ``[`` or ``{``; 100,000
  of them raise ``RecursionError``, not ``ValueError``, and code walking the result recurses too.
  The depth is counted by a linear scan of the text *before* parsing, so the parser never sees it.
- **NaN, Infinity, -Infinity, and numbers that overflow to infinity** (``1e400``): they are not
  JSON (RFC 8259 §6), PostgreSQL's jsonb cannot store them, ``json.dumps`` would write them back as
  invalid JSON, and in arithmetic they poison every total they touch.
- **Integers with more digits than Python converts** (4300 by default since 3.11): ``int()``
  raises ``ValueError`` past that limit, which exists because converting them takes quadratic time.
- **U+0000 in a string or key**: PostgreSQL's text and jsonb types cannot hold it; saving it is a
  database error, so a 500.
- **Lone UTF-16 surrogates** (``"\\ud800"``): valid JSON escapes, but not Unicode text; psycopg
  cannot encode them to UTF-8, so saving them is a 500 too. Correctly paired escapes
  (``"\\ud83d\\ude00"``) are one character and are accepted.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

from django.utils.translation import gettext as _

_UTF8_BOM = b"\xef\xbb\xbf"
_STRUCTURE = re.compile(r'[\[\]{}"]')
# The rest of a JSON string after its opening quote, up to and including the closing quote.
# Written as an "unrolled loop", so that even on a string that never ends it runs in linear time.
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NUL_OR_SURROGATE = re.compile("[\x00\ud800-\udfff]")
_MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300


class JSONBodyError(ValueError):
    """The body is refused; ``status`` is the HTTP status to answer with, ``message`` says why."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


def has_nul_or_surrogate(value: str) -> bool:
    """True if ``value`` holds U+0000 or a lone surrogate, which PostgreSQL and psycopg cannot store.

    For any text that reaches the database without going through :func:`parse_json`, such as form
    fields.
    """
    return _NUL_OR_SURROGATE.search(value) is not None


def parse_json(body: bytes, *, max_bytes: int, max_depth: int = 32) -> Any:
    """The JSON value in ``body``, or :class:`JSONBodyError`; see the module docstring for why."""
    if len(body) > max_bytes:
        raise JSONBodyError(413, _("The request is too large."))
    body = bytes(body)
    if body.startswith(_UTF8_BOM):
        body = body[len(_UTF8_BOM) :]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise JSONBodyError(400, _("The request is not UTF-8 text.")) from None
    _depth_check(text, max_depth)
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except JSONBodyError:
        raise
    except (ValueError, RecursionError):
        # JSONDecodeError is a ValueError; int() raises ValueError when the interpreter's digit limit
        # is lower than ours. RecursionError cannot happen after the depth check; caught all the same.
        raise JSONBodyError(400, _("The request is not valid JSON.")) from None
    _text_check(value)
    return value


def _malformed() -> JSONBodyError:
    return JSONBodyError(400, _("The request is not valid JSON."))


def _depth_check(text: str, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth``, counting brackets outside strings, in linear time."""
    if text.count("[") + text.count("{") <= max_depth:
        return  # cannot nest deeper than it has brackets
    depth = 0
    position = 0
    while match := _STRUCTURE.search(text, position):
        char = match.group()
        if char == '"':
            string_end = _STRING_REST.match(text, match.end())
            if string_end is None:
                raise _malformed()  # a string that never ends
            position = string_end.end()
            continue
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise JSONBodyError(
                    400, _("The request is nested too deeply (at most %(depth)d levels).") % {"depth": max_depth}
                )
        else:
            depth -= 1
            if depth < 0:
                raise _malformed()  # a closing bracket without an opening one
        position = match.end()


def _constant(name: str):
    raise JSONBodyError(400, _("The request contains %(name)s, which is not a JSON number.") % {"name": name})


def _float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise JSONBodyError(400, _("The request contains a number too large to handle."))
    return number


def _int(literal: str) -> int:
    if len(literal.lstrip("-")) > _MAX_INT_DIGITS:
        raise JSONBodyError(400, _("The request contains a number with too many digits."))
    return int(literal)


def _text_check(value: Any) -> None:
    """Refuse U+0000 and lone surrogates in every string and key, walking without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            strings = (item,)
        elif isinstance(item, dict):
            strings = item.keys()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
            continue
        else:
            continue
        if any(has_nul_or_surrogate(string) for string in strings):
            raise JSONBodyError(
                400, _("The request contains a null character or an unpaired surrogate, which cannot be stored.")
            )
