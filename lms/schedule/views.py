"""Learners' and teachers' pages for contact sessions, and the calendar feed.

Views parse and authorise, then call one service. A learner finds only sessions that concern them
(``selectors.concerning``) or that they may join; staff only the sessions they run
(``selectors.manageable``: their cohorts', and trainers' training-level ones); anything else is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.courses.models import Enrolment
from lms.courses.structure import live_trainings
from lms.organisations.selectors import cohort_for

from . import ics, selectors, services
from .enums import ATTENDED, AttendanceStatus, ReplacementStatus, SignupMode
from .forms import SessionForm
from .models import CalendarFeed, ContactSession, Replacement


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _refused(request, refusal: services.ScheduleError):
    if refusal.status == 404:
        raise Http404
    messages.error(request, refusal.message)


# --- learners --------------------------------------------------------------------------------------


@login_required
@require_GET
def training(request, training_id: int):
    """A training's sessions for one of its learners: theirs, and the open ones to sign up for."""
    enrolment = Enrolment.objects.filter(user=request.user, training_id=training_id).select_related("training").first()
    if enrolment is None:
        raise Http404
    sessions = selectors.training_sessions(request.user, training_id)
    title = live_trainings().localised(enrolment.training, request.LANGUAGE_CODE).title
    now = timezone.now()
    return render(
        request,
        "schedule/training.html",
        {"training_title": title, "sessions": sessions, "now": now, "modes": SignupMode, "training_id": training_id},
    )


@login_required
@require_POST
def signup(request, session_id: int):
    """Sign up (``action=join``) or give the seat back (``action=leave``)."""
    session = get_object_or_404(ContactSession, pk=session_id, signup=SignupMode.OPEN)
    try:
        if request.POST.get("action") == "leave":
            if services.signup_cancel(user=request.user, session=session):
                messages.success(request, _("Your sign-up has been cancelled."))
        else:
            services.signup_create(user=request.user, session=session)
            messages.success(request, _("You have signed up. The session is in your calendar feed."))
    except services.ScheduleError as refusal:
        _refused(request, refusal)
    return _back(request, reverse("schedule:training", args=[session.training_id]))


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def session_ics(request, session_id: int):
    """One session as an .ics file: for the learners it concerns and the staff who run it."""
    user = request.user
    session = (
        selectors.concerning(user).filter(pk=session_id).first()
        or selectors.manageable(user).filter(pk=session_id).first()
        or (ContactSession.objects.filter(pk=session_id).first() if user.is_superuser else None)
    )
    if session is None:
        raise Http404
    return _ics_response(ics.calendar([session]), f"session-{session.pk}.ics")


@login_required
@require_POST
def checkin(request, session_id: int):
    session = selectors.concerning(request.user).filter(pk=session_id).first()
    if session is None:
        raise Http404
    try:
        services.checkin(user=request.user, session=session, code=request.POST.get("code", ""))
        messages.success(request, _("You are checked in. Welcome!"))
    except services.ScheduleError as refusal:
        _refused(request, refusal)
    return _back(request, reverse("courses:dashboard"))


@login_required
@require_POST
def replacement(request, session_id: int):
    """Hand in work for a missed session."""
    session = selectors.concerning(request.user).filter(pk=session_id).first()
    if session is None:
        raise Http404
    try:
        services.replacement_submit(user=request.user, session=session, text=request.POST.get("text", ""))
        messages.success(request, _("Your work has been handed in. A teacher will review it."))
    except services.ScheduleError as refusal:
        _refused(request, refusal)
    return _back(request, reverse("schedule:training", args=[session.training_id]))


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request):
    """The learner's calendar feed address, and a new one on request (the old one stops working)."""
    if request.method == "POST":
        services.feed_reset(user=request.user)
        messages.success(request, _("Your calendar address has been changed. Subscribe to the new one."))
        return redirect("schedule:calendar")
    feed = services.feed_for(request.user)
    url = request.build_absolute_uri(reverse("schedule_feed:feed", args=[feed.token]))
    return render(request, "schedule/calendar.html", {"feed_url": url, "feed": feed})


@require_GET
def feed(request, token: str):
    """The personal feed: no login, the secret token in the address is the credential (docs/decisions.md)."""
    found = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if found is None or not found.user.is_active:
        raise Http404
    sessions = selectors.concerning(found.user).order_by("starts_at", "pk")
    response = _ics_response(ics.calendar(sessions, name="Kyky"), "kyky.ics")
    response["Content-Disposition"] = 'inline; filename="kyky.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- staff -----------------------------------------------------------------------------------------


