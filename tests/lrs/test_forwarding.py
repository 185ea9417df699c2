"""The outbox and the sender: what is queued for which LRS, and what each answer of the LRS does."""

import base64
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.lrs import services
from lms.lrs.enums import DeliveryState
from lms.lrs.models import Delivery, LRSEndpoint
from lms.lrs.tasks import forward_statements
from tests.conftest import is_postgres
from tests.lrs.conftest import in_cohort

pytestmark = pytest.mark.django_db


def endpoint_at(url, **fields) -> LRSEndpoint:
    return LRSEndpoint.objects.create(name="LRS", url=url, username="kyky", secret="s3cret-value", **fields)


def states(endpoint) -> dict:
    return {d.statement_id: d.state for d in Delivery.objects.filter(endpoint=endpoint)}


def test_statements_go_in_one_batch_with_the_xapi_version_and_basic_auth(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url)
    stored = kyky.store(3)

    assert forward_statements.delay().get() == 3

    [request] = fake_lrs.requests
    assert request["path"] == "/xapi/statements"
    assert request["headers"]["X-Experience-API-Version"] == "1.0.3"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"kyky:s3cret-value").decode()
    assert request["body"] == [s.statement for s in stored]  # as stored, with the learner's own times
    assert set(states(endpoint).values()) == {DeliveryState.SENT}
    assert all(d.attempts == 1 and d.sent_at and d.last_status == 200 for d in Delivery.objects.all())


def test_a_statement_is_queued_once_per_endpoint_however_often_the_job_runs(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url)
    kyky.store(2)
    services.forward_all()
    kyky.store(1)
    services.forward_all()
    services.forward_all()

    assert Delivery.objects.filter(endpoint=endpoint).count() == 3
    ids = [s["id"] for s in fake_lrs.statements]
    assert len(ids) == len(set(ids)) == 3


def test_an_lrs_that_is_down_keeps_every_statement_waiting_with_growing_backoff(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url)
    kyky.store(2)
    fake_lrs.answers.extend([(503, "maintenance")])
    now = timezone.now()

    services.forward_all(now=now)

    rows = list(Delivery.objects.filter(endpoint=endpoint))
    assert {(r.state, r.attempts, r.last_status) for r in rows} == {(DeliveryState.PENDING, 1, 503)}
    first_wait = rows[0].next_attempt_at - now

    services.forward_all(now=now + timedelta(seconds=1))  # not due yet: nothing is sent
    assert len(fake_lrs.requests) == 1

    fake_lrs.stop()  # now nothing listens at all: connection refused
    services.forward_all(now=rows[0].next_attempt_at)
    rows = list(Delivery.objects.filter(endpoint=endpoint))
    assert {(r.state, r.attempts, r.last_status) for r in rows} == {(DeliveryState.PENDING, 2, None)}
    assert rows[0].next_attempt_at - rows[0].last_attempt_at == 2 * first_wait
    assert "ConnectionError" in rows[0].last_response


def test_the_backoff_is_capped():
    assert services._backoff(1) == timedelta(seconds=services.BACKOFF_FIRST)
    assert services._backoff(50) == timedelta(seconds=services.BACKOFF_MAX)


def test_a_conflict_means_the_lrs_has_it_and_does_not_stop_the_rest_of_the_batch(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url)
    stored = kyky.store(3)
    conflicting = str(stored[1].statement_id)

    def lrs_answer(body):
        return (409, "Conflict") if any(s["id"] == conflicting for s in body) else (200, "[]")

    fake_lrs.default = (200, lrs_answer)
    services.forward_all()

    assert set(states(endpoint).values()) == {DeliveryState.SENT}
    assert [len(r["body"]) for r in fake_lrs.requests] == [3, 1, 1, 1]  # the batch, then one by one
    assert Delivery.objects.get(statement=stored[1]).last_status == 409


def test_already_exists_in_an_answer_counts_as_sent(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url)
    kyky.store(1)
    fake_lrs.answers.append((400, '{"message": "Statement already exists"}'))

    services.forward_all()

    assert set(states(endpoint).values()) == {DeliveryState.SENT}


def test_a_statement_the_lrs_refuses_fails_alone_with_its_answer_and_the_rest_are_sent(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url)
    stored = kyky.store(3)
    refused = str(stored[0].statement_id)

    def lrs_answer(body):
        return (400, "Invalid statement: bad result") if any(s["id"] == refused for s in body) else (200, "[]")

    fake_lrs.default = (200, lrs_answer)
    services.forward_all()
    services.forward_all()  # a refusal is final: not sent again

    failed = Delivery.objects.get(statement=stored[0])
    assert (failed.state, failed.last_status, failed.last_response) == (
        DeliveryState.FAILED,
        400,
        "Invalid statement: bad result",
    )
    assert Delivery.objects.filter(endpoint=endpoint, state=DeliveryState.SENT).count() == 2
    assert len(fake_lrs.requests) == 4


def test_wrong_credentials_lose_nothing_they_wait_until_the_secret_is_fixed(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url)
    kyky.store(2)
    fake_lrs.answers.append((401, "Unauthorized"))

    services.forward_all()

    assert set(states(endpoint).values()) == {DeliveryState.PENDING}


