"""Revoke, reissue and PDF regeneration are actions: permission checked, done, and logged for the audit trail."""

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from wagtail.models import ModelLogEntry, PageLogEntry

from lms import audit
from lms.certificates.actions import (
    ActionRefused,
    RegenerateCertificatesAction,
    RegenerateCertificatesPermissionError,
    ReissueCertificateAction,
    ReissueCertificatePermissionError,
    RevokeCertificateAction,
    RevokeCertificatePermissionError,
)
from lms.certificates.models import Certificate, RegenerationJob
from lms.certificates.services import certificate_withdraw
from lms.courses.permissions import TRAINERS, trainers_group_ensure

pytestmark = pytest.mark.django_db

LEARNER = "Liisa Oppija"  # the learner fixture's name


@pytest.fixture
def trainer(user_factory):
    trainers_group_ensure()
    user = user_factory()
    user.groups.add(Group.objects.get(name=TRAINERS))
    return type(user).objects.get(pk=user.pk)


def kyky_entries():
    return [e for model in (ModelLogEntry, PageLogEntry) for e in model.objects.filter(action__startswith="kyky.cert")]


def assert_nothing_personal(entry, learner):
    for text in (entry.label, str(entry.data), str(entry.message)):
        assert LEARNER not in text
        assert learner.email not in text


def test_a_revocation_is_logged_with_the_reason_and_the_staff_member(client, certificate, staff, learner):
    client.force_login(staff)

    client.post(f"/admin/certificates/{certificate.pk}/revoke/", {"reason": "Myönnetty virheellisesti"})

    entry = ModelLogEntry.objects.get(action=audit.CERTIFICATE_REVOKE)
    assert entry.object_id == str(certificate.pk)
    assert entry.user == staff
    assert entry.data == {"reason": "Myönnetty virheellisesti"}
    assert certificate.display_code in entry.label
    with translation.override("en"):
        assert str(entry.message) == "Revoked: Myönnetty virheellisesti"
    assert_nothing_personal(entry, learner)


def test_a_reissue_is_logged_against_the_old_certificate_with_the_new_code(client, certificate, staff, learner):
    client.force_login(staff)

    client.post(f"/admin/certificates/{certificate.pk}/reissue/", {"reason": "Nimen kirjoitusasu korjattu"})

    new = Certificate.objects.get(enrolment=certificate.enrolment, revoked_at__isnull=True)
    entry = ModelLogEntry.objects.get(action=audit.CERTIFICATE_REISSUE)
    assert (entry.object_id, entry.user) == (str(certificate.pk), staff)
    assert entry.data == {"reason": "Nimen kirjoitusasu korjattu", "new_code": new.display_code}
    assert_nothing_personal(entry, learner)
    assert new.pdf  # rendered, as before


def test_starting_a_pdf_regeneration_is_logged_in_the_trainings_history(
    client, certificate, staff, learner, django_capture_on_commit_callbacks
):
    training = certificate.enrolment.training
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/certificates/regenerate/{training.pk}/")

    job = RegenerationJob.objects.get()
    entry = PageLogEntry.objects.get(action=audit.CERTIFICATES_REGENERATE)
    assert (entry.page_id, entry.user) == (training.pk, staff)
    assert entry.data == {"job": job.pk, "total": 1}
    assert_nothing_personal(entry, learner)


@pytest.mark.parametrize("what", ["revoke", "reissue", "regenerate"])
def test_a_trainer_without_the_certificate_permissions_is_refused_and_nothing_changes_or_is_logged(
    client, certificate, trainer, what
):
    client.force_login(trainer)
    url = {
        "revoke": f"/admin/certificates/{certificate.pk}/revoke/",
        "reissue": f"/admin/certificates/{certificate.pk}/reissue/",
        "regenerate": f"/admin/certificates/regenerate/{certificate.enrolment.training_id}/",
    }[what]

    response = client.post(url, {"reason": "Yritys"})
    scripted = client.post(url, {"reason": "Yritys"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")

    # Wagtail's admin answers a PermissionDenied with its own refusal page flow (back to the
    # dashboard, "Sorry, you do not have permission..."), and with a plain 403 to scripts.
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert scripted.status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert Certificate.objects.count() == 1
    assert not RegenerationJob.objects.exists()
    assert kyky_entries() == []


def test_the_actions_raise_their_named_permission_errors(certificate, trainer):
    training = certificate.enrolment.training
    with pytest.raises(RevokeCertificatePermissionError):
        RevokeCertificateAction(certificate, user=trainer, reason="x").execute()
    with pytest.raises(ReissueCertificatePermissionError):
        ReissueCertificateAction(certificate, user=trainer).execute()
    with pytest.raises(RegenerateCertificatesPermissionError):
        RegenerateCertificatesAction(training, user=trainer).execute()
    assert kyky_entries() == []


def test_revoking_twice_or_a_withdrawn_certificate_is_refused_and_logged_once(
    client, certificate, staff, django_capture_on_commit_callbacks
):
    RevokeCertificateAction(certificate, user=staff, reason="Ensimmäinen").execute()
    client.force_login(staff)

    response = client.post(f"/admin/certificates/{certificate.pk}/revoke/", {"reason": "Toinen"}, follow=True)

    assert "Todistus on jo peruutettu." in response.content.decode()  # in the admin user's language
    with pytest.raises(ActionRefused):
        ReissueCertificateAction(certificate, user=staff).execute()
    with django_capture_on_commit_callbacks(execute=True):
        certificate_withdraw(certificate=certificate)
    with pytest.raises(ActionRefused):
        RevokeCertificateAction(certificate, user=staff, reason="Kolmas").execute()
    certificate.refresh_from_db()
    assert certificate.revocation_reason == ""  # the withdrawal cleared it; nothing new was written
    assert [e.action for e in kyky_entries()] == [audit.CERTIFICATE_REVOKE]


def test_revoking_without_a_reason_is_refused_and_not_logged(client, certificate, staff):
    client.force_login(staff)

    client.post(f"/admin/certificates/{certificate.pk}/revoke/", {"reason": "  "})

    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert kyky_entries() == []


def test_administrators_read_the_entries_in_site_history(client, certificate, staff, user_factory, learner):
    RevokeCertificateAction(certificate, user=staff, reason="Väärinkäytös").execute()
    admin = user_factory(is_superuser=True, preferred_language="en")
    client.force_login(admin)

    html = client.get("/admin/reports/site-history/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert certificate.display_code in html
    assert "Revoked: Väärinkäytös" in html
    assert "Sari Henkilökunta" in html or staff.email in html
    assert LEARNER not in html


def test_a_certificates_label_in_the_log_names_no_one(certificate):
    assert LEARNER not in str(certificate)
    assert certificate.display_code in str(certificate)
