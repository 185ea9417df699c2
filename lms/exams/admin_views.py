"""*Question statistics* for trainers in the Wagtail admin: how each exam question and lesson question fares.

A trainer sees the trainings they may edit (the progress report's rule,
``courses.admin_views.trainings_for``) and, for each, its exams' item statistics (``statistics``)
and how many tries its lesson questions took. Figures only: no learner is named. The page costs a
fixed number of queries whatever the number of attempts and learners.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Locale

from lms.courses.admin_views import trainings_for
from lms.courses.models import TrainingPage
from lms.courses.structure import LessonNode, structure_for, structures_for
from lms.organisations.exports import as_csv, safe

from .enums import QuestionType
from .models import QuestionPool
from .selectors import Exam, bank_for, exam_of
from .statistics import (
    MIN_N,
    SORTS,
    ExamFigures,
    ExamKey,
    Flag,
    ItemRow,
    TriesFigures,
    exam_figures,
    item_rows,
    tries_figures,
)


@dataclass(frozen=True)
class ExamReport:
    lesson: LessonNode
    lesson_title: str
    exam: Exam
    rows: list[ItemRow]
    attempts: int  # submitted attempts counted

    @property
    def key(self) -> str:
        return f"{self.exam.lesson_key}:{self.exam.block_id}"


@dataclass(frozen=True)
class QuestionTries:
    question_id: str
    prompt: str
    max_attempts: int
    figures: TriesFigures


@dataclass(frozen=True)
class LessonReport:
    lesson_title: str
    questions: list[QuestionTries]


def _exams(structure) -> list[tuple[LessonNode, Exam]]:
    """The training's exam blocks in order, as the default-language lessons state them."""
    return [
        (lesson, exam_of(lesson.key, block_id, value))
        for lesson in structure.lessons
        for block_id, value in lesson.requirements.gates_of("exam").items()
    ]


def _editable_training(request, training_id: int) -> TrainingPage:
    training = get_object_or_404(TrainingPage, pk=training_id, locale=Locale.get_default())
    if not training.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return training


def _questions(exams: list[Exam], figures: dict[ExamKey, ExamFigures]) -> dict[str, dict]:
    """The pools' questions by id, with their default-language texts.

    The exams' pools first; a question drawn from a pool no longer in its exam is looked up by the
    pool its attempts name. Two queries at most (pool keys, then those pools), banks from the cache.
    """
    pool_ids = sorted({pk for exam in exams for pk in exam.pool_ids})
    bank = bank_for(pool_ids)
    questions = dict(bank.questions)
    wanted = {item.pool for found in figures.values() for qid, item in found.items.items() if qid not in questions}
    wanted.discard("")
    if wanted:
        keys = [key for key in wanted if _is_uuid(key)]
        more = QuestionPool.objects.filter(translation_key__in=keys).values_list("pk", flat=True)
        for qid, question in bank_for(list(more)).questions.items():
            questions.setdefault(qid, question)
    return questions


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def exam_reports(training, *, first_only: bool, sort: str) -> list[ExamReport]:
    structure = structure_for(training)
    exams = _exams(structure)
    figures = exam_figures([(exam.lesson_key, exam.block_id) for _lesson, exam in exams], first_only=first_only)
    questions = _questions([exam for _lesson, exam in exams], figures)
    pool_ids = {pk for _lesson, exam in exams for pk in exam.pool_ids}
    pool_keys = dict(QuestionPool.objects.filter(pk__in=pool_ids).values_list("pk", "translation_key"))
    reports = []
    for lesson, exam in exams:
        found = figures[(exam.lesson_key, exam.block_id)]
        keys = {str(pool_keys[pk]) for pk in exam.pool_ids if pk in pool_keys}
        own = [qid for qid, question in questions.items() if question.get("pool") in keys]
        reports.append(
            ExamReport(
                lesson=lesson,
                lesson_title=structure.page(lesson, structure.default_language).title,
                exam=exam,
                rows=item_rows(found.items, questions, also=own, sort=sort),
                attempts=found.attempts,
            )
        )
    return reports


