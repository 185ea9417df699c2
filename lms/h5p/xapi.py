"""Validate one xAPI statement from the H5P player before it is stored.

The rules are those of xAPI 1.0.3 (adlnet/xAPI-Spec, ``xAPI-Data.md``): section 2.2 says an LRS
MUST reject a statement with a wrong data type, a value that breaks its format (UUID, IRI,
timestamp, duration), a null where a value is required, or a key the specification does not allow,
and the LRS answers such a statement with 400 Bad Request. So values are refused, never clamped
or repaired: a clamped score would be a score the learner did not get.

What is checked, for the parts of a statement this platform reads or stores:

- ``id`` (optional: H5P does not send one): a UUID in its standard string form (2.4.1, 4.4). Any
  version and variant; the specification's own example ``12345678-1234-5678-1234-567812345678``
  is not an RFC 4122 variant.
- ``verb`` (required): ``id`` an absolute IRI (with a scheme), ``display`` a language map (2.4.3).
- ``object`` (required, 2.4.4): an Activity (the default ``objectType``) has an IRI ``id``; a
  StatementRef has a UUID ``id``; a SubStatement is checked like a statement, without ``id``
  and without a nested SubStatement. Agents and Groups are accepted as they are (see below).
- ``result`` (2.4.5): ``success`` and ``completion`` booleans, ``response`` a string (the empty
  string too: H5P's Fill in the Blanks and Drag and Drop send it), ``duration`` an ISO 8601
  duration (4.6), ``extensions`` an object.
- ``result.score`` (2.4.5.1): every value a finite number (not a string, not a boolean);
  ``scaled`` within -1..1; ``min`` < ``max``; ``raw`` within ``min``..``max`` when they are given.
  One exception, from H5P itself: content without anything to score (a presentation without
  questions) makes H5P core's ``setScoredResult`` send ``{"min": 0, "max": 0, "raw": 0}`` (some
  builds add ``"scaled": 0``); that score is accepted, or every "completed" statement of such
  content would be refused.
- ``timestamp`` (2.4.7, 4.5): an ISO 8601 date and time *with* a time zone. The specification
  says SHOULD for the zone; without one the moment is ambiguous, so it is required here.
- Keys: a statement, verb, Activity, StatementRef, SubStatement, result or score with a key the
  specification does not define (``"Score"`` instead of ``"score"``, say) is refused rather than
  having that part silently ignored.

Two bounds are not in the specification; they keep the values storable:

- :data:`SCORE_LIMIT`: ``raw``, ``min`` and ``max`` must lie within ±10**15. ``H5PAttempt``'s
  score columns are to be widened to ``max_digits=19, decimal_places=3`` (16 integer digits), so
  every number within the limit fits after rounding to three decimals.
- :data:`DURATION_LIMIT`: a duration longer than 100 years is refused, so that turning it into a
  ``timedelta`` (which overflows past 999,999,999 days) or a database interval cannot fail. The
  duration text is also limited in length, so that no number in it is too long for ``int()``.

Deliberately not checked: the actor (the server replaces it with the logged-in learner, whatever
the statement says), context, attachments, authority, stored and version (not read by this
platform), the contents of Activity definitions and of extensions, and language tags.
"""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

SCORE_LIMIT = 10**15
DURATION_LIMIT = datetime.timedelta(days=36525)

_STATEMENT_KEYS = frozenset(
    {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"}
)
_SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
_VERB_KEYS = frozenset({"id", "display"})
_ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
_STATEMENT_REF_KEYS = frozenset({"objectType", "id"})
_RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
_SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Best effort, as section 2.2 allows: a scheme, then characters an IRI may hold (RFC 3987): no
# whitespace, controls, surrogates, or the delimiters that are never allowed unescaped.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f-\x9f<>\"{}|\\^`\ud800-\udfff]+")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_TIMESTAMP = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8})"  # calendar date, extended or basic format
    r"[Tt][0-9]{2}(?::?[0-9]{2}(?::?(?P<second>[0-9]{2})(?:[.,][0-9]+)?)?)?"  # time, possibly reduced
    r"(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)"  # time zone: required
)
_NUMBER = r"[0-9]+(?:[.,][0-9]+)?"
# ISO 8601:2004 4.4.3.2, the format with designators; the alternative format (4.4.3.3) is not allowed.
_DURATION = re.compile(
    rf"P(?:(?P<weeks>{_NUMBER})W|(?:(?P<years>{_NUMBER})Y)?(?:(?P<months>{_NUMBER})M)?(?:(?P<days>{_NUMBER})D)?"
    rf"(?:T(?:(?P<hours>{_NUMBER})H)?(?:(?P<minutes>{_NUMBER})M)?(?:(?P<seconds>{_NUMBER})S)?)?)"
)
# Seconds per unit; years and months at their longest, as they only bound the duration.
_DURATION_UNITS = {
    "weeks": 7 * 86400,
    "years": 366 * 86400,
    "months": 31 * 86400,
    "days": 86400,
    "hours": 3600,
    "minutes": 60,
    "seconds": 1,
}
_MAX_FORMATTED_LENGTH = 64  # of a duration or timestamp; real ones are about 25 characters


