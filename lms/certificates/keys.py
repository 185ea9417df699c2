"""The platform's signing key and its public face, a ``did:web`` document.

Production sets ``KYKY_SIGNING_KEY`` (the Ed25519 private key's 32-byte seed, base64url) so the key
lives with the other secrets; without it, a key is generated once and kept in the database, which
is right for development and tests. The DID is derived from ``BASE_URL``: the public key is
published at ``/.well-known/did.json``, where ``did:web`` resolvers look for it.
"""

import base64
from functools import lru_cache
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings

from .integrity import public_key_from_multibase, public_key_multibase


def _seed_bytes(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=4)
def _key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key() -> Ed25519PrivateKey:
    configured = getattr(settings, "KYKY_SIGNING_KEY", "")
    if configured:
        return _key_from_seed(_seed_bytes(configured))
    from .models import IssuerKey

    row = IssuerKey.objects.order_by("pk").first()
    if row is None:
        seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        row, _created = IssuerKey.objects.get_or_create(
            pk=1, defaults={"seed": base64.urlsafe_b64encode(seed).decode().rstrip("=")}
        )
    return _key_from_seed(_seed_bytes(row.seed))


def issuer_did() -> str:
    parts = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    host = parts.hostname or "localhost"
    if parts.port:
        host += quote(f":{parts.port}")
    path = ":".join(p for p in parts.path.split("/") if p)
    return f"did:web:{host}" + (f":{path}" if path else "")


def verification_method() -> str:
    return f"{issuer_did()}#key-1"


def did_document() -> dict:
    method = verification_method()
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": issuer_did(),
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": issuer_did(),
                "publicKeyMultibase": public_key_multibase(signing_key().public_key()),
            }
        ],
        "assertionMethod": [method],
    }


def resolve(method: str):
    """The public key for one of our verification methods, or None for anyone else's."""
    if method != verification_method():
        return None
    return public_key_from_multibase(did_document()["verificationMethod"][0]["publicKeyMultibase"])
