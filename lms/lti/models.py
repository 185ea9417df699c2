"""Kyky as an LTI 1.3 tool: the platforms that launch it, its own keys, courses tied to cohorts, grades to send."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import GradeEvent, GradeStatus, PrincipalSource


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class PlatformRegistration(models.Model):
    """One Moodle (or other LTI 1.3 platform) of an organisation, as its administrator registered Kyky there.

    The values are those Moodle shows under *Tool configuration details* once Kyky is added as an
    external tool. An issuer can register Kyky more than once (each with its own client id).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="lti_platforms"
    )
    label = models.CharField(_("name"), max_length=200, help_text=_("E.g. the university's Moodle."))
    issuer = models.URLField(_("platform ID (issuer)"), max_length=500, help_text=_("E.g. https://moodle.example.fi"))
    client_id = models.CharField(_("client ID"), max_length=255)
    auth_login_url = models.URLField(_("authentication request URL"), max_length=500)
    auth_token_url = models.URLField(_("access token URL"), max_length=500)
    auth_audience = models.CharField(
        _("access token audience"), max_length=500, blank=True, help_text=_("Empty: the access token URL.")
    )
    key_set_url = models.URLField(_("public keyset URL"), max_length=500)
    deployment_ids = models.TextField(_("deployment IDs"), help_text=_("One per line."))
    principal_source = models.CharField(
        _("eduPersonPrincipalName comes from"),
        max_length=10,
        choices=PrincipalSource.choices,
        blank=True,
        default=PrincipalSource.NONE,
        help_text=_(
            "Where the launch carries the same eduPersonPrincipalName as a HAKA login, so that both reach "
            "the same Kyky account. Only names in the organisation's HAKA home organisation are used."
        ),
    )
    emails_verified = models.BooleanField(
        _("the platform's e-mail addresses are verified"),
        default=False,
        help_text=_(
            "Tick only if every address the platform sends belongs to its user (e.g. they come from the "
            "university's directory). Then a launch may sign in to the Kyky account with the same verified address."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LTI platform")
        verbose_name_plural = _("LTI platforms")
        ordering = ["organisation__name", "label"]
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_registration_unique_client")]

    def __str__(self):
        return self.label

    @property
    def deployments(self) -> list[str]:
        return [line.strip() for line in self.deployment_ids.splitlines() if line.strip()]

    @property
    def origins(self) -> list[str]:
        """The platform's web origins (where its pages, which frame Kyky's picker, are served)."""
        return sorted({o for o in (_origin(self.issuer), _origin(self.auth_login_url)) if o})

    def clean(self):
        super().clean()
        if not self.deployments:
            raise ValidationError({"deployment_ids": _("Give at least one deployment ID.")})


class ToolKey(models.Model):
    """Kyky's RSA key pair for LTI: it signs deep-linking responses and service token requests.

    Generated once and kept (``lms.lti.keys``). To rotate, add a key: the newest signs, and every key not
    retired stays in the published key set, so platforms holding the old ``kid`` keep verifying until
    it is retired.
    """

    kid = models.CharField(max_length=100, unique=True, editable=False)
    private_key = models.TextField(editable=False)
    public_jwk = models.JSONField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.kid


class ContextLink(models.Model):
    """A course (LTI context) of a platform, tied to a Kyky cohort by the teacher's deep-linking choice."""

    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="links")
    context_id = models.CharField(max_length=255)
    context_title = models.CharField(max_length=255, blank=True)
    cohort = models.ForeignKey("organisations.Cohort", on_delete=models.CASCADE, related_name="lti_links")
    memberships_url = models.URLField(max_length=1000, blank=True, help_text=_("Names and roles service, if sent."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "context_id", "cohort"], name="lti_link_unique")]

    def __str__(self):
        return f"{self.context_title or self.context_id} → {self.cohort}"


class GradeTarget(models.Model):
    """Where a learner's result in a training goes: a line item of a platform, for the platform's ``sub``."""

    registration = models.ForeignKey(PlatformRegistration, on_delete=models.CASCADE, related_name="grade_targets")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_grade_targets")
    training = models.ForeignKey("courses.TrainingPage", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=500)
    lineitem_url = models.URLField(max_length=1000)
    scopes = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "lineitem_url", "subject"], name="lti_target_unique")
        ]

    def __str__(self):
        return f"#{self.pk} → {self.lineitem_url}"


class GradeSend(models.Model):
    """The outbox: one score to deliver, written when the result is, sent until the platform takes it.

    One row per target and event (unique), so a result is never queued twice; its timestamp is fixed
    when it is written, so sending it again after a lost answer repeats the same score, never a new one.
    """

    target = models.ForeignKey(GradeTarget, on_delete=models.CASCADE, related_name="sends")
    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=GradeEvent.choices, default=GradeEvent.COMPLETED)
    score_given = models.DecimalField(max_digits=6, decimal_places=2)
    score_maximum = models.DecimalField(max_digits=6, decimal_places=2)
    activity_progress = models.CharField(max_length=20)
    grading_progress = models.CharField(max_length=20)
    timestamp = models.DateTimeField()
    status = models.CharField(max_length=10, choices=GradeStatus.choices, default=GradeStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "event"], name="lti_grade_once_per_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="lti_grade_due")]

    def __str__(self):
        return f"#{self.pk} {self.status}"
