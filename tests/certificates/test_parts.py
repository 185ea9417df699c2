"""A training part's certificate: issued once as the part completes, naming the part, its credits and grade."""

import datetime
import io
import json
import os
import shutil
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from django.core import mail
from django.db import connection
from pypdf import PdfReader

from lms.accounts.personal_data import account_erase
from lms.assignments import services as assignment_services
from lms.assignments.enums import Decision
from lms.certificates import credentials, services
from lms.certificates.actions import ReissueCertificateAction
from lms.certificates.models import Certificate
from lms.certificates.tasks import issue_certificate, issue_missing_certificates
from lms.courses import services as courses
from lms.courses.models import Enrolment, LessonPage, PartCompletion, PartPage, TrainingIndexPage
from lms.courses.structure import structure_for
from lms.organisations.enums import OrganisationKind
from lms.organisations.models import Cohort, CohortLearner, Organisation
from tests.certificates.test_credentials import ROOT, SCHEMA, run_verifier
from tests.conftest import requires_postgres
from tests.factories import UserFactory, assignment, build_parted_training, text, translate_training

pytestmark = pytest.mark.django_db

TITLE = "Työkykykoordinaattorikoulutus"
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def parted(index):
    """Two parts of 5 credits each, their lessons' minutes backing exactly that."""
    return build_parted_training(index, parts=2, modules=1, lessons=2, title=TITLE)


def part_title(training, part, language="fi") -> str:
    return structure_for(training).page(part, language).title


def complete_part(enrolment, part, capture):
    """Open the part's lessons as the learner does, and run what that sends on commit (the certificate)."""
    pages = {page.translation_key: page for page in LessonPage.objects.live().descendant_of(enrolment.training)}
    with capture(execute=True):
        for lesson in part.lessons:
            courses.lesson_open(enrolment=enrolment, lesson=pages[lesson.key])


def certificate_mails():
    return [message for message in mail.outbox if message.attachments]


def completed_part(training, part, *, grade="pass", language="en", name="Liisa Oppija") -> Enrolment:
    """An enrolment with ``part`` of ``training`` completed on 30.11.2026 with ``grade``, no certificate yet."""
    learner = UserFactory(certificate_name=name, preferred_language=language)
    enrolment = Enrolment.objects.create(user=learner, training=training)
    PartCompletion.objects.create(
        enrolment=enrolment,
        part_key=part.key,
        completed_at=datetime.datetime(2026, 11, 30, 14, 5, tzinfo=HELSINKI),
        grade=grade,
    )
    return enrolment


def issued(training, part, **completion) -> Certificate:
    """The certificate of ``part``, issued as the task issues it, for a learner who completed it."""
    enrolment = completed_part(training, part, **completion)
    return services.certificate_issue(enrolment_id=enrolment.pk, part_key=part.key)


def pdf_text(certificate) -> str:
    reader = PdfReader(io.BytesIO(certificate.pdf.open("rb").read()))
    return " ".join(page.extract_text() for page in reader.pages)


def test_completing_a_part_issues_its_one_certificate_with_the_part_its_credits_and_grade(
    parted, learner, django_capture_on_commit_callbacks
):
    enrolment = courses.enrolment_create(user=learner, training=parted)
    first, _second = structure_for(parted).parts

    complete_part(enrolment, first, django_capture_on_commit_callbacks)

    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.part_key == first.key
    assert certificate.status == "valid"
    facts = certificate.facts
    assert (facts["training"], facts["part"], facts["part_key"]) == (TITLE, part_title(parted, first), str(first.key))
    assert (facts["ects_credits"], facts["grading"], facts["grade"]) == ("5", "pass_fail", "pass")
    assert facts["workload_hours"] == 135  # the part's designed workload: 5 credits x 27 h
    assert certificate.pdf
    assert len(certificate_mails()) == 1

    issue_certificate.apply(args=[enrolment.pk, str(first.key)])  # a second run changes nothing
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    assert len(certificate_mails()) == 1
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None  # the other part is still to do: no certificate of the training


