"""Handing in and reviewing assignments: the rules, and the refusals each named for what it stops."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lms.accounts.personal_data import personal_data_export
from lms.assignments import services
from lms.assignments.enums import Decision, SubmissionStatus
from lms.assignments.models import Submission, SubmissionFile
from lms.assignments.selectors import review_queue
from lms.courses import services as courses
from lms.courses.enums import CompletionRule
from lms.courses.models import LessonPage, LessonProgress
from lms.courses.permissions import TRAINERS, trainers_group_ensure
from lms.organisations.enums import OrganisationKind, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Organisation
from lms.storage import private_storage
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, assignment, text

pytestmark = pytest.mark.django_db

TASK = "kehittamistehtava"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf(name="tehtava.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def course(index):
    """A training of one module: the development task's lesson, then a lesson that is only read."""
    training = TrainingPageFactory(parent=index, title="Työkykykoordinaattorikoulutus")
    module = ModulePageFactory(parent=training)
    task = LessonPageFactory(parent=module, completion_rule=CompletionRule.OPENED, body=[text(), assignment(TASK)])
    LessonPageFactory(parent=module, completion_rule=CompletionRule.OPENED, body=[text()])
    return training, task


@pytest.fixture
def enrolled(course, learner):
    training, task = course
    enrolment = courses.enrolment_create(user=learner, training=training)
    return enrolment, task


@pytest.fixture
def cohort(course, user_factory, learner):
    training, _task = course
    organisation = Organisation.objects.create(name="Esimerkin AMK", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Syksy", study_mode=StudyMode.DEGREE
    )
    teacher = user_factory(first_name="Tiina", last_name="Opettaja")
    cohort.teachers.add(teacher)
    CohortLearner.objects.create(cohort=cohort, user=learner)
    return cohort, teacher


def submit(enrolment, task, *, text="Suunnitelmamme", files=()):
    services.draft_save(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK, text=text, add=files)
    return services.submission_submit(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK)


def scores():
    return {"0": 1, "1": 2}


def test_a_learner_saves_a_draft_attaches_a_file_and_submits(enrolled):
    enrolment, task = enrolled
    draft = services.draft_save(
        enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK, text="Luonnos", add=[pdf()]
    )
    assert draft.status == SubmissionStatus.DRAFT
    assert draft.round == 1
    file = draft.files.get()
    assert file.name == "tehtava.pdf"
    assert file.content_type == "application/pdf"
    assert file.size == len(PDF)
    assert not file.file.name.endswith("tehtava.pdf"), "the stored name is random, not the learner's"
    assert private_storage().open(file.file.name).read() == PDF

    submitted = services.submission_submit(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK)

    assert submitted.pk == draft.pk
    assert submitted.status == SubmissionStatus.SUBMITTED
    assert submitted.submitted_at is not None
    assert len(submitted.rubric) == 2
    assert submitted.rubric[0]["levels"][2]["label"] == "Erinomainen"


def test_a_submitted_round_is_frozen(enrolled):
    enrolment, task = enrolled
    submit(enrolment, task)
    with pytest.raises(services.AssignmentError) as refusal:
        services.draft_save(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK, text="Muutettu")
    assert refusal.value.status == 409
    assert Submission.objects.get().text == "Suunnitelmamme"


def test_submitting_nothing_is_refused(enrolled):
    enrolment, task = enrolled
    with pytest.raises(services.AssignmentError):
        services.submission_submit(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK)
    services.draft_save(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK, text="   ")
    with pytest.raises(services.AssignmentError):
        services.submission_submit(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK)


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(SimpleUploadedFile("tehtava.pdf", b"MZ\x90\x00" + b"\x00" * 200), id="program-named-pdf"),
        pytest.param(SimpleUploadedFile("tehtava.pdf", b"<html><script>alert(1)</script>"), id="html-named-pdf"),
        pytest.param(SimpleUploadedFile("tehtava.docx", PDF), id="pdf-named-docx"),
        pytest.param(SimpleUploadedFile("tehtava.docx", b"PK\x03\x04" + b"\x00" * 100), id="broken-zip-named-docx"),
        pytest.param(SimpleUploadedFile("muistiinpanot.txt", b"text\x00with a NUL"), id="binary-named-txt"),
        pytest.param(SimpleUploadedFile("kuva.svg", b"<svg onload=alert(1)>"), id="type-not-allowed"),
        pytest.param(SimpleUploadedFile("tehtava", PDF), id="no-extension"),
        pytest.param(SimpleUploadedFile("tyhja.pdf", b""), id="empty"),
        pytest.param(SimpleUploadedFile("iso.pdf", PDF + b"0" * 2**20), id="larger-than-the-limit"),
    ],
)
def test_a_file_that_is_not_what_the_assignment_takes_is_refused_and_nothing_is_stored(enrolled, upload):
    enrolment, task = enrolled
    with pytest.raises(services.AssignmentError) as refusal:
        services.draft_save(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK, text="x", add=[upload])
    assert refusal.value.message
    assert not SubmissionFile.objects.exists()
    assert not Submission.objects.exists()


