import pytest

from lms.organisations.enums import OrganisationKind
from lms.organisations.models import Organisation
from lms.sso.models import IdentityProvider

from .idp import TestIdP


@pytest.fixture
def university(db):
    return Organisation.objects.create(
        name="Tampereen ammattikorkeakoulu", kind=OrganisationKind.UAS, home_organisation="tuni.fi"
    )


@pytest.fixture
def sp_metadata(client) -> str:
    """Kyky's SP metadata, as the federation (and so the IdP) gets it: from Kyky's published URL."""
    response = client.get("/saml2/metadata/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def idp(tmp_path, sp_metadata) -> TestIdP:
    return TestIdP(tmp_path / "idp", sp_metadata)


@pytest.fixture
def provider(idp, university) -> IdentityProvider:
    return IdentityProvider.objects.create(
        organisation=university,
        entity_id=idp.entity_id,
        metadata_xml=idp.metadata,
        button_label="Tampereen korkeakoulut",
    )
