"""Reads for the registration pages and the course page: always scoped to what the user may manage."""

from django.shortcuts import get_object_or_404

from lms.organisations.selectors import cohorts_for, organisations_managed_by

from .models import ContextLink, GradeSend, GradeTarget, PlatformRegistration


def registrations_for(user):
    return PlatformRegistration.objects.filter(organisation__in=organisations_managed_by(user)).select_related(
        "organisation"
    )


def registration_for(user, registration_id: int) -> PlatformRegistration:
    return get_object_or_404(registrations_for(user), pk=registration_id)


def course_links(user, cohort_id: int):
    """A cohort ``user`` follows and the Moodle courses tied to it (404 for anyone else's cohort)."""
    cohort = get_object_or_404(cohorts_for(user), pk=cohort_id)
    return cohort, list(ContextLink.objects.filter(cohort=cohort).select_related("registration"))


def personal_data(user) -> dict:
    """Where Kyky sends this person's results in Moodle, and what it has sent."""
    return {
        "grade_targets": [
            {"platform": t.registration.label, "subject": t.subject, "lineitem": t.lineitem_url}
            for t in GradeTarget.objects.filter(user=user).select_related("registration")
        ],
        "grades_sent": [
            {"lineitem": g.target.lineitem_url, "score": str(g.score_given), "status": g.status, "sent_at": g.sent_at}
            for g in GradeSend.objects.filter(target__user=user).select_related("target")
        ],
        "moodle_courses_tied_by_you": list(
            ContextLink.objects.filter(created_by=user).values_list("context_title", flat=True)
        ),
    }
