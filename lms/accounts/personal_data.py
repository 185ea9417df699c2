"""Personal data export and erasure (GDPR articles 15, 17 and 20).

Every app that keeps personal data registers, in its ``AppConfig.ready``, an exporter, an eraser
where deleting the user is not enough, and the models it covers::

    register("certificates", exporter=personal_data, eraser=certificates_erase, models=[Certificate])

``accounts`` then needs to know nothing about them. ``tests/accounts/test_personal_data.py`` walks
every installed model and fails for one that holds personal data (a relation to the user, an
e-mail address, a name, a student number, an IP address) and that no registration names: add a new
model to your app's exporter and eraser and to ``models=``, or give the reason in that test's
exemption list.

Erasure runs every eraser, then deletes the user (whatever hangs on the user by ``CASCADE`` goes
with it), in one transaction, and leaves one audit entry that says an account was erased, against
its id.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from lms import audit


@dataclass(frozen=True)
class Registration:
    name: str
    exporter: Callable
    eraser: Callable | None
    models: tuple[type[models.Model], ...]


_registrations: dict[str, Registration] = {}


def register(
    name: str,
    *,
    exporter: Callable,
    models: Iterable[type[models.Model]],
    eraser: Callable | None = None,
) -> None:
    """Export ``exporter(user)`` under ``name``; erasure calls ``eraser(user)`` before deleting the user."""
    _registrations[name] = Registration(name, exporter, eraser, tuple(models))


def registrations() -> list[Registration]:
    return list(_registrations.values())


def covered_models() -> set[type[models.Model]]:
    return {model for registration in _registrations.values() for model in registration.models}


def account_data(user) -> dict:
    """The account itself, its roles and its e-mail addresses."""
    from allauth.account.models import EmailAddress, EmailConfirmation

    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "certificate_name": user.certificate_name,
        "organisation": user.organisation,
        "preferred_language": user.preferred_language,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "administrator": user.is_superuser,
        "groups": list(user.groups.values_list("name", flat=True)),
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        "email_confirmations_sent": [
            {"email": c.email_address.email, "sent": c.sent.isoformat() if c.sent else None}
            for c in EmailConfirmation.objects.filter(email_address__user=user).select_related("email_address")
        ],
        "external_logins": [
            {
                "kind": i.kind,
                "issuer": i.issuer,
                "subject": i.subject,
                "principal": i.principal,
                "organisation": i.organisation.name if i.organisation else None,
                "student_number": i.student_number,
                "linked_at": i.created_at.isoformat(),
                "last_login": i.last_login_at.isoformat() if i.last_login_at else None,
            }
            for i in user.external_identities.select_related("organisation").order_by("created_at")
        ],
    }


def personal_data_export(*, user) -> dict:
    """Everything Kyky keeps about ``user``, as JSON-ready data."""
    data = {"exported_at": timezone.now().isoformat()}
    for registration in _registrations.values():
        data[registration.name] = registration.exporter(user)
    return data


@transaction.atomic
def account_erase(*, user, erased_by=None) -> None:
    """Erase the account and everything that hangs on it; ``erased_by`` is staff, or None for the person.

    The audit entry names no one: it is logged against the account's id, by the member of staff
    who erased it (or by that same id when people erase their own account).
    """
    for registration in _registrations.values():
        if registration.eraser is not None:
            registration.eraser(user)
    audit.log(instance=user, action=audit.ACCOUNT_ERASE, user=erased_by or user, title=audit.neutral_label(user))
    user.delete()
