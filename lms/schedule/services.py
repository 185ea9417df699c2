"""Writes: sessions, sign-ups, attendance, check-in, replacement work and calendar feeds, each in one transaction.

A session's row is locked by whoever changes it or takes one of its seats, so two learners racing for
the last seat cannot both have it, and a change and its e-mail see the same sequence. Marking
attendance (a teacher, a check-in code, approved replacement work) then re-checks the learner's
lessons that wait for attendance (the *attendance* gate) under the learner's enrolment lock, as every
progress write does; module, training and certificate follow through the courses app.
"""

from __future__ import annotations

import datetime
import hmac
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms import ratelimit
from lms.courses import services as courses
from lms.courses.models import Enrolment, TrainingPage, canonical
from lms.courses.structure import structure_for
from lms.jsonbody import has_nul_or_surrogate
from lms.tasks import enqueue_on_commit

from . import ics, selectors
from .enums import ATTENDED, AttendanceStatus, MarkedBy, ReplacementStatus, SignupMode
from .models import CHECKIN_EARLY, CODE_ALPHABET, Attendance, CalendarFeed, ContactSession, Replacement, SessionSignup

# A change of these makes calendars show something else: the sequence goes up and the learners are told.
SEQUENCE_FIELDS = ("starts_at", "ends_at", "place", "online_url")
EDITABLE_FIELDS = (
    *("title", "requirement", "description", "starts_at", "ends_at"),
    *("online_url", "place", "signup", "seats"),
)
CHECKIN_ATTEMPTS = 10  # per learner and CHECKIN_WINDOW: 25**6 codes make guessing hopeless at this pace
CHECKIN_WINDOW = 600
MAX_TEXT = 20_000


class ScheduleError(Exception):
    """A refusal, with its message in the user's language and an HTTP status for views."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def _clean(session: ContactSession) -> None:
    session.full_clean(exclude=["training", "cohort", "created_by"])
    problem = selectors.requirement_problem(session.training, session.requirement)
    if problem:
        raise ValidationError({"requirement": problem})


def session_create(
    *,
    by,
    training: TrainingPage,
    cohort=None,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    description: str = "",
    online_url: str = "",
    place: str = "",
    signup: str = SignupMode.COHORT,
    seats: int | None = None,
    requirement: str = "",
) -> ContactSession:
    """A new session of ``training`` (any language version; stored as the canonical one), for ``cohort`` or open."""
    session = ContactSession(
        training=canonical(training),
        cohort=cohort,
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        online_url=online_url,
        place=place,
        signup=signup if cohort is not None else SignupMode.OPEN,
        seats=seats,
        requirement=requirement,
        created_by=by,
    )
    _clean(session)
    session.save()
    return session


def session_update(*, by, session: ContactSession, **changes) -> ContactSession:
    """Change a session; a new time, place or link raises its sequence and tells the learners (on commit)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = ContactSession.objects.select_for_update().get(pk=session.pk)
        if locked.cancelled:
            raise ScheduleError(_("This session has been cancelled; it cannot be changed."), status=409)
        if locked.signup != changes.get("signup", locked.signup) and (
            locked.signups.exists() or locked.attendances.exists()
        ):
            raise ValidationError({"signup": _("Learners have signed up or attended: who attends cannot change now.")})
        matters = any(field in changes and getattr(locked, field) != changes[field] for field in SEQUENCE_FIELDS)
        for field, value in changes.items():
            setattr(locked, field, value)
        _clean(locked)
        if matters:
            locked.sequence += 1
        locked.save()
        if matters:
            _notify(locked)
    return locked


def session_cancel(*, by, session: ContactSession) -> ContactSession:
    """Cancel a session: it stays in calendars as cancelled (a new sequence) and the learners are told."""
    with transaction.atomic():
        locked = ContactSession.objects.select_for_update().get(pk=session.pk)
        if locked.cancelled:
            return locked
        locked.cancelled_at = timezone.now()
        locked.sequence += 1
        locked.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        _notify(locked)
    return locked


