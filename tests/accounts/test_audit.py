"""Account erasure and role changes leave audit entries in Wagtail's log, without the person's data."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from wagtail.log_actions import LogContext
from wagtail.log_actions import log as wagtail_log
from wagtail.models import ModelLogEntry

from lms import audit
from lms.accounts.models import User
from lms.certificates.enums import CertificateStatus
from lms.certificates.models import Certificate
from lms.courses import services as courses
from lms.courses.models import LessonPage
from tests.factories import build_training

pytestmark = pytest.mark.django_db

LEARNER = "Liisa Oppija"  # the learner fixture's name


@pytest.fixture
def admin(user_factory):
    return user_factory(certificate_name="Aino Ylläpitäjä", is_superuser=True)


@pytest.fixture
def certified(index, learner, django_capture_on_commit_callbacks):
    """The learner, with a certificate."""
    training = build_training(index, lessons=1)
    enrolment = courses.enrolment_create(user=learner, training=training)
    with django_capture_on_commit_callbacks(execute=True):
        courses.lesson_open(enrolment=enrolment, lesson=LessonPage.objects.descendant_of(training).get())
    return learner


def entries_naming(person) -> list:
    return [
        e
        for e in ModelLogEntry.objects.all()
        if any(text in f"{e.label} {e.data}" for text in (LEARNER, person.email, person.certificate_name))
    ]


# Erasure ---------------------------------------------------------------------------------------


def test_erasing_ones_own_account_is_logged_against_the_id_and_scrubs_earlier_entries(client, certified, admin):
    learner, pk = certified, certified.pk
    wagtail_log(instance=learner, action="wagtail.edit", user=admin)  # Wagtail's own entry: labelled with the name
    assert entries_naming(learner)
    client.force_login(learner)

    client.post("/fi/accounts/profile/delete/", {"password": "correct horse battery"})

    entry = ModelLogEntry.objects.get(action=audit.ACCOUNT_ERASE)
    assert (entry.object_id, entry.label, entry.data, entry.user_id) == (str(pk), f"user {pk}", {}, pk)
    with translation.override("en"):
        assert str(entry.message) == "An account and its personal data were erased"
    assert entries_naming(learner) == []
    assert ModelLogEntry.objects.get(action="wagtail.edit").label == f"user {pk}"  # who edited it stays
    withdrawn = ModelLogEntry.objects.get(action=audit.CERTIFICATE_WITHDRAW)
    assert LEARNER not in withdrawn.label
    client.force_login(admin)
    history = client.get("/admin/reports/site-history/", HTTP_ACCEPT_LANGUAGE="en")
    assert history.status_code == 200
    assert "An account and its personal data were erased" in history.content.decode()
    assert LEARNER not in history.content.decode()


def test_deleting_a_user_in_the_admin_erases_the_account_and_logs_who_did_it(client, certified, admin):
    learner, pk = certified, certified.pk
    client.force_login(admin)
    assert client.get(f"/admin/users/delete/{pk}/").status_code == 200  # the confirmation page changes nothing
    assert User.objects.filter(pk=pk).exists()

    response = client.post(f"/admin/users/delete/{pk}/")

    assert response.status_code == 302
    assert not User.objects.filter(pk=pk).exists()
    assert Certificate.objects.get().status == CertificateStatus.WITHDRAWN  # not blocked by the certificate
    entry = ModelLogEntry.objects.get(action=audit.ACCOUNT_ERASE)
    assert (entry.object_id, entry.user) == (str(pk), admin)
    assert not ModelLogEntry.objects.filter(action="wagtail.delete").exists()  # it would carry the name
    assert entries_naming(learner) == []


def test_deleting_users_in_bulk_in_the_admin_erases_each_account(client, certified, admin, other_learner):
    client.force_login(admin)
    ids = [certified.pk, other_learner.pk]

    response = client.post(f"/admin/bulk/accounts/user/delete/?id={ids[0]}&id={ids[1]}")

    assert response.status_code == 302
    assert not User.objects.filter(pk__in=ids).exists()
    erased = ModelLogEntry.objects.filter(action=audit.ACCOUNT_ERASE)
    assert sorted(int(e.object_id) for e in erased) == sorted(ids)
    assert {e.user_id for e in erased} == {admin.pk}


def test_a_trainer_cannot_delete_users_and_nothing_is_erased_or_logged(client, certified, user_factory):
    trainer = user_factory()
    trainer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(trainer)

    client.post(f"/admin/users/delete/{certified.pk}/")

    assert User.objects.filter(pk=certified.pk).exists()
    assert Certificate.objects.get().status == CertificateStatus.VALID
    assert not ModelLogEntry.objects.filter(action=audit.ACCOUNT_ERASE).exists()


# Role changes ----------------------------------------------------------------------------------


def test_editing_a_users_roles_in_the_admin_is_logged_by_wagtail_and_says_what_changed(client, admin, learner):
    trainers = Group.objects.create(name="Kouluttajat")
    client.force_login(admin)
    form = {
        "email": learner.email,
        "first_name": "Liisa",
        "last_name": "Oppija",
        "is_active": "on",
        "password1": "",
        "password2": "",
    }

    client.post(f"/admin/users/edit/{learner.pk}/", {**form, "groups": [trainers.pk], "is_superuser": "on"})
    client.post(f"/admin/users/edit/{learner.pk}/", {**form, "groups": []})

    edits = ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(learner.pk))
    assert edits.count() == 2  # Wagtail logs that the user was edited ...
    assert {e.user_id for e in edits} == {admin.pk}
    changes = ModelLogEntry.objects.filter(action=audit.USER_ROLES).order_by("timestamp", "pk")
    assert [(e.data, e.user_id) for e in changes] == [  # ... and Kyky what changed, by whom
        ({"superuser": True}, admin.pk),
        ({"groups_added": ["Kouluttajat"]}, admin.pk),
        ({"superuser": False}, admin.pk),
        ({"groups_removed": ["Kouluttajat"]}, admin.pk),
    ]
    with translation.override("en"):
        assert str(changes[1].message) == "Added to Kouluttajat"


def test_the_bulk_assign_role_which_wagtail_does_not_log_is_logged(client, admin, learner, other_learner):
    trainers = Group.objects.create(name="Kouluttajat")
    client.force_login(admin)

    client.post(f"/admin/bulk/accounts/user/assign_role/?id={learner.pk}&id={other_learner.pk}", {"role": trainers.pk})

    assert set(trainers.user_set.all()) == {learner, other_learner}
    changes = ModelLogEntry.objects.filter(action=audit.USER_ROLES)
    assert sorted(int(e.object_id) for e in changes) == sorted([learner.pk, other_learner.pk])
    assert {e.user_id for e in changes} == {admin.pk}


def test_editing_a_groups_permissions_in_the_admin_is_logged_by_wagtail_and_says_what_changed(client, admin):
    group = Group.objects.create(name="Todistukset")
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    client.force_login(admin)
    formsets = {
        f"{prefix}-{key}": value
        for prefix in ("page_permissions", "collection_permissions", "document_permissions", "image_permissions")
        for key, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }

    response = client.post(
        f"/admin/groups/edit/{group.pk}/", {"name": "Todistukset", "permissions": [access.pk], **formsets}
    )

    assert response.status_code == 302
    assert ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(group.pk), user=admin).exists()
    entry = ModelLogEntry.objects.get(action=audit.GROUP_PERMISSIONS)
    assert (entry.object_id, entry.user, entry.data) == (
        str(group.pk),
        admin,
        {"granted": ["wagtailadmin.access_admin"]},
    )


def test_role_changes_outside_the_admin_are_logged_as_the_system_or_the_active_user(admin, learner):
    group = Group.objects.create(name="Kouluttajat")

    learner.groups.add(group)
    with LogContext(user=admin):
        learner.groups.clear()

    entries = ModelLogEntry.objects.filter(action=audit.USER_ROLES).order_by("pk")
    assert [(e.data, e.user_id) for e in entries] == [
        ({"groups_added": ["Kouluttajat"]}, None),
        ({"groups_removed": ["Kouluttajat"]}, admin.pk),
    ]


def test_saving_a_user_without_a_role_change_logs_nothing(learner):
    learner.certificate_name = "Liisa Maria Oppija"
    learner.save()
    learner.save(update_fields=["last_login"])

    assert not ModelLogEntry.objects.filter(action=audit.USER_ROLES).exists()


def test_only_kykys_registered_actions_can_be_logged(learner):
    with pytest.raises(ValueError, match="not one of Kyky's audit actions"):
        audit.log(instance=learner, action="kyky.made.up")


def test_marking_users_inactive_in_bulk_which_wagtail_does_not_log_is_logged(client, admin, learner):
    client.force_login(admin)

    client.post(
        f"/admin/bulk/accounts/user/set_active_state/?id={learner.pk}&id={admin.pk}", {"mark_as_active": "False"}
    )

    learner.refresh_from_db()
    assert learner.is_active is False
    entry = ModelLogEntry.objects.get(action=audit.USER_ROLES)
    assert (entry.object_id, entry.user, entry.data) == (str(learner.pk), admin, {"active": False})
