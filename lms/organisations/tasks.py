from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_roster_import(import_id: int) -> None:
    """Apply an uploaded list; a redelivered task resumes after the last recorded line."""
    services.roster_import_run(import_id=import_id)


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=8)
def send_invitation(invitation_id: int) -> None:
    """E-mail one cohort invitation; a retry sends the same link."""
    services.invitation_send(invitation_id=invitation_id)


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=8)
def send_staff_invitation(invitation_id: int) -> None:
    """E-mail one staff invitation; a retry sends the same link."""
    services.staff_invitation_send(invitation_id=invitation_id)
