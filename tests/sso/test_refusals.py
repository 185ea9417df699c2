"""Each refusal of a SAML login, named for the attack it stops. Nobody is logged in and nothing is linked."""

import base64
import logging
import re
from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings

from lms.accounts.models import ExternalIdentity
from lms.organisations.enums import OrganisationKind
from lms.organisations.models import Organisation
from lms.sso import services
from lms.sso.models import IdentityProvider, UsedAssertion
from tests.factories import UserFactory

from .idp import TestIdP
from .test_login import ATTRIBUTES, log_in, logged_in_as, start

pytestmark = pytest.mark.django_db


def refused(response, caplog=None, because: str | None = None) -> str:
    """The refusal page (403, in the person's language); ``because``: what pysaml2 or Kyky named."""
    assert response.status_code == 403, response.content.decode()[:500]
    assert "sso/login_error.html" in [t.name for t in response.templates]
    if because is not None:
        assert because in caplog.text, caplog.text
    return response.content.decode()


SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def nobody_logged_in(client):
    assert logged_in_as(client) is None
    assert not ExternalIdentity.objects.exists()


@pytest.fixture(autouse=True)
def _log(caplog):
    caplog.set_level(logging.INFO, logger="lms.sso")


def test_tampered_assertion_a_changed_attribute_after_signing(client, idp, provider, caplog):
    request = start(client, idp, provider)
    signed = base64.b64decode(idp.answer(request, ATTRIBUTES)).decode()
    assert "12345" in signed
    tampered = signed.replace("studentID:tuni.fi:12345", "studentID:tuni.fi:54321")

    response = client.post("/saml2/acs/", {"SAMLResponse": base64.b64encode(tampered.encode()).decode()})

    refused(response, caplog, "Signature")
    nobody_logged_in(client)


def test_expired_assertion(client, idp, provider, caplog):
    response = log_in(client, idp, provider, issued_minutes_ago=60)

    refused(response, caplog, "too old")
    nobody_logged_in(client)


def test_replayed_assertion_the_same_response_posted_twice(client, idp, provider, caplog):
    request = start(client, idp, provider)
    saml_response = idp.answer(request, ATTRIBUTES)
    assert client.post("/saml2/acs/", {"SAMLResponse": saml_response}).status_code == 302
    client.logout()

    response = client.post("/saml2/acs/", {"SAMLResponse": saml_response})

    refused(response, caplog, "Unsolicited")  # its request has been answered: InResponseTo names nothing pending
    assert logged_in_as(client) is None


def test_replayed_assertion_in_a_session_still_waiting_for_its_request(client, idp, provider, caplog):
    """A response copied into a browser whose SAML session still lists its request: the used-assertion record."""
    request = start(client, idp, provider)
    saml_cookie = client.cookies[settings.SAML_SESSION_COOKIE_NAME].value
    pending = dict(SessionStore(session_key=saml_cookie).load())  # the SAML session as it was before the answer
    saml_response = idp.answer(request, ATTRIBUTES)
    assert client.post("/saml2/acs/", {"SAMLResponse": saml_response}).status_code == 302
    client.logout()
    # The attacker's browser: a SAML session still waiting for that request.
    store = SessionStore()
    store.update(pending)
    store.save()
    client.cookies[settings.SAML_SESSION_COOKIE_NAME] = store.session_key

    response = client.post("/saml2/acs/", {"SAMLResponse": saml_response})

    refused(response, caplog, "replayed assertion")
    assert logged_in_as(client) is None
    assert UsedAssertion.objects.count() == 1


def test_wrong_audience_an_assertion_for_another_service(client, idp, provider, caplog):
    response = log_in(client, idp, provider, audience="https://other-service.example.fi/shibboleth")

    refused(response, caplog, "AudienceRestrictions conditions not satisfied")
    nobody_logged_in(client)


def test_unsigned_assertion_even_inside_a_signed_response(client, idp, provider, caplog):
    response = log_in(client, idp, provider, sign_assertion=False, sign_response=True)

    refused(response, caplog, "Signature missing for assertion")
    nobody_logged_in(client)


def test_identity_provider_not_configured(client, idp, provider, tmp_path, sp_metadata, caplog):
    """An IdP Kyky does not know answers the request of a configured one: its signature is not trusted."""
    request = start(client, idp, provider)
    stranger = TestIdP(tmp_path / "stranger", sp_metadata, entity_id="https://idp.stranger.example/idp")

    response = client.post("/saml2/acs/", {"SAMLResponse": stranger.answer(request, ATTRIBUTES)})

    refused(response, caplog)
    nobody_logged_in(client)


def test_identity_provider_with_a_new_key_not_in_its_stored_metadata(
    client, idp, provider, tmp_path, sp_metadata, caplog
):
    """Someone holding another key claims the configured IdP's entity ID: the stored certificate decides."""
    request = start(client, idp, provider)
    impostor = TestIdP(tmp_path / "impostor", sp_metadata, entity_id=idp.entity_id)

    response = client.post("/saml2/acs/", {"SAMLResponse": impostor.answer(request, ATTRIBUTES)})

    refused(response, caplog)
    nobody_logged_in(client)


def test_identity_provider_disabled_after_the_request(client, idp, provider, caplog):
    request = start(client, idp, provider)
    provider.enabled = False
    provider.save()

    response = client.post("/saml2/acs/", {"SAMLResponse": idp.answer(request, ATTRIBUTES)})

    refused(response, caplog)
    nobody_logged_in(client)


