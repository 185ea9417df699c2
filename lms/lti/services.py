"""What a launch does in Kyky, deep-linking answers, grades to the platform, and roster syncs.

Decisions (docs/lti.md says more):

* A launch signs in the person its ``iss`` + ``sub`` name. A first launch links to an existing
  account only where the same person is identified: the same eduPersonPrincipalName as a HAKA
  login of the platform's organisation, or, if the registration vouches for the platform's
  addresses, the same verified e-mail address. Otherwise a new account is made.
* A learner's launch is their act of joining the cohort their teacher tied to the course, so it
  places them (while the cohort is open) without an invitation; the page they land on says so.
* A launch never grants staff rights: an instructor becomes a teacher of the cohort only if they
  are already staff (a membership) of its organisation in Kyky.
* A roster sync only invites: a place in a cohort shares the person's progress with the
  organisation, so it takes their consent (accepting the invitation, or launching from the course).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import requests
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from lms import audit, links
from lms.accounts.models import ExternalIdentity, IdentityKind
from lms.courses import services as courses
from lms.courses.models import Enrolment, TrainingPage, canonical
from lms.courses.structure import default_language, language_of, live_trainings
from lms.organisations import services as organisations
from lms.organisations.models import Cohort, CohortLearner, Membership
from lms.organisations.selectors import cohorts_for
from lms.tasks import enqueue_on_commit

from . import tasks
from .claims import DEEP_LINKING, LEARNER_ROLE, LTI, SCORE_SCOPE, TEACHING_ROLES, Claims, claims_from, role_names
from .enums import GradeEvent, GradeStatus
from .models import ContextLink, GradeSend, GradeTarget, PlatformRegistration
from .tool import TimeoutSession, registration_for

logger = logging.getLogger(__name__)
User = get_user_model()

NO_ADDRESS_DOMAIN = "lti.invalid"  # RFC 2606: a new account's address when the platform sends none


class LaunchRefused(Exception):
    """The launch is valid, but Kyky cannot do what it asks; the message is for the person."""


class LinkNeeded(LaunchRefused):
    """Kyky has an account with the launch's address but may not trust the platform's word for it."""


# --- who is launching ------------------------------------------------------------------------------


def _principal(platform: PlatformRegistration, claims: Claims) -> str:
    """The eduPersonPrincipalName, only if it is scoped to the organisation's HAKA home organisation."""
    eppn = claims.principal(platform.principal_source)
    home = platform.organisation.home_organisation.lower()
    if not eppn or not home or eppn.count("@") != 1:
        return ""
    scope = eppn.rsplit("@", 1)[1]
    return eppn if scope == home or scope.endswith("." + home) else ""


def _privileged(user, platform: PlatformRegistration) -> bool:
    """An account a platform's word must not open: staff of Kyky, or of another organisation.

    A registration is made by an organisation's admin; if vouching for addresses could open any
    account, a rogue platform could sign in as the programme's staff or another university's admin.
    """
    return (
        user.is_staff
        or user.is_superuser
        or user.groups.exists()
        or user.user_permissions.exists()
        or Membership.objects.filter(user=user).exclude(organisation=platform.organisation).exists()
    )


def _same_person(platform: PlatformRegistration, claims: Claims, principal: str):
    found = None
    if principal:
        haka = (
            ExternalIdentity.objects.filter(
                kind=IdentityKind.SAML, principal=principal, organisation=platform.organisation
            )
            .select_related("user")
            .first()
        )
        found = haka.user if haka is not None else None
    if found is None and platform.emails_verified and claims.email:
        address = EmailAddress.objects.filter(email__iexact=claims.email, verified=True).select_related("user").first()
        found = address.user if address is not None else None
    if found is not None and _privileged(found, platform):
        raise LaunchRefused(
            _("This is a staff account of Kyky: it is not signed in from Moodle. Log in to Kyky directly.")
        )
    return found


