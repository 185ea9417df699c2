"""Open Badges 3.0 credentials: built from a certificate's frozen facts, signed, and checked.

Revocation is published as a W3C Bitstring Status List: every certificate owns one randomly chosen
bit of a 131,072-bit list (random, so positions say nothing about issue order), and the signed
list credential at ``status_list_url()`` has the bits of revoked and withdrawn certificates set.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import secrets

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms import links

from . import integrity, keys
from .models import Certificate

V2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
STATUS_LIST_BITS = 131_072  # the minimum size the specification asks for, for herd privacy


def _base() -> str:
    return links.base_url()


def status_list_url() -> str:
    return f"{_base()}/credentials/status/revocation"


def _timestamp(moment) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def status_index_assign(certificate: Certificate) -> int:
    """Give the certificate a free random bit of the status list (retrying on the rare clash)."""
    for _attempt in range(20):
        index = secrets.randbelow(STATUS_LIST_BITS)
        try:
            with transaction.atomic():
                Certificate.objects.filter(pk=certificate.pk, status_index__isnull=True).update(status_index=index)
        except IntegrityError:
            continue
        certificate.refresh_from_db(fields=["status_index"])
        return certificate.status_index
    raise RuntimeError("the status list is full")


def credential_build(certificate: Certificate) -> dict:
    """The unsigned Open Badges 3.0 credential of a certificate's frozen facts.

    A part's credential is an achievement of its own (``.../achievements/<training>/parts/<part>``)
    named "training: part", with the part's credits, and its grade as a ``Result`` against the
    achievement's ``ResultDescription``: on the 0-5 scale a ``LetterGrade`` with the values 1-5 (a
    certificate is only issued for a pass, so never 0), for pass/fail a ``Status`` of ``Completed``
    (OB 3.0 §B.1.12, B.1.14, ResultType). The description's name is in the certificate's language.
    """
    facts = certificate.facts
    url = f"{_base()}/verify/{certificate.display_code}/"
    outcomes = "\n".join(f"- {outcome}" for outcome in facts.get("learning_outcomes", []))
    name = f"{facts['training']}: {facts['part']}" if facts.get("part") else facts["training"]
    achievement_id = f"{_base()}/achievements/{facts['training_key']}"
    if facts.get("part_key"):
        achievement_id += f"/parts/{facts['part_key']}"
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "name": name,
        "description": name,
        "criteria": {"narrative": outcomes or name},
        "achievementType": "Course",
        "inLanguage": certificate.language,
    }
    if facts.get("ects_credits") not in (None, "0"):
        achievement["creditsAvailable"] = float(facts["ects_credits"])
    results = []
    if facts.get("grade"):
        scale = facts.get("grading") == "scale_0_5" and facts["grade"] != "pass"
        with translation.override(certificate.language):  # the credential is in the certificate's language
            description_name = _("Grade (scale 1–5)") if scale else _("Pass/fail")
        description = {
            "id": f"{achievement_id}#grade",
            "type": ["ResultDescription"],
            "name": description_name,
            "resultType": "LetterGrade" if scale else "Status",
        }
        if scale:
            description["allowedValue"] = ["1", "2", "3", "4", "5"]
        achievement["resultDescription"] = [description]
        result = {"type": ["Result"], "resultDescription": description["id"]}
        result.update({"value": facts["grade"]} if scale else {"status": "Completed"})
        results.append(result)
    credential = {
        "@context": [V2, OB3],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": keys.issuer_did(), "type": ["Profile"], "name": facts["issuer"], "url": _base()},
        "validFrom": _timestamp(certificate.issued_at),
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityHash": facts["name"], "identityType": "name", "hashed": False}
            ],
            "achievement": achievement,
            "activityEndDate": f"{facts['completed_on']}T00:00:00Z",
            **({"result": results} if results else {}),
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{certificate.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_index),
            "statusListCredential": status_list_url(),
        },
    }
    if certificate.expires_at:
        credential["validUntil"] = _timestamp(certificate.expires_at)
    return credential


def credential_sign(certificate: Certificate) -> dict:
    """Freeze and sign the certificate's credential once; later calls return the stored one."""
    if certificate.credential:
        return certificate.credential
    if certificate.status_index is None:
        status_index_assign(certificate)
    signer = keys.current_key()
    signed = integrity.sign(
        credential_build(certificate),
        key=signer.private,
        verification_method=signer.method,
        created=_timestamp(certificate.issued_at),
        as_set=True,
    )
    Certificate.objects.filter(pk=certificate.pk, credential__isnull=True).update(
        credential=signed, signed_with=signer.key_id
    )
    certificate.refresh_from_db(fields=["credential", "signed_with"])
    return certificate.credential