def lesson_reports(training) -> list[LessonReport]:
    structure = structure_for(training)
    lessons = [lesson for lesson in structure.lessons if lesson.requirements.questions]
    figures = tries_figures(training, lessons)
    return [
        LessonReport(
            lesson_title=structure.page(lesson, structure.default_language).title,
            questions=[
                QuestionTries(
                    question_id=qid,
                    prompt=_plain(question.get("prompt")),
                    max_attempts=question.get("max_attempts") or 0,
                    figures=figures[lesson.key][qid],
                )
                for qid, question in lesson.requirements.questions.items()
            ],
        )
        for lesson in lessons
    ]


def _plain(html) -> str:
    return Truncator(strip_tags(html or "")).chars(300)


def _options(request) -> tuple[bool, str]:
    """``?attempts=first`` and ``?sort=``: anything else is the default (every attempt, the pools' order)."""
    sort = request.GET.get("sort", "")
    return request.GET.get("attempts") == "first", sort if sort in SORTS else ""


def statistics_index(request):
    trainings = trainings_for(request.user)
    structures = structures_for(trainings)
    rows = []
    for training in trainings:
        structure = structures[training.translation_key]
        rows.append(
            {
                "training": training,
                "exams": len(_exams(structure)),
                "questions": sum(len(lesson.requirements.questions) for lesson in structure.lessons),
            }
        )
    return render(
        request, "exams/admin/statistics_index.html", {"rows": rows, "header_title": _("Question statistics")}
    )


def statistics_detail(request, training_id: int):
    training = _editable_training(request, training_id)
    first_only, sort = _options(request)
    context = {
        "training": training,
        "exams": exam_reports(training, first_only=first_only, sort=sort),
        "lessons": lesson_reports(training),
        "first_only": first_only,
        "sort": sort,
        "flag_labels": dict(Flag.choices),
        "kinds": dict(QuestionType.choices),
        "min_n": MIN_N,
        "header_title": training.title,
    }
    return render(request, "exams/admin/statistics_detail.html", context)


def _kind_label(kind: str) -> str:
    return str(QuestionType(kind).label) if kind in QuestionType.values else ""


def _ratio(value: float | None, places: str) -> Decimal | str:
    return Decimal(str(value)).quantize(Decimal(places)) if value is not None else ""


def statistics_csv(request, training_id: int):
    """The exams' question table as CSV (``?exam=<lesson key>:<block id>`` for one exam)."""
    training = _editable_training(request, training_id)
    first_only, sort = _options(request)
    reports = exam_reports(training, first_only=first_only, sort=sort)
    if wanted := request.GET.get("exam"):
        reports = [report for report in reports if report.key == wanted]
        if not reports:
            raise Http404
    header = [
        _("Lesson"),
        _("Exam"),
        _("Question id"),
        _("Question"),
        _("Question type"),
        _("Learning outcome"),
        _("Attempts"),
        _("Facility (%)"),
        _("Discrimination"),
        _("Options chosen"),
        _("Flags"),
    ]
    rows = []
    for report in reports:
        for row in report.rows:
            question = row.question or {}
            facility = row.figures.facility
            options = " | ".join(
                f"{option.index + 1}. {option.text}{' (' + _('correct') + ')' if option.correct else ''}: "
                f"{option.count} ({option.percent} %)"
                for option in row.options
            )
            rows.append(
                [
                    safe(report.lesson_title),
                    safe(report.exam.title),
                    row.question_id,
                    safe(_plain(question.get("prompt")) if question else _("(question removed)")),
                    safe(_kind_label(row.kind)),
                    safe(question.get("outcome", "")),
                    row.figures.n,
                    _ratio(facility * 100 if facility is not None else None, "1"),
                    _ratio(row.figures.discrimination, "0.01"),
                    safe(options),
                    safe("; ".join(str(Flag(flag).label) for flag in row.flags)),
                ]
            )
    response = HttpResponse(as_csv(header, rows), content_type="text/csv; charset=utf-8")
    suffix = "-first-attempts" if first_only else ""
    response["Content-Disposition"] = f'attachment; filename="kyky-question-statistics-{training.pk}{suffix}.csv"'
    return response