def _new_account(platform: PlatformRegistration, claims: Claims):
    email = claims.email
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    if not email:
        digest = hashlib.sha256(f"{claims.issuer}\n{claims.subject}".encode()).hexdigest()[:32]
        email = f"{digest}@{NO_ADDRESS_DOMAIN}"
    elif User.objects.filter(email__iexact=email).exists():
        raise LinkNeeded(
            _(
                "Kyky already has an account with your e-mail address. Log in to it once, and Kyky links it "
                "to your Moodle account: from then on Moodle takes you straight in."
            )
        )
    language = claims.language if claims.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    user = User.objects.create_user(
        email=email, certificate_name=claims.name[:200], preferred_language=language, organisation=""
    )
    if not email.endswith("@" + NO_ADDRESS_DOMAIN):
        EmailAddress.objects.create(user=user, email=email, verified=platform.emails_verified, primary=True)
    return user


def _identity_create(platform: PlatformRegistration, claims: Claims, principal: str, user, now) -> ExternalIdentity:
    try:
        with transaction.atomic():
            return ExternalIdentity.objects.create(
                user=user,
                kind=IdentityKind.LTI,
                issuer=claims.issuer,
                subject=claims.subject,
                principal=principal,
                organisation=platform.organisation,
                last_login_at=now,
            )
    except IntegrityError:  # the same person's other launch got there first
        return ExternalIdentity.objects.get(issuer=claims.issuer, subject=claims.subject)


def person_sign_in(*, platform: PlatformRegistration, claims: Claims):
    """The account of the person the launch names: found, linked or made (see the module's notes)."""
    if not claims.subject:
        raise LaunchRefused(_("Moodle did not say who you are. Launch Kyky again from your course."))
    principal = _principal(platform, claims)
    now = timezone.now()
    identity = ExternalIdentity.objects.filter(issuer=claims.issuer, subject=claims.subject).first()
    if identity is None:
        try:
            with transaction.atomic():  # a new account is kept only with its identity
                user = _same_person(platform, claims, principal) or _new_account(platform, claims)
                identity = ExternalIdentity.objects.create(
                    user=user,
                    kind=IdentityKind.LTI,
                    issuer=claims.issuer,
                    subject=claims.subject,
                    principal=principal,
                    organisation=platform.organisation,
                    last_login_at=now,
                )
        except IntegrityError:  # the same person's other launch got there first
            identity = ExternalIdentity.objects.get(issuer=claims.issuer, subject=claims.subject)
    ExternalIdentity.objects.filter(pk=identity.pk).update(
        last_login_at=now, **({"principal": principal} if principal else {})
    )
    return User.objects.get(pk=identity.user_id)


LINK_LIFETIME = 900  # seconds to log in and confirm
CONTINUATION_LIFETIME = 120  # seconds to press "Open Kyky" in a framed launch


def continuation_keep(*, platform: PlatformRegistration, launch_body: dict) -> str:
    """Keep a validated launch made inside a frame, to be taken once by the new window it opens."""
    token = secrets.token_urlsafe(32)
    cache.set(f"lti-continue-{token}", {"platform": platform.pk, "body": launch_body}, CONTINUATION_LIFETIME)
    return token


def continuation_take(token: str) -> tuple[PlatformRegistration, dict] | None:
    """The kept launch, once: a second request with the same token (or a late one) finds nothing."""
    key = f"lti-continue-{token}" if token and len(token) < 100 else ""
    entry = cache.get(key) if key else None
    if not entry or not cache.delete(key):  # the delete is the atomic "take": only one request wins it
        return None
    platform = PlatformRegistration.objects.select_related("organisation").filter(pk=entry["platform"]).first()
    return (platform, entry["body"]) if platform is not None and platform.enabled else None


@dataclass
class PendingLink:
    token: str
    binding: str  # also in a cookie of the browser that launched: a link cannot be handed to someone else


def link_pending(*, platform: PlatformRegistration, launch_body: dict) -> PendingLink:
    """Keep the validated launch for a quarter of an hour, for its person to log in and link their account."""
    pending = PendingLink(token=secrets.token_urlsafe(24), binding=secrets.token_urlsafe(24))
    cache.set(
        f"lti-link-{pending.token}",
        {"platform": platform.pk, "body": launch_body, "binding": pending.binding},
        LINK_LIFETIME,
    )
    return pending


