"""Reads of the SAML sign-in."""

from .models import IdentityProvider


def login_choices():
    """The enabled identity providers, for the login page's buttons (one query)."""
    return IdentityProvider.objects.filter(enabled=True).only("pk", "button_label").order_by("button_label")
