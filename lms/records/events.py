"""Kyky's own events as xAPI statements, in the same store as the H5P content's.

Research and learning analytics want one record of a learner's path, not the H5P part of it: so
when a learner enrols, completes a lesson, part or training, passes an exam, has an assignment
approved or is issued a certificate, Kyky stores a statement about it beside the browser's, with
the same actor, registration, context activities, authority and version (``lms.h5p.xapi``), and
they travel to external LRSs and exports the same way.

Each event's statement id is a UUID derived from the registration, the verb and the object, and
the row is inserted ignoring a conflict on that id: an event reported twice (a retried request,
a signal sent again, a backfill) is stored once, and LRSs receive it once.

Events are recorded after the transaction that made them has committed (``on_commit``), so that the
learner's request costs no more queries and a rolled-back change records nothing. A process that
dies between the commit and the callback loses that one statement; ``manage.py record_events``
(not yet written) would rebuild them from the completion rows, whose ids make that safe.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.db import transaction
from django.utils import timezone

from lms.courses.structure import structure_for
from lms.h5p import xapi
from lms.h5p.models import XAPIStatement

log = logging.getLogger(__name__)

NAMESPACE = uuid.UUID("6f6b7e1e-6b79-4b79-9e0e-65766e747321")  # Kyky's events; never change it
VERBS = {
    "registered": ("http://adlnet.gov/expapi/verbs/registered", "registered"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "passed"),
    "approved": ("https://w3id.org/xapi/dod-isd/verbs/approved", "approved"),
    "earned": ("http://id.tincanapi.com/verb/earned", "earned"),
}
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
CERTIFICATE = "https://w3id.org/xapi/acrossx/activities/certificate"


def statement_id(registration, verb: str, object_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{registration}|{verb}|{object_id}")


def _statement(
    enrolment, verb: str, obj: dict, *, lesson=None, part_key=None, result=None, when: datetime.datetime | None = None
) -> dict:
    """The complete statement of one event (no queries: the structure comes from the cache)."""
    structure = structure_for(enrolment.training)
    now = timezone.now()
    parents, grouping = [], []
    if lesson is not None:
        parents.append(xapi.node_activity("lesson", lesson, structure))
        module = next((m for m in structure.modules if m.key == lesson.module_key), None)
        if module is not None:
            grouping.append(xapi.node_activity("module", module, structure))
            part_key = part_key or module.part_key
    part = structure.part(part_key) if part_key else None
    if part is not None:
        grouping.append(xapi.node_activity("part", part, structure))
    grouping.append(xapi.node_activity("training", structure, structure))
    # the object itself is not its own context (a lesson completed, a part, the training)
    parents = [activity for activity in parents if activity["id"] != obj["id"]]
    grouping = [activity for activity in grouping if activity["id"] != obj["id"]]
    activities = {"grouping": grouping} if grouping else {}
    if parents:
        activities["parent"] = parents
    verb_id, display = VERBS[verb]
    statement = {
        "id": str(statement_id(enrolment.registration, verb_id, obj["id"])),
        "actor": xapi.learner_actor(enrolment.user_id),
        "verb": {"id": verb_id, "display": {"en-US": display}},
        "object": obj,
        "context": {"registration": str(enrolment.registration), "platform": "Kyky"},
        "timestamp": xapi.xapi_time(when or now),
        "stored": xapi.xapi_time(now),
        "authority": xapi.authority(),
        "version": xapi.VERSION,
    }
    if activities:
        statement["context"]["contextActivities"] = activities
    if result:
        statement["result"] = result
    return statement


def record(enrolment, verb: str, obj: dict, **details) -> None:
    """Store the event's statement once, whoever reports it how often (no error reaches the caller)."""
    try:
        statement = _statement(enrolment, verb, obj, **details)
        XAPIStatement.objects.bulk_create(
            [
                XAPIStatement(
                    statement_id=statement["id"],
                    user_id=enrolment.user_id,
                    enrolment=enrolment,
                    activity=None,
                    verb=statement["verb"]["id"],
                    statement=statement,
                )
            ],
            ignore_conflicts=True,
        )
    except Exception:  # an event's record must never undo or fail what the learner did
        log.exception("could not record the %s event of enrolment %s", verb, enrolment.pk)


def later(enrolment, verb: str, build) -> None:
    """``record`` after the current transaction commits; ``build()`` then returns the object and the
    details (``{"obj": ..., "lesson": ..., "result": ..., "when": ...}``), or None for no event."""

    def run():
        try:
            details = build()
        except Exception:  # never let an event's record fail what the learner did
            log.exception("could not describe the %s event of enrolment %s", verb, enrolment.pk)
            return
        if details and details.get("obj") is not None:
            obj = details.pop("obj")
            record(enrolment, verb, obj, **details)

    transaction.on_commit(run)


# --- the objects -------------------------------------------------------------------------------


def training_object(enrolment) -> dict:
    structure = structure_for(enrolment.training)
    return xapi.node_activity("training", structure, structure)


def part_object(enrolment, part_key) -> dict | None:
    structure = structure_for(enrolment.training)
    part = structure.part(part_key)
    return xapi.node_activity("part", part, structure) if part is not None else None


def lesson_node(enrolment, lesson_key):
    return structure_for(enrolment.training).lesson(lesson_key)


def lesson_object(enrolment, lesson_key) -> dict | None:
    node = lesson_node(enrolment, lesson_key)
    return xapi.node_activity("lesson", node, structure_for(enrolment.training)) if node is not None else None


def block_object(enrolment, lesson_key, block_id: str, kind: str, title: str = "") -> dict | None:
    """An exam or assignment: an activity under its lesson's, the same in every language."""
    lesson = lesson_object(enrolment, lesson_key)
    if lesson is None:
        return None
    definition = {"type": ASSESSMENT}
    if title:
        definition["name"] = {"fi": title}
    return {"objectType": "Activity", "id": f"{lesson['id']}/{kind}/{block_id}", "definition": definition}


def certificate_object(certificate, url: str) -> dict:
    name = certificate.facts.get("training", "") if isinstance(certificate.facts, dict) else ""
    definition = {"type": CERTIFICATE}
    if name:
        definition["name"] = {"fi": name}
    return {"objectType": "Activity", "id": url, "definition": definition}
