"""Applying uploaded student lists to a cohort, and the invitations that follow.

The import runs as a Celery job. Each row is applied in its own transaction together with the
record of its outcome, so a worker that dies mid-file and is restarted resumes at the first
unrecorded line: no row is lost and none is applied twice. A row with an error changes nothing;
the others go in. Uploading the same file again finds everyone invited and changes nothing.

A row invites; it never enrols. Joining a cohort puts a person's progress in the organisation's
reports and its name on their certificate, so it takes the person's consent: they accept the
invitation, logged in to their account or creating one.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lms import audit, learner_cache, links
from lms.courses import services as courses
from lms.courses.models import TrainingPage
from lms.tasks import enqueue_on_commit

from . import tasks  # tasks call services too; attributes are read only when queueing
from .enums import ImportStatus, MemberOutcome, Role, RowResult
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
from .roster import RosterError, Row, read_roster

logger = logging.getLogger(__name__)


class CohortClosed(Exception):
    """The cohort takes nobody in now (ended or archived); the message is for the person."""


def _open(cohort, error=None) -> None:
    reason = cohort.closed_because()
    if reason is not None:
        raise (error or CohortClosed)(reason)


def roster_import_start(*, cohort, upload, user, language: str = "") -> RosterImport:
    """Store the list and queue its import; its messages are written in ``language`` (the page's the
    list was uploaded from), else in the uploader's preferred one."""
    _open(cohort)
    if language not in dict(settings.LANGUAGES):
        language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    with transaction.atomic():
        roster_import = RosterImport(cohort=cohort, uploaded_by=user, filename=upload.name[:255], language=language)
        roster_import.file.save(upload.name, upload, save=False)
        roster_import.save()
        enqueue_on_commit(tasks.run_roster_import, roster_import.pk)
    return roster_import


def roster_import_run(*, import_id: int) -> RosterImport:
    """Apply the list row by row; end in *done* or *failed*, never stuck, whatever the file holds."""
    roster_import = RosterImport.objects.select_related("cohort__training", "uploaded_by").get(pk=import_id)
    if roster_import.status in {ImportStatus.DONE, ImportStatus.FAILED}:
        return roster_import
    with translation.override(roster_import.language):  # the messages in the language chosen at upload
        try:
            with roster_import.file.open("rb") as handle:
                rows = read_roster(handle.read(), roster_import.filename)
            RosterImport.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, total=len(rows))
            recorded = set(roster_import.rows.values_list("line", flat=True))
            for row in rows:
                if row.line not in recorded:
                    row_apply(roster_import, row)
        except RosterError as error:
            _finish(roster_import, ImportStatus.FAILED, str(error))
            return roster_import
        except Exception as error:  # a file no reader foresaw, or storage gone: fail visibly, not silently
            logger.exception("Student list %s could not be applied", import_id)
            _finish(
                roster_import,
                ImportStatus.FAILED,
                _(
                    "The file could not be read as a CSV or Excel (.xlsx) student list. Save it again from "
                    "Excel or a spreadsheet program and upload it again. (Technical reason: %(kind)s.)"
                )
                % {"kind": error.__class__.__name__},
            )
            return roster_import
    _finish(roster_import, ImportStatus.DONE)
    roster_import.refresh_from_db()
    _audit(roster_import)
    return roster_import


def _audit(roster_import: RosterImport) -> None:
    """One entry per list, with counts; the rows themselves stay on the import (no names in the log)."""
    results = list(roster_import.rows.values_list("result", flat=True))
    audit.log(
        instance=roster_import.cohort,
        action=audit.COHORT_INVITE,
        user=roster_import.uploaded_by,
        data={
            "filename": roster_import.filename,
            "invited": results.count(RowResult.INVITED),
            "already": results.count(RowResult.ALREADY_INVITED) + results.count(RowResult.ALREADY_ENROLLED),
            "errors": results.count(RowResult.ERROR),
        },
    )