def link_read(token: str, binding: str) -> tuple[PlatformRegistration, Claims] | None:
    entry = cache.get(f"lti-link-{token}") if token and len(token) < 100 else None
    if not entry or not binding or not secrets.compare_digest(entry["binding"], binding):
        return None
    platform = PlatformRegistration.objects.select_related("organisation").filter(pk=entry["platform"]).first()
    return (platform, claims_from(entry["body"])) if platform is not None and platform.enabled else None


def link_confirm(*, token: str, binding: str, user) -> tuple[PlatformRegistration, Claims]:
    """Link the launch's Moodle account to ``user``, who has just proved the account is theirs by logging in."""
    found = link_read(token, binding)
    if found is None:
        raise LaunchRefused(_("This link has expired. Open Kyky from your Moodle course again."))
    platform, claims = found
    if _privileged(user, platform):
        raise LaunchRefused(
            _("This is a staff account of Kyky: it is not signed in from Moodle. Log in to Kyky directly.")
        )
    if not cache.delete(f"lti-link-{token}"):  # taken once: a second confirmation finds nothing
        raise LaunchRefused(_("This link has expired. Open Kyky from your Moodle course again."))
    identity = _identity_create(platform, claims, _principal(platform, claims), user, timezone.now())
    if identity.user_id != user.pk:
        raise LaunchRefused(_("This Moodle account is linked to another Kyky account already."))
    return platform, claims


# --- where the launch goes -------------------------------------------------------------------------


@dataclass
class Outcome:
    """Where a launch ends: the training (learner), the course page (teacher), or a message."""

    cohort: Cohort | None = None
    training: TrainingPage | None = None
    teacher: bool = False
    joined: bool = False
    message: str = ""


def _training_by_key(key) -> TrainingPage | None:
    return live_trainings().by_key.get((key, default_language())) if key else None


def _cohort_of(platform: PlatformRegistration, claims: Claims) -> Cohort | None:
    links = ContextLink.objects.filter(registration=platform, context_id=claims.context_id).select_related(
        "cohort__training", "cohort__organisation"
    )
    wanted = claims.cohort_id()
    if wanted is not None:
        links = links.filter(cohort_id=wanted)
    else:
        key = claims.training_key()
        if key is not None:
            links = links.filter(cohort__training__translation_key=key)
    found = list(links[:2])
    if len(found) != 1:
        return None
    link = found[0]
    if claims.memberships_url and link.memberships_url != claims.memberships_url:
        ContextLink.objects.filter(pk=link.pk).update(memberships_url=claims.memberships_url)
    return link.cohort


def launch_open(*, platform: PlatformRegistration, claims: Claims, user) -> Outcome:
    """Place the learner, or recognise the teacher, in what the course is tied to; record where grades go."""
    cohort = _cohort_of(platform, claims) if claims.context_id else None
    training = cohort.training if cohort is not None else _training_by_key(claims.training_key())
    if claims.teaches:
        if cohort is None:
            return Outcome(
                teacher=True,
                message=_(
                    "This course has no Kyky group yet. Add Kyky to the course as an activity and choose the group."
                ),
            )
        if not Membership.objects.filter(organisation=cohort.organisation, user=user).exists():
            return Outcome(
                cohort=cohort,
                teacher=True,
                message=_(
                    "You teach this course in Moodle, but you are not staff of %(organisation)s in Kyky. "
                    "Ask your organisation's Kyky administrator to add you."
                )
                % {"organisation": cohort.organisation},
            )
        cohort.teachers.add(user)
        return Outcome(cohort=cohort, training=training, teacher=True)
    if training is None:
        raise LaunchRefused(
            _("This Moodle course is not tied to a Kyky training. Ask your teacher to add Kyky to the course again.")
        )
    joined = False
    with transaction.atomic():
        if cohort is not None and not CohortLearner.objects.filter(cohort=cohort, user=user).exists():
            reason = cohort.closed_because()
            if reason is not None:
                raise LaunchRefused(reason)
            enrolment = courses.enrolment_create(user=user, training=training, invited=True, notify=False)
            CohortLearner.objects.get_or_create(cohort=cohort, user=user)
            joined = True
        else:
            try:
                enrolment = courses.enrolment_create(user=user, training=training, invited=cohort is not None)
            except courses.EnrolmentError as error:
                raise LaunchRefused(str(error)) from error
        if claims.lineitem_url and SCORE_SCOPE in claims.ags_scopes and LEARNER_ROLE in claims.roles:
            GradeTarget.objects.update_or_create(
                registration=platform,
                lineitem_url=claims.lineitem_url,
                subject=claims.subject,
                defaults={"user": user, "training": canonical(training), "scopes": claims.ags_scopes},
            )
            if enrolment.completed_at is not None:
                grades_queue(enrolment)
    return Outcome(cohort=cohort, training=training, joined=joined)


