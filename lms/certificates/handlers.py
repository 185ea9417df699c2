from lms.tasks import enqueue_on_commit


def issue_on_completion(sender, enrolment, **kwargs):
    """A completed training gets its certificate from a worker; the beat job catches any miss."""
    from .tasks import issue_certificate

    enqueue_on_commit(issue_certificate, enrolment.pk)
