from lms.tasks import enqueue_on_commit


def issue_on_completion(sender, enrolment, **kwargs):
    """A completed training gets its certificate from a worker; the beat job catches any miss."""
    from .tasks import issue_certificate

    enqueue_on_commit(issue_certificate, enrolment.pk)


def issue_on_part_completion(sender, enrolment, part_key, **kwargs):
    """A completed training part gets its own certificate, the same way."""
    from .tasks import issue_certificate

    enqueue_on_commit(issue_certificate, enrolment.pk, str(part_key))


_SHOWN = {"code", "enrolment", "revoked_at", "withdrawn_at"}  # what *My trainings* shows of a certificate


def certificate_changed(sender, instance, created=False, update_fields=None, **kwargs):
    """A certificate issued, revoked or withdrawn changes its learner's cached pages (lms.learner_cache)."""
    if created or update_fields is None or _SHOWN.intersection(update_fields):
        learner_cache_touch(instance.enrolment_id)


def learner_cache_touch(enrolment_id: int | None) -> None:
    from lms import learner_cache
    from lms.courses.models import Enrolment

    if enrolment_id is not None:
        learner_cache.touch(Enrolment.objects.filter(pk=enrolment_id).values_list("user_id", flat=True).first())