# --- deep linking --------------------------------------------------------------------------------

DEEP_LINK_SALT = "kyky.lti.deep-link"
DEEP_LINK_MAX_AGE = 3600


def deep_link_choices(*, platform: PlatformRegistration, user) -> tuple[list[TrainingPage], list[Cohort]]:
    """The live trainings, and the open cohorts of the platform's organisation that ``user`` follows."""
    language = default_language()
    trainings = [t for t in live_trainings().by_id.values() if language_of(t.locale_id) == language]
    cohorts = [
        c
        for c in cohorts_for(user).filter(organisation=platform.organisation).order_by("name")
        if c.closed_because() is None
    ]
    return sorted(trainings, key=lambda t: t.title), cohorts


def deep_link_token(*, platform: PlatformRegistration, launch_body: dict, claims: Claims, user) -> str:
    """What the picker's form carries back: the launch's deep-linking settings, signed, for an hour."""
    settings_claim = launch_body.get(DEEP_LINKING) or {}
    return signing.dumps(
        {
            "p": platform.pk,
            "d": launch_body.get(LTI + "deployment_id"),
            "s": settings_claim,
            "u": user.pk,
            "c": claims.context_id,
            "t": claims.context_title,
            "m": claims.memberships_url,
        },
        salt=DEEP_LINK_SALT,
        compress=True,
    )


class DeepLinkError(Exception):
    """The picker's answer cannot be made; the message is for the teacher."""


@dataclass
class DeepLinkAnswer:
    return_url: str
    jwt: str
    platform: PlatformRegistration


class WindowResource(DeepLinkResource):
    """An LtiResourceLink that asks to open in a new window (Kyky's session cookie is not sent in a frame)."""

    def to_dict(self):
        return {**super().to_dict(), "window": {"targetName": "kyky"}}


def deep_link_read(token: str) -> dict:
    try:
        return signing.loads(token, salt=DEEP_LINK_SALT, max_age=DEEP_LINK_MAX_AGE)
    except signing.BadSignature as error:
        raise DeepLinkError(_("This choice has expired. Open Kyky's picker from Moodle again.")) from error