class StatementInvalid(ValueError):
    """The statement breaks the xAPI rules; answer 400 Bad Request with the message."""

    status = 400


def statement_check(statement: dict) -> None:
    """Refuse ``statement`` with :class:`StatementInvalid` unless it is valid; see the module docstring."""
    if not isinstance(statement, dict):
        raise StatementInvalid(_("A statement must be a JSON object."))
    _keys_check(statement, _STATEMENT_KEYS, "")
    if "id" in statement and not _is_uuid(statement["id"]):
        raise StatementInvalid(_("The statement's 'id' must be a UUID."))
    _body_check(statement, "")
    obj = statement["object"]
    if _object_type(obj) == "SubStatement":
        _keys_check(obj, _SUBSTATEMENT_KEYS, "object.")
        _body_check(obj, "object.")
        if _object_type(obj["object"]) == "SubStatement":
            raise StatementInvalid(_("A SubStatement must not contain another SubStatement."))


def _body_check(statement: dict, where: str) -> None:
    """The parts a statement and a SubStatement share: verb, object, result and timestamp."""
    _verb_check(statement.get("verb"), where)
    _object_check(statement.get("object"), where)
    if "result" in statement:
        _result_check(statement["result"], f"{where}result")
    if "timestamp" in statement and not _is_timestamp(statement["timestamp"]):
        raise StatementInvalid(
            _("'%(field)s' must be an ISO 8601 date and time with a time zone, such as 2024-05-18T09:30:00Z.")
            % {"field": f"{where}timestamp"}
        )


def _invalid_type(field: str, kind: str) -> StatementInvalid:
    return StatementInvalid(_("'%(field)s' must be %(kind)s.") % {"field": field, "kind": kind})


def _keys_check(value: dict, allowed: frozenset, where: str) -> None:
    unknown = [key for key in value if key not in allowed]
    if unknown:
        names = ", ".join(sorted(repr(str(key)[:50]) for key in unknown)[:5])
        raise StatementInvalid(
            _("'%(field)s' has properties that xAPI does not define: %(names)s.")
            % {"field": where.rstrip(".") or "statement", "names": names}
        )


def _object_type(value) -> str:
    return value.get("objectType", "Activity") if isinstance(value, dict) else ""


def _verb_check(verb, where: str) -> None:
    field = f"{where}verb"
    if not isinstance(verb, dict):
        raise StatementInvalid(_("'%(field)s' is required, as an object with an 'id'.") % {"field": field})
    _keys_check(verb, _VERB_KEYS, f"{field}.")
    if not _is_iri(verb.get("id")):
        raise _invalid_type(f"{field}.id", _("an absolute IRI, such as http://adlnet.gov/expapi/verbs/answered"))
    if "display" in verb and not _is_language_map(verb["display"]):
        raise _invalid_type(f"{field}.display", _("a language map (language tags mapped to texts)"))


def _object_check(obj, where: str) -> None:
    field = f"{where}object"
    if not isinstance(obj, dict):
        raise StatementInvalid(_("'%(field)s' is required, as an object.") % {"field": field})
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        _keys_check(obj, _ACTIVITY_KEYS, f"{field}.")
        if not _is_iri(obj.get("id")):
            raise _invalid_type(f"{field}.id", _("an absolute IRI, such as https://example.com/activities/1"))
        if "definition" in obj and not isinstance(obj["definition"], dict):
            raise _invalid_type(f"{field}.definition", _("an object"))
    elif object_type == "StatementRef":
        _keys_check(obj, _STATEMENT_REF_KEYS, f"{field}.")
        if not _is_uuid(obj.get("id")):
            raise _invalid_type(f"{field}.id", _("a UUID"))
    elif not isinstance(object_type, str) or object_type not in {"Agent", "Group", "SubStatement"}:
        raise StatementInvalid(
            _("'%(field)s.objectType' must be Activity, Agent, Group, SubStatement or StatementRef.") % {"field": field}
        )