def test_a_redirect_is_not_followed(kyky, fake_lrs):
    """An LRS cannot point Kyky at another address (inside our network) with a redirect."""
    endpoint = endpoint_at(fake_lrs.url)
    kyky.store(1)
    fake_lrs.answers.append((307, ""))

    services.forward_all()

    assert len(fake_lrs.requests) == 1
    assert Delivery.objects.get(endpoint=endpoint).last_status == 307
    assert set(states(endpoint).values()) == {DeliveryState.PENDING}


def test_a_paused_endpoint_is_sent_nothing_and_catches_up_when_active_again(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url, active=False)
    stored = kyky.store(2)

    services.forward_all()
    assert not fake_lrs.requests
    assert not Delivery.objects.exists()

    LRSEndpoint.objects.filter(pk=endpoint.pk).update(active=True)
    services.forward_all()
    assert [s["id"] for s in fake_lrs.statements] == [str(s.statement_id) for s in stored]


def test_a_new_endpoint_receives_what_was_stored_before_it_a_slice_per_run(kyky, fake_lrs, monkeypatch):
    stored = kyky.store(3)
    monkeypatch.setattr(services, "SCAN_LIMIT", 2)
    endpoint = endpoint_at(fake_lrs.url)

    services.deliveries_create(endpoint_id=endpoint.pk)
    assert set(states(endpoint)) == {stored[0].pk, stored[1].pk}
    services.deliveries_create(endpoint_id=endpoint.pk)
    assert set(states(endpoint)) == {s.pk for s in stored}


def test_an_organisations_lrs_gets_only_its_cohorts_learners_statements(
    kyky, fake_lrs, cohort, learner, university, other_university, other_learner, client, h5p_lesson, activity
):
    ours = endpoint_at(fake_lrs.url, organisation=university)
    theirs = endpoint_at(fake_lrs.url, organisation=other_university)
    programme = endpoint_at(fake_lrs.url)
    in_cohort(cohort, learner)
    mine = kyky.store(1)
    from lms.courses import services as courses

    courses.enrolment_create(user=other_learner, training=h5p_lesson[0])  # enrolled, in no cohort
    client.force_login(other_learner)
    not_in_a_cohort = kyky.store(1)

    services.forward_all()

    assert set(states(ours)) == {mine[0].pk}
    assert set(states(theirs)) == set()
    assert set(states(programme)) == {mine[0].pk, not_in_a_cohort[0].pk}


def test_chosen_trainings_narrow_what_is_sent(kyky, fake_lrs, h5p_lesson, index):
    from tests.factories import TrainingPageFactory

    elsewhere = endpoint_at(fake_lrs.url)
    elsewhere.trainings.set([TrainingPageFactory(parent=index, slug="muu")])
    here = endpoint_at(fake_lrs.url)
    here.trainings.set([h5p_lesson[0]])
    kyky.store(1)

    services.forward_all()

    assert Delivery.objects.filter(endpoint=here).count() == 1
    assert not Delivery.objects.filter(endpoint=elsewhere).exists()


def test_a_statement_committed_late_behind_the_cursor_is_still_queued(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url)
    first, second = kyky.store(2)
    # As if the second had committed after a run had already looked past it.
    LRSEndpoint.objects.filter(pk=endpoint.pk).update(cursor=second.pk)
    Delivery.objects.create(endpoint=endpoint, statement=second)

    services.deliveries_create(endpoint_id=endpoint.pk)

    assert set(states(endpoint)) == {first.pk, second.pk}


def test_a_statement_stored_before_kyky_kept_timestamps_is_sent_with_its_receipt_time(kyky, fake_lrs):
    endpoint_at(fake_lrs.url)
    [stored] = kyky.store(1)
    without = {k: v for k, v in stored.statement.items() if k != "timestamp"}
    type(stored).objects.filter(pk=stored.pk).update(statement=without)

    services.forward_all()

    assert fake_lrs.statements[0]["timestamp"] == stored.stored_at.isoformat()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not is_postgres(), reason="row locks with SKIP LOCKED need PostgreSQL")
def test_two_workers_never_send_the_same_batch(kyky, fake_lrs):
    endpoint = endpoint_at(fake_lrs.url)
    kyky.store(2)
    services.deliveries_create(endpoint_id=endpoint.pk)
    locked, release, other = threading.Event(), threading.Event(), {}

    def first_worker():
        with transaction.atomic():
            list(Delivery.objects.select_for_update().filter(endpoint=endpoint))
            locked.set()
            release.wait(10)
        connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    locked.wait(10)
    other["tried"], _reached = services.batch_send(endpoint=endpoint)
    release.set()
    worker.join()

    assert other["tried"] == 0
    assert not fake_lrs.requests


def test_storing_a_statement_costs_no_query_more_with_lrss_set_up(kyky, fake_lrs, university):
    """The outbox is filled by the forwarding job, not by the statement endpoint (decisions §27)."""
    kyky.store(1)  # warm: sessions, caches
    with CaptureQueriesContext(connection) as without:
        kyky.store(1)
    endpoint_at(fake_lrs.url)
    endpoint_at(fake_lrs.url, organisation=university)
    with CaptureQueriesContext(connection) as with_two:
        kyky.store(1)

    assert len(with_two) == len(without)
    assert not Delivery.objects.exists()  # until the job runs


def test_the_forwarding_job_runs_every_minute(settings):
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == forward_statements.name]
    assert entry["schedule"] <= 60
