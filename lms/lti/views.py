"""The LTI endpoints the platform calls (login, launch, key set, deep-linking answer) and Kyky's staff pages.

The platform's endpoints take cross-site form POSTs, so they are CSRF-exempt: what authenticates
them is the platform's signature (launch) or our own (the deep-linking picker's token).
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException, OIDCException

from lms import links
from lms.courses.structure import live_trainings
from lms.organisations.selectors import organisations_managed_by, sees_programme

from . import keys, selectors, services, tool
from .claims import claims_from
from .forms import RegistrationForm
from .models import _origin

logger = logging.getLogger(__name__)

LINK_COOKIE = "kyky_lti_link"

# What a hostile or broken request can make pylti1p3 raise before it has refused it by name.
REFUSALS = (LtiException, OIDCException, ValueError, TypeError, AttributeError, KeyError)


def tool_url(name: str) -> str:
    return links.absolute_url(reverse(name))


def _message(request, title: str, text: str, status: int = 200, platform=None):
    response = render(request, "lti/message.html", {"title": title, "text": text}, status=status)
    if platform is not None:
        _framed_by(response, platform)
    return response


def _framed_by(response, platform, form_action: str = ""):
    """Let the platform's pages frame this response (Moodle shows the picker in a dialog)."""
    response.xframe_options_exempt = True
    update = {"frame-ancestors": platform.origins}
    if form_action:
        update["form-action"] = [form_action]
    response._csp_update = update
    return response


@require_GET
@never_cache
def jwks(request):
    return JsonResponse(keys.jwks())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def oidc_login(request):
    """Third-party initiated login: answer with a redirect to the platform's authentication endpoint."""
    try:
        oidc, _conf = tool.oidc_login(request)
        return oidc.redirect(tool_url("lti:launch"))
    except REFUSALS as error:
        logger.info("LTI login refused: %s", error)
        return _message(
            request,
            _("Kyky could not start"),
            _("Kyky does not know this Moodle, or the request was incomplete. Ask your Moodle administrator."),
            status=400,
        )


@csrf_exempt
@require_POST
@xframe_options_exempt
def launch(request):
    try:
        message, conf = tool.message_launch(request)
        body = message.get_launch_data()
    except REFUSALS as error:
        logger.info("LTI launch refused: %s", error)
        return _message(
            request,
            _("Kyky could not verify this launch"),
            _("Open Kyky again from your Moodle course. If this happens again, tell your teacher."),
            status=400,
        )
    platform, claims = conf.platform, claims_from(body)
    if claims.framed and not claims.is_deep_linking:
        token = services.continuation_keep(platform=platform, launch_body=body)
        response = render(request, "lti/open_window.html", {"url": reverse("lti:continue", args=[token])})
        return _framed_by(response, platform)
    return _signed_in(request, platform, body, claims)


