from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_enrolment_email(enrolment_id: int) -> bool:
    """Welcome a learner to a training; safe to run twice (the e-mail goes once)."""
    return services.enrolment_notify(enrolment_id=enrolment_id)