def deep_link_answer(*, token: str, choice: str, language: str) -> DeepLinkAnswer:
    """The signed deep-linking response for ``training:<id>`` or ``cohort:<id>``; a cohort ties the course to it."""
    data = deep_link_read(token)
    platform = PlatformRegistration.objects.select_related("organisation").filter(pk=data["p"], enabled=True).first()
    settings_claim = data.get("s") or {}
    if platform is None or not settings_claim.get("deep_link_return_url"):
        raise DeepLinkError(_("This choice has expired. Open Kyky's picker from Moodle again."))
    if "ltiResourceLink" not in (settings_claim.get("accept_types") or []):
        raise DeepLinkError(_("Moodle does not accept LTI links here."))
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None:
        raise DeepLinkError(_("This choice has expired. Open Kyky's picker from Moodle again."))
    kind, _sep, value = choice.partition(":")
    cohort = None
    if kind == "cohort" and value.isdigit():
        _trainings, cohorts = deep_link_choices(platform=platform, user=user)
        cohort = next((c for c in cohorts if c.pk == int(value)), None)
        training = cohort.training if cohort else None
    elif kind == "training" and value.isdigit():
        training = live_trainings().by_id.get(int(value))
    else:
        training = None
    if training is None:
        raise DeepLinkError(_("Choose a training or a group."))
    title = live_trainings().localised(training, language).title
    custom = {"kyky_training": str(training.translation_key)}
    if cohort is not None:
        custom["kyky_cohort"] = str(cohort.pk)
        ContextLink.objects.update_or_create(
            registration=platform,
            context_id=data.get("c") or "",
            cohort=cohort,
            defaults={"context_title": (data.get("t") or "")[:255], "memberships_url": data.get("m") or ""},
            create_defaults={
                "context_title": (data.get("t") or "")[:255],
                "memberships_url": data.get("m") or "",
                "created_by": user,
            },
        )
        title = f"{title} – {cohort.name}"
    resource = (
        WindowResource()
        .set_url(links.absolute_url(reverse("lti:launch")))
        .set_title(title[:255])
        .set_custom_params(custom)
        .set_lineitem(
            LineItem()
            .set_score_maximum(1)
            .set_label(title[:255])
            .set_resource_id(f"kyky-{training.translation_key}")
            .set_tag("kyky-completion")
        )
    )
    deep_link = DeepLink(registration_for(platform), data.get("d") or "", settings_claim)
    return DeepLinkAnswer(
        return_url=settings_claim["deep_link_return_url"], jwt=deep_link.get_response_jwt([resource]), platform=platform
    )


# --- grades --------------------------------------------------------------------------------------

BACKOFF_FIRST = 60  # seconds; doubled per failed attempt
BACKOFF_MAX = 6 * 3600


def grades_queue(enrolment: Enrolment) -> list[GradeSend]:
    """Write the outbox rows for a completed training, once per line item, and queue their sending."""
    if enrolment.completed_at is None:
        return []
    rows = []
    for target in GradeTarget.objects.filter(user_id=enrolment.user_id, training_id=enrolment.training_id):
        with transaction.atomic():
            row, created = GradeSend.objects.get_or_create(
                target=target,
                event=GradeEvent.COMPLETED,
                defaults={
                    "enrolment": enrolment,
                    "score_given": 1,
                    "score_maximum": 1,
                    "activity_progress": "Completed",
                    "grading_progress": "FullyGraded",
                    "timestamp": enrolment.completed_at,
                },
            )
            if created:
                enqueue_on_commit(tasks.send_grade, row.pk)
                rows.append(row)
    return rows


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


def _post_score(row: GradeSend) -> None:
    target = row.target
    connector = ServiceConnector(registration_for(target.registration), TimeoutSession())
    service = AssignmentsGradesService(connector, {"scope": target.scopes, "lineitem": target.lineitem_url})
    grade = (
        Grade()
        .set_user_id(target.subject)
        .set_score_given(float(row.score_given))
        .set_score_maximum(float(row.score_maximum))
        .set_activity_progress(row.activity_progress)
        .set_grading_progress(row.grading_progress)
        .set_timestamp(row.timestamp.isoformat())
    )
    service.put_grade(grade)


def _status_of(error: Exception) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


# The platform's final word: the line item is gone (404), the score is not applied (403) or bad (400, 422).
REFUSED_STATUSES = {400, 403, 404, 405, 410, 422}


