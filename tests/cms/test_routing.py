"""A page's route comes from the cache, brought along with the request's first read (lms.cms.routing)."""

import pytest
from django.core.cache import cache

from lms.courses import services
from lms.courses.models import LessonPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(monkeypatch):
    """The cache reads the code asks for (the test's cache makes get_many of gets: those are not counted)."""
    asked, depth = [], []

    def counted(original):
        def read(keys, *args, **kwargs):
            if not depth:
                asked.append(list(keys) if isinstance(keys, list | tuple) else [keys])
            depth.append(1)
            try:
                return original(keys, *args, **kwargs)
            finally:
                depth.pop()

        return read

    for method in ("get", "get_many"):
        monkeypatch.setattr(cache, method, counted(getattr(cache, method)))
    return asked


def test_a_lesson_reads_its_route_in_the_same_round_trip_as_the_learners_row(client, training, learner, reads):
    services.enrolment_create(user=learner, training=training, notify=False)
    lesson = LessonPage.objects.descendant_of(training).live().order_by("path").first()
    client.force_login(learner)
    client.get(lesson.url)  # routes, structures and the user's row are now cached
    reads.clear()

    assert client.get(lesson.url).status_code == 200

    with_route = [keys for keys in reads if any(":route:" in key for key in keys)]
    assert len(with_route) == 1, "the route is read once"
    assert any(key.startswith("kyky:user:") for key in with_route[0]), f"with the user row: {reads}"
    assert len(reads) == 2, f"the session, then everything else at once: {reads}"


def test_a_route_brought_along_from_an_old_generation_is_not_used(client, training, learner):
    services.enrolment_create(user=learner, training=training, notify=False)
    lesson = LessonPage.objects.descendant_of(training).live().order_by("path").first()
    client.force_login(learner)
    client.get(lesson.url)

    lesson.title = "Uusi otsikko"
    lesson.save_revision().publish()  # a new generation: the old route must not serve the old page

    assert "Uusi otsikko" in client.get(lesson.url).content.decode()
