from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    # The holder's account was erased: the certificate keeps no personal data and is no longer valid.
    WITHDRAWN = "withdrawn", _("Withdrawn")
