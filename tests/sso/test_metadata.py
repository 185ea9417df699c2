"""Kyky's service provider metadata, as the federation registers it."""

import pytest
from saml2 import BINDING_HTTP_POST
from saml2.attribute_converter import ac_factory
from saml2.mdstore import InMemoryMetaData

from lms.sso import keys
from lms.sso.keys import sp_certificate_pem

pytestmark = pytest.mark.django_db

ENTITY_ID = "http://testserver/saml2/metadata/"


def test_metadata_names_kyky_its_acs_its_keys_and_the_attributes_it_asks_for(client):
    response = client.get("/saml2/metadata/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    metadata = InMemoryMetaData(ac_factory(), metadata=response.content.decode())
    metadata.load()
    sp = metadata[ENTITY_ID]["spsso_descriptor"][0]
    assert sp["authn_requests_signed"] == "true"
    assert sp["want_assertions_signed"] == "true"
    acs = sp["assertion_consumer_service"][0]
    assert (acs["binding"], acs["location"]) == (BINDING_HTTP_POST, "http://testserver/saml2/acs/")
    certificate = "".join(sp_certificate_pem().splitlines()[1:-1])
    for use in ("signing", "encryption"):
        assert ["".join(cert.split()) for _name, cert in metadata.certs(ENTITY_ID, "spsso", use)] == [certificate]
    requested = {
        (attribute["friendly_name"], attribute.get("is_required"))
        for attribute in sp["attribute_consuming_service"][0]["requested_attribute"]
    }
    assert requested == {
        ("eduPersonPrincipalName", "true"),
        ("mail", "true"),
        ("schacHomeOrganization", "true"),
        ("displayName", "false"),
        ("givenName", "false"),
        ("sn", "false"),
        ("schacPersonalUniqueCode", "false"),
    }


def test_the_key_is_never_published(client):
    assert b"PRIVATE KEY" not in client.get("/saml2/metadata/").content


def test_without_a_key_the_saml_urls_say_they_are_not_available(client, settings):
    keys.sp_key_files.cache_clear()
    settings.SAML_SP_SELF_SIGNED = False
    try:
        for response in (client.get("/saml2/metadata/"), client.post("/saml2/acs/", {"SAMLResponse": "x"})):
            assert response.status_code == 503
            assert "sso/login_error.html" in [t.name for t in response.templates]
    finally:
        keys.sp_key_files.cache_clear()
