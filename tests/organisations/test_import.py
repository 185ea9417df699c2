"""Applying a student list to a cohort: results per row, idempotent, invitations, restart-safe."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.accounts.models import User
from lms.courses.models import Enrolment, TrainingPrerequisite
from lms.organisations import services
from lms.organisations.enums import ImportStatus, OrganisationKind, RowResult, StudyMode
from lms.organisations.models import (
    Cohort,
    CohortInvitation,
    CohortLearner,
    Organisation,
    RosterImport,
    RosterImportRow,
)
from lms.storage import private_storage
from tests.factories import UserFactory, build_training

pytestmark = pytest.mark.django_db

LIST = (
    "Nimi;Sähköposti;Opiskelijanumero;Kieli\n"
    "Uusi Opiskelija;uusi@example.fi;1001;sv\n"
    "Olemassa Oleva;OLEMASSA@example.fi;1002;\n"
    "Huono Rivi;ei-sahkoposti;1003;\n"
    "Jo Ilmoittautunut;jo@example.fi;1004;fi\n"
)


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


def token_in(message) -> str:
    return re.search(r"/organisation/invitations/([0-9a-f]+)/", message.body).group(1)


def test_each_row_gets_a_result_and_nobody_is_enrolled_without_consent(cohort, django_capture_on_commit_callbacks):
    UserFactory(email="olemassa@example.fi", preferred_language="en")
    already = UserFactory(email="jo@example.fi")
    Enrolment.objects.create(user=already, training=cohort.training)
    CohortLearner.objects.create(cohort=cohort, user=already)

    with django_capture_on_commit_callbacks(execute=True):
        roster_import = upload(cohort)

    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.DONE
    results = dict(roster_import.rows.values_list("line", "result"))
    assert results == {
        2: RowResult.INVITED,
        3: RowResult.INVITED,
        4: RowResult.ERROR,
        5: RowResult.ALREADY_ENROLLED,
    }
    assert roster_import.rows.get(line=4).message == "'ei-sahkoposti' ei ole sähköpostiosoite."  # uploader's language
    assert CohortLearner.objects.filter(cohort=cohort).count() == 1  # only the one already there
    assert Enrolment.objects.filter(training=cohort.training).count() == 1
    assert not User.objects.filter(email="uusi@example.fi").exists()  # no account made behind anyone's back
    assert CohortInvitation.objects.filter(cohort=cohort).count() == 2
    mails = {message.to[0]: message for message in mail.outbox}
    assert set(mails) == {"uusi@example.fi", "olemassa@example.fi"}
    assert "Esimerkin AMK" in mails["uusi@example.fi"].subject
    assert "bjuder in dig" in mails["uusi@example.fi"].subject  # the row's language for a new address
    assert "invites you" in mails["olemassa@example.fi"].subject  # the account's own language


def test_the_upload_is_in_the_audit_trail_with_counts_and_no_names(cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = upload(cohort)
    entry = ModelLogEntry.objects.get(action="kyky.cohort.invite")
    assert entry.user_id == roster_import.uploaded_by_id
    assert entry.data == {"filename": "lista.csv", "invited": 3, "already": 0, "errors": 1}
    assert "uusi@example.fi" not in str(entry.data) + entry.label


def test_a_row_never_tells_staff_whether_an_address_has_an_account(cohort, django_capture_on_commit_callbacks):
    """Uploading a list is not a way to probe who uses Kyky: both rows read the same."""
    UserFactory(email="olemassa@example.fi")
    text = "Nimi;Sähköposti\nA;olemassa@example.fi\nB;tuntematon@example.fi\n"
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = upload(cohort, text)
    rows = list(roster_import.rows.values("result", "message"))
    assert rows[0] == rows[1] == {"result": RowResult.INVITED, "message": ""}


def test_an_existing_account_joins_only_by_accepting(client, cohort, django_capture_on_commit_callbacks):
    person = UserFactory(email="olemassa@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        upload(cohort, "Nimi;Sähköposti;Opiskelijanumero\nO;olemassa@example.fi;7007\n")
    url = f"/fi/organisation/invitations/{token_in(mail.outbox[-1])}/"
    assert client.get(url).status_code == 200
    client.force_login(person)
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 302
    place = CohortLearner.objects.get(cohort=cohort, user=person)
    assert place.student_number == "7007"
    assert Enrolment.objects.filter(user=person, training=cohort.training).exists()
    assert client.post(url, {"answer": "accept"}).status_code == 200  # answered once; the page says so
    assert CohortLearner.objects.filter(cohort=cohort).count() == 1


def test_declining_shares_nothing(client, cohort, django_capture_on_commit_callbacks):
    person = UserFactory(email="olemassa@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        upload(cohort, "Nimi;Sähköposti\nO;olemassa@example.fi\n")
    client.force_login(person)
    client.post(f"/fi/organisation/invitations/{token_in(mail.outbox[-1])}/", {"answer": "decline"})
    assert not CohortLearner.objects.exists()
    assert not Enrolment.objects.filter(user=person).exists()
    assert CohortInvitation.objects.get().accepted is False


def test_a_new_person_creates_an_account_and_joins(client, cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(cohort, "Nimi;Sähköposti;Kieli\nUusi Opiskelija;uusi@example.fi;sv\n")
    url = f"/sv/organisation/invitations/{token_in(mail.outbox[-1])}/"
    weak = client.post(url, {"certificate_name": "Uusi Opiskelija", "password1": "123", "password2": "123"})
    assert weak.status_code == 200
    assert not User.objects.filter(email="uusi@example.fi").exists()
    password = "tuo-pitka-salasana-2026"
    response = client.post(url, {"certificate_name": "Uusi Opiskelija", "password1": password, "password2": password})
    assert response.status_code == 302
    user = User.objects.get(email="uusi@example.fi")
    assert user.preferred_language == "sv"
    assert user.emailaddress_set.get().verified  # the invitation proved the address
    assert CohortLearner.objects.filter(cohort=cohort, user=user).exists()


def test_a_forged_expired_or_reused_token_opens_nothing(client, cohort, learner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(cohort, "Nimi;Sähköposti\nO;olemassa@example.fi\n")
    token = token_in(mail.outbox[-1])
    client.force_login(learner)
    assert client.post("/fi/organisation/invitations/" + "0" * 64 + "/", {"answer": "accept"}).status_code == 404
    CohortInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.post(f"/fi/organisation/invitations/{token}/", {"answer": "accept"})
    assert not CohortLearner.objects.exists()


def test_uploading_the_same_file_again_changes_nothing(cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upload(cohort)
    before = (User.objects.count(), CohortInvitation.objects.count(), CohortLearner.objects.count(), len(mail.outbox))

    with django_capture_on_commit_callbacks(execute=True):
        second = upload(cohort, name="sama.csv", encoding="cp1252")  # the same list, saved by Excel

    after = (User.objects.count(), CohortInvitation.objects.count(), CohortLearner.objects.count(), len(mail.outbox))
    assert after == before
    assert set(second.rows.exclude(line=4).values_list("result", flat=True)) == {RowResult.ALREADY_INVITED}


def test_the_uploaded_file_is_deleted_once_applied(cohort, django_capture_on_commit_callbacks):
    """The rows keep what was done with each line; the list itself, other people's data, goes."""
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = upload(cohort)
    roster_import.refresh_from_db()
    assert not roster_import.file
    storage = private_storage()
    assert not storage.exists("rosters") or storage.listdir("rosters")[1] == []


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
    assert CohortInvitation.objects.count() == 3


