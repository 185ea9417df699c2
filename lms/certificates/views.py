"""Public verification (no login) and the learner's own PDF download."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from lms.jsonbody import JSONBodyError, parse_json
from lms.ratelimit import client_bucket, limited

from . import credentials, keys, selectors, services, wallet
from .codes import display, normalise
from .models import Certificate

RATE_LIMIT = getattr(settings, "KYKY_VERIFY_RATE_LIMIT", 30)  # look-ups per client per minute


def _rate_limited(request) -> bool:
    """A fixed one-minute window per real client (behind KYKY_TRUSTED_PROXIES), counted in the shared cache:
    enough to make guessing codes pointless."""
    return limited("verify", client_bucket(request), limit=RATE_LIMIT, window=60)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _localised(request) -> bool:
    """Whether the page was asked for under a language prefix (``verification_urls``)."""
    return getattr(request.resolver_match, "namespace", "") == "verification"


def varies_by_language(view):
    """Mark the unprefixed address (the one on the PDF, in the QR code) as answered per language.

    A signed-in visitor (the learner opening their own certificate's link) reads it in their own
    language; anyone else in the one Django's locale middleware chose from the cookie or the
    browser's languages. A prefixed address (``/sv/verify/...``) is in its own. The certificate's
    facts stay as frozen, in the certificate's language.
    """

    def wrapped(request, *args, **kwargs):
        if _localised(request):
            return view(request, *args, **kwargs)
        user = request.user
        language = user.preferred_language if user.is_authenticated else translation.get_language()
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapped


def _language_urls(name: str, **kwargs) -> dict[str, str]:
    """The same page under each language's prefix, for the language menu."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls[code] = reverse(name, kwargs=kwargs)
    return urls


def _page(request, context: dict, status: int = 200, **url_kwargs):
    name = "verification:certificate" if "code" in url_kwargs else "verification:form"
    context = {**context, "language_urls": _language_urls(name, **url_kwargs)}
    return render(request, "certificates/verify.html", context, status=status)


def _not_found(request, status=404):
    if _wants_json(request):
        return JsonResponse({"status": "not_found"}, status=status)
    return _page(request, {"not_found": True}, status=status)


@never_cache
@varies_by_language
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
        return redirect(
            "verification:certificate" if _localised(request) else "certificates:verify", code=display(canonical)
        )
    if _wants_json(request):
        return JsonResponse(
            {
                "status": certificate.status,
                "status_label": str(certificate.status_label),  # in the visitor's language
                "code": certificate.display_code,
                "issued_at": certificate.issued_at.isoformat(),
                "expires_at": certificate.expires_at.isoformat() if certificate.expires_at else None,
                "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
                "revocation_reason": certificate.revocation_reason or None,
                "withdrawn_at": certificate.withdrawn_at.isoformat() if certificate.withdrawn_at else None,
                "facts": certificate.facts,  # a withdrawn certificate's facts hold nothing personal
            }
        )
    owner = request.user.is_authenticated and certificate.holder_id == request.user.pk
    return _page(
        request, {"certificate": certificate, "facts": certificate.facts, "owner": owner}, code=certificate.display_code
    )


MAX_TYPED_CODE = 100  # what is shown back of a code that was not found: 16 characters and separators


@never_cache
@varies_by_language
def verify_form(request):
    """The typed code's page, in the language of the form it was typed in (the form posts to a prefixed address)."""
    typed = request.GET.get("code", "").strip()
    if typed:
        canonical = normalise(typed)
        if canonical:
            return redirect(
                "verification:certificate" if _localised(request) else "certificates:verify", code=display(canonical)
            )
        typed = typed[:MAX_TYPED_CODE]  # shown back in the form, but not a pasted novel
        return _page(request, {"not_found": True, "typed": typed}, status=404)
    return _page(request, {"form": True})


def _own_certificate(request, code: str) -> Certificate:
    """The certificate, for the learner it belongs to (and staff who may see certificates); 404 for others."""
    certificate = get_object_or_404(Certificate.objects.select_related("enrolment"), code=normalise(code) or "-")
    holder = certificate.enrolment.user_id if certificate.enrolment else None  # None: withdrawn
    if holder != request.user.pk and not request.user.has_perm("certificates.view_certificate"):
        raise Http404
    return certificate


@login_required
def download(request, code: str):
    certificate = _own_certificate(request, code)
    if not certificate.pdf:
        raise Http404
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=True,
        filename=f"kyky-{certificate.code}.pdf",
        content_type="application/pdf",
    )


def public_cors(view):
    """Let any origin read the answer, so that verifiers running in a browser can fetch it.

    Only for public documents that hold nothing personal and are the same for everyone (no
    cookies are read, and ``Access-Control-Allow-Credentials`` is never sent). Answers the
    preflight ``OPTIONS`` itself.
    """

    @require_http_methods(["GET", "HEAD", "OPTIONS"])
    def wrapped(request, *args, **kwargs):
        response = HttpResponse(status=204) if request.method == "OPTIONS" else view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Accept"
        response["Access-Control-Max-Age"] = "86400"
        return response

    return wrapped


