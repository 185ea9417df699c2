"""Reads for organisation staff: always scoped to the organisations the user belongs to.

Every lookup by id goes through ``cohort_for``/``import_for``, which return 404 for anything
outside the user's organisations, so another organisation's id reveals nothing.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, FilteredRelation, OuterRef, Q
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.certificates.models import Certificate
from lms.courses.enums import PASS
from lms.courses.models import Enrolment, LessonProgress, PartCompletion
from lms.courses.structure import Progress, structure_for

from .enums import OrganisationKind, Role
from .models import (
    Cohort,
    CohortInvitation,
    CohortLearner,
    Membership,
    Organisation,
    RosterImport,
    StaffInvitation,
)


def cohorts_for(user):
    """The cohorts ``user`` may follow: all of their organisations' as an admin, the ones they teach as a teacher."""
    member_of = Membership.objects.filter(user=user).values("organisation")
    taught = Cohort.teachers.through.objects.filter(user=user).values("cohort")
    return Cohort.objects.filter(
        Q(organisation__in=_admin_of(user)) | Q(organisation__in=member_of, pk__in=taught)
    ).select_related("organisation", "training")


def _admin_of(user):
    return Membership.objects.filter(user=user, role=Role.ADMIN).values("organisation")


def staff_areas(user) -> frozenset[str]:
    """The organisation pages ``user`` works in (one query; none for who is not logged in)."""
    if not user.is_authenticated:
        return frozenset()
    held = set(Membership.objects.filter(user=user).values_list("organisation__kind", "role"))
    kinds, roles = {kind for kind, _role in held}, {role for _kind, role in held}
    areas = {"cohorts"} if kinds else set()
    if user.is_superuser or OrganisationKind.TTL in kinds:
        areas.add("programme")
    if "programme" in areas or Role.ADMIN in roles:
        areas.add("organisations")  # organisations to set up, or whose staff and cohorts to manage
    return frozenset(areas)


def membership_changed(sender, instance, **kwargs) -> None:
    """``post_save``/``post_delete`` of a membership: the user's cached staff links are out of date."""
    from lms.accounts.backends import forget

    forget(instance.user_id)


def cohort_for(user, cohort_id: int) -> Cohort:
    return get_object_or_404(cohorts_for(user), pk=cohort_id)


def cohorts_managed_by(user):
    """The cohorts whose people and invitations ``user`` manages: their organisations', as an admin.

    Teachers follow the cohorts they teach (``cohorts_for``); who joins them is the admins' to say.
    """
    return Cohort.objects.filter(organisation__in=_admin_of(user)).select_related("organisation", "training")


def cohort_managed_by(user, cohort_id: int) -> Cohort:
    return get_object_or_404(cohorts_managed_by(user), pk=cohort_id)


def sees_programme(user) -> bool:
    """Programme staff: TTL's staff and superusers (from the user's cached staff areas: no query)."""
    return user.is_authenticated and "programme" in user.staff_areas


