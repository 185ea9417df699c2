"""A cohort's dates and its archive decide who may still join; its results stay for the registrar."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from lms.courses.models import Enrolment
from lms.organisations import services
from lms.organisations.enums import Role
from lms.organisations.models import CohortLearner, Membership, RosterImport

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)


def _link(client, staff, cohort) -> str:
    client.force_login(staff)
    client.post(f"/fi/organisation/cohorts/{cohort.pk}/invitation/", {"days": 30})
    cohort.refresh_from_db()
    return f"/fi/organisation/join/{cohort.invite_code}/"


def test_a_link_still_valid_after_the_cohort_ended_admits_nobody(client, two_orgs, user_factory):
    (_org, staff, cohort), _b = two_orgs
    link = _link(client, staff, cohort)
    cohort.ends_on = YESTERDAY
    cohort.save()
    latecomer = user_factory()
    client.force_login(latecomer)

    response = client.post(link, follow=True)

    assert not CohortLearner.objects.filter(cohort=cohort, user=latecomer).exists()
    assert not Enrolment.objects.filter(user=latecomer).exists()
    assert "päättyi" in response.content.decode()  # said in the learner's language


def test_a_cohort_not_yet_started_takes_people_in(client, two_orgs, user_factory):
    (_org, staff, cohort), _b = two_orgs
    cohort.starts_on = timezone.localdate() + timedelta(days=20)
    cohort.save()
    link = _link(client, staff, cohort)
    early = user_factory()
    client.force_login(early)

    client.post(link)

    assert CohortLearner.objects.filter(cohort=cohort, user=early).exists()


def test_an_invitation_accepted_after_the_cohort_ended_is_refused(client, two_orgs, user_factory):
    (_org, staff, cohort), _b = two_orgs
    invitee = user_factory()
    with transaction.atomic():
        invitation = services.invitation_create(cohort=cohort, email=invitee.email, invited_by=staff)
    token = services.invitation_token(invitation)
    cohort.ends_on = YESTERDAY
    cohort.save()

    with pytest.raises(services.InvitationError):
        services.invitation_answer(token=token, user=invitee, accept=True)
    assert not CohortLearner.objects.filter(cohort=cohort).exists()


def test_a_student_list_or_a_new_link_for_an_ended_cohort_is_refused_with_a_message(client, two_orgs):
    (_org, staff, cohort), _b = two_orgs
    cohort.ends_on = YESTERDAY
    cohort.save()
    client.force_login(staff)

    upload = client.post(
        f"/fi/organisation/cohorts/{cohort.pk}/import/",
        {"file": SimpleUploadedFile("list.csv", b"name,email\nA,a@example.fi\n", content_type="text/csv")},
        follow=True,
    )
    link = client.post(f"/fi/organisation/cohorts/{cohort.pk}/invitation/", {"days": 30}, follow=True)

    assert not RosterImport.objects.filter(cohort=cohort).exists()
    cohort.refresh_from_db()
    assert cohort.invite_code is None
    assert "päättyi" in upload.content.decode()
    assert "päättyi" in link.content.decode()


def test_archiving_stops_the_link_and_keeps_the_results_for_the_registrar(client, two_orgs, user_factory):
    (_org, staff, cohort), _b = two_orgs
    link = _link(client, staff, cohort)
    member = user_factory()
    client.force_login(member)
    client.post(link)
    client.force_login(staff)

    client.post(f"/fi/organisation/cohorts/{cohort.pk}/archive/", {"archive": "1"})

    cohort.refresh_from_db()
    assert cohort.archived_at is not None
    assert cohort.invite_code is None
    export = client.get(f"/fi/organisation/cohorts/{cohort.pk}/export.csv")
    assert member.email in export.content.decode("utf-8-sig")
    listing = client.get("/fi/organisation/").content.decode()
    assert listing.index(f'href="/fi/organisation/cohorts/{cohort.pk}/"') > listing.index("Arkistoidut")
    client.force_login(user_factory())
    assert client.post(link).status_code == 302
    assert CohortLearner.objects.filter(cohort=cohort).count() == 1

    client.force_login(staff)
    client.post(f"/fi/organisation/cohorts/{cohort.pk}/archive/", {"archive": "0"})
    cohort.refresh_from_db()
    assert cohort.archived_at is None


def test_a_teacher_or_another_university_cannot_archive_a_cohort(client, two_orgs, user_factory):
    (org_a, _staff_a, cohort_a), (_org_b, staff_b, _cohort_b) = two_orgs
    teacher = user_factory()
    Membership.objects.create(organisation=org_a, user=teacher, role=Role.TEACHER)
    cohort_a.teachers.add(teacher)

    for intruder in (teacher, staff_b):
        client.force_login(intruder)
        assert client.post(f"/fi/organisation/cohorts/{cohort_a.pk}/archive/", {"archive": "1"}).status_code == 404
    cohort_a.refresh_from_db()
    assert cohort_a.archived_at is None
