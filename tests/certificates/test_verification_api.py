"""What machines and browser-based verifiers read: did.json and the status list across origins, and the
credential check answering a JSON body, refusing hostile ones with a clear 4xx."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from lms.certificates import credentials, services
from lms.certificates.views import MAX_CREDENTIAL_BYTES

pytestmark = pytest.mark.django_db
PUBLIC = ["/.well-known/did.json", "/credentials/status/revocation"]


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # rate-limit counters and the signed status list
    yield
    cache.clear()


@pytest.fixture
def machine():
    """A client that enforces CSRF as a browser session would, holding no cookie: a machine client."""
    return Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})


@pytest.mark.parametrize("url", PUBLIC)
def test_a_browser_verifier_on_another_origin_may_read(client, url):
    response = client.get(url, HTTP_ORIGIN="https://verifierplus.org")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response  # never with cookies
    preflight = client.options(url, HTTP_ORIGIN="https://verifierplus.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, OPTIONS"


@pytest.mark.parametrize("url", PUBLIC)
def test_writing_to_the_public_documents_is_refused(client, url):
    assert client.post(url, "{}", content_type="application/json").status_code == 405


def test_a_verifier_with_a_slow_clock_does_not_find_the_status_list_not_yet_valid(certificate):
    services.certificate_revoke(certificate=certificate, reason="Virhe")  # the list changes now
    status_list = credentials.status_list_credential()
    valid_from = datetime.datetime.fromisoformat(status_list["validFrom"])
    slow_clock = timezone.now() - datetime.timedelta(minutes=4)
    assert valid_from <= slow_clock
    assert status_list["proof"]["created"] == status_list["validFrom"]
    assert credentials.credential_verify(status_list)["checks"]["signature"]["ok"] is True


def test_the_status_list_is_the_same_document_when_signed_again(certificate):
    first = credentials.status_list_credential()
    cache.clear()
    assert credentials.status_list_credential() == first


def test_a_machine_client_posts_a_credential_without_a_session(machine, certificate):
    response = machine.post("/verify/credential/", json.dumps(certificate.credential), content_type="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["valid"] is True
    assert set(body["checks"]) == {"signature", "issuer", "status", "validity"}

    for media_type in ("application/ld+json", "application/vc+ld+json"):
        answer = machine.post("/verify/credential/", json.dumps(certificate.credential), content_type=media_type)
        assert answer.json()["valid"] is True

    services.certificate_revoke(certificate=certificate, reason="Virhe")
    revoked = machine.post("/verify/credential/", json.dumps(certificate.credential), content_type="application/json")
    assert revoked.json()["valid"] is False
    assert revoked.json()["checks"]["status"] == {"ok": False, "message": "revoked"}


def test_the_upload_form_still_answers_with_a_page(client, certificate):
    upload = json.dumps(certificate.credential).encode()
    response = client.post("/verify/credential/", {"credential": SimpleUploadedFile("c.json", upload)})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_a_huge_body_is_refused_before_it_is_read(machine):
    response = machine.post(
        "/verify/credential/", b"[" + b" " * (MAX_CREDENTIAL_BYTES + 10) + b"]", content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too large"


def test_a_body_within_our_limit_but_over_djangos_is_still_checked(machine, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # request.body would raise RequestDataTooBig
    response = machine.post("/verify/credential/", b"{" + b" " * 4096 + b"}", content_type="application/json")
    assert response.status_code == 200
    assert response.json()["valid"] is False


def test_a_body_that_is_not_json_is_refused(machine):
    response = machine.post("/verify/credential/", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "valid": False,
        "error": "not JSON",
        "checks": {"format": {"ok": False, "message": "The request is not valid JSON."}},
    }


def test_deeply_nested_json_is_refused_without_a_crash(machine):
    response = machine.post("/verify/credential/", "[" * 50_000 + "]" * 50_000, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["checks"]["format"]["message"]


@pytest.mark.parametrize(
    "body", ['"a string"', "[]", "null", '{"proof": 1}', '{"@context": {"@vocab": 1}, "proof": {}}']
)
def test_json_that_is_no_credential_is_answered_not_valid(machine, body):
    response = machine.post("/verify/credential/", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["valid"] is False


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""])
def test_a_body_of_another_media_type_is_refused(machine, certificate, content_type):
    response = machine.post("/verify/credential/", json.dumps(certificate.credential), content_type=content_type)
    assert response.status_code == 415
    assert response.json()["valid"] is False


def test_machine_clients_are_rate_limited(machine, settings):
    statuses = [
        machine.post("/verify/credential/", "{}", content_type="application/json").status_code for _ in range(32)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30:] == [429, 429]
