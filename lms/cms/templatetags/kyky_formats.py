"""``{% load kyky_formats %}``: credits and stored dates in the reader's language (lms.formats)."""

from django import template

from lms.formats.display import credits_text, date_text

register = template.Library()


@register.filter
def credits(value) -> str:
    """``{{ page.ects_credits|credits }}``: "2,5 op", "2,5 sp", "2.5 ECTS credits"."""
    return credits_text(value)


@register.filter
def iso_date(value, format_name: str = "SHORT_DATE_FORMAT") -> str:
    """``{{ facts.completed_on|iso_date }}``: "2026-11-30" as 30.11.2026 (fi, sv) or 30 Nov 2026 (en)."""
    return date_text(value, format_name)
