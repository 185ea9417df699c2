"""The organisations app's part of a person's data export and erasure (``lms.accounts.personal_data``).

What it keeps about a person: their memberships of organisations and the cohorts they teach
(staff), their places in cohorts with their student number (learners), the rows of uploaded
student lists and the cohort invitations that were about them (matched by any of their e-mail
addresses, whatever its case), and the lists they uploaded and invitations they sent.

Erasing the user deletes memberships, teaching assignments and cohort places with it (``CASCADE``)
and unlinks the lists they uploaded (``SET_NULL``). List rows hold no link to an account, so they
are anonymised here: name, e-mail and student number blanked, the result kept, so that an import's
counts stay true. Invitations to their addresses (to a cohort or to an organisation's staff) that
are still open are deleted (nobody can accept them any more); answered ones are anonymised like list
rows.
"""

from allauth.account.models import EmailAddress
from django.db.models import Q

from .models import (
    Cohort,
    CohortInvitation,
    CohortLearner,
    Membership,
    Organisation,
    RosterImport,
    RosterImportRow,
    StaffInvitation,
)

# Organisation and Cohort are here for their relations to people: members (the Membership rows)
# and teachers; their names are an organisation's and a group's, not a person's.
MODELS = [
    Organisation,
    Membership,
    Cohort,
    CohortLearner,
    RosterImport,
    RosterImportRow,
    CohortInvitation,
    StaffInvitation,
]


def _addresses(user) -> set[str]:
    return {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)} - {""}


def _about(model, user):
    """Rows of ``model`` whose ``email`` is one of ``user``'s addresses."""
    matches = Q()
    for address in _addresses(user):
        matches |= Q(email__iexact=address)
    return model.objects.filter(matches) if matches else model.objects.none()


def roster_rows_about(user):
    """Rows of uploaded lists with one of ``user``'s e-mail addresses."""
    return _about(RosterImportRow, user)


def invitations_about(user):
    """Cohort invitations sent to one of ``user``'s addresses, or accepted by them."""
    return _about(CohortInvitation, user) | CohortInvitation.objects.filter(accepted_by=user)


def staff_invitations_about(user):
    """Invitations to an organisation's staff sent to one of ``user``'s addresses, or accepted by them."""
    return _about(StaffInvitation, user) | StaffInvitation.objects.filter(accepted_by=user)


def personal_data(user) -> dict:
    return {
        "memberships": [
            {"organisation": m.organisation.name, "role": m.role}
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "cohorts_taught": [
            {"cohort": c.name, "organisation": c.organisation.name}
            for c in Cohort.objects.filter(teachers=user).select_related("organisation")
        ],
        "cohort_places": [
            {
                "cohort": p.cohort.name,
                "organisation": p.cohort.organisation.name,
                "training": p.cohort.training.title,
                "student_number": p.student_number,
                "added_at": p.added_at.isoformat(),
            }
            for p in CohortLearner.objects.filter(user=user).select_related("cohort__organisation", "cohort__training")
        ],
        "student_list_rows": [
            {
                "organisation": r.roster_import.cohort.organisation.name,
                "cohort": r.roster_import.cohort.name,
                "uploaded_at": r.roster_import.created_at.isoformat(),
                "line": r.line,
                "name": r.name,
                "email": r.email,
                "student_number": r.student_number,
                "result": r.result,
                "message": r.message,
            }
            for r in roster_rows_about(user).select_related("roster_import__cohort__organisation")
        ],
        "student_lists_uploaded": [
            {
                "organisation": i.cohort.organisation.name,
                "cohort": i.cohort.name,
                "filename": i.filename,
                "uploaded_at": i.created_at.isoformat(),
                "status": i.status,
                "rows": i.total,
            }
            for i in RosterImport.objects.filter(uploaded_by=user).select_related("cohort__organisation")
        ],
        "invitations_received": [
            {
                "organisation": i.cohort.organisation.name,
                "cohort": i.cohort.name,
                "email": i.email,
                "name": i.name,
                "student_number": i.student_number,
                "sent_at": i.created_at.isoformat(),
                "status": i.status,
                "answered_at": i.answered_at.isoformat() if i.answered_at else None,
            }
            for i in invitations_about(user).select_related("cohort__organisation")
        ],
        "invitations_sent": CohortInvitation.objects.filter(invited_by=user).count(),
        "staff_invitations_received": [
            {
                "organisation": i.organisation.name,
                "role": i.role,
                "email": i.email,
                "sent_at": i.created_at.isoformat(),
                "status": i.status,
            }
            for i in staff_invitations_about(user).select_related("organisation")
        ],
        "staff_invitations_sent": StaffInvitation.objects.filter(invited_by=user).count(),
    }


def erase(user) -> None:
    """Anonymise list rows and answered invitations about ``user``, delete open ones; the rest goes with the user."""
    roster_rows_about(user).update(name="", email="", student_number="")
    invitations = invitations_about(user)
    CohortInvitation.objects.filter(pk__in=invitations.filter(answered_at__isnull=True).values("pk")).delete()
    CohortInvitation.objects.filter(pk__in=invitations.values("pk")).update(email="", name="", student_number="")
    staff = staff_invitations_about(user)
    StaffInvitation.objects.filter(pk__in=staff.filter(answered_at__isnull=True).values("pk")).delete()
    StaffInvitation.objects.filter(pk__in=staff.values("pk")).update(email="")