def test_the_whole_trainings_certificate_still_issues_when_every_part_is_done(
    parted, learner, django_capture_on_commit_callbacks
):
    enrolment = courses.enrolment_create(user=learner, training=parted)
    first, second = structure_for(parted).parts

    complete_part(enrolment, first, django_capture_on_commit_callbacks)
    complete_part(enrolment, second, django_capture_on_commit_callbacks)

    by_part = {c.part_key: c for c in Certificate.objects.filter(enrolment=enrolment)}
    assert set(by_part) == {first.key, second.key, None}
    whole = by_part[None]
    assert "part" not in whole.facts
    assert "grade" not in whole.facts
    assert whole.facts["ects_credits"] == "10"
    assert by_part[second.key].facts["part"] == part_title(parted, second)
    assert len(certificate_mails()) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_missing_certificates() == 0


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_issue_exactly_one_certificate_of_a_part(parted, learner):
    enrolment = courses.enrolment_create(user=learner, training=parted)
    first = structure_for(parted).parts[0]
    pages = {page.translation_key: page for page in LessonPage.objects.live().descendant_of(parted)}
    for lesson in first.lessons:
        courses.lesson_open(enrolment=enrolment, lesson=pages[lesson.key])  # no callbacks: nothing issued yet
    assert PartCompletion.objects.filter(enrolment=enrolment).exists()
    barrier, errors = threading.Barrier(6), []

    def run():
        try:
            barrier.wait(timeout=10)
            services.certificate_issue(enrolment_id=enrolment.pk, part_key=str(first.key))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Certificate.objects.filter(enrolment=enrolment, part_key=first.key).count() == 1
    assert len(certificate_mails()) == 1


