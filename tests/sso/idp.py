"""A real SAML 2.0 identity provider in the test process: pysaml2's ``Server`` with a key of its own.

It reads Kyky's published SP metadata (fetched from Kyky's URL with the test client), answers Kyky's
AuthnRequest (checking its signature like a HAKA IdP would) and signs the assertion it returns.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import time
from dataclasses import dataclass
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml, time_util
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary

from lms.sso.keys import self_signed_pair

ATTRIBUTE_MAPS = None  # pysaml2's built-in maps (saml_uri: the OIDs HAKA uses)
PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@contextlib.contextmanager
def _clock_turned_back(seconds: int):
    """pysaml2's clock (``saml2.time_util``: ``time.gmtime`` and ``datetime.now``), ``seconds`` behind."""
    if not seconds:
        yield
        return

    class Clock:
        def __getattr__(self, name):
            return getattr(time, name)

        def gmtime(self, secs=None):
            return time.gmtime(time.time() - seconds if secs is None else secs)

    class Datetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.now(tz) - datetime.timedelta(seconds=seconds)

    with mock.patch.object(time_util, "time", Clock()), mock.patch.object(time_util, "datetime", Datetime):
        yield


@dataclass
class AuthnRequest:
    id: str
    acs_url: str
    sp_entity_id: str
    relay_state: str


class TestIdP:
    """One identity provider: ``metadata`` to paste into Kyky, ``answer`` to log someone in."""

    __test__ = False  # not a test class

    def __init__(self, directory: Path, sp_metadata: str, entity_id: str = "https://idp.tuni.fi/idp/shibboleth"):
        self.entity_id = entity_id
        key_pem, cert_pem = self_signed_pair("Test IdP")
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "idp-key.pem").write_bytes(key_pem)
        (directory / "idp-cert.pem").write_bytes(cert_pem)
        config = IdPConfig()
        config.load(
            {
                "entityid": entity_id,
                "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
                "key_file": str(directory / "idp-key.pem"),
                "cert_file": str(directory / "idp-cert.pem"),
                "metadata": {"inline": [sp_metadata]},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{entity_id}/SSO/Redirect", BINDING_HTTP_REDIRECT),
                                (f"{entity_id}/SSO/POST", BINDING_HTTP_POST),
                            ]
                        },
                        "name_id_format": [saml.NAMEID_FORMAT_PERSISTENT, saml.NAMEID_FORMAT_TRANSIENT],
                        "want_authn_requests_signed": True,
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "attribute_restrictions": None,
                                "name_form": saml.NAME_FORMAT_URI,
                                "sign_assertion": True,
                            }
                        },
                    }
                },
            }
        )
        self.config = config
        self.server = Server(config=config)
        self.metadata = str(entity_descriptor(config))

    def read_request(self, location: str) -> AuthnRequest:
        """Kyky's AuthnRequest from the redirect ``location``; its signature is checked against Kyky's metadata."""
        parts = urlsplit(location)
        assert location.startswith(f"{self.entity_id}/SSO/Redirect"), location
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        assert "Signature" in query, "Kyky's AuthnRequest must be signed"
        # want_authn_requests_signed: pysaml2 checks the redirect binding's signature against Kyky's metadata
        request = self.server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query["SigAlg"],
            signature=query["Signature"],
        )
        sp_entity_id = request.message.issuer.text
        return AuthnRequest(
            id=request.message.id,
            acs_url=request.message.assertion_consumer_service_url,
            sp_entity_id=sp_entity_id,
            relay_state=query.get("RelayState", ""),
        )

    def answer(
        self,
        request: AuthnRequest,
        attributes: dict,
        *,
        subject: str = "persistent-0001",
        subject_format: str = saml.NAMEID_FORMAT_PERSISTENT,
        audience: str | None = None,
        sign_assertion: bool = True,
        sign_response: bool = False,
        encrypt_to: str | None = None,
        issued_minutes_ago: int = 0,
    ) -> str:
        """A base64 SAMLResponse for ``request`` asserting ``attributes`` (lists of values).

        The assertion is valid for five minutes from when it is issued; ``issued_minutes_ago`` turns
        the IdP's clock back, so that an assertion issued an hour ago has expired (IssueInstant,
        NotBefore and every NotOnOrAfter are as a real IdP would have written them then).
        """
        with _clock_turned_back(issued_minutes_ago * 60):
            return self._answer(
                request,
                attributes,
                subject=subject,
                subject_format=subject_format,
                audience=audience,
                sign_assertion=sign_assertion,
                sign_response=sign_response,
                encrypt_to=encrypt_to,
            )

    def _answer(
        self, request, attributes, *, subject, subject_format, audience, sign_assertion, sign_response, encrypt_to
    ):
        kwargs = {}
        if encrypt_to:
            kwargs = {
                "encrypt_assertion": True,
                "encrypt_cert_assertion": encrypt_to,
                "encrypted_advice_attributes": False,
            }
        response = self.server.create_authn_response(
            identity=attributes,
            in_response_to=request.id,
            destination=request.acs_url,
            sp_entity_id=audience or request.sp_entity_id,
            name_id=NameID(format=subject_format, text=subject),
            authn={"class_ref": PASSWORD, "authn_auth": self.entity_id},
            sign_assertion=sign_assertion,
            sign_response=sign_response,
            **kwargs,
        )
        return base64.b64encode(str(response).encode()).decode()
