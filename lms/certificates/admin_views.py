"""Certificates in the Wagtail admin.

Trainers see the certificates of the trainings they may edit; staff with the certificate
permissions (TTL) see all, revoke with a reason, reissue, and regenerate a training's PDFs. Who may
do which is decided by the actions in ``actions.py``, which also write the audit log.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Locale

from lms.courses.admin_views import trainings_for
from lms.courses.models import TrainingPage
from lms.jsonbody import has_nul_or_surrogate

from . import actions
from .models import Certificate, RegenerationJob

MAX_ID_DIGITS = 18  # any 18-digit number fits a database integer (bigint)
MAX_REASON_LENGTH = 1000  # shown on the public verification page


def _visible_trainings(user):
    if user.has_perm("certificates.view_certificate"):
        return list(TrainingPage.objects.filter(locale=Locale.get_default()).order_by("path"))
    return trainings_for(user)


def _training_id(value: str | None) -> str:
    """``?training=`` as the text of an id, or "" (no filter) when it is none.

    ASCII digits only (``"²".isdigit()`` is true, but ``int("²")`` fails), and few enough of them for a
    database integer (``10**30`` overflows SQLite's). The text goes back into the page's links and form.
    """
    if value and value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS:
        return str(int(value))
    return ""


def _reason(request) -> str | None:
    """The reason typed for a revocation or a reissue, or None, with a message, when it cannot be kept."""
    reason = request.POST.get("reason", "")
    if has_nul_or_surrogate(reason):  # PostgreSQL cannot store it (the middleware refuses it first)
        messages.error(request, _("Null characters are not allowed."))
        return None
    if len(reason.strip()) > MAX_REASON_LENGTH:
        messages.error(
            request,
            _("The reason is too long (at most %(max)d characters). Shorten it and try again.")
            % {"max": MAX_REASON_LENGTH},
        )
        return None
    return reason


def certificate_list(request):
    trainings = _visible_trainings(request.user)
    if not trainings:
        raise PermissionDenied
    selected = _training_id(request.GET.get("training"))
    queryset = Certificate.objects.filter(enrolment__training__in=trainings).select_related("enrolment__training")
    if selected:
        queryset = queryset.filter(enrolment__training_id=int(selected))
    page = Paginator(queryset.order_by("-issued_at"), 50).get_page(request.GET.get("p"))
    return render(
        request,
        "certificates/admin/list.html",
        {
            "certificates": page,
            "trainings": trainings,
            "selected": selected,
            "can_change": request.user.has_perm("certificates.change_certificate"),
            "header_title": _("Certificates"),
        },
    )


@require_POST
def certificate_revoke(request, pk: int):
    certificate = get_object_or_404(Certificate, pk=pk)
    reason = _reason(request)
    if reason is None:
        return redirect("certificates_admin_list")
    action = actions.RevokeCertificateAction(certificate, user=request.user, reason=reason)
    try:
        action.execute()
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The certificate %(code)s is revoked.") % {"code": certificate.display_code})
    return redirect("certificates_admin_list")


@require_POST
def certificate_reissue(request, pk: int):
    certificate = get_object_or_404(Certificate, pk=pk)
    reason = _reason(request)
    if reason is None:
        return redirect("certificates_admin_list")
    action = actions.ReissueCertificateAction(certificate, user=request.user, reason=reason)
    try:
        new = action.execute()
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Reissued as %(code)s.") % {"code": new.display_code})
    return redirect("certificates_admin_list")


@require_POST
def regenerate(request, training_id: int):
    training = get_object_or_404(TrainingPage, pk=training_id, locale=Locale.get_default())
    job = actions.RegenerateCertificatesAction(training, user=request.user).execute()
    return redirect("certificates_admin_job", job_id=job.pk)


def job(request, job_id: int):
    job = get_object_or_404(RegenerationJob, pk=job_id)
    if not request.user.has_perm("certificates.change_certificate"):
        raise PermissionDenied
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"status": job.status, "total": job.total, "done": job.done, "failed": job.failed, "percent": job.percent}
        )
    return render(request, "certificates/admin/job.html", {"job": job, "header_title": _("Regenerating PDFs")})
