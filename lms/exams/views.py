"""Learners take exams: the exam on the lesson page, the attempt page, answers saved one by one, submission.

Views parse and authorise, then call the services. A learner reaches only their own attempts
(``selectors.attempt_of``): anyone else's answers 404, as if it did not exist. Refusals come back
as messages in the learner's language; nothing a browser sends makes a 500.
"""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lms.courses import services as courses
from lms.courses.structure import live_lesson, structure_for

from . import services
from .enums import QuestionType, Review
from .models import ExamAttempt
from .selectors import Exam, attempt_of, attempts_in_lesson, exam_for, exam_of

# --- the exam on the lesson page ------------------------------------------------------------------


def _lesson_attempts(request, enrolment, lesson_key) -> dict[str, list[ExamAttempt]]:
    """The learner's attempts at every exam of the lesson, read once per request whatever the number of exams."""
    memo = request.__dict__.setdefault("_exam_attempts", {})
    key = (enrolment.pk, lesson_key)
    if key not in memo:
        memo[key] = attempts_in_lesson(enrolment, lesson_key)
    return memo[key]


def results_visible(exam: Exam) -> bool:
    return exam.review != Review.AFTER_CLOSE or services.exam_closed(exam)


def exam_block(context, block) -> str:
    """The exam block for the learner in ``context``: rules, their attempts and results, and the start
    button; in a preview or for someone not enrolled, the description only."""
    request, page = context.get("request"), context.get("page")
    enrolment = None if context.get("preview") else context.get("enrolment")
    raw = block.block.get_prep_value(block.value)
    exam = None
    if enrolment is not None and page is not None:
        exam = exam_for(enrolment.training, page.translation_key, block.id)
    if exam is None:
        enrolment = None  # the published structure does not know this block (a draft): describe it only
        exam = exam_of(getattr(page, "translation_key", None), block.id, raw)
    attempts: list[ExamAttempt] = []
    if enrolment is not None:
        attempts = _lesson_attempts(request, enrolment, exam.lesson_key).get(block.id, [])
        if any(services.overdue(a) for a in attempts):
            attempts = [services.attempt_refresh(attempt=a) if services.overdue(a) else a for a in attempts]
    submitted = [a for a in attempts if a.submitted_at is not None]
    current = next((a for a in attempts if a.submitted_at is None), None)
    visible = results_visible(exam)
    return render_to_string(
        "exams/blocks/exam.html",
        {
            "value": block.value,
            "block_id": block.id,
            "page": page,
            "exam": exam,
            "enrolment": enrolment,
            "questions": exam.questions_drawn(),
            "attempts": submitted,
            "used": len(attempts),
            "current": current,
            "refusal": services.start_refusal(exam, attempts) if enrolment is not None and current is None else "",
            "results_visible": visible,
            "best": max((a.score for a in submitted), default=None) if visible else None,
            "passed": any(a.passed for a in submitted),
            "content_language": context.get("content_language"),
        },
        request=request,
    )


# --- starting -----------------------------------------------------------------------------------


@login_required
@require_POST
def start(request, lesson_id: int, block_id: str):
    """Start an attempt, or continue the open one; refusals go back to the lesson with the reason."""
    lesson = live_lesson(lesson_id)
    enrolment = courses.enrolment_for_lesson(user=request.user, lesson=lesson) if lesson else None
    if enrolment is None:
        raise Http404
    try:
        attempt = services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block_id)
    except services.ExamError as refusal:
        if refusal.status == 404:
            raise Http404 from None
        messages.error(request, refusal.message)
        return redirect(f"{_lesson_url(enrolment.training, lesson.translation_key)}#exam-{block_id}")
    return redirect("exams:attempt", attempt_id=attempt.pk)


# --- the attempt page ---------------------------------------------------------------------------


def _own(request, attempt_id: int) -> tuple[ExamAttempt, Exam]:
    """The requester's attempt (scored first if its time ran out) and its exam, or 404."""
    attempt = attempt_of(request.user, attempt_id)
    if attempt is None:
        raise Http404
    exam = exam_for(attempt.enrolment.training, attempt.lesson_key, attempt.block_id)
    if exam is None:
        raise Http404
    try:
        attempt = services.attempt_refresh(attempt=attempt)
    except services.ExamError:
        raise Http404 from None
    return attempt, exam


