"""Kyky's service provider key and certificate, as the files pysaml2 and xmlsec1 read.

Production gives them in settings (``SAML_SP_KEY_FILE``/``SAML_SP_CERT_FILE``, or PEM text in
``SAML_SP_KEY``/``SAML_SP_CERT``). Development and tests make a self-signed pair under
``SAML_SP_KEY_DIR`` on first use (``SAML_SP_SELF_SIGNED``); that directory is under ``var/``, which
git ignores. The federation trusts the certificate in our metadata, not a CA, so self-signed is
what HAKA expects in production too (a long-lived one, made once by the operator).
"""

import datetime
import functools
import hashlib
import os
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def self_signed_pair(common_name: str, days: int = 3650) -> tuple[bytes, bytes]:
    """A new RSA-3072 key and a self-signed certificate for it, both as PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def _write_pair(directory: Path, key_pem: bytes, cert_pem: bytes) -> tuple[str, str]:
    """``key.pem`` and ``cert.pem`` in ``directory``, written whole or not at all (another process may race us)."""
    if not (directory / "key.pem").exists():
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=directory.parent))
        (staging / "key.pem").write_bytes(key_pem)
        (staging / "cert.pem").write_bytes(cert_pem)
        os.chmod(staging / "key.pem", 0o600)
        try:
            staging.rename(directory)  # atomic; fails if a racing process got there first
        except OSError:
            for name in ("key.pem", "cert.pem"):
                (staging / name).unlink()
            staging.rmdir()
    return str(directory / "key.pem"), str(directory / "cert.pem")


@functools.cache
def sp_key_files() -> tuple[str, str]:
    """The paths of the service provider's private key and certificate."""
    if settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE:
        return settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE
    directory = Path(settings.SAML_SP_KEY_DIR)
    if settings.SAML_SP_KEY and settings.SAML_SP_CERT:
        key_pem, cert_pem = settings.SAML_SP_KEY.encode(), settings.SAML_SP_CERT.encode()
        digest = hashlib.sha256(cert_pem).hexdigest()[:16]  # a new certificate gets a directory of its own
        return _write_pair(directory / f"env-{digest}", key_pem, cert_pem)
    if settings.SAML_SP_SELF_SIGNED:
        target = directory / "self-signed"
        if (target / "key.pem").exists():
            return str(target / "key.pem"), str(target / "cert.pem")
        return _write_pair(target, *self_signed_pair("Kyky SAML service provider"))
    raise ImproperlyConfigured(
        "SAML sign-in needs the service provider's key and certificate: set SAML_SP_KEY_FILE and "
        "SAML_SP_CERT_FILE (or SAML_SP_KEY and SAML_SP_CERT), see docs/sso.md."
    )


def sp_certificate_pem() -> str:
    return Path(sp_key_files()[1]).read_text()