def test_identity_provider_disabled_has_no_login(client, provider):
    provider.enabled = False
    provider.save()

    response = client.get(f"/saml2/login/?provider={provider.pk}")

    assert response.status_code == 400
    assert "sso/login_error.html" in [t.name for t in response.templates]


def test_identity_provider_whose_stored_metadata_has_expired(client, idp, provider, caplog):
    """Metadata past its validUntil: no login starts, and none is accepted (its key may be retired)."""
    request = start(client, idp, provider)
    expired = re.sub(r"<((\w+:)?EntityDescriptor) ", r'<\1 validUntil="2020-01-01T00:00:00Z" ', idp.metadata, count=1)
    assert expired != idp.metadata
    IdentityProvider.objects.filter(pk=provider.pk).update(metadata_xml=expired)

    assert client.get(f"/saml2/login/?provider={provider.pk}").status_code == 400
    refused(client.post("/saml2/acs/", {"SAMLResponse": idp.answer(request, ATTRIBUTES)}), caplog)
    nobody_logged_in(client)
    provider.refresh_from_db()
    provider.enabled = False
    provider.save()  # switching it off still works


def test_unknown_identity_provider_has_no_login(client, db):
    for query in ("provider=987654", "provider=x", "provider=%C2%B2", f"provider={'9' * 30}", ""):
        assert client.get(f"/saml2/login/?{query}").status_code == 400


def test_linking_by_an_unverified_address_is_refused(client, idp, provider, caplog):
    """Someone registered maija's address without confirming it (perhaps not maija): no silent takeover."""
    squatter = UserFactory(email="maija.meikalainen@tuni.fi", verified=False)
    EmailAddress.objects.filter(user=squatter).update(verified=False)

    response = log_in(client, idp, provider)

    page = refused(response, caplog, "unverified e-mail address")
    assert "maija.meikalainen@tuni.fi" in page
    nobody_logged_in(client)
    assert not EmailAddress.objects.get(user=squatter).verified


def test_linking_to_an_account_without_any_address_record_is_refused(client, idp, provider, caplog):
    UserFactory(email="maija.meikalainen@tuni.fi")
    EmailAddress.objects.all().delete()

    refused(log_in(client, idp, provider), caplog, "unverified e-mail address")
    nobody_logged_in(client)


def test_home_organisation_of_another_university(client, idp, provider, caplog):
    """A (misconfigured or hostile) IdP releases another university's people: it speaks only for its own."""
    Organisation.objects.create(name="Helsingin yliopisto", kind=OrganisationKind.UAS, home_organisation="helsinki.fi")

    response = log_in(client, idp, provider, {**ATTRIBUTES, "schacHomeOrganization": ["helsinki.fi"]})

    refused(response, caplog, "schacHomeOrganization")
    nobody_logged_in(client)


def test_no_mail_released(client, idp, provider, caplog):
    attributes = {key: value for key, value in ATTRIBUTES.items() if key != "mail"}

    refused(log_in(client, idp, provider, attributes), caplog, "no mail attribute")
    nobody_logged_in(client)


def test_an_acs_post_without_a_response(client, db):
    response = client.post("/saml2/acs/", {})
    assert response.status_code == 400
    assert "sso/login_error.html" in [t.name for t in response.templates]


def test_garbage_instead_of_a_response(client, provider, caplog):
    for garbage in ("not base64!", base64.b64encode(b"<xml").decode(), base64.b64encode(b"\x00\xff").decode()):
        response = client.post("/saml2/acs/", {"SAMLResponse": garbage})
        assert response.status_code in {400, 403}
        assert "sso/login_error.html" in [t.name for t in response.templates]
    assert logged_in_as(client) is None


def test_the_used_assertion_record_refuses_a_second_use(provider):
    assertion = services.Assertion(
        issuer=provider.entity_id,
        assertion_id="_abc",
        not_on_or_after=services.timezone.now() + services.datetime.timedelta(minutes=5),
    )
    services.assertion_record(assertion=assertion)
    with pytest.raises(services.LoginRefused) as refusal:
        services.assertion_record(assertion=assertion)
    assert refusal.value.reason == "replayed assertion"


def test_a_closed_account_is_not_opened_by_its_organisation(client, idp, provider, caplog):
    log_in(client, idp, provider)
    client.logout()
    user = ExternalIdentity.objects.get().user
    user.is_active = False
    user.save()

    refused(log_in(client, idp, provider), caplog, "inactive account")
    assert logged_in_as(client) is None


def test_disabled_identity_provider_rows_are_refused_by_the_service_too(provider):
    IdentityProvider.objects.update(enabled=False)
    assertion = services.Assertion(
        issuer=provider.entity_id, assertion_id="_x", not_on_or_after=services.timezone.now(), attributes=ATTRIBUTES
    )
    with pytest.raises(services.LoginRefused):
        services.saml_login(assertion=assertion)


def test_open_redirect_after_login_goes_home_instead(client, idp, provider):
    request = start(client, idp, provider, next_url="https://evil.example/phish")
    response = client.post(
        "/saml2/acs/", {"SAMLResponse": idp.answer(request, ATTRIBUTES), "RelayState": "https://evil.example/phish"}
    )

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
