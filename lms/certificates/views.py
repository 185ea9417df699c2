"""Public verification (no login) and the learner's own PDF download."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from . import selectors
from .codes import display, normalise
from .models import Certificate

RATE_LIMIT = getattr(settings, "KYKY_VERIFY_RATE_LIMIT", 30)  # look-ups per client per minute


def _rate_limited(request) -> bool:
    """A fixed one-minute window per client address: enough to make guessing codes pointless."""
    key = f"verify-rate:{request.META.get('REMOTE_ADDR', '')}:{int(timezone.now().timestamp() // 60)}"
    count = cache.get_or_set(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    return count > RATE_LIMIT


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _not_found(request, status=404):
    if _wants_json(request):
        return JsonResponse({"status": "not_found"}, status=status)
    return render(request, "certificates/verify.html", {"not_found": True}, status=status)


@never_cache
def verify(request, code: str):
    if _rate_limited(request):
        response = _not_found(request, status=429)
        response["Retry-After"] = "60"
        return response
    canonical = normalise(code)
    certificate = selectors.by_code(canonical) if canonical else None
    if certificate is None:
        return _not_found(request)
    if display(canonical) != code:
        return redirect("certificates:verify", code=display(canonical))
    if _wants_json(request):
        return JsonResponse(
            {
                "status": certificate.status,
                "code": certificate.display_code,
                "issued_at": certificate.issued_at.isoformat(),
                "expires_at": certificate.expires_at.isoformat() if certificate.expires_at else None,
                "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
                "revocation_reason": certificate.revocation_reason or None,
                "facts": certificate.facts,
            }
        )
    return render(request, "certificates/verify.html", {"certificate": certificate, "facts": certificate.facts})


@never_cache
def verify_form(request):
    typed = request.GET.get("code", "").strip()
    if typed:
        canonical = normalise(typed)
        if canonical:
            return redirect("certificates:verify", code=display(canonical))
        return render(request, "certificates/verify.html", {"not_found": True, "typed": typed}, status=404)
    return render(request, "certificates/verify.html", {"form": True})


@login_required
def download(request, code: str):
    """The PDF, for the learner it belongs to (and staff who may see certificates)."""
    certificate = get_object_or_404(Certificate, code=normalise(code) or "-")
    if certificate.enrolment.user_id != request.user.pk and not request.user.has_perm("certificates.view_certificate"):
        raise Http404
    if not certificate.pdf:
        raise Http404
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"kyky-{certificate.code}.pdf",
        content_type="application/pdf",
    )
