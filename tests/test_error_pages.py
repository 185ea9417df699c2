"""The 404, 403 and 500 pages: in the site's design, in the language of the address, and the 500 page
even when nothing else works (no database, no context processors)."""

from unittest import mock

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import path
from django.utils import translation
from django.views.defaults import server_error

from lms.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise OperationalError("the database is down")


# The site's URLs with two views that fail on purpose, in the language prefixes the site uses.
urlpatterns = [
    *i18n_patterns(path("test-forbidden/", _forbidden), path("test-broken/", _broken)),
    *site_urlpatterns,
]


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fi", "Sivua ei löytynyt"), ("sv", "Sidan hittades inte"), ("en", "Page not found")],
)
def test_an_unknown_address_answers_404_in_the_site_design_and_its_language(client, homes, language, heading):
    response = client.get(f"/{language}/ei-tallaista-sivua/")

    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert "css/kyky.css" in html
    assert 'class="site-header"' in html
    assert 'class="site-footer"' in html
    assert 'class="error-page' in html
    assert heading in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("fi", "Sinulla ei ole pääsyä tälle sivulle"),
        ("sv", "Du har inte åtkomst till den här sidan"),
        ("en", "You do not have access to this page"),
    ],
)
def test_a_refused_page_answers_403_in_the_site_design_and_its_language(
    client, homes, failing_urls, django_user_model, language, heading
):
    client.force_login(django_user_model.objects.create_user(email="oppija@example.com", password="x"))

    response = client.get(f"/{language}/test-forbidden/")

    assert response.status_code == 403
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html
    assert 'class="error-page' in html
    assert heading in html


def test_a_refused_anonymous_visitor_is_offered_the_log_in(client, homes, failing_urls):
    html = client.get("/fi/test-forbidden/").content.decode()

    assert 'href="/fi/accounts/login/?next=/fi/test-forbidden/"' in html


@pytest.mark.parametrize(
    ("language", "heading"), [("fi", "Jokin meni vikaan"), ("sv", "Något gick fel"), ("en", "Something went wrong")]
)
def test_the_500_page_renders_with_no_context_and_no_database(django_assert_num_queries, language, heading):
    with (
        translation.override(language),
        django_assert_num_queries(0),
        mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("down")),
    ):
        html = get_template("500.html").render()  # what Django's handler500 does: no request, no processors

    assert f'<html lang="{language}">' in html
    assert "css/kyky.css" in html
    assert 'class="error-page' in html
    assert heading in html
    assert f'href="/{language}/contact/"' in html


def test_djangos_handler500_serves_the_page_when_the_database_is_down(rf: RequestFactory):
    request = rf.get("/sv/")
    with (
        translation.override("sv"),
        mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("down")),
    ):
        response = server_error(request)

    assert response.status_code == 500
    assert '<html lang="sv">' in response.content.decode()


def test_a_crash_with_the_database_down_answers_the_styled_500_in_the_visitors_language(client, homes, failing_urls):
    client.raise_request_exception = False

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("down")):
        response = client.get("/sv/test-broken/")

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert 'class="error-page' in html
