from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_change_email(session_id: int) -> int:
    """Tell the learners a session changed or was cancelled; safe to run twice (once per sequence)."""
    return services.change_notify(session_id=session_id)
