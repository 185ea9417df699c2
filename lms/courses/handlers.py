"""What keeps the learners' cached pages current (``lms.learner_cache``) as courses' rows change."""

from lms import learner_cache


def enrolment_changed(sender, instance, **_kwargs) -> None:
    learner_cache.touch(instance.user_id)


def progress_saved(sender, instance, created=False, update_fields=None, **_kwargs) -> None:
    """A lesson opened or its status changed; a new answer or reflection alone shows nowhere cached.

    Progress rows are deleted only with their enrolment, whose own signal touches the learner.
    """
    if created or update_fields is None or "status" in update_fields:
        learner_cache.touch(instance.enrolment.user_id)
