"""A learner adds the credential to the Learner Credential Wallet in one step: a link (or QR code) to a
VC-API exchange that the wallet POSTs to, answered the way the wallet's code reads it."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from lms.certificates import services, wallet
from tests.certificates.test_key_rotation import needs_node, run_verifier_core

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def _exchange_from_link(link: str) -> str:
    """What the wallet does with the link: the ``request`` parameter's JSON, its ``protocols.vcapi``."""
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://lcw.app/request"
    request = json.loads(parse_qs(parts.query)["request"][0])
    assert request["credentialRequestOrigin"] == "http://testserver"
    return request["protocols"]["vcapi"]


def _wallet_post(url: str):
    """As the wallet sends it (LCW exchanges.ts): POST {} as JSON, no cookies, no CSRF token."""
    return Client(enforce_csrf_checks=True).post(urlsplit(url).path, "{}", content_type="application/json")


def test_the_learner_adds_the_credential_to_the_wallet_in_one_step(client, learner, certificate):
    client.force_login(learner)
    page = client.get(f"/certificates/{certificate.code}/wallet/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    link = page.context["link"]
    assert "<svg" in page.content.decode()
    assert f'href="{link}"'.replace("&", "&amp;") in page.content.decode()

    response = _wallet_post(_exchange_from_link(link))

    assert response.status_code == 200
    body = response.json()
    assert "verifiablePresentationRequest" not in body  # nothing more to do: the wallet stores what it got
    assert body["verifiablePresentation"]["verifiableCredential"] == [certificate.credential]


def test_the_dashboard_links_to_the_wallet_page(client, learner, certificate):
    client.force_login(learner)
    assert f"/certificates/{certificate.code}/wallet/" in client.get("/fi/learn/").content.decode()


def test_another_learner_gets_no_wallet_link_for_my_credential(client, other_learner, certificate):
    client.force_login(other_learner)
    assert client.get(f"/certificates/{certificate.code}/wallet/").status_code == 404


def test_a_forged_exchange_token_gets_nothing(certificate):
    token = wallet.exchange_token(certificate)
    code, _ts, signature = token.split(":")
    forged = f"{code}:{_ts}:{'A' * len(signature)}"
    response = _wallet_post(f"http://testserver/credentials/exchange/{forged}/")
    assert response.status_code == 404
    assert response.json() == {"error": "not found or expired"}


def test_an_expired_exchange_link_gets_nothing(certificate, settings, monkeypatch):
    url = wallet.exchange_url(certificate)
    monkeypatch.setattr(wallet, "OFFER_SECONDS", -1)  # as if an hour had passed
    assert _wallet_post(url).status_code == 404


def test_a_token_signed_for_something_else_gets_nothing(certificate):
    other_salt = signing.TimestampSigner(salt="kyky.something-else").sign(certificate.code)
    assert _wallet_post(f"http://testserver/credentials/exchange/{other_salt}/").status_code == 404


def test_a_revoked_certificates_link_stops_working(client, learner, certificate):
    url = wallet.exchange_url(certificate)
    services.certificate_revoke(certificate=certificate, reason="Virhe")
    assert _wallet_post(url).status_code == 404
    client.force_login(learner)
    assert client.get(f"/certificates/{certificate.code}/wallet/").status_code == 404


def test_the_exchange_refuses_a_get_and_is_rate_limited(certificate):
    url = wallet.exchange_url(certificate)
    assert Client().get(urlsplit(url).path).status_code == 405
    statuses = [_wallet_post(url).status_code for _ in range(32)]
    assert statuses[:30] == [200] * 30
    assert statuses[30:] == [429, 429]


@needs_node
def test_what_the_wallet_receives_verifies_in_verifier_core(certificate):
    received = _wallet_post(wallet.exchange_url(certificate)).json()
    credential = received["verifiablePresentation"]["verifiableCredential"][0]
    result = run_verifier_core(credential)
    assert (result["signature"], result["revoked"], result["errors"]) == (True, False, [])
