"""The authentication backend of SAML logins, with the logged-in user read from the cache.

djangosaml2's own ``Saml2Backend`` maps attributes onto user fields and finds users by one of them;
Kyky's rules (external identities, linking only by a verified address) are in
``services.saml_login`` instead, so this backend only hands the verified assertion to that service.
It extends ``lms.accounts.backends.ModelBackend`` so that the session it starts reads its user from
the cache like every other login (``lms.accounts.backends``).
"""

from lms.accounts.backends import ModelBackend

from . import services


class SamlBackend(ModelBackend):
    def authenticate(self, request, saml_assertion: services.Assertion | None = None, **kwargs):
        """The user of a verified assertion; ``services.LoginRefused`` propagates, carrying its message."""
        if saml_assertion is None:
            return None
        language = getattr(request, "LANGUAGE_CODE", "fi") if request is not None else "fi"
        return services.saml_login(assertion=saml_assertion, language=language)
