from smtplib import SMTPException

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_rendered_email(subject: str, body: str, from_email: str, to: list[str], html: str | None = None) -> None:
    """Send an already rendered e-mail (sign-up confirmation, password reset) outside the request."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
