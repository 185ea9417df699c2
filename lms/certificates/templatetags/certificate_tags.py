from django import template

from ..models import Certificate

register = template.Library()


@register.simple_tag
def certificates_by_enrolment(outlines):
    """The certificates in force for the dashboard's enrolments, by enrolment id (one query)."""
    ids = [o.enrolment.pk for o in outlines if o.enrolment is not None and o.enrolment.is_completed]
    if not ids:
        return {}
    in_force = Certificate.objects.filter(enrolment_id__in=ids, revoked_at__isnull=True).only("enrolment_id", "code")
    return {c.enrolment_id: c for c in in_force}  # not the facts and the signed credential: only links are shown
