"""Reads: whom a session concerns, a learner's sessions (dashboard, lesson, feed), and who manages which.

Whom a session concerns is one rule, written once (``concerning``): a cohort-mode session every
learner of its cohort, an open one those who signed up. Everything a learner sees or downloads, and
the feed, goes through it.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import learner_cache
from lms.assignments.permissions import trainings_authored_by
from lms.courses.models import Enrolment
from lms.courses.structure import structure_for
from lms.organisations.models import CohortLearner
from lms.organisations.selectors import cohorts_for

from .enums import ATTENDED, SignupMode
from .models import Attendance, CalendarFeed, ContactSession, Replacement, SessionSignup

MANAGE_PERMISSION = "schedule.change_contactsession"


def _concerns(user_id) -> Q:
    in_cohort = CohortLearner.objects.filter(cohort_id=OuterRef("cohort_id"), user_id=user_id)
    signed_up = SessionSignup.objects.filter(session_id=OuterRef("pk"), user_id=user_id)
    return (Q(signup=SignupMode.COHORT) & Q(Exists(in_cohort))) | (Q(signup=SignupMode.OPEN) & Q(Exists(signed_up)))


def concerning(user) -> QuerySet[ContactSession]:
    """The sessions that concern ``user``, cancelled ones included."""
    if not user.is_authenticated:
        return ContactSession.objects.none()
    return ContactSession.objects.filter(_concerns(user.pk))


def concerns(session: ContactSession, user) -> bool:
    return concerning(user).filter(pk=session.pk).exists()


def concerned_users(session: ContactSession) -> QuerySet:
    """The learners ``session`` concerns (whatever their attendance)."""
    users = get_user_model().objects.filter(is_active=True)
    if session.signup == SignupMode.COHORT:
        return users.filter(cohort_places__cohort_id=session.cohort_id).order_by("certificate_name", "email")
    return users.filter(session_signups__session=session).order_by("certificate_name", "email")


def may_sign_up(session: ContactSession, user) -> bool:
    """Open sessions take the training's enrolled learners; a cohort's open session only its learners."""
    if session.signup != SignupMode.OPEN or not user.is_authenticated:
        return False
    if not Enrolment.objects.filter(user=user, training_id=session.training_id).exists():
        return False
    return session.cohort_id is None or CohortLearner.objects.filter(cohort_id=session.cohort_id, user=user).exists()


def _annotated(sessions: QuerySet, user_id) -> QuerySet:
    """With the learner's attendance, replacement status and sign-up, in the same query."""
    return sessions.annotate(
        my_attendance=Subquery(
            Attendance.objects.filter(session_id=OuterRef("pk"), user_id=user_id).values("status")[:1]
        ),
        my_replacement=Subquery(
            Replacement.objects.filter(session_id=OuterRef("pk"), user_id=user_id).values("status")[:1]
        ),
        signed_up=Exists(SessionSignup.objects.filter(session_id=OuterRef("pk"), user_id=user_id)),
    )


UPCOMING_LIMIT = 10


def upcoming_for(user, *, limit: int = UPCOMING_LIMIT) -> list[ContactSession]:
    """The learner's sessions that have not ended, soonest first: one query (the dashboard's)."""
    if not user.is_authenticated:
        return []
    sessions = concerning(user).filter(ends_at__gte=timezone.now()).select_related("training")
    return list(_annotated(sessions, user.pk).order_by("starts_at", "pk")[:limit])


def upcoming_entry(user) -> learner_cache.Entry:
    """The learner's upcoming sessions as a learner-cache entry: ``(rows, refresh_at)``. A full list
    (``limit`` rows) is built again once its first session has ended, so that a later one moves up."""
    return learner_cache.Entry(
        "upcoming-sessions", "", lambda: upcoming_rows(user), shared=(learner_cache.COHORTS, learner_cache.SESSIONS)
    )


def upcoming_rows(user) -> tuple[list, object]:
    rows = upcoming_for(user, limit=UPCOMING_LIMIT)
    return rows, (rows[0].ends_at if len(rows) == UPCOMING_LIMIT else None)


