"""Handing in and reviewing assignments: the rules, each in one transaction.

The learner's writes (``draft_save``, ``submission_submit``) lock the learner's enrolment, as every
progress write does, so two tabs cannot make two drafts or submit twice. A reviewer first claims a
submitted round (``review_claim``): one conditional UPDATE, so of two reviewers at once exactly one
wins and the other is told who is reviewing it; the claim runs out by itself after ``CLAIM_TIME``.
``review_decide`` locks the round and decides it only while it is still waiting and not claimed by
someone else. An approval re-checks the lesson's completion, and everything downstream (module,
training, certificate) follows through the courses app as for any other requirement.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms import audit, learner_cache
from lms.courses import services as courses
from lms.courses.models import Enrolment
from lms.courses.structure import structure_for
from lms.jsonbody import has_nul_or_surrogate
from lms.storage import private_storage
from lms.tasks import enqueue_on_commit

from .enums import Decision, Grading, HandIn, SubmissionStatus
from .files import FileRefused, file_check
from .models import Submission, SubmissionFile
from .permissions import reviewable

CLAIM_TIME = datetime.timedelta(minutes=30)
MAX_TEXT = 100_000  # characters: about forty pages
MAX_FEEDBACK = 20_000


class AssignmentError(Exception):
    """A refusal, with its message in the user's language and an HTTP status for views."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Assignment:
    """An assignment block as the training's structure knows it (the default language's rules)."""

    block_id: str
    lesson_key: object
    title: str
    hand_in: str
    file_types: list[str]
    max_file_bytes: int
    max_files: int
    rubric: list[dict]
    grading: str
    deadline: datetime.date | None
    required: bool


def assignment_for(enrolment: Enrolment, lesson_key, block_id: str) -> Assignment:
    """The assignment ``block_id`` of the lesson, from the cached structure; 404 when there is none."""
    node = structure_for(enrolment.training).lesson(lesson_key)
    value = node.requirements.assignments.get(block_id) if node is not None else None
    if value is None:
        raise AssignmentError(_("This assignment is no longer in the lesson. Reload the page."), status=404)
    deadline = value.get("deadline")
    return Assignment(
        block_id=block_id,
        lesson_key=node.key,
        title=value.get("title") or "",
        hand_in=value.get("hand_in") or HandIn.BOTH,
        file_types=list(value.get("file_types") or []),
        max_file_bytes=int(value.get("max_file_mb") or 10) * 2**20,
        max_files=int(value.get("max_files") or 3),
        rubric=_rubric(value.get("rubric")),
        grading=value.get("grading") or Grading.PASS_FAIL,
        deadline=datetime.date.fromisoformat(deadline) if isinstance(deadline, str) and deadline else None,
        required=value.get("required", True) is not False,
    )


def _items(raw) -> list:
    """A ListBlock's raw items (``{"type": "item", "value": ...}``, or bare values in old data) as values."""
    return [item.get("value", item) if isinstance(item, dict) and "value" in item else item for item in raw or []]


def _rubric(raw) -> list[dict]:
    """The rubric as plain data: ``[{"name", "description", "levels": [{"label", "description"}]}]``."""
    return [
        {
            "name": criterion.get("name", ""),
            "description": criterion.get("description", ""),
            "levels": [
                {"label": level.get("label", ""), "description": level.get("description", "")}
                for level in _items(criterion.get("levels"))
            ],
        }
        for criterion in _items(raw)
        if isinstance(criterion, dict)
    ]


def _deadline_check(assignment: Assignment) -> None:
    if assignment.deadline is not None and timezone.localdate() > assignment.deadline:
        raise AssignmentError(_("The deadline of this assignment has passed. Ask your teacher what to do."), status=403)


def _text_check(text: str, *, limit: int) -> str:
    if has_nul_or_surrogate(text):  # the middleware refuses both in requests; tasks and shells come here too
        raise AssignmentError(_("Null characters are not allowed."))
    if len(text) > limit:
        raise AssignmentError(_("The text is too long: at most %(limit)s characters.") % {"limit": f"{limit:,}"})
    return text


