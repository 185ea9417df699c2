"""Contact sessions of a training or a cohort, who signed up for them, who attended, and calendar feeds.

A session belongs to the training's default-language page (the canonical training, as enrolments
do) and, when a cohort's teachers hold it, to that cohort. Whom it concerns follows from its
``signup`` mode: every learner of its cohort, or those who signed up (``SessionSignup``), up to its
seats. Times are stored in UTC and entered and shown in Europe/Helsinki time.

``uid`` and ``sequence`` are what calendars know a session by: the uid never changes, and the
sequence goes up with every change that a calendar must show (time, place, link, cancellation), so
that a feed or an e-mailed invitation replaces the old event instead of adding one.
"""

import datetime
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import AttendanceStatus, MarkedBy, ReplacementStatus, SignupMode

# Letters and digits nobody confuses when read off a screen at the back of a room: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
# The code is accepted from this long before the start until the end: people check in as they arrive.
CHECKIN_EARLY = datetime.timedelta(minutes=15)


def checkin_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def feed_token_new() -> str:
    return secrets.token_urlsafe(32)


class ContactSession(models.Model):
    training = models.ForeignKey(
        "courses.TrainingPage",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("training"),
        help_text=_("In the default language."),
    )
    cohort = models.ForeignKey(
        "organisations.Cohort",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contact_sessions",
        verbose_name=_("group"),
        help_text=_("Empty: a session of the training that its learners sign up for."),
    )
    requirement = models.CharField(
        _("counts for"),
        max_length=64,
        blank=True,
        help_text=_(
            "The Contact sessions block of the training (its block id) whose sessions this one counts towards. "
            "Empty: every such block of the training, which is right only when it has one."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    signup = models.CharField(_("who attends"), max_length=10, choices=SignupMode.choices, default=SignupMode.COHORT)
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Empty: no limit."))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    notified_sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("The sequence the learners were last told about.")
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    checkin_code = models.CharField(max_length=CODE_LENGTH, default=checkin_code_new, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact session")
        verbose_name_plural = _("contact sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="contactsession_ends_after_start"),
            # A session of the whole training has nobody to concern but those who sign up.
            models.CheckConstraint(
                condition=Q(cohort__isnull=False) | Q(signup=SignupMode.OPEN), name="contactsession_training_open"
            ),
        ]
        indexes = [models.Index(fields=["training", "starts_at"], name="contactsession_training")]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if value is not None and timezone.is_naive(value):
                errors[name] = _("Give the time with its time zone.")
        if self.starts_at and self.ends_at and not errors and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The session must end after it starts.")
        if self.online_url and not self.online_url.lower().startswith("https://"):
            errors["online_url"] = _("The meeting link must start with https://.")
        if not self.online_url and not self.place.strip():
            errors["place"] = _("Give a place, an online meeting link, or both.")
        if self.cohort_id is None and self.signup != SignupMode.OPEN:
            errors["signup"] = _("A session of the whole training is open for sign-up.")
        if self.signup == SignupMode.COHORT and self.seats is not None:
            self.seats = None  # everyone in the group attends: seats mean nothing
        if self.cohort_id is not None and self.training_id and self.cohort.training_id != self.training_id:
            errors["cohort"] = _("The group studies another training.")
        if errors:
            raise ValidationError(errors)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    def checkin_open(self, now=None) -> bool:
        """Whether the check-in code is accepted now: from ``CHECKIN_EARLY`` before the start until the end."""
        now = now or timezone.now()
        return not self.cancelled and self.starts_at - CHECKIN_EARLY <= now <= self.ends_at


class SessionSignup(models.Model):
    session = models.ForeignKey(ContactSession, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_signups")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="sessionsignup_unique")]

    def __str__(self):
        return f"{self.session_id}/{self.user_id}"


class Attendance(models.Model):
    session = models.ForeignKey(ContactSession, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    how = models.CharField(max_length=10, choices=MarkedBy.choices, default=MarkedBy.TEACHER)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_unique")]
        indexes = [models.Index(fields=["user", "status"], name="attendance_user")]

    def __str__(self):
        return f"{self.session_id}/{self.user_id}: {self.status}"


class Replacement(models.Model):
    """Work handed in for a missed session; a teacher's approval makes the absence *replaced*.

    One row per learner and session: a returned piece of work is revised in place and submitted again.
    """

    session = models.ForeignKey(ContactSession, on_delete=models.CASCADE, related_name="replacements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_replacements")
    text = models.TextField(_("text"))
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ReplacementStatus.choices, default=ReplacementStatus.SUBMITTED)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("teacher's comment"), blank=True)

    class Meta:
        verbose_name = _("replacement work")
        verbose_name_plural = _("replacement work")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="replacement_unique")]

    def __str__(self):
        return f"{self.session_id}/{self.user_id}: {self.status}"


class CalendarFeed(models.Model):
    """A learner's calendar feed: whoever holds the token reads it, so resetting it is how one revokes it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=feed_token_new, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"calendar feed {self.pk}"