def _notify(session: ContactSession) -> None:
    from .tasks import send_change_email  # the task module imports this one

    enqueue_on_commit(send_change_email, session.pk)


def change_notify(*, session_id: int) -> int:
    """E-mail the concerned learners the session's current state with its .ics; once per sequence.

    Two quick changes queue two tasks: the first tells the latest state and the second finds nothing to tell.
    """
    with transaction.atomic():
        session = (
            ContactSession.objects.select_for_update(of=("self",))
            .select_related("training")
            .filter(pk=session_id)
            .first()
        )
        if session is None or session.notified_sequence >= session.sequence:
            return 0
        method = "CANCEL" if session.cancelled else "REQUEST"
        attachment = ics.calendar([session], method=method)
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        messages = []
        for user in selectors.concerned_users(session):
            language = user.preferred_language or settings.LANGUAGE_CODE
            with translation.override(language):
                context = {
                    "user": user,
                    "session": session,
                    "training_title": _training_title(session, language),
                    "sessions_url": base + reverse("schedule:training", args=[session.training_id]),
                }
                subject = render_to_string("schedule/email/changed_subject.txt", context).strip()
                body = render_to_string("schedule/email/changed_body.txt", context)
            message = EmailMessage(subject, body, None, [user.email])
            message.attach("session.ics", attachment, f"text/calendar; method={method}; charset=UTF-8")
            messages.append(message)
        if messages:
            get_connection().send_messages(messages)
        session.notified_sequence = session.sequence
        session.save(update_fields=["notified_sequence"])
    return len(messages)


def _training_title(session: ContactSession, language: str) -> str:
    structure = structure_for(session.training)
    page = structure.pages.get(language) or structure.pages.get(structure.default_language)
    return page.title if page else session.training.title


# --- sign-up -------------------------------------------------------------------------------------


def signup_create(*, user, session: ContactSession) -> SessionSignup:
    """Take a seat: under the session's row lock, so the last seat goes to exactly one learner."""
    with transaction.atomic():
        locked = ContactSession.objects.select_for_update().get(pk=session.pk)
        if locked.signup != SignupMode.OPEN or not selectors.may_sign_up(locked, user):
            raise ScheduleError(_("You cannot sign up for this session."), status=404)
        if locked.cancelled:
            raise ScheduleError(_("This session has been cancelled."), status=409)
        if locked.starts_at <= timezone.now():
            raise ScheduleError(_("This session has already started; sign-up is closed."), status=409)
        existing = SessionSignup.objects.filter(session=locked, user=user).first()
        if existing is not None:
            return existing
        if locked.seats is not None and SessionSignup.objects.filter(session=locked).count() >= locked.seats:
            raise ScheduleError(_("This session is full."), status=409)
        return SessionSignup.objects.create(session=locked, user=user)


def signup_cancel(*, user, session: ContactSession) -> bool:
    """Give the seat back, until the session starts."""
    with transaction.atomic():
        locked = ContactSession.objects.select_for_update().get(pk=session.pk)
        if locked.starts_at <= timezone.now() and not locked.cancelled:
            raise ScheduleError(_("The session has started; your sign-up can no longer be cancelled."), status=409)
        deleted, _rows = SessionSignup.objects.filter(session=locked, user=user).delete()
    return bool(deleted)


# --- attendance ----------------------------------------------------------------------------------


def _managed(by, session: ContactSession) -> ContactSession:
    if not selectors.manageable(by).filter(pk=session.pk).exists():
        raise ScheduleError(_("There is no such session for you."), status=404)
    return session


