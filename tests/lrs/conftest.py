"""Fixtures for forwarding: a learner storing statements in Kyky, and a scripted LRS on loopback."""

import json
import threading
import uuid
from collections import deque
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from lms.courses import services as courses
from lms.h5p import services as h5p
from lms.h5p.models import XAPIStatement
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation
from tests.h5p.conftest import activity, h5p_lesson, installer  # noqa: F401 (fixtures)

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.LRS_ALLOW_LOOPBACK = True


def statement_body(h5p_activity, *, timestamp=None) -> dict:
    """What the lesson page posts for an answer in the H5P player, with the browser's time."""
    return {
        "id": str(uuid.uuid4()),
        "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
        "object": {"id": h5p.activity_iri(h5p_activity.pk), "objectType": "Activity"},
        "result": {"score": {"raw": 1, "max": 1, "min": 0}, "success": True, "completion": True},
        "timestamp": (timestamp or timezone.now() - timedelta(minutes=3)).isoformat(),
    }


class Kyky:
    """Stores statements as the lesson page does: the learner's session posting to the endpoint."""

    def __init__(self, client, lesson, h5p_activity):
        self.client, self.lesson, self.activity = client, lesson, h5p_activity

    def store(self, count: int = 1) -> list[XAPIStatement]:
        bodies = [statement_body(self.activity) for _ in range(count)]
        response = self.client.post(
            f"/xapi/statements/{self.lesson.pk}/", json.dumps(bodies), content_type="application/json"
        )
        assert response.status_code == 200, response.content
        return list(XAPIStatement.objects.filter(statement_id__in=[b["id"] for b in bodies]).order_by("pk"))


@pytest.fixture
def enrolment(h5p_lesson, learner):  # noqa: F811
    training, _lesson = h5p_lesson
    return courses.enrolment_create(user=learner, training=training)


@pytest.fixture
def kyky(client, h5p_lesson, activity, enrolment, learner):  # noqa: F811
    client.force_login(learner)
    return Kyky(client, h5p_lesson[1], activity)


@pytest.fixture
def university(db):
    return Organisation.objects.create(name="Tampereen AMK", kind=OrganisationKind.UAS)


@pytest.fixture
def other_university(db):
    return Organisation.objects.create(name="Muu AMK", kind=OrganisationKind.UAS)


@pytest.fixture
def cohort(university, h5p_lesson):  # noqa: F811
    return Cohort.objects.create(
        organisation=university, training=h5p_lesson[0], name="Syksy", study_mode=StudyMode.DEGREE
    )


def in_cohort(cohort, user):
    return CohortLearner.objects.create(cohort=cohort, user=user)


@pytest.fixture
def org_admin(university, user_factory):
    user = user_factory()
    Membership.objects.create(organisation=university, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def programme_staff(user_factory):
    ttl = Organisation.objects.create(name="Työterveyslaitos", kind=OrganisationKind.TTL)
    user = user_factory()
    Membership.objects.create(organisation=ttl, user=user, role=Role.TEACHER)
    return user


class FakeLRS:
    """An LRS on 127.0.0.1 that answers what a test scripts (default 200) and records every request."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: deque = deque()
        self.default = (200, "[]")
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                lrs.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
                status, text = lrs.answers.popleft() if lrs.answers else lrs.default
                if callable(text):
                    status, text = text(json.loads(body))
                payload = text.encode()
                self.send_response(status)
                if status in {301, 302, 307, 308}:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xapi"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def statements(self) -> list[dict]:
        return [s for r in self.requests for s in r["body"]]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_lrs():
    lrs = FakeLRS()
    yield lrs
    lrs.stop()
