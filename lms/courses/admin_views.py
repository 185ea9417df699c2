"""The trainers' progress report in the Wagtail admin.

A trainer sees the trainings they may edit and, for each, its learners' progress: names and
progress only, which is all of anyone's personal data that a trainer ever sees.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from wagtail.models import Locale

from .enums import LessonStatus
from .models import Enrolment, TrainingPage
from .structure import Counted, structure_for


def trainings_for(user):
    """The default-language trainings ``user`` may edit (page permissions, not a role name)."""
    trainings = TrainingPage.objects.filter(locale=Locale.get_default()).order_by("path")
    return [t for t in trainings if t.permissions_for_user(user).can_edit()]


def progress_index(request):
    trainings = trainings_for(request.user)
    counts = {
        row["training"]: row
        for row in Enrolment.objects.filter(training__in=trainings)
        .values("training")
        .annotate(enrolled=Count("id"), completed=Count("id", filter=Q(completed_at__isnull=False)))
    }
    empty = {"enrolled": 0, "completed": 0}
    rows = [{**counts.get(t.pk, empty), "training": t} for t in trainings]
    return render(request, "courses/admin/progress_index.html", {"rows": rows, "header_title": _("Learner progress")})


def progress_detail(request, training_id: int):
    training = get_object_or_404(TrainingPage, pk=training_id, locale=Locale.get_default())
    if not training.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    keys = [lesson.key for lesson in structure_for(training).lessons]
    enrolments = (
        Enrolment.objects.filter(training=training)
        .select_related("user")
        .annotate(
            lessons_done=Count(
                "lesson_progress",
                filter=Q(lesson_progress__status=LessonStatus.COMPLETED, lesson_progress__lesson_key__in=keys),
            )
        )
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    page = Paginator(enrolments, 50).get_page(request.GET.get("p"))
    for enrolment in page:
        enrolment.percent = Counted(enrolment.lessons_done, len(keys)).percent
    return render(
        request,
        "courses/admin/progress_detail.html",
        {"training": training, "enrolments": page, "total": len(keys), "header_title": training.title},
    )
