"""The SAML endpoints: Kyky's metadata, the login request to an identity provider, the assertion consumer.

djangosaml2's views do the protocol; these subclasses choose the identity provider from our rows,
carry the SAML session (the requests sent and not yet answered) in a cookie of its own on these
views only, and answer a refused login with a page in the person's language instead of a bare 403.
"""

import datetime
import logging

from django.contrib import auth
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import decorator_from_middleware, method_decorator
from django.utils.translation import gettext as _
from djangosaml2 import views as saml_views
from djangosaml2.middleware import SamlSessionMiddleware
from saml2.time_util import str_to_time

from . import config, services
from .models import IdentityProvider

logger = logging.getLogger(__name__)

saml_session = decorator_from_middleware(SamlSessionMiddleware)


class _Refused(PermissionDenied):
    def __init__(self, refusal: services.LoginRefused):
        super().__init__(refusal.reason)
        self.refusal = refusal


def _failure(request, message: str, status: int = 403):
    return render(request, "sso/login_error.html", {"message": message}, status=status)


class _NotSetUp:
    """Without the service provider's key (``keys.sp_key_files``) the SAML URLs say so instead of failing."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ImproperlyConfigured:
            logger.exception("SAML sign-in is not set up")
            return _failure(request, _("Logging in with your organisation is not available at the moment."), 503)


@method_decorator(saml_session, name="dispatch")
class LoginView(_NotSetUp, saml_views.LoginView):
    """Send the browser to the chosen identity provider with a signed AuthnRequest (HTTP-Redirect)."""

    def get(self, request, *args, **kwargs):
        provider_id = request.GET.get("provider", "")
        is_id = provider_id.isascii() and provider_id.isdigit() and len(provider_id) < 19  # fits a bigint
        self.provider = IdentityProvider.objects.filter(pk=provider_id, enabled=True).first() if is_id else None
        if self.provider is None or not config.usable([self.provider]):
            return _failure(
                request, _("This organisation's login is not available. Please choose another way to log in."), 400
            )
        return super().get(request, *args, **kwargs)

    def get_sp_config(self, request):
        return config.sp_config(request, providers=[self.provider])


@method_decorator(saml_session, name="dispatch")
class AcsView(_NotSetUp, saml_views.AssertionConsumerServiceView):
    """Where the identity provider posts its response: verified by pysaml2, then ``services.saml_login``."""

    def post(self, request, *args, **kwargs):
        if "SAMLResponse" not in request.POST:
            return _failure(request, _("The login from your organisation did not arrive. Please start again."), 400)
        return super().post(request, *args, **kwargs)

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        if isinstance(exception, _Refused):
            logger.info("SAML login refused: %s", exception.refusal.reason)
            return _failure(request, exception.refusal.message, status)
        logger.info("SAML response refused: %r", exception)
        return _failure(
            request,
            _(
                "Kyky could not verify the login from your organisation, so you are not logged in. "
                "Please start again from Kyky's login page."
            ),
            status,
        )

    def authenticate_user(self, request, session_info, attribute_mapping, create_unknown_user, assertion_info):
        if not assertion_info.get("assertion_id"):
            raise PermissionDenied("no bearer subject confirmation")
        name_id = session_info.get("name_id")
        assertion = services.Assertion(
            issuer=session_info["issuer"],
            assertion_id=assertion_info["assertion_id"],
            not_on_or_after=_expiry(assertion_info.get("not_on_or_after")),
            name_id=getattr(name_id, "text", "") or "",
            name_id_format=getattr(name_id, "format", "") or "",
            attributes=session_info.get("ava") or {},
        )
        try:
            user = auth.authenticate(request=request, saml_assertion=assertion)
        except services.LoginRefused as refusal:
            raise _Refused(refusal) from refusal
        if user is None:
            raise PermissionDenied("No user could be authenticated.")
        auth.login(request, user)
        return user


def _expiry(value) -> datetime.datetime:
    """The assertion's NotOnOrAfter as an aware datetime (a day from now when it names none)."""
    if value:
        try:
            return datetime.datetime(*str_to_time(value)[:6], tzinfo=datetime.UTC)
        except (ValueError, TypeError):
            pass
    return timezone.now() + datetime.timedelta(days=1)


class MetadataView(_NotSetUp, saml_views.MetadataView):
    """Kyky's service provider metadata, for the federation's registry (HAKA's resource registry)."""

    def get_sp_config(self, request):
        return config.sp_config(request, providers=[])
