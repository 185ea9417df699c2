"""Signing keys that rotate and can be revoked, with every credential in force still verifying."""

import base64
import datetime
import importlib
import io
import json
import shutil
import subprocess
from urllib.parse import unquote

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from lms.certificates import credentials, integrity, keys, services, tasks
from lms.certificates.models import Certificate, IssuerKey
from lms.courses import services as courses
from lms.courses.models import LessonPage
from tests.certificates.test_credentials import ROOT, SCHEMA, run_verifier
from tests.factories import build_training

pytestmark = pytest.mark.django_db
VERIFIER_CORE = ROOT / "tests" / "verifiers" / "verifier-core.mjs"
needs_node = pytest.mark.skipif(
    not shutil.which("node") or not (ROOT / "node_modules" / "@digitalcredentials" / "verifier-core").exists(),
    reason="node and the npm dev dependencies (make assets) are needed for the independent verifiers",
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def issue(index, django_capture_on_commit_callbacks):
    """Complete a one-lesson training as ``user`` and return the certificate that completing it issues."""

    def issue(user):
        training = build_training(index, title="Työkyvyn tuki", lessons=1)
        enrolment = courses.enrolment_create(user=user, training=training)
        with django_capture_on_commit_callbacks(execute=True):
            courses.lesson_open(enrolment=enrolment, lesson=LessonPage.objects.descendant_of(training).get())
        return Certificate.objects.get(enrolment=enrolment)

    return issue


def _seed() -> str:
    raw = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _listed_keys() -> list[str]:
    return [key.key_id for key in keys.listed_keys()]


def _listed(client) -> list[str]:
    document = client.get("/.well-known/did.json").json()
    assert document["assertionMethod"] == [method["id"] for method in document["verificationMethod"]]
    return [method["id"].rpartition("#")[2] for method in document["verificationMethod"]]


def test_a_credential_signed_before_a_rotation_verifies_after_it(client, issue, learner, other_learner):
    before = issue(learner)
    assert before.signed_with == "key-1"
    assert before.credential["proof"][0]["verificationMethod"] == f"{keys.issuer_did()}#key-1"

    call_command("rotate_signing_key", stdout=io.StringIO())
    after = issue(other_learner)

    assert after.signed_with == "key-2"
    assert after.credential["proof"][0]["verificationMethod"] == f"{keys.issuer_did()}#key-2"
    assert _listed(client) == ["key-1", "key-2"]
    assert credentials.credential_verify(before.credential)["valid"] is True
    assert credentials.credential_verify(after.credential)["valid"] is True
    # The status list is signed by the key that signs now.
    status_list = client.get("/credentials/status/revocation").json()
    assert status_list["proof"]["verificationMethod"].endswith("#key-2")
    assert credentials.credential_verify(status_list)["checks"]["signature"]["ok"] is True
    assert IssuerKey.objects.get(number=1).retired_at is not None


def test_did_json_drops_a_retired_key_once_nothing_in_force_needs_it(client, issue, learner):
    certificate = issue(learner)
    call_command("rotate_signing_key", stdout=io.StringIO())
    assert _listed(client) == ["key-1", "key-2"]

    services.certificate_revoke(certificate=certificate, reason="Virhe")

    assert _listed(client) == ["key-2"]
    assert keys.resolve(f"{keys.issuer_did()}#key-1") is None
    assert keys.resolve(f"{keys.issuer_did()}#key-2") is not None


def test_resolving_refuses_another_issuers_key_of_the_same_number(issue, learner):
    issue(learner)
    assert keys.resolve("did:web:evil.example#key-1") is None
    assert keys.resolve(f"{keys.issuer_did()}#key-9") is None
    assert keys.resolve(None) is None


def test_revoking_a_leaked_key_reissues_what_it_signed_with_the_current_key(
    client, issue, learner, other_learner, mailoutbox, django_capture_on_commit_callbacks
):
    leaked = issue(learner)
    withdrawn_elsewhere = issue(other_learner)
    services.certificate_revoke(certificate=withdrawn_elsewhere, reason="Virhe")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("revoke_signing_key", "key-1", stdout=io.StringIO())

    leaked.refresh_from_db()
    assert leaked.revoked_at is not None
    assert "key-1" in leaked.revocation_reason
    reissued = Certificate.objects.get(enrolment=leaked.enrolment, revoked_at__isnull=True)
    assert reissued.signed_with == "key-2"
    assert credentials.credential_verify(reissued.credential)["valid"] is True
    result = credentials.credential_verify(leaked.credential)
    assert result["valid"] is False
    assert "revoked" in result["checks"]["signature"]["message"]
    assert _listed(client) == ["key-2"]
    assert [message.to for message in mailoutbox] == [[learner.email]]  # the new certificate, to its learner only
    assert Certificate.objects.filter(enrolment=withdrawn_elsewhere.enrolment, revoked_at__isnull=True).count() == 0


def test_a_lost_reissue_task_is_finished_by_the_beat_job(issue, learner, django_capture_on_commit_callbacks):
    leaked = issue(learner)
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost the task
        call_command("revoke_signing_key", "key-1", stdout=io.StringIO())
    assert Certificate.objects.get(pk=leaked.pk).revoked_at is None
    assert services.keys_to_reissue() == [1]

    with django_capture_on_commit_callbacks(execute=True):
        tasks.issue_missing_certificates()

    assert Certificate.objects.get(pk=leaked.pk).revoked_at is not None
    assert Certificate.objects.get(enrolment=leaked.enrolment, revoked_at__isnull=True).signed_with == "key-2"
    assert services.keys_to_reissue() == []


def test_revoking_an_unknown_key_is_refused(issue, learner):
    issue(learner)
    with pytest.raises(CommandError, match="No signing key"):
        call_command("revoke_signing_key", "key-7", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No signing key"):
        call_command("revoke_signing_key", "../key-1", stdout=io.StringIO())


def test_the_environment_key_is_key_1_and_rotation_there_waits_for_the_new_seed(
    settings, issue, learner, other_learner
):
    settings.KYKY_SIGNING_KEY = first = _seed()
    before = issue(learner)
    assert before.signed_with == "key-1"
    assert IssuerKey.objects.get(number=1).seed == ""  # the private key stays in the environment

    out = io.StringIO()
    call_command("rotate_signing_key", stdout=out)
    line = next(line.strip() for line in out.getvalue().splitlines() if line.strip().startswith("key-2:"))
    assert IssuerKey.objects.get(number=2).seed == ""
    assert keys.current_key().key_id == "key-1"  # until the operator adds the new seed and restarts

    settings.KYKY_SIGNING_KEY = ""
    settings.KYKY_SIGNING_KEYS = f"key-1:{first} {line}"
    after = issue(other_learner)

    assert after.signed_with == "key-2"
    assert credentials.credential_verify(before.credential)["valid"] is True
    assert credentials.credential_verify(after.credential)["valid"] is True


def test_revoking_the_only_environment_key_is_refused_until_a_new_one_is_configured(settings, issue, learner):
    settings.KYKY_SIGNING_KEY = _seed()
    certificate = issue(learner)
    with pytest.raises(CommandError, match="KYKY_SIGNING_KEYS"):
        call_command("revoke_signing_key", "key-1", stdout=io.StringIO())
    assert IssuerKey.objects.get(number=1).revoked_at is None
    assert not IssuerKey.objects.filter(number=2).exists()  # nothing half done
    assert credentials.credential_verify(Certificate.objects.get(pk=certificate.pk).credential)["valid"] is True


def test_a_malformed_key_list_is_a_configuration_error(settings):
    settings.KYKY_SIGNING_KEYS = "first:abc"
    with pytest.raises(Exception, match="key-<n>:<seed>"):
        keys.current_key()


def test_credentials_signed_before_the_migration_are_recorded_as_key_1(issue, learner):
    certificate = issue(learner)
    Certificate.objects.filter(pk=certificate.pk).update(signed_with="")
    migration = importlib.import_module("lms.certificates.migrations.0007_signing_key_rotation")

    migration.forwards(apps, None)

    assert Certificate.objects.get(pk=certificate.pk).signed_with == "key-1"
    assert _listed_keys() == ["key-1"]


def test_the_key_the_migration_numbers_is_the_one_that_signed(issue, learner):
    """The one key there was (row 1) becomes key-1 with the public key its seed gives."""
    issue(learner)
    row = IssuerKey.objects.get(number=1)
    migration = importlib.import_module("lms.certificates.migrations.0007_signing_key_rotation")
    assert migration._public_multibase(row.seed) == row.public_key == keys.current_key().public_multibase


def _did_url() -> str:
    """Where did:web says the DID document is: https://<host>[/path]/.well-known/did.json (did:web §3.2.1)."""
    host, *path = keys.issuer_did().removeprefix("did:web:").split(":")
    return "https://" + "/".join([unquote(host), *path]) + ("/" if path else "/.well-known/") + "did.json"


def run_verifier_core(credential, *, clock_slow_minutes: int = 0, status_list=None) -> dict:
    result = subprocess.run(
        ["node", str(VERIFIER_CORE)],
        input=json.dumps(
            {
                "credential": credential,
                "did": keys.did_document(),
                "didUrl": _did_url(),
                "statusList": status_list or credentials.status_list_credential(),
                "schema": json.loads(SCHEMA.read_text()) if SCHEMA.exists() else None,
                "clockSlowMinutes": clock_slow_minutes,
            }
        ),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _accepted_by_verifier_core(credential) -> bool:
    result = run_verifier_core(credential)
    assert _did_url() in result["requested"]  # it did resolve our did:web, from what we handed it
    return (result["signature"], result["expired"], result["revoked"], result["errors"]) == (True, False, False, [])


@needs_node
def test_independent_verifiers_accept_a_credential_signed_before_a_rotation(issue, learner, other_learner):
    before = issue(learner)
    call_command("rotate_signing_key", stdout=io.StringIO())
    after = issue(other_learner)

    for credential in (before.credential, after.credential):
        assert run_verifier(credential) == {"verified": True, "revoked": False, "error": None}
        assert _accepted_by_verifier_core(credential)
    if SCHEMA.exists():
        assert run_verifier_core(before.credential)["schema"] is True


@needs_node
def test_independent_verifiers_refuse_a_revoked_key_and_accept_the_reissue(
    issue, learner, django_capture_on_commit_callbacks
):
    leaked = issue(learner)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("revoke_signing_key", "key-1", stdout=io.StringIO())
    reissued = Certificate.objects.get(enrolment=leaked.enrolment, revoked_at__isnull=True)

    assert run_verifier(leaked.credential)["verified"] is False
    refused = run_verifier_core(leaked.credential)
    assert refused["signature"] is False
    assert refused["errors"]
    assert run_verifier(reissued.credential) == {"verified": True, "revoked": False, "error": None}
    assert _accepted_by_verifier_core(reissued.credential)


@needs_node
def test_verifier_core_sees_a_revoked_certificate_and_a_tampered_one(issue, learner):
    certificate = issue(learner)
    tampered = {**certificate.credential, "name": "Väärennetty"}
    assert run_verifier_core(tampered)["signature"] is False
    services.certificate_revoke(certificate=certificate, reason="Virhe")
    assert run_verifier_core(certificate.credential)["revoked"] is True


@needs_node
def test_verifier_core_with_a_slow_clock_accepts_a_status_list_signed_a_moment_ago(issue, learner, other_learner):
    certificate = issue(learner)
    # Issued an hour ago (a credential's own validFrom is its issue time, which a slow clock must not precede) ...
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=timezone.now() - datetime.timedelta(hours=1), credential=None
    )
    certificate.refresh_from_db()
    credentials.credential_sign(certificate)
    # ... and the list changed just now.
    services.certificate_revoke(certificate=issue(other_learner), reason="Virhe")

    assert _accepted_by_verifier_core_slow(certificate.credential, minutes=4)
    # What the list said before (validFrom: the moment it was signed) fails on the same clock.
    unsigned = {**credentials.status_list_credential(), "validFrom": credentials._timestamp(timezone.now())}
    unsigned.pop("proof")
    signer = keys.current_key()
    signed_now = integrity.sign(
        unsigned, key=signer.private, verification_method=signer.method, created=unsigned["validFrom"]
    )
    result = run_verifier_core(certificate.credential, clock_slow_minutes=4, status_list=signed_now)
    assert (result["revoked"], result["statusError"]) == (None, "status_list_not_yet_valid")


def _accepted_by_verifier_core_slow(credential, *, minutes: int) -> bool:
    result = run_verifier_core(credential, clock_slow_minutes=minutes)
    return (result["signature"], result["revoked"], result["errors"]) == (True, False, [])
