"""Names and Role Provisioning Services: the Moodle course's learners are invited to the cohort, never placed."""

import pytest
from django.contrib.messages import get_messages

from lms.organisations.models import CohortInvitation, CohortLearner

from .platform import INSTRUCTOR, LEARNER

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(moodle, linked, course_custom):
    moodle.launch(custom=course_custom)  # moodle-7 has launched: a place already
    moodle.client.logout()
    moodle.platform.members = [
        {"user_id": "moodle-7", "roles": [LEARNER], "email": "liisa@tuni.fi", "name": "Liisa Oppija"},
        {"user_id": "moodle-8", "roles": [LEARNER], "email": "olli@tuni.fi", "name": "Olli Opiskelija"},
        {"user_id": "moodle-9", "roles": [LEARNER], "name": "Piia Piilossa"},
        {"user_id": "moodle-10", "roles": [INSTRUCTOR], "email": "tiina@tuni.fi"},
        {"user_id": "moodle-11", "roles": [LEARNER], "status": "Inactive", "email": "lopettanut@tuni.fi"},
    ]
    return moodle.platform


def test_a_teacher_invites_the_courses_learners_to_the_cohort(client, roster, cohort, org_teacher, linked):
    client.force_login(org_teacher)

    response = client.post(f"/fi/lti/cohorts/{cohort.pk}/sync/")

    assert response.status_code == 302
    assert [i.email for i in CohortInvitation.objects.filter(cohort=cohort)] == ["olli@tuni.fi"]
    assert CohortLearner.objects.filter(cohort=cohort).count() == 1  # nobody placed without consent
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1" in message
    linked.refresh_from_db()
    assert linked.synced_at is not None
    assert ("GET", "/memberships") in roster.calls

    client.post(f"/fi/lti/cohorts/{cohort.pk}/sync/")  # again: nobody is invited twice
    assert CohortInvitation.objects.filter(cohort=cohort).count() == 1


def test_a_sync_while_moodle_is_down_changes_nothing_and_says_so(client, roster, cohort, org_teacher):
    roster.down.add("/memberships")
    client.force_login(org_teacher)

    response = client.post(f"/fi/lti/cohorts/{cohort.pk}/sync/")

    assert not CohortInvitation.objects.exists()
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_someone_elses_cohort_cannot_be_synced(client, roster, cohort, learner):
    client.force_login(learner)

    assert client.post(f"/fi/lti/cohorts/{cohort.pk}/sync/").status_code == 404
    assert not CohortInvitation.objects.exists()


def test_the_course_page_lists_the_tied_courses_for_the_cohorts_teacher(client, roster, cohort, org_teacher):
    client.force_login(org_teacher)

    page = client.get(f"/fi/lti/cohorts/{cohort.pk}/")

    assert page.status_code == 200
    assert "Työkyky 2027" in page.content.decode()
    assert f"/fi/lti/cohorts/{cohort.pk}/sync/" in page.content.decode()
