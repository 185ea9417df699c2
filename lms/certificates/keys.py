"""The platform's signing keys and their public face, a ``did:web`` document.

Keys are numbered (``key-1``, ``key-2``, ...); an ``IssuerKey`` row holds each one's public key and
life: *retired* (it no longer signs) and *revoked* (it leaked: it no longer verifies). The newest
key that is neither and whose private key is at hand signs. ``did.json`` lists every key that is
not revoked and signed a certificate still in force, and the signing key, so rotating the key
leaves every issued credential verifying (decisions §28).

Where the private keys live: production sets them in the environment with the other secrets,
``KYKY_SIGNING_KEYS`` (``key-1:<seed> key-2:<seed>``, each the Ed25519 private key's 32-byte seed,
base64url) or, for the first key alone, ``KYKY_SIGNING_KEY`` (it is ``key-1``); the rows then hold
only the public keys. Without either, each key's seed is kept in its row, which is right for
development and tests. The DID is derived from ``BASE_URL``: the public keys are published at
``/.well-known/did.json``, where ``did:web`` resolvers look for them.
"""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from .integrity import public_key_from_multibase, public_key_multibase
from .models import Certificate, IssuerKey

logger = logging.getLogger(__name__)
KEY_ID = re.compile(r"^key-([1-9][0-9]{0,5})$")


