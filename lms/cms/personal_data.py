"""Feedback messages in a person's data export and erasure (``lms.accounts.personal_data``)."""

from django.db.models import Q

from .models import Feedback


def _theirs(user):
    return Feedback.objects.filter(Q(user=user) | Q(email__iexact=user.email))


def personal_data(user) -> list[dict]:
    return [
        {
            "sent": f.created_at.isoformat(),
            "topic": f.topic,
            "message": f.message,
            "name": f.name,
            "email": f.email,
            "page": f.page_url,
        }
        for f in _theirs(user).order_by("created_at")
    ]


def erase(user) -> None:
    """Their messages go: what they wrote, sent while logged in or from their address."""
    _theirs(user).delete()