def attendance_mark(*, by, session: ContactSession, marks: Mapping[int, str]) -> int:
    """Mark learners present or absent (``{user_id: status}``); returns how many changed.

    Only learners the session concerns are marked; a replaced absence stays replaced unless marked present.
    """
    _managed(by, session)
    session = ContactSession.objects.select_related("training").get(pk=session.pk)
    if session.cancelled:
        raise ScheduleError(_("This session has been cancelled."), status=409)
    if timezone.now() < session.starts_at - CHECKIN_EARLY:
        raise ScheduleError(_("Attendance can be marked once the session begins."), status=409)
    if any(status not in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT) for status in marks.values()):
        raise ScheduleError(_("Mark each learner present or absent."))
    concerned = set(selectors.concerned_users(session).values_list("pk", flat=True))
    now, changed = timezone.now(), []
    with transaction.atomic():
        existing = {a.user_id: a for a in Attendance.objects.select_for_update().filter(session=session)}
        for user_id, status in sorted(marks.items()):
            if user_id not in concerned:
                continue
            current = existing.get(user_id)
            if current is None:
                Attendance.objects.create(
                    session=session, user_id=user_id, status=status, how=MarkedBy.TEACHER, marked_by=by, marked_at=now
                )
            elif current.status == status or (
                current.status == AttendanceStatus.REPLACED and status == AttendanceStatus.ABSENT
            ):
                continue
            else:
                current.status, current.how, current.marked_by, current.marked_at = status, MarkedBy.TEACHER, by, now
                current.save(update_fields=["status", "how", "marked_by", "marked_at"])
            changed.append(user_id)
        _recheck(session, changed)
    return len(changed)


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:32]


def checkin(*, user, session: ContactSession, code: str) -> Attendance:
    """Check in with the code shown in the session: from 15 minutes before it starts until it ends."""
    if ratelimit.limited("schedule-checkin", str(user.pk), limit=CHECKIN_ATTEMPTS, window=CHECKIN_WINDOW):
        raise ScheduleError(_("Too many attempts. Wait a few minutes and try again."), status=429)
    session = ContactSession.objects.get(pk=session.pk)  # as it is now, not as the caller read it
    if not selectors.concerns(session, user):
        raise ScheduleError(_("This session is not one of yours."), status=404)
    if session.cancelled:
        raise ScheduleError(_("This session has been cancelled."), status=409)
    now = timezone.now()
    if now < session.starts_at - CHECKIN_EARLY:
        raise ScheduleError(_("Check-in opens 15 minutes before the session starts."), status=409)
    if now > session.ends_at:
        raise ScheduleError(
            _("The session has ended and check-in is closed. Ask your teacher to mark your attendance."), status=409
        )
    given = _normalise(code)
    if (
        not given
        or any(ch not in CODE_ALPHABET for ch in given)
        or not hmac.compare_digest(given, session.checkin_code)
    ):
        raise ScheduleError(_("That is not this session's code. Check the code shown in the session and try again."))
    with transaction.atomic():
        attendance, created = Attendance.objects.select_for_update().get_or_create(
            session=session,
            user=user,
            defaults={"status": AttendanceStatus.PRESENT, "how": MarkedBy.CODE, "marked_at": now},
        )
        if not created and attendance.status == AttendanceStatus.PRESENT:
            return attendance  # checked in already: nothing changes
        if not created:
            attendance.status, attendance.how, attendance.marked_by, attendance.marked_at = (
                AttendanceStatus.PRESENT,
                MarkedBy.CODE,
                None,
                now,
            )
            attendance.save(update_fields=["status", "how", "marked_by", "marked_at"])
        _recheck(session, [user.pk])
    return attendance


def _recheck(session: ContactSession, user_ids) -> None:
    """Re-check the lessons of the session's training that wait for attendance, for these learners."""
    if not user_ids:
        return
    training = session.training
    keys = [node.key for node in structure_for(training).lessons if node.requirements.gates_of("attendance")]
    if not keys:
        return
    for enrolment in Enrolment.objects.filter(training_id=session.training_id, user_id__in=list(user_ids)).order_by(
        "pk"
    ):
        enrolment.training = training
        enrolment = courses.enrolment_lock(enrolment)
        for key in keys:
            courses.lesson_progress_recheck(enrolment=enrolment, lesson_key=key)


