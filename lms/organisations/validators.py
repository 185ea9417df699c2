"""Identifiers organisations are known by outside Kyky: the business ID and the HAKA home organisation."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BUSINESS_ID = re.compile(r"(\d{7})-(\d)")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
# schacHomeOrganization is the organisation's DNS domain (HAKA's attribute specification): lower case.
_DOMAIN = re.compile(r"(?=.{4,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def business_id_valid(value: str) -> bool:
    """A Finnish business ID (Y-tunnus) with a correct check digit (PRH's modulus 11 rule)."""
    match = _BUSINESS_ID.fullmatch(value)
    if not match:
        return False
    remainder = sum(int(d) * w for d, w in zip(match[1], _WEIGHTS, strict=True)) % 11
    if remainder == 1:  # no business ID is issued with these digits
        return False
    return int(match[2]) == (0 if remainder == 0 else 11 - remainder)


def validate_business_id(value: str) -> None:
    if not business_id_valid(value):
        raise ValidationError(
            _("Enter a business ID as seven digits, a hyphen and the check digit, e.g. 0245872-8."),
            code="business_id",
        )


def validate_home_organisation(value: str) -> None:
    if not _DOMAIN.fullmatch(value):
        raise ValidationError(
            _("Enter the organisation's domain in lower case, as HAKA releases it, e.g. tuni.fi."),
            code="home_organisation",
        )
