"""Export and erasure cover every model that holds personal data, and a person with one of everything
is exported whole and erased without a trace (except one audit entry that names no one)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import models
from wagtail.log_actions import LogContext
from wagtail.log_actions import log as wagtail_log
from wagtail.models import ModelLogEntry, PageLogEntry, PageSubscription
from wagtail.users.models import UserProfile

from lms import audit
from lms.accounts.models import ExternalIdentity, IdentityKind
from lms.accounts.personal_data import account_erase, covered_models, personal_data_export
from lms.certificates import credentials
from lms.certificates.actions import ReissueCertificateAction
from lms.certificates.enums import CertificateStatus
from lms.certificates.models import Certificate, RegenerationJob
from lms.courses import services as courses
from lms.courses.models import Enrolment, LessonPage, LessonProgress
from lms.courses.permissions import trainers_group_ensure
from lms.h5p.models import H5PActivity, H5PAttempt, H5PLibrary, H5PUserData, XAPIStatement
from lms.organisations.enums import OrganisationKind, Role, RowResult, StudyMode
from lms.organisations.models import (
    Cohort,
    CohortLearner,
    Membership,
    Organisation,
    RosterImport,
    RosterImportRow,
)
from lms.organisations.services import invitation_answer, invitation_create, invitation_token
from tests.factories import UserFactory, build_training, question, reflection

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------------------------
# Coverage: which models hold personal data, and who covers them
# ---------------------------------------------------------------------------------------------

# Field names that hold a person's e-mail address, name, student number or IP address.
PERSONAL_FIELD = re.compile(r"(^|_)(email|e_mail|name|student_number|ip|ip_address)(_|$)")

# The one list of models the rules flag that no registration names, each with the reason. Keep it
# short: a model that holds something about a person belongs in its app's registration instead.
EXEMPT = {
    # Names of things, not of people.
    "auth.Group": "a role's name; who has it is in the account export (groups)",
    "auth.Permission": "a permission's name",
    "wagtailcore.Site": "the site's name",
    "wagtailcore.Collection": "a media collection's name",
    "wagtailcore.Workflow": "a moderation workflow's name",
    "wagtailcore.Task": "a workflow task's name",
    "wagtailcore.GroupApprovalTask": "a workflow task's name",
    "taggit.Tag": "a tag's name",
    "h5p.H5PLibrary": "machine_name: an H5P content type's identifier",
    "wagtailembeds.Embed": "author_name, provider_name: the oEmbed author of public media (e.g. a video channel)",
}
# Not flagged, for the record: sessions (django.contrib.sessions) hold only the account's id; the
# erasure view logs the person out, which deletes the session in use, and any other session stops
# authenticating with the account gone and expires after SESSION_COOKIE_AGE. Wagtail's revisions
# and log entries are flagged and covered: the "admin" and "activity_log" registrations of
# lms/accounts (revisions lose the author, SET_NULL; log entries keep the actor's id, and erasure
# scrubs entries about the person).


def _forward_relations(model):
    return [f for f in model._meta.get_fields() if f.is_relation and not f.auto_created and f.related_model]


def _owned_by_a_person() -> set:
    """Models whose rows belong to a person: deleted with the user, directly or through another such row."""
    user_model = get_user_model()
    owned = {user_model}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in owned:
                continue
            for field in _forward_relations(model):
                cascades = getattr(field.remote_field, "on_delete", None) is models.CASCADE
                if field.related_model in owned and cascades and not field.many_to_many:
                    owned.add(model)
                    grew = True
                    break
    return owned


def personal_models() -> dict[str, list[str]]:
    """Every installed model that holds personal data, with the fields that say so."""
    user_model = get_user_model()
    owned = _owned_by_a_person() - {user_model}
    found = {}
    for model in apps.get_models():
        reasons = []
        for field in model._meta.get_fields():
            if field.is_relation:
                if field in _forward_relations(model) and field.related_model is user_model:
                    reasons.append(f"{field.name} (the user)")
                elif field in _forward_relations(model) and field.related_model in owned:
                    reasons.append(f"{field.name} (a {field.related_model._meta.label} of a person)")
            elif isinstance(field, models.EmailField) or PERSONAL_FIELD.search(field.name):
                reasons.append(field.name)
        if reasons or model is user_model:
            found[model._meta.label] = reasons
    return found


def _is_covered(model, covered) -> bool:
    return model in covered or any(parent in covered for parent in model._meta.get_parent_list())


def test_every_model_that_holds_personal_data_is_exported_and_erased_or_exempt_with_a_reason():
    covered = covered_models()
    uncovered = {
        label: reasons
        for label, reasons in personal_models().items()
        if not _is_covered(apps.get_model(label), covered) and label not in EXEMPT
    }

    assert not uncovered, (
        "These models hold personal data, but no personal-data registration covers them:\n"
        + "\n".join(f"  {label}: {', '.join(reasons)}" for label, reasons in sorted(uncovered.items()))
        + "\nExport them in your app's exporter, erase (or anonymise) what deleting the user leaves behind in its "
        "eraser, and name the model in models=[...] of the app's register(...) call in AppConfig.ready "
        "(lms/accounts/personal_data.py explains). If a model holds nothing about a person (a false alarm of "
        "the field-name rule), add it to EXEMPT in tests/accounts/test_personal_data.py with the reason."
    )


def test_the_exemption_lists_hold_no_stale_or_misspelt_entries():
    covered = covered_models()
    personal = personal_models()
    for label in EXEMPT:
        try:
            model = apps.get_model(label)
        except LookupError:
            raise AssertionError(f"{label} is not a model: delete or correct its exemption") from None
        assert label in personal, f"{label} holds no personal data by the test's rules: delete its exemption"
        assert not _is_covered(model, covered), f"{label} is covered by a registration now: delete its exemption"


def test_the_rules_flag_what_they_should():
    """The rules themselves: a relation to the user, to a person's record, an e-mail, a name, a student number."""
    personal = personal_models()
    assert "certificate_name" in personal["accounts.User"]
    assert "user (the user)" in personal["courses.Enrolment"]
    assert any("Enrolment" in reason for reason in personal["courses.LessonProgress"])
    assert any("Enrolment" in reason for reason in personal["certificates.Certificate"])
    assert {"name", "email", "student_number"} <= set(personal["organisations.RosterImportRow"])
    assert "members (the user)" in personal["organisations.Organisation"]
    assert "wagtailcore.Page" in personal  # its owner
    assert "sessions.Session" not in personal
    assert "wagtailcore.Locale" not in personal