def _not_in_force():
    """Revoked, or withdrawn when the holder's account was erased: either way no longer valid."""
    return Certificate.objects.filter(Q(revoked_at__isnull=False) | Q(withdrawn_at__isnull=False))


def _revoked_indexes() -> list[int]:
    return list(_not_in_force().filter(status_index__isnull=False).values_list("status_index", flat=True))


def encoded_list(indexes) -> str:
    bits = bytearray(STATUS_LIST_BITS // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)  # bit 0 is the left-most bit of the first byte
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")


def decoded_bit(encoded: str, index: int) -> bool:
    data = encoded[1:] if encoded.startswith("u") else encoded
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


CLOCK_SKEW = datetime.timedelta(minutes=5)


def status_list_credential() -> dict:
    """The signed revocation list; re-signed only when a revocation changed it (or the signing key did).

    Its ``validFrom`` is when its content became true (the latest revocation or withdrawal; with none,
    the first certificate's issue), moved back by ``CLOCK_SKEW``: a verifier whose clock is a few
    minutes slow would otherwise call a list signed a moment ago "not yet valid" (DCC's verifier-core
    does) and fail every credential until its clock caught up. Claiming a few minutes too early is
    harmless here: a revocation's own time is ``revoked_at``, and the list only ever sets bits. As the
    time depends on the content only, signing the same content again gives the same document.
    """
    state = Certificate.objects.aggregate(
        n=Count("pk", filter=Q(revoked_at__isnull=False) | Q(withdrawn_at__isnull=False)),
        revoked=Max("revoked_at"),
        withdrawn=Max("withdrawn_at"),
        first=Min("issued_at"),
    )
    signer = keys.current_key()
    version = f"{signer.method}|{signer.public_multibase}|{state['n']}|{state['revoked']}|{state['withdrawn']}"
    cache_key = "status-list:" + hashlib.sha256(version.encode()).hexdigest()
    cached = cache.get(cache_key)
    if cached:
        return cached
    changed = max((t for t in (state["revoked"], state["withdrawn"]) if t), default=None)
    valid_from = _timestamp((changed or state["first"] or timezone.now()) - CLOCK_SKEW)
    url = status_list_url()
    credential = {
        "@context": [V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys.issuer_did(),
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(_revoked_indexes()),
        },
    }
    signed = integrity.sign(credential, key=signer.private, verification_method=signer.method, created=valid_from)
    cache.set(cache_key, signed, timeout=3600)
    return signed


def _proof_method(document: dict):
    proof = document.get("proof")
    proof = proof[0] if isinstance(proof, list) and proof else proof
    return proof.get("verificationMethod") if isinstance(proof, dict) else None


def credential_verify(document) -> dict:
    """Say whether an uploaded credential's signature, issuer, status and validity hold."""
    checks: dict[str, dict] = {}
    if not isinstance(document, dict):
        return {"valid": False, "checks": {"format": {"ok": False, "message": "not a JSON object"}}}
    try:
        integrity.verify(document, resolve_key=keys.resolve)
        checks["signature"] = {"ok": True}
    except integrity.ProofError as error:
        checks["signature"] = {"ok": False, "message": str(error)}
        if keys.is_revoked(_proof_method(document)):
            checks["signature"]["message"] = "signed with a key this platform has revoked; ask for the reissued one"
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    checks["issuer"] = (
        {"ok": True, "id": issuer_id}
        if issuer_id == keys.issuer_did()
        else {"ok": False, "message": "not issued by this platform"}
    )
    status = document.get("credentialStatus") if isinstance(document.get("credentialStatus"), dict) else {}
    try:
        index = int(status.get("statusListIndex"))
        if status.get("statusListCredential") != status_list_url() or not 0 <= index < STATUS_LIST_BITS:
            raise ValueError
        revoked = decoded_bit(status_list_credential()["credentialSubject"]["encodedList"], index)
        checks["status"] = {"ok": not revoked, "message": "revoked" if revoked else "not revoked"}
    except (TypeError, ValueError):
        checks["status"] = {"ok": False, "message": "no status entry of this platform's list"}
    valid_until = document.get("validUntil")
    if isinstance(valid_until, str) and valid_until < _timestamp(timezone.now()):
        checks["validity"] = {"ok": False, "message": "expired"}
    else:
        checks["validity"] = {"ok": True}
    return {"valid": all(check["ok"] for check in checks.values()), "checks": checks}