def _seed_bytes(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _seed_text(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@lru_cache(maxsize=16)
def _key_from_seed(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_seed_bytes(seed))


def key_number(key_id: str) -> int | None:
    """3 for ``key-3`` (or a verification method ending in ``#key-3``); None for anything else."""
    match = KEY_ID.match(str(key_id).rpartition("#")[2])
    return int(match.group(1)) if match else None


def configured_seeds() -> dict[int, str]:
    """The private keys the environment holds, by number; empty when the database holds them."""
    seeds = {}
    for item in (getattr(settings, "KYKY_SIGNING_KEYS", "") or "").replace(",", " ").split():
        key_id, _colon, seed = item.partition(":")
        number = key_number(key_id)
        if number is None or not seed:
            raise ImproperlyConfigured("KYKY_SIGNING_KEYS is a list of key-<n>:<seed> separated by spaces")
        seeds[number] = seed
    single = getattr(settings, "KYKY_SIGNING_KEY", "") or ""
    if single:
        if seeds.get(1, single) != single:
            raise ImproperlyConfigured("KYKY_SIGNING_KEY and key-1 of KYKY_SIGNING_KEYS differ")
        seeds[1] = single
    return seeds


@dataclass(frozen=True)
class Key:
    number: int
    public_multibase: str
    private: Ed25519PrivateKey | None

    @property
    def key_id(self) -> str:
        return f"key-{self.number}"

    @property
    def method(self) -> str:
        return f"{issuer_did()}#{self.key_id}"


def _synced_rows() -> list[IssuerKey]:
    """Every key's row, oldest first, with a row made for each key the environment names."""
    seeds = configured_seeds()
    rows = {row.number: row for row in IssuerKey.objects.all()}
    for number, seed in seeds.items():
        public = public_key_multibase(_key_from_seed(seed).public_key())
        row = rows.get(number)
        if row is None:
            row, _created = IssuerKey.objects.get_or_create(number=number, defaults={"public_key": public})
        if row.public_key != public or row.seed:
            # The environment is authoritative for the keys it holds (as KYKY_SIGNING_KEY always was).
            if row.public_key != public:
                logger.warning("Signing key key-%s in the environment differs from the one recorded: using it", number)
            IssuerKey.objects.filter(pk=row.pk).update(public_key=public, seed="")
            row.public_key, row.seed = public, ""
        rows[number] = row
    return [rows[number] for number in sorted(rows)]


def _key(row: IssuerKey, seeds: dict[int, str]) -> Key:
    seed = seeds.get(row.number) or row.seed
    return Key(row.number, row.public_key, _key_from_seed(seed) if seed else None)


def keys() -> list[Key]:
    """Every key that is not revoked, oldest first."""
    seeds = configured_seeds()
    return [_key(row, seeds) for row in _synced_rows() if row.revoked_at is None]


def current_key() -> Key:
    """The key that signs now: the newest one neither retired nor revoked whose private key is at hand."""
    seeds = configured_seeds()
    usable = [
        _key(row, seeds)
        for row in _synced_rows()
        if row.retired_at is None and row.revoked_at is None and (row.seed or row.number in seeds)
    ]
    if usable:
        return usable[-1]
    if seeds:
        raise ImproperlyConfigured(
            "No signing key: every key in KYKY_SIGNING_KEYS is retired or revoked; add the one rotate_signing_key made"
        )
    return _key(key_create(), seeds)


def key_create() -> IssuerKey:
    """A new key, numbered after every earlier one; its seed is kept in its row unless the environment holds keys.

    With keys in the environment the new seed is returned on the row (``row.new_seed``) but not stored:
    the operator adds it to ``KYKY_SIGNING_KEYS``, and until then the older key keeps signing.
    """
    private = Ed25519PrivateKey.generate()
    public = public_key_multibase(private.public_key())
    in_environment = bool(configured_seeds())
    for _attempt in range(5):
        number = (IssuerKey.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                row = IssuerKey.objects.create(
                    number=number, public_key=public, seed="" if in_environment else _seed_text(private)
                )
        except IntegrityError:  # another process made this number a moment ago
            continue
        row.new_seed = _seed_text(private)
        return row
    raise RuntimeError("could not number a new signing key")


def issuer_did() -> str:
    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    host = parts.hostname or "localhost"
    if parts.port:
        host += quote(f":{parts.port}")
    path = ":".join(p for p in parts.path.split("/") if p)
    return f"did:web:{host}" + (f":{path}" if path else "")


def signing_key() -> Ed25519PrivateKey:
    return current_key().private


def verification_method() -> str:
    """The verification method that signs now (``did:web:<host>#key-<n>``)."""
    return current_key().method


def listed_keys() -> list[Key]:
    """What ``did.json`` lists: every key not revoked that signed a certificate in force, and the signing key."""
    current = current_key()
    in_use = set(
        Certificate.objects.filter(revoked_at__isnull=True, withdrawn_at__isnull=True)
        .exclude(signed_with="")
        .values_list("signed_with", flat=True)
        .distinct()
    )
    return [key for key in keys() if key.key_id in in_use or key.number == current.number]


def did_document() -> dict:
    listed = listed_keys()
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer_did(),
        "verificationMethod": [
            {
                "id": key.method,
                "type": "Multikey",
                "controller": issuer_did(),
                "publicKeyMultibase": key.public_multibase,
            }
            for key in listed
        ],
        "assertionMethod": [key.method for key in listed],
    }


def resolve(method) -> Ed25519PublicKey | None:
    """The public key of one of our listed verification methods, or None (anyone else's, or revoked)."""
    if not isinstance(method, str) or not method.startswith(f"{issuer_did()}#"):
        return None
    number = key_number(method)
    for key in listed_keys():
        if key.number == number:
            return public_key_from_multibase(key.public_multibase)
    return None


def is_revoked(method) -> bool:
    number = key_number(method) if isinstance(method, str) and method.startswith(f"{issuer_did()}#") else None
    return number is not None and IssuerKey.objects.filter(number=number, revoked_at__isnull=False).exists()


def key_rotate() -> IssuerKey:
    """Make a new signing key; when it can sign at once (its seed in the database), retire the older ones."""
    with transaction.atomic():
        row = key_create()
        if row.seed:
            IssuerKey.objects.filter(number__lt=row.number, retired_at__isnull=True).update(retired_at=timezone.now())
    return row


def key_revoke(*, number: int) -> IssuerKey:
    """Stop trusting a leaked key: it leaves ``did.json`` and signs nothing more.

    When it was the signing key, a new one is made first (refused when the environment holds the keys
    and no other can sign: rotate, add the new seed, restart, then revoke).
    """
    with transaction.atomic():
        row = IssuerKey.objects.select_for_update().get(number=number)
        if row.revoked_at is None:
            if current_key().number == number:
                replacement = key_rotate()
                if not replacement.seed:
                    raise ImproperlyConfigured(
                        f"key-{number} signs now: add key-{replacement.number}:<seed> to KYKY_SIGNING_KEYS "
                        "and restart before revoking it"
                    )
            now = timezone.now()
            IssuerKey.objects.filter(pk=row.pk).update(revoked_at=now, retired_at=row.retired_at or now)
        row.refresh_from_db()
    return row


def in_force_signed_by(number: int):
    """The certificates in force whose credential this key signed."""
    return Certificate.objects.filter(
        Q(revoked_at__isnull=True) & Q(withdrawn_at__isnull=True), signed_with=f"key-{number}"
    )
