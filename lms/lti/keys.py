"""Kyky's LTI key pair: generated once, kept in the database, published as a JWK set.

The ``kid`` is the key's RFC 7638 thumbprint, which is also what ``pylti1p3`` puts in the header
of what it signs with the key, so the two always agree.
"""

from jwcrypto.jwk import JWK

from .models import ToolKey


def key_create() -> ToolKey:
    """A new RSA-2048 key; the newest signs from now on (the older ones stay published until retired)."""
    key = JWK.generate(kty="RSA", size=2048)
    public = key.export_public(as_dict=True)
    public.update({"kid": key.thumbprint(), "alg": "RS256", "use": "sig"})
    return ToolKey.objects.create(
        kid=public["kid"], private_key=key.export_to_pem(private_key=True, password=None).decode(), public_jwk=public
    )


def signing_key() -> ToolKey:
    """The newest key that is not retired, made on first use."""
    key = ToolKey.objects.filter(retired_at__isnull=True).first()
    return key if key is not None else key_create()


def public_pem(key: ToolKey) -> str:
    return JWK(**key.public_jwk).export_to_pem().decode()


def jwks() -> dict:
    keys = list(ToolKey.objects.filter(retired_at__isnull=True))
    if not keys:
        keys = [signing_key()]
    return {"keys": [key.public_jwk for key in keys]}
