"""Dates, times, numbers and credits as Finnish, Finland-Swedish and the site's English write them."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core import mail
from django.db import transaction
from django.template import Context, Template
from django.utils import formats, timezone, translation

from lms.formats.display import credits_text, date_text
from lms.organisations import services as organisations
from lms.organisations.enums import OrganisationKind, StudyMode
from lms.organisations.models import Cohort, Organisation
from tests.certificates.trainings import build_backed_training
from tests.factories import build_training

MOMENT = datetime.datetime(2026, 11, 30, 14, 5, tzinfo=ZoneInfo("Europe/Helsinki"))
EARLY = datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("language", "short_date", "long_date", "time", "early"),
    [
        ("fi", "30.11.2026", "30. marraskuuta 2026", "14.05", "1.3.2026"),
        # Finland-Swedish, not Sweden's 2026-11-30 and 14:05
        ("sv", "30.11.2026", "30 november 2026", "14.05", "1.3.2026"),
        # the month named, so that nobody reads 1/3 as 3 January
        ("en", "30 Nov 2026", "30 November 2026", "14:05", "1 Mar 2026"),
    ],
)
def test_dates_and_times_are_written_as_the_language_writes_them(language, short_date, long_date, time, early):
    with translation.override(language):
        assert formats.date_format(MOMENT, "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(MOMENT, "DATE_FORMAT") == long_date
        assert formats.time_format(MOMENT, "TIME_FORMAT") == time
        assert formats.date_format(EARLY, "SHORT_DATE_FORMAT") == early
        assert time in formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT")


def test_finland_swedish_says_kl_before_the_time():
    with translation.override("sv"):
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "30 november 2026 kl. 14.05"


@pytest.mark.parametrize(("language", "typed"), [("fi", "30.11.2026"), ("sv", "30.11.2026"), ("en", "30/11/2026")])
def test_a_typed_date_is_read_day_first(language, typed):
    with translation.override(language):
        field = forms.DateField(localize=True)
        assert field.clean(typed) == datetime.date(2026, 11, 30)
        assert field.clean("2026-11-30") == datetime.date(2026, 11, 30)  # what <input type="date"> sends


def test_english_refuses_the_american_month_first_order():
    with translation.override("en"), pytest.raises(forms.ValidationError):
        forms.DateField(localize=True).clean("11/30/2026")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fi", ["2,5 op", "1 op", "10 op"]),  # waits for the catalogue merge
        ("sv", ["2,5 sp", "1 sp", "10 sp"]),  # waits for the catalogue merge
        ("en", ["2.5 ECTS credits", "1 ECTS credit", "10 ECTS credits"]),
    ],
)
def test_credits_carry_the_decimal_separator_and_unit_of_the_language(language, expected):
    with translation.override(language):
        assert [credits_text(Decimal("2.5")), credits_text("1.0"), credits_text(Decimal("10.0"))] == expected


@pytest.mark.parametrize(("language", "number"), [("fi", "2,5"), ("sv", "2,5"), ("en", "2.5")])
def test_the_credits_filter_formats_numbers_stored_as_text(language, number):
    # a certificate's frozen facts hold credits as "2.5" and the day as "2026-11-30"
    template = Template("{% load kyky_formats %}{{ facts.ects_credits|credits }}|{{ facts.completed_on|iso_date }}")
    with translation.override(language):
        credits, day = template.render(Context({"facts": {"ects_credits": "2.5", "completed_on": "2026-11-30"}})).split(
            "|"
        )
    assert credits.startswith(number + " ")
    assert day == {"fi": "30.11.2026", "sv": "30.11.2026", "en": "30 Nov 2026"}[language]


def test_garbage_in_stored_facts_is_shown_as_it_is_never_a_server_error():
    assert credits_text("lots") == ""
    assert credits_text(None) == ""
    assert credits_text("NaN") == ""
    assert date_text("someday") == "someday"
    assert date_text(None) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
def test_an_invitation_mailed_outside_a_request_dates_in_the_invitees_language(
    index, language, django_capture_on_commit_callbacks
):
    # given a cohort, and an invitee whose list row said `language`
    organisation = Organisation.objects.create(name="Esimerkin AMK", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(
        organisation=organisation, training=build_training(index), name="Syksy", study_mode=StudyMode.DEGREE
    )

    # when the invitation goes out from the task (no request, no active language of its own)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invitation = organisations.invitation_create(cohort=cohort, email="uusi@example.fi", language=language)

    # then its expiry date is written as the invitee's language writes dates
    day = timezone.localtime(invitation.expires_at).date()
    expected = f"{day.day}.{day.month}.{day.year}" if language == "sv" else f"{day.day} {day:%b} {day.year}"
    assert expected in mail.outbox[-1].body
    assert day.isoformat() not in mail.outbox[-1].body


@pytest.mark.django_db
def test_the_training_page_and_catalogue_show_credits_with_a_decimal_comma_in_finnish(client, index):
    # given a training worth 2.5 credits, with the 67.5 hours of designed work they need
    training = build_backed_training(index, title="Työkyvyn tuki", ects_credits=Decimal("2.5"), lessons=1)

    # when a Finnish visitor opens it and the catalogue
    page = client.get(training.url).content.decode()
    catalogue = client.get(index.url).content.decode()

    # then both say 2,5 op (the unit waits for the catalogue merge), never 2.5
    for html in (page, catalogue):
        assert "2,5 op" in html
        assert "2.5" not in html
