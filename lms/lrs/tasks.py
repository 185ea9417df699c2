from celery import shared_task

from . import services


@shared_task
def forward_statements() -> int:
    """Beat job: queue new statements for every active LRS and send what is due."""
    return services.forward_all()
