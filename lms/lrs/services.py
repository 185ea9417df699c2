"""Forwarding statements to external LRSs: find what each endpoint should receive, then send it.

The outbox is filled by the forwarding job itself, not by the statement endpoint: each endpoint
keeps a cursor (the highest statement id looked at) and each run adds a ``Delivery`` for every
newer statement in its scope (``docs/decisions.md``, *Forwarding statements to LRSs*). Statements
stored by transactions that committed late, behind a higher id, are caught by looking again at
the last ``LATE_WINDOW`` (and ``LATE_IDS``).

Sending uses ``requests`` (already what Kyky's LTI client speaks HTTP with) with timeouts and no
redirects; the rows of a batch are locked with ``skip_locked``, so two workers never send the same
statement at the same time. What the LRS answers decides each row:

* 200/204: sent.
* 409 (or an answer saying the statement already exists): the LRS holds a statement with that id,
  so it is sent; a batch is first split into single statements, since one conflict refuses all.
* Other answers about the statements (400, 413, 422, ...): a batch is split to find the one the LRS
  refuses, which fails for good, with the answer kept; the rest go through.
* No answer, a timeout, 5xx, 429, a redirect or an answer about the endpoint itself (401, 403,
  404): nothing is lost, the rows wait with exponential backoff (``BACKOFF_FIRST`` doubling up to
  ``BACKOFF_MAX``) and their attempts are counted.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from lms import audit
from lms.h5p.models import XAPIStatement
from lms.organisations.models import CohortLearner

from .addresses import endpoint_url_check
from .enums import DeliveryState
from .models import Delivery, LRSEndpoint

logger = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
BATCH_SIZE = 100
MAX_BATCHES = 20  # per endpoint and run: one slow LRS does not hold the others up for long
SCAN_LIMIT = 5000  # statements added to one endpoint's outbox per run (a new endpoint's backlog spreads out)
# A statement can commit after one with a higher id has been seen: each run looks again this far back
# (in time, and in ids, so that the look stays a bounded range of the primary key).
LATE_WINDOW = timedelta(minutes=10)
LATE_IDS = 50_000
BACKOFF_FIRST = 30  # seconds
BACKOFF_MAX = 6 * 3600
TIMEOUT = (5, 30)  # connect, read (seconds)
RESPONSE_KEPT = 2000  # characters of the LRS's answer kept on the row

# Answers about the endpoint or the moment, not about the statements: try again later.
RETRY_STATUSES = {401, 403, 404, 405, 407, 408, 421, 425, 429}


def statements_for(endpoint: LRSEndpoint):
    """The statements ``endpoint`` receives.

    The programme's endpoint (no organisation): every statement. An organisation's: those of the
    learners in its cohorts, about the cohort's training, as it stands when the statement is
    forwarded. Chosen trainings narrow either.
    """
    statements = XAPIStatement.objects.all()
    training_ids = list(endpoint.trainings.values_list("pk", flat=True))
    if training_ids:
        statements = statements.filter(enrolment__training_id__in=training_ids)
    if endpoint.organisation_id is not None:
        statements = statements.filter(
            Exists(
                CohortLearner.objects.filter(
                    cohort__organisation_id=endpoint.organisation_id,
                    cohort__training_id=OuterRef("enrolment__training_id"),
                    user_id=OuterRef("user_id"),
                )
            )
        )
    return statements


def deliveries_create(*, endpoint_id: int, now=None) -> int:
    """Queue the statements stored since the endpoint's cursor (and late commits); how many were queued."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint = LRSEndpoint.objects.select_for_update(skip_locked=True).filter(pk=endpoint_id, active=True).first()
        if endpoint is None:
            return 0
        top = XAPIStatement.objects.aggregate(top=Max("pk"))["top"] or 0
        scope = statements_for(endpoint)
        new = list(
            scope.filter(pk__gt=endpoint.cursor, pk__lte=top).order_by("pk").values_list("pk", flat=True)[:SCAN_LIMIT]
        )
        late = list(
            scope.filter(pk__gt=endpoint.cursor - LATE_IDS, pk__lte=endpoint.cursor, stored_at__gte=now - LATE_WINDOW)
            .exclude(Exists(Delivery.objects.filter(endpoint=endpoint, statement_id=OuterRef("pk"))))
            .values_list("pk", flat=True)
        )
        created = Delivery.objects.bulk_create(
            [Delivery(statement_id=pk, endpoint=endpoint) for pk in [*late, *new]], ignore_conflicts=True
        )
        cursor = new[-1] if len(new) == SCAN_LIMIT else max(top, endpoint.cursor)
        if cursor != endpoint.cursor:
            LRSEndpoint.objects.filter(pk=endpoint.pk).update(cursor=cursor)
    return len(created)


@dataclass
class Answer:
    status: int | None  # None: no answer (refused connection, timeout, address refused)
    text: str

    @property
    def ok(self) -> bool:
        return self.status in {200, 204}

    @property
    def already_there(self) -> bool:
        return self.status == 409 or (
            self.status is not None and 400 <= self.status < 500 and "already exist" in self.text.lower()
        )

    @property
    def retry(self) -> bool:
        return (
            self.status is None
            or self.status >= 500
            or self.status < 200
            or 300 <= self.status < 400
            or (self.status in RETRY_STATUSES)
        )


