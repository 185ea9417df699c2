"""A teacher in Moodle picks what to place in the course; the platform package checks Kyky's signed answer."""

import re
from html import unescape

import pytest

from lms.accounts.models import ExternalIdentity, IdentityKind
from lms.lti.models import ContextLink
from lms.organisations.enums import Role
from lms.organisations.models import Cohort, Membership, Organisation

from .platform import INSTRUCTOR, LEARNER

pytestmark = pytest.mark.django_db


def _form(html: str) -> dict:
    return {name: unescape(value) for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', html)}


@pytest.fixture
def teacher_launch(moodle, org_teacher):
    ExternalIdentity.objects.create(
        user=org_teacher, kind=IdentityKind.LTI, issuer=moodle.platform.base, subject="moodle-teacher"
    )
    return lambda **kw: moodle.launch(
        user_id="moodle-teacher", roles=(INSTRUCTOR,), email=org_teacher.email, deep_link=True, ags=False, **kw
    )


def test_a_teacher_ties_the_course_to_their_cohort_and_the_platform_accepts_kykys_answer(
    moodle, teacher_launch, cohort, training, registration
):
    picker = teacher_launch()
    assert picker.status_code == 200
    html = picker.content.decode()
    assert f'value="cohort:{cohort.pk}"' in html
    assert f'value="training:{training.pk}"' in html
    assert moodle.platform.base in picker["Content-Security-Policy"]  # Moodle may frame the picker

    answer = moodle.client.post(
        "/lti/deep-link/", {"token": _form(html)["token"], "choice": f"cohort:{cohort.pk}"}, secure=True
    )

    assert answer.status_code == 200
    form = _form(answer.content.decode())
    assert f'action="{moodle.platform.base}/deep-link-return"' in answer.content.decode()
    assert f"form-action 'self' {moodle.platform.base}" in answer["Content-Security-Policy"]
    items = moodle.platform.conf.validate_deeplinking_resp({"JWT": form["JWT"]})
    assert len(items) == 1
    item = items[0]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == "http://testserver/lti/launch/"
    assert item["custom"] == {"kyky_training": str(training.translation_key), "kyky_cohort": str(cohort.pk)}
    assert item["lineItem"]["scoreMaximum"] == 1
    assert item["window"] == {"targetName": "kyky"}
    link = ContextLink.objects.get()
    assert (link.registration, link.context_id, link.cohort) == (registration, "course-42", cohort)
    assert link.memberships_url == f"{moodle.platform.base}/memberships"


def test_then_a_learner_launching_the_placed_link_joins_that_cohort(moodle, teacher_launch, cohort):
    html = teacher_launch().content.decode()
    answer = moodle.client.post(
        "/lti/deep-link/", {"token": _form(html)["token"], "choice": f"cohort:{cohort.pk}"}, secure=True
    )
    item = moodle.platform.conf.validate_deeplinking_resp({"JWT": _form(answer.content.decode())["JWT"]})[0]
    moodle.client.logout()

    response = moodle.launch(custom=item["custom"])

    assert response.status_code == 302
    assert cohort.learners.count() == 1


def test_a_teacher_cannot_tie_a_course_to_a_cohort_they_do_not_follow(
    moodle, teacher_launch, cohort, university, training
):
    other = Cohort.objects.create(organisation=university, training=training, name="Colleague's", study_mode="degree")
    html = teacher_launch().content.decode()
    assert f"cohort:{other.pk}" not in html

    answer = moodle.client.post(
        "/lti/deep-link/", {"token": _form(html)["token"], "choice": f"cohort:{other.pk}"}, secure=True
    )

    assert answer.status_code == 400
    assert not ContextLink.objects.exists()


def test_a_learner_cannot_pick_content(moodle, org_teacher):
    response = moodle.launch(roles=(LEARNER,), deep_link=True, ags=False)

    assert response.status_code == 403


def test_a_forged_picker_token_is_refused(moodle, training, db):
    answer = moodle.client.post("/lti/deep-link/", {"token": "forged", "choice": f"training:{training.pk}"})

    assert answer.status_code == 400


def test_a_staff_member_of_another_organisation_sees_none_of_its_cohorts(
    moodle, teacher_launch, org_teacher, cohort, university
):
    Membership.objects.filter(user=org_teacher).update(role=Role.ADMIN)
    elsewhere = Organisation.objects.create(name="Muu AMK", kind="uas")
    Membership.objects.filter(user=org_teacher).update(organisation=elsewhere)

    html = teacher_launch().content.decode()

    assert f"cohort:{cohort.pk}" not in html
