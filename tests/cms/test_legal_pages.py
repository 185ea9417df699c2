"""The accessibility statement and the privacy notice: their text in three languages, kept when staff
edit them, and linked from every page's footer at no query cost."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.cms.enums import LegalPageKind
from lms.cms.models import LegalPage
from lms.cms.services import site_pages_setup
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["fi", "sv", "en"]
FOOTER = re.compile(r'<nav aria-label="[^"]*" class="footer-links">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>')

# What each page must say, whatever the language: the law, the standard, the authority and its contact.
REQUIRED = {
    LegalPageKind.ACCESSIBILITY: [
        "306/2019",
        "WCAG 2.1",
        "EN 301 549",
        "H5P",
        "PDF",
        "Traficom",
        "saavutettavuus@traficom.fi",
        "534 5000",
        "HE 71/2024",
        "RP 71/2024",
    ],
    LegalPageKind.PRIVACY: ["6", "306/2019", "JSON", "tietosuoja@om.fi", "00531", "566 6700", "xAPI", "Moodle"],
}
HEADINGS = {
    ("accessibility", "fi"): [
        "Mitä vaatimuksia palvelu noudattaa",
        "Sisältö, joka ei ole vielä saavutettavaa",
        "Anna palautetta saavutettavuudesta",
        "Valvontaviranomainen",
    ],
    ("accessibility", "sv"): [
        "Vilka krav tjänsten följer",
        "Innehåll som ännu inte är tillgängligt",
        "Ge respons på tillgängligheten",
        "Tillsynsmyndighet",
    ],
    ("accessibility", "en"): [
        "Which requirements the service follows",
        "Content that is not accessible yet",
        "Give feedback on accessibility",
        "Supervisory authority",
    ],
    ("privacy", "fi"): [
        "Rekisterinpitäjä",
        "Kenelle tietoja luovutetaan",
        "Kuinka kauan tietoja säilytetään",
        "Oikeutesi",
        "Oikeus tehdä valitus valvontaviranomaiselle",
    ],
    ("privacy", "sv"): [
        "Personuppgiftsansvarig",
        "Till vem uppgifterna lämnas ut",
        "Hur länge uppgifterna sparas",
        "Dina rättigheter",
        "Rätt att lämna in klagomål till tillsynsmyndigheten",
    ],
    ("privacy", "en"): [
        "Controller",
        "To whom the data is disclosed",
        "How long data is kept",
        "Your rights",
        "Right to lodge a complaint with the supervisory authority",
    ],
}


@pytest.fixture
def site_pages(homes):
    site_pages_setup()
    return {(p.kind, p.locale.language_code): p for p in LegalPage.objects.select_related("locale")}


def footer_links(html: str) -> list[tuple[str, str, str]]:
    (nav,) = FOOTER.findall(html)
    return LINK.findall(nav)


@pytest.mark.parametrize("kind", LegalPageKind.values)
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_page_renders_with_its_required_sections(client, site_pages, kind, language, settings):
    # Given the pages from the repository's files and a configured controller
    settings.KYKY_CONTROLLER_NAME = "Työterveyslaitos"
    settings.KYKY_CONTROLLER_EMAIL = "kirjaamo@example.fi"
    settings.KYKY_DPO_CONTACT = "tietosuojavastaava@example.fi"
    page = site_pages[(kind, language)]
    # When a visitor opens it
    response = client.get(page.url)
    # Then it is in its language and says what the law asks
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in html
    for heading in HEADINGS[(kind, language)]:
        assert f"<h2>{heading}</h2>" in html, heading
    wanted = [w for w in REQUIRED[kind] if not w.endswith("71/2024")]
    for fact in wanted:
        assert fact in html, fact
    if kind == LegalPageKind.ACCESSIBILITY:
        assert "HE 71/2024" in html or "RP 71/2024" in html  # the source of the authority's name
        assert "/contact/?topic=accessibility" in html  # the feedback channel
    else:
        assert "Työterveyslaitos" in html
        assert "tietosuojavastaava@example.fi" in html
    assert 'id="contact-details"' in html
    assert "1.12.2026" in html if language == "fi" else "2026" in html  # when it was made and reviewed


def test_the_languages_are_linked_as_translations(site_pages):
    for kind in LegalPageKind.values:
        keys = {site_pages[(kind, language)].translation_key for language in LANGUAGES}
        assert len(keys) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_footer_links_resolve_on_every_kind_of_page_in_the_pages_language(client, site_pages, language):
    # Given a logged-in learner and the pages of each kind: Wagtail pages, Django views, allauth's
    client.force_login(UserFactory())
    pages = [
        f"/{language}/",
        site_pages[("privacy", language)].url,
        f"/{language}/contact/",
        f"/{language}/learn/",
        f"/{language}/accounts/profile/",
        reverse("certificates:verify_form"),
    ]
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)  # a page without a prefix follows this
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}"' in html, url
        links = footer_links(html)
        # Then the footer has the statement, the notice and the contact form, in the page's language
        assert [href.split("?")[0] for href, _a, _t in links] == [
            site_pages[("accessibility", language)].url,
            site_pages[("privacy", language)].url,
            f"/{language}/contact/",
        ], url
        for href, _attributes, _title in links:
            assert client.get(href).status_code == 200, href


def test_anonymous_visitors_get_the_footer_too(client, site_pages):
    links = footer_links(client.get("/sv/accounts/login/").content.decode())
    assert [title for _h, _a, title in links][:2] == ["Tillgänglighetsutlåtande", "Dataskyddsbeskrivning"]


def test_the_footer_costs_no_query_once_the_cache_is_warm(client, site_pages):
    # Given a page visited once (the cache is warm)
    client.force_login(UserFactory())
    for url in ["/fi/", "/fi/learn/", "/fi/contact/"]:
        client.get(url)
        # When it is visited again
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        # Then nothing is read for the footer: no legal page, no page tree
        sql = " ".join(q["sql"] for q in captured.captured_queries)
        assert "cms_legalpage" not in sql, url


def test_an_untranslated_page_is_linked_in_the_default_language(client, site_pages):
    # Given the Swedish notice was deleted
    site_pages[("privacy", "sv")].delete()
    # When a Swedish page is shown
    links = footer_links(client.get("/sv/").content.decode())
    # Then the footer links the Finnish notice, marked as Finnish
    href, attributes, title = links[1]
    assert href == site_pages[("privacy", "fi")].url
    assert 'lang="fi"' in attributes
    assert title == "Tietosuojaseloste"


def test_staff_edits_survive_a_rerun_and_update_overwrites_them(site_pages):
    page = site_pages[("accessibility", "fi")]
    page.title = "Saavutettavuusseloste (päivitetty)"
    page.save_revision().publish()
    assert site_pages_setup() == {"created": 0, "updated": 0, "unchanged": 6}
    assert LegalPage.objects.get(pk=page.pk).title == "Saavutettavuusseloste (päivitetty)"
    site_pages_setup(update=True)
    assert LegalPage.objects.get(pk=page.pk).title == "Saavutettavuusseloste"


def test_a_second_statement_in_one_language_is_refused(site_pages):
    existing = site_pages[("accessibility", "fi")]
    second = LegalPage(
        title="Toinen",
        slug="toinen",
        kind="accessibility",
        locale=existing.locale,
        prepared_on=existing.prepared_on,
        reviewed_on=existing.reviewed_on,
    )
    with pytest.raises(ValidationError):
        second.clean()


def test_without_a_configured_controller_the_page_says_so_instead_of_leaving_a_blank(client, site_pages, settings):
    settings.KYKY_CONTROLLER_NAME = ""
    html = client.get(site_pages[("privacy", "en")].url).content.decode()
    assert "have not been set yet" in html
