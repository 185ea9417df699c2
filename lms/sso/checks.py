from django.conf import settings
from django.core.checks import Info, Tags, register


@register(Tags.security, deploy=True)
def sp_key_configured(app_configs=None, **kwargs):
    """``check --deploy``: SAML logins need the SP key (a self-signed one made in var/ is for development only)."""
    configured = (settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE) or (
        settings.SAML_SP_KEY and settings.SAML_SP_CERT
    )
    if configured or settings.SAML_SP_SELF_SIGNED:
        return []
    return [
        Info(  # SAML is optional: a deployment without it is not misconfigured
            "SAML sign-in is not set up (no service provider key): its URLs answer that it is not available.",
            hint="Set SAML_SP_KEY_FILE and SAML_SP_CERT_FILE (or SAML_SP_KEY and SAML_SP_CERT); see docs/sso.md.",
            id="sso.I001",
        )
    ]