def test_the_beat_job_issues_a_part_certificate_the_broker_lost_and_no_other(
    parted, learner, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(issue_certificate, "delay", down)
    monkeypatch.setattr(issue_certificate, "apply", lambda *a, **k: None)  # the web process died too
    enrolment = courses.enrolment_create(user=learner, training=parted)
    first = structure_for(parted).parts[0]
    complete_part(enrolment, first, django_capture_on_commit_callbacks)
    assert PartCompletion.objects.filter(enrolment=enrolment, part_key=first.key).exists()  # the completion is kept
    assert not Certificate.objects.exists()
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        assert issue_missing_certificates() == 1
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.part_key == first.key
    assert certificate.facts["ects_credits"] == "5"
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_missing_certificates() == 0

    services.certificate_revoke(certificate=certificate, reason="Myönnetty virheellisesti.")
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_missing_certificates() == 0, "a revoked certificate is not issued again behind staff's back"


def test_an_unfinished_part_gets_no_certificate(parted, learner):
    enrolment = courses.enrolment_create(user=learner, training=parted)
    first = structure_for(parted).parts[0]

    assert services.certificate_issue(enrolment_id=enrolment.pk, part_key=str(first.key)) is None
    assert not Certificate.objects.exists()


def test_the_grade_the_teachers_approvals_gave_reaches_the_certificate_and_its_credential(
    index, django_capture_on_commit_callbacks
):
    blocks = [assignment("a1", grading="scale_0_5", criteria=0), assignment("a2", grading="scale_0_5", criteria=0)]
    training = build_parted_training(index, parts=1, lessons=1, grading="scale_0_5", body=[text(), *blocks])
    part = structure_for(training).parts[0]
    lesson_key = part.lessons[0].key
    learner, teacher = UserFactory(preferred_language="en"), UserFactory()
    cohort = Cohort.objects.create(
        organisation=Organisation.objects.create(name="AMK", kind=OrganisationKind.UAS), training=training, name="S"
    )
    cohort.teachers.add(teacher)
    CohortLearner.objects.create(cohort=cohort, user=learner)
    enrolment = courses.enrolment_create(user=learner, training=training)
    with django_capture_on_commit_callbacks(execute=True):
        for block_id, grade in (("a1", 5), ("a2", 4)):
            assignment_services.draft_save(enrolment=enrolment, lesson_key=lesson_key, block_id=block_id, text="Työ.")
            submission = assignment_services.submission_submit(
                enrolment=enrolment, lesson_key=lesson_key, block_id=block_id
            )
            assignment_services.review_decide(
                reviewer=teacher,
                submission_id=submission.pk,
                decision=Decision.APPROVE,
                feedback="",
                scores={},
                grade=grade,
            )

    certificate = Certificate.objects.get(enrolment=enrolment, part_key=part.key)
    assert (certificate.facts["grading"], certificate.facts["grade"]) == ("scale_0_5", "5")  # 4.5 rounds half up
    subject = certificate.credential["credentialSubject"]
    assert subject["result"][0]["value"] == "5"
    assert subject["achievement"]["resultDescription"][0]["resultType"] == "LetterGrade"


@pytest.mark.parametrize(
    ("grading", "grade", "shown"),
    [("pass_fail", "pass", "Passed"), ("scale_0_5", "4", "Grade 4 (scale 1–5)"), ("scale_0_5", "pass", "Passed")],
)
def test_the_pdf_names_training_and_part_with_the_parts_credits_and_grade(index, grading, grade, shown):
    training = build_parted_training(index, parts=1, grading=grading, title=TITLE)
    part = structure_for(training).parts[0]
    enrolment = completed_part(training, part, grade=grade)

    certificate = services.certificate_issue(enrolment_id=enrolment.pk, part_key=part.key)

    text_ = pdf_text(certificate)
    assert f"{TITLE}: {part_title(training, part)}" in text_
    assert "has completed the training part" in text_
    assert "5 ECTS credits" in text_
    assert shown in text_
    assert "30 Nov 2026" in text_
    reader = PdfReader(io.BytesIO(certificate.pdf.open("rb").read()))
    assert part_title(training, part) in reader.metadata.title


def test_the_e_mail_names_the_part_and_the_grade_as_plain_text(index):
    training = build_parted_training(index, parts=1, grading="scale_0_5", title=TITLE)
    part = structure_for(training).parts[0]
    enrolment = completed_part(training, part, grade="4", name="Aino O'Neill & co")

    services.certificate_issue(enrolment_id=enrolment.pk, part_key=part.key)

    (message,) = certificate_mails()
    assert message.subject == f"Your certificate: {TITLE}: {part_title(training, part)}"
    assert f'the part "{part_title(training, part)}" of the training "{TITLE}"' in message.body
    assert "Your result: Grade 4 (scale 1–5)" in message.body
    assert "Hello Aino O'Neill & co," in message.body  # plain text: nothing HTML-escaped


def test_a_trainings_certificate_mail_has_no_grade_line(index):
    training = build_parted_training(index, parts=1, title=TITLE)
    enrolment = Enrolment.objects.create(
        user=UserFactory(preferred_language="en"), training=training, completed_at=datetime.datetime.now(HELSINKI)
    )

    services.certificate_issue(enrolment_id=enrolment.pk)

    (message,) = certificate_mails()
    assert message.subject == f"Your certificate: {TITLE}"
    assert f'completing the training "{TITLE}"' in message.body
    assert "Your result" not in message.body


@pytest.mark.parametrize(("grading", "grade"), [("pass_fail", "pass"), ("scale_0_5", "4")])
def test_the_verification_page_shows_the_part_and_grade_in_one_query(
    client, index, grading, grade, django_assert_num_queries
):
    training = build_parted_training(index, parts=1, grading=grading, title=TITLE)
    part = structure_for(training).parts[0]
    certificate = issued(training, part, grade=grade)
    url = f"/en/verify/{certificate.display_code}/"
    client.get("/en/verify/")  # the site's shared look-ups (the footer's pages) are cached by any page once

    with django_assert_num_queries(1):
        html = client.get(url).content.decode()

    assert f'data-testid="part">{part_title(training, part)}<' in html
    shown = "Passed" if grade == "pass" else "Grade 4 (scale 1–5)"
    assert f'data-testid="grade">{shown}<' in html
    assert "5 ECTS credits" in html
    body = client.get(url, HTTP_ACCEPT="application/json").json()
    assert (body["facts"]["part_key"], body["facts"]["grade"]) == (str(part.key), grade)


def test_the_admin_list_names_the_part(client, parted, staff):
    part = structure_for(parted).parts[0]
    certificate = issued(parted, part)
    client.force_login(staff)

    html = client.get("/admin/certificates/").content.decode()

    assert f"<td>{TITLE}: {part_title(parted, part)}</td>" in html
    assert certificate.display_code in html


@pytest.fixture
def part_certificate(parted):
    part = structure_for(parted).parts[0]
    return issued(parted, part, language="fi")


def test_a_part_credential_is_its_own_achievement_with_credits_and_result(parted, part_certificate):
    part = structure_for(parted).parts[0]
    credential = part_certificate.credential
    achievement = credential["credentialSubject"]["achievement"]
    name = f"{TITLE}: {part_title(parted, part)}"
    assert credential["name"] == achievement["name"] == name
    assert achievement["id"].endswith(f"/achievements/{parted.translation_key}/parts/{part.key}")
    assert achievement["creditsAvailable"] == 5.0
    (description,) = achievement["resultDescription"]
    assert (description["resultType"], description["name"]) == ("Status", "Hyväksytty/hylätty")  # the certificate's
    assert credential["credentialSubject"]["result"] == [
        {"type": ["Result"], "resultDescription": description["id"], "status": "Completed"}
    ]
    assert credentials.credential_verify(credential)["valid"] is True


@pytest.mark.parametrize(("grading", "grade"), [("pass_fail", "pass"), ("scale_0_5", "4")])
@pytest.mark.shared("vc", "educredentials-obv3", "schemas", "ob_v3p0_achievementcredential_schema.json")
def test_a_part_credential_matches_the_official_open_badges_schema(index, grading, grade):
    training = build_parted_training(index, parts=1, grading=grading)
    part = structure_for(training).parts[0]
    certificate = issued(training, part, grade=grade)

    jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text())).validate(certificate.credential)


