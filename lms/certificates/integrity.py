"""W3C Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite, and ``did:web`` keys.

Why Data Integrity and not VC-JWT: an Open Badges 3.0 credential is a JSON document that wallets
and registrars store and pass around; an embedded proof keeps it that document (a JWT would turn
it into an opaque string), and it is what the open-source verifiers and wallets used with Open
Badges (Digital Credentials Consortium, Digital Bazaar) check. The cost is RDF canonicalisation
(RDFC-1.0, done by PyLD), which needs the JSON-LD contexts: they are kept in ``contexts/`` and
nothing is ever fetched over the network.

Signing follows the cryptosuite's specification: hash the canonical proof options and the
canonical document with SHA-256, concatenate (options first), sign with Ed25519, and encode the
signature as multibase base58btc.
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld

CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"
CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.json",
}
CRYPTOSUITE = "eddsa-rdfc-2022"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB_MULTICODEC = b"\xed\x01"


class ProofError(Exception):
    pass


@cache
def _context(url: str) -> dict:
    return json.loads((CONTEXT_DIR / CONTEXTS[url]).read_text())


def document_loader(url, options=None):
    """Serve the bundled contexts; refuse everything else (no network, no surprises)."""
    if url not in CONTEXTS:
        raise jsonld.JsonLdError(
            f"Context {url} is not known to Kyky.", "jsonld.LoadDocumentError", code="loading document failed"
        )
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def canonicalize(document: dict) -> str:
    return jsonld.normalize(
        document,
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader, "safe": True},
    )


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, remainder = divmod(number, 58)
        out = _ALPHABET[remainder] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def public_key_multibase(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58btc(_ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ProofError("unsupported multibase encoding")
    data = base58btc_decode(value[1:])
    if not data.startswith(_ED25519_PUB_MULTICODEC) or len(data) != 34:
        raise ProofError("not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def _hash_data(document: dict, proof_options: dict) -> bytes:
    options = {"@context": document["@context"], **proof_options}
    return (
        hashlib.sha256(canonicalize(options).encode()).digest()
        + hashlib.sha256(canonicalize(document).encode()).digest()
    )


def sign(
    document: dict, *, key: Ed25519PrivateKey, verification_method: str, created: str, as_set: bool = False
) -> dict:
    """Return ``document`` with a ``DataIntegrityProof`` (eddsa-rdfc-2022) added.

    ``as_set`` writes the proof as a one-element list, the form the Open Badges 3.0 JSON schema asks
    for (a proof is a set in JSON-LD, so both forms mean the same).
    """
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(unsigned, proof))
    signed = {**proof, "proofValue": "z" + base58btc(signature)}
    return {**unsigned, "proof": [signed] if as_set else signed}


def verify(document: dict, *, resolve_key) -> dict:
    """Check the proof of ``document``; ``resolve_key(verification_method)`` returns the public key.

    Returns the proof on success; raises ``ProofError`` saying what failed.
    """
    document = copy.deepcopy(document)
    proof = document.pop("proof", None)
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("the credential has no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("unsupported proof type")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof is not for assertions")
    value = proof.pop("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("the proof value is missing or malformed")
    key = resolve_key(proof.get("verificationMethod"))
    if key is None:
        raise ProofError("the signing key is not the issuer's")
    try:
        hash_data = _hash_data(document, proof)
        key.verify(base58btc_decode(value[1:]), hash_data)
    except InvalidSignature:
        raise ProofError("the signature does not match the credential (changed, or signed by another key)") from None
    except (ValueError, TypeError, KeyError, jsonld.JsonLdError) as error:  # e.g. no "@context"
        raise ProofError(f"the credential cannot be processed: {error!r}") from None
    return proof