def grade_send(*, grade_id: int, now=None) -> GradeSend | None:
    """Send one due outbox row under a row lock; record success, a refusal, or when to try again.

    The lock (``skip_locked``) keeps two workers from sending the same row; a row sent, refused or not
    yet due is left alone. A 409 means the platform already holds a score at least as new as this
    one (a repeat of a send whose answer was lost), so the row is done.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            GradeSend.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("target__registration__organisation")
            .filter(pk=grade_id, status=GradeStatus.PENDING)
            .first()
        )
        if row is None or (row.next_attempt_at is not None and row.next_attempt_at > now):
            return row
        row.attempts += 1
        try:
            _post_score(row)
        except (LtiServiceException, requests.RequestException, KeyError, ValueError) as error:
            status = _status_of(error)
            if status == 409:
                row.status, row.sent_at, row.last_error = GradeStatus.SENT, now, ""
            elif status in REFUSED_STATUSES:
                row.status, row.last_error = GradeStatus.REFUSED, str(error)[:2000]
            else:
                row.next_attempt_at, row.last_error = now + _backoff(row.attempts), str(error)[:2000]
                logger.warning("Grade %s not sent (attempt %s): %s", row.pk, row.attempts, error)
        except LtiException as error:  # the launch gave no score scope: nothing will change that
            row.status, row.last_error = GradeStatus.REFUSED, str(error)[:2000]
        else:
            row.status, row.sent_at, row.last_error, row.next_attempt_at = GradeStatus.SENT, now, "", None
        row.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "sent_at"])
    return row


def grades_due(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        GradeSend.objects.filter(status=GradeStatus.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )


# --- names and roles -----------------------------------------------------------------------------


@dataclass
class SyncResult:
    invited: int = 0
    already: int = 0
    without_address: int = 0
    skipped: int = 0


class SyncError(Exception):
    """The roster could not be read or applied; the message is for staff."""


def roster_sync(*, cohort: Cohort, by) -> SyncResult:
    """Invite the Moodle courses' learners to ``cohort``: those with a place already are counted, not invited.

    Learners whose address the platform does not share join when they first launch Kyky from the course.
    """
    reason = cohort.closed_because()
    if reason is not None:
        raise SyncError(reason)
    links = list(cohort.lti_links.select_related("registration__organisation").exclude(memberships_url=""))
    if not links:
        raise SyncError(
            _("Moodle has not shared the course's participants with Kyky yet: launch Kyky from the course.")
        )
    result = SyncResult()
    for link in links:
        platform = link.registration
        service = NamesRolesProvisioningService(
            ServiceConnector(registration_for(platform), TimeoutSession()),
            {"context_memberships_url": link.memberships_url},
        )
        try:
            members = service.get_members()
        except (LtiException, requests.RequestException, KeyError, ValueError) as error:
            logger.warning("Roster of %s not read: %s", link, error)
            raise SyncError(_("Moodle did not answer. Try again in a moment.")) from error
        for member in members if isinstance(members, list) else []:
            _member_apply(cohort, platform, member, by, result)
        ContextLink.objects.filter(pk=link.pk).update(synced_at=timezone.now())
    audit.log(
        instance=cohort,
        action=audit.COHORT_INVITE,
        user=by,
        data={"filename": "Moodle", "invited": result.invited, "already": result.already, "errors": 0},
    )
    return result


def _member_apply(cohort: Cohort, platform: PlatformRegistration, member, by, result: SyncResult) -> None:
    if not isinstance(member, dict):
        result.skipped += 1
        return
    roles = role_names(member.get("roles"))
    if member.get("status", "Active") != "Active" or LEARNER_ROLE not in roles or roles & TEACHING_ROLES:
        result.skipped += 1
        return
    identity = (
        ExternalIdentity.objects.filter(issuer=platform.issuer, subject=str(member.get("user_id", "")))
        .select_related("user")
        .first()
    )
    if identity is not None and CohortLearner.objects.filter(cohort=cohort, user=identity.user).exists():
        result.already += 1
        return
    email = member.get("email") if isinstance(member.get("email"), str) else ""
    if not email and identity is not None and not identity.user.email.endswith("@" + NO_ADDRESS_DOMAIN):
        email = identity.user.email
    try:
        validate_email(email)
    except ValidationError:
        result.without_address += 1
        return
    name = member.get("name") if isinstance(member.get("name"), str) else ""
    with transaction.atomic():
        invitation = organisations.invitation_create(cohort=cohort, email=email, name=name, invited_by=by)
    if invitation is None:
        result.already += 1
    else:
        result.invited += 1
