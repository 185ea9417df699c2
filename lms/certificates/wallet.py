"""Adding a credential to the learner's wallet app in one step: a VC-API exchange for the Learner Credential Wallet.

The Digital Credentials Consortium's Learner Credential Wallet (LCW) opens links of the form
``https://lcw.app/request?request=<JSON>`` (and scans them as QR codes); the JSON's
``protocols.vcapi`` is an exchange URL. The wallet POSTs ``{}`` there, and when the answer holds no
``verifiablePresentationRequest`` it takes ``verifiablePresentation.verifiableCredential`` and
offers to store it (LCW ``app/lib/exchanges.ts``, ``ExchangeCredentials``). Kyky's exchange is that
one step: the credential is already signed and names the learner, so no DID authentication is
asked for and the wallet's DID is not written into it. The exchange URL holds a signed, expiring
token of the certificate's code: whoever has it gets the credential, like the learner's download
link, so it is shown only to the learner and lasts an hour.

Hand-written rather than a library: the exchange is one POST answered with a fixed JSON shape; the
VC-API server libraries on npm and PyPI bring a workflow service Kyky does not need.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.core import signing

from lms import links

from .models import Certificate

LCW_REQUEST = "https://lcw.app/request"
OFFER_SECONDS = 3600
_SALT = "kyky.certificates.wallet-exchange"


def exchange_token(certificate: Certificate) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(certificate.code)


def exchange_url(certificate: Certificate) -> str:
    return f"{links.base_url()}/credentials/exchange/{exchange_token(certificate)}/"


def lcw_link(certificate: Certificate) -> str:
    """The link (and QR code) that opens the Learner Credential Wallet on this credential's exchange."""
    request = {"credentialRequestOrigin": links.base_url(), "protocols": {"vcapi": exchange_url(certificate)}}
    return f"{LCW_REQUEST}?{urlencode({'request': json.dumps(request, separators=(',', ':'))})}"


def certificate_for(token: str) -> Certificate | None:
    """The certificate in force whose signed credential the token offers, or None (forged, expired, revoked)."""
    try:
        code = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=OFFER_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return Certificate.objects.filter(
        code=code, revoked_at__isnull=True, withdrawn_at__isnull=True, credential__isnull=False
    ).first()


def presentation(certificate: Certificate) -> dict:
    """The exchange's answer: an unsigned presentation carrying the signed credential."""
    return {
        "verifiablePresentation": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [certificate.credential],
        }
    }