def _finish(roster_import: RosterImport, status: str, error: str = "") -> None:
    """Record the outcome and delete the uploaded file: the rows keep what was done with each line."""
    RosterImport.objects.filter(pk=roster_import.pk).update(status=status, error=error, finished_at=timezone.now())
    if roster_import.file:
        roster_import.file.delete(save=False)
        RosterImport.objects.filter(pk=roster_import.pk).update(file="")


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
    """Invite one person to the cohort and record the outcome with it, in one transaction.

    Nobody is enrolled by a list: an existing account and a new address alike get an invitation
    that the person accepts (or not). The result says the same for both, so a list never tells
    staff who has an account.
    """
    if row.errors:
        with transaction.atomic():
            _record(roster_import, row, RowResult.ERROR, " ".join(row.errors))
        return RowResult.ERROR
    cohort = roster_import.cohort
    with transaction.atomic():
        if CohortLearner.objects.filter(cohort=cohort, user__email__iexact=row.email).exists():
            result = RowResult.ALREADY_ENROLLED
        else:
            invitation = invitation_create(
                cohort=cohort,
                email=row.email,
                name=row.name,
                student_number=row.student_number,
                language=row.language,
                invited_by=roster_import.uploaded_by,
                roster_import=roster_import,
            )
            result = RowResult.INVITED if invitation is not None else RowResult.ALREADY_INVITED
        _record(roster_import, row, result)
    return result


INVITATION_DAYS = 30
MAX_SEATS = 100_000  # a group larger than any programme cohort; the column holds no more than 2**31


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_token(invitation: CohortInvitation) -> str:
    """The secret in the invitation's link; a worker recomputes it, so it never travels by the broker."""
    return salted_hmac("kyky.cohort-invitation", invitation.nonce, algorithm="sha256").hexdigest()


