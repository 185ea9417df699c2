from decimal import Decimal
from functools import lru_cache

from django.db import connection

from lms import rows
from lms.courses.completion import ActivityResult
from lms.courses.selectors import LessonRider

from .models import H5PActivity, H5PAttempt, H5PUserData, XAPIStatement


def activity_results(enrolment, requirements: dict) -> dict:
    """Which of the activities are completed and passed for this enrolment (one query).

    An activity with a pass mark is completed only at or above it: a failed result completes
    nothing. Without a pass mark, a completed activity counts as passed unless H5P said it failed.
    """
    results = {}
    for attempt in H5PAttempt.objects.filter(enrolment=enrolment, activity_id__in=list(requirements)):
        mark = requirements.get(attempt.activity_id)
        if mark:
            passed = attempt.score_scaled is not None and attempt.score_scaled * 100 >= Decimal(mark)
            results[attempt.activity_id] = ActivityResult(completed=passed, passed=passed)
        else:
            results[attempt.activity_id] = ActivityResult(
                completed=attempt.completed, passed=attempt.completed and attempt.success is not False
            )
    return results


def activity_pass_marks(activity_ids) -> dict[int, int | None]:
    """The activities' own pass marks (one query)."""
    return dict(H5PActivity.objects.filter(pk__in=list(activity_ids)).values_list("pk", "pass_mark"))


def lesson_records(enrolment, user, activity_ids) -> tuple[dict, dict]:
    """The learner's attempt and the player's saved state for each activity: ``(attempts, states)``.

    One query from the activities, joining this enrolment's attempt and this user's saved state
    (a state exists before any result does, and a result may exist without a state). The lesson page
    reads the same rows in its own query (``LESSON_RIDER``); this is for where it did not. Written as
    SQL because the ORM spent longer compiling the same join than the database did running it, and
    read with a plain cursor because ``raw()`` spent as long again working out its columns. The
    attempts are still the model, its fields converted as the ORM converts them (``lms.rows``).
    """
    if enrolment is None or not activity_ids:
        return {}, {}
    ids = [int(pk) for pk in activity_ids]
    with connection.cursor() as cursor:
        cursor.execute(_lesson_records_sql(len(ids)), [enrolment.pk, user.pk, *ids])
        return _records(cursor.fetchall())


def _records(found) -> tuple[dict, dict]:
    attempts, states = {}, {}
    for activity_id, state, *attempt in found:
        if state is not None:
            states[activity_id] = state
        if attempt[0] is not None:
            attempts[activity_id] = rows.model(H5PAttempt, _ATTEMPT_FIELDS, attempt)
    return attempts, states


_ATTEMPT_FIELDS = H5PAttempt._meta.concrete_fields
_RECORD_COLUMNS = f"a.id, s.data, {rows.columns('t', _ATTEMPT_FIELDS)}"


def _state_and_attempt(enrolment: str, user: str) -> str:
    return (
        f"LEFT JOIN {H5PAttempt._meta.db_table} t ON t.activity_id = a.id AND t.enrolment_id = {enrolment} "
        f"LEFT JOIN {H5PUserData._meta.db_table} s ON s.activity_id = a.id AND s.user_id = {user} "
        "AND s.data_type = 'state' AND s.sub_content_id = 0 "
    )


@lru_cache(maxsize=64)
def _lesson_records_sql(count: int) -> str:
    return (
        f"SELECT {_RECORD_COLUMNS} FROM {H5PActivity._meta.db_table} a "  # noqa: S608 (names and placeholders)
        + _state_and_attempt("%s", "%s")
        + f"WHERE a.id IN ({', '.join(['%s'] * count)})"
    )


def _lesson_joins(count: int) -> str:
    """After ``FROM <enrolments> e`` in the lesson page's query: the lesson's activities, each with
    the enrolment's attempt and its learner's saved state."""
    return f"JOIN {H5PActivity._meta.db_table} a ON a.id IN ({', '.join(['%s'] * count)}) " + _state_and_attempt(
        "e.id", "e.user_id"
    )


LESSON_RIDER = LessonRider(
    name="h5p",
    fields=(H5PActivity._meta.pk, H5PUserData._meta.get_field("data"), *_ATTEMPT_FIELDS),
    select=_RECORD_COLUMNS,
    joins=_lesson_joins,
    ids=lambda lesson: [int(pk) for pk in lesson.requirements.h5p],
    read=_records,
)


def personal_data(user) -> dict:
    return {
        "attempts": [
            {
                "activity": a.activity.title,
                "score_raw": str(a.score_raw) if a.score_raw is not None else None,
                "score_max": str(a.score_max) if a.score_max is not None else None,
                "success": a.success,
                "completed": a.completed,
                "updated_at": a.updated_at.isoformat(),
            }
            for a in H5PAttempt.objects.filter(enrolment__user=user).select_related("activity")
        ],
        "saved_states": [
            {"activity": d.activity.title, "type": d.data_type, "data": d.data}
            for d in H5PUserData.objects.filter(user=user).select_related("activity")
        ],
        "statements": list(XAPIStatement.objects.filter(user=user).values_list("statement", flat=True)),
        "activities_uploaded": [
            {"title": a.title, "uploaded_at": a.created_at.isoformat()}
            for a in H5PActivity.objects.filter(created_by=user).only("title", "created_at")
        ],
    }