def test_a_real_office_document_and_plain_text_are_taken(enrolled, tmp_path):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    enrolment, task = enrolled
    draft = services.draft_save(
        enrolment=enrolment,
        lesson_key=task.translation_key,
        block_id=TASK,
        text="",
        add=[
            SimpleUploadedFile("raportti.docx", buffer.getvalue()),
            SimpleUploadedFile("liite.txt", "Äöå ok".encode()),
        ],
    )
    assert sorted(f.name for f in draft.files.all()) == ["liite.txt", "raportti.docx"]


def test_more_files_than_the_assignment_takes_are_refused(enrolled):
    enrolment, task = enrolled
    services.draft_save(
        enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK, text="", add=[pdf("a.pdf")]
    )
    with pytest.raises(services.AssignmentError):
        services.draft_save(
            enrolment=enrolment,
            lesson_key=task.translation_key,
            block_id=TASK,
            text="",
            add=[pdf("b.pdf"), pdf("c.pdf")],
        )
    assert SubmissionFile.objects.count() == 1


def test_an_assignment_that_is_not_in_the_lesson_is_404(enrolled):
    enrolment, task = enrolled
    with pytest.raises(services.AssignmentError) as refusal:
        services.draft_save(enrolment=enrolment, lesson_key=task.translation_key, block_id="keksitty", text="x")
    assert refusal.value.status == 404


def test_submitting_after_the_deadline_is_refused(index, learner):
    training = TrainingPageFactory(parent=index)
    module = ModulePageFactory(parent=training)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    task = LessonPageFactory(parent=module, body=[assignment(TASK, deadline=yesterday)])
    enrolment = courses.enrolment_create(user=learner, training=training)
    with pytest.raises(services.AssignmentError) as refusal:
        submit(enrolment, task)
    assert refusal.value.status == 403
    assert not Submission.objects.exists()


def test_the_cohort_teacher_returns_the_learner_resubmits_and_the_teacher_approves(enrolled, cohort, learner):
    enrolment, task = enrolled
    _cohort, teacher = cohort
    first = submit(enrolment, task, files=[pdf()])
    assert list(review_queue(teacher)) == [first]

    services.review_claim(reviewer=teacher, submission_id=first.pk)
    returned = services.review_decide(
        reviewer=teacher,
        submission_id=first.pk,
        decision=Decision.RETURN,
        feedback="Lisää tavoitteet.",
        scores=scores(),
    )
    assert returned.status == SubmissionStatus.RETURNED
    assert returned.scores == {"0": 1, "1": 2}
    assert not LessonProgress.objects.filter(completed_at__isnull=False, lesson_key=task.translation_key).exists()

    second = services.draft_save(
        enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK, text="Uusi versio"
    )
    assert second.round == 2
    assert second.pk != first.pk
    assert [f.name for f in second.files.all()] == ["tehtava.pdf"], "the files carry over to the next round"
    services.submission_submit(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK)

    approved = services.review_decide(
        reviewer=teacher, submission_id=second.pk, decision=Decision.APPROVE, feedback="Hyvä.", scores=scores()
    )

    assert approved.status == SubmissionStatus.APPROVED
    assert approved.grade_label == "Pass"
    first.refresh_from_db()
    assert (first.status, first.text) == (SubmissionStatus.RETURNED, "Suunnitelmamme"), "earlier rounds stay as read"
    progress = LessonProgress.objects.get(enrolment=enrolment, lesson_key=task.translation_key)
    assert progress.completed_at is not None


