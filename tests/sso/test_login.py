"""A real identity provider (pysaml2's ``Server``, tests/sso/idp.py) signs people in through Kyky's ACS."""

import base64

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from saml2 import saml

from lms.accounts.backends import ModelBackend
from lms.accounts.models import ExternalIdentity
from lms.organisations.models import Cohort, CohortLearner
from lms.sso.backends import SamlBackend
from lms.sso.keys import sp_certificate_pem
from tests.factories import UserFactory, build_training

pytestmark = pytest.mark.django_db

ATTRIBUTES = {
    "eduPersonPrincipalName": ["maija.meikalainen@tuni.fi"],
    "mail": ["Maija.Meikalainen@tuni.fi"],
    "givenName": ["Maija"],
    "sn": ["Meikäläinen"],
    "displayName": ["Maija Meikäläinen"],
    "schacHomeOrganization": ["tuni.fi"],
    "schacPersonalUniqueCode": ["urn:schac:personalUniqueCode:int:studentID:tuni.fi:12345"],
}


def start(client, idp, provider, next_url="/fi/learn/"):
    """The login button: Kyky redirects to the IdP with a signed AuthnRequest, which the IdP reads."""
    response = client.get(f"/saml2/login/?provider={provider.pk}&next={next_url}")
    assert response.status_code == 302, response.content
    return idp.read_request(response["Location"])


def log_in(client, idp, provider, attributes=ATTRIBUTES, **answer):
    request = start(client, idp, provider)
    return client.post(
        "/saml2/acs/", {"SAMLResponse": idp.answer(request, attributes, **answer), "RelayState": request.relay_state}
    )


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_a_new_person_gets_an_account_and_comes_back_to_it(client, idp, provider, university):
    response = log_in(client, idp, provider)

    assert response.status_code == 302
    assert response["Location"] == "/fi/learn/"
    identity = ExternalIdentity.objects.select_related("user").get()
    user = identity.user
    assert logged_in_as(client) == str(user.pk)
    # The session's backend reads the logged-in user from the cache, like a password login's.
    assert client.session["_auth_user_backend"] == "lms.sso.backends.SamlBackend"
    assert SamlBackend.get_user is ModelBackend.get_user
    assert (identity.kind, identity.issuer, identity.subject) == ("saml", idp.entity_id, "persistent-0001")
    assert identity.principal == "maija.meikalainen@tuni.fi"
    assert identity.organisation == university
    assert identity.student_number == "12345"
    assert identity.last_login_at is not None
    assert (user.email, user.first_name, user.last_name) == ("maija.meikalainen@tuni.fi", "Maija", "Meikäläinen")
    assert not user.has_usable_password()
    # The home organisation vouches for an address in its own domain.
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    assert logged_in_as(client) is None
    response = log_in(client, idp, provider, {**ATTRIBUTES, "mail": ["maija@example.com"]})

    assert response.status_code == 302
    assert logged_in_as(client) == str(user.pk)  # the same account, whatever the address is now
    assert get_user_model().objects.count() == 1
    assert ExternalIdentity.objects.count() == 1


def test_the_dashboard_opens_after_login(client, idp, provider, homes):
    log_in(client, idp, provider)
    assert client.get("/fi/learn/").status_code == 200


def test_an_encrypted_assertion_is_decrypted(client, idp, provider):
    request = start(client, idp, provider)
    saml_response = idp.answer(request, ATTRIBUTES, encrypt_to=sp_certificate_pem())
    assert b"EncryptedAssertion" in base64.b64decode(saml_response)
    assert b"12345" not in base64.b64decode(saml_response)

    response = client.post("/saml2/acs/", {"SAMLResponse": saml_response})

    assert response.status_code == 302, response.content.decode()
    assert ExternalIdentity.objects.get().student_number == "12345"