@pytest.mark.skipif(
    not shutil.which("node") or not (ROOT / "node_modules" / "@digitalbazaar" / "vc").exists(),
    reason="node and the npm dev dependencies (make assets) are needed for the independent verifier",
)
def test_an_independent_verifier_accepts_a_graded_part_credential(index):
    training = build_parted_training(index, parts=1, grading="scale_0_5")
    part = structure_for(training).parts[0]
    certificate = issued(training, part, grade="4")

    assert run_verifier(certificate.credential) == {"verified": True, "revoked": False, "error": None}
    assert certificate.credential["credentialSubject"]["result"][0]["value"] == "4"


def test_reissuing_a_part_certificate_keeps_its_part_and_leaves_the_others(
    parted, learner, staff, django_capture_on_commit_callbacks
):
    enrolment = courses.enrolment_create(user=learner, training=parted)
    first, second = structure_for(parted).parts
    complete_part(enrolment, first, django_capture_on_commit_callbacks)
    complete_part(enrolment, second, django_capture_on_commit_callbacks)
    old = Certificate.objects.get(enrolment=enrolment, part_key=first.key)

    new = ReissueCertificateAction(old, user=staff, reason="Nimi korjattu").execute()
    again = ReissueCertificateAction(new, user=staff, reason="Vielä kerran").execute()

    assert (new.part_key, again.part_key) == (first.key, first.key)
    assert again.facts["part"] == part_title(parted, first)
    assert again.facts["grade"] == "pass"
    assert again.credential["credentialSubject"]["achievement"]["id"].endswith(f"/parts/{first.key}")
    in_force = Certificate.objects.filter(enrolment=enrolment, revoked_at__isnull=True)
    assert sorted(str(c.part_key) for c in in_force) == sorted([str(again.part_key), str(second.key), "None"])
    old.refresh_from_db()
    assert old.status == "revoked"
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_missing_certificates() == 0