def invitation_create(
    *,
    cohort,
    email: str,
    name: str = "",
    student_number: str = "",
    language: str = "",
    invited_by=None,
    roster_import=None,
) -> CohortInvitation | None:
    """Invite ``email`` to ``cohort`` and send the e-mail after commit; None if an invitation is open.

    An expired, unanswered invitation is replaced. Call inside a transaction.
    """
    email = email.strip().lower()
    open_invitation = (
        CohortInvitation.objects.select_for_update()
        .filter(cohort=cohort, email=email, answered_at__isnull=True)
        .first()
    )
    if open_invitation is not None:
        if open_invitation.expires_at > timezone.now():
            return None
        open_invitation.delete()
    invitation = CohortInvitation(
        cohort=cohort,
        email=email,
        name=name[:200],
        student_number=student_number[:50],
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        nonce=secrets.token_hex(32),
        invited_by=invited_by,
        roster_import=roster_import,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    invitation.token_hash = _token_hash(invitation_token(invitation))
    invitation.save()
    enqueue_on_commit(tasks.send_invitation, invitation.pk)
    return invitation


def invitation_send(*, invitation_id: int) -> None:
    """E-mail the invitation in the invitee's language: their own if they have an account."""
    invitation = (
        CohortInvitation.objects.select_related("cohort__organisation", "cohort__training")
        .filter(pk=invitation_id, answered_at__isnull=True)
        .first()
    )
    if invitation is None:  # answered, or replaced, before the mail went out
        return
    token = invitation_token(invitation)
    account = get_user_model().objects.filter(email__iexact=invitation.email).first()
    language = account.preferred_language if account else invitation.language
    cohort = invitation.cohort
    with translation.override(language):
        path = reverse("organisations:invitation_answer", kwargs={"token": token})
        training = localised_training(cohort.training, language)
        context = {
            "name": (account.display_name if account else invitation.name) or invitation.email,
            "cohort": cohort,
            "organisation": cohort.organisation,
            "training": training,
            "expires_at": invitation.expires_at,
            "url": links.absolute_url(path),
        }
        subject = render_to_string("organisations/email/invitation_subject.txt", context).strip()
        body = render_to_string("organisations/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


def localised_training(training, language: str):
    return training.get_translations(inclusive=True).filter(locale__language_code=language).first() or training


class InvitationError(Exception):
    """The invitation cannot be answered; the message is for the person."""


def invitation_by_token(token: str) -> CohortInvitation | None:
    if not token or len(token) > 100:
        return None
    return (
        CohortInvitation.objects.select_related("cohort__organisation", "cohort__training")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def invitation_answer(*, token: str, user, accept: bool) -> CohortInvitation:
    """Accept (enrol in the cohort's training and join the cohort) or decline, once."""
    with transaction.atomic():
        invitation = CohortInvitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
        if invitation is None:
            raise InvitationError(_("This invitation is not valid."))
        if invitation.answered_at is not None:
            raise InvitationError(_("This invitation has already been answered."))
        if invitation.expires_at <= timezone.now():
            raise InvitationError(_("This invitation has expired. Ask your teacher for a new one."))
        if accept:
            cohort = invitation.cohort
            _open(cohort, InvitationError)
            courses.enrolment_create(user=user, training=cohort.training, invited=True, notify=False)
            place, created = CohortLearner.objects.get_or_create(
                cohort=cohort, user=user, defaults={"student_number": invitation.student_number}
            )
            if not created and invitation.student_number and not place.student_number:
                place.student_number = invitation.student_number
                place.save(update_fields=["student_number"])
        invitation.answered_at = timezone.now()
        invitation.accepted = accept
        invitation.accepted_by = user if accept else None
        invitation.save(update_fields=["answered_at", "accepted", "accepted_by"])
    return invitation


def invitation_signup(*, token: str, name: str, password: str, language: str):
    """Create the account of an invitee who has none, its address confirmed by the invitation itself."""
    invitation = invitation_by_token(token)
    if invitation is None:
        raise InvitationError(_("This invitation is not valid."))
    return _account_for_invitee(
        email=invitation.email, name=name, password=password, language=language, fallback=invitation.language
    )


class JoinError(Exception):
    """Joining through an invitation link was refused; the message is for the person."""


def invitation_link_create(*, cohort, days: int, seats: int | None) -> str:
    """A new link replaces the old one; it expires after ``days`` (1 to 365) and admits ``seats`` people."""
    _open(cohort)
    cohort.invite_code = secrets.token_urlsafe(16)
    cohort.invite_expires_at = timezone.now() + timedelta(days=max(1, min(days, 365)))
    cohort.seat_limit = None if seats is None else max(1, min(seats, MAX_SEATS))
    cohort.save(update_fields=["invite_code", "invite_expires_at", "seat_limit"])
    return cohort.invite_code


def cohort_join(*, code: str, user):
    """Enrol ``user`` through a cohort's invitation link; seats are counted under a lock."""
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().filter(invite_code=code).first()
        if cohort is None or cohort.invite_expires_at is None:
            raise JoinError(_("This invitation link is not valid."))
        if cohort.invite_expires_at <= timezone.now():
            raise JoinError(_("This invitation link has expired. Ask your teacher for a new one."))
        _open(cohort, JoinError)
        if CohortLearner.objects.filter(cohort=cohort, user=user).exists():
            return cohort
        if cohort.seat_limit is not None and cohort.learners.count() >= cohort.seat_limit:
            raise JoinError(_("The group is full. Ask your teacher."))
        courses.enrolment_create(user=user, training=cohort.training, invited=True)
        CohortLearner.objects.create(cohort=cohort, user=user)
    return cohort


def cohort_archive(*, cohort, user, archived: bool) -> None:
    """Archive a cohort (nobody joins it any more, its link stops working; its results stay for the
    registrar) or bring it back."""
    cohort.archived_at = timezone.now() if archived else None
    if archived:
        cohort.invite_code, cohort.invite_expires_at = None, None
    cohort.save(update_fields=["archived_at", "invite_code", "invite_expires_at"])
    audit.log(instance=cohort, action=audit.COHORT_ARCHIVED if archived else audit.COHORT_RESTORED, user=user)


# --- setting up an organisation: its staff and its cohorts -------------------------------------------


class StaffError(Exception):
    """A change to an organisation's staff or cohorts was refused; the message is for the person."""


def organisation_create(*, by, admin_email: str, language: str, **fields) -> tuple[Organisation, MemberOutcome]:
    """Create an organisation and add its first admin (programme staff: an account at once, else an invitation)."""
    with transaction.atomic():
        organisation = Organisation(**fields)
        organisation.full_clean()
        organisation.save()
        audit.log(instance=organisation, action=audit.ORGANISATION_CREATE, user=by, data={"kind": organisation.kind})
        outcome = member_add(
            organisation=organisation, email=admin_email, role=Role.ADMIN, by=by, direct=True, language=language
        )
    return organisation, outcome


def organisation_update(*, organisation: Organisation, by, changed: list[str]) -> None:
    """Save the edited organisation (validated by its form) and record which fields changed."""
    with transaction.atomic():
        organisation.full_clean()
        organisation.save()
        if changed:
            audit.log(
                instance=organisation, action=audit.ORGANISATION_EDIT, user=by, data={"fields": ", ".join(changed)}
            )


def _lock(organisation: Organisation) -> None:
    """Serialise staff changes of one organisation, so that two requests cannot remove its last two admins."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _admins_left_without(organisation: Organisation, membership: Membership) -> int:
    return Membership.objects.filter(organisation=organisation, role=Role.ADMIN).exclude(pk=membership.pk).count()


LAST_ADMIN = _lazy("An organisation needs at least one admin. Add another admin first, then change or remove this one.")


def member_add(
    *, organisation: Organisation, email: str, role: str, by, direct: bool, language: str = ""
) -> MemberOutcome:
    """Make ``email`` a member of ``organisation`` with ``role``.

    ``direct`` (programme staff, who may know who has an account): an existing account becomes a
    member at once, a new address gets an invitation. Otherwise (an organisation's admins) every
    address gets an invitation that its owner accepts, so the answer never tells whether the
    address has an account. A member already there gets the new role.
    """
    email = email.strip().lower()
    if role not in Role.values:
        raise StaffError(_("Choose a role."))
    with transaction.atomic():
        _lock(organisation)
        membership = (
            Membership.objects.select_related("user")
            .filter(organisation=organisation, user__email__iexact=email)
            .first()
        )
        if membership is not None:
            if membership.role == role:
                return MemberOutcome.ALREADY_MEMBER
            member_role_change(membership=membership, role=role, by=by)
            return MemberOutcome.ROLE_CHANGED
        account = get_user_model().objects.filter(email__iexact=email).first() if direct else None
        if account is not None:
            Membership.objects.create(organisation=organisation, user=account, role=role)
            audit.log(instance=organisation, action=audit.MEMBER_ADD, user=by, data={"user": account.pk, "role": role})
            return MemberOutcome.ADDED
        invitation = staff_invitation_create(
            organisation=organisation, email=email, role=role, invited_by=by, language=language
        )
        if invitation is None:
            return MemberOutcome.ALREADY_INVITED
        audit.log(
            instance=organisation,
            action=audit.MEMBER_INVITE,
            user=by,
            data={"invitation": invitation.pk, "role": role},
        )
        return MemberOutcome.INVITED


def member_role_change(*, membership: Membership, role: str, by) -> None:
    """Give a member another role; the last admin stays an admin."""
    with transaction.atomic():
        _lock(membership.organisation)
        demoted = membership.role == Role.ADMIN and role != Role.ADMIN
        if demoted and not _admins_left_without(membership.organisation, membership):
            raise StaffError(LAST_ADMIN)
        membership.role = role
        membership.save(update_fields=["role"])
        audit.log(
            instance=membership.organisation,
            action=audit.MEMBER_ROLE,
            user=by,
            data={"user": membership.user_id, "role": role},
        )


def member_remove(*, membership: Membership, by) -> None:
    """Remove a member from the organisation and from the cohorts they taught there; never its last admin."""
    organisation = membership.organisation
    with transaction.atomic():
        _lock(organisation)
        if membership.role == Role.ADMIN and not _admins_left_without(organisation, membership):
            raise StaffError(LAST_ADMIN)
        Cohort.teachers.through.objects.filter(user_id=membership.user_id, cohort__organisation=organisation).delete()
        learner_cache.cohorts_changed()  # the learners' pages name their teachers; that delete sends no signal
        membership.delete()
        audit.log(
            instance=organisation,
            action=audit.MEMBER_REMOVE,
            user=by,
            data={"user": membership.user_id, "role": membership.role},
        )


def staff_invitation_token(invitation: StaffInvitation) -> str:
    """The secret in the invitation's link, recomputed from its nonce (never stored, never queued)."""
    return salted_hmac("kyky.staff-invitation", invitation.nonce, algorithm="sha256").hexdigest()


def staff_invitation_create(
    *, organisation: Organisation, email: str, role: str, invited_by=None, language: str = ""
) -> StaffInvitation | None:
    """Invite ``email`` and send the e-mail after commit; None while an earlier one is open. In a transaction."""
    open_invitation = (
        StaffInvitation.objects.select_for_update()
        .filter(organisation=organisation, email=email, answered_at__isnull=True)
        .first()
    )
    if open_invitation is not None:
        if open_invitation.expires_at > timezone.now():
            return None
        open_invitation.delete()
    invitation = StaffInvitation(
        organisation=organisation,
        email=email,
        role=role,
        language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        nonce=secrets.token_hex(32),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    invitation.token_hash = _token_hash(staff_invitation_token(invitation))
    invitation.save()
    enqueue_on_commit(tasks.send_staff_invitation, invitation.pk)
    return invitation


def staff_invitation_send(*, invitation_id: int) -> None:
    """E-mail the invitation in the invitee's language: their own if they have an account."""
    invitation = (
        StaffInvitation.objects.select_related("organisation")
        .filter(pk=invitation_id, answered_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    account = get_user_model().objects.filter(email__iexact=invitation.email).first()
    language = account.preferred_language if account else invitation.language
    with translation.override(language):
        path = reverse("organisations:staff_invitation", kwargs={"token": staff_invitation_token(invitation)})
        context = {
            "organisation": invitation.organisation.localised_name(language),
            "role": Role(invitation.role).label,
            "expires_at": invitation.expires_at,
            "url": links.absolute_url(path),
        }
        subject = render_to_string("organisations/email/staff_invitation_subject.txt", context).strip()
        body = render_to_string("organisations/email/staff_invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


def staff_invitation_by_token(token: str) -> StaffInvitation | None:
    if not token or len(token) > 100:
        return None
    return StaffInvitation.objects.select_related("organisation").filter(token_hash=_token_hash(token)).first()


def staff_invitation_answer(*, token: str, user, accept: bool) -> StaffInvitation:
    """Accept (become a member with the invited role) or decline, once; only the invited address accepts."""
    with transaction.atomic():
        invitation = StaffInvitation.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
        if invitation is None:
            raise InvitationError(_("This invitation is not valid."))
        if invitation.answered_at is not None:
            raise InvitationError(_("This invitation has already been answered."))
        if invitation.expires_at <= timezone.now():
            raise InvitationError(_("This invitation has expired. Ask the organisation's admin for a new one."))
        if accept:
            if user.email.lower() != invitation.email:
                raise InvitationError(
                    _("This invitation was sent to %(email)s. Log in with that address to accept it.")
                    % {"email": invitation.email}
                )
            membership = Membership.objects.filter(organisation=invitation.organisation, user=user).first()
            if membership is None:
                Membership.objects.create(organisation=invitation.organisation, user=user, role=invitation.role)
            elif membership.role != invitation.role:
                try:
                    member_role_change(membership=membership, role=invitation.role, by=user)
                except StaffError as error:
                    raise InvitationError(str(error)) from error
        invitation.answered_at = timezone.now()
        invitation.accepted = accept
        invitation.accepted_by = user if accept else None
        invitation.save(update_fields=["answered_at", "accepted", "accepted_by"])
    return invitation


def staff_invitation_signup(*, token: str, name: str, password: str, language: str):
    """The invitee's new account, its address confirmed by the invitation itself."""
    invitation = staff_invitation_by_token(token)
    if invitation is None:
        raise InvitationError(_("This invitation is not valid."))
    return _account_for_invitee(
        email=invitation.email, name=name, password=password, language=language, fallback=invitation.language
    )


def _account_for_invitee(*, email: str, name: str, password: str, language: str, fallback: str):
    """A new account for an invitee; the invitation that reached the address confirms it."""
    User = get_user_model()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise InvitationError(_("An account with this address exists already. Log in to accept."))
        user = User.objects.create_user(
            email=email,
            password=password,
            certificate_name=name[:200],
            preferred_language=language if language in dict(settings.LANGUAGES) else fallback,
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


COHORT_FIELDS = ("training", "name", "starts_on", "ends_on", "study_mode", "credits", "seat_limit")


def cohort_save(*, cohort: Cohort, teachers, by) -> Cohort:
    """Create or update a cohort of ``cohort.organisation`` (set by the caller, never by a form).

    Dates must not end before they start, the training must be live, and the teachers must be members
    of the cohort's organisation.
    """
    if cohort.starts_on and cohort.ends_on and cohort.ends_on < cohort.starts_on:
        raise StaffError(_("The group cannot end before it starts."))
    if not TrainingPage.objects.live().filter(pk=cohort.training_id).exists():
        raise StaffError(_("Choose a published training."))
    teachers = list(teachers)
    members = set(
        Membership.objects.filter(organisation=cohort.organisation, user__in=teachers).values_list("user_id", flat=True)
    )
    if any(teacher.pk not in members for teacher in teachers):
        raise StaffError(_("Teachers are chosen among the organisation's staff."))
    created = cohort.pk is None
    columns = [Cohort._meta.get_field(f).attname for f in COHORT_FIELDS]
    before = {} if created else Cohort.objects.filter(pk=cohort.pk).values(*columns).get()
    with transaction.atomic():
        cohort.save()
        old_teachers = set() if created else set(cohort.teachers.values_list("pk", flat=True))
        cohort.teachers.set(teachers)
        if created:
            audit.log(instance=cohort, action=audit.COHORT_CREATE, user=by, data={"training": cohort.training_id})
        else:
            changed = [
                f for f, column in zip(COHORT_FIELDS, columns, strict=True) if before[column] != getattr(cohort, column)
            ]
            if old_teachers != {t.pk for t in teachers}:
                changed.append("teachers")
            if changed:
                audit.log(instance=cohort, action=audit.COHORT_EDIT, user=by, data={"fields": ", ".join(changed)})
    return cohort
