"""Certificates in the Wagtail admin.

Trainers see the certificates of the trainings they may edit; staff with the certificate
permissions (TTL) see all, revoke with a reason, reissue, and regenerate a training's PDFs.
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

from . import services
from .models import Certificate, RegenerationJob


def _visible_trainings(user):
    if user.has_perm("certificates.view_certificate"):
        return list(TrainingPage.objects.filter(locale=Locale.get_default()).order_by("path"))
    return trainings_for(user)


def certificate_list(request):
    trainings = _visible_trainings(request.user)
    if not trainings:
        raise PermissionDenied
    selected = request.GET.get("training")
    queryset = Certificate.objects.filter(enrolment__training__in=trainings).select_related("enrolment__training")
    if selected and selected.isdigit():
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


def _changeable(request, pk):
    if not request.user.has_perm("certificates.change_certificate"):
        raise PermissionDenied
    return get_object_or_404(Certificate, pk=pk)


@require_POST
def certificate_revoke(request, pk: int):
    certificate = _changeable(request, pk)
    reason = request.POST.get("reason", "")
    if not reason.strip():
        messages.error(request, _("Say why the certificate is revoked."))
    else:
        services.certificate_revoke(certificate=certificate, reason=reason)
        messages.success(request, _("The certificate %(code)s is revoked.") % {"code": certificate.display_code})
    return redirect("certificates_admin_list")


@require_POST
def certificate_reissue(request, pk: int):
    certificate = _changeable(request, pk)
    if certificate.revoked_at:
        messages.error(request, _("A revoked certificate cannot be reissued."))
        return redirect("certificates_admin_list")
    new = services.certificate_reissue(certificate=certificate, reason=request.POST.get("reason") or _("Reissued"))
    messages.success(request, _("Reissued as %(code)s.") % {"code": new.display_code})
    return redirect("certificates_admin_list")


@require_POST
def regenerate(request, training_id: int):
    if not request.user.has_perm("certificates.change_certificate"):
        raise PermissionDenied
    training = get_object_or_404(TrainingPage, pk=training_id, locale=Locale.get_default())
    job = services.regeneration_start(training=training, user=request.user)
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