def _rounds(enrolment: Enrolment, assignment: Assignment) -> list[Submission]:
    return list(
        Submission.objects.filter(
            enrolment=enrolment, lesson_key=assignment.lesson_key, block_id=assignment.block_id
        ).order_by("round")
    )


def draft_save(
    *,
    enrolment: Enrolment,
    lesson_key,
    block_id: str,
    text: str,
    add: Iterable = (),
    remove: Iterable[int] = (),
) -> Submission:
    """Save the learner's draft: its text, new files, files taken away. Starts a new round after a return."""
    assignment = assignment_for(enrolment, lesson_key, block_id)
    text = _text_check(text, limit=MAX_TEXT)
    uploads = list(add)
    if uploads and assignment.hand_in == HandIn.TEXT:
        raise AssignmentError(_("This assignment takes text only, no files."))
    checked = []
    for upload in uploads:
        try:
            checked.append(
                (upload, file_check(upload, allowed=assignment.file_types, max_bytes=assignment.max_file_bytes))
            )
        except FileRefused as refusal:
            raise AssignmentError(str(refusal)) from None
    stored: list[str] = []
    try:
        with transaction.atomic():
            enrolment = courses.enrolment_lock(enrolment)
            _deadline_check(assignment)
            draft = _draft(enrolment, assignment)
            draft.text = text
            draft.save(update_fields=["text", "updated_at"])
            removed = SubmissionFile.objects.filter(submission=draft, pk__in=list(remove))
            names = set(removed.values_list("file", flat=True))
            removed.delete()
            if names:
                transaction.on_commit(lambda: _files_forget(names))
            if draft.files.count() + len(checked) > assignment.max_files:
                raise AssignmentError(
                    _("At most %(count)s files can be handed in with this assignment.")
                    % {"count": assignment.max_files}
                )
            for upload, facts in checked:
                name = private_storage().save(f"assignments/{timezone.now():%Y/%m}/{facts.stored_name}", upload)
                stored.append(name)
                SubmissionFile.objects.create(
                    submission=draft,
                    file=name,
                    name=facts.name,
                    size=facts.size,
                    content_type=facts.content_type,
                    sha256=facts.sha256,
                )
    except BaseException:
        for name in stored:  # the rows are gone with the transaction: so are their files
            private_storage().delete(name)
        raise
    return draft


def _draft(enrolment: Enrolment, assignment: Assignment) -> Submission:
    """The open draft, or a new one: round 1, or the next round after a return (text and files carried over)."""
    rounds = _rounds(enrolment, assignment)
    latest = rounds[-1] if rounds else None
    if latest is not None and latest.status == SubmissionStatus.DRAFT:
        return latest
    if latest is not None and latest.status == SubmissionStatus.APPROVED:
        raise AssignmentError(_("This assignment has been approved; it cannot be changed."), status=409)
    if latest is not None and latest.status == SubmissionStatus.SUBMITTED:
        raise AssignmentError(
            _("Your submission is waiting for review; you can change it if it is returned to you."), status=409
        )
    draft = Submission.objects.create(
        enrolment=enrolment,
        lesson_key=assignment.lesson_key,
        block_id=assignment.block_id,
        round=(latest.round + 1) if latest else 1,
        text=latest.text if latest else "",
    )
    if latest is not None:  # returned: the next round starts from what was handed in
        SubmissionFile.objects.bulk_create(
            [
                SubmissionFile(
                    submission=draft,
                    file=f.file.name,
                    name=f.name,
                    size=f.size,
                    content_type=f.content_type,
                    sha256=f.sha256,
                )
                for f in latest.files.all()
            ]
        )
    return draft