def test_a_lesson_whose_assignment_waits_for_approval_is_not_completed_by_opening_it(enrolled):
    enrolment, task = enrolled
    progress = courses.lesson_open(enrolment=enrolment, lesson=task)
    assert progress.completed_at is None
    submit(enrolment, task)
    progress.refresh_from_db()
    assert progress.completed_at is None


def test_approving_the_last_requirement_completes_the_training(enrolled, cohort):
    enrolment, task = enrolled
    _cohort, teacher = cohort
    for lesson in LessonPage.objects.live().child_of(task.get_parent()):
        courses.lesson_open(enrolment=enrolment, lesson=lesson)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    submission = submit(enrolment, task)
    services.review_decide(
        reviewer=teacher, submission_id=submission.pk, decision=Decision.APPROVE, feedback="", scores=scores()
    )
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_approving_on_the_finnish_scale_needs_a_grade_from_one_to_five(index, learner, user_factory):
    training = TrainingPageFactory(parent=index)
    task = LessonPageFactory(parent=ModulePageFactory(parent=training), body=[assignment(TASK, grading="scale_0_5")])
    enrolment = courses.enrolment_create(user=learner, training=training)
    trainer = user_factory()
    trainers_group_ensure().user_set.add(trainer)
    submission = submit(enrolment, task)
    for grade in (None, 0, 6, "5"):
        with pytest.raises(services.AssignmentError):
            services.review_decide(
                reviewer=trainer,
                submission_id=submission.pk,
                decision=Decision.APPROVE,
                feedback="",
                scores=scores(),
                grade=grade,
            )
    decided = services.review_decide(
        reviewer=trainer, submission_id=submission.pk, decision=Decision.APPROVE, feedback="", scores=scores(), grade=4
    )
    assert decided.grade == 4
    assert decided.grade_label == "4"


def test_a_decision_without_every_rubric_criterion_scored_is_refused(enrolled, cohort):
    enrolment, task = enrolled
    _cohort, teacher = cohort
    submission = submit(enrolment, task)
    for bad in ({}, {"0": 1}, {"0": 1, "1": 3}, {"0": "x", "1": 0}):
        with pytest.raises(services.AssignmentError):
            services.review_decide(
                reviewer=teacher, submission_id=submission.pk, decision=Decision.APPROVE, feedback="", scores=bad
            )
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_returning_without_feedback_is_refused(enrolled, cohort):
    enrolment, task = enrolled
    _cohort, teacher = cohort
    submission = submit(enrolment, task)
    with pytest.raises(services.AssignmentError):
        services.review_decide(
            reviewer=teacher, submission_id=submission.pk, decision=Decision.RETURN, feedback="  ", scores=scores()
        )


def test_resubmitting_after_approval_is_refused(enrolled, cohort):
    enrolment, task = enrolled
    _cohort, teacher = cohort
    submission = submit(enrolment, task)
    services.review_decide(
        reviewer=teacher, submission_id=submission.pk, decision=Decision.APPROVE, feedback="", scores=scores()
    )
    with pytest.raises(services.AssignmentError) as refusal:
        services.draft_save(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK, text="Vielä")
    assert refusal.value.status == 409
    with pytest.raises(services.AssignmentError):
        services.submission_submit(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK)
    assert Submission.objects.count() == 1


def test_a_teacher_of_another_organisation_cannot_see_or_review_the_submission(enrolled, cohort, course, user_factory):
    enrolment, task = enrolled
    training, _task = course
    other = Organisation.objects.create(name="Toinen AMK", kind=OrganisationKind.UAS)
    other_cohort = Cohort.objects.create(
        organisation=other, training=training, name="Kevät", study_mode=StudyMode.DEGREE
    )
    stranger = user_factory()
    other_cohort.teachers.add(stranger)
    submission = submit(enrolment, task)

    assert not review_queue(stranger).exists()
    for attempt in (
        lambda: services.review_claim(reviewer=stranger, submission_id=submission.pk),
        lambda: services.review_decide(
            reviewer=stranger, submission_id=submission.pk, decision=Decision.APPROVE, feedback="", scores=scores()
        ),
    ):
        with pytest.raises(services.AssignmentError) as refusal:
            attempt()
        assert refusal.value.status == 404
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_a_trainer_reviews_a_learner_in_no_cohort_but_not_one_whose_cohort_has_teachers(enrolled, user_factory, cohort):
    enrolment, task = enrolled
    trainer = user_factory()
    Group.objects.filter(name=TRAINERS).exists() or trainers_group_ensure()
    trainers_group_ensure().user_set.add(trainer)
    submission = submit(enrolment, task)
    assert not review_queue(trainer).exists(), "the cohort's teachers review their own students"

    CohortLearner.objects.all().delete()
    assert list(review_queue(trainer)) == [submission]
    services.review_claim(reviewer=trainer, submission_id=submission.pk)


