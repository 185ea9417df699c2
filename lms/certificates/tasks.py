from celery import shared_task

from lms.tasks import enqueue_on_commit

from . import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=900, max_retries=10)
def issue_certificate(enrolment_id: int, part_key: str | None = None) -> str | None:
    """Issue (or finish issuing) one enrolment's certificate, or one part's; running it twice changes nothing."""
    certificate = services.certificate_issue(enrolment_id=enrolment_id, part_key=part_key)
    return certificate.code if certificate else None


@shared_task
def issue_missing_certificates() -> int:
    """Beat job: completions whose certificate never got issued (broker down, worker lost)."""
    missing = services.missing_certificates()
    for enrolment_id, part_key in missing:
        enqueue_on_commit(issue_certificate, enrolment_id, part_key)
    for number in services.keys_to_reissue():  # a revocation whose reissue task was lost
        enqueue_on_commit(reissue_for_revoked_key, number)
    return len(missing)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=10)
def reissue_for_revoked_key(number: int) -> int:
    """Reissue what a revoked key signed; running it again reissues only what is left."""
    return services.certificates_reissue_for_key(number=number)


@shared_task(acks_late=True)
def regenerate_pdfs(job_id: int) -> None:
    """Re-render a training's PDFs; a worker restart resumes after the last one done."""
    services.regeneration_run(job_id=job_id)
