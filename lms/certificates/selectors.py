from django.db import connection

from lms import rows
from lms.courses.models import Enrolment

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
    The holder's user id comes along (``holder_id``; None once withdrawn), so the page knows its owner
    without the enrolment row. Plain SQL: this is every verification's one query, and compiling the
    ORM's took longer than PostgreSQL's answer (the bench's verification journey).
    """
    with connection.cursor() as cursor:
        cursor.execute(_BY_CODE, [code])
        row = cursor.fetchone()
    if row is None:
        return None
    certificate = rows.model(Certificate, _FIELDS, row[:-1])
    certificate.holder_id = row[-1]
    return certificate


_FIELDS = [f for f in Certificate._meta.concrete_fields if f.name != "credential"]
_BY_CODE = (
    f"SELECT {rows.columns('c', _FIELDS)}, e.user_id FROM {Certificate._meta.db_table} c "  # noqa: S608
    f"LEFT JOIN {Enrolment._meta.db_table} e ON e.id = c.enrolment_id WHERE c.code = %s"
)
