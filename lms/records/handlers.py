"""Which of Kyky's events become statements, and when (see ``events``)."""

from __future__ import annotations

from . import events


def enrolled(sender, instance, created, **kwargs):
    if created:
        enrolment = instance
        events.later(
            enrolment, "registered", lambda: {"obj": events.training_object(enrolment), "when": enrolment.enrolled_at}
        )


def lesson_saved(sender, instance, created, update_fields=None, **kwargs):
    progress = instance
    if progress.completed_at is None or not (created or update_fields is None or "completed_at" in update_fields):
        return
    enrolment = progress.enrolment

    def build():
        node = events.lesson_node(enrolment, progress.lesson_key)
        if node is None:
            return None
        return {
            "obj": events.lesson_object(enrolment, progress.lesson_key),
            "lesson": node,
            "when": progress.completed_at,
        }

    events.later(enrolment, "completed", build)


def part_completed(sender, enrolment, part_key, **kwargs):
    obj = events.part_object(enrolment, part_key)
    if obj is not None:
        events.record(enrolment, "completed", obj, part_key=part_key)


def training_completed(sender, enrolment, **kwargs):
    events.record(enrolment, "completed", events.training_object(enrolment), when=enrolment.completed_at)


def exam_saved(sender, instance, created, update_fields=None, **kwargs):
    attempt = instance
    if not attempt.passed or attempt.submitted_at is None:
        return
    if not (created or update_fields is None or "passed" in update_fields):
        return
    enrolment = attempt.enrolment

    def build():
        node = events.lesson_node(enrolment, attempt.lesson_key)
        obj = events.block_object(enrolment, attempt.lesson_key, attempt.block_id, "exam")
        if node is None or obj is None:
            return None
        score = attempt.score or 0
        result = {"success": True, "score": {"scaled": score / 100, "raw": score, "min": 0, "max": 100}}
        return {"obj": obj, "lesson": node, "result": result, "when": attempt.submitted_at}

    events.later(enrolment, "passed", build)


def submission_saved(sender, instance, created, update_fields=None, **kwargs):
    from lms.assignments.enums import SubmissionStatus

    submission = instance
    if submission.status != SubmissionStatus.APPROVED or not (update_fields is None or "status" in update_fields):
        return
    enrolment = submission.enrolment

    def build():
        node = events.lesson_node(enrolment, submission.lesson_key)
        obj = events.block_object(enrolment, submission.lesson_key, submission.block_id, "assignment")
        if node is None or obj is None:
            return None
        result = {"success": True}
        if submission.grade:
            result["score"] = {"raw": submission.grade, "min": 1, "max": 5, "scaled": submission.grade / 5}
        return {"obj": obj, "lesson": node, "result": result, "when": submission.decided_at}

    events.later(enrolment, "approved", build)


def certificate_saved(sender, instance, created, **kwargs):
    certificate = instance
    if not created or certificate.enrolment_id is None:
        return
    enrolment = certificate.enrolment

    def build():
        from lms.certificates.services import verification_url

        return {
            "obj": events.certificate_object(certificate, verification_url(certificate)),
            "part_key": certificate.part_key,
            "when": certificate.issued_at,
        }

    events.later(enrolment, "earned", build)