def submission_submit(*, enrolment: Enrolment, lesson_key, block_id: str) -> Submission:
    """Hand in the draft: from now on this round is frozen and waits for a reviewer."""
    assignment = assignment_for(enrolment, lesson_key, block_id)
    with transaction.atomic():
        enrolment = courses.enrolment_lock(enrolment)
        _deadline_check(assignment)
        rounds = _rounds(enrolment, assignment)
        draft = rounds[-1] if rounds and rounds[-1].status == SubmissionStatus.DRAFT else None
        if draft is None:
            if rounds and rounds[-1].status == SubmissionStatus.APPROVED:
                raise AssignmentError(_("This assignment has been approved already."), status=409)
            if rounds and rounds[-1].status == SubmissionStatus.SUBMITTED:
                raise AssignmentError(_("You have submitted this already; it is waiting for review."), status=409)
            raise AssignmentError(_("Write your answer or attach a file first, then submit."))
        has_text, has_files = bool(draft.text.strip()), draft.files.exists()
        if assignment.hand_in == HandIn.TEXT and not has_text:
            raise AssignmentError(_("Write your answer before submitting."))
        if assignment.hand_in == HandIn.FILES and not has_files:
            raise AssignmentError(_("Attach your file before submitting."))
        if not (has_text or has_files):
            raise AssignmentError(_("Write your answer or attach a file first, then submit."))
        draft.status = SubmissionStatus.SUBMITTED
        draft.submitted_at = timezone.now()
        draft.grading = assignment.grading
        draft.rubric = assignment.rubric
        draft.save(update_fields=["status", "submitted_at", "grading", "rubric", "updated_at"])
        learner_cache.touch(enrolment.user_id)
    return draft


def _reviewable(reviewer, submission_id: int) -> Submission:
    submission = reviewable(reviewer).filter(pk=submission_id).select_related("enrolment__training").first()
    if submission is None:
        raise AssignmentError(_("There is no such submission for you to review."), status=404)
    return submission


def review_claim(*, reviewer, submission_id: int) -> Submission:
    """Start reviewing: the round is yours until ``CLAIM_TIME`` has passed or you decide it."""
    submission = _reviewable(reviewer, submission_id)
    now = timezone.now()
    claimed = Submission.objects.filter(
        Q(claimed_by__isnull=True) | Q(claimed_by=reviewer) | Q(claimed_until__lt=now),
        pk=submission.pk,
        status=SubmissionStatus.SUBMITTED,
    ).update(claimed_by=reviewer, claimed_until=now + CLAIM_TIME)
    submission.refresh_from_db()
    if not claimed:
        _refuse_taken(submission)
    return submission


def _refuse_taken(submission: Submission) -> None:
    if submission.status != SubmissionStatus.SUBMITTED:
        raise AssignmentError(_("This submission has already been decided."), status=409)
    reviewer = submission.claimed_by
    who = (reviewer.get_full_name() or reviewer.email) if reviewer is not None else "?"
    raise AssignmentError(
        _("%(name)s is reviewing this submission until %(time)s.")
        % {"name": who, "time": timezone.localtime(submission.claimed_until).strftime("%H.%M")},
        status=409,
    )


def review_release(*, reviewer, submission_id: int) -> None:
    """Give the round back to the queue without deciding it."""
    submission = _reviewable(reviewer, submission_id)
    Submission.objects.filter(pk=submission.pk, claimed_by=reviewer).update(claimed_by=None, claimed_until=None)


