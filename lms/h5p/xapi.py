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

- ``context`` (2.4.6): an object with the keys xAPI defines; ``registration`` a UUID;
  ``contextActivities`` with ``parent``, ``grouping``, ``category`` and ``other`` only, each an
  Activity or a list of Activities; ``extensions``, ``instructor`` and ``team`` objects; ``statement``
  a StatementRef. Completing a statement builds on the context, so it must have xAPI's shape.

Deliberately not checked: the actor (the server replaces it with the logged-in learner, whatever
the statement says), attachments, authority, stored and version (the server sets them: see
:func:`statement_complete`), the contents of Activity definitions and of extensions, and language
tags.
"""

from __future__ import annotations

import copy
import datetime
import math
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from lms import links

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
    if "context" in statement:
        _context_check(statement["context"], f"{where}context")
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


def _context_check(context, field: str) -> None:
    """The context's shape (2.4.6): what completing the statement builds on must be what xAPI allows."""
    if not isinstance(context, dict):
        raise _invalid_type(field, _("an object"))
    _keys_check(context, _CONTEXT_KEYS, f"{field}.")
    if "registration" in context and not _is_uuid(context["registration"]):
        raise _invalid_type(f"{field}.registration", _("a UUID"))
    for name in ("revision", "platform", "language"):
        if name in context and not isinstance(context[name], str):
            raise _invalid_type(f"{field}.{name}", _("a string"))
    for name in ("instructor", "team", "extensions"):
        if name in context and not isinstance(context[name], dict):
            raise _invalid_type(f"{field}.{name}", _("an object"))
    if "statement" in context:
        reference = context["statement"]
        if not isinstance(reference, dict) or reference.get("objectType") != "StatementRef":
            raise _invalid_type(f"{field}.statement", _("a StatementRef"))
        _object_check(reference, f"{field}.statement.")
    if "contextActivities" in context:
        activities = context["contextActivities"]
        where = f"{field}.contextActivities"
        if not isinstance(activities, dict):
            raise _invalid_type(where, _("an object"))
        _keys_check(activities, _CONTEXT_ACTIVITIES_KEYS, f"{where}.")
        for name, value in activities.items():
            for activity in value if isinstance(value, list) else [value]:
                if not isinstance(activity, dict) or _object_type(activity) != "Activity":
                    raise _invalid_type(f"{where}.{name}", _("an Activity or a list of Activities"))
                _object_check(activity, f"{where}.{name}.")


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
    return _parse_timestamp(value) is not None


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


# --- completing a statement as an LRS stores it --------------------------------------------------

VERSION = "1.0.3"
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)  # a browser clock this far ahead is still believed
ACTIVITY_TYPES = {
    "training": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    # A part (a group of modules with its own credits) has no type in the ADL vocabulary: none is claimed.
}
_CONTEXT_KEYS = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
_CONTEXT_ACTIVITIES_KEYS = frozenset({"parent", "grouping", "category", "other"})


def xapi_iri(path: str) -> str:
    """An IRI under the public address (``BASE_URL``), e.g. ``<BASE_URL>/xapi/activities/lesson/<key>``."""
    return links.absolute_url(f"xapi/{path}")


def browser_timestamp_extension() -> str:
    """The context extension that keeps a browser's timestamp that was replaced (its clock was off)."""
    return xapi_iri("extensions/browser-timestamp")


def kyky_account(name: str) -> dict:
    return {"homePage": links.base_url(), "name": name}


def learner_actor(user_id) -> dict:
    """The learner as xAPI names them: an account on Kyky's home page, never an e-mail address."""
    return {"objectType": "Agent", "account": kyky_account(str(user_id))}


def authority() -> dict:
    """Kyky, which vouches for every statement it stores."""
    return {"objectType": "Agent", "name": "Kyky", "account": kyky_account("kyky")}


