"""Reads for organisation staff: always scoped to the organisations the user belongs to.

Every lookup by id goes through ``cohort_for``/``import_for``, which return 404 for anything
outside the user's organisations, so another organisation's id reveals nothing.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from lms.courses.models import Enrolment, LessonPage, LessonProgress, ModulePage

from .enums import Role
from .models import Cohort, CohortInvitation, CohortLearner, Membership, RosterImport


def cohorts_for(user):
    """The cohorts ``user`` may follow: all of their organisations' as an admin, the ones they teach as a teacher."""
    admin_of = Membership.objects.filter(user=user, role=Role.ADMIN).values("organisation")
    member_of = Membership.objects.filter(user=user).values("organisation")
    taught = Cohort.teachers.through.objects.filter(user=user).values("cohort")
    return Cohort.objects.filter(
        Q(organisation__in=admin_of) | Q(organisation__in=member_of, pk__in=taught)
    ).select_related("organisation", "training")


def cohort_for(user, cohort_id: int) -> Cohort:
    return get_object_or_404(cohorts_for(user), pk=cohort_id)


def import_for(user, import_id: int) -> RosterImport:
    return get_object_or_404(
        RosterImport.objects.filter(cohort__in=cohorts_for(user)).select_related("cohort"), pk=import_id
    )


def invitations_for(cohort: Cohort, limit: int = 50) -> list[CohortInvitation]:
    """The cohort's latest invitations: staff follow who has not answered yet (one query)."""
    return list(cohort.invitations.order_by("-created_at")[:limit])


@dataclass
class LearnerRow:
    place: CohortLearner
    enrolment: Enrolment | None
    modules: list  # (done, total, average score or None) per module, in module order
    done: int
    total: int
    certificate: object = None

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0


def cohort_table(cohort: Cohort, places) -> tuple[list, list[LearnerRow]]:
    """Modules and, for the given page of learners, their completion per module (fixed queries)."""
    modules = list(ModulePage.objects.live().child_of(cohort.training).order_by("path").values_list("path", "title"))
    steplen = ModulePage.steplen
    module_of = {
        key: path[:-steplen]
        for path, key in LessonPage.objects.live().descendant_of(cohort.training).values_list("path", "translation_key")
    }
    totals = {path: 0 for path, _title in modules}
    for module_path in module_of.values():
        if module_path in totals:
            totals[module_path] += 1
    places = list(places)
    enrolments = {
        e.user_id: e
        for e in Enrolment.objects.filter(training=cohort.training, user_id__in=[p.user_id for p in places])
    }
    done: dict[int, dict[str, int]] = {}
    scores: dict[int, dict[str, list[int]]] = {}
    for enrolment_id, lesson_key, completed_at, score in LessonProgress.objects.filter(
        enrolment__in=list(enrolments.values())
    ).values_list("enrolment_id", "lesson_key", "completed_at", "score"):
        module_path = module_of.get(lesson_key)
        if not module_path:
            continue
        if completed_at:
            done.setdefault(enrolment_id, {}).setdefault(module_path, 0)
            done[enrolment_id][module_path] += 1
        if score is not None:
            scores.setdefault(enrolment_id, {}).setdefault(module_path, []).append(score)
    from lms.certificates.models import Certificate

    certificates = {
        c.enrolment_id: c
        for c in Certificate.objects.filter(enrolment__in=list(enrolments.values()), revoked_at__isnull=True)
    }
    rows = []
    for place in places:
        enrolment = enrolments.get(place.user_id)
        counts = done.get(enrolment.pk, {}) if enrolment else {}
        marks = scores.get(enrolment.pk, {}) if enrolment else {}
        per_module = [
            (counts.get(path, 0), totals[path], sum(marks[path]) // len(marks[path]) if marks.get(path) else None)
            for path, _title in modules
        ]
        rows.append(
            LearnerRow(
                place=place,
                enrolment=enrolment,
                modules=per_module,
                certificate=certificates.get(enrolment.pk) if enrolment else None,
                done=sum(module[0] for module in per_module),
                total=sum(module[1] for module in per_module),
            )
        )
    return [title for _path, title in modules], rows


FILTERS = ("not_started", "in_progress", "stalled", "completed")
SORTS = {
    "name": ("user__certificate_name", "user__email"),
    "activity": ("-last_activity",),
    "completed": ("-completed_at", "user__certificate_name"),
}


def cohort_places(cohort: Cohort, *, status: str = "", stalled_days: int = 14, sort: str = "name"):
    """The cohort's learners, filtered by where they are and sorted, as one query to paginate."""
    from datetime import timedelta

    from django.db.models import Exists, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    enrolment = Enrolment.objects.filter(training=cohort.training, user=OuterRef("user"))
    places = cohort.learners.select_related("user").annotate(
        completed_at=Subquery(enrolment.values("completed_at")[:1]),
        last_activity=Subquery(enrolment.values("last_activity_at")[:1]),
        started=Exists(
            LessonProgress.objects.filter(enrolment__training=cohort.training, enrolment__user=OuterRef("user"))
        ),
    )
    if status == "completed":
        places = places.filter(completed_at__isnull=False)
    elif status == "not_started":
        places = places.filter(completed_at__isnull=True, started=False)
    elif status == "in_progress":
        places = places.filter(completed_at__isnull=True, started=True)
    elif status == "stalled":
        since = timezone.now() - timedelta(days=max(1, stalled_days))
        places = places.annotate(seen=Coalesce("last_activity", "added_at")).filter(
            Q(completed_at__isnull=True) & Q(seen__lt=since)
        )
    return places.order_by(*SORTS.get(sort, SORTS["name"]))


def cohort_issuer(enrolment, language: str) -> str | None:
    """A certificate earned in a university's cohort is issued by that university."""
    from .enums import OrganisationKind

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