def _lesson_url(training, lesson_key) -> str:
    structure = structure_for(training)
    node = structure.lesson(lesson_key)
    return structure.page(node, get_language()).url if node else "/"


def _worded_exam(training, exam: Exam) -> dict:
    """The exam's title and instructions as the lesson in the learner's language words them, and the lesson's URL."""
    structure = structure_for(training)
    node = structure.lesson(exam.lesson_key)
    ref = structure.page(node, get_language())
    lesson = live_lesson(ref.pk)
    value = {}
    if lesson is not None:
        found = next((b for b in lesson.body.raw_data if b.get("id") == exam.block_id), None)
        value = (found or {}).get("value") or {}
    return {
        "title": value.get("title") or exam.title,
        "instructions": value.get("instructions") or "",
        "lang": ref.language if ref.language != get_language() else "",
        "lesson_url": f"{ref.url}#exam-{exam.block_id}",
    }


def _shown(attempt: ExamAttempt, exam: Exam, *, with_results: bool) -> list[dict]:
    """The attempt's questions as the learner sees them: in the drawn order, options and matches in
    their shuffled order, saved answers in place; with each answer's result and feedback when asked."""
    bank, language = exam.bank, get_language()
    shown = []
    for entry in attempt.questions:
        qid = entry["question"]
        if qid not in bank.questions:
            continue
        question, lang = bank.worded(qid, language)
        value = (attempt.answers.get(qid) or {}).get("value")
        item = {
            "id": qid,
            "number": len(shown) + 1,
            "kind": question["kind"],
            "prompt": question["prompt"],
            "feedback": question["feedback"],
            "lang": lang,
            "answered": value is not None,
        }
        order = entry.get("order") or []
        if question["kind"] in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            chosen = set(value or [])
            item["options"] = [
                {
                    "index": index,
                    "text": question["options"][index]["text"],
                    "feedback": question["options"][index]["feedback"],
                    "checked": index in chosen,
                }
                for index in order
                if index < len(question["options"])
            ]
        elif question["kind"] == QuestionType.NUMERIC:
            item["value"] = value or ""
            item["unit"] = question.get("unit", "")
        else:
            pairs = question["pairs"]
            matches = list(value or [None] * len(pairs))
            position = {index: p for p, index in enumerate(order)}
            item["rights"] = [{"position": p, "text": pairs[i]["right"]} for p, i in enumerate(order) if i < len(pairs)]
            item["lefts"] = [
                {
                    "index": i,
                    "text": pair["left"],
                    "chosen": position.get(matches[i]) if i < len(matches) and matches[i] is not None else None,
                    "chosen_text": pairs[matches[i]]["right"]
                    if i < len(matches) and matches[i] is not None and matches[i] < len(pairs)
                    else "",
                }
                for i, pair in enumerate(pairs)
            ]
        if with_results:
            result = attempt.results.get(qid) or {}
            item["correct"] = bool(result.get("correct"))
        shown.append(item)
    return shown


@login_required
def attempt(request, attempt_id: int):
    """The open attempt (questions, saved answers, time left), or the submitted one's result."""
    attempt, exam = _own(request, attempt_id)
    worded = _worded_exam(attempt.enrolment.training, exam)
    now = timezone.now()
    submitted = attempt.submitted_at is not None
    visible = submitted and results_visible(exam)
    remaining = None
    if not submitted and attempt.deadline_at is not None:
        remaining = max(0, math.floor((attempt.deadline_at - now).total_seconds()))
    return render(
        request,
        "exams/attempt.html",
        {
            "attempt": attempt,
            "exam": exam,
            "worded": worded,
            "questions": _shown(attempt, exam, with_results=visible and exam.review != Review.SCORE),
            "submitted": submitted,
            "results_visible": visible,
            "feedback": visible and exam.review != Review.SCORE,
            "remaining": remaining,
            "remaining_minutes": math.ceil(remaining / 60) if remaining is not None else None,
            "grace": int(services.GRACE.total_seconds()),
        },
    )