def _signed_in(request, platform, body, claims):
    """The validated launch, from here on in a window of its own: sign the person in and take them on."""
    try:
        user = services.person_sign_in(platform=platform, claims=claims)
    except services.LinkNeeded as error:
        pending = services.link_pending(platform=platform, launch_body=body)
        messages.info(request, str(error))
        response = redirect("lti_staff:link", token=pending.token)
        response.set_cookie(
            LINK_COOKIE,
            pending.binding,
            max_age=services.LINK_LIFETIME,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response
    except services.LaunchRefused as error:
        return _message(request, _("Kyky could not sign you in"), str(error), status=403)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    translation.activate(user.preferred_language)
    request.LANGUAGE_CODE = user.preferred_language
    if claims.is_deep_linking:
        return _picker(request, platform, body, claims, user)
    return _land(request, platform, claims, user)


@require_GET
@never_cache
def launch_continue(request, token: str):
    """A launch made inside the platform's frame, continued in a new window (where Kyky's cookies work)."""
    kept = services.continuation_take(token)
    if kept is None:
        raise Http404
    platform, body = kept
    return _signed_in(request, platform, body, claims_from(body))


def _land(request, platform, claims, user):
    """Where a launch ends for the signed-in ``user``: the training, the course page, or a message."""
    try:
        outcome = services.launch_open(platform=platform, claims=claims, user=user)
    except services.LaunchRefused as error:
        return _message(request, _("Kyky could not open the training"), str(error), status=403)
    if outcome.message:
        return _message(request, _("Kyky in your course"), outcome.message)
    if outcome.teacher:
        return redirect("lti_staff:course", cohort_id=outcome.cohort.pk)
    if outcome.joined:
        messages.info(
            request,
            _("You joined the group %(cohort)s of %(organisation)s. Its teachers see your progress in this training.")
            % {"cohort": outcome.cohort.name, "organisation": outcome.cohort.organisation},
        )
    return redirect(live_trainings().localised(outcome.training, user.preferred_language).url)


def _picker(request, platform, body, claims, user):
    if not claims.teaches:
        return _message(
            request, _("Only teachers choose content"), _("Ask your teacher to add Kyky to the course."), 403, platform
        )
    trainings, cohorts = services.deep_link_choices(platform=platform, user=user)
    index = live_trainings()
    response = render(
        request,
        "lti/picker.html",
        {
            "token": services.deep_link_token(platform=platform, launch_body=body, claims=claims, user=user),
            "trainings": [(t, index.localised(t, user.preferred_language)) for t in trainings],
            "cohorts": [(c, index.localised(c.training, user.preferred_language)) for c in cohorts],
            "course": claims.context_title,
        },
    )
    return _framed_by(response, platform)


@csrf_exempt
@require_POST
@xframe_options_exempt
def deep_link_respond(request):
    """The teacher's choice, answered to the platform as a signed LtiDeepLinkingResponse."""
    try:
        answer = services.deep_link_answer(
            token=request.POST.get("token", ""), choice=request.POST.get("choice", ""), language=request.LANGUAGE_CODE
        )
    except services.DeepLinkError as error:
        return _message(request, _("Kyky could not add the content"), str(error), status=400)
    response = render(request, "lti/deep_link_return.html", {"return_url": answer.return_url, "jwt": answer.jwt})
    return _framed_by(response, answer.platform, form_action=_origin(answer.return_url))


@login_required
@require_http_methods(["GET", "POST"])
def link(request, token: str):
    """The launching person logs in to the Kyky account with their address; confirming links Moodle to it.

    The page opens only in the browser that made the launch (a cookie set by it), so a link cannot be
    sent to someone else to tie the sender's Moodle account to theirs.
    """
    binding = request.COOKIES.get(LINK_COOKIE, "")
    found = services.link_read(token, binding)
    if found is None:
        raise Http404
    platform, claims = found
    if request.method == "POST":
        try:
            services.link_confirm(token=token, binding=binding, user=request.user)
        except services.LaunchRefused as error:
            return _message(request, _("Kyky could not link the accounts"), str(error), status=403)
        response = _land(request, platform, claims, request.user)
        response.delete_cookie(LINK_COOKIE)
        return response
    return render(request, "lti/link.html", {"platform": platform, "claims": claims})


@login_required
@require_GET
def course(request, cohort_id: int):
    """A cohort's Moodle courses, for its teachers and admins, with the roster sync."""
    cohort, links = selectors.course_links(request.user, cohort_id)
    return render(
        request,
        "lti/course.html",
        {
            "cohort": cohort,
            "training": live_trainings().localised(cohort.training, request.LANGUAGE_CODE),
            "course_links": links,
            "can_sync": any(link.memberships_url for link in links) and cohort.closed_because() is None,
        },
    )


@login_required
@require_POST
def roster_sync(request, cohort_id: int):
    cohort, _links = selectors.course_links(request.user, cohort_id)
    try:
        result = services.roster_sync(cohort=cohort, by=request.user)
    except services.SyncError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Moodle's participants: %(invited)s invited, %(already)s already invited or in the group, "
                "%(without)s without an e-mail address (they join when they open Kyky from the course)."
            )
            % {"invited": result.invited, "already": result.already, "without": result.without_address},
        )
    return redirect("lti_staff:course", cohort_id=cohort.pk)


@login_required
@require_GET
def registrations(request):
    organisations = organisations_managed_by(request.user)
    if not organisations.exists():
        raise Http404
    return render(
        request,
        "lti/registrations.html",
        {
            "registrations": selectors.registrations_for(request.user),
            "urls": {
                "login": tool_url("lti:login"),
                "launch": tool_url("lti:launch"),
                "jwks": tool_url("lti:jwks"),
            },
        },
    )


def _registration_form(request, instance=None):
    organisations = organisations_managed_by(request.user)
    if not organisations.exists():
        raise Http404
    form = RegistrationForm(
        request.POST or None,
        instance=instance,
        organisations=organisations,
        vouching=sees_programme(request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The Moodle registration is saved."))
        return redirect("lti_staff:registrations")
    return render(request, "lti/registration_form.html", {"form": form, "registration": instance})


@login_required
@require_http_methods(["GET", "POST"])
def registration_add(request):
    return _registration_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def registration_edit(request, registration_id: int):
    return _registration_form(request, selectors.registration_for(request.user, registration_id))
