"""Open Badges 3.0 credentials: signed as issued, checked by us and by an independent verifier."""

import copy
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.certificates import credentials, integrity, keys, services
from lms.certificates.models import Certificate
from lms.courses import services as courses
from lms.courses.models import LessonPage
from tests.certificates.trainings import build_backed_training
from tests.conftest import SHARED

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = SHARED / "vc" / "educredentials-obv3" / "schemas" / "ob_v3p0_achievementcredential_schema.json"
VERIFIER = ROOT / "tests" / "verifiers" / "verify-credential.mjs"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def certificate(index, learner, django_capture_on_commit_callbacks):
    training = build_backed_training(index, title="Työkykykoordinaattorikoulutus", ects_credits=10, lessons=1)
    enrolment = courses.enrolment_create(user=learner, training=training)
    with django_capture_on_commit_callbacks(execute=True):
        courses.lesson_open(enrolment=enrolment, lesson=LessonPage.objects.descendant_of(training).get())
    return Certificate.objects.get(enrolment=enrolment)


def test_an_issued_certificate_carries_a_valid_signed_credential(certificate):
    credential = certificate.credential
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == keys.issuer_did()
    assert credential["credentialSubject"]["achievement"]["creditsAvailable"] == 10.0
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credentials.credential_verify(credential)["valid"] is True


@pytest.mark.shared("vc", "educredentials-obv3", "schemas", "ob_v3p0_achievementcredential_schema.json")
def test_the_credential_matches_the_official_open_badges_schema(certificate):
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema).validate(certificate.credential)


def test_a_tampered_credential_fails(certificate):
    tampered = copy.deepcopy(certificate.credential)
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Joku Muu"
    result = credentials.credential_verify(tampered)
    assert result["valid"] is False
    assert result["checks"]["signature"]["ok"] is False


def test_a_credential_signed_by_another_key_fails(certificate):
    unsigned = {k: v for k, v in certificate.credential.items() if k != "proof"}
    forged = integrity.sign(
        unsigned,
        key=Ed25519PrivateKey.generate(),
        verification_method=keys.verification_method(),
        created=certificate.credential["proof"][0]["created"],
    )
    assert credentials.credential_verify(forged)["checks"]["signature"]["ok"] is False
    elsewhere = integrity.sign(
        unsigned,
        key=Ed25519PrivateKey.generate(),
        verification_method="did:web:evil.example#key-1",
        created=certificate.credential["proof"][0]["created"],
    )
    assert "not the issuer's" in credentials.credential_verify(elsewhere)["checks"]["signature"]["message"]


def test_a_revoked_credential_fails_and_the_status_list_says_so(client, certificate):
    services.certificate_revoke(certificate=certificate, reason="Virhe")

    result = credentials.credential_verify(certificate.credential)
    assert result["valid"] is False
    assert result["checks"]["signature"]["ok"] is True
    assert result["checks"]["status"] == {"ok": False, "message": "revoked"}
    status_list = client.get("/credentials/status/revocation").json()
    assert credentials.decoded_bit(status_list["credentialSubject"]["encodedList"], certificate.status_index)
    assert credentials.credential_verify(status_list)["checks"]["signature"]["ok"] is True


def test_the_did_document_publishes_the_key(client):
    document = client.get("/.well-known/did.json").json()
    assert document["id"] == keys.issuer_did()
    method = document["verificationMethod"][0]
    assert integrity.public_key_from_multibase(method["publicKeyMultibase"]) is not None
    assert document["assertionMethod"] == [method["id"]]


def test_upload_check_page_and_download(client, certificate, learner, other_learner):
    client.force_login(other_learner)
    assert client.get(f"/certificates/{certificate.code}.json").status_code == 404
    client.force_login(learner)
    downloaded = json.loads(client.get(f"/certificates/{certificate.code}.json").content)
    assert downloaded == certificate.credential
    client.logout()

    ok = client.post("/verify/credential/", json.dumps(downloaded), content_type="application/json")
    assert ok.json()["valid"] is True
    downloaded["name"] = "Jotain muuta"
    assert (
        client.post("/verify/credential/", json.dumps(downloaded), content_type="application/json").json()["valid"]
        is False
    )
    assert client.post("/verify/credential/", "{nope", content_type="application/json").status_code == 400


def run_verifier(credential) -> dict:
    result = subprocess.run(
        ["node", str(VERIFIER)],
        input=json.dumps(
            {"credential": credential, "did": keys.did_document(), "statusList": credentials.status_list_credential()}
        ),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(
    not shutil.which("node") or not (ROOT / "node_modules" / "@digitalbazaar" / "vc").exists(),
    reason="node and the npm dev dependencies (make assets) are needed for the independent verifier",
)
def test_an_independent_verifier_accepts_our_credential_and_rejects_a_tampered_one(certificate):
    assert run_verifier(certificate.credential) == {"verified": True, "revoked": False, "error": None}
    tampered = copy.deepcopy(certificate.credential)
    tampered["name"] = "Väärennetty"
    assert run_verifier(tampered)["verified"] is False
    services.certificate_revoke(certificate=certificate, reason="Virhe")
    assert run_verifier(certificate.credential)["revoked"] is True
