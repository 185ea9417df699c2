"""Applying a student list to a cohort: results per row, idempotent, invitations, restart-safe."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from lms.accounts.models import User
from lms.courses.models import Enrolment, TrainingPrerequisite
from lms.organisations import services
from lms.organisations.enums import ImportStatus, OrganisationKind, RowResult, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Organisation, RosterImport, RosterImportRow
from tests.factories import UserFactory, build_training

pytestmark = pytest.mark.django_db

LIST = (
    "Nimi;Sähköposti;Opiskelijanumero;Kieli\n"
    "Uusi Opiskelija;uusi@example.fi;1001;sv\n"
    "Olemassa Oleva;OLEMASSA@example.fi;1002;\n"
    "Huono Rivi;ei-sahkoposti;1003;\n"
    "Jo Ilmoittautunut;jo@example.fi;1004;fi\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cohort(index):
    organisation = Organisation.objects.create(name="Esimerkin AMK", kind=OrganisationKind.UAS)
    training = build_training(index, title="Työkykykoordinaattorikoulutus")
    return Cohort.objects.create(
        organisation=organisation, training=training, name="Syksy 2026", study_mode=StudyMode.DEGREE, credits=10
    )


def upload(cohort, text=LIST, name="lista.csv", encoding="utf-8"):
    uploader = User.objects.filter(email="opettaja@example.fi").first() or UserFactory(email="opettaja@example.fi")
    return services.roster_import_start(
        cohort=cohort, upload=SimpleUploadedFile(name, text.encode(encoding)), user=uploader
    )


def test_each_row_gets_a_result_and_errors_change_nothing(cohort, django_capture_on_commit_callbacks):
    UserFactory(email="olemassa@example.fi")
    already = UserFactory(email="jo@example.fi")
    Enrolment.objects.create(user=already, training=cohort.training)

    with django_capture_on_commit_callbacks(execute=True):
        roster_import = upload(cohort)

    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.DONE
    results = dict(roster_import.rows.values_list("line", "result"))
    assert results == {2: RowResult.INVITED, 3: RowResult.ENROLLED, 4: RowResult.ERROR, 5: RowResult.ENROLLED}
    assert roster_import.rows.get(line=4).message == "'ei-sahkoposti' ei ole sähköpostiosoite."  # uploader's language
    assert not User.objects.filter(email__icontains="ei-sahkoposti").exists()
    assert Enrolment.objects.filter(training=cohort.training).count() == 3
    assert CohortLearner.objects.filter(cohort=cohort).count() == 3
    assert User.objects.get(email="uusi@example.fi").preferred_language == "sv"
    invitation = [m for m in mail.outbox if "uusi@example.fi" in m.to]
    assert len(invitation) == 1
    assert "/accounts/password/reset/key/" in invitation[0].body
    assert "Esimerkin AMK" in invitation[0].subject


def test_uploading_the_same_file_again_changes_nothing(cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(cohort)
    before = (User.objects.count(), Enrolment.objects.count(), CohortLearner.objects.count(), len(mail.outbox))

    with django_capture_on_commit_callbacks(execute=True):
        second = upload(cohort, name="sama.csv", encoding="cp1252")  # the same list, saved by Excel

    assert (User.objects.count(), Enrolment.objects.count(), CohortLearner.objects.count(), len(mail.outbox)) == before
    assert set(second.rows.exclude(line=4).values_list("result", flat=True)) == {RowResult.ALREADY_ENROLLED}


def test_a_restarted_job_resumes_without_doubling_rows(cohort, monkeypatch, django_capture_on_commit_callbacks):
    original = services.row_apply
    calls = {"n": 0}

    def crash_on_third(roster_import, row):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return original(roster_import, row)

    monkeypatch.setattr(services, "row_apply", crash_on_third)
    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
        upload(cohort)
    roster_import = RosterImport.objects.get()
    assert roster_import.rows.count() == 2  # two lines done and recorded before the crash

    monkeypatch.setattr(services, "row_apply", original)
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_import_run(import_id=roster_import.pk)  # the broker redelivers the task

    assert sorted(roster_import.rows.values_list("line", flat=True)) == [2, 3, 4, 5]
    assert RosterImportRow.objects.count() == 4
    assert Enrolment.objects.filter(training=cohort.training).count() == 3


def test_prerequisites_still_apply_and_refuse_the_row(cohort, index, django_capture_on_commit_callbacks):
    required = build_training(index, title="Pohjakoulutus")
    TrainingPrerequisite.objects.create(training=cohort.training, required_training=required)

    with django_capture_on_commit_callbacks(execute=True):
        roster_import = upload(cohort, "Nimi,Email\nMatti Meikäläinen,matti@example.fi\n")

    row = roster_import.rows.get()
    assert row.result == RowResult.ERROR
    assert "Pohjakoulutus" in row.message
    assert not User.objects.filter(email="matti@example.fi").exists()


def test_an_unreadable_file_fails_with_a_reason_in_the_uploaders_language(cohort, django_capture_on_commit_callbacks):
    uploader = UserFactory(preferred_language="fi")
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = services.roster_import_start(
            cohort=cohort, upload=SimpleUploadedFile("x.csv", b"Nimi;Puhelin\nMatti;040\n"), user=uploader
        )
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.FAILED
    assert roster_import.error
    assert not roster_import.rows.exists()
