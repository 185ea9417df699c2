from .models import Certificate


def personal_data(user) -> list[dict]:
    return [
        {
            "code": c.display_code,
            "facts": c.facts,
            "issued_at": c.issued_at.isoformat(),
            "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
        }
        for c in Certificate.objects.filter(enrolment__user=user)
    ]


def by_code(code: str) -> Certificate | None:
    """One query, whatever the code; None for anything not issued."""
    return Certificate.objects.filter(code=code).select_related("enrolment").first()
