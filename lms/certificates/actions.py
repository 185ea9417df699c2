"""What staff do to certificates, as Wagtail-style actions (see ``wagtail/actions/move_page.py``).

Each action's ``check()`` raises its named permission error (a ``PermissionDenied``: 403 in a
view) when the user may not do it; ``execute()`` checks, then makes the change and its audit-log
entry in one transaction. A certificate that is not in a state for the action (already revoked,
withdrawn) raises ``ActionRefused`` with a message for the user, and nothing is changed or logged.
Views only parse the request, run the action and say how it went.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.actions.base import BaseAction

from lms import audit

from . import services
from .models import Certificate

PERMISSION = "certificates.change_certificate"


class ActionRefused(Exception):
    """The certificate is not in a state for the action; the message says why, for the user."""


class RevokeCertificatePermissionError(PermissionDenied):
    """Raised when the user may not revoke certificates."""


class ReissueCertificatePermissionError(PermissionDenied):
    """Raised when the user may not reissue certificates."""


class RegenerateCertificatesPermissionError(PermissionDenied):
    """Raised when the user may not regenerate certificate PDFs."""


class _CertificateAction(BaseAction):
    permission_policy_action = "change"

    def user_has_permission(self):
        return self.user.has_perm(PERMISSION)

    def _locked(self) -> Certificate:
        """The certificate, locked for the transaction, and still in force."""
        certificate = Certificate.objects.select_for_update().get(pk=self.instance.pk)
        if certificate.withdrawn_at is not None:
            raise ActionRefused(_("The certificate has been withdrawn."))
        if certificate.revoked_at is not None:
            raise ActionRefused(_("The certificate is already revoked."))
        return certificate


class RevokeCertificateAction(_CertificateAction):
    """Revoke a certificate in force, with the reason, which the verification page shows."""

    action_name = "revoke"
    permission_error_class = RevokeCertificatePermissionError

    def __init__(self, certificate: Certificate, *, user=None, reason: str = ""):
        super().__init__(certificate, user=user)
        self.reason = reason.strip()

    def execute(self, skip_permission_checks=False) -> Certificate:
        self.check(skip_permission_checks=skip_permission_checks)
        if not self.reason:
            raise ActionRefused(_("Say why the certificate is revoked."))
        with transaction.atomic():
            certificate = services.certificate_revoke(certificate=self._locked(), reason=self.reason)
            audit.log(
                instance=certificate,
                action=audit.CERTIFICATE_REVOKE,
                user=self.user,
                data={"reason": certificate.revocation_reason},
            )
        return certificate


class ReissueCertificateAction(_CertificateAction):
    """Revoke a certificate in force and issue its replacement, frozen now (e.g. a corrected name)."""

    action_name = "reissue"
    permission_error_class = ReissueCertificatePermissionError

    def __init__(self, certificate: Certificate, *, user=None, reason: str = ""):
        super().__init__(certificate, user=user)
        self.reason = reason.strip() or _("Reissued")

    def execute(self, skip_permission_checks=False) -> Certificate:
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            old = self._locked()
            new = services.certificate_replace(certificate=old, reason=self.reason)
            audit.log(
                instance=old,
                action=audit.CERTIFICATE_REISSUE,
                user=self.user,
                data={"reason": self.reason, "new_code": new.display_code},
            )
        services.certificate_finish(new)  # sign, render and send, as for any issued certificate
        return new


class RegenerateCertificatesAction(BaseAction):
    """Re-render the PDFs of a training's certificates in force, as a job with a progress bar."""

    action_name = "regenerate"
    permission_policy_action = "change"
    permission_error_class = RegenerateCertificatesPermissionError

    def user_has_permission(self):
        return self.user.has_perm(PERMISSION)

    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            job = services.regeneration_start(training=self.instance, user=self.user)
            audit.log(
                instance=self.instance,
                action=audit.CERTIFICATES_REGENERATE,
                user=self.user,
                data={"job": job.pk, "total": job.total},
            )
        return job
