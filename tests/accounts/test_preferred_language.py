"""The language a signed-in person reads in becomes the language of what Kyky sends them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.accounts.models import User

pytestmark = pytest.mark.django_db


def test_reading_in_swedish_makes_swedish_the_learners_language(client, homes, learner):
    assert learner.preferred_language == "fi"
    client.force_login(learner)
    assert client.get("/sv/learn/").status_code == 200
    assert User.objects.get(pk=learner.pk).preferred_language == "sv"
    client.get("/sv/learn/")
    assert client.get("/sv/learn/").status_code == 200


def test_reading_in_ones_own_language_writes_nothing(client, homes, learner):
    client.force_login(learner)
    client.get("/fi/learn/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/fi/learn/")
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_a_page_that_fails_or_a_post_changes_nothing(client, homes, learner):
    client.force_login(learner)
    client.get("/en/no-such-page/")
    client.post("/en/learn/", {})
    assert User.objects.get(pk=learner.pk).preferred_language == "fi"


def test_anonymous_visitors_are_left_alone(client, homes):
    assert client.get("/sv/").status_code == 200