def xapi_time(moment: datetime.datetime) -> str:
    """``moment`` as xAPI's timestamps and ``stored`` are best written: UTC, milliseconds, ``Z``."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def node_activity(kind: str, node, structure) -> dict:
    """The training, part, module or lesson ``node`` as an xAPI Activity.

    The id is built from the translation key, so the Finnish, Swedish and English versions are one
    activity; the name is a language map of the titles of the versions that exist (a language
    whose page is the default language's stand-in is left out).
    """
    names = {
        language: ref.title
        for language, ref in sorted(node.pages.items())
        if ref.title and ref.language in ("", language)
    }
    if not names and structure.default_language in node.pages:
        names = {structure.default_language: node.pages[structure.default_language].title}
    definition = {"name": names}
    if kind in ACTIVITY_TYPES:
        definition["type"] = ACTIVITY_TYPES[kind]
    return {"objectType": "Activity", "id": xapi_iri(f"activities/{kind}/{node.key}"), "definition": definition}


def statement_complete(statement: dict, *, enrolment, structure, lesson_node, now: datetime.datetime) -> dict:
    """``statement`` (checked by :func:`statement_check`) completed as an LRS stores it (xAPI 1.0.3).

    - ``actor``: the enrolment's learner as an account on Kyky's home page, whatever was sent.
    - ``timestamp``: when it happened, the browser's if it is believable: not more than
      :data:`FUTURE_TOLERANCE` after ``now`` and not before the enrolment. Otherwise ``now``, and
      the browser's value is kept in the context extension :func:`browser_timestamp_extension`.
    - ``stored`` (``now``), ``authority`` (Kyky) and ``version``.
    - ``context.registration``: the enrolment's registration. ``contextActivities``: ``parent``
      holds the lesson (after the H5P content's own parent, for a question inside a question
      set); ``grouping`` the module, the part (when there is one) and the training. Whatever else
      the browser's context held (H5P's ``category`` naming its library, extensions) is kept.
    - The rest (``id``, ``verb``, ``object``, ``result``) is kept as sent.

    ``structure`` is the training's (cached) structure and ``lesson_node`` the lesson in it, or
    None when the activity is no longer in any lesson of the training (then there is no parent).
    No queries: everything comes from the enrolment and the structure.
    """
    done = copy.deepcopy(statement)
    done["actor"] = learner_actor(enrolment.user_id)
    context = done.get("context") if isinstance(done.get("context"), dict) else {}
    context["registration"] = str(enrolment.registration)
    sent = done.get("timestamp")
    moment = _parse_timestamp(sent) if isinstance(sent, str) else None
    if moment is not None and enrolment.enrolled_at <= moment <= now + FUTURE_TOLERANCE:
        done["timestamp"] = xapi_time(moment)
    else:
        done["timestamp"] = xapi_time(now)
        if sent is not None:
            context["extensions"] = {**context.get("extensions", {}), browser_timestamp_extension(): sent}
    activities = context.get("contextActivities") or {}
    parents = _activity_list(activities.get("parent"))
    groupings = _activity_list(activities.get("grouping"))
    if lesson_node is not None:
        parents.append(node_activity("lesson", lesson_node, structure))
        module = next((m for m in structure.modules if m.key == lesson_node.module_key), None)
        if module is not None:
            groupings.append(node_activity("module", module, structure))
            part = structure.part(module.part_key) if module.part_key else None
            if part is not None:
                groupings.append(node_activity("part", part, structure))
    groupings.append(node_activity("training", structure, structure))
    activities = {**activities, "grouping": _unique(groupings)}
    if parents:
        activities["parent"] = _unique(parents)
    context["contextActivities"] = activities
    done["context"] = context
    done["stored"] = xapi_time(now)
    done["authority"] = authority()
    done["version"] = VERSION
    return done


def _activity_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _unique(activities: list) -> list:
    """The activities with a repeated id left out (the browser may have named ours already)."""
    seen, kept = set(), []
    for activity in activities:
        if activity.get("id") not in seen:
            seen.add(activity.get("id"))
            kept.append(activity)
    return kept


def _parse_timestamp(value) -> datetime.datetime | None:
    """The moment an ISO 8601 timestamp with a zone names, in UTC; None for anything else."""
    if not isinstance(value, str) or len(value) > _MAX_FORMATTED_LENGTH:
        return None
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        return None
    text = value.upper()
    if match.group("second") == "60":  # a leap second is valid ISO 8601; datetime has no room for it
        start = match.start("second")
        text = f"{text[:start]}59{text[start + 2 :]}"
    try:
        moment = datetime.datetime.fromisoformat(text)
        # 0001-01-01T00:00+01:00 is before datetime's first moment
        return moment.astimezone(datetime.UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None  # month 13, 25 o'clock, a +24:00 zone...
