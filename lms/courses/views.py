"""Views parse and authorise, then call one service; the pages themselves are Wagtail's."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms import learner_cache
from lms.jsonbody import has_nul_or_surrogate

from . import selectors, services
from .models import LessonPage, TrainingPage
from .structure import lesson_url, live_lesson

DRAFTS_KEY = "reflection-drafts"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def serve_lesson(request, lesson: LessonPage):
    """Show a lesson to an enrolled learner, recording the visit; editors see it read-only."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # In the URL's language: a lesson not translated yet is served in its translated training's tree.
    view = selectors.lesson_view(lesson=lesson, user=request.user, language=request.LANGUAGE_CODE)
    read_only = False
    if view.enrolment is None:
        if not lesson.permissions_for_user(request.user).can_edit():
            messages.info(request, _("Enrol in the training to study its lessons."))
            return redirect(view.training.get_url(request))
        read_only = True
    else:
        if services.visit_changes(enrolment=view.enrolment, lesson=lesson, record=view.lesson_progress):
            view.record_opened(services.lesson_open(enrolment=view.enrolment, lesson=lesson))
    context = lesson.get_context(request)
    context.update(selectors.lesson_context(view, request))
    context["preview"] = read_only
    drafts = request.session.pop(DRAFTS_KEY, {})
    context["reflections"] = {**context["reflections"], **{k: {"text": v} for k, v in drafts.items()}}
    context["assignment_drafts"] = request.session.pop("assignment-drafts", {})  # kept by a refused hand-in
    return TemplateResponse(request, lesson.get_template(request), context)


def _enrolled_lesson(request, lesson_id: int):
    """The live lesson (cached) and the requester's enrolment in its training, or 404 for anyone else."""
    lesson = live_lesson(lesson_id)
    enrolment = services.enrolment_for_lesson(user=request.user, lesson=lesson) if lesson else None
    if enrolment is None:
        raise Http404
    return lesson, enrolment


def _back_to(lesson: LessonPage, request, anchor: str):
    """Back to the lesson in the language of the form, which for an untranslated lesson is not its own."""
    return redirect(f"{lesson_url(lesson, request.LANGUAGE_CODE)}#{anchor}")


@login_required
@require_POST
def answer(request, lesson_id: int, question_id: str):
    lesson, enrolment = _enrolled_lesson(request, lesson_id)
    try:
        selected = [int(value) for value in request.POST.getlist("option")]
    except ValueError:
        selected = [-1]
    try:
        result = services.answer_submit(enrolment=enrolment, lesson=lesson, question_id=question_id, selected=selected)
    except services.AnswerError as error:
        messages.error(request, str(error))
    else:
        if result.completed_now:
            messages.success(request, _("Lesson completed."))
    return _back_to(lesson, request, f"q-{question_id}")


@login_required
@require_POST
def reflect(request, lesson_id: int, reflection_id: str):
    lesson, enrolment = _enrolled_lesson(request, lesson_id)
    text = request.POST.get("text", "")
    try:
        if has_nul_or_surrogate(text):  # PostgreSQL's jsonb cannot store them
            raise services.AnswerError(_("Null characters are not allowed."))
        services.reflection_save(enrolment=enrolment, lesson=lesson, reflection_id=reflection_id, text=text)
    except services.AnswerError as error:
        messages.error(request, str(error))
        # Keep what they wrote (less what cannot be kept): the lesson page puts it back in the text box.
        request.session[DRAFTS_KEY] = {reflection_id: _UNSTORABLE.sub("", text)}
    else:
        messages.success(request, _("Your reflection has been saved. Only you can see it."))
    return _back_to(lesson, request, f"r-{reflection_id}")


@login_required
@require_POST
def enrol(request, training_id: int):
    training = get_object_or_404(TrainingPage.objects.live(), pk=training_id)
    try:
        services.enrolment_create(user=request.user, training=training, key=request.POST.get("key", ""))
    except services.EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(training.get_url(request))
    messages.success(request, _("You are enrolled. Welcome!"))
    outline = selectors.training_overview(training=training, user=request.user, request=request)["outline"]
    first = outline.continue_lesson
    return redirect(first.url if first else training.get_url(request))


@login_required
def dashboard(request):
    """*My trainings*: rendered once per change of what it shows (``lms.learner_cache``), read in one
    round trip with the learner's upcoming sessions."""
    from lms.schedule.selectors import upcoming_entry  # the page shows the schedule's list

    language = request.LANGUAGE_CODE

    def build() -> str:
        outlines = selectors.dashboard(user=request.user, language=language, request=request)
        return render_to_string("courses/includes/dashboard_trainings.html", {"outlines": outlines}, request)

    trainings, sessions = learner_cache.pages(
        request.user.pk, [learner_cache.Entry("dashboard", language, build), upcoming_entry(request.user)]
    )
    context = {"trainings": mark_safe(trainings), "upcoming": sessions}  # noqa: S308 (our own render)
    return render(request, "courses/dashboard.html", context)
