"""Reads of submissions: for the completion rule, the lesson page, the review queue and data export."""

from django.db.models import F, QuerySet
from django.utils import timezone

from .enums import QueueState, SubmissionStatus
from .models import Submission, SubmissionFile
from .permissions import reviewable


def approved_assignments(enrolment, lesson_key, block_ids) -> set[str]:
    """Which of the lesson's assignment blocks have an approved round (one query; none asked, none run)."""
    if not block_ids:
        return set()
    return set(
        Submission.objects.filter(
            enrolment=enrolment, lesson_key=lesson_key, block_id__in=list(block_ids), status=SubmissionStatus.APPROVED
        ).values_list("block_id", flat=True)
    )


def rounds_for(enrolment, lesson_key) -> dict[str, list[Submission]]:
    """Every round of every assignment of a lesson, with their files: two queries for the lesson page."""
    rounds: dict[str, list[Submission]] = {}
    for submission in Submission.objects.filter(enrolment=enrolment, lesson_key=lesson_key).prefetch_related("files"):
        rounds.setdefault(submission.block_id, []).append(submission)
    return rounds


def review_queue(
    reviewer, *, state: str = QueueState.WAITING, cohort_id: int | None = None, lesson_key=None
) -> QuerySet[Submission]:
    """A reviewer's queue, oldest waiting first; the learner and their cohort joined in, no query per row."""
    now = timezone.now()
    rounds = reviewable(reviewer).exclude(status=SubmissionStatus.DRAFT)
    if state == QueueState.WAITING:
        rounds = rounds.filter(status=SubmissionStatus.SUBMITTED).exclude(claimed_until__gt=now)
    elif state == QueueState.IN_REVIEW:
        rounds = rounds.filter(status=SubmissionStatus.SUBMITTED, claimed_until__gt=now)
    elif state == QueueState.RETURNED:
        rounds = rounds.filter(status=SubmissionStatus.RETURNED)
    elif state == QueueState.APPROVED:
        rounds = rounds.filter(status=SubmissionStatus.APPROVED)
    if cohort_id is not None:
        rounds = rounds.filter(
            enrolment__user__cohort_places__cohort_id=cohort_id,
            enrolment__user__cohort_places__cohort__training_id=F("enrolment__training_id"),
        )
    if lesson_key is not None:
        rounds = rounds.filter(lesson_key=lesson_key)
    order = "submitted_at" if state in (QueueState.WAITING, QueueState.IN_REVIEW) else "-decided_at"
    return rounds.select_related("enrolment__user", "claimed_by", "reviewer").order_by(order, "pk")


def waiting_count(reviewer) -> int:
    return review_queue(reviewer).count()


def personal_data(user) -> dict:
    return {
        "submissions": [
            {
                "lesson": str(s.lesson_key),
                "assignment": s.block_id,
                "round": s.round,
                "status": s.status,
                "text": s.text,
                "files": [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in s.files.all()],
                "submitted_at": s.submitted_at.isoformat() if s.submitted_at else None,
                "decided_at": s.decided_at.isoformat() if s.decided_at else None,
                "grade": s.grade_label,
                "feedback": s.feedback,
                "scores": s.scores,
            }
            for s in Submission.objects.filter(enrolment__user=user).prefetch_related("files").order_by("pk")
        ],
        "files_count": SubmissionFile.objects.filter(submission__enrolment__user=user).count(),
    }
