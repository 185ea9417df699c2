"""Issuing, rendering, sending and revoking certificates.

``certificate_issue`` is what the Celery task and the beat job call. It is safe to run any number
of times, concurrently: the first run creates the certificate (a partial unique constraint makes a
second one impossible), and every run finishes what is missing (the PDF, the e-mail).
"""

from __future__ import annotations

import logging
import uuid

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms import audit
from lms.courses.enums import Grading
from lms.courses.models import Enrolment, PartCompletion, PartPage, TrainingPage
from lms.courses.structure import structure_for

from . import handlers
from .codes import display, new_code
from .credentials import credential_sign
from .models import Certificate

logger = logging.getLogger(__name__)

ISSUERS = {
    "fi": "Työterveyslaitos",
    "sv": "Arbetshälsoinstitutet",
    "en": "Finnish Institute of Occupational Health",
}


_issuer_sources: list = []


def register_issuer_source(source) -> None:
    """Let another app name the issuer: ``source(enrolment, language)`` returns a name or None.

    The organisations app names the university of applied sciences whose cohort the learner was
    in; without an answer the issuer is TTL.
    """
    if source not in _issuer_sources:
        _issuer_sources.append(source)


def _issuer(enrolment: Enrolment, language: str) -> str:
    for source in _issuer_sources:
        name = source(enrolment, language)
        if name:
            return name
    return ISSUERS.get(language, ISSUERS["en"])


def verification_url(certificate: Certificate) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/verify/{display(certificate.code)}/"


def _credits(value) -> str:
    return format(value.normalize(), "f") if value else "0"


def _in_language(model, translation_key, language: str, default):
    found = model.objects.filter(translation_key=translation_key, locale__language_code=language).live().first()
    return found or default


def facts_freeze(enrolment: Enrolment, language: str, part_key=None) -> dict:
    """What the certificate says, in ``language``, as it is now; never recomputed afterwards.

    The credits are those the published version supports (``structure.stated_credits``): what its
    page declares, never more than its designed workload backs. The workload is the designed one.
    A part's certificate names the training and the part, with the part's credits and grade.
    """
    part_key = _part_key(part_key)
    canonical = enrolment.training
    structure = structure_for(canonical)
    training = _in_language(TrainingPage, canonical.translation_key, language, canonical)
    user = enrolment.user
    facts = {
        "name": user.certificate_name or user.get_full_name() or user.email,
        "training": training.title,
        "training_key": str(canonical.translation_key),
        "training_version": canonical.live_revision_id,
        "ects_credits": _credits(structure.stated_credits),
        "workload_hours": round(structure.workload.hours),
        "learning_outcomes": [block.value for block in training.learning_outcomes],
        "completed_on": timezone.localtime(enrolment.completed_at).date().isoformat() if enrolment.completed_at else "",
        "issuer": _issuer(enrolment, language),
        "language": language,
    }
    if part_key is None:
        return facts
    node = structure.part(part_key)
    completion = PartCompletion.objects.get(enrolment=enrolment, part_key=part_key)
    default = PartPage.objects.filter(translation_key=part_key, locale=canonical.locale_id).first()
    part = _in_language(PartPage, part_key, language, default)
    facts.update(
        {
            "part": part.title if part else "",
            "part_key": str(part_key),
            "part_version": default.live_revision_id if default else None,
            "ects_credits": _credits(node.stated_credits if node else 0),
            "workload_hours": round(node.workload.hours) if node else 0,
            "learning_outcomes": [block.value for block in part.learning_outcomes] if part else [],
            "grading": node.grading if node else Grading.PASS_FAIL,
            "grade": completion.grade,
            "completed_on": timezone.localtime(completion.completed_at).date().isoformat(),
        }
    )
    return facts


def _part_key(value) -> uuid.UUID | None:
    """A part's key as the structure and the database compare it: the task gets it as text."""
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _completed(enrolment: Enrolment, part_key) -> bool:
    if part_key is None:
        return enrolment.completed_at is not None
    return PartCompletion.objects.filter(enrolment=enrolment, part_key=part_key).exists()


def certificate_issue(*, enrolment_id: int, part_key=None) -> Certificate | None:
    """Issue the certificate of a completed enrolment (or of a part it completed), or finish one already issued."""
    part_key = _part_key(part_key)
    enrolment = Enrolment.objects.select_related("user", "training").get(pk=enrolment_id)
    if not _completed(enrolment, part_key):
        return None
    certificate = Certificate.objects.filter(enrolment=enrolment, part_key=part_key).order_by("-issued_at").first()
    if certificate is None:
        language = enrolment.user.preferred_language or settings.LANGUAGE_CODE
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    enrolment=enrolment,
                    part_key=part_key,
                    code=new_code(),
                    facts=facts_freeze(enrolment, language, part_key),
                    language=language,
                )
        except IntegrityError:  # another run issued it a moment ago
            certificate = Certificate.objects.get(enrolment=enrolment, part_key=part_key, revoked_at__isnull=True)
    if certificate.revoked_at is None and certificate.withdrawn_at is None:
        certificate_finish(certificate)
    return certificate


