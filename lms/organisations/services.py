"""Applying uploaded student lists to a cohort.

The import runs as a Celery job. Each row is applied in its own transaction together with the
record of its outcome, so a worker that dies mid-file and is restarted resumes at the first
unrecorded line: no row is lost and none is applied twice. A row with an error changes nothing;
the others go in. Uploading the same file again finds everyone enrolled and changes nothing.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms.courses import services as courses
from lms.courses.models import Enrolment
from lms.tasks import enqueue_on_commit

from .enums import ImportStatus, RowResult
from .models import CohortLearner, RosterImport, RosterImportRow
from .roster import RosterError, Row, read_roster


def roster_import_start(*, cohort, upload, user) -> RosterImport:
    from .tasks import run_roster_import

    with transaction.atomic():
        roster_import = RosterImport(cohort=cohort, uploaded_by=user, filename=upload.name[:255])
        roster_import.file.save(upload.name, upload, save=False)
        roster_import.save()
        enqueue_on_commit(run_roster_import, roster_import.pk)
    return roster_import


def roster_import_run(*, import_id: int) -> RosterImport:
    roster_import = RosterImport.objects.select_related("cohort__training", "uploaded_by").get(pk=import_id)
    if roster_import.status in {ImportStatus.DONE, ImportStatus.FAILED}:
        return roster_import
    language = getattr(roster_import.uploaded_by, "preferred_language", None) or "fi"
    with translation.override(language):  # row messages in the uploader's language
        try:
            with roster_import.file.open("rb") as handle:
                rows = read_roster(handle.read(), roster_import.filename)
        except RosterError as error:
            RosterImport.objects.filter(pk=import_id).update(
                status=ImportStatus.FAILED, error=str(error), finished_at=timezone.now()
            )
            return roster_import
        RosterImport.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, total=len(rows))
        recorded = set(roster_import.rows.values_list("line", flat=True))
        for row in rows:
            if row.line not in recorded:
                row_apply(roster_import, row)
    RosterImport.objects.filter(pk=import_id).update(status=ImportStatus.DONE, finished_at=timezone.now())
    roster_import.refresh_from_db()
    return roster_import


def _record(roster_import, row: Row, result: str, message: str = "") -> None:
    RosterImportRow.objects.create(
        roster_import=roster_import,
        line=row.line,
        name=row.name[:200],
        email=row.email[:254],
        student_number=row.student_number[:50],
        result=result,
        message=message,
    )


def row_apply(roster_import: RosterImport, row: Row) -> str:
    """Enrol one person (inviting them if they have no account); record the outcome with it."""
    if row.errors:
        with transaction.atomic():
            _record(roster_import, row, RowResult.ERROR, " ".join(row.errors))
        return RowResult.ERROR
    cohort = roster_import.cohort
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User.objects.filter(email__iexact=row.email).first()
            invited = user is None
            if invited:
                user = User.objects.create_user(
                    email=row.email, certificate_name=row.name, preferred_language=row.language or "fi"
                )
                EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
            existed = Enrolment.objects.filter(user=user, training=cohort.training).exists()
            courses.enrolment_create(user=user, training=cohort.training, invited=True, notify=not invited)
            place, created = CohortLearner.objects.get_or_create(
                cohort=cohort, user=user, defaults={"student_number": row.student_number}
            )
            if not created and row.student_number and not place.student_number:
                place.student_number = row.student_number
                place.save(update_fields=["student_number"])
            result = (
                RowResult.INVITED
                if invited
                else (RowResult.ALREADY_ENROLLED if existed and not created else RowResult.ENROLLED)
            )
            _record(roster_import, row, result)
            if invited:
                from .tasks import send_invitation

                enqueue_on_commit(send_invitation, user.pk, cohort.pk)
    except courses.EnrolmentError as error:
        with transaction.atomic():
            _record(roster_import, row, RowResult.ERROR, str(error))
        return RowResult.ERROR
    return result


def invitation_send(*, user_id: int, cohort_id: int) -> None:
    """Invite a person enrolled by their organisation to set a password, in their language."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    from .models import Cohort

    user = get_user_model().objects.get(pk=user_id)
    cohort = Cohort.objects.select_related("organisation", "training").get(pk=cohort_id)
    with translation.override(user.preferred_language):
        path = reverse(
            "account_reset_password_from_key",
            kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
        )
        context = {
            "user": user,
            "cohort": cohort,
            "organisation": cohort.organisation,
            "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
        }
        subject = render_to_string("organisations/email/invitation_subject.txt", context).strip()
        body = render_to_string("organisations/email/invitation_body.txt", context)
    send_mail(subject, body, None, [user.email])


class JoinError(Exception):
    """Joining through an invitation link was refused; the message is for the person."""


def invitation_link_create(*, cohort, days: int, seats: int | None) -> str:
    """A new link replaces the old one; it expires after ``days`` and admits ``seats`` people."""
    import secrets
    from datetime import timedelta

    cohort.invite_code = secrets.token_urlsafe(16)
    cohort.invite_expires_at = timezone.now() + timedelta(days=max(1, min(days, 365)))
    cohort.seat_limit = seats
    cohort.save(update_fields=["invite_code", "invite_expires_at", "seat_limit"])
    return cohort.invite_code


def cohort_join(*, code: str, user):
    """Enrol ``user`` through a cohort's invitation link; seats are counted under a lock."""
    from .models import Cohort

    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().filter(invite_code=code).first()
        if cohort is None or cohort.invite_expires_at is None:
            raise JoinError(_("This invitation link is not valid."))
        if cohort.invite_expires_at <= timezone.now():
            raise JoinError(_("This invitation link has expired. Ask your teacher for a new one."))
        if CohortLearner.objects.filter(cohort=cohort, user=user).exists():
            return cohort
        if cohort.seat_limit is not None and cohort.learners.count() >= cohort.seat_limit:
            raise JoinError(_("The group is full. Ask your teacher."))
        courses.enrolment_create(user=user, training=cohort.training, invited=True)
        CohortLearner.objects.create(cohort=cohort, user=user)
    return cohort
