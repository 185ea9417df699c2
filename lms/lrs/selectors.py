"""Reads for the LRS pages: always scoped to what the user may manage."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from lms.organisations.selectors import organisations_managed_by, sees_programme

from .enums import DeliveryState
from .models import Delivery, LRSEndpoint


def may_configure(user) -> bool:
    return user.is_authenticated and (sees_programme(user) or organisations_managed_by(user).exists())


def endpoints_for(user):
    if not user.is_authenticated:
        return LRSEndpoint.objects.none()
    if sees_programme(user):
        endpoints = LRSEndpoint.objects.all()
    else:
        endpoints = LRSEndpoint.objects.filter(organisation__in=organisations_managed_by(user))
    return endpoints.select_related("organisation").annotate(
        pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        sent=Count("deliveries", filter=Q(deliveries__state=DeliveryState.SENT)),
        failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
    )


def endpoint_for(user, endpoint_id: int) -> LRSEndpoint:
    """One endpoint ``user`` manages; 404 for anyone else's (it exists or not alike)."""
    return get_object_or_404(endpoints_for(user), pk=endpoint_id)


def last_errors(endpoint: LRSEndpoint, limit: int = 10):
    """The latest answers that were not a success: what waits for a retry and what the LRS refused."""
    return (
        Delivery.objects.filter(endpoint=endpoint)
        .exclude(state=DeliveryState.SENT)
        .exclude(last_attempt_at=None)
        .select_related("statement")
        .order_by("-last_attempt_at", "-pk")[:limit]
    )


def personal_data(user) -> dict:
    """Where Kyky has sent or will send this person's statements, and the LRSs they set up."""
    return {
        "statements_forwarded": [
            {
                "statement": str(row.statement.statement_id),
                "lrs": row.endpoint.name,
                "state": row.state,
                "sent_at": row.sent_at,
            }
            for row in Delivery.objects.filter(statement__user=user).select_related("statement", "endpoint")
        ],
        "lrs_set_up": list(LRSEndpoint.objects.filter(created_by=user).values_list("name", flat=True)),
    }
