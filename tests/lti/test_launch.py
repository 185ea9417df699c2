"""Launches from a real LTI 1.3 platform implementation (``lti1p3platform``) into Kyky."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.utils import timezone

from lms.accounts.models import ExternalIdentity, IdentityKind
from lms.courses.models import Enrolment
from lms.lti.models import GradeTarget
from lms.organisations.enums import OrganisationKind, Role
from lms.organisations.models import CohortLearner, Membership, Organisation

from .platform import INSTRUCTOR

pytestmark = pytest.mark.django_db
User = get_user_model()


def signed_in(client):
    return client.session.get("_auth_user_id")


def test_a_learners_first_launch_makes_an_account_places_them_in_the_courses_cohort_and_opens_the_training(
    moodle, linked, cohort, training, course_custom, client
):
    response = moodle.launch(custom=course_custom)

    assert response.status_code == 302
    assert response["Location"] == training.url
    identity = ExternalIdentity.objects.get(issuer=moodle.platform.base, subject="moodle-7")
    assert identity.kind == IdentityKind.LTI
    assert identity.organisation == cohort.organisation
    user = identity.user
    assert str(user.pk) == signed_in(client)
    assert (user.email, user.certificate_name) == ("liisa@tuni.fi", "Liisa Oppija")
    assert not EmailAddress.objects.get(user=user).verified  # the registration does not vouch for addresses
    assert CohortLearner.objects.filter(cohort=cohort, user=user).exists()
    assert Enrolment.objects.filter(user=user, training=training).exists()
    target = GradeTarget.objects.get(user=user)
    assert (target.lineitem_url, target.subject) == (f"{moodle.platform.base}/lineitems/1", "moodle-7")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert [m.level_tag for m in get_messages(page.wsgi_request)] == ["info"]  # "you joined the group ..."


def test_a_returning_learner_comes_back_to_the_same_account(moodle, linked, course_custom):
    moodle.launch(custom=course_custom)
    moodle.client.logout()
    moodle.launch(custom=course_custom, email="changed@tuni.fi")

    assert User.objects.count() == 1
    assert ExternalIdentity.objects.count() == 1


def test_a_launch_reaches_the_account_of_the_same_haka_login(moodle, registration, linked, course_custom, learner):
    registration.principal_source = "custom"
    registration.save()
    ExternalIdentity.objects.create(
        user=learner,
        kind=IdentityKind.SAML,
        issuer="https://idp.tuni.fi/idp/shibboleth",
        subject="haka-persistent-1",
        principal="liisa.oppija@tuni.fi",
        organisation=registration.organisation,
    )

    moodle.launch(custom={**course_custom, "eppn": "Liisa.Oppija@tuni.fi"}, email="liisa.oppija@tuni.fi")

    assert ExternalIdentity.objects.get(subject="moodle-7").user == learner
    assert str(learner.pk) == signed_in(moodle.client)


def test_a_principal_of_another_home_organisation_links_nothing(moodle, registration, linked, course_custom, learner):
    """A Moodle administrator cannot reach another university's HAKA accounts by sending their names."""
    registration.principal_source = "custom"
    registration.save()
    ExternalIdentity.objects.create(
        user=learner,
        kind=IdentityKind.SAML,
        issuer="https://idp.other.fi",
        subject="x",
        principal="liisa@other.fi",
        organisation=registration.organisation,
    )

    moodle.launch(custom={**course_custom, "eppn": "liisa@other.fi"}, email="someone@tuni.fi")

    assert ExternalIdentity.objects.get(subject="moodle-7").user != learner


def test_a_verified_address_links_only_when_the_registration_vouches_for_the_platforms_addresses(
    moodle, registration, linked, course_custom, learner
):
    asked = moodle.launch(custom=course_custom, email=learner.email)
    assert asked.status_code == 302
    assert asked["Location"].startswith("/fi/lti/link/")  # log in to link, rather than being linked
    assert not ExternalIdentity.objects.exists()

    registration.emails_verified = True
    registration.save()
    moodle.launch(custom=course_custom, email=learner.email)
    assert ExternalIdentity.objects.get(subject="moodle-7").user == learner