def _result_check(result, field: str) -> None:
    if not isinstance(result, dict):
        raise _invalid_type(field, _("an object"))
    _keys_check(result, _RESULT_KEYS, f"{field}.")
    for name in ("success", "completion"):
        if name in result and not isinstance(result[name], bool):
            raise _invalid_type(f"{field}.{name}", _("true or false"))
    if "response" in result and not isinstance(result["response"], str):
        raise _invalid_type(f"{field}.response", _("a string"))
    if "duration" in result and not _is_duration(result["duration"]):
        raise StatementInvalid(
            _("'%(field)s' must be an ISO 8601 duration of at most 100 years, such as PT1M30S.")
            % {"field": f"{field}.duration"}
        )
    if "extensions" in result and not isinstance(result["extensions"], dict):
        raise _invalid_type(f"{field}.extensions", _("an object"))
    if "score" in result:
        _score_check(result["score"], f"{field}.score")


def _score_check(score, field: str) -> None:
    if not isinstance(score, dict):
        raise _invalid_type(field, _("an object"))
    _keys_check(score, _SCORE_KEYS, f"{field}.")
    for name, value in score.items():
        if not _is_finite_number(value):
            raise _invalid_type(f"{field}.{name}", _("a finite number"))
    scaled, raw, low, high = (score.get(name) for name in ("scaled", "raw", "min", "max"))
    if scaled is not None and not -1 <= scaled <= 1:
        raise StatementInvalid(_("'%(field)s.scaled' must be between -1 and 1.") % {"field": field})
    for name, value in (("raw", raw), ("min", low), ("max", high)):
        if value is not None and abs(value) > SCORE_LIMIT:
            raise StatementInvalid(
                _("'%(field)s' is too large to store: scores must be between -10^15 and 10^15.")
                % {"field": f"{field}.{name}"}
            )
    if low == high == 0 and raw == 0 and scaled in (None, 0):
        return  # H5P's score for content with nothing to score; see the module docstring
    if low is not None and high is not None and not low < high:
        raise StatementInvalid(_("'%(field)s.min' must be less than '%(field)s.max'.") % {"field": field})
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        raise StatementInvalid(
            _("'%(field)s.raw' must be between '%(field)s.min' and '%(field)s.max'.") % {"field": field}
        )


def _is_finite_number(value) -> bool:
    if isinstance(value, bool):
        return False  # True is an int in Python, but not a number in JSON
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return False


def _is_uuid(value) -> bool:
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def _is_iri(value) -> bool:
    """An absolute IRI: best-effort syntax, as xAPI 2.2 allows, refusing what is surely not one."""
    if not isinstance(value, str) or _IRI.fullmatch(value) is None:
        return False
    if _BAD_PERCENT.search(value) or value.count("#") > 1:
        return False
    scheme, _colon, rest = value.partition(":")
    if scheme.lower() in {"http", "https"}:
        # These schemes name a host: "http:path" or "http:///path" is not an address.
        if not rest.startswith("//"):
            return False
        authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
        host = authority.rpartition("@")[2]
        return host != "" and not host.startswith(":")
    return True


def _is_language_map(value) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _is_timestamp(value) -> bool:
    if not isinstance(value, str) or len(value) > _MAX_FORMATTED_LENGTH:
        return False
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return False
    text = value.upper()
    if match.group("second") == "60":  # a leap second is valid ISO 8601; datetime has no room for it
        start = match.start("second")
        text = f"{text[:start]}59{text[start + 2 :]}"
    try:
        moment = datetime.datetime.fromisoformat(text)
        moment.astimezone(datetime.UTC)  # 0001-01-01T00:00+01:00 is before datetime's first moment
    except (ValueError, OverflowError):
        return False  # month 13, 25 o'clock, a +24:00 zone...
    return moment.tzinfo is not None


def _is_duration(value) -> bool:
    if not isinstance(value, str) or len(value) > _MAX_FORMATTED_LENGTH:
        return False
    match = _DURATION.fullmatch(value)
    if match is None:
        return False
    parts = [(unit, number) for unit, number in match.groupdict().items() if number is not None]
    if not parts:
        return False  # "P" or "PT": no components at all
    time_parts = {"hours", "minutes", "seconds"}
    if "T" in value and not any(unit in time_parts for unit, _number in parts):
        return False  # "P1DT": a T with no time after it
    if any(("." in number or "," in number) for _unit, number in parts[:-1]):
        return False  # only the lowest-order component may have a decimal fraction
    try:
        seconds = sum(Decimal(number.replace(",", ".")) * _DURATION_UNITS[unit] for unit, number in parts)
    except InvalidOperation:
        return False
    return seconds <= Decimal(int(DURATION_LIMIT.total_seconds()))