# --- answering and submitting -------------------------------------------------------------------


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _posted_answers(request, attempt: ExamAttempt, exam: Exam) -> dict:
    """``{question id: value}`` from the form, in the shape ``services.attempt_answers`` takes.

    The matches are posted as their positions on the page (which say nothing of the right pairs)
    and turned into the matches' own indexes here; anything unreadable becomes an index the service refuses.
    """
    single = request.POST.get("question")
    wanted = [single] if single else request.POST.getlist("shown")
    entries = {entry["question"]: entry for entry in attempt.questions}
    bank = exam.bank
    answers: dict = {}
    for qid in wanted[:200]:
        question = bank.questions.get(qid)
        if qid not in entries or question is None:
            answers[qid] = None  # refused by the service: not part of this attempt
            continue
        field = f"q-{qid}"
        if question["kind"] in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            answers[qid] = [int(v) if v.isdigit() else -1 for v in request.POST.getlist(field)]
        elif question["kind"] == QuestionType.NUMERIC:
            answers[qid] = request.POST.get(field, "")[:200]
        else:
            order = entries[qid].get("order") or []
            matches = []
            for left in range(len(question["pairs"])):
                position = request.POST.get(f"{field}-{left}", "")
                if position == "":
                    matches.append(None)
                else:
                    matches.append(order[int(position)] if position.isdigit() and int(position) < len(order) else -1)
            answers[qid] = matches
    return answers


@login_required
@require_POST
def answer(request, attempt_id: int):
    """Save answers: one question (``question=<id>``, the page's script as the learner answers) or every
    question of the form (``shown``); then back to the attempt, or on to the submission's confirmation."""
    attempt, exam = _own(request, attempt_id)
    try:
        if attempt.submitted_at is not None:
            timed_out = attempt.deadline_at is not None and attempt.submitted_at == attempt.deadline_at
            raise services.ExamError(
                _("The time for this attempt ran out. It was submitted with the answers you had saved.")
                if timed_out
                else _("This attempt has been submitted; its answers can no longer be changed."),
                409,
            )
        answers = _posted_answers(request, attempt, exam)
        if answers:
            services.attempt_answers(attempt=attempt, answers=answers)
    except services.ExamError as refusal:
        if _wants_json(request):
            closed = refusal.status == 409  # submitted, or the time ran out: the page reloads to the result
            return JsonResponse({"saved": False, "error": refusal.message, "closed": closed}, status=refusal.status)
        messages.error(request, refusal.message)
        return redirect("exams:attempt", attempt_id=attempt.pk)
    if _wants_json(request):
        return JsonResponse({"saved": True})
    if request.POST.get("action") == "submit":
        return redirect("exams:submit", attempt_id=attempt.pk)
    if answers:
        messages.success(request, _("Your answers have been saved."))
    anchor = f"#q-{request.POST['question']}" if request.POST.get("question") in answers else ""
    return redirect(reverse("exams:attempt", args=[attempt.pk]) + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, attempt_id: int):
    """Confirm and submit: the page says how many questions are unanswered; the POST submits."""
    attempt, exam = _own(request, attempt_id)
    if attempt.submitted_at is not None:
        if request.method == "POST":
            messages.info(request, _("This attempt has already been submitted."))
        return redirect("exams:attempt", attempt_id=attempt.pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return redirect("exams:submit", attempt_id=attempt.pk)
        try:
            services.attempt_submit(attempt=attempt)
        except services.ExamError as refusal:
            if refusal.status == 404:
                raise Http404 from None
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Your attempt has been submitted."))
        return redirect("exams:attempt", attempt_id=attempt.pk)
    questions = _shown(attempt, exam, with_results=False)
    unanswered = sum(1 for q in questions if not q["answered"])
    return render(
        request,
        "exams/submit.html",
        {
            "attempt": attempt,
            "exam": exam,
            "worded": _worded_exam(attempt.enrolment.training, exam),
            "total": len(questions),
            "unanswered": unanswered,
        },
    )
