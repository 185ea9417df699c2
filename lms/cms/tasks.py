from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=8)
def notify_feedback(feedback_id: int) -> bool:
    """E-mail one feedback message to the recipients; running it twice sends it once."""
    return services.feedback_notify(feedback_id=feedback_id)
