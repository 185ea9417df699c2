"""Learners answer self-assessments on the lesson page and see their own before/after; teachers see
their cohort's aggregate, programme staff the programme's, each under the minimum group rule.

Every view finds what it acts on through the rule of its audience (the learner's own enrolment,
``organisations.selectors.cohort_for``, the programme staff's area) and answers 404 to anyone else.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.courses import services as courses
from lms.courses.selectors import enrolment_in
from lms.courses.structure import lesson_url, live_lesson, live_trainings
from lms.organisations import exports
from lms.organisations.forms import PeriodForm
from lms.organisations.selectors import cohort_for, sees_programme

from . import selectors, services, statistics
from .enums import Phase

ANSWERS_KEY = "self-assessment-answers"  # what a refused form held, to show it again
MAX_KEPT = 64  # statements at most: more is not a form of ours


# --- the lesson block -----------------------------------------------------------------------------


def _responses(request, enrolment) -> dict:
    """The learner's responses in the training, read once per request whatever the blocks on the page."""
    cached = getattr(request, "_self_assessment_responses", None)
    if cached is None or cached[0] != enrolment.pk:
        cached = (enrolment.pk, selectors.responses_of(enrolment))
        request._self_assessment_responses = cached
    return cached[1]


def _learner_rows(assessment, version, start, end) -> list[dict]:
    """Per statement: the learner's own value at the start and at the end, and their chart point."""
    values = {sid: (s, e) for sid, s, e in selectors.statement_pairs(assessment, start, end)}
    rows = []
    for statement in version.statements:
        s, e = values[statement.id]
        rows.append(
            {
                "statement": statement,
                "label": statement.text,
                "language": statement.language,
                "start": s,
                "end": e,
                "change": e - s if s is not None and e is not None else None,
                "point": statistics.point(assessment, s, e) if s is not None or e is not None else None,
            }
        )
    return rows


def block_view(context, block) -> str:
    """The self-assessment block for the learner: the form, or their answers (and before/after at the end)."""
    request, enrolment = context.get("request"), context.get("enrolment")
    preview, page = bool(context.get("preview")), context.get("page")
    value = block.value
    assessment = selectors.assessment_of(value.get("assessment"))
    if assessment is None:
        return ""
    phase = value.get("phase") if value.get("phase") in Phase.values else Phase.START
    version = assessment.version(translation.get_language() or assessment.default)
    responses = _responses(request, enrolment) if enrolment is not None and not preview else {}
    mine = responses.get((assessment.key, phase))
    start, end = responses.get((assessment.key, Phase.START)), responses.get((assessment.key, Phase.END))
    kept = {}
    stash = request.session.get(ANSWERS_KEY) if request is not None else None
    if stash and block.id in stash:
        kept = stash[block.id]
        del request.session[ANSWERS_KEY]
    can_answer = enrolment is not None and not preview and mine is None and page is not None and page.pk
    return render_to_string(
        "selfassessment/blocks/self_assessment.html",
        {
            "block_id": block.id,
            "page": page,
            "training": context.get("training"),
            "assessment": assessment,
            "version": version,
            "phase": phase,
            "response": mine,
            "can_answer": can_answer,
            "kept": {sid: str(v) for sid, v in kept.items()},
            "rows": _learner_rows(assessment, version, start and start.answers, end.answers)
            if phase == Phase.END and mine is not None and end is not None
            else [],
            "has_start": start is not None,
            "ticks": statistics.ticks(assessment),
        },
        request=request,
    )