def test_prerequisites_still_apply_when_the_invitation_is_accepted(
    client, cohort, index, django_capture_on_commit_callbacks
):
    required = build_training(index, title="Pohjakoulutus")
    TrainingPrerequisite.objects.create(training=cohort.training, required_training=required)
    person = UserFactory(email="matti@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        upload(cohort, "Nimi,Email\nMatti Meikäläinen,matti@example.fi\n")
    client.force_login(person)
    response = client.post(f"/fi/organisation/invitations/{token_in(mail.outbox[-1])}/", {"answer": "accept"})
    assert "Pohjakoulutus" in response.content.decode()
    assert not CohortLearner.objects.exists()
    assert CohortInvitation.objects.get().answered_at is None  # still open: finish the prerequisite, then accept


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


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("lista.xlsx", b"PK\x03\x04 not really a workbook"),
        ("lista.csv", "Nimi;Sähköposti\nA;a@example.fi\n".encode("utf-16-le")),
        ("lista.csv", b""),
    ],
    ids=["zip-that-is-not-xlsx", "utf16-csv", "empty-file"],
)
def test_a_bad_file_ends_the_job_as_failed_with_a_reason(cohort, name, data, django_capture_on_commit_callbacks):
    """Never stuck in queued or running: the uploader sees that it failed, and why."""
    uploader = UserFactory(preferred_language="fi")
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = services.roster_import_start(
            cohort=cohort, upload=SimpleUploadedFile(name, data), user=uploader
        )
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.FAILED
    assert roster_import.error
    assert not CohortInvitation.objects.exists()