# ---------------------------------------------------------------------------------------------
# A person with one of everything
# ---------------------------------------------------------------------------------------------

NAME = "Liisa Säätiö-Oppija"
EMAIL = "liisa.saatio@example.com"
STUDENT_NUMBER = "AMK-778899"


@pytest.fixture
def world(index, django_capture_on_commit_callbacks, settings, tmp_path):
    """A person with one of everything Kyky keeps, another learner alike, and a member of staff."""
    staff = UserFactory(certificate_name="Sari Henkilökunta", is_superuser=True)
    person = UserFactory(email=EMAIL, certificate_name=NAME, first_name="Liisa", last_name="Säätiö-Oppija")
    EmailAddress.objects.create(user=person, email="liisa.toinen@example.com", verified=True, primary=False)
    other = UserFactory(email="olli.muu@example.com", certificate_name="Olli Muu")

    question_id, reflection_id = str(uuid.uuid4()), str(uuid.uuid4())
    training = build_training(
        index, title="Työkyvyn tuki", lessons=1, body=[question(question_id), reflection(reflection_id)]
    )
    lesson = LessonPage.objects.descendant_of(training).get()
    library = H5PLibrary.objects.create(
        machine_name="H5P.Tiny",
        major_version=1,
        minor_version=0,
        patch_version=0,
        title="Tiny",
        metadata={},
        storage_path="h5p/libraries/H5P.Tiny-1.0",
    )
    activity = H5PActivity.objects.create(
        title="Tehtävä",
        package="h5p/packages/tiny.h5p",
        content_path="h5p/content/1",
        h5p_json={},
        main_library=library,
    )

    organisation = Organisation.objects.create(name="Ammattikorkeakoulu A", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Ryhmä A", study_mode=StudyMode.DEGREE
    )
    staff_list = RosterImport.objects.create(cohort=cohort, uploaded_by=staff, filename="ryhma-a.csv")
    RosterImport.objects.create(cohort=cohort, uploaded_by=person, filename="oma-lista.csv")

    for user, number, line in ((person, STUDENT_NUMBER, 1), (other, "AMK-112233", 2)):
        enrolment = courses.enrolment_create(user=user, training=training)
        with django_capture_on_commit_callbacks(execute=True):
            courses.lesson_open(enrolment=enrolment, lesson=lesson)  # completes: a certificate is issued
        courses.answer_submit(enrolment=enrolment, lesson=lesson, question_id=question_id, selected=[0])
        courses.reflection_save(
            enrolment=enrolment, lesson=lesson, reflection_id=reflection_id, text=f"Pohdintani, {user.certificate_name}"
        )
        H5PAttempt.objects.create(enrolment=enrolment, activity=activity, score_scaled="0.8", completed=True)
        H5PUserData.objects.create(user=user, activity=activity, data_type="state", data='{"progress": 3}')
        XAPIStatement.objects.create(
            statement_id=uuid.uuid4(),
            user=user,
            enrolment=enrolment,
            activity=activity,
            verb="answered",
            statement={"actor": {"name": user.certificate_name, "mbox": f"mailto:{user.email}"}, "verb": "answered"},
        )
        CohortLearner.objects.create(cohort=cohort, user=user, student_number=number)
        RosterImportRow.objects.create(
            roster_import=staff_list,
            line=line,
            name=user.certificate_name,
            email=user.email.upper(),
            student_number=number,
            result=RowResult.INVITED,
        )

    Membership.objects.create(organisation=organisation, user=person, role=Role.TEACHER)
    ExternalIdentity.objects.create(
        user=person,
        kind=IdentityKind.SAML,
        issuer="https://idp.amk-a.example/idp/shibboleth",
        subject="liisa@amk-a.example",
        principal="liisa@amk-a.example",
        organisation=organisation,
        student_number=STUDENT_NUMBER,
    )
    cohort.teachers.add(person)
    other_cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Ryhmä B", study_mode=StudyMode.DEGREE
    )
    for target_cohort in (cohort, other_cohort):  # one answered, one still open
        invitation = invitation_create(
            cohort=target_cohort, email=EMAIL, name=NAME, student_number=STUDENT_NUMBER, invited_by=staff
        )
    invitation_answer(token=invitation_token(invitation), user=person, accept=False)
    RegenerationJob.objects.create(training=training, created_by=person)
    profile = UserProfile.get_for_user(person)
    profile.avatar.save("avatar.png", ContentFile(b"\x89PNG not really"), save=True)
    PageSubscription.objects.create(user=person, page=lesson, comment_notifications=True)

    with LogContext(user=staff):  # as staff do it in the admin
        person.groups.add(Group.objects.create(name="Kouluttajat"))
        wagtail_log(instance=person, action="wagtail.edit", user=staff)  # Wagtail's own, labelled with the name
        certificate = Certificate.objects.get(enrolment__user=person)
        new = ReissueCertificateAction(certificate, user=staff, reason=f"Nimi korjattu: {NAME}").execute()
    return {
        "staff": staff,
        "person": person,
        "other": other,
        "training": training,
        "cohort": cohort,
        "lesson": lesson,
        "certificates": [certificate, new],
        "avatar": Path(profile.avatar.path),
    }


