"""*My trainings* comes from the cache, and never shows what has changed since (lms.learner_cache).

Each test changes one thing the page shows, the way Kyky changes it, after the page was cached,
and reads the page again.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.certificates import services as certificates
from lms.certificates.codes import new_code
from lms.certificates.models import Certificate
from lms.courses import services
from lms.organisations import services as organisations
from lms.organisations.enums import OrganisationKind, Role
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation
from tests.factories import build_training

pytestmark = pytest.mark.django_db

DASHBOARD = "/fi/learn/"


@pytest.fixture
def course(index, learner, client):
    training = build_training(index, title="Työkyvyn tuki", modules=1, lessons=2)
    enrolment = services.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    return training, enrolment


def page(client) -> str:
    return client.get(DASHBOARD).content.decode()


def lessons(training):
    from lms.courses.models import LessonPage

    return list(LessonPage.objects.descendant_of(training).order_by("path"))


def test_a_second_visit_costs_no_query(client, course):
    page(client)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD).status_code == 200
    assert [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]] == []


def test_a_second_visit_reads_the_list_and_its_sessions_in_one_round_trip(client, course, cache_reads):
    page(client)
    cache_reads.clear()
    assert client.get(DASHBOARD).status_code == 200
    learners = [keys for keys in cache_reads if "kyky:learner-page" in str(keys)]
    assert len(learners) == 1, "the list and the upcoming sessions come in one read"
    assert any(":upcoming-sessions:" in key for key in learners[0])


def test_progress_shows_at_once(client, course):
    training, enrolment = course
    assert 'aria-valuenow="0"' in page(client)
    first, second = lessons(training)
    services.lesson_open(enrolment=enrolment, lesson=first)
    assert 'aria-valuenow="50"' in page(client)
    services.lesson_open(enrolment=enrolment, lesson=second)
    html = page(client)
    assert 'aria-valuenow="100"' in html
    assert "Suoritettu" in html or "Completed" in html


def test_a_new_enrolment_shows_at_once(client, course, index, learner):
    page(client)
    other = build_training(index, title="Kouluttajakoulutus", modules=1, lessons=1)
    services.enrolment_create(user=learner, training=other)
    assert "Kouluttajakoulutus" in page(client)


def test_a_revoked_certificate_is_not_offered_from_the_cache(client, course):
    _training, enrolment = course
    certificate = Certificate.objects.create(enrolment=enrolment, code=new_code(), facts={}, language="fi")
    assert f"/certificates/{certificate.code}/pdf/" in page(client) or certificate.code in page(client)
    certificates.certificate_revoke(certificate=certificate, reason="Väärä nimi")
    assert certificate.code not in page(client)


def test_a_cohort_and_its_changes_show_at_once(client, course, learner, user_factory):
    training, _enrolment = course
    organisation = Organisation.objects.create(name="Ammattikorkeakoulu A", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(organisation=organisation, training=training, name="Syksy")
    page(client)
    CohortLearner.objects.create(cohort=cohort, user=learner)
    assert "Syksy" in page(client)

    cohort.name = "Kevät"
    cohort.save()
    assert "Kevät" in page(client)

    organisation.name = "Ammattikorkeakoulu B"
    organisation.save()
    assert "Ammattikorkeakoulu B" in page(client)

    teacher = user_factory(certificate_name="Tiina Opettaja")
    cohort.teachers.add(teacher)
    assert "Tiina Opettaja" in page(client)

    teacher.certificate_name = "Tiina Uusinimi"
    teacher.save()
    assert "Tiina Uusinimi" in page(client)

    admin = user_factory()
    Membership.objects.create(organisation=organisation, user=admin, role=Role.ADMIN)
    membership = Membership.objects.create(organisation=organisation, user=teacher, role=Role.TEACHER)
    organisations.member_remove(membership=membership, by=admin)
    assert "Tiina" not in page(client)


def test_an_erased_teacher_is_not_named_from_the_cache(client, course, learner, user_factory):
    """The leak: a person erased under GDPR still named on their former students' pages."""
    training, _enrolment = course
    organisation = Organisation.objects.create(name="Ammattikorkeakoulu A", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(organisation=organisation, training=training, name="Syksy")
    CohortLearner.objects.create(cohort=cohort, user=learner)
    teacher = user_factory(certificate_name="Tiina Opettaja")
    cohort.teachers.add(teacher)
    assert "Tiina Opettaja" in page(client)
    teacher.delete()
    assert "Tiina Opettaja" not in page(client)


def test_a_retitled_training_shows_at_once(client, course):
    training, _enrolment = course
    page(client)
    training.title = "Työkyvyn tuki 2027"
    training.save_revision().publish()
    assert "Työkyvyn tuki 2027" in page(client)


def test_each_language_is_kept_apart(client, course):
    assert "Omat koulutukset" in page(client) or "Työkyvyn tuki" in page(client)
    html = client.get("/en/learn/").content.decode()
    assert 'lang="en"' in html or "My trainings" in html


def test_another_learner_never_gets_my_cached_page(client, course, other_learner):
    """The attack: reading someone else's trainings, cohort and teachers from a shared cache."""
    assert "Työkyvyn tuki" in page(client)
    client.force_login(other_learner)
    assert "Työkyvyn tuki" not in page(client)


def test_a_flushed_cache_never_brings_back_an_old_page(client, course):
    """A restarted cache starts from new stamps, never from ones an old entry was stored under."""
    from django.core.cache import cache

    training, enrolment = course
    page(client)
    cache.delete(f"kyky:learner:{enrolment.user_id}")
    services.lesson_open(enrolment=enrolment, lesson=lessons(training)[0])
    assert 'aria-valuenow="50"' in page(client)
