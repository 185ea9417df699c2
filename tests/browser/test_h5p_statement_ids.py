"""A browser without ``crypto.randomUUID`` (plain HTTP on a host other than localhost) still stores statements."""

import uuid

import pytest

from lms.courses import services as courses
from lms.h5p.models import XAPIStatement
from lms.h5p.xapi import browser_timestamp_extension
from tests.browser.conftest import log_in
from tests.browser.test_h5p_journey import (
    eventually,
    lesson,  # noqa: F401 (a fixture)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.shared("h5p", "lumi-H5P.TrueFalse.h5p"),
]

# What an insecure context looks like to the page: no crypto.randomUUID, crypto.getRandomValues still there.
NO_RANDOM_UUID = "delete Crypto.prototype.randomUUID;"


def test_statements_get_v4_ids_without_crypto_random_uuid(platform, page, lesson, learner):  # noqa: F811
    """The page makes RFC 4122 version 4 ids from crypto.getRandomValues, and the statements are stored."""
    training, lesson_page, _activity = lesson
    enrolment = courses.enrolment_create(user=learner, training=training)
    page.add_init_script(NO_RANDOM_UUID)
    log_in(page, platform, learner)

    page.goto(f"{platform}{lesson_page.url}")
    assert page.evaluate("typeof crypto.randomUUID") == "undefined"
    frame = page.frame_locator(".h5p-activity iframe[data-h5p-player]").frame_locator("iframe.h5p-iframe")
    frame.get_by_role("radio", name="Yes").click()
    frame.get_by_role("button", name="Check").click()
    eventually(page, lambda: XAPIStatement.objects.filter(enrolment=enrolment, verb__endswith="/answered").exists())

    statements = list(XAPIStatement.objects.filter(enrolment=enrolment, activity__isnull=False))  # the browser's
    assert statements
    for stored in statements:
        assert stored.statement_id.version == 4
        assert stored.statement_id.variant == uuid.RFC_4122
        assert stored.statement["id"] == str(stored.statement_id)
        # The browser's own timestamp was believed (its clock is this machine's).
        assert browser_timestamp_extension() not in stored.statement["context"].get("extensions", {})
    assert len({s.statement_id for s in statements}) == len(statements)