def _payload(row: Delivery) -> dict:
    """The statement as stored; one stored before Kyky kept ``timestamp`` gets its receipt time.

    Without it the LRS would stamp the statement with the time it was forwarded, and the learner's
    real time would be lost.
    """
    statement = row.statement.statement
    if not statement.get("timestamp"):
        statement = {**statement, "timestamp": row.statement.stored_at.isoformat()}
    return statement


def _post(session: requests.Session, endpoint: LRSEndpoint, statements: list[dict]) -> Answer:
    try:
        endpoint_url_check(endpoint.url)  # again, with today's DNS answers: no sending into our network
    except ValidationError as refused:
        return Answer(None, "; ".join(refused.messages))
    try:
        response = session.post(
            endpoint.statements_url,
            data=json.dumps(statements, ensure_ascii=False).encode(),
            auth=(endpoint.username, endpoint.secret),
            headers={"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return Answer(None, f"{type(error).__name__}: {_without_secret(str(error), endpoint)}")
    return Answer(response.status_code, response.text[:RESPONSE_KEPT])


def _without_secret(text: str, endpoint: LRSEndpoint) -> str:
    return text.replace(endpoint.secret, "***") if endpoint.secret else text


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


def _record(row: Delivery, answer: Answer, now, state: str) -> None:
    row.attempts += 1
    row.last_attempt_at, row.last_status, row.last_response = now, answer.status, answer.text[:RESPONSE_KEPT]
    row.state = state
    if state == DeliveryState.SENT:
        row.sent_at, row.next_attempt_at = now, None
    elif state == DeliveryState.PENDING:
        row.next_attempt_at = now + _backoff(row.attempts)
    else:
        row.next_attempt_at = None


def _deliver(session, endpoint: LRSEndpoint, rows: list[Delivery], now) -> bool:
    """Send ``rows`` and record each outcome on them; False when the LRS could not be reached."""
    answer = _post(session, endpoint, [_payload(row) for row in rows])
    if answer.ok:
        for row in rows:
            _record(row, answer, now, DeliveryState.SENT)
        return True
    if answer.retry:
        for row in rows:
            _record(row, answer, now, DeliveryState.PENDING)
        logger.warning("LRS %s: %s statements not sent (%s)", endpoint.pk, len(rows), answer.status)
        return False
    if len(rows) > 1:  # one statement's conflict or refusal answers for the batch: find which
        for position, row in enumerate(rows):
            if not _deliver(session, endpoint, [row], now):
                for waiting in rows[position + 1 :]:
                    _record(waiting, answer, now, DeliveryState.PENDING)
                return False
        return True
    state = DeliveryState.SENT if answer.already_there else DeliveryState.FAILED
    _record(rows[0], answer, now, state)
    return True


DELIVERY_FIELDS = ["state", "attempts", "next_attempt_at", "last_attempt_at", "last_status", "last_response", "sent_at"]


def batch_send(*, endpoint: LRSEndpoint, session: requests.Session | None = None, now=None) -> tuple[int, bool]:
    """Send one batch of the endpoint's due deliveries: (how many were tried, whether the LRS answered)."""
    now = now or timezone.now()
    session = session or requests.Session()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("statement")
            .filter(endpoint=endpoint, state=DeliveryState.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("pk")[:BATCH_SIZE]
        )
        if not rows:
            return 0, True
        reached = _deliver(session, endpoint, rows, now)
        Delivery.objects.bulk_update(rows, DELIVERY_FIELDS)
    return len(rows), reached


def endpoint_forward(*, endpoint_id: int, now=None) -> int:
    """Queue and send what one endpoint should receive now; how many statements were tried."""
    deliveries_create(endpoint_id=endpoint_id, now=now)
    endpoint = LRSEndpoint.objects.filter(pk=endpoint_id, active=True).first()
    if endpoint is None or not urlsplit(endpoint.url).hostname:
        return 0
    tried = 0
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: the address checked is the one reached
        for _batch in range(MAX_BATCHES):
            count, reached = batch_send(endpoint=endpoint, session=session, now=now)
            tried += count
            if count < BATCH_SIZE or not reached:
                break
    return tried


def forward_all(now=None) -> int:
    """Every active endpoint, one after another (the beat job)."""
    return sum(
        endpoint_forward(endpoint_id=pk, now=now)
        for pk in LRSEndpoint.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)
    )


def endpoint_save(*, endpoint: LRSEndpoint, by, trainings=None, changed=()) -> LRSEndpoint:
    """Save an endpoint set up on the staff pages (the form has checked who may and what), and audit it.

    The audit names the fields changed, never the secret's value.
    """
    created = endpoint.pk is None
    if created:
        endpoint.created_by = by
    endpoint.save()
    if trainings is not None:
        endpoint.trainings.set(trainings)
    if created:
        audit.log(instance=endpoint, action=audit.LRS_CREATE, user=by, data={"url": endpoint.url})
    elif changed:
        audit.log(instance=endpoint, action=audit.LRS_EDIT, user=by, data={"fields": ", ".join(changed)})
    return endpoint


def failed_retry(*, endpoint: LRSEndpoint, by) -> int:
    """Put the deliveries the LRS refused back in the queue (after the LRS or the data was fixed)."""
    count = Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, next_attempt_at=None
    )
    if count:
        audit.log(instance=endpoint, action=audit.LRS_RETRY, user=by, data={"count": count})
    return count
