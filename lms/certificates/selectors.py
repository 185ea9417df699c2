from .models import Certificate, RegenerationJob


def personal_data(user) -> dict:
    """The user's certificates as issued, and the PDF regenerations they started (staff)."""
    return {
        "certificates": [
            {
                "code": c.display_code,
                "status": c.status,
                "facts": c.facts,
                "issued_at": c.issued_at.isoformat(),
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
                "revocation_reason": c.revocation_reason or None,
                "credential": c.credential,
            }
            for c in Certificate.objects.filter(enrolment__user=user)
        ],
        "pdf_regenerations_started": [
            {"training": job.training.title, "created_at": job.created_at.isoformat(), "status": job.status}
            for job in RegenerationJob.objects.filter(created_by=user).select_related("training")
        ],
    }


def by_code(code: str) -> Certificate | None:
    """One query, whatever the code; None for anything not issued.

    Not the signed credential: the page shows the facts, and the credential is the largest column.
    """
    try:
        return Certificate.objects.select_related("enrolment").defer("credential").get(code=code)
    except Certificate.DoesNotExist:
        return None
