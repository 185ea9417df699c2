from celery import shared_task

from lms.tasks import enqueue_on_commit

from . import services
from .enums import GradeStatus


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_grade(self, grade_id: int) -> str | None:
    """Send one score from the outbox; in a worker, try again after the row's backoff.

    In-process (no broker) a failure stays in the outbox for ``send_due_grades``: the request that
    completed the training must not wait for Moodle.
    """
    row = services.grade_send(grade_id=grade_id)
    if row is None:
        return None
    if row.status == GradeStatus.PENDING and row.next_attempt_at is not None and not self.request.is_eager:
        raise self.retry(eta=row.next_attempt_at)
    return row.status


@shared_task
def send_due_grades() -> int:
    """Beat job: every score whose time has come (a lost worker, a broker that was down, eager mode)."""
    due = services.grades_due()
    for grade_id in due:
        enqueue_on_commit(send_grade, grade_id)
    return len(due)
