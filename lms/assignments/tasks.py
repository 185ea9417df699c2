from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_decision_email(submission_id: int) -> bool:
    """Tell the learner a reviewer's decision; safe to run twice (the e-mail goes once)."""
    return services.decision_notify(submission_id=submission_id)
