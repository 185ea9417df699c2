"""Staff revoke and reissue; trainers see their trainings' certificates; PDFs regenerate as a job."""

import pytest
from django.contrib.auth.models import Group

from lms.certificates.models import Certificate, RegenerationJob
from lms.courses.permissions import TRAINERS, trainers_group_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_staff_revoke_with_a_reason_and_reissue(client, certificate, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    assert certificate.display_code in client.get("/admin/certificates/").content.decode()

    client.post(f"/admin/certificates/{certificate.pk}/revoke/", {"reason": " "})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None  # no reason, no revocation

    client.post(f"/admin/certificates/{certificate.pk}/reissue/", {"reason": "Nimi korjattu"})
    certificate.refresh_from_db()
    new = Certificate.objects.get(enrolment=certificate.enrolment, revoked_at__isnull=True)
    assert certificate.revocation_reason == "Nimi korjattu"
    assert new.code != certificate.code
    assert new.pdf

    client.post(f"/admin/certificates/{new.pk}/revoke/", {"reason": "Väärinkäytös"})
    new.refresh_from_db()
    assert new.revocation_reason == "Väärinkäytös"
    assert client.get(f"/verify/{new.display_code}/", HTTP_ACCEPT="application/json").json()["status"] == "revoked"


def test_trainers_see_their_trainings_certificates_but_cannot_revoke(client, certificate, user_factory):
    trainers_group_ensure()
    trainer = user_factory()
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    client.force_login(trainer)

    html = client.get("/admin/certificates/").content.decode()

    assert certificate.display_code in html
    assert f"/admin/certificates/{certificate.pk}/revoke/" not in html  # no revoke form for trainers
    client.post(f"/admin/certificates/{certificate.pk}/revoke/", {"reason": "x"})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_learners_cannot_open_the_certificate_admin(client, certificate, learner):
    client.force_login(learner)
    assert client.get("/admin/certificates/").status_code == 302


def test_regenerating_pdfs_runs_as_a_job_with_progress(client, certificate, staff, django_capture_on_commit_callbacks):
    with open(certificate.pdf.path, "wb") as stale:
        stale.write(b"rendered with an old template")
    client.force_login(staff)
    training = certificate.enrolment.training

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/certificates/regenerate/{training.pk}/")

    job = RegenerationJob.objects.get()
    assert response["Location"] == f"/admin/certificates/jobs/{job.pk}/"
    progress = client.get(f"/admin/certificates/jobs/{job.pk}/?format=json").json()
    assert progress == {"status": "done", "total": 1, "done": 1, "failed": 0, "percent": 100}
    certificate.refresh_from_db()
    with certificate.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
