"""Certificates: issued once per completed enrolment, frozen as issued, revocable.

When the holder's account is erased, the certificate is *withdrawn*: it keeps only what is not
personal (training, issuer, dates, credits, code), loses its PDF and signed credential, leaves the
enrolment, and its bit in the revocation list is set; its code then verifies as withdrawn.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.storage import private_storage

from .codes import display
from .enums import CertificateStatus


class Certificate(models.Model):
    # PROTECT: an enrolment that has a certificate is never deleted by accident; erasure withdraws the
    # certificate first, which detaches it (hence null). At most one certificate of the training and
    # one of each of its parts is in force per enrolment (constraints, not luck); a reissue revokes
    # the old one first.
    enrolment = models.ForeignKey(
        "courses.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    part_key = models.UUIDField(
        null=True, blank=True, editable=False, help_text=_("The training part certified; empty for the whole training.")
    )
    code = models.CharField(max_length=16, unique=True, editable=False)
    facts = models.JSONField(editable=False, help_text=_("What the certificate certifies, frozen at issue time."))
    language = models.CharField(max_length=2, editable=False)
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    pdf = models.FileField(upload_to="certificates/", storage=private_storage, blank=True, editable=False)
    credential = models.JSONField(
        null=True, blank=True, editable=False, help_text=_("The signed Open Badges 3.0 credential, as issued.")
    )
    status_index = models.PositiveIntegerField(
        unique=True, null=True, editable=False, help_text=_("This certificate's bit in the revocation status list.")
    )
    signed_with = models.CharField(
        max_length=20, blank=True, editable=False, help_text=_("The key that signed the credential (key-<n>).")
    )
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When the holder's account was erased.")
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(revoked_at__isnull=True, part_key__isnull=True),
                name="certificate_one_in_force_per_enrolment",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "part_key"],
                condition=models.Q(revoked_at__isnull=True, part_key__isnull=False),
                name="certificate_one_in_force_per_part",
            ),
        ]

    def __str__(self):
        # Also the label of the certificate's audit-log entries, kept after erasure: never the name.
        part = self.facts.get("part")
        return f"{self.display_code} – {self.facts.get('training', '')}" + (f": {part}" if part else "")

    @property
    def display_code(self) -> str:
        return display(self.code)

    @property
    def status_label(self) -> str:
        return CertificateStatus(self.status).label

    @property
    def status(self) -> str:
        if self.withdrawn_at:
            return CertificateStatus.WITHDRAWN
        if self.revoked_at:
            return CertificateStatus.REVOKED
        if self.expires_at and self.expires_at <= timezone.now():
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


class RegenerationJob(models.Model):
    """Re-rendering every PDF of a training after a template change, as a resumable Celery job."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    training = models.ForeignKey("courses.TrainingPage", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    last_certificate_id = models.BigIntegerField(default=0, help_text=_("Where a restarted job resumes."))
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.training} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return (self.done + self.failed) * 100 // self.total if self.total else 100


class IssuerKey(models.Model):
    """One of the platform's signing keys, ``key-<number>``: its public key and its life (see keys.py).

    The seed (the private key) is kept here only when the environment holds no keys (development,
    tests); in production it lives in ``KYKY_SIGNING_KEYS`` / ``KYKY_SIGNING_KEY``.
    """

    number = models.PositiveIntegerField(unique=True, help_text=_("The n of key-n."))
    public_key = models.CharField(max_length=64, help_text=_("The Ed25519 public key, multibase."))
    seed = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True, help_text=_("From then on it signs nothing new."))
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text=_("It leaked: from then on nothing it signed verifies.")
    )

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return self.key_id

    @property
    def key_id(self) -> str:
        return f"key-{self.number}"
