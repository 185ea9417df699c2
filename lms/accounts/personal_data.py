"""Personal data export and erasure (GDPR articles 15, 17 and 20).

Apps that keep personal data register an exporter and, where deleting the user is not enough, an
eraser; ``accounts`` then needs to know nothing about them. ``courses`` registers its own in
``CoursesConfig.ready``.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

_exporters: dict[str, Callable] = {}
_erasers: dict[str, Callable] = {}


def register(name: str, *, exporter: Callable, eraser: Callable | None = None) -> None:
    _exporters[name] = exporter
    if eraser is not None:
        _erasers[name] = eraser


def personal_data_export(*, user) -> dict:
    """Everything Kyky keeps about ``user``, as JSON-ready data."""
    from allauth.account.models import EmailAddress

    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "certificate_name": user.certificate_name,
            "organisation": user.organisation,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        },
    }
    for name, exporter in _exporters.items():
        data[name] = exporter(user)
    return data


@transaction.atomic
def account_erase(*, user) -> None:
    """Erase the account and everything that hangs on it; apps with more to do register erasers."""
    for eraser in _erasers.values():
        eraser(user)
    user.delete()
