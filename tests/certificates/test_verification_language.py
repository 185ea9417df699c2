"""Verification pages speak the visitor's language; the certificate's own facts stay as issued."""

import re

import pytest
from django.utils import translation

from lms.certificates import views

pytestmark = pytest.mark.django_db


def heading(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Verify a certificate")


def assert_in_language(response, language: str) -> None:
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading(language)}</h1>" in html


@pytest.mark.parametrize(("browser", "language"), [("fi", "fi"), ("sv-SE,sv;q=0.9", "sv"), ("en-GB", "en")])
def test_the_printed_link_answers_in_the_browsers_language_with_the_facts_as_issued(
    client, certificate, browser, language
):
    response = client.get(f"/verify/{certificate.display_code}/", HTTP_ACCEPT_LANGUAGE=browser)

    assert response.status_code == 200
    assert_in_language(response, language)
    html = response.content.decode()
    assert "Työkyvyn tuki" in html  # the training's name as the (Finnish) certificate says it
    assert "Liisa Oppija" in html
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_my_trainings_links_to_the_verification_page_in_its_own_language(client, certificate, learner, language):
    client.force_login(learner)

    html = client.get(f"/{language}/learn/").content.decode()
    assert f'href="/{language}/verify/{certificate.display_code}/"' in html

    response = client.get(f"/{language}/verify/{certificate.display_code}/", HTTP_ACCEPT_LANGUAGE="fi")
    assert_in_language(response, language)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_language_menu_leads_to_the_same_certificate_in_each_language(client, certificate, language):
    html = client.get(f"/verify/{certificate.display_code}/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert f'href="/{language}/verify/{certificate.display_code}/" lang="{language}"' in html

    chosen = client.get(f"/{language}/verify/{certificate.display_code}/", HTTP_ACCEPT_LANGUAGE="fi")

    assert chosen.status_code == 200
    assert_in_language(chosen, language)
    assert "Työkyvyn tuki" in chosen.content.decode()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_typed_code_is_answered_in_the_language_of_the_form(client, certificate, language):
    form = client.get(f"/{language}/verify/", HTTP_ACCEPT_LANGUAGE="fi")
    assert_in_language(form, language)
    assert f'action="/{language}/verify/"' in form.content.decode()

    typed = certificate.display_code.lower().replace("-", " ")
    response = client.get(f"/{language}/verify/", {"code": typed}, follow=True)

    assert response.redirect_chain[-1][0] == f"/{language}/verify/{certificate.display_code}/"
    assert_in_language(response, language)


def test_the_unprefixed_form_posts_to_the_visitors_language(client, homes):
    html = client.get("/verify/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert 'action="/sv/verify/"' in html


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_an_unknown_code_is_not_found_in_the_visitors_language(client, homes, language):
    response = client.get(f"/{language}/verify/ABCD-EFGH-JKLM-NPQR/")

    assert response.status_code == 404
    with translation.override(language):
        assert translation.gettext("Not found.") in response.content.decode()


def test_guessing_codes_under_a_language_prefix_is_rate_limited_too(client, homes, monkeypatch):
    monkeypatch.setattr(views, "RATE_LIMIT", 2)

    answers = [client.get(f"/sv/verify/ABCD-EFGH-JKLM-NPQ{n}/").status_code for n in range(3)]

    assert answers == [404, 404, 429]


def test_a_stranger_sees_no_download_link_under_a_language_prefix(client, certificate, other_learner):
    client.force_login(other_learner)

    html = client.get(f"/en/verify/{certificate.display_code}/").content.decode()

    assert "Liisa Oppija" in html
    assert not re.search(r"/certificates/\w+\.(pdf|json)", html)


def test_the_json_answer_is_the_same_under_a_language_prefix(client, certificate):
    plain = client.get(f"/verify/{certificate.display_code}/", HTTP_ACCEPT="application/json").json()
    swedish = client.get(f"/sv/verify/{certificate.display_code}/", HTTP_ACCEPT="application/json").json()

    assert swedish["facts"] == plain["facts"]
    assert swedish["status"] == "valid"
    with translation.override("sv"):
        assert swedish["status_label"] == translation.gettext("Valid")


def test_the_learner_opening_their_own_link_reads_it_in_their_language_whatever_the_browser_says(
    client, certificate, learner
):
    learner.preferred_language = "sv"
    learner.save()
    client.force_login(learner)
    response = client.get(f"/verify/{certificate.display_code}/", HTTP_ACCEPT_LANGUAGE="fi")
    assert_in_language(response, "sv")
