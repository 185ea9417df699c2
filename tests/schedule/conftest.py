import pytest

from tests.factories import UserFactory

from .factories import attendance_training, cohort_with


@pytest.fixture
def course(index):
    return attendance_training(index, sessions_required=1)


@pytest.fixture
def teacher(db):
    return UserFactory(certificate_name="Tiina Opettaja")


@pytest.fixture
def group(course, learner, teacher):
    return cohort_with(course, learners=[learner], teachers=[teacher])
