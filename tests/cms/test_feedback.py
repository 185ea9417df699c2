"""The contact and feedback form: stored first, then mailed after commit; and what it refuses."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from lms.accounts.personal_data import account_erase, personal_data_export
from lms.cms.enums import FeedbackStatus
from lms.cms.models import Feedback
from lms.cms.services import feedback_notify, feedback_submit
from tests.factories import UserFactory, user_with_permissions

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><b>bold</b>'


@pytest.fixture(autouse=True)
def recipients(settings):
    settings.KYKY_FEEDBACK_RECIPIENTS = ["palaute@example.fi"]


def send(client, url="/fi/contact/", **fields):
    data = {"topic": "accessibility", "message": "Painike ei toimi näppäimistöllä.", **fields}
    return client.post(url, data)


def test_a_message_is_stored_and_mailed_after_commit(client, homes, django_capture_on_commit_callbacks):
    # Given a visitor who came from a lesson
    # When they send the form
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = send(client, email="liisa@example.fi", wants_reply="on", page_url="/fi/koulutukset/")
    # Then the message is stored before anything is sent, and the e-mail waits for the commit
    assert response.status_code == 302
    assert response["Location"] == "/fi/contact/"
    feedback = Feedback.objects.get()
    assert (feedback.topic, feedback.page_url, feedback.language, feedback.wants_reply) == (
        "accessibility",
        "/fi/koulutukset/",
        "fi",
        True,
    )
    assert feedback.status == FeedbackStatus.UNHANDLED
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    (message,) = mail.outbox
    assert message.to == ["palaute@example.fi"]
    assert message.reply_to == ["liisa@example.fi"]
    assert "Painike ei toimi näppäimistöllä." in message.body
    assert "/admin/" in message.body
    assert Feedback.objects.get().notified_at is not None


def test_the_email_is_sent_once_however_often_the_task_runs(homes):
    feedback = feedback_submit(topic="other", message="Hei", language="fi")
    assert feedback_notify(feedback_id=feedback.pk) is True
    assert feedback_notify(feedback_id=feedback.pk) is False
    assert len(mail.outbox) == 1


def test_the_form_is_prefilled_from_the_footer_link(client, homes):
    html = client.get("/en/contact/?topic=accessibility&from=/en/learn/").content.decode()
    assert 'value="/en/learn/"' in html
    assert 'value="accessibility" required checked' in html.replace('id="id_topic_0" ', "")


def test_missing_csrf_token_is_refused(homes):
    client = Client(enforce_csrf_checks=True)
    response = send(client)
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_rate_limit_stops_a_flood_of_messages(client, homes, settings):
    settings.KYKY_FEEDBACK_RATE_LIMIT = 2
    assert [send(client).status_code for _ in range(2)] == [302, 302]
    response = send(client, url="/en/contact/")
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "several messages in a short time" in response.content.decode()
    assert Feedback.objects.count() == 2


def test_mistyped_forms_do_not_use_up_the_rate_limit(client, homes, settings):
    settings.KYKY_FEEDBACK_RATE_LIMIT = 1
    for _ in range(3):
        assert send(client, message="").status_code == 200
    assert send(client).status_code == 302


def test_oversized_message_is_refused_with_an_error_in_the_users_language(client, homes):
    response = send(client, url="/en/contact/", message="a" * 5001)
    assert response.status_code == 200
    assert "The message is too long: at most 5000 characters" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_reply_needs_an_email_address(client, homes):
    response = send(client, url="/en/contact/", wants_reply="on")
    assert "Give your e-mail address so that we can reply." in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_page_address_on_another_site_is_dropped(client, homes):
    send(client, page_url="https://evil.example/phish")
    send(client, page_url="//evil.example/phish")
    assert set(Feedback.objects.values_list("page_url", flat=True)) == {""}


def test_html_in_a_message_is_shown_back_escaped(client, homes):
    response = send(client, url="/en/contact/", message=SCRIPT + "a" * 5000)  # too long: shown again
    html = response.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert SCRIPT not in html


def test_html_in_a_message_is_escaped_in_the_admin_and_plain_in_the_mail(client, homes):
    feedback = feedback_submit(topic="content", message=SCRIPT, language="fi", name="<i>Nimi</i>")
    feedback_notify(feedback_id=feedback.pk)
    assert SCRIPT in mail.outbox[0].body
    assert mail.outbox[0].content_subtype == "plain"
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for name in ("cms_feedback:edit", "cms_feedback:inspect"):
        html = client.get(reverse(name, args=[feedback.pk])).content.decode()
        assert "&lt;script&gt;" in html, name
        assert '<script>alert("x")' not in html, name
        assert "<i>Nimi</i>" not in html, name
    listing = client.get(reverse("cms_feedback:index")).content.decode()
    assert '<script>alert("x")' not in listing


@pytest.fixture
def reader():
    """Staff given the feedback permissions through a group, as an administrator would."""
    user = user_with_permissions("wagtailadmin.access_admin", is_staff=True)
    group = Group.objects.create(name="Palautteen käsittelijät")
    group.permissions.add(*Permission.objects.filter(codename__in=["view_feedback", "change_feedback"]))
    user.groups.add(group)
    return user


def test_staff_with_the_permission_read_and_mark_feedback_handled(client, homes, reader):
    feedback = feedback_submit(topic="technical", message="Kirjautuminen ei onnistu", language="fi")
    client.force_login(reader)
    assert "Tekninen ongelma" in client.get(reverse("cms_feedback:index")).content.decode()  # the admin in Finnish
    response = client.post(reverse("cms_feedback:edit", args=[feedback.pk]), {"status": "handled"})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.HANDLED
    assert feedback.message == "Kirjautuminen ei onnistu"


def test_a_non_staff_user_cannot_read_feedback_in_the_admin(client, homes):
    feedback = feedback_submit(topic="other", message="Salainen", language="fi")
    client.force_login(UserFactory())
    for url in (reverse("cms_feedback:index"), reverse("cms_feedback:inspect", args=[feedback.pk])):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"], url


def test_admin_users_without_the_permission_cannot_read_feedback(client, homes):
    feedback = feedback_submit(topic="other", message="Salainen", language="fi")
    trainer = user_with_permissions("wagtailadmin.access_admin", is_staff=True)
    client.force_login(trainer)
    for url in (reverse("cms_feedback:index"), reverse("cms_feedback:inspect", args=[feedback.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "Salainen" not in response.content.decode(), url


def test_nobody_writes_feedback_in_the_admin(client, homes):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("cms_feedback:add"))
    assert response.status_code in (302, 403)


def test_feedback_is_in_the_senders_export_and_goes_with_their_account(homes):
    learner = UserFactory(email="liisa@example.fi")
    feedback_submit(topic="other", message="Kirjautuneena", language="fi", user=learner)
    feedback_submit(topic="other", message="Osoitteella", language="fi", email="LIISA@example.fi")
    feedback_submit(topic="other", message="Joku muu", language="fi", email="muu@example.fi")
    exported = personal_data_export(user=learner)["feedback"]
    assert sorted(m["message"] for m in exported) == ["Kirjautuneena", "Osoitteella"]
    account_erase(user=learner)
    assert list(Feedback.objects.values_list("message", flat=True)) == ["Joku muu"]
