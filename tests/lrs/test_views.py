"""The LRS pages: who sets up which LRS, the write-only secret, the address checks, the status page."""

import pytest
from django.utils import translation

from lms.lrs.enums import DeliveryState
from lms.lrs.models import Delivery, LRSEndpoint
from lms.organisations.enums import Role
from lms.organisations.models import Membership
from tests.lrs.conftest import in_cohort

pytestmark = pytest.mark.django_db

SECRET = "very-secret-lrs-password-1234"
FORM = {"name": "TAMK LRS", "url": "https://lrs.example.org/xapi", "username": "kyky", "secret": SECRET, "active": "on"}


def endpoint_of(organisation, **fields) -> LRSEndpoint:
    return LRSEndpoint.objects.create(
        name="LRS",
        organisation=organisation,
        url="https://lrs.example.org/xapi",
        username="kyky",
        secret=SECRET,
        **fields,
    )


def test_an_organisation_admin_adds_their_organisations_lrs(client, org_admin, university):
    client.force_login(org_admin)

    response = client.post("/fi/lrs/add/", {**FORM, "organisation": university.pk})

    endpoint = LRSEndpoint.objects.get()
    assert response.status_code == 302
    assert (endpoint.organisation, endpoint.secret, endpoint.created_by) == (university, SECRET, org_admin)


def test_programme_staff_add_the_programmes_own_lrs(client, programme_staff):
    client.force_login(programme_staff)

    response = client.post("/fi/lrs/add/", FORM)

    assert response.status_code == 302
    assert LRSEndpoint.objects.get().organisation is None


def test_an_admin_cannot_add_an_lrs_for_another_organisation(client, org_admin, other_university):
    client.force_login(org_admin)

    response = client.post("/fi/lrs/add/", {**FORM, "organisation": other_university.pk})

    assert response.status_code == 200  # the form again: that organisation is not a choice
    assert not LRSEndpoint.objects.exists()


def test_an_admin_cannot_add_an_lrs_that_receives_the_whole_programmes_statements(client, org_admin):
    client.force_login(org_admin)

    response = client.post("/fi/lrs/add/", FORM)  # no organisation: the programme's own

    assert response.status_code == 200
    assert not LRSEndpoint.objects.exists()


@pytest.mark.parametrize("action", ["", "edit/"])
def test_another_organisations_lrs_is_not_found(client, org_admin, other_university, action):
    theirs = endpoint_of(other_university)
    client.force_login(org_admin)

    assert client.get(f"/fi/lrs/{theirs.pk}/{action}").status_code == 404
    assert client.post(f"/fi/lrs/{theirs.pk}/edit/", {**FORM, "name": "mine now"}).status_code == 404
    assert client.post(f"/fi/lrs/{theirs.pk}/retry/").status_code == 404
    assert LRSEndpoint.objects.get().name == "LRS"


def test_the_programmes_lrs_is_not_found_for_an_organisation_admin(client, org_admin):
    programme = endpoint_of(None)
    client.force_login(org_admin)

    assert client.get(f"/fi/lrs/{programme.pk}/").status_code == 404
    assert b"lrs.example.org" not in client.get("/fi/lrs/").content


def test_a_teacher_has_no_lrs_pages(client, university, user_factory):
    teacher = user_factory()
    Membership.objects.create(organisation=university, user=teacher, role=Role.TEACHER)
    endpoint = endpoint_of(university)
    client.force_login(teacher)

    assert client.get("/fi/lrs/").status_code == 404
    assert client.get(f"/fi/lrs/{endpoint.pk}/").status_code == 404


def test_the_secret_is_never_shown_back(client, org_admin, university):
    endpoint = endpoint_of(university)
    client.force_login(org_admin)

    pages = [client.get(url) for url in ("/fi/lrs/", f"/fi/lrs/{endpoint.pk}/", f"/fi/lrs/{endpoint.pk}/edit/")]
    invalid = client.post(f"/fi/lrs/{endpoint.pk}/edit/", {**FORM, "organisation": university.pk, "url": "nope"})

    assert [p.status_code for p in pages] == [200, 200, 200]
    for page in [*pages, invalid]:
        assert SECRET not in page.content.decode()


def test_an_empty_secret_keeps_the_saved_one_and_a_new_one_replaces_it(client, org_admin, university):
    endpoint = endpoint_of(university)
    client.force_login(org_admin)

    client.post(f"/fi/lrs/{endpoint.pk}/edit/", {**FORM, "organisation": university.pk, "secret": ""})
    endpoint.refresh_from_db()
    assert endpoint.secret == SECRET

    client.post(f"/fi/lrs/{endpoint.pk}/edit/", {**FORM, "organisation": university.pk, "secret": "uusi"})
    endpoint.refresh_from_db()
    assert endpoint.secret == "uusi"


