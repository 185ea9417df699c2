"""A page's route comes from the cache, brought along with the request's first read (lms.cms.routing)."""

import pytest

from lms.courses import services
from lms.courses.models import LessonPage

pytestmark = pytest.mark.django_db


def test_a_lesson_reads_its_route_in_the_same_round_trip_as_the_learners_row(client, training, learner, cache_reads):
    services.enrolment_create(user=learner, training=training, notify=False)
    lesson = LessonPage.objects.descendant_of(training).live().order_by("path").first()
    client.force_login(learner)
    client.get(lesson.url)  # routes, structures and the user's row are now cached
    cache_reads.clear()

    assert client.get(lesson.url).status_code == 200

    with_route = [keys for keys in cache_reads if any(":route:" in key for key in keys)]
    assert len(with_route) == 1, "the route is read once"
    assert any(key.startswith("kyky:user:") for key in with_route[0]), f"with the user row: {cache_reads}"
    assert len(cache_reads) == 2, f"the session, then everything else at once: {cache_reads}"


def test_a_route_brought_along_from_an_old_generation_is_not_used(client, training, learner):
    services.enrolment_create(user=learner, training=training, notify=False)
    lesson = LessonPage.objects.descendant_of(training).live().order_by("path").first()
    client.force_login(learner)
    client.get(lesson.url)

    lesson.title = "Uusi otsikko"
    lesson.save_revision().publish()  # a new generation: the old route must not serve the old page

    assert "Uusi otsikko" in client.get(lesson.url).content.decode()
