"""Learners hand in work from the lesson page; reviewers work through their queue.

Every view finds what it acts on through the same rules as the services (``permissions.reviewable``
for reviewers, the learner's own enrolment for learners) and answers 404 to anyone else.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lms.courses import services as courses
from lms.courses.structure import lesson_url, live_lesson
from lms.organisations.models import Cohort
from lms.storage import private_storage

from . import selectors, services
from .enums import QueueState, SubmissionStatus
from .models import SubmissionFile
from .permissions import reviewable, trainings_authored_by

DRAFTS_KEY = "assignment-drafts"
PER_PAGE = 25


def _back_to_lesson(request, lesson, block_id: str):
    return redirect(f"{lesson_url(lesson, request.LANGUAGE_CODE)}#a-{block_id}")


@login_required
@require_POST
def hand_in(request, lesson_id: int, block_id: str):
    """Save the draft (``action=save``) or save and submit it (``action=submit``)."""
    lesson = live_lesson(lesson_id)
    enrolment = courses.enrolment_for_lesson(user=request.user, lesson=lesson) if lesson else None
    if enrolment is None:
        raise Http404
    text = request.POST.get("text", "")
    remove = [int(v) for v in request.POST.getlist("remove") if v.isdigit()]
    try:
        services.draft_save(
            enrolment=enrolment,
            lesson_key=lesson.translation_key,
            block_id=block_id,
            text=text,
            add=request.FILES.getlist("files"),
            remove=remove,
        )
        if request.POST.get("action") == "submit":
            services.submission_submit(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block_id)
            messages.success(request, _("Your work has been submitted. You will be told when it has been reviewed."))
        else:
            messages.success(request, _("Your draft has been saved. Only you can see it until you submit it."))
    except services.AssignmentError as refusal:
        if refusal.status == 404:
            raise Http404 from None
        messages.error(request, refusal.message)
        request.session[DRAFTS_KEY] = {block_id: text}  # what they wrote is kept (UnstorableInputMiddleware let it in)
    return _back_to_lesson(request, lesson, block_id)


@login_required
def file_download(request, file_id: int):
    """A handed-in file, for its learner and their reviewers only; always a download, never shown inline."""
    visible = SubmissionFile.objects.filter(
        Q(submission__enrolment__user=request.user) | Q(submission__in=reviewable(request.user)), pk=file_id
    )
    attachment = visible.first()
    if attachment is None or not private_storage().exists(attachment.file.name):
        raise Http404
    response = FileResponse(
        private_storage().open(attachment.file.name, "rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def _may_review_anything(user) -> bool:
    return Cohort.objects.filter(teachers=user).exists() or trainings_authored_by(user).exists()


@login_required
def queue(request):
    """The reviewer's queue: waiting, in review, returned, approved; filtered by cohort and assignment."""
    if not _may_review_anything(request.user):
        raise Http404
    state = request.GET.get("state", QueueState.WAITING)
    state = state if state in QueueState.values else QueueState.WAITING
    cohorts = list(Cohort.objects.filter(teachers=request.user, archived_at__isnull=True).only("pk", "name"))
    cohort_id = request.GET.get("cohort", "")
    cohort_id = int(cohort_id) if cohort_id.isdigit() and int(cohort_id) in {c.pk for c in cohorts} else None
    assignments = selectors.assignment_choices(request.user, request.LANGUAGE_CODE)
    chosen = request.GET.get("assignment", "")
    lesson_key, _colon, block_id = chosen.partition(":") if chosen in dict(assignments) else ("", "", "")
    rounds = selectors.review_queue(
        request.user, state=state, cohort_id=cohort_id, assignment=(lesson_key, block_id) if lesson_key else None
    )
    page = Paginator(rounds.values_list("pk", flat=True), PER_PAGE).get_page(request.GET.get("p"))
    rows = selectors.queue_page(page.object_list, language=request.LANGUAGE_CODE)
    return render(
        request,
        "assignments/queue.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "states": QueueState,
            "cohorts": cohorts,
            "cohort_id": cohort_id,
            "assignments": assignments,
            "assignment": chosen if lesson_key else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request, submission_id: int):
    """One round: what the learner handed in, the earlier rounds, and the decision form."""
    submission = reviewable(request.user).filter(pk=submission_id).exclude(status=SubmissionStatus.DRAFT).first()
    if submission is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "claim":
                services.review_claim(reviewer=request.user, submission_id=submission.pk)
            elif action == "release":
                services.review_release(reviewer=request.user, submission_id=submission.pk)
                return redirect("assignments:queue")
            else:
                grade = request.POST.get("grade", "")
                decided = services.review_decide(
                    reviewer=request.user,
                    submission_id=submission.pk,
                    decision=request.POST.get("decision", ""),
                    feedback=request.POST.get("feedback", ""),
                    scores={k[len("score-") :]: v for k, v in request.POST.items() if k.startswith("score-")},
                    grade=int(grade) if grade.isdigit() else None,
                )
                messages.success(
                    request,
                    _("Approved. The learner has been told.")
                    if decided.status == SubmissionStatus.APPROVED
                    else _("Returned for revision. The learner has been told."),
                )
                return redirect(reverse("assignments:queue"))
        except services.AssignmentError as refusal:
            if refusal.status == 404:
                raise Http404 from None
            messages.error(request, refusal.message)
            context = selectors.review_context(submission, request.user, request.LANGUAGE_CODE, posted=request.POST)
            return render(request, "assignments/review.html", context, status=409 if refusal.status == 409 else 400)
        return redirect("assignments:review", submission_id=submission.pk)
    context = selectors.review_context(submission, request.user, request.LANGUAGE_CODE)
    return render(request, "assignments/review.html", context)
