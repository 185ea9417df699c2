"""Trainings as Wagtail pages, and the records of who is enrolled and how far they are.

Progress is keyed by the pages' ``translation_key``: the Finnish, Swedish and English versions of
a lesson share one key, so a learner who switches language keeps their progress, and editing or
re-importing a page (which keeps its key) never touches anyone's progress. An enrolment points at
the training in the default locale, the version that defines the structure.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Locale, Orderable, Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from lms.cms.pages import CachedViewRestrictions

from .blocks import Requirements, lesson_blocks, requirements_of
from .completion import activity_pass_marks
from .enums import CompletionRule, EnrolmentMode, EnrolmentStatus, Grading, LessonStatus
from .forms import LessonPageForm, PartPageForm, TrainingPageForm


def canonical(page: Page) -> Page:
    """The default-locale version of ``page``: the one that defines structure and rules."""
    default = Locale.get_default()
    if page.locale_id == default.pk:
        return page
    return type(page).objects.get(translation_key=page.translation_key, locale=default)


class TrainingIndexPage(CachedViewRestrictions, Page):
    """The catalogue of trainings in one language."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.TrainingPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("training catalogue")

    def get_context(self, request, *args, **kwargs):
        from .selectors import training_catalogue

        context = super().get_context(request, *args, **kwargs)
        context["trainings"] = training_catalogue(locale_id=self.locale_id, user=request.user)
        return context


