"""Demo only (``manage.py setup_demo``): the demo learner in a cohort of the coordinator training,
taught by the demo trainer, with two contact sessions, so that someone trying Kyky can check in
and see the attendance gate count.

The training's exams, self-assessment, contact-session requirements and assignments are its real
material in ``content/``; the demo adds people and sessions, no material of its own.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from .content_import import translation_key
from .models import ModulePage, TrainingPage
from .structure import structure_for

HELSINKI = ZoneInfo("Europe/Helsinki")
SESSIONS = [
    # title, days from today, start and end hour (Helsinki), place; the first is under way whenever the demo is set up
    ("Lähipäivä: tapausklinikka (demo, käynnissä)", 0, None, None, "Esimerkin AMK, luokka A101"),
    ("Lähipäivä: työpaikan tuki (demo)", 3, 9, 13, "Esimerkin AMK, luokka A101"),
]


def demo_cohort(*, training: TrainingPage, cohort, teacher, learner) -> None:
    """The learner joins the cohort, the trainer teaches it, and it has the demo sessions."""
    _retire_old_demo_module(training)
    _people(cohort, teacher, learner, training)
    _sessions(cohort, teacher, training)


def _retire_old_demo_module(training: TrainingPage) -> None:
    """Earlier demos added a module of their own; the real material has replaced it."""
    for module in ModulePage.objects.filter(translation_key=translation_key("demo", "module")):
        module.delete()


def _people(cohort, teacher, learner, training) -> None:
    from lms.organisations.models import CohortLearner

    from .services import enrolment_create

    cohort.teachers.add(teacher)
    enrolment_create(user=learner, training=training, invited=True, notify=False)
    CohortLearner.objects.get_or_create(cohort=cohort, user=learner)


def _first_attendance_block(training: TrainingPage) -> str:
    """The id of the training's first *Contact sessions* block (Part 1's), which the demo sessions count for."""
    for lesson in structure_for(training).lessons:
        for block_id in lesson.requirements.gates_of("attendance"):
            return block_id
    return ""


def _sessions(cohort, teacher, training) -> None:
    """One session under way now (so the check-in code can be tried) and one in a few days; moved forward
    when the demo is set up again after they have passed."""
    from lms.schedule.models import ContactSession

    requirement = _first_attendance_block(training)
    now = datetime.datetime.now(HELSINKI)
    for title, days, start, end, place in SESSIONS:
        if start is None:
            starts_at = now.replace(minute=0, second=0, microsecond=0)
            ends_at = starts_at + datetime.timedelta(hours=3)
        else:
            day = (now + datetime.timedelta(days=days)).replace(second=0, microsecond=0)
            starts_at, ends_at = day.replace(hour=start, minute=0), day.replace(hour=end, minute=0)
        session = ContactSession.objects.filter(cohort=cohort, title=title).first()
        if session is None:
            ContactSession.objects.create(
                training=training,
                cohort=cohort,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                requirement=requirement,
                created_by=teacher,
            )
        elif session.ends_at <= now or (start is None and session.starts_at > now):
            session.starts_at, session.ends_at = starts_at, ends_at
            session.save(update_fields=["starts_at", "ends_at", "updated_at"])
