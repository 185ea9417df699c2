from decimal import Decimal

from lms.courses.completion import ActivityResult

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


def attempts_for(enrolment, activity_ids) -> dict:
    if enrolment is None or not activity_ids:
        return {}
    return {a.activity_id: a for a in H5PAttempt.objects.filter(enrolment=enrolment, activity_id__in=activity_ids)}


def saved_states(user, activity_ids) -> dict:
    """The player's saved state per activity, to preload: H5P reads it before starting the content."""
    if not user.is_authenticated or not activity_ids:
        return {}
    return dict(
        H5PUserData.objects.filter(
            user=user, activity_id__in=activity_ids, data_type="state", sub_content_id=0
        ).values_list("activity_id", "data")
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
