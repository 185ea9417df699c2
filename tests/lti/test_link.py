"""A launch whose address Kyky has, from a platform not trusted with addresses: the person logs in to link."""

import pytest
from django.test import Client

from lms.accounts.models import ExternalIdentity
from lms.organisations.models import CohortLearner

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(moodle, linked, course_custom, learner):
    response = moodle.launch(custom=course_custom, email=learner.email)
    assert response.status_code == 302
    return response["Location"]


def test_the_owner_logs_in_and_links_their_account_and_the_launch_goes_on(moodle, asked, learner, cohort, training):
    assert moodle.client.get(asked)["Location"].startswith("/fi/accounts/login/")

    moodle.client.force_login(learner)
    assert moodle.client.get(asked).status_code == 200
    response = moodle.client.post(asked)

    assert response.status_code == 302
    assert response["Location"] == training.url
    assert ExternalIdentity.objects.get(subject="moodle-7").user == learner
    assert CohortLearner.objects.filter(cohort=cohort, user=learner).exists()

    moodle.client.logout()
    again = moodle.launch(custom={"kyky_cohort": str(cohort.pk)}, email=learner.email)
    assert again["Location"] == training.url  # straight in from now on
    assert moodle.client.session["_auth_user_id"] == str(learner.pk)


def test_a_link_handed_to_someone_else_links_nothing(asked, user_factory):
    """Account linking CSRF: the attacker launches, then gets a victim to open the link and confirm it."""
    victim = Client()
    victim.force_login(user_factory())

    assert victim.get(asked).status_code == 404
    assert victim.post(asked).status_code == 404
    assert not ExternalIdentity.objects.exists()


def test_a_link_is_used_once(moodle, asked, learner):
    moodle.client.force_login(learner)
    moodle.client.post(asked)

    assert moodle.client.post(asked).status_code == 404


def test_a_staff_account_is_not_linked_to_moodle_even_by_its_owner(moodle, asked, learner):
    type(learner).objects.filter(pk=learner.pk).update(is_staff=True)
    moodle.client.force_login(type(learner).objects.get(pk=learner.pk))

    assert moodle.client.post(asked).status_code == 403
    assert not ExternalIdentity.objects.exists()
