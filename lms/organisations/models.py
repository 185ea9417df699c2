"""Organisations, their staff, cohorts of learners, and uploaded student lists."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from lms.storage import private_storage

from .enums import ImportStatus, InvitationStatus, OrganisationKind, Role, RowResult, StudyMode
from .validators import validate_business_id, validate_home_organisation


class Organisation(models.Model):
    """A university, project or TTL itself; ``name`` is the Finnish (official) name."""

    name = models.CharField(_("name in Finnish"), max_length=200, unique=True)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    business_id = models.CharField(
        _("business ID"), max_length=9, blank=True, validators=[validate_business_id], help_text=_("Y-tunnus.")
    )
    home_organisation = models.CharField(
        _("HAKA home organisation"),
        max_length=253,
        blank=True,
        validators=[validate_home_organisation],
        help_text=_("The schacHomeOrganization its identity provider releases, e.g. tuni.fi."),
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organisations")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["home_organisation"],
                condition=~models.Q(home_organisation=""),
                name="organisation_unique_home_organisation",
            )
        ]

    def __str__(self):
        return self.name

    def localised_name(self, language: str) -> str:
        """The name in ``language`` where one is given, else the Finnish one."""
        return {"sv": self.name_sv, "en": self.name_en}.get(language) or self.name


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TEACHER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.role})"


class Cohort(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="cohorts")
    training = models.ForeignKey(
        "courses.TrainingPage", on_delete=models.PROTECT, related_name="+", help_text=_("In the default language.")
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    study_mode = models.CharField(_("study mode"), max_length=20, choices=StudyMode.choices)
    credits = models.DecimalField(_("credits awarded"), max_digits=4, decimal_places=1, default=0)
    teachers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="taught_cohorts")
    invite_code = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    invite_expires_at = models.DateTimeField(_("invitation link expires"), null=True, blank=True)
    seat_limit = models.PositiveIntegerField(_("seats"), null=True, blank=True, help_text=_("Empty: no limit."))
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    def closed_because(self, today=None) -> str | None:
        """Why nobody can join the cohort now, or None while it is open.

        A cohort is open until the end of its last day (``ends_on``, in Finnish time) and until it is
        archived. It is open before it starts too: students are invited ahead of the first day.
        """
        if self.archived_at is not None:
            return _("The group has been archived; nobody can join it any more.")
        today = today or timezone.localdate()
        if self.ends_on is not None and today > self.ends_on:
            return _("The group ended on %(date)s; nobody can join it any more.") % {
                "date": date_format(self.ends_on, "SHORT_DATE_FORMAT")
            }
        return None


SORT_NAME_LENGTH = 254


def sort_name_of(user) -> str:
    """Case-folded: byte order (SQLite's, and PostgreSQL's C collation) puts every capital first."""
    return user.display_name.casefold()[:SORT_NAME_LENGTH]


class CohortLearnerQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Places made in bulk (a roster, a test) are named as ``save`` names one."""
        objs = list(objs)
        for place in objs:
            place.sort_name = sort_name_of(place.user)
        return super().bulk_create(objs, *args, **kwargs)


class CohortLearner(models.Model):
    """A learner's place in a cohort.

    ``sort_name`` is the learner's name as the cohort page shows it (``User.display_name``), kept
    here so that a page of a cohort is read in name order from an index on (cohort, name): sorting
    by the user's own columns made every page join and sort the whole cohort, and at national size
    the join read every user. It is set on save and follows the user's renames (``apps.py``).
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="learners")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_places")
    student_number = models.CharField(_("student number"), max_length=50, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    sort_name = models.CharField(max_length=SORT_NAME_LENGTH, blank=True, editable=False, db_default="")

    objects = CohortLearnerQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="cohortlearner_unique")]
        indexes = [models.Index(fields=["cohort", "sort_name", "id"], name="cohortlearner_by_name")]

    def __str__(self):
        return f"{self.user} in {self.cohort}"

    def save(self, *args, **kwargs):
        self.sort_name = sort_name_of(self.user)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_name"}
        super().save(*args, **kwargs)


class InvitationState:
    """Where an invitation stands (from answered_at, accepted and expires_at): cohorts' and staff's alike."""

    @property
    def status(self) -> str:
        if self.answered_at is not None:
            return InvitationStatus.ACCEPTED if self.accepted else InvitationStatus.DECLINED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def status_label(self) -> str:
        return InvitationStatus(self.status).label


class CohortInvitation(InvitationState, models.Model):
    """An invitation to join a cohort, sent to an address; nothing happens until its owner accepts.

    Staff who upload a list learn only that an invitation was sent, never whether the address
    has an account. The e-mail carries a token derived from a random nonce and the site's secret
    key (so a copy of the database alone opens no invitation); rows are found by its SHA-256.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    student_number = models.CharField(_("student number"), max_length=50, blank=True)
    language = models.CharField(max_length=2, default="fi")
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    roster_import = models.ForeignKey(
        "RosterImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(null=True, help_text=_("Empty until answered."))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "email"],
                condition=models.Q(answered_at__isnull=True),
                name="cohortinvitation_one_open_per_address",
            )
        ]

    def __str__(self):
        return f"{self.cohort} ← #{self.pk}"


class RosterImport(models.Model):
    """One uploaded list: applied row by row by a Celery job that can resume after a restart."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="rosters/", storage=private_storage)
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The row messages and the error are written once, in this language; a page in another marks them so.
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.filename} → {self.cohort}"


class RosterImportRow(models.Model):
    """The outcome of one line; written in the same transaction as its effects, so never twice."""

    roster_import = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    student_number = models.CharField(max_length=50, blank=True)
    result = models.CharField(max_length=20, choices=RowResult.choices)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["line"]
        constraints = [models.UniqueConstraint(fields=["roster_import", "line"], name="rosterrow_unique_line")]

    def __str__(self):
        return f"{self.line}: {self.result}"


class StaffInvitation(InvitationState, models.Model):
    """An invitation to work in an organisation as a teacher or an admin; the person accepts it.

    Organisation admins add their staff by e-mail and learn only that an invitation was sent, never
    whether the address has an account. Its token is made like a cohort invitation's, and only the
    account with the invited address can accept it: a forwarded link makes nobody staff.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff_invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    language = models.CharField(max_length=2, default="fi")
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(null=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(answered_at__isnull=True),
                name="staffinvitation_one_open_per_address",
            )
        ]

    def __str__(self):
        return f"{self.organisation} ← #{self.pk}"