class TrainingPage(CachedViewRestrictions, Page):
    summary = models.TextField(_("summary"), help_text=_("One paragraph for the catalogue."))
    audience = models.TextField(_("audience"), blank=True)
    learning_outcomes = StreamField(
        [("outcome", blocks.CharBlock(label=_("Learning outcome"), max_length=500))],
        blank=True,
        use_json_field=True,
        verbose_name=_("learning outcomes"),
    )
    workload_hours = models.PositiveSmallIntegerField(_("estimated workload (hours)"), default=0)
    ects_credits = models.DecimalField(
        _("ECTS credits"), max_digits=4, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    enrolment_mode = models.CharField(
        _("enrolment"), max_length=20, choices=EnrolmentMode.choices, default=EnrolmentMode.OPEN
    )
    enrolment_key = models.CharField(
        _("enrolment key"), max_length=100, blank=True, help_text=_("Learners type this to enrol.")
    )
    credit_requires_checked_answers = models.BooleanField(
        _("credit needs server-checked answers"),
        default=False,
        help_text=_(
            "H5P results are reported by the learner's browser. When this is on, a lesson completed by "
            "its H5P activities also needs every question block answered correctly (checked on the server)."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("audience"),
        FieldPanel("learning_outcomes"),
        FieldRowPanel([FieldPanel("workload_hours"), FieldPanel("ects_credits")]),
        FieldPanel("credit_requires_checked_answers"),
        MultiFieldPanel(
            [FieldPanel("enrolment_mode"), FieldPanel("enrolment_key"), InlinePanel("prerequisites")],
            heading=_("Enrolment"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("audience")]
    parent_page_types = ["courses.TrainingIndexPage"]
    subpage_types = ["courses.ModulePage", "courses.PartPage"]

    base_form_class = TrainingPageForm

    class Meta:
        verbose_name = _("training")

    def clean(self):
        super().clean()
        if self.enrolment_mode == EnrolmentMode.KEY and not self.enrolment_key:
            raise ValidationError({"enrolment_key": _("Set the key learners must type to enrol.")})

    def route(self, request, path_components):
        """Wagtail's walk, then the modules and lessons not yet translated into this page's language.

        The structure gives each of those a URL in this training's tree (its default-language slug),
        so a learner following the outline stays in their own language and sees the
        default-language content with a note, instead of a missing lesson or a switch of language.
        """
        try:
            return super().route(request, path_components)
        except Http404:
            from .structure import stand_in

            page = stand_in(self, path_components)
            if page is None:
                raise
            return RouteResult(page)

    def get_context(self, request, *args, **kwargs):
        from .selectors import training_overview

        context = super().get_context(request, *args, **kwargs)
        context.update(training_overview(training=self, user=request.user, request=request))
        return context


class TrainingPrerequisite(Orderable):
    """What a learner must have completed before enrolling: another training, or a part of one."""

    training = ParentalKey(TrainingPage, on_delete=models.CASCADE, related_name="prerequisites")
    required_training = models.ForeignKey(
        TrainingPage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("required training"),
    )
    required_part = models.ForeignKey(
        "courses.PartPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("required part"),
        help_text=_("Instead of a whole training, a part of another training: completing that part is enough."),
    )

    panels = [FieldPanel("required_training"), FieldPanel("required_part")]

    class Meta(Orderable.Meta):
        verbose_name = _("prerequisite")
        verbose_name_plural = _("prerequisites")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(required_training__isnull=False, required_part__isnull=True)
                | models.Q(required_training__isnull=True, required_part__isnull=False),
                name="trainingprerequisite_training_or_part",
            )
        ]

    def clean(self):
        super().clean()
        if self.required_training_id is None and self.required_part_id is None:
            raise ValidationError(_("Choose the training, or the part of a training, that must be completed first."))
        if self.required_training_id is not None and self.required_part_id is not None:
            raise ValidationError(
                _("Choose a training or a part of a training, not both: each prerequisite names one of them.")
            )
        # The training is known once the inline's form gives it (TrainingPageForm) or the row is saved.
        if not (self.training_id or self._meta.get_field("training").is_cached(self)):
            return
        training = self.training
        if self.required_training_id and self.required_training.translation_key == training.translation_key:
            raise ValidationError({"required_training": _("A training cannot be its own prerequisite.")})
        if self.required_part_id and self.required_part.get_parent().translation_key == training.translation_key:
            raise ValidationError(
                {"required_part": _("A part of this training cannot be its prerequisite: choose a part of another.")}
            )


class PartPage(CachedViewRestrictions, Page):
    """A part of a training with its own credits, grade and certificate (e.g. *Part 1*, 5 credits).

    A part holds modules; a training holds either modules or parts (``TrainingPage`` refuses to
    mix them when publishing, see ``TrainingPageForm``). The part completes when its lessons do,
    with a grade: *pass*, or on the 0-5 scale the rounded mean of the grades its assignments were
    approved with; the whole training completes when all its parts do.
    """

    intro = models.TextField(_("introduction"), blank=True)
    learning_outcomes = StreamField(
        [("outcome", blocks.CharBlock(label=_("Learning outcome"), max_length=500))],
        blank=True,
        use_json_field=True,
        verbose_name=_("learning outcomes"),
    )
    ects_credits = models.DecimalField(
        _("ECTS credits"), max_digits=4, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    grading = models.CharField(
        _("grading"),
        max_length=20,
        choices=Grading.choices,
        default=Grading.PASS_FAIL,
        help_text=_("On the 0–5 scale, the part's grade is the rounded mean of its graded assignments' grades."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("learning_outcomes"),
        FieldRowPanel([FieldPanel("ects_credits"), FieldPanel("grading")]),
    ]
    parent_page_types = ["courses.TrainingPage"]
    subpage_types = ["courses.ModulePage"]
    base_form_class = PartPageForm

    class Meta:
        verbose_name = _("training part")
        verbose_name_plural = _("training parts")

    def get_context(self, request, *args, **kwargs):
        from .selectors import part_overview

        context = super().get_context(request, *args, **kwargs)
        language = None if getattr(request, "is_preview", False) else getattr(request, "LANGUAGE_CODE", None)
        context.update(part_overview(part=self, user=request.user, request=request, language=language))
        return context


class ModulePage(CachedViewRestrictions, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["courses.TrainingPage", "courses.PartPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("module")

    def get_context(self, request, *args, **kwargs):
        from .selectors import module_overview

        context = super().get_context(request, *args, **kwargs)
        language = None if getattr(request, "is_preview", False) else getattr(request, "LANGUAGE_CODE", None)
        context.update(module_overview(module=self, user=request.user, request=request, language=language))
        return context


class LessonPage(CachedViewRestrictions, Page):
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=15)
    body = StreamField(lesson_blocks(), blank=True, use_json_field=True, verbose_name=_("content"))
    completion_rule = models.CharField(
        _("completion rule"),
        max_length=20,
        choices=CompletionRule.choices,
        default=CompletionRule.OPENED,
        help_text=_("The rule of the Finnish version applies to every language."),
    )
    pass_percent = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Needed with the rule 'score at least the pass mark'."),
    )
    # Facts about laws, benefits and services go out of date: learners see when they were checked,
    # and ``content_check`` lists the lessons whose review date has passed.
    valid_as_of = models.DateField(
        _("facts valid as of"),
        null=True,
        blank=True,
        help_text=_("When the facts in this lesson were last checked against their sources. Shown to learners."),
    )
    review_by = models.DateField(
        _("review by"),
        null=True,
        blank=True,
        help_text=_("When the facts must be checked again (a reform taking effect, a yearly benefit change)."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("completion_rule"), FieldPanel("pass_percent")], heading=_("Completion")),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("valid_as_of"), FieldPanel("review_by")])], heading=_("Facts checked")
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    base_form_class = LessonPageForm

    class Meta:
        verbose_name = _("lesson")

    def clean(self):
        super().clean()
        if self.completion_rule == CompletionRule.MIN_SCORE and not self.pass_percent:
            raise ValidationError({"pass_percent": _("Set the pass mark for this rule.")})
        if self.valid_as_of and self.review_by and self.review_by < self.valid_as_of:
            raise ValidationError({"review_by": _("The review date cannot be before the date the facts were checked.")})

    @property
    def requirements(self) -> Requirements:
        """What this page's blocks ask of a learner (``blocks.requirements_of``: no query)."""
        return requirements_of(self.body)

    def questions(self) -> dict[str, dict]:
        """The lesson's questions by block id."""
        return dict(self.requirements.questions)

    def reflections(self) -> frozenset[str]:
        return self.requirements.reflections

    def h5p_requirements(self) -> dict[int, int | None]:
        """``{activity_id: pass mark}`` of the lesson's H5P blocks (the block's override wins)."""
        own = self.requirements.h5p
        defaults = activity_pass_marks([pk for pk, mark in own.items() if not mark])
        return {pk: mark or defaults.get(pk) for pk, mark in own.items()}

    def serve(self, request, *args, **kwargs):
        from .views import serve_lesson

        return serve_lesson(request, self)

    def get_preview_context(self, request, mode_name):
        """A preview shows the lesson exactly as a learner sees it, without recording anything."""
        from .selectors import lesson_context, lesson_view

        context = super().get_preview_context(request, mode_name)
        context.update(lesson_context(lesson_view(lesson=self, user=request.user), request))
        context["preview"] = True
        return context


class Enrolment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    training = models.ForeignKey(
        TrainingPage,
        on_delete=models.PROTECT,  # a training with learners is unpublished, never deleted
        related_name="enrolments",
        help_text=_("The training in the default language."),
    )
    status = models.CharField(max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson_key = models.UUIDField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text=_("When the welcome e-mail went out."))
    registration = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("The xAPI registration: names this enrolment in the learning records' context."),
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["user", "training"], name="enrolment_unique_user_training")]
        indexes = [models.Index(fields=["training", "status"])]

    def __str__(self):
        return f"{self.user} – {self.training}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson_key = models.UUIDField(help_text=_("The lesson's translation key."))
    status = models.CharField(max_length=20, choices=LessonStatus.choices, default=LessonStatus.IN_PROGRESS)
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Percent of questions right."))
    answers = models.JSONField(default=dict, blank=True)
    reflections = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson_key"], name="lessonprogress_unique_lesson")]

    def __str__(self):
        return f"{self.enrolment_id}/{self.lesson_key}: {self.status}"


class ModuleCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="module_completions")
    module_key = models.UUIDField()
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module_key"], name="modulecompletion_unique_module")
        ]

    def __str__(self):
        return f"{self.enrolment_id}/{self.module_key}"


class PartCompletion(models.Model):
    """A training part completed, with its grade as it stood then: recorded once, like a module's."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="part_completions")
    part_key = models.UUIDField(help_text=_("The part's translation key."))
    completed_at = models.DateTimeField()
    grade = models.CharField(_("grade"), max_length=10, help_text=_("'pass', or 1–5 on the 0–5 scale."))

    class Meta:
        verbose_name = _("part completion")
        verbose_name_plural = _("part completions")
        constraints = [models.UniqueConstraint(fields=["enrolment", "part_key"], name="partcompletion_unique_part")]

    def __str__(self):
        return f"{self.enrolment_id}/{self.part_key}: {self.grade}"
