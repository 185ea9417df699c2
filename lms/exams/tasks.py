from celery import shared_task

from . import services


@shared_task
def finalise_overdue_attempts() -> int:
    """Score the attempts whose time ran out while nobody looked (views also do it when they touch one)."""
    return services.attempts_finalise_overdue()