@login_required
@require_GET
def cohort(request, cohort_id: int):
    """A cohort's sessions, for its teachers and its organisation's admins."""
    group = cohort_for(request.user, cohort_id)
    sessions = list(ContactSession.objects.filter(cohort=group).order_by("starts_at", "pk"))
    labels = dict(selectors.requirements_of(group.training, request.LANGUAGE_CODE))
    for session in sessions:
        session.counts_for = labels.get(session.requirement, "")
    return render(request, "schedule/cohort.html", {"cohort": group, "sessions": sessions, "now": timezone.now()})


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, cohort_id: int):
    group = cohort_for(request.user, cohort_id)
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        instance=ContactSession(training=group.training, cohort=group),
        training=group.training,
        language=request.LANGUAGE_CODE,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_create(by=request.user, training=group.training, cohort=group, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The session has been added."))
            return redirect("schedule:cohort", cohort_id=group.pk)
    return render(request, "schedule/session_form.html", {"form": form, "cohort": group}, status=_status(form))


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _manageable(request, session_id: int) -> ContactSession:
    return get_object_or_404(selectors.manageable(request.user).select_related("cohort", "training"), pk=session_id)


def _session_home(session: ContactSession) -> str:
    if session.cohort_id:
        return reverse("schedule:cohort", args=[session.cohort_id])
    return reverse("schedule:attendance", args=[session.pk])


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, session_id: int):
    session = _manageable(request, session_id)
    if session.cancelled:
        messages.error(request, _("This session has been cancelled; it cannot be changed."))
        return redirect(_session_home(session))
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        instance=session,
        training=session.training,
        language=request.LANGUAGE_CODE,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(by=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except services.ScheduleError as refusal:
            _refused(request, refusal)
            return redirect(_session_home(session))
        else:
            messages.success(request, _("The session has been saved. Its learners are told of a new time or place."))
            return redirect(_session_home(session))
    return render(
        request,
        "schedule/session_form.html",
        {"form": form, "cohort": session.cohort, "session": session},
        status=_status(form),
    )


@login_required
@require_POST
def session_cancel(request, session_id: int):
    session = _manageable(request, session_id)
    services.session_cancel(by=request.user, session=session)
    messages.success(request, _("The session has been cancelled. Its learners are told."))
    return redirect(_session_home(session))


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request, session_id: int):
    """The attendance list: every learner the session concerns, marked in one form; the check-in code
    while check-in is open; the replacement work waiting for a decision."""
    session = _manageable(request, session_id)
    if request.method == "POST":
        marks = {}
        for key, value in request.POST.items():
            if key.startswith("u-") and key[2:].isdigit():
                marks[int(key[2:])] = value
        try:
            changed = services.attendance_mark(by=request.user, session=session, marks=marks)
            messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
        except services.ScheduleError as refusal:
            _refused(request, refusal)
        return redirect("schedule:attendance", session_id=session.pk)
    rows = selectors.attendance_rows(session)
    return render(
        request,
        "schedule/attendance.html",
        {
            "session": session,
            "rows": rows,
            "checkin_open": session.checkin_open(),
            "statuses": AttendanceStatus,
            "waiting": ReplacementStatus.SUBMITTED,
        },
    )


@login_required
@require_POST
def replacement_decide(request, replacement_id: int):
    work = get_object_or_404(
        Replacement.objects.filter(session__in=selectors.manageable(request.user)).select_related("session"),
        pk=replacement_id,
    )
    try:
        services.replacement_decide(
            reviewer=request.user,
            replacement=work,
            approve=request.POST.get("decision") == "approve",
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, _("Decision saved."))
    except services.ScheduleError as refusal:
        _refused(request, refusal)
    return redirect("schedule:attendance", session_id=work.session_id)


# --- the lesson block ----------------------------------------------------------------------------


def lesson_block(context, block) -> str:
    """The *Contact sessions* block in a lesson: attended of N, upcoming sessions, and replacement work
    for missed ones (one query)."""
    request, enrolment = context.get("request"), context.get("enrolment")
    value = block.value
    required = value.get("sessions_required") or 1
    sessions, attended = [], 0
    now = timezone.now()
    if enrolment is not None:
        sessions = selectors.lesson_sessions(request.user, enrolment.training_id)
        # only the sessions that count for this block: Part 1's sessions are not Part 2's
        sessions = [s for s in sessions if s.requirement in ("", block.id)]
        attended = sum(1 for s in sessions if s.my_attendance in ATTENDED and not s.cancelled)
    upcoming = [s for s in sessions if s.ends_at >= now]
    missed = [s for s in sessions if s.ends_at < now and not s.cancelled and s.my_attendance not in ATTENDED]
    html = render_to_string(
        "schedule/blocks/attendance.html",
        {
            "value": value,
            "block_id": block.id,
            "required": required,
            "attended": attended,
            "upcoming": upcoming,
            "missed": missed,
            "enrolment": enrolment,
            "preview": context.get("preview"),
            "training_id": enrolment.training_id if enrolment else None,
            "now": now,
            "here": request.get_full_path() if request else "",
        },
        request,
    )
    return mark_safe(html)  # noqa: S308 - our own template, autoescaped
