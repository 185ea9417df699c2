"""Reading an identity provider's SAML metadata (no database, no network)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from saml2.attribute_converter import ac_factory
from saml2.mdstore import InMemoryMetaData


@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str
    signing_certificates: list[str]


def idp_metadata_read(xml: str, entity_id: str) -> IdpMetadata:
    """The identity provider ``entity_id`` in ``xml``; ValidationError (in the user's language) when it is not usable.

    Usable means: SAML metadata that parses (and, where it says ``validUntil``, has not expired),
    naming ``entity_id`` with an IdPSSODescriptor and at least one certificate for signing, since an
    assertion we cannot verify is one we refuse.
    """
    metadata = InMemoryMetaData(ac_factory(), metadata=xml, check_validity=True)
    try:
        metadata.load()
    except Exception as error:  # pysaml2 raises many kinds (XML, schema, expired): all mean "not usable"
        raise ValidationError(_("This is not SAML metadata that can be read: %(error)s") % {"error": error}) from error
    if entity_id not in metadata:
        raise ValidationError(
            _("The metadata does not describe the entity ID %(entity_id)s.") % {"entity_id": entity_id}
        )
    if not metadata[entity_id].get("idpsso_descriptor"):
        raise ValidationError(
            _("The metadata of %(entity_id)s has no identity provider (IdPSSODescriptor).") % {"entity_id": entity_id}
        )
    certificates = [cert for _name, cert in metadata.certs(entity_id, "idpsso", "signing")]
    if not certificates:
        raise ValidationError(_("The identity provider's metadata has no signing certificate."))
    return IdpMetadata(entity_id=entity_id, signing_certificates=certificates)
