"""The registration pages: an organisation's admins and programme staff register their Moodle in Kyky."""

import pytest

from lms.lti.models import PlatformRegistration
from lms.organisations.enums import OrganisationKind, Role
from lms.organisations.models import Membership, Organisation

pytestmark = pytest.mark.django_db

FORM = {
    "label": "TAMK Moodle",
    "issuer": "https://moodle.tuni.fi",
    "client_id": "abc123",
    "auth_login_url": "https://moodle.tuni.fi/mod/lti/auth.php",
    "auth_token_url": "https://moodle.tuni.fi/mod/lti/token.php",
    "key_set_url": "https://moodle.tuni.fi/mod/lti/certs.php",
    "deployment_ids": "3\n",
    "principal_source": "",
    "enabled": "on",
}


@pytest.fixture
def admin(university, user_factory):
    user = user_factory()
    Membership.objects.create(organisation=university, user=user, role=Role.ADMIN)
    return user


def test_an_organisation_admin_registers_their_moodle_and_sees_kykys_addresses(client, admin, university):
    client.force_login(admin)
    page = client.get("/fi/lti/platforms/")
    assert "http://testserver/lti/launch/" in page.content.decode()
    assert "http://testserver/lti/jwks.json" in page.content.decode()

    response = client.post("/fi/lti/platforms/add/", {**FORM, "organisation": university.pk})

    assert response.status_code == 302
    registration = PlatformRegistration.objects.get()
    assert (registration.organisation, registration.deployments) == (university, ["3"])


def test_an_admin_cannot_register_a_moodle_for_another_organisation(client, admin):
    other = Organisation.objects.create(name="Muu AMK", kind=OrganisationKind.UAS)
    client.force_login(admin)

    response = client.post("/fi/lti/platforms/add/", {**FORM, "organisation": other.pk})

    assert response.status_code == 200  # the form again: that organisation is not a choice
    assert not PlatformRegistration.objects.exists()


def test_an_admin_cannot_open_another_organisations_registration(client, admin, user_factory):
    other = Organisation.objects.create(name="Muu AMK", kind=OrganisationKind.UAS)
    theirs = PlatformRegistration.objects.create(
        organisation=other, label="x", issuer="https://m.other.fi", client_id="c"
    )
    client.force_login(admin)

    assert client.get(f"/fi/lti/platforms/{theirs.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.TEACHER, None])
def test_teachers_and_learners_do_not_configure_platforms(client, university, user_factory, role):
    user = user_factory()
    if role:
        Membership.objects.create(organisation=university, user=user, role=role)
    client.force_login(user)

    assert client.get("/fi/lti/platforms/").status_code == 404
    assert client.post("/fi/lti/platforms/add/", {**FORM, "organisation": university.pk}).status_code == 404


def test_programme_staff_register_a_moodle_for_any_organisation(client, university, user_factory):
    ttl = Organisation.objects.create(name="Työterveyslaitos", kind=OrganisationKind.TTL)
    staff = user_factory()
    Membership.objects.create(organisation=ttl, user=staff, role=Role.TEACHER)
    client.force_login(staff)

    response = client.post("/fi/lti/platforms/add/", {**FORM, "organisation": university.pk, "emails_verified": "on"})

    assert response.status_code == 302
    registration = PlatformRegistration.objects.get()
    assert (registration.organisation, registration.emails_verified) == (university, True)


def test_an_organisation_admin_cannot_make_their_moodle_vouch_for_accounts(client, admin, university):
    """Only the programme's staff let a platform open existing accounts (by address or HAKA name)."""
    client.force_login(admin)

    client.post(
        "/fi/lti/platforms/add/",
        {**FORM, "organisation": university.pk, "emails_verified": "on", "principal_source": "custom"},
    )

    registration = PlatformRegistration.objects.get()
    assert (registration.emails_verified, registration.principal_source) == (False, "")


def test_staff_find_the_moodle_pages_from_their_own_pages(client, admin, university, cohort, org_teacher):
    client.force_login(admin)
    organisation_page = client.get(f"/fi/organisation/organisations/{university.pk}/").content.decode()
    assert 'href="/fi/lti/platforms/"' in organisation_page
    client.force_login(org_teacher)
    cohort_page = client.get(f"/fi/organisation/cohorts/{cohort.pk}/").content.decode()
    assert f'href="/fi/lti/cohorts/{cohort.pk}/"' in cohort_page