def review_decide(
    *,
    reviewer,
    submission_id: int,
    decision: str,
    feedback: str,
    scores: dict,
    grade: int | None = None,
) -> Submission:
    """Approve (with a grade) or return for revision. Only one decision per round, whoever races."""
    submission = _reviewable(reviewer, submission_id)
    if decision not in Decision.values:
        raise AssignmentError(_("Choose whether to approve the submission or return it."))
    feedback = _text_check(feedback.strip(), limit=MAX_FEEDBACK)
    with transaction.atomic():
        locked = Submission.objects.select_for_update(of=("self",)).select_related("claimed_by").get(pk=submission.pk)
        now = timezone.now()
        if locked.status != SubmissionStatus.SUBMITTED or (
            locked.claimed_by_id not in (None, reviewer.pk) and locked.claimed_until and locked.claimed_until > now
        ):
            _refuse_taken(locked)
        scores = _scores_check(locked.rubric, scores)
        if decision == Decision.RETURN and not feedback:
            raise AssignmentError(_("Say what to change: write feedback when you return a submission."))
        if decision == Decision.APPROVE and locked.grading == Grading.SCALE_0_5:
            if grade not in (1, 2, 3, 4, 5):
                raise AssignmentError(_("Give a grade from 1 to 5 to approve the submission."))
        else:
            grade = None
        locked.status = SubmissionStatus.APPROVED if decision == Decision.APPROVE else SubmissionStatus.RETURNED
        locked.reviewer, locked.decided_at = reviewer, now
        locked.grade, locked.feedback, locked.scores = grade, feedback, scores
        locked.claimed_by, locked.claimed_until = None, None
        locked.save()
        audit.log(
            instance=locked,
            action=audit.ASSIGNMENT_APPROVE if decision == Decision.APPROVE else audit.ASSIGNMENT_RETURN,
            user=reviewer,
            data={"round": locked.round, "grade": locked.grade_label},
        )
        enrolment = submission.enrolment
        if locked.status == SubmissionStatus.APPROVED:
            courses.lesson_progress_recheck(enrolment=enrolment, lesson_key=locked.lesson_key)
        learner_cache.touch(enrolment.user_id)
        from .tasks import send_decision_email  # the task module imports this one

        enqueue_on_commit(send_decision_email, locked.pk)
    return locked


def _scores_check(rubric: list[dict], scores: dict) -> dict:
    """``{criterion index: level index}`` for every criterion of the rubric the round was submitted with."""
    clean = {}
    for index, criterion in enumerate(rubric):
        levels = criterion.get("levels") or []
        raw = (scores or {}).get(str(index), (scores or {}).get(index))
        try:
            level = int(raw)
        except (TypeError, ValueError):
            raise AssignmentError(
                _("Choose a level for every criterion: %(criterion)s is missing.")
                % {"criterion": criterion.get("name", "")}
            ) from None
        if not 0 <= level < len(levels):
            raise AssignmentError(_("That level is not in the rubric."))
        clean[str(index)] = level
    return clean


def decision_notify(*, submission_id: int) -> bool:
    """E-mail the learner the decision, in their language; once per decision."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("enrolment__user", "enrolment__training")
            .filter(pk=submission_id, notified_at__isnull=True, decided_at__isnull=False)
            .first()
        )
        if submission is None:
            return False
        user = submission.enrolment.user
        with translation.override(user.preferred_language):
            training = structure_for(submission.enrolment.training)
            node = training.lesson(submission.lesson_key)
            page = training.page(node, user.preferred_language) if node else None
            context = {
                "user": user,
                "submission": submission,
                "lesson_title": page.title if page else "",
                "lesson_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + (page.url if page else "/"),
            }
            subject = render_to_string("assignments/email/decided_subject.txt", context).strip()
            body = render_to_string("assignments/email/decided_body.txt", context)
        send_mail(subject, body, None, [user.email])
        Submission.objects.filter(pk=submission.pk).update(notified_at=timezone.now())
    return True


def _files_forget(names: set[str]) -> None:
    """Delete stored files that no round refers to any more (a file carried over is shared with its round)."""
    kept = set(SubmissionFile.objects.filter(file__in=names).values_list("file", flat=True))
    for name in names - kept:
        private_storage().delete(name)


def files_erase(user) -> None:
    """Delete the stored files of a learner's submissions (the rows go with the enrolments)."""
    names = set(SubmissionFile.objects.filter(submission__enrolment__user=user).values_list("file", flat=True))
    for name in names:
        private_storage().delete(name)
