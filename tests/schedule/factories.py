"""Contact sessions for tests (and browser journeys): a cohort with its people, sessions at a time from now,
and a training whose lesson waits for attendance.

    training = attendance_training(index, sessions_required=2)
    group = cohort_with(training, learners=[learner], teachers=[teacher])
    now_on = session_for(training, cohort=group, starts_in=timedelta(minutes=-10))   # check-in open
    open_one = session_for(training, signup="open", seats=1)                          # training-level sign-up
"""

import datetime
import uuid

from django.utils import timezone

from lms.courses import services as courses
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation
from lms.schedule import services
from lms.schedule.enums import SignupMode
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, UserFactory, text


def attendance_block(sessions_required: int = 1, *, required: bool = True, block_id: str | None = None) -> dict:
    return {
        "type": "attendance",
        "id": block_id or str(uuid.uuid4()),
        "value": {"sessions_required": sessions_required, "text": "", "estimated_minutes": 90, "required": required},
    }


def attendance_training(index, *, sessions_required: int = 1, **fields):
    """A live training: one module, a lesson that waits for ``sessions_required`` sessions, and a plain lesson."""
    training = TrainingPageFactory(parent=index, **fields)
    module = ModulePageFactory(parent=training)
    LessonPageFactory(parent=module, body=[text(), attendance_block(sessions_required)])
    LessonPageFactory(parent=module, body=[text()])
    return training


def organisation(name: str | None = None) -> Organisation:
    return Organisation.objects.create(
        name=name or f"Ammattikorkeakoulu {uuid.uuid4().hex[:6]}", kind=OrganisationKind.UAS
    )


def cohort_with(
    training, *, learners=(), teachers=(), org: Organisation | None = None, enrol: bool = True, name: str = "Ryhmä"
) -> Cohort:
    """A cohort of ``training`` whose ``teachers`` teach it (members of its organisation) and whose
    ``learners`` are in it (and enrolled, unless ``enrol=False``)."""
    org = org or organisation()
    cohort = Cohort.objects.create(organisation=org, training=training, name=name, study_mode=StudyMode.DEGREE)
    for teacher in teachers:
        Membership.objects.get_or_create(organisation=org, user=teacher, defaults={"role": Role.TEACHER})
        cohort.teachers.add(teacher)
    for learner in learners:
        if enrol:
            courses.enrolment_create(user=learner, training=training, notify=False)
        CohortLearner.objects.create(cohort=cohort, user=learner)
    return cohort


def session_for(
    training,
    *,
    cohort=None,
    starts_in: datetime.timedelta = datetime.timedelta(days=1),
    minutes: int = 90,
    signup: str | None = None,
    seats: int | None = None,
    by=None,
    **fields,
):
    """A session starting ``starts_in`` from now (negative: under way or over), through ``session_create``."""
    starts = timezone.now() + starts_in
    fields.setdefault("title", "Lähiopetus")
    if not fields.get("online_url") and not fields.get("place"):
        fields["place"] = "Luokka 101, Helsinki"
    return services.session_create(
        by=by or UserFactory(),
        training=training,
        cohort=cohort,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=minutes),
        signup=signup or (SignupMode.COHORT if cohort is not None else SignupMode.OPEN),
        seats=seats,
        **fields,
    )