def test_a_verified_address_links_the_existing_account(client, idp, provider):
    existing = UserFactory(email="maija.meikalainen@tuni.fi")  # verified by the factory

    response = log_in(client, idp, provider)

    assert response.status_code == 302
    assert logged_in_as(client) == str(existing.pk)
    assert ExternalIdentity.objects.get().user == existing
    assert existing.check_password("correct horse battery")  # the password still works too


def test_eduperson_principal_name_is_the_subject_without_a_persistent_nameid(client, idp, provider):
    request = start(client, idp, provider)
    saml_response = idp.answer(request, ATTRIBUTES, subject="_4f2a9c", subject_format=saml.NAMEID_FORMAT_TRANSIENT)
    client.post("/saml2/acs/", {"SAMLResponse": saml_response})

    assert ExternalIdentity.objects.get().subject == "maija.meikalainen@tuni.fi"


def test_the_student_number_fills_empty_cohort_places_of_the_organisation(client, idp, provider, university, index):
    existing = UserFactory(email="maija.meikalainen@tuni.fi")
    training = build_training(index, modules=1, lessons=1)
    empty = Cohort.objects.create(organisation=university, training=training, name="A", study_mode="degree")
    numbered = Cohort.objects.create(organisation=university, training=training, name="B", study_mode="degree")
    CohortLearner.objects.create(cohort=empty, user=existing)
    CohortLearner.objects.create(cohort=numbered, user=existing, student_number="99999")

    log_in(client, idp, provider)

    assert CohortLearner.objects.get(cohort=empty).student_number == "12345"
    assert CohortLearner.objects.get(cohort=numbered).student_number == "99999"  # a teacher's entry is kept


def test_a_student_number_issued_by_another_organisation_is_ignored(client, idp, provider):
    codes = ["urn:schac:personalUniqueCode:int:studentID:helsinki.fi:777"]
    log_in(client, idp, provider, {**ATTRIBUTES, "schacPersonalUniqueCode": codes})

    assert ExternalIdentity.objects.get().student_number == ""


def test_an_address_outside_the_home_organisation_is_not_taken_as_verified(client, idp, provider):
    log_in(client, idp, provider, {**ATTRIBUTES, "mail": ["maija@example.com"]})

    assert not EmailAddress.objects.get(email="maija@example.com").verified


def test_the_login_page_offers_the_enabled_identity_providers(client, provider):
    provider.__class__.objects.create(
        organisation=provider.organisation,
        entity_id="https://idp.disabled.example/",
        metadata_xml=provider.metadata_xml.replace(provider.entity_id, "https://idp.disabled.example/"),
        button_label="Suljettu korkeakoulu",
        enabled=False,
    )
    page = client.get("/fi/accounts/login/?next=/fi/learn/").content.decode()

    assert "Tampereen korkeakoulut" in page
    assert f"/saml2/login/?provider={provider.pk}&amp;next=/fi/learn/" in page
    assert "Suljettu korkeakoulu" not in page
    assert 'name="password"' in page  # password accounts keep working


def test_logout_ends_the_kyky_session(client, idp, provider):
    log_in(client, idp, provider)
    client.post("/fi/accounts/logout/")
    assert logged_in_as(client) is None


def test_a_first_login_racing_the_same_persons_other_tab_signs_in_instead_of_failing(
    client, idp, provider, monkeypatch
):
    """Two tabs' first logins at once: the loser of the unique constraint tries again, and is not shown a 500."""
    from django.db import IntegrityError

    from lms.sso import services

    real_account, calls = services._account, []

    def racing_account(**kwargs):
        calls.append(1)
        if len(calls) == 1:  # the other tab committed the same address first
            raise IntegrityError('duplicate key value violates unique constraint "accounts_user_email_key"')
        return real_account(**kwargs)

    monkeypatch.setattr(services, "_account", racing_account)
    response = log_in(client, idp, provider)

    assert response.status_code == 302
    assert len(calls) == 2
    assert logged_in_as(client) == str(ExternalIdentity.objects.get().user_id)
