"""Signing a person in from a verified SAML assertion: the account, its external login, the student number.

pysaml2 has verified the response before anything here runs (signature by the identity provider's
key in its stored metadata, audience, validity window, ``InResponseTo``). What is decided here:

- **Who is it?** The identity provider's entityID and the subject (the persistent NameID where the
  IdP sends one, else eduPersonPrincipalName) find the ``ExternalIdentity``; the same person comes
  back to the same account whatever their e-mail address becomes.
- **A first login** creates an account, or links an existing one only through an address that
  the account holder has *verified* in Kyky. An unverified address is refused with a message: an
  identity provider's word on an e-mail address must not hand over an account whose owner never
  proved it theirs, and whoever registered it unverified may be someone else.
- **Which organisation?** An identity provider speaks for its own organisation only: a released
  ``schacHomeOrganization`` other than the organisation's ``home_organisation`` is refused, so a
  misconfigured or hostile IdP cannot put student numbers into another university's cohorts.
- **The student number** is taken from ``schacPersonalUniqueCode`` only when the code's domain is the
  organisation's, stored on the identity and copied into that organisation's cohort places where
  none is set yet (the registrar export reads ``CohortLearner.student_number``).
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import ExternalIdentity, IdentityKind
from lms.organisations.models import CohortLearner

from .models import IdentityProvider, UsedAssertion

logger = logging.getLogger(__name__)

PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
# HAKA's current form (int:studentID) and the older Finnish one (fi:), e.g.
# urn:schac:personalUniqueCode:int:studentID:tuni.fi:12345
STUDENT_CODE = re.compile(r"^urn:schac:personalUniqueCode:(?:int:studentID|fi):([^:]+):(.+)$", re.IGNORECASE)


class LoginRefused(Exception):
    """A verified response that signs nobody in; ``message`` is for the person, in their language."""

    def __init__(self, message: str, reason: str):
        super().__init__(reason)
        self.message = message
        self.reason = reason  # for the log: which rule refused


@dataclass
class Assertion:
    """What the ACS view hands over from pysaml2's verified response."""

    issuer: str
    assertion_id: str
    not_on_or_after: datetime.datetime
    name_id: str = ""
    name_id_format: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        values = self.attributes.get(name) or [""]
        return str(values[0]).strip()


def assertion_record(*, assertion: Assertion) -> None:
    """Remember that ``assertion`` has been used; LoginRefused if it was used before (a replay)."""
    now = timezone.now()
    UsedAssertion.objects.filter(not_on_or_after__lt=now - datetime.timedelta(hours=1)).delete()
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(
                assertion_id=assertion.assertion_id, issuer=assertion.issuer, not_on_or_after=assertion.not_on_or_after
            )
    except IntegrityError:
        raise LoginRefused(_("This login has already been used. Please log in again."), "replayed assertion") from None


def student_number_from(codes: list[str], home_organisation: str) -> str:
    """The student number among ``codes`` that ``home_organisation`` issued ('' when none)."""
    if not home_organisation:
        return ""
    for code in codes:
        match = STUDENT_CODE.match(str(code).strip())
        if match and match[1].lower() == home_organisation.lower():
            return match[2][:50]
    return ""


def _within(email: str, domain: str) -> bool:
    host = email.rpartition("@")[2].lower()
    return bool(domain) and (host == domain.lower() or host.endswith("." + domain.lower()))


def _account(*, assertion: Assertion, provider: IdentityProvider, language: str):
    """The account a first login from ``provider`` belongs to: found by a verified address, or new."""
    User = get_user_model()
    email = assertion.first("mail").lower()
    if not email or "@" not in email:
        raise LoginRefused(
            _(
                "Your organisation did not tell Kyky your e-mail address, so no account can be made for you. "
                "Please contact your organisation's IT support, or log in with your Kyky password."
            ),
            "no mail attribute",
        )
    address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
    if address is not None and address.verified:
        return address.user
    if address is not None or User.objects.filter(email__iexact=email).exists():
        raise LoginRefused(
            _(
                "Kyky already has an account with the address %(email)s, but the address has not been "
                "confirmed. Please log in with your Kyky password first (the login confirms your address "
                "or sends you a confirmation link), then log in with your organisation again: the two "
                "will then be joined."
            )
            % {"email": email},
            "unverified e-mail address",
        )
    home = provider.organisation.home_organisation
    user = User.objects.create_user(
        email=email,
        password=None,  # unusable: they log in with their organisation, or set one by resetting it
        first_name=assertion.first("givenName")[:150],
        last_name=assertion.first("sn")[:150],
        organisation=provider.organisation.name[:200],
        preferred_language=language,
    )
    # The home organisation vouches for addresses in its own domain; another address it releases
    # (a private one its user typed in) is not taken as confirmed.
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=_within(email, home))
    return user


def saml_login(*, assertion: Assertion, language: str = "fi"):
    """The user ``assertion`` signs in (created or linked on their first login); LoginRefused otherwise.

    The same person's first login in two tabs at once: the second finds the account or the login the
    first one made (a unique constraint stopped it) and tries once more, where it finds them.
    """
    try:
        return _saml_login(assertion=assertion, language=language)
    except IntegrityError:
        return _saml_login(assertion=assertion, language=language)


@transaction.atomic
def _saml_login(*, assertion: Assertion, language: str):
    provider = (
        IdentityProvider.objects.select_related("organisation").filter(entity_id=assertion.issuer, enabled=True).first()
    )
    if provider is None:
        raise LoginRefused(
            _("Logging in with this organisation is not possible in Kyky."), "identity provider not enabled"
        )
    assertion_record(assertion=assertion)

    home = provider.organisation.home_organisation.lower()
    released_home = assertion.first("schacHomeOrganization").lower()
    if released_home and released_home != home:
        raise LoginRefused(
            _("Your organisation's login service is not set up correctly for Kyky. Please contact Kyky's support."),
            f"schacHomeOrganization {released_home!r} is not the IdP's organisation's {home!r}",
        )
    principal = assertion.first("eduPersonPrincipalName")
    if assertion.name_id and assertion.name_id_format == PERSISTENT:
        subject = assertion.name_id
    elif principal:
        subject = principal
    else:
        raise LoginRefused(
            _("Your organisation did not tell Kyky who you are. Please contact your organisation's IT support."),
            "neither a persistent NameID nor eduPersonPrincipalName",
        )
    student_number = student_number_from(assertion.attributes.get("schacPersonalUniqueCode") or [], home)

    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=provider.entity_id, subject=subject[:500])
        .first()
    )
    if identity is None:
        user = _account(assertion=assertion, provider=provider, language=language)
        identity = ExternalIdentity(user=user, kind=IdentityKind.SAML, issuer=provider.entity_id, subject=subject[:500])
    else:
        user = identity.user
    identity.principal = principal[:254]
    identity.organisation = provider.organisation
    if student_number:
        identity.student_number = student_number
    identity.last_login_at = timezone.now()
    identity.save()

    if identity.student_number:
        CohortLearner.objects.filter(user=user, cohort__organisation=provider.organisation, student_number="").update(
            student_number=identity.student_number
        )
    if not user.is_active:
        raise LoginRefused(_("This account has been closed."), "inactive account")
    return user