def certificate_finish(certificate: Certificate) -> None:
    """Do what an issued certificate still lacks: the signed credential, the PDF, the e-mail."""
    credential_sign(certificate)
    if not certificate.pdf:
        certificate_render(certificate)
    certificate_send(certificate)


def qr_svg(url: str, title: str = "") -> str:
    """The QR code as inline SVG; its ``<title>`` is the image's alternative text in a tagged PDF."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2, title=title or None)


def certificate_render(certificate: Certificate) -> None:
    """Render the PDF (A4, in the certificate's language) with a QR code of its verification page.

    The PDF is tagged PDF/UA-1, so that screen readers read it in order and in its language: the
    language comes from ``<html lang>``, the title from ``<title>``, and every image needs
    alternative text (WeasyPrint logs an error for one without). Tagging costs no measurable time.
    """
    from weasyprint import HTML

    url = verification_url(certificate)
    # A training may have its own layout: templates/certificates/pdf/<training key>.html.
    templates = [f"certificates/pdf/{certificate.facts.get('training_key')}.html", "certificates/pdf.html"]
    with translation.override(certificate.language):
        html = render_to_string(
            templates,
            {
                "certificate": certificate,
                "facts": certificate.facts,
                "url": url,
                "qr": qr_svg(url, title=_("QR code: the address of this certificate's verification page")),
            },
        )
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
    name = f"{certificate.code}.pdf"
    if certificate.pdf:
        certificate.pdf.delete(save=False)
    certificate.pdf.save(name, ContentFile(pdf), save=False)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)


def certificate_send(certificate: Certificate) -> bool:
    """E-mail the learner once, in their language, with the PDF and the link."""
    with transaction.atomic():
        # of=self: the enrolment may be null (a withdrawn certificate), and PostgreSQL cannot lock that side
        locked = (
            Certificate.objects.select_for_update(of=("self",)).select_related("enrolment__user").get(pk=certificate.pk)
        )
        if locked.emailed_at is not None:
            return False
        user = locked.enrolment.user
        with translation.override(locked.language):
            context = {"certificate": locked, "facts": locked.facts, "url": verification_url(locked), "user": user}
            subject = render_to_string("certificates/email/issued_subject.txt", context).strip()
            body = render_to_string("certificates/email/issued_body.txt", context)
        message = EmailMessage(subject, body, None, [user.email])
        with locked.pdf.open("rb") as handle:
            message.attach(f"{_('certificate')}-{locked.code}.pdf", handle.read(), "application/pdf")
        message.send()
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])
    return True


def certificate_revoke(*, certificate: Certificate, reason: str) -> Certificate:
    if not reason.strip():
        raise ValueError(_("Say why the certificate is revoked."))
    Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True, withdrawn_at__isnull=True).update(
        revoked_at=timezone.now(), revocation_reason=reason.strip()
    )
    handlers.learner_cache_touch(certificate.enrolment_id)  # update() sends no signal
    certificate.refresh_from_db()
    return certificate


@transaction.atomic
def certificate_replace(*, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate and freeze a new one now (e.g. after a name correction); not yet rendered."""
    certificate_revoke(certificate=certificate, reason=reason)
    enrolment = certificate.enrolment
    return Certificate.objects.create(
        enrolment=enrolment,
        part_key=certificate.part_key,
        code=new_code(),
        facts=facts_freeze(enrolment, certificate.language, certificate.part_key),
        language=certificate.language,
    )


def certificate_reissue(*, certificate: Certificate, reason: str) -> Certificate:
    """Replace a certificate and sign, render and send the new one."""
    new = certificate_replace(certificate=certificate, reason=reason)
    certificate_finish(new)
    return new


def missing_certificates() -> list[tuple[int, str | None]]:
    """Completed enrolments and parts that have no certificate yet: what the beat job issues.

    ``(enrolment id, part key or None)``; a certificate revoked and not replaced is not missing.
    """
    trainings = Enrolment.objects.filter(completed_at__isnull=False).exclude(
        Exists(Certificate.objects.filter(enrolment=OuterRef("pk"), part_key__isnull=True))
    )
    parts = PartCompletion.objects.exclude(
        Exists(Certificate.objects.filter(enrolment=OuterRef("enrolment_id"), part_key=OuterRef("part_key")))
    )
    return [(pk, None) for pk in trainings.values_list("pk", flat=True)] + [
        (enrolment_id, str(part_key)) for enrolment_id, part_key in parts.values_list("enrolment_id", "part_key")
    ]


# What a withdrawn certificate keeps of its frozen facts: nothing that says who held it.
WITHDRAWN_FACTS = (
    "training",
    "training_key",
    "training_version",
    "part",
    "part_key",
    "part_version",
    "grading",
    "ects_credits",
    "workload_hours",
    "learning_outcomes",
    "completed_on",
    "issuer",
    "language",
)


def certificate_withdraw(*, certificate: Certificate) -> Certificate:
    """Make the certificate a tombstone without personal data that verifies as withdrawn.

    The name goes from the facts and the revocation reason (staff may have written about the
    person there); the PDF and the signed credential (which carry the name) are deleted; the
    status-list bit stays assigned, so the published list marks the credential as revoked and a
    copy kept elsewhere no longer verifies; and the enrolment lets go, so that it can be deleted.
    """
    if certificate.pdf:
        name, storage = certificate.pdf.name, certificate.pdf.storage
        transaction.on_commit(lambda: storage.delete(name))
    certificate.facts = {key: value for key, value in certificate.facts.items() if key in WITHDRAWN_FACTS}
    certificate.withdrawn_at = certificate.withdrawn_at or timezone.now()
    certificate.revocation_reason = ""
    certificate.credential = None
    certificate.enrolment = None
    certificate.pdf = ""
    certificate.save(update_fields=["facts", "withdrawn_at", "revocation_reason", "credential", "enrolment", "pdf"])
    return certificate


@transaction.atomic
def certificates_erase(user) -> None:
    """Erasure withdraws the person's certificates and scrubs their audit-log entries of the person."""
    withdrawn = [
        certificate_withdraw(certificate=certificate)
        for certificate in Certificate.objects.filter(enrolment__user=user).select_for_update()
    ]
    audit.forget(withdrawn)
    for certificate in withdrawn:
        audit.log(instance=certificate, action=audit.CERTIFICATE_WITHDRAW)


def regeneration_start(*, training, user):
    from lms.tasks import enqueue_on_commit

    from .models import RegenerationJob
    from .tasks import regenerate_pdfs

    with transaction.atomic():
        job = RegenerationJob.objects.create(
            training=training,
            created_by=user,
            total=Certificate.objects.filter(enrolment__training=training, revoked_at__isnull=True).count(),
        )
        enqueue_on_commit(regenerate_pdfs, job.pk)
    return job


def regeneration_run(*, job_id: int) -> None:
    """Render each certificate once, in id order, recording progress so a restart resumes."""
    from .models import RegenerationJob

    job = RegenerationJob.objects.get(pk=job_id)
    if job.status == RegenerationJob.Status.DONE:
        return
    RegenerationJob.objects.filter(pk=job.pk).update(status=RegenerationJob.Status.RUNNING)
    remaining = Certificate.objects.filter(
        enrolment__training_id=job.training_id, revoked_at__isnull=True, pk__gt=job.last_certificate_id
    ).order_by("pk")
    for certificate in remaining.iterator():
        try:
            certificate_render(certificate)
            outcome = {"done": models.F("done") + 1}
        except Exception:
            logger.exception("Could not render certificate %s", certificate.pk)
            outcome = {"failed": models.F("failed") + 1}
        RegenerationJob.objects.filter(pk=job.pk).update(last_certificate_id=certificate.pk, **outcome)
    RegenerationJob.objects.filter(pk=job.pk).update(status=RegenerationJob.Status.DONE, finished_at=timezone.now())


def certificates_reissue_for_key(*, number: int) -> int:
    """Reissue every certificate in force whose credential a revoked key signed; returns how many.

    Each goes through the staff's reissue (``ReissueCertificateAction``): the old one is revoked with
    the reason, a new one is frozen, signed with the current key, rendered and e-mailed. Safe to run
    again: a reissued certificate is no longer in force, so it is not found twice.
    """
    from . import actions, keys

    done = 0
    for certificate in keys.in_force_signed_by(number).order_by("pk"):
        with translation.override(certificate.language):
            reason = _("Reissued: the key that signed it (key-%(number)d) was withdrawn from use.") % {"number": number}
        try:
            actions.ReissueCertificateAction(certificate, reason=reason).execute(skip_permission_checks=True)
        except actions.ActionRefused:  # revoked or withdrawn since it was listed
            continue
        except Exception:
            logger.exception("Could not reissue certificate %s after key-%s was revoked", certificate.pk, number)
            continue
        done += 1
    return done


def keys_to_reissue() -> list[int]:
    """Revoked keys that still sign a certificate in force: what the beat job finishes."""
    from .models import IssuerKey

    revoked = [row.key_id for row in IssuerKey.objects.filter(revoked_at__isnull=False)]
    signed = Certificate.objects.filter(revoked_at__isnull=True, withdrawn_at__isnull=True, signed_with__in=revoked)
    return sorted({int(key_id.removeprefix("key-")) for key_id in signed.values_list("signed_with", flat=True)})