@pytest.mark.parametrize(
    "url",
    [
        "http://lrs.example.org/xapi",  # not HTTPS
        "https://10.1.2.3/xapi",
        "https://192.168.0.10/xapi",
        "https://172.16.5.5/xapi",
        "https://169.254.169.254/latest/meta-data",  # the cloud's metadata service
        "https://[fd00::1]/xapi",
        "https://[::ffff:10.0.0.1]/xapi",
        "https://0x7f.1/xapi",  # 127.0.0.1 in another spelling
        "https://2130706433/xapi",  # likewise
        "https://metadata.internal/xapi",
        "https://intranet/xapi",
        "https://kyky:salasana@lrs.example.org/xapi",  # credentials in the address
    ],
)
def test_an_address_inside_our_network_is_refused(client, programme_staff, url):
    client.force_login(programme_staff)

    response = client.post("/fi/lrs/add/", {**FORM, "url": url})

    assert response.status_code == 200
    assert not LRSEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["https://localhost/xapi", "http://127.0.0.1:8100/xapi", "https://[::1]/xapi"])
def test_loopback_is_refused_unless_allowed_for_development(client, programme_staff, settings, url):
    settings.LRS_ALLOW_LOOPBACK = False
    client.force_login(programme_staff)

    response = client.post("/fi/lrs/add/", {**FORM, "url": url})

    assert response.status_code == 200
    assert not LRSEndpoint.objects.exists()


def test_a_name_that_resolves_inside_our_network_is_refused(client, programme_staff, monkeypatch):
    monkeypatch.setattr("lms.lrs.addresses.resolved_addresses", lambda host, port: ["10.0.0.7"])
    client.force_login(programme_staff)

    response = client.post("/fi/lrs/add/", {**FORM, "url": "https://lrs.evil.example/xapi"})

    assert response.status_code == 200
    assert not LRSEndpoint.objects.exists()


def test_a_name_that_now_resolves_inside_our_network_gets_nothing_sent(kyky, monkeypatch):
    """A public name saved earlier and pointed inside later (DNS rebinding): checked again before each send."""
    from lms.lrs import services

    endpoint = endpoint_of(None)
    kyky.store(1)
    monkeypatch.setattr("lms.lrs.addresses.resolved_addresses", lambda host, port: ["10.0.0.7"])

    with translation.override("en"):  # the reason is kept in the language the job ran in
        services.forward_all()

    row = Delivery.objects.get(endpoint=endpoint)
    assert (row.state, row.last_status) == (DeliveryState.PENDING, None)
    assert "private network" in row.last_response


def test_the_status_page_counts_and_shows_the_latest_errors(client, org_admin, university, cohort, learner, kyky):
    from lms.lrs import services

    endpoint = endpoint_of(university)
    in_cohort(cohort, learner)
    kyky.store(3)
    services.deliveries_create(endpoint_id=endpoint.pk)
    sent, waiting, refused = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=sent.pk).update(state=DeliveryState.SENT)
    Delivery.objects.filter(pk=waiting.pk).update(attempts=2, last_status=503, last_response="Service Unavailable")
    Delivery.objects.filter(pk=refused.pk).update(state=DeliveryState.FAILED, last_status=400, last_response="Bad")
    Delivery.objects.exclude(pk=sent.pk).update(last_attempt_at="2026-12-01T10:00:00Z")
    client.force_login(org_admin)

    response = client.get(f"/fi/lrs/{endpoint.pk}/")

    page = response.content.decode()
    assert "Service Unavailable" in page
    assert "Bad" in page
    assert str(refused.statement.statement_id) in page
    counted = response.context["endpoint"]
    assert (counted.pending, counted.sent, counted.failed) == (1, 1, 1)

    client.post(f"/fi/lrs/{endpoint.pk}/retry/")
    assert Delivery.objects.get(pk=refused.pk).state == DeliveryState.PENDING


def test_the_organisation_pages_lead_to_the_lrs_pages(client, org_admin, university):
    client.force_login(org_admin)

    for url in ("/fi/organisation/organisations/", f"/fi/organisation/organisations/{university.pk}/"):
        page = client.get(url)
        assert page.status_code == 200
        assert 'href="/fi/lrs/"' in page.content.decode()


def test_adding_and_changing_an_lrs_is_audited_without_the_secret(client, org_admin, university):
    from wagtail.models import ModelLogEntry

    from lms import audit

    client.force_login(org_admin)
    client.post("/fi/lrs/add/", {**FORM, "organisation": university.pk})
    endpoint = LRSEndpoint.objects.get()
    client.post(f"/fi/lrs/{endpoint.pk}/edit/", {**FORM, "organisation": university.pk, "secret": "", "name": "Uusi"})
    client.post(f"/fi/lrs/{endpoint.pk}/edit/", {**FORM, "organisation": university.pk, "name": "Uusi", "secret": "x2"})

    entries = list(ModelLogEntry.objects.filter(object_id=str(endpoint.pk)).order_by("pk"))
    assert [(e.action, e.data.get("fields")) for e in entries] == [
        (audit.LRS_CREATE, None),
        (audit.LRS_EDIT, "name"),
        (audit.LRS_EDIT, "secret"),
    ]
    assert all(e.user_id == org_admin.pk for e in entries)
    assert not any(SECRET in str(e.data) or "x2" in str(e.data) for e in entries)


def test_an_address_with_a_query_is_refused(client, programme_staff):
    """Statements go to <address>/statements: a query or fragment would put them elsewhere."""
    client.force_login(programme_staff)

    response = client.post("/fi/lrs/add/", {**FORM, "url": "https://lrs.example.org/xapi?to=/admin"})

    assert response.status_code == 200
    assert not LRSEndpoint.objects.exists()