def test_erasure_withdraws_a_part_certificate_keeping_nothing_personal(
    client, parted, learner, django_capture_on_commit_callbacks
):
    enrolment = courses.enrolment_create(user=learner, training=parted)
    first = structure_for(parted).parts[0]
    complete_part(enrolment, first, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(enrolment=enrolment)
    pdf = certificate.pdf.path

    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=learner)

    certificate.refresh_from_db()
    assert certificate.status == "withdrawn"
    assert (certificate.enrolment, certificate.credential, certificate.pdf.name) == (None, None, "")
    assert set(certificate.facts) <= set(services.WITHDRAWN_FACTS)
    assert "name" not in certificate.facts
    assert "grade" not in certificate.facts  # a grade is about the person
    assert certificate.part_key == first.key
    assert certificate.facts["part"] == part_title(parted, first)
    assert not PartCompletion.objects.filter(part_key=first.key).exists()
    assert not os.path.exists(pdf)
    answer = client.get(f"/verify/{certificate.display_code}/", HTTP_ACCEPT="application/json").json()
    assert answer["status"] == "withdrawn"
    assert "Liisa Oppija" not in json.dumps(answer, ensure_ascii=False)
    html = client.get(f"/en/verify/{certificate.display_code}/").content.decode()
    assert 'data-testid="part"' in html
    assert 'data-testid="grade"' not in html
    assert "Liisa Oppija" not in html


def test_a_part_claiming_more_credits_than_its_workload_states_only_what_it_supports(index):
    # two lessons of 2025 minutes a part: its 67.5 h back 2.5 of the 5 credits it claims, the training's 135 h 5 of 10
    training = build_parted_training(index, parts=2, lessons=2, credits=Decimal("5"), minutes=2025)
    first = structure_for(training).parts[0]
    enrolment = completed_part(training, first)
    enrolment.completed_at = datetime.datetime(2026, 11, 30, 15, tzinfo=HELSINKI)
    enrolment.save(update_fields=["completed_at"])

    part = services.certificate_issue(enrolment_id=enrolment.pk, part_key=first.key)
    whole = services.certificate_issue(enrolment_id=enrolment.pk)

    assert (part.facts["ects_credits"], whole.facts["ects_credits"]) == ("2.5", "5")
    assert part.credential["credentialSubject"]["achievement"]["creditsAvailable"] == 2.5
    assert whole.credential["credentialSubject"]["achievement"]["creditsAvailable"] == 5.0
    assert "2.5 ECTS credits" in pdf_text(part)


def test_a_part_whose_workload_supports_no_credit_states_none(index):
    training = build_parted_training(index, parts=1, credits=Decimal("5"), minutes=60)  # 2 h: not half a credit
    part = structure_for(training).parts[0]

    certificate = issued(training, part)

    assert certificate.facts["ects_credits"] == "0"
    assert "creditsAvailable" not in certificate.credential["credentialSubject"]["achievement"]
    assert "ECTS" not in pdf_text(certificate)


def test_a_part_certificate_is_in_the_learners_language_and_an_untranslated_part_keeps_its_finnish_name(homes, locales):
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = build_parted_training(index, parts=2, title=TITLE, slug="koordinaattori")
    second_page = PartPage.objects.child_of(training).order_by("path").last()
    untranslated = {second_page.pk, *second_page.get_descendants().values_list("pk", flat=True)}
    translated = [page for page in training.get_descendants().specific() if page.pk not in untranslated]
    translate_training(training, locales["sv"], "Koordinator", translated, lambda page: f"SV {page.title}")
    first, second = structure_for(training).parts

    swedish = issued(training, first, language="sv")
    finnish_only = issued(training, second, language="sv")

    assert (swedish.facts["training"], swedish.facts["part"]) == ("Koordinator", f"SV {part_title(training, first)}")
    assert finnish_only.facts["part"] == second_page.title
    assert swedish.credential["name"] == f"Koordinator: SV {part_title(training, first)}"
    assert swedish.credential["credentialSubject"]["achievement"]["inLanguage"] == "sv"
    assert "Koordinator: SV" in pdf_text(swedish)
