"""Learners' xAPI statements out of Kyky, as JSON Lines: one statement per line, as stored.

The programme's evaluation research and the universities' learning analytics read statements
with their own tools (Ralph, pandas, an LRS's import), and JSON Lines is what those read line by
line without loading a file whole. The export streams from a server-side cursor, so its cost in
memory and queries is the same for ten statements or ten million.

A *research* export is pseudonymised: the actor becomes an account whose name is an HMAC of the
learner's id under a key drawn for that one export, and the registration (the enrolment) likewise.
Within one file a learner's statements stay linked (across trainings too); two exports cannot be
joined, and nothing in the file leads back to a person without Kyky's database and the export's
key, which is never kept. Free text the learner typed (``result.response``) and the browser's own
extensions are left out of a research export, as they may name people.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterator

from django.utils import timezone

from lms import links
from lms.h5p.models import XAPIStatement

CHUNK = 2000  # rows fetched per round trip of the server-side cursor


def _day_start(day: datetime.date | None):
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def statements(training_id: int, date_from=None, date_to=None):
    """The statements of a training's enrolments stored in the period (days inclusive), oldest first."""
    rows = XAPIStatement.objects.filter(enrolment__training_id=training_id)
    if date_from:
        rows = rows.filter(stored_at__gte=_day_start(date_from))
    if date_to:
        rows = rows.filter(stored_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return rows.order_by("stored_at", "pk").values_list("statement", "user_id", "enrolment_id")


class Pseudonyms:
    """Stable pseudonyms within one export, under a key drawn for it and then forgotten."""

    def __init__(self):
        self.key = secrets.token_bytes(32)

    def _digest(self, kind: str, value) -> bytes:
        return hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).digest()

    def actor(self, user_id) -> dict:
        return {
            "objectType": "Agent",
            "account": {"homePage": links.absolute_url("/"), "name": self._digest("user", user_id).hex()[:32]},
        }

    def registration(self, value) -> str:
        return str(uuid.UUID(bytes=self._digest("registration", value)[:16], version=4))


def _research(statement: dict, user_id, enrolment_id, pseudonyms: Pseudonyms) -> dict:
    statement = dict(statement)
    statement["actor"] = pseudonyms.actor(user_id)
    context = dict(statement.get("context") or {})
    if context:
        context["registration"] = pseudonyms.registration(context.get("registration") or enrolment_id)
        context.pop("extensions", None)
        context.pop("instructor", None)
        context.pop("team", None)
        statement["context"] = context
    result = statement.get("result")
    if isinstance(result, dict):
        result = {key: value for key, value in result.items() if key not in ("response", "extensions")}
        statement["result"] = result
    return statement


def lines(training_id: int, date_from=None, date_to=None, *, research: bool = False) -> Iterator[str]:
    """The export's lines (each ending in a newline), read through a server-side cursor."""
    pseudonyms = Pseudonyms() if research else None
    for statement, user_id, enrolment_id in statements(training_id, date_from, date_to).iterator(chunk_size=CHUNK):
        if pseudonyms is not None:
            statement = _research(statement, user_id, enrolment_id, pseudonyms)
        yield json.dumps(statement, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