@login_required
@require_POST
def respond(request, lesson_id: int, block_id: str):
    """Answer the self-assessment ``block_id`` of the lesson, as the signed-in learner and no one else."""
    lesson = live_lesson(lesson_id)
    enrolment = courses.enrolment_for_lesson(user=request.user, lesson=lesson) if lesson else None
    if enrolment is None:
        raise Http404
    answers = {key[2:]: value for key, value in request.POST.items() if key.startswith("s-")}
    try:
        services.response_submit(
            enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block_id, answers=answers
        )
    except services.SelfAssessmentError as refusal:
        if refusal.status == 404:
            raise Http404 from None
        messages.error(request, refusal.message)
        if refusal.status != 409 and len(answers) <= MAX_KEPT:  # nothing chosen is lost
            request.session[ANSWERS_KEY] = {block_id: {k[:64]: v[:8] for k, v in answers.items()}}
    else:
        messages.success(request, _("Thank you. Your answers have been saved."))
    return redirect(f"{lesson_url(lesson, request.LANGUAGE_CODE)}#sa-{block_id}")


# --- the learner's own page -----------------------------------------------------------------------


@login_required
def mine(request, training_id: int):
    """The learner's own answers at the start and at the end of the training, statement by statement."""
    trainings = live_trainings()
    page = trainings.by_id.get(training_id)
    enrolment = enrolment_in(user=request.user, training=page) if page is not None else None
    if enrolment is None:
        raise Http404
    language = request.LANGUAGE_CODE
    responses = selectors.responses_of(enrolment)
    sections = []
    for number, assessment in enumerate(selectors.training_assessments(page), start=1):
        start, end = responses.get((assessment.key, Phase.START)), responses.get((assessment.key, Phase.END))
        version = assessment.version(language)
        sections.append(
            {
                "assessment": assessment,
                "version": version,
                "start": start,
                "end": end,
                "rows": _learner_rows(assessment, version, start and start.answers, end and end.answers)
                if start or end
                else [],
                "ticks": statistics.ticks(assessment),
                "chart_id": f"mine-{number}",
            }
        )
    return render(
        request,
        "selfassessment/mine.html",
        {"training": trainings.localised(page, language), "sections": sections},
    )


# --- teachers -------------------------------------------------------------------------------------


@login_required
def cohort(request, cohort_id: int):
    """The cohort's aggregate per statement, for whoever may follow the cohort (its teachers and admins)."""
    group = cohort_for(request.user, cohort_id)
    return render(
        request,
        "selfassessment/cohort.html",
        {
            "cohort": group,
            "training": live_trainings().localised(group.training, request.LANGUAGE_CODE),
            "figures": statistics.cohort_figures(group, request.LANGUAGE_CODE),
            "minimum": statistics.min_group(),
        },
    )


# --- the programme --------------------------------------------------------------------------------


def _period(request) -> tuple[PeriodForm, tuple]:
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, (form.cleaned_data.get("from_date"), form.cleaned_data.get("to_date"))
    return form, (None, None)


@login_required
def programme(request):
    """Learning gain per training, organisation and period; everyone but programme staff gets a 404."""
    if not sees_programme(request.user):
        raise Http404
    form, (date_from, date_to) = _period(request)
    return render(
        request,
        "selfassessment/programme.html",
        {
            "form": form,
            "trainings": statistics.programme_figures(request.LANGUAGE_CODE, date_from, date_to),
            "minimum": statistics.min_group(),
            "query": request.GET.urlencode() if form.is_bound and form.is_valid() else "",
        },
    )


@login_required
def programme_export(request):
    """The research export: answer pairs of the groups shown, without personal data (``research_rows``)."""
    if not sees_programme(request.user):
        raise Http404
    _form, (date_from, date_to) = _period(request)
    header = [
        _("Training"),
        _("Self-assessment"),
        _("Organisation"),
        _("Month"),
        _("Statement id"),
        _("Learning outcome"),
        _("At the start"),
        _("At the end"),
        _("Scale from"),
        _("Scale to"),
    ]
    rows = [
        [exports.safe(cell) if isinstance(cell, str) else cell for cell in row]
        for row in statistics.research_rows(request.LANGUAGE_CODE, date_from, date_to)
    ]
    response = HttpResponse(exports.as_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kyky-self-assessments.csv"'
    return response
