"""The identity providers an organisation's people sign in with, and the assertions already used."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .metadata import idp_metadata_read


class IdentityProvider(models.Model):
    """An organisation's SAML identity provider (its HAKA IdP, or Suomi.fi), with its metadata as pasted.

    The metadata is checked when saved (``clean``) and read from this row at every login: nothing is
    fetched over the network while someone waits to log in, and a changed key is a deliberate edit.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="identity_providers",
        verbose_name=_("organisation"),
    )
    entity_id = models.CharField(
        _("entity ID"), max_length=500, unique=True, help_text=_("E.g. https://idp.tuni.fi/idp/shibboleth")
    )
    metadata_xml = models.TextField(
        _("metadata (XML)"),
        help_text=_("The identity provider's SAML metadata, e.g. its EntityDescriptor from the HAKA metadata."),
    )
    button_label = models.CharField(
        _("name on the login button"), max_length=200, help_text=_("E.g. Tampere universities (HAKA).")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["button_label"]

    def __str__(self):
        return self.button_label

    def save(self, *args, **kwargs):
        """An enabled row never holds metadata that pysaml2 could not use, whoever saves it.

        A disabled one may (metadata past its ``validUntil`` must not stop anyone switching it off).
        """
        if self.enabled:
            idp_metadata_read(self.metadata_xml, self.entity_id)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.entity_id and self.metadata_xml:
            try:
                idp_metadata_read(self.metadata_xml, self.entity_id)
            except ValidationError as error:
                raise ValidationError({"metadata_xml": error.messages}) from error


class UsedAssertion(models.Model):
    """An assertion that logged someone in: the same one is refused if it comes again (a replay).

    pysaml2 already refuses a response to a request we did not send or have answered (the
    outstanding-requests list in the SAML session); this record also stops a response copied into
    another browser's session. Rows are kept until the assertion's ``NotOnOrAfter``, after which
    pysaml2 refuses it anyway.
    """

    assertion_id = models.CharField(max_length=255)
    issuer = models.CharField(max_length=500)
    not_on_or_after = models.DateTimeField()
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "assertion_id"], name="usedassertion_unique")]
        indexes = [models.Index(fields=["not_on_or_after"], name="usedassertion_expiry")]

    def __str__(self):
        return f"{self.assertion_id} @ {self.issuer}"