def organisations_managed_by(user):
    """The organisations whose staff, Moodle registrations and LRSs ``user`` manages: every one for
    programme staff, else those they administer (none for who is not logged in)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if sees_programme(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=_admin_of(user))


def organisation_managed_by(user, organisation_id: int) -> Organisation:
    return get_object_or_404(organisations_managed_by(user), pk=organisation_id)


def administers(user, organisation: Organisation) -> bool:
    return _admin_of(user).filter(organisation=organisation).exists()


def organisation_administered_by(user, organisation_id: int) -> Organisation:
    """An organisation of which ``user`` is an admin: its cohorts are theirs to create (programme staff's are not)."""
    return get_object_or_404(Organisation.objects.filter(pk__in=_admin_of(user)), pk=organisation_id)


def membership_managed_by(user, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.filter(organisation__in=organisations_managed_by(user)).select_related(
            "organisation", "user"
        ),
        pk=membership_id,
    )


def staff_of(organisation: Organisation) -> list[Membership]:
    """Its members with their accounts, admins first (one query)."""
    return list(
        organisation.memberships.select_related("user").order_by("role", "user__certificate_name", "user__email")
    )


def open_staff_invitations(organisation: Organisation) -> list[StaffInvitation]:
    """Invitations nobody has answered yet, newest first (one query)."""
    return list(organisation.staff_invitations.filter(answered_at__isnull=True).order_by("-created_at")[:100])


def import_for(user, import_id: int) -> RosterImport:
    """An uploaded student list: its rows name people and addresses, so only the cohort's admins see it."""
    return get_object_or_404(
        RosterImport.objects.filter(cohort__in=cohorts_managed_by(user)).select_related("cohort"), pk=import_id
    )


def invitations_for(cohort: Cohort, limit: int = 50) -> list[CohortInvitation]:
    """The cohort's latest invitations: staff follow who has not answered yet (one query)."""
    return list(cohort.invitations.order_by("-created_at")[:limit])


def grade_text(grade: str) -> str:
    """A part's grade as staff read it: "Passed", or "Grade 4" on the 0-5 scale."""
    return _("Passed") if grade == PASS else _("Grade %(grade)s") % {"grade": grade}


@dataclass
class PartCell:
    """A learner's standing in one part: lessons done, their module cells, and the grade and certificate once done."""

    done: int
    total: int
    modules: list  # (done, total, average score or None) per module of the part
    grade: str = ""  # PartCompletion.grade; empty until the part is completed
    certificate: Certificate | None = None

    @property
    def grade_label(self) -> str:
        return grade_text(self.grade) if self.grade else ""


@dataclass
class PartColumn:
    """The head of a part's columns: its title in the viewer's language, its credits and its modules' titles."""

    title: str
    credits: Decimal
    modules: list[str]

    @property
    def span(self) -> int:
        return len(self.modules) + 1  # its modules and its result


@dataclass
class Columns:
    modules: list[str]  # every module's title, in order
    parts: list[PartColumn] = field(default_factory=list)  # empty for a training without parts

    @property
    def width(self) -> int:
        """How many columns a row has: learner, student number, progress, last activity and certificate, and these."""
        return 5 + len(self.modules) + len(self.parts)


@dataclass
class LearnerRow:
    place: CohortLearner
    enrolment: Enrolment | None
    modules: list  # (done, total, average score or None) per module, in module order
    done: int
    total: int
    certificate: object = None  # of the whole training
    parts: list[PartCell] = field(default_factory=list)  # per part, in order; empty without parts

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0


def cohort_table(cohort: Cohort, places, language: str) -> tuple[Columns, list[LearnerRow]]:
    """Column heads in ``language`` and, for the given page of learners, their completion per module and part.

    The modules, lessons and parts come from the training's cached structure; three queries whatever
    the size of the training and the page, four for a training with parts (their grades). The
    certificates of the training and of its parts come in the same query.
    """
    structure = structure_for(cohort.training)
    module_of = {lesson.key: module.key for module in structure.modules for lesson in module.lessons}
    places = list(places)
    enrolments = {
        e.user_id: e
        for e in Enrolment.objects.filter(training=cohort.training, user_id__in=[p.user_id for p in places])
    }
    enrolment_ids = [e.pk for e in enrolments.values()]
    statuses: dict[int, dict] = {}
    scores: dict[int, dict[object, list[int]]] = {}
    for enrolment_id, lesson_key, status, score in LessonProgress.objects.filter(
        enrolment_id__in=enrolment_ids
    ).values_list("enrolment_id", "lesson_key", "status", "score"):
        statuses.setdefault(enrolment_id, {})[lesson_key] = status
        if score is not None and lesson_key in module_of:
            scores.setdefault(enrolment_id, {}).setdefault(module_of[lesson_key], []).append(score)
    certificates = {
        (c.enrolment_id, c.part_key): c
        for c in Certificate.objects.filter(enrolment_id__in=enrolment_ids, revoked_at__isnull=True)
    }
    grades = _part_grades(structure, enrolment_ids)
    rows = []
    for place in places:
        enrolment = enrolments.get(place.user_id)
        pk = enrolment.pk if enrolment else None
        progress = Progress(structure, statuses.get(pk, {}))
        marks = scores.get(pk, {})
        cells = {}
        for module in structure.modules:
            counted = progress.module(module)
            mark = marks.get(module.key)
            cells[module.key] = (counted.done, counted.total, sum(mark) // len(mark) if mark else None)
        parts = []
        for part in structure.parts:
            counted = progress.part(part)
            parts.append(
                PartCell(
                    done=counted.done,
                    total=counted.total,
                    modules=[cells[module.key] for module in part.modules],
                    grade=grades.get((pk, part.key), ""),
                    certificate=certificates.get((pk, part.key)),
                )
            )
        training = progress.training
        rows.append(
            LearnerRow(
                place=place,
                enrolment=enrolment,
                modules=list(cells.values()),
                certificate=certificates.get((pk, None)),
                done=training.done,
                total=training.total,
                parts=parts,
            )
        )
    columns = Columns(
        modules=[structure.page(module, language).title for module in structure.modules],
        parts=[
            PartColumn(
                title=structure.page(part, language).title,
                credits=part.stated_credits,
                modules=[structure.page(module, language).title for module in part.modules],
            )
            for part in structure.parts
        ],
    )
    return columns, rows


def _part_grades(structure, enrolment_ids) -> dict[tuple[int, uuid.UUID], str]:
    """The grades of the parts the enrolments completed, by (enrolment, part): one query, none without parts."""
    if not structure.parts or not enrolment_ids:
        return {}
    return {
        (enrolment_id, part_key): grade
        for enrolment_id, part_key, grade in PartCompletion.objects.filter(enrolment_id__in=enrolment_ids).values_list(
            "enrolment_id", "part_key", "grade"
        )
    }


FILTERS = ("not_started", "in_progress", "stalled", "completed")
SORTS = {
    "name": ("sort_name", "id"),  # the index on (cohort, sort_name, id) reads a page in order
    "activity": ("-last_activity", "sort_name", "id"),
    "completed": ("-completed_at", "sort_name", "id"),
}


PART_DONE, PART_OPEN = "part_done", "part_open"


def part_filters(cohort: Cohort, language: str) -> list[tuple[str, str]]:
    """The cohort page's filters by part, as (value, label): who has each part approved, who not yet."""
    structure = structure_for(cohort.training)
    filters = []
    for part in structure.parts:
        title = structure.page(part, language).title
        filters.append((f"{PART_DONE}:{part.key}", _("%(part)s: approved") % {"part": title}))
        filters.append((f"{PART_OPEN}:{part.key}", _("%(part)s: not approved yet") % {"part": title}))
    return filters


def _part_filter(status: str) -> tuple[str, uuid.UUID] | None:
    """``part_done:<part key>`` or ``part_open:<part key>`` read, or None for anything else."""
    kind, _colon, key = status.partition(":")
    if kind not in {PART_DONE, PART_OPEN}:
        return None
    try:
        return kind, uuid.UUID(key)
    except ValueError:
        return None


def cohort_places(cohort: Cohort, *, status: str = "", stalled_days: int = 14, sort: str = "name"):
    """The cohort's learners, filtered by where they are and sorted, as one query to paginate.

    Each learner's enrolment in the cohort's training is joined once (``FilteredRelation``), not
    looked up per learner: a learner has started when they have opened a lesson. A part is approved
    when its completion is recorded (with its grade), which for an assessed part waits for the
    teachers' approval of its assignments.
    """
    places = (
        cohort.learners.select_related("user")
        .annotate(own=FilteredRelation("user__enrolments", condition=Q(user__enrolments__training=cohort.training)))
        .annotate(
            completed_at=F("own__completed_at"),
            last_activity=F("own__last_activity_at"),
            started=ExpressionWrapper(Q(own__last_lesson_key__isnull=False), output_field=BooleanField()),
        )
    )
    if status == "completed":
        places = places.filter(completed_at__isnull=False)
    elif status == "not_started":
        places = places.filter(completed_at__isnull=True, own__last_lesson_key__isnull=True)
    elif status == "in_progress":
        places = places.filter(completed_at__isnull=True, own__last_lesson_key__isnull=False)
    elif status == "stalled":
        since = timezone.now() - timedelta(days=max(1, stalled_days))
        places = places.annotate(seen=Coalesce("last_activity", "added_at")).filter(
            Q(completed_at__isnull=True) & Q(seen__lt=since)
        )
    elif (by_part := _part_filter(status)) is not None:
        kind, part_key = by_part
        approved = Exists(
            PartCompletion.objects.filter(
                enrolment__user_id=OuterRef("user_id"), enrolment__training_id=cohort.training_id, part_key=part_key
            )
        )
        places = places.filter(approved if kind == PART_DONE else ~approved)
    return places.order_by(*SORTS.get(sort, SORTS["name"]))


def cohort_issuer(enrolment, language: str) -> str | None:
    """A certificate earned in a university's cohort is issued by that university."""
    return (
        CohortLearner.objects.filter(
            user_id=enrolment.user_id,
            cohort__training_id=enrolment.training_id,
            cohort__organisation__kind=OrganisationKind.UAS,
        )
        .values_list("cohort__organisation__name", flat=True)
        .first()
    )


def cohort_summaries(cohorts):
    """Learner counts per cohort in one query."""
    return dict(
        CohortLearner.objects.filter(cohort__in=cohorts)
        .values("cohort")
        .annotate(n=Count("id"))
        .values_list("cohort", "n")
    )
