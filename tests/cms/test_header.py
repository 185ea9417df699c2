"""The site header: rendered once per language and menu, with the requester's own parts filled in."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

TOKEN = re.compile(  # the logout form's token, in the header
    r'action="/(?:fi|sv|en)/accounts/logout/" class="inline">'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
)


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_the_header_is_rendered_once_per_language_and_menu_not_on_every_page(client, homes, learner):
    client.force_login(learner)
    first = client.get("/fi/learn/")
    again = client.get("/fi/learn/")

    assert "includes/site_header.html" in [t.name for t in first.templates]
    assert "includes/site_header.html" not in [t.name for t in again.templates]
    assert 'href="/fi/learn/">Omat koulutukset</a>' in _header(again.content.decode())
    swedish = client.get("/sv/learn/").content.decode()
    assert 'href="/sv/learn/">' in _header(swedish)  # another language, another header
    assert 'lang="fi" hreflang="fi"' in _header(swedish)
    assert 'aria-current="true">SV</a>' in _header(swedish)


def test_a_header_kept_for_a_learner_never_carries_their_logout_token_to_another_session(homes, learner, other_learner):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice.force_login(learner)
    bob.force_login(other_learner)
    alice_token = TOKEN.search(alice.get("/fi/learn/").content.decode()).group(1)
    bob_token = TOKEN.search(bob.get("/fi/learn/").content.decode()).group(1)

    assert alice_token != bob_token
    refused = bob.post("/fi/accounts/logout/", {"csrfmiddlewaretoken": alice_token})
    assert refused.status_code == 403  # Alice's token is worthless in Bob's session
    assert bob.get("/fi/learn/").status_code == 200  # and Bob is still signed in
    assert bob.post("/fi/accounts/logout/", {"csrfmiddlewaretoken": bob_token}).status_code == 302


def test_an_anonymous_visitor_gets_the_signed_out_menu_after_a_learner_was_served_the_same_page(client, homes, learner):
    client.force_login(learner)
    client.get("/fi/")
    client.logout()

    header = _header(Client().get("/fi/").content.decode())

    assert "/fi/accounts/login/" in header
    assert "/fi/learn/" not in header
    assert "csrfmiddlewaretoken" not in header


def _footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') : html.index("</footer>")]


def test_the_kept_footer_marks_the_page_in_hand_and_says_where_the_contact_form_was_opened(client, homes):
    from lms.cms.services import site_pages_setup

    site_pages_setup()
    statement = client.get("/fi/").content.decode()
    link = re.search(r'<a href="([^"]+)">Saavutettavuusseloste</a>', _footer(statement))
    assert link, _footer(statement)

    on_statement = _footer(client.get(link.group(1)).content.decode())
    on_contact = _footer(client.get("/fi/contact/").content.decode())
    on_home = _footer(client.get("/fi/?q=<script>").content.decode())

    assert f'<a href="{link.group(1)}" aria-current="page">' in on_statement
    assert 'aria-current="page"' not in on_home
    assert '<a href="/fi/contact/?from=%2Ffi%2F">' in on_home  # the path only: never the query string
    assert '<a href="/fi/contact/" aria-current="page">' in on_contact