def training_sessions(user, training_id: int) -> list[ContactSession]:
    """The sessions of a training that the learner sees: theirs, and the open ones they may join (one query)."""
    in_cohort = CohortLearner.objects.filter(cohort_id=OuterRef("cohort_id"), user_id=user.pk)
    visible = _concerns(user.pk) | (Q(signup=SignupMode.OPEN) & (Q(cohort__isnull=True) | Q(Exists(in_cohort))))
    sessions = ContactSession.objects.filter(visible, training_id=training_id).annotate(
        taken=Subquery(
            SessionSignup.objects.filter(session_id=OuterRef("pk"))
            .order_by()
            .values("session_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
    )
    return list(_annotated(sessions, user.pk).order_by("starts_at", "pk"))


def lesson_sessions(user, training_id: int) -> list[ContactSession]:
    """The learner's sessions of the training with their attendance: one query (the lesson block's)."""
    sessions = concerning(user).filter(training_id=training_id)
    return list(_annotated(sessions, user.pk).order_by("starts_at", "pk"))


def attended_by_requirement(user_id, training_id: int) -> dict[str, int]:
    """Sessions of the training the learner attended or replaced (cancelled ones do not count), by the
    attendance block they count for ("" for every block): one query."""
    rows = (
        Attendance.objects.filter(
            user_id=user_id, session__training_id=training_id, session__cancelled_at__isnull=True, status__in=ATTENDED
        )
        .values_list("session__requirement")
        .annotate(count=Count("pk"))
    )
    return dict(rows)


def counted_for(counts: dict[str, int], block_id: str) -> int:
    """Sessions that count for the attendance block ``block_id``: its own and those for every block.

    A session counts for one requirement, so Part 1's sessions never complete Part 2's."""
    return counts.get(block_id, 0) + counts.get("", 0)


def attendance_gate(enrolment, lesson_key, blocks) -> set[str]:
    """The completion registry's source: the attendance blocks whose ``sessions_required`` the learner has met."""
    if not blocks:
        return set()
    counts = attended_by_requirement(enrolment.user_id, enrolment.training_id)
    return {block_id for block_id, value in blocks.items() if counted_for(counts, block_id) >= _required(value)}


def requirements_of(training, language: str) -> list[tuple[str, str]]:
    """The training's *Contact sessions* blocks as (block id, label) in its order, the label naming the
    part (when there are parts) and the lesson in ``language``: the choices of a session's "counts for"."""
    structure = structure_for(training)
    parts = {part.key: part for part in structure.parts}
    found = []
    for module in structure.modules:
        part = parts.get(module.part_key)
        for lesson in module.lessons:
            for block_id in lesson.requirements.gates_of("attendance"):
                title = _title(lesson.pages, language)
                found.append((block_id, f"{_title(part.pages, language)} › {title}" if part else title))
    return found


def requirement_problem(training, requirement: str) -> str | None:
    """Why ``requirement`` cannot be what a session of ``training`` counts for, or None.

    Not one of the training's blocks (a tampered form, a block since removed), or empty where the
    training asks for sessions in more than one place (the session would count for all of them)."""
    offered = [block_id for block_id, _label in requirements_of(training, "")]
    if requirement and requirement not in offered:
        return _("Choose a Contact sessions requirement of this training.")
    if not requirement and len(offered) > 1:
        return _("This training asks for sessions in several places: choose the one this session counts for.")
    return None


def _title(pages, language: str) -> str:
    page = pages.get(language) or next(iter(pages.values()))
    return page.title


def _required(value) -> int:
    try:
        return max(1, int(value.get("sessions_required") or 1))
    except (TypeError, ValueError):
        return 1


def manageable(user) -> QuerySet[ContactSession]:
    """Sessions ``user`` runs: their cohorts' (``cohorts_for``), and, for trainers with the model
    permission, the training-level sessions of the trainings they may edit."""
    if not user.is_authenticated:
        return ContactSession.objects.none()
    rule = Q(cohort__in=cohorts_for(user).values("pk"))
    if user.has_perm(MANAGE_PERMISSION):
        rule |= Q(cohort__isnull=True, training_id__in=trainings_authored_by(user))
    return ContactSession.objects.filter(rule)


def attendance_rows(session: ContactSession) -> list[dict]:
    """Every learner the session concerns with their attendance and replacement work (three queries)."""
    users = list(concerned_users(session))
    marks = {a.user_id: a for a in Attendance.objects.filter(session=session)}
    works = {r.user_id: r for r in Replacement.objects.filter(session=session)}
    return [{"user": user, "attendance": marks.get(user.pk), "replacement": works.get(user.pk)} for user in users]


def personal_data(user) -> dict:
    feed = CalendarFeed.objects.filter(user=user).first()
    return {
        "session_signups": [
            {"session": s.session.title, "starts_at": s.session.starts_at.isoformat(), "at": s.created_at.isoformat()}
            for s in SessionSignup.objects.filter(user=user).select_related("session").order_by("pk")
        ],
        "attendance": [
            {
                "session": a.session.title,
                "starts_at": a.session.starts_at.isoformat(),
                "status": a.status,
                "how": a.how,
                "marked_at": a.marked_at.isoformat(),
            }
            for a in Attendance.objects.filter(user=user).select_related("session").order_by("pk")
        ],
        "replacement_work": [
            {
                "session": r.session.title,
                "text": r.text,
                "status": r.status,
                "submitted_at": r.submitted_at.isoformat(),
                "decided_at": r.decided_at.isoformat() if r.decided_at else None,
                "comment": r.comment,
            }
            for r in Replacement.objects.filter(user=user).select_related("session").order_by("pk")
        ],
        # A teacher's or trainer's own sessions: the author is unlinked (SET_NULL) when the account goes.
        "sessions_created": [
            {"session": s.title, "starts_at": s.starts_at.isoformat(), "created_at": s.created_at.isoformat()}
            for s in ContactSession.objects.filter(created_by=user).order_by("pk")
        ],
        "calendar_feed": {
            "created_at": feed.created_at.isoformat(),
            "reset_at": feed.reset_at and feed.reset_at.isoformat(),
        }
        if feed
        else None,
    }