def test_a_learner_cannot_review_their_own_work(enrolled, learner):
    enrolment, task = enrolled
    submission = submit(enrolment, task)
    with pytest.raises(services.AssignmentError) as refusal:
        services.review_decide(
            reviewer=learner, submission_id=submission.pk, decision=Decision.APPROVE, feedback="", scores=scores()
        )
    assert refusal.value.status == 404


def test_two_reviewers_at_once_one_wins_and_the_other_is_told_who(enrolled, cohort, user_factory):
    enrolment, task = enrolled
    the_cohort, teacher = cohort
    colleague = user_factory(first_name="Kalle", last_name="Kollega")
    the_cohort.teachers.add(colleague)
    submission = submit(enrolment, task)

    services.review_claim(reviewer=teacher, submission_id=submission.pk)
    with pytest.raises(services.AssignmentError) as told:
        services.review_claim(reviewer=colleague, submission_id=submission.pk)
    assert told.value.status == 409
    assert "Tiina Opettaja" in told.value.message
    with pytest.raises(services.AssignmentError):
        services.review_decide(
            reviewer=colleague, submission_id=submission.pk, decision=Decision.RETURN, feedback="Ei", scores=scores()
        )

    services.review_decide(
        reviewer=teacher, submission_id=submission.pk, decision=Decision.APPROVE, feedback="", scores=scores()
    )
    with pytest.raises(services.AssignmentError) as late:
        services.review_decide(
            reviewer=colleague, submission_id=submission.pk, decision=Decision.RETURN, feedback="Ei", scores=scores()
        )
    assert late.value.status == 409
    assert Submission.objects.get().status == SubmissionStatus.APPROVED


def test_a_forgotten_claim_runs_out(enrolled, cohort, user_factory):
    enrolment, task = enrolled
    the_cohort, teacher = cohort
    colleague = user_factory()
    the_cohort.teachers.add(colleague)
    submission = submit(enrolment, task)
    services.review_claim(reviewer=teacher, submission_id=submission.pk)
    Submission.objects.filter(pk=submission.pk).update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert services.review_claim(reviewer=colleague, submission_id=submission.pk).claimed_by == colleague


def test_the_learner_is_told_the_decision_once_in_their_language(
    enrolled, cohort, learner, django_capture_on_commit_callbacks
):
    learner.preferred_language = "sv"
    learner.save()
    enrolment, task = enrolled
    _cohort, teacher = cohort
    submission = submit(enrolment, task)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decide(
            reviewer=teacher,
            submission_id=submission.pk,
            decision=Decision.RETURN,
            feedback="Lisää tavoitteet.",
            scores=scores(),
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [learner.email]
    assert mail.outbox[0].subject.startswith("Din uppgift har returnerats")
    assert "Lisää tavoitteet." in mail.outbox[0].body
    assert f"http://testserver{task.url}" in mail.outbox[0].body  # no Swedish tree here: the Finnish page
    assert not services.decision_notify(submission_id=submission.pk), "sent once"


def test_the_learners_work_is_in_their_data_export_and_erased_with_the_account(enrolled, learner):
    enrolment, task = enrolled
    submit(enrolment, task, files=[pdf()])
    stored = SubmissionFile.objects.get().file.name
    data = personal_data_export(user=learner)
    assert data["assignments"]["submissions"][0]["text"] == "Suunnitelmamme"
    services.files_erase(learner)
    assert not private_storage().exists(stored)


def test_text_that_no_database_can_store_is_refused_even_outside_a_request(enrolled):
    enrolment, task = enrolled
    for unstorable in ("nul \x00 here", "lone \ud800 surrogate"):
        with pytest.raises(services.AssignmentError):
            services.draft_save(enrolment=enrolment, lesson_key=task.translation_key, block_id=TASK, text=unstorable)
    assert not Submission.objects.exists()