# --- replacement work ----------------------------------------------------------------------------


def replacement_submit(*, user, session: ContactSession, text: str) -> Replacement:
    """Hand in work for a missed session (after it ended); a returned piece is revised and handed in again."""
    text = (text or "").strip()
    if has_nul_or_surrogate(text):
        raise ScheduleError(_("Null characters are not allowed."))
    if not text:
        raise ScheduleError(_("Write your work before handing it in."))
    if len(text) > MAX_TEXT:
        raise ScheduleError(_("The text is too long: at most %(limit)s characters.") % {"limit": f"{MAX_TEXT:,}"})
    session = ContactSession.objects.select_related("training").get(pk=session.pk)
    if not selectors.concerns(session, user):
        raise ScheduleError(_("This session is not one of yours."), status=404)
    if session.cancelled:
        raise ScheduleError(_("This session was cancelled: there is nothing to replace."), status=409)
    if session.ends_at > timezone.now():
        raise ScheduleError(_("Work can replace a session only after it has ended."), status=409)
    with transaction.atomic():
        attended = Attendance.objects.filter(session=session, user=user, status__in=ATTENDED).exists()
        if attended:
            raise ScheduleError(_("Your attendance of this session is already recorded."), status=409)
        work = Replacement.objects.select_for_update().filter(session=session, user=user).first()
        if work is None:
            return Replacement.objects.create(session=session, user=user, text=text)
        if work.status == ReplacementStatus.SUBMITTED:
            raise ScheduleError(_("Your work is waiting for review."), status=409)
        if work.status == ReplacementStatus.APPROVED:
            raise ScheduleError(_("Your work has been approved already."), status=409)
        work.text, work.status, work.submitted_at = text, ReplacementStatus.SUBMITTED, timezone.now()
        work.save(update_fields=["text", "status", "submitted_at"])
    return work


def replacement_decide(*, reviewer, replacement: Replacement, approve: bool, comment: str = "") -> Replacement:
    """Approve (the absence becomes *replaced*, and the lesson gate is re-checked) or return with a comment."""
    _managed(reviewer, replacement.session)
    comment = (comment or "").strip()
    if has_nul_or_surrogate(comment) or len(comment) > MAX_TEXT:
        raise ScheduleError(_("The comment is too long or contains characters that are not allowed."))
    if not approve and not comment:
        raise ScheduleError(_("Say what to change: write a comment when you return work."))
    with transaction.atomic():
        locked = Replacement.objects.select_for_update().select_related("session__training").get(pk=replacement.pk)
        if locked.status != ReplacementStatus.SUBMITTED:
            raise ScheduleError(_("This work has already been decided."), status=409)
        now = timezone.now()
        locked.status = ReplacementStatus.APPROVED if approve else ReplacementStatus.RETURNED
        locked.reviewer, locked.decided_at, locked.comment = reviewer, now, comment
        locked.save(update_fields=["status", "reviewer", "decided_at", "comment"])
        if approve:
            Attendance.objects.update_or_create(
                session=locked.session,
                user=locked.user,
                defaults={
                    "status": AttendanceStatus.REPLACED,
                    "how": MarkedBy.TEACHER,
                    "marked_by": reviewer,
                    "marked_at": now,
                },
            )
            _recheck(locked.session, [locked.user_id])
    return locked


# --- calendar feed -------------------------------------------------------------------------------


def feed_for(user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def feed_reset(*, user) -> CalendarFeed:
    """A new secret address: the old one answers 404 from now on."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if not created:
        feed.token = CalendarFeed._meta.get_field("token").get_default()
        feed.reset_at = timezone.now()
        feed.save(update_fields=["token", "reset_at"])
    return feed
