"""The programme's export of xAPI statements as JSON Lines: per training and period, pseudonymised for
research, programme staff only, in a fixed number of queries whatever its size."""

import datetime
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.courses import services as courses
from lms.h5p import services as h5p
from lms.h5p.models import XAPIStatement
from lms.organisations.enums import OrganisationKind, Role
from lms.organisations.models import Membership, Organisation
from lms.records import exports
from tests.factories import H5P_INSTALLER, TrainingPageFactory, UserFactory, user_with_permissions
from tests.h5p.conftest import make_package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def activity(db):
    return h5p.activity_create(upload=make_package(), title="Tehtävä", user=user_with_permissions(*H5P_INSTALLER))


def stored(enrolment, activity, *, days_ago=0, response=None) -> XAPIStatement:
    """A statement as the store keeps it (the shape the xAPI completion gives), ``days_ago`` old."""
    statement_id = str(uuid.uuid4())
    statement = {
        "id": statement_id,
        "actor": {"objectType": "Agent", "account": {"homePage": "http://testserver/", "name": str(enrolment.user_id)}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"objectType": "Activity", "id": "http://testserver/h5p/1"},
        "result": {"score": {"scaled": 1}, **({"response": response} if response else {})},
        "context": {"registration": str(uuid.uuid4()), "extensions": {"http://h5p.org/x-api/h5p-local-content-id": 1}},
        "timestamp": "2026-11-30T10:00:00+00:00",
    }
    row = XAPIStatement.objects.create(
        statement_id=statement_id,
        user=enrolment.user,
        enrolment=enrolment,
        activity=activity,
        verb=statement["verb"]["id"],
        statement=statement,
    )
    XAPIStatement.objects.filter(pk=row.pk).update(stored_at=timezone.now() - datetime.timedelta(days=days_ago))
    return row


@pytest.fixture
def world(index, activity):
    training, other = TrainingPageFactory(parent=index), TrainingPageFactory(parent=index)
    learners = [UserFactory() for _ in range(3)]
    enrolments = [courses.enrolment_create(user=learner, training=training) for learner in learners]
    for enrolment in enrolments:
        stored(enrolment, activity, response="Nimeni on Liisa Oppija ja asun Kuopiossa")
        stored(enrolment, activity, days_ago=40)
    stored(courses.enrolment_create(user=learners[0], training=other), activity)
    return training, other, learners


def ttl_staff():
    ttl = Organisation.objects.create(name="Työterveyslaitos", kind=OrganisationKind.TTL)
    user = UserFactory()
    Membership.objects.create(organisation=ttl, user=user, role=Role.ADMIN)
    return user


def download(client, **params):
    response = client.get(reverse("records:export"), {"download": "1", **params})
    return response, b"".join(response.streaming_content).decode() if response.streaming else ""


def test_the_export_holds_one_complete_statement_a_line_of_the_training_and_period(world):
    training, _other, learners = world
    today = timezone.localdate()

    lines = list(exports.lines(training.pk, today - datetime.timedelta(days=7), today))

    statements = [json.loads(line) for line in lines]
    assert len(statements) == 3  # the period's, not the 40-day-old ones nor the other training's
    assert {s["actor"]["account"]["name"] for s in statements} == {str(learner.pk) for learner in learners}
    assert all(line.endswith("\n") and "\n" not in line[:-1] for line in lines)
    assert len(list(exports.lines(training.pk))) == 6


def test_a_research_export_holds_no_learner_id_registration_or_free_text(world):
    training, _other, learners = world

    statements = [json.loads(line) for line in exports.lines(training.pk, research=True)]

    text = json.dumps(statements)
    assert "Liisa" not in text  # typed answers are left out
    assert "Kuopio" not in text
    assert all("response" not in s["result"] and "extensions" not in s.get("context", {}) for s in statements)
    names = [s["actor"]["account"]["name"] for s in statements]
    assert not {str(learner.pk) for learner in learners} & set(names)
    assert len(set(names)) == 3  # one pseudonym per learner within the file
    originals = set(XAPIStatement.objects.values_list("statement__context__registration", flat=True))
    assert not originals & {s["context"]["registration"] for s in statements}


def test_two_research_exports_cannot_be_joined_on_their_pseudonyms(world):
    training, _other, _learners = world

    first = {json.loads(line)["actor"]["account"]["name"] for line in exports.lines(training.pk, research=True)}
    second = {json.loads(line)["actor"]["account"]["name"] for line in exports.lines(training.pk, research=True)}

    assert not first & second


def test_programme_staff_download_it_and_the_download_is_audited(client, world):
    from wagtail.models import PageLogEntry

    training, _other, _learners = world
    client.force_login(ttl_staff())

    response, body = download(client, training=training.pk, research="on")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert len(body.splitlines()) == 6
    assert PageLogEntry.objects.filter(page=training, action="kyky.records.export").exists()


@pytest.mark.parametrize("who", ["learner", "org admin", "trainer"])
def test_nobody_but_programme_staff_can_export_the_statements(client, world, who):
    training, _other, learners = world
    if who == "learner":
        user = learners[0]
    elif who == "org admin":
        user = UserFactory()
        uas = Organisation.objects.create(name="AMK", kind=OrganisationKind.UAS)
        Membership.objects.create(organisation=uas, user=user, role=Role.ADMIN)
    else:
        user = UserFactory(is_staff=True)
    client.force_login(user)

    response, _body = download(client, training=training.pk)

    assert response.status_code == 404


def test_a_forged_training_id_or_a_backwards_period_is_refused_with_the_form(client, world):
    client.force_login(ttl_staff())
    training, _other, _learners = world

    forged, _ = download(client, training=999999)
    backwards, _ = download(client, training=training.pk, from_date="2026-12-01", to_date="2026-01-01")

    assert forged.status_code == 400
    assert backwards.status_code == 400


def test_the_export_costs_the_same_queries_for_six_statements_or_sixty(world, activity, django_assert_max_num_queries):
    training, _other, learners = world

    with CaptureQueriesContext(connection) as few:
        list(exports.lines(training.pk))
    enrolment = learners[0].enrolments.get(training=training)
    for _ in range(54):
        stored(enrolment, activity)
    with CaptureQueriesContext(connection) as many:
        assert len(list(exports.lines(training.pk))) == 60

    assert len(many.captured_queries) == len(few.captured_queries)
