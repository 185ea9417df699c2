"""H5P libraries (shared code), activities (uploaded content), and what learners do with them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.storage import private_storage


class H5PLibrary(models.Model):
    """One installed library version, shared by every activity that needs it.

    Keyed by machine name, major and minor version as H5P hosts do; a newer patch version replaces
    the files (stored under a new folder, switched in one update) and keeps the row.
    """

    machine_name = models.CharField(max_length=255)
    major_version = models.PositiveSmallIntegerField()
    minor_version = models.PositiveSmallIntegerField()
    patch_version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=255)
    runnable = models.BooleanField(default=False)
    metadata = models.JSONField(help_text=_("The library's library.json."))
    semantics = models.JSONField(
        null=True, blank=True, help_text=_("The library's semantics.json: what its content may hold.")
    )
    storage_path = models.CharField(max_length=500)
    installed_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major_version", "minor_version"], name="h5plibrary_unique_version"
            )
        ]
        permissions = [("install_h5plibrary", _("Can install and upgrade H5P libraries (code)"))]

    def __str__(self):
        return f"{self.machine_name} {self.major_version}.{self.minor_version}.{self.patch_version}"

    @property
    def folder(self) -> str:
        return f"{self.machine_name}-{self.major_version}.{self.minor_version}"


class H5PActivity(models.Model):
    """An uploaded H5P package's content, placed in lessons with the H5P block."""

    title = models.CharField(_("title"), max_length=255)
    package = models.FileField(
        _("package"), upload_to="h5p/packages/", storage=private_storage, help_text=_("The original .h5p file.")
    )
    content_path = models.CharField(max_length=500, editable=False)
    h5p_json = models.JSONField(editable=False)
    filter_report = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text=_("What was removed from the package's content at upload, because its libraries do not allow it."),
    )
    main_library = models.ForeignKey(
        H5PLibrary, on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("content type")
    )
    libraries = models.ManyToManyField(H5PLibrary, related_name="activities", editable=False)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        null=True,
        blank=True,
        help_text=_("Learners pass at this score or above. Leave empty if the activity has no pass mark."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("H5P activity")
        verbose_name_plural = _("H5P activities")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class H5PAttempt(models.Model):
    """A learner's result in an activity within one enrolment; the latest result counts."""

    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="h5p_attempts")
    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="attempts")
    score_raw = models.DecimalField(max_digits=19, decimal_places=3, null=True, blank=True)  # |x| < xapi.SCORE_LIMIT
    score_max = models.DecimalField(max_digits=19, decimal_places=3, null=True, blank=True)
    score_scaled = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    success = models.BooleanField(null=True, blank=True)
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    duration = models.DurationField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "activity"], name="h5pattempt_unique_enrolment_activity")
        ]

    def __str__(self):
        return f"{self.enrolment_id}/{self.activity_id}: {self.score_scaled}"

    @property
    def percent(self) -> int | None:
        return None if self.score_scaled is None else int(self.score_scaled * 100)


class H5PUserData(models.Model):
    """The player's saved state (H5P 'content user data'), so a learner resumes where they were."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="+")
    sub_content_id = models.PositiveIntegerField(default=0)
    data_type = models.CharField(max_length=127)
    data = models.TextField()
    preload = models.BooleanField(default=False)
    invalidate = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "activity", "sub_content_id", "data_type"], name="h5puserdata_unique"
            )
        ]

    def __str__(self):
        return f"{self.user_id}/{self.activity_id}/{self.data_type}"


class XAPIStatement(models.Model):
    """A learner's statement, stored once per id and complete (``xapi.statement_complete``): the
    browser's about H5P content, or Kyky's own about an enrolment, completion, pass or certificate
    (``lms.records.events``, with no H5P activity). The actor is always our user."""

    statement_id = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(
        H5PActivity,
        on_delete=models.CASCADE,
        related_name="statements",
        null=True,
        blank=True,
        help_text="The H5P content the browser reported on; empty for Kyky's own events.",
    )
    verb = models.CharField(max_length=255)
    statement = models.JSONField()
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["enrolment", "activity"])]

    def __str__(self):
        return str(self.statement_id)
