import pytest

from lms.certificates.models import Certificate
from lms.courses import services as courses
from lms.courses.models import LessonPage
from tests.factories import CERTIFICATE_STAFF, build_training, user_with_permissions


@pytest.fixture
def certificate(index, learner, django_capture_on_commit_callbacks):
    """The learner's certificate of a one-lesson training, issued as completing it issues it."""
    training = build_training(index, title="Työkyvyn tuki", lessons=1)
    enrolment = courses.enrolment_create(user=learner, training=training)
    with django_capture_on_commit_callbacks(execute=True):
        courses.lesson_open(enrolment=enrolment, lesson=LessonPage.objects.descendant_of(training).get())
    return Certificate.objects.get(enrolment=enrolment)


@pytest.fixture
def staff(db):
    """TTL staff: the admin, and the permissions to see and change certificates."""
    return user_with_permissions(*CERTIFICATE_STAFF, certificate_name="Sari Henkilökunta")