def test_the_export_holds_one_of_everything(client, world):
    client.force_login(world["person"])

    data = json.loads(client.get("/fi/accounts/profile/my-data.json").content)

    assert data["account"]["certificate_name"] == NAME
    assert {a["email"] for a in data["account"]["email_addresses"]} == {EMAIL, "liisa.toinen@example.com"}
    assert data["account"]["groups"] == ["Kouluttajat"]
    [login] = data["account"]["external_logins"]
    assert login["principal"] == "liisa@amk-a.example"
    assert login["student_number"] == STUDENT_NUMBER
    lesson = data["trainings"][0]["lessons"][0]
    assert lesson["answers"]
    assert next(iter(lesson["reflections"].values()))["text"].startswith("Pohdintani")
    assert len(data["h5p"]["attempts"]) == len(data["h5p"]["saved_states"]) == 1
    statements = data["h5p"]["statements"]
    assert len([s for s in statements if s.get("verb") == "answered"]) == 1  # the browser's
    kyky = {s["verb"]["id"] for s in statements if isinstance(s.get("verb"), dict)}  # Kyky's own events
    assert "http://adlnet.gov/expapi/verbs/completed" in kyky
    certificates = data["certificates"]["certificates"]
    assert {c["status"] for c in certificates} == {"valid", "revoked"}
    assert all(c["facts"]["name"] == NAME for c in certificates)
    assert data["certificates"]["pdf_regenerations_started"][0]["training"] == "Työkyvyn tuki"
    organisations = data["organisations"]
    assert organisations["memberships"] == [{"organisation": "Ammattikorkeakoulu A", "role": "teacher"}]
    assert organisations["cohorts_taught"][0]["cohort"] == "Ryhmä A"
    assert organisations["cohort_places"][0]["student_number"] == STUDENT_NUMBER
    assert [r["email"] for r in organisations["student_list_rows"]] == [EMAIL.upper()]  # matched whatever the case
    assert organisations["student_lists_uploaded"][0]["filename"] == "oma-lista.csv"
    assert {i["status"] for i in organisations["invitations_received"]} == {"pending", "declined"}
    assert data["admin"]["profile"]["avatar"]
    assert data["admin"]["page_subscriptions"] == [world["lesson"].title]
    assert {e["action"] for e in data["activity_log"]["about_the_account"]} == {"wagtail.edit", audit.USER_ROLES}
    body = json.dumps(data, ensure_ascii=False)
    for theirs in ("olli.muu@example.com", "Olli Muu", "AMK-112233"):
        assert theirs not in body