def test_an_unverified_kyky_address_is_never_linked_even_when_the_platform_vouches(
    moodle, registration, linked, course_custom, user_factory
):
    """Someone who signed up with the learner's address but never confirmed it does not get their launches."""
    squatter = user_factory(email="liisa@tuni.fi")
    EmailAddress.objects.filter(user=squatter).update(verified=False)
    registration.emails_verified = True
    registration.save()

    response = moodle.launch(custom=course_custom)

    assert response["Location"].startswith("/fi/lti/link/")  # only who logs in to the account links it
    assert not ExternalIdentity.objects.exists()


def test_an_archived_cohort_takes_nobody_in_through_a_launch(moodle, linked, cohort, course_custom):
    cohort.archived_at = timezone.now()
    cohort.save()

    response = moodle.launch(custom=course_custom)

    assert response.status_code == 403
    assert "archived" in response.content.decode() or "arkistoitu" in response.content.decode()
    assert not CohortLearner.objects.exists()


def test_an_instructor_who_is_staff_of_the_organisation_becomes_a_teacher_of_the_cohort(
    moodle, linked, cohort, course_custom, user_factory
):
    staff = user_factory(email="tiina@tuni.fi")
    Membership.objects.create(organisation=cohort.organisation, user=staff, role=Role.TEACHER)
    ExternalIdentity.objects.create(
        user=staff, kind=IdentityKind.LTI, issuer=moodle.platform.base, subject="moodle-teacher"
    )

    response = moodle.launch(user_id="moodle-teacher", roles=(INSTRUCTOR,), email="tiina@tuni.fi", custom=course_custom)

    assert response.status_code == 302
    assert response["Location"] == f"/fi/lti/cohorts/{cohort.pk}/"
    assert cohort.teachers.filter(pk=staff.pk).exists()
    assert not CohortLearner.objects.exists()
    assert moodle.client.get(response["Location"]).status_code == 200


def test_an_instructor_role_alone_grants_no_staff_rights(moodle, linked, cohort, course_custom):
    response = moodle.launch(user_id="moodle-teacher", roles=(INSTRUCTOR,), email="t@tuni.fi", custom=course_custom)

    assert response.status_code == 200
    assert not cohort.teachers.exists()
    assert not Membership.objects.exists()
    assert moodle.client.get(f"/fi/lti/cohorts/{cohort.pk}/").status_code == 404


def test_the_key_set_publishes_the_key_kyky_signs_with(client, db):
    keys = client.get("/lti/jwks.json").json()["keys"]

    assert len(keys) == 1
    assert {keys[0]["alg"], keys[0]["use"], keys[0]["kty"]} == {"RS256", "sig", "RSA"}
    assert "d" not in keys[0]  # no private part


@pytest.mark.parametrize("privilege", ["superuser", "other organisation"])
def test_a_platform_vouching_for_addresses_cannot_open_a_staff_account(
    moodle, registration, linked, course_custom, user_factory, privilege
):
    """Account takeover: an organisation's admin registers a Moodle that sends the programme staff's address."""
    victim = user_factory(email="staff@ttl.fi")
    if privilege == "superuser":
        type(victim).objects.filter(pk=victim.pk).update(is_superuser=True, is_staff=True)
    else:
        elsewhere = Organisation.objects.create(name="Muu AMK", kind=OrganisationKind.UAS)
        Membership.objects.create(organisation=elsewhere, user=victim, role=Role.ADMIN)
    registration.emails_verified = True
    registration.save()

    response = moodle.launch(custom=course_custom, email="staff@ttl.fi")

    assert response.status_code == 403
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in moodle.client.session


def test_a_launch_inside_moodles_frame_continues_once_in_a_window_of_its_own(
    moodle, linked, course_custom, training, cohort
):
    framed = moodle.launch(custom=course_custom, target="iframe")

    assert framed.status_code == 200
    assert moodle.platform.base in framed["Content-Security-Policy"]  # Moodle's page may frame this one
    assert "_auth_user_id" not in moodle.client.session
    url = re.search(r'href="(/lti/launch/[^"]+/)"', framed.content.decode()).group(1)

    opened = moodle.client.get(url)
    assert opened["Location"] == training.url
    assert CohortLearner.objects.filter(cohort=cohort).count() == 1
    assert moodle.client.get(url).status_code == 404  # once only