@public_cors
def did_document(request):
    """The issuer's public keys, where did:web resolvers look for them."""
    return JsonResponse(keys.did_document(), content_type="application/did+json")


@public_cors
def status_list(request):
    response = JsonResponse(credentials.status_list_credential(), content_type="application/vc+ld+json")
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_required
def credential_download(request, code: str):
    """The learner's signed Open Badges 3.0 credential, as JSON for their wallet or registrar."""
    certificate = _own_certificate(request, code)
    if not certificate.credential:
        raise Http404
    response = JsonResponse(certificate.credential, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="kyky-{certificate.code}.json"'
    return response


@login_required
def wallet_offer(request, code: str):
    """A QR code and a link that add the learner's credential to the Learner Credential Wallet in one step."""
    certificate = _own_certificate(request, code)
    if not certificate.credential or certificate.revoked_at or certificate.withdrawn_at:
        raise Http404
    link = wallet.lcw_link(certificate)
    response = render(
        request,
        "certificates/wallet.html",
        {
            "certificate": certificate,
            "facts": certificate.facts,
            "link": link,
            "qr": services.qr_svg(link, title=_("QR code: opens the credential in the Learner Credential Wallet")),
            "minutes": wallet.OFFER_SECONDS // 60,
        },
    )
    response["Cache-Control"] = "no-store"  # the link hands out the credential for an hour
    return response


@never_cache
@csrf_exempt  # the wallet app holds no session; the signed token in the address is the credential
@require_http_methods(["POST"])
def wallet_exchange(request, token: str):
    """The VC-API exchange the wallet POSTs to: the signed credential, in a presentation (see ``wallet``)."""
    if _rate_limited(request):
        response = JsonResponse({"error": "too many requests"}, status=429)
        response["Retry-After"] = "60"
        return response
    certificate = wallet.certificate_for(token)
    if certificate is None:
        return JsonResponse({"error": "not found or expired"}, status=404)
    return JsonResponse(wallet.presentation(certificate), json_dumps_params={"ensure_ascii": False})


MAX_CREDENTIAL_BYTES = 256 * 1024
JSON_TYPES = ("application/json", "application/ld+json", "application/vc+ld+json", "application/vc")


def _refused(request, status: int, error: str, message: str):
    result = {"valid": False, "error": error, "checks": {"format": {"ok": False, "message": message}}}
    return _check_answer(request, result, status=status)


@never_cache
@csrf_exempt  # checking a credential changes nothing, and machine clients hold no session (see below)
def credential_check(request):
    """Upload a credential (a file in the form, or the JSON itself as the body) and see whether it holds.

    Machine clients POST the credential as ``application/json`` (or ``application/ld+json``,
    ``application/vc+ld+json``) and get ``{"valid": ..., "checks": {...}}`` back. No CSRF token is
    asked for: CSRF protects changes made with a visitor's session, and this view changes nothing
    and reads no session; what it costs is limited per client like the other look-ups. A body of
    another type is refused with 415, one over 256 KiB with 413, one that is not JSON (or nested
    too deeply, or holding what JSON or the database cannot) with 400, before anything is checked.
    """
    if request.method != "POST":
        return render(request, "certificates/check.html", {})
    if _rate_limited(request):
        response = JsonResponse({"valid": False, "error": "too many requests"}, status=429)
        response["Retry-After"] = "60"
        return response
    if request.content_type.startswith("multipart/"):
        upload = request.FILES.get("credential")
        raw = upload.read(MAX_CREDENTIAL_BYTES + 1) if upload is not None else b""  # b"": the form came without it
    elif request.content_type in JSON_TYPES:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_CREDENTIAL_BYTES:  # refused before a byte of it is read
            return _refused(request, 413, "too large", _("The request is too large."))
        raw = request.read(MAX_CREDENTIAL_BYTES + 1)
    else:
        return _refused(
            request, 415, "unsupported media type", "send the credential as application/json, or upload it as a file"
        )
    try:
        # Not json.loads: nesting deep enough to overflow the parser's stack, NaN and numbers that overflow to
        # infinity (an index of Infinity is an OverflowError in int()), NUL and lone surrogates are refused here.
        document = parse_json(raw, max_bytes=MAX_CREDENTIAL_BYTES)
    except JSONBodyError as refusal:
        return _refused(request, refusal.status, "too large" if refusal.status == 413 else "not JSON", refusal.message)
    return _check_answer(request, credentials.credential_verify(document))


def _check_answer(request, result: dict, status: int = 200):
    if _wants_json(request) or request.content_type != "multipart/form-data":
        return JsonResponse(result, status=status)
    return render(request, "certificates/check.html", {"result": result}, status=status)
