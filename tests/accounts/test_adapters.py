"""allauth as Kyky speaks it: e-mails that name the service, and messages in the page's language.

The Swedish expectations hold once the lead has merged /work/notes/i18n/links.json.
"""

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "uusi@example.fi",
    "first_name": "Saga",
    "last_name": "Virtanen",
    "password1": "pitkä salasana 123",
    "password2": "pitkä salasana 123",
}


@pytest.mark.parametrize(
    ("language", "subject", "greeting", "service"),
    [
        ("fi", "[Kyky] Vahvista sähköpostiosoitteesi", "Hei,", "Kyky – Työkykyohjelman verkkokoulutukset"),
        ("sv", "[Kyky] Bekräfta din e-postadress", "Hej,", "Kyky – webbutbildningar inom Programmet för arbetsförmåga"),
    ],
)
def test_the_confirmation_mail_names_the_service_not_the_host(
    client, homes, django_capture_on_commit_callbacks, language, subject, greeting, service
):
    # Given someone signs up on a page in ``language``, reached by a bare IP address
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/{language}/accounts/signup/", SIGNUP, HTTP_HOST="127.0.0.1")

    # Then the e-mail greets them from Kyky, in their language, and never names the host
    (message,) = mail.outbox
    assert message.subject == subject
    assert message.body.startswith(greeting)
    assert service in message.body
    assert f"http://testserver/{language}/accounts/confirm-email/" in message.body
    for host_greeting in ("palvelusta", "Hello from", "Hej från", "127.0.0.1"):
        assert host_greeting not in message.body


@pytest.mark.parametrize(
    ("language", "browser", "signed_out"),
    [("fi", "sv", "Kirjauduit ulos."), ("sv", "en", "Du har loggat ut."), ("en", "sv", "You have signed out.")],
)
def test_after_logout_the_message_and_the_page_are_in_the_pages_language(
    client, homes, learner, language, browser, signed_out
):
    # Given a learner reading Kyky in ``language`` in a browser that prefers another language
    client.force_login(learner)

    # When they log out
    response = client.post(f"/{language}/accounts/logout/", follow=True, HTTP_ACCEPT_LANGUAGE=browser)

    # Then they land on the home page in the same language, and the message is in it too
    assert response.redirect_chain[0][0] == f"/{language}/"
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert signed_out in html


def test_after_login_the_message_is_in_the_language_of_the_learners_dashboard(client, learner):
    # Given a learner who prefers Swedish logs in on a Finnish page
    learner.preferred_language = "sv"
    learner.save()

    response = client.post(
        "/fi/accounts/login/", {"login": learner.email, "password": "correct horse battery"}, follow=True
    )

    # Then their Swedish dashboard says so in Swedish
    assert response.redirect_chain[-1][0] == "/sv/learn/"
    assert "Du har loggat in som" in response.content.decode()