def _personal_traces(person_id: int, needles: list[str]) -> list[str]:
    """Rows of every covered model that still hold the person's id in a relation to the user, or their data."""
    user_model = get_user_model()
    found = []
    for model in sorted(covered_models(), key=lambda m: m._meta.label):
        user_fields = [
            f.name for f in _forward_relations(model) if f.related_model is user_model and not f.many_to_many
        ]
        for row in model._default_manager.all():
            text = " ".join(str(getattr(row, f.attname)) for f in model._meta.concrete_fields).lower()
            for needle in needles:
                if needle.lower() in text:
                    found.append(f"{model._meta.label} {row.pk}: {needle!r}")
            for name in user_fields:
                if getattr(row, f"{name}_id") == person_id and not (
                    model in (ModelLogEntry, PageLogEntry) and row.action == audit.ACCOUNT_ERASE
                ):
                    found.append(f"{model._meta.label} {row.pk}: {name} is the person")
    return found


def test_erasure_leaves_no_trace_of_the_person_and_their_certificate_verifies_as_withdrawn(
    client, world, django_capture_on_commit_callbacks
):
    person, other = world["person"], world["other"]
    person_id = person.pk
    old_credential = world["certificates"][1].credential
    needles = [NAME, EMAIL, "liisa.toinen@example.com", STUDENT_NUMBER, "Säätiö"]
    assert _personal_traces(person_id, needles)  # the check finds them before
    assert world["avatar"].exists()
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/fi/accounts/profile/delete/", {"password": "correct horse battery"})

    assert not get_user_model().objects.filter(pk=person_id).exists()
    assert _personal_traces(person_id, needles) == []
    # The audit trail: one entry against the id, naming no one; staff's earlier actions keep their actor.
    erased = ModelLogEntry.objects.get(action=audit.ACCOUNT_ERASE)
    assert (erased.object_id, erased.label, erased.user_id) == (str(person_id), f"user {person_id}", person_id)
    assert ModelLogEntry.objects.filter(action=audit.CERTIFICATE_REISSUE, user=world["staff"]).exists()
    assert not world["avatar"].exists()
    # The list row is anonymised, its result kept; the list the person uploaded stays, unlinked.
    row = RosterImportRow.objects.get(line=1)
    assert (row.name, row.email, row.student_number, row.result) == ("", "", "", RowResult.INVITED)
    assert RosterImport.objects.get(filename="oma-lista.csv").uploaded_by is None

    for certificate in world["certificates"]:
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.WITHDRAWN
        assert certificate.facts["training"] == "Työkyvyn tuki"
        assert "name" not in certificate.facts
        html = client.get(f"/verify/{certificate.display_code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'data-status="withdrawn"' in html
        assert "Withdrawn" in html
        assert "Säätiö" not in html
        assert "Nimi korjattu" not in html
        answer = client.get(f"/verify/{certificate.display_code}/", HTTP_ACCEPT="application/json")
        assert answer.json()["status"] == "withdrawn"
        assert "Säätiö" not in json.dumps(answer.json(), ensure_ascii=False)
    # A copy of the credential kept elsewhere no longer verifies: its bit in the status list is set.
    check = credentials.credential_verify(old_credential)
    assert check["checks"]["status"] == {"ok": False, "message": "revoked"}
    assert check["valid"] is False

    # The other learner is untouched.
    assert Enrolment.objects.filter(user=other).count() == 1
    assert LessonProgress.objects.filter(enrolment__user=other, reflections__isnull=False).count() == 1
    assert Certificate.objects.get(enrolment__user=other).facts["name"] == "Olli Muu"
    assert H5PUserData.objects.filter(user=other).exists()
    assert XAPIStatement.objects.filter(user=other).exists()
    assert CohortLearner.objects.get(user=other).student_number == "AMK-112233"
    assert RosterImportRow.objects.get(line=2).email == "OLLI.MUU@EXAMPLE.COM"
    assert (
        client.get(
            f"/verify/{Certificate.objects.get(enrolment__user=other).display_code}/", HTTP_ACCEPT="application/json"
        ).json()["status"]
        == "valid"
    )


def test_erasing_a_trainer_keeps_their_pages_and_the_record_of_their_edits_without_their_name(index, user_factory):
    trainer = user_factory(certificate_name="Teemu Kouluttaja")
    trainer.groups.add(trainers_group_ensure())
    trainer_id = trainer.pk
    training = build_training(index, title="Koordinaattorikoulutus", lessons=1)
    training.owner = trainer
    training.save()
    revision = training.save_revision(user=trainer, log_action=True)
    revision.publish(user=trainer)
    assert personal_data_export(user=trainer)["admin"]["pages_owned"] == [
        {"id": training.pk, "title": "Koordinaattorikoulutus"}
    ]
    assert personal_data_export(user=trainer)["activity_log"]["actions_taken"]

    account_erase(user=trainer)

    training.refresh_from_db()
    revision.refresh_from_db()
    assert (training.owner, revision.user) == (None, None)
    published = PageLogEntry.objects.select_related("user").get(action="wagtail.publish", page=training)
    assert published.user_id == trainer_id  # who published stays, as an id: "user N (deleted)"
    assert "Teemu" not in published.user_display_name
