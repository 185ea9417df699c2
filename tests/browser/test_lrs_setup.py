"""An organisation admin sets up their LRS in the browser, from the organisation pages to its status
page; axe-core checks every page, and the secret typed is never on a page again."""

import pytest

from lms.lrs.models import LRSEndpoint
from lms.organisations.enums import OrganisationKind, Role
from lms.organisations.models import Membership, Organisation
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "browser-typed-lrs-secret-42"


def test_an_admin_adds_their_universitys_lrs_and_sees_its_status(platform, page, homes):
    university = Organisation.objects.create(name="Esimerkin AMK", kind=OrganisationKind.UAS)
    admin = UserFactory(certificate_name="Hanna Hallinto")
    Membership.objects.create(organisation=university, user=admin, role=Role.ADMIN)

    log_in(page, platform, admin)
    page.click("a[href='/fi/organisation/organisations/']")
    page.click("main a[href='/fi/lrs/']")
    assert_accessible(page)
    page.click("a[href='/fi/lrs/add/']")
    page.fill("#id_name", "AMK:n oppimisanalytiikka")
    page.fill("#id_url", "https://lrs.esimerkki-amk.fi/xAPI")
    page.fill("#id_username", "kyky")
    page.fill("#id_secret", SECRET)
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/fi/lrs/*/")
    assert_accessible(page)

    endpoint = LRSEndpoint.objects.get()
    assert (endpoint.organisation, endpoint.secret) == (university, SECRET)
    assert SECRET not in page.content()
    page.click(f"a[href='/fi/lrs/{endpoint.pk}/edit/']")
    assert page.input_value("#id_secret") == ""
    assert SECRET not in page.content()
