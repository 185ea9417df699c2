"""pysaml2's service provider configuration, built per request from the ``IdentityProvider`` rows.

djangosaml2 calls ``sp_config`` (``SAML_CONFIG_LOADER``) wherever it needs a configuration. The
identity providers are the enabled rows' metadata, given inline: no metadata is fetched at login.
"""

import logging

from django.conf import settings
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, saml
from saml2.config import SPConfig
from saml2.sigver import get_xmlsec_binary
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from . import keys
from .metadata import idp_metadata_read
from .models import IdentityProvider

logger = logging.getLogger(__name__)

# What we ask identity providers to release (docs/sso.md): HAKA's names, OIDs in the metadata.
REQUIRED_ATTRIBUTES = ["eduPersonPrincipalName", "mail", "schacHomeOrganization"]
OPTIONAL_ATTRIBUTES = ["displayName", "givenName", "sn", "schacPersonalUniqueCode"]


def _url(name: str) -> str:
    return settings.SAML_SP_BASE_URL + reverse(name)


def sp_entity_id() -> str:
    return _url("sso:metadata")


def config_dict(providers) -> dict:
    key_file, cert_file = keys.sp_key_files()
    return {
        "entityid": sp_entity_id(),
        "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
        "key_file": key_file,
        "cert_file": cert_file,
        # The same pair decrypts assertions an identity provider encrypts to the certificate in our metadata.
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        "allow_unknown_attributes": True,
        "metadata": {"inline": [provider.metadata_xml for provider in providers]},
        "service": {
            "sp": {
                "name": "Kyky",
                "name_id_format": [saml.NAMEID_FORMAT_PERSISTENT, saml.NAMEID_FORMAT_TRANSIENT],
                "endpoints": {"assertion_consumer_service": [(_url("sso:acs"), BINDING_HTTP_POST)]},
                "required_attributes": REQUIRED_ATTRIBUTES,
                "optional_attributes": OPTIONAL_ATTRIBUTES,
                "authn_requests_signed": True,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "want_assertions_signed": True,  # an unsigned assertion is refused even in a signed response
                "want_response_signed": False,  # HAKA's Shibboleth IdPs sign the assertion, not the response
                "only_use_keys_in_metadata": True,
                "allow_unsolicited": False,  # InResponseTo must name a request of this browser's SAML session
                "force_authn": False,
                "name_id_format_allow_create": True,
            }
        },
        "accepted_time_diff": 60,  # seconds of clock skew tolerated on NotBefore/NotOnOrAfter
    }


def usable(providers) -> list[IdentityProvider]:
    """The providers whose stored metadata pysaml2 still reads (e.g. not past its validUntil)."""
    usable = []
    for provider in providers:
        try:
            idp_metadata_read(provider.metadata_xml, provider.entity_id)
        except Exception:  # a row that cannot be used must not stop the others' logins
            logger.warning("SAML metadata of %s is no longer usable; skipped", provider.entity_id, exc_info=True)
            continue
        usable.append(provider)
    return usable


def sp_config(request=None, *, providers=None) -> SPConfig:
    """djangosaml2's configuration loader: Kyky as service provider, the enabled identity providers."""
    if providers is None:
        providers = IdentityProvider.objects.filter(enabled=True)
    config = SPConfig()
    config.load(config_dict(usable(providers)))
    return config
