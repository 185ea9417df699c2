"""The logged-in user comes from the cache, and every change to the user reaches the next request.

Each refusal below is a way an account could outlive its removal if the cached row were trusted.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lms.accounts import backends
from lms.accounts.models import User

pytestmark = pytest.mark.django_db

PROFILE = "/fi/accounts/profile/"


def user_queries(client, url=PROFILE) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    table = User._meta.db_table
    return response.status_code, sum(1 for q in captured.captured_queries if f'FROM "{table}"' in q["sql"])


@pytest.fixture
def logged_in(client, learner):
    client.force_login(learner)  # saves last_login, which the cache leaves out
    client.get(PROFILE)  # the first request reads the row and keeps it
    return client


@pytest.fixture
def admin(user_factory):
    return user_factory(is_superuser=True, is_staff=True)


def test_a_logged_in_request_does_not_read_the_users_row(logged_in):
    assert user_queries(logged_in) == (200, 0)


def test_a_user_deactivated_in_the_admins_bulk_action_is_refused_at_once(logged_in, learner, admin):
    # Wagtail's bulk action changes users with QuerySet.update(): no signal reaches the cache.
    staff = Client()
    staff.force_login(admin)
    staff.post(f"/admin/bulk/accounts/user/set_active_state/?id={learner.pk}", {"mark_as_active": "False"})
    learner.refresh_from_db()
    assert learner.is_active is False

    response = logged_in.get(PROFILE)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_user_deactivated_and_saved_is_refused_at_once(logged_in, learner):
    learner.is_active = False
    learner.save()

    assert logged_in.get(PROFILE).status_code == 302


def test_a_new_password_ends_the_other_sessions_despite_the_cache(logged_in, learner):
    learner.set_password("another horse battery staple")
    learner.save()

    assert logged_in.get(PROFILE).status_code == 302


def test_an_erased_account_is_logged_out(logged_in, learner):
    learner.delete()

    assert logged_in.get(PROFILE).status_code == 302


def test_a_row_read_before_a_change_is_not_stored_after_it(learner):
    # A request reads the row, the change commits (and marks the entry), then the request stores
    # what it read: the marker must win.
    stale = User.objects.get(pk=learner.pk)
    User.objects.filter(pk=learner.pk).update(is_active=False)
    backends.forget(learner.pk)
    key = backends._key(learner.pk)
    cache.add(key, tuple(getattr(stale, f.attname) for f in backends._fields()), backends.TIMEOUT)
    assert backends.cached_user(learner.pk).is_active is False


def test_what_the_profile_changes_is_shown_on_the_next_page(logged_in, learner):
    logged_in.post(PROFILE, {"certificate_name": "Uusi Nimi", "organisation": "", "preferred_language": "fi"})

    assert "Uusi Nimi" in logged_in.get(PROFILE).content.decode()


def test_a_session_naming_a_user_who_no_longer_exists_is_anonymous(client, learner):
    client.force_login(learner)
    session = client.session
    session[SESSION_KEY] = str(learner.pk + 1000)
    session.save()

    assert client.get(PROFILE).status_code == 302


def test_a_staff_flag_taken_away_in_the_editor_closes_the_admin(client, admin):
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    admin.is_superuser = admin.is_staff = False
    admin.save()

    assert client.get("/admin/").status_code == 302


def test_a_cached_user_saved_whole_does_not_write_an_old_last_login_back(logged_in, learner):
    learner.refresh_from_db()
    logged_in.post(PROFILE, {"certificate_name": "Uusi Nimi", "organisation": "", "preferred_language": "fi"})

    saved = User.objects.get(pk=learner.pk)
    assert saved.last_login == learner.last_login
    assert saved.certificate_name == "Uusi Nimi"


def test_logging_in_again_keeps_the_cached_row_and_the_refusals(client, learner):
    client.force_login(learner)
    client.get(PROFILE)
    client.force_login(learner)  # a new log-in: last_login saved, nothing else

    assert user_queries(client) == (200, 0)
