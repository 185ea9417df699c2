"""The pages around assignments: handing in from the lesson, files, the review queue and the review page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.assignments.enums import SubmissionStatus
from lms.assignments.models import Submission
from lms.courses import services as courses
from lms.courses.enums import CompletionRule
from lms.courses.models import Enrolment
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, UserFactory, assignment, text

pytestmark = pytest.mark.django_db

TASK = "kehittamistehtava"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(index, learner, user_factory):
    training = TrainingPageFactory(parent=index, title="Työkykykoordinaattorikoulutus")
    module = ModulePageFactory(parent=training)
    lesson = LessonPageFactory(parent=module, completion_rule=CompletionRule.OPENED, body=[text(), assignment(TASK)])
    enrolment = courses.enrolment_create(user=learner, training=training, notify=False)
    organisation = Organisation.objects.create(name="Esimerkin AMK", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Syksy", study_mode=StudyMode.DEGREE
    )
    teacher = user_factory(first_name="Tiina", last_name="Opettaja")
    cohort.teachers.add(teacher)
    CohortLearner.objects.create(cohort=cohort, user=learner, student_number="2026001")
    return {"training": training, "lesson": lesson, "enrolment": enrolment, "cohort": cohort, "teacher": teacher}


def hand_in(client, lesson, action="submit", **data):
    return client.post(
        reverse("assignments:hand_in", args=[lesson.pk, TASK]),
        {"action": action, **data},
        HTTP_ORIGIN="http://testserver",
    )


def test_a_learner_hands_in_from_the_lesson_page_and_sees_it_waiting(client, world, learner):
    client.force_login(learner)
    lesson = world["lesson"]
    page = client.get(lesson.url)
    assert b'id="a-kehittamistehtava"' in page.content
    assert b'enctype="multipart/form-data"' in page.content

    response = hand_in(client, lesson, text="Suunnitelma", files=SimpleUploadedFile("tehtava.pdf", PDF))

    assert response.status_code == 302
    assert response["Location"].endswith("#a-kehittamistehtava")
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.files.get().name == "tehtava.pdf"
    page = client.get(lesson.url)
    assert b"Suunnitelma" in page.content
    assert b'name="action" value="submit"' not in page.content, "a submitted round has no form"


def test_a_refused_hand_in_keeps_what_the_learner_wrote(client, world, learner):
    client.force_login(learner)
    lesson = world["lesson"]
    long_text = "Pitkä vastaus, jota ei saa hukata. " * 10
    hand_in(client, lesson, text=long_text, files=SimpleUploadedFile("virus.pdf", b"MZ" + b"\x00" * 64))
    assert not Submission.objects.exists()
    page = client.get(lesson.url)
    assert long_text.strip().encode() in page.content


def test_a_learner_not_enrolled_cannot_hand_in(client, world, other_learner):
    client.force_login(other_learner)
    response = hand_in(client, world["lesson"], text="Minun")
    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_a_forged_block_id_is_404(client, world, learner):
    client.force_login(learner)
    response = client.post(
        reverse("assignments:hand_in", args=[world["lesson"].pk, "keksitty"]), {"action": "save", "text": "x"}
    )
    assert response.status_code == 404


@pytest.fixture
def handed_in(client, world, learner):
    client.force_login(learner)
    hand_in(client, world["lesson"], text="Suunnitelma", files=SimpleUploadedFile("tehtava.pdf", PDF))
    client.logout()
    return Submission.objects.get()


def test_the_file_downloads_as_an_attachment_that_cannot_run_script(client, world, handed_in):
    client.force_login(world["teacher"])
    response = client.get(reverse("assignments:file", args=[handed_in.files.get().pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF


def test_another_learner_opening_the_file_gets_404(client, handed_in, other_learner):
    client.force_login(other_learner)
    assert client.get(reverse("assignments:file", args=[handed_in.files.get().pk])).status_code == 404


def test_a_teacher_of_another_organisation_opening_the_file_or_review_gets_404(client, world, handed_in):
    stranger = UserFactory()
    other = Organisation.objects.create(name="Toinen AMK", kind=OrganisationKind.UAS)
    Cohort.objects.create(
        organisation=other, training=world["training"], name="Kevät", study_mode=StudyMode.DEGREE
    ).teachers.add(stranger)
    client.force_login(stranger)
    assert client.get(reverse("assignments:file", args=[handed_in.files.get().pk])).status_code == 404
    assert client.get(reverse("assignments:review", args=[handed_in.pk])).status_code == 404
    response = client.post(
        reverse("assignments:review", args=[handed_in.pk]), {"action": "decide", "decision": "approve", "feedback": ""}
    )
    assert response.status_code == 404
    handed_in.refresh_from_db()
    assert handed_in.status == SubmissionStatus.SUBMITTED
    queue = client.get(reverse("assignments:queue"))
    assert queue.status_code == 200
    assert b"Suunnitelma" not in queue.content
    assert world["enrolment"].user.email.encode() not in queue.content


def test_someone_who_reviews_nothing_has_no_queue(client, world, other_learner):
    client.force_login(other_learner)
    assert client.get(reverse("assignments:queue")).status_code == 404


def test_the_teacher_returns_with_rubric_feedback_and_the_learner_reads_it(client, world, handed_in, learner):
    teacher = world["teacher"]
    client.force_login(teacher)
    queue = client.get(reverse("assignments:queue"))
    assert b"2026001" in queue.content
    assert b"Syksy" in queue.content
    review_url = reverse("assignments:review", args=[handed_in.pk])
    assert client.post(review_url, {"action": "claim"}).status_code == 302
    response = client.post(
        review_url,
        {"action": "decide", "decision": "return", "feedback": "Lisää mittarit.", "score-0": "0", "score-1": "2"},
    )
    assert response.status_code == 302
    handed_in.refresh_from_db()
    assert handed_in.status == SubmissionStatus.RETURNED

    client.force_login(learner)
    page = client.get(world["lesson"].url).content.decode()
    assert "Lisää mittarit." in page
    assert "Puutteellinen" in page
    assert 'name="action" value="submit"' in page, "a returned round can be handed in again"


def test_a_refused_decision_keeps_the_feedback_and_the_levels_chosen(client, world, handed_in):
    client.force_login(world["teacher"])
    response = client.post(
        reverse("assignments:review", args=[handed_in.pk]),
        {"action": "decide", "decision": "approve", "feedback": "Pitkä palaute, jota ei saa hukata.", "score-0": "2"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Pitkä palaute, jota ei saa hukata." in body
    assert 'name="score-0" value="2" checked' in body


def test_a_second_reviewer_is_told_who_is_reviewing(client, world, handed_in):
    colleague = UserFactory(first_name="Kalle", last_name="Kollega")
    world["cohort"].teachers.add(colleague)
    client.force_login(world["teacher"])
    client.post(reverse("assignments:review", args=[handed_in.pk]), {"action": "claim"})
    client.force_login(colleague)
    page = client.get(reverse("assignments:review", args=[handed_in.pk]))
    assert b"Tiina Opettaja" in page.content
    assert b'value="decide"' not in page.content
    response = client.post(
        reverse("assignments:review", args=[handed_in.pk]),
        {"action": "decide", "decision": "return", "feedback": "Ei", "score-0": "0", "score-1": "0"},
    )
    assert response.status_code == 409


def test_the_queue_costs_the_same_queries_for_ten_and_five_hundred_submissions(
    client, world, django_assert_max_num_queries
):
    lesson, cohort, teacher = world["lesson"], world["cohort"], world["teacher"]

    def add(count: int) -> None:
        users = UserFactory.create_batch(count)
        CohortLearner.objects.bulk_create([CohortLearner(cohort=cohort, user=user) for user in users])
        enrolments = Enrolment.objects.bulk_create([Enrolment(user=user, training=world["training"]) for user in users])
        Submission.objects.bulk_create(
            [
                Submission(
                    enrolment=enrolment,
                    lesson_key=lesson.translation_key,
                    block_id=TASK,
                    status=SubmissionStatus.SUBMITTED,
                    submitted_at=timezone.now(),
                    text="x",
                )
                for enrolment in enrolments
            ]
        )

    client.force_login(teacher)
    add(10)
    client.get(reverse("assignments:queue"))  # warm the caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("assignments:queue")).status_code == 200
    add(490)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("assignments:queue"))
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]


def test_my_trainings_tells_the_learner_what_became_of_their_work(client, world, handed_in, learner):
    client.force_login(learner)
    assert "Waiting for review" in client.get("/en/learn/").content.decode()
    client.force_login(world["teacher"])
    client.post(
        reverse("assignments:review", args=[handed_in.pk]),
        {"action": "decide", "decision": "return", "feedback": "Lisää mittarit.", "score-0": "0", "score-1": "2"},
    )
    client.force_login(learner)
    page = client.get("/en/learn/").content.decode()
    assert "Returned for revision" in page
    assert "#a-kehittamistehtava" in page


def test_the_queue_filters_by_assignment_and_ignores_a_forged_one(client, world, handed_in):
    client.force_login(world["teacher"])
    lesson = world["lesson"]
    chosen = f"{lesson.translation_key}:{TASK}"
    page = client.get(reverse("assignments:queue"), {"assignment": chosen}).content.decode()
    assert f'value="{chosen}" selected' in page
    assert reverse("assignments:review", args=[handed_in.pk]) in page
    other = client.get(reverse("assignments:queue"), {"assignment": f"{lesson.translation_key}:keksitty"})
    assert reverse("assignments:review", args=[handed_in.pk]) in other.content.decode(), "unknown: no filter"


def test_each_assignment_is_offered_once_in_the_filter_whatever_its_rounds(client, world, handed_in):
    client.force_login(world["teacher"])
    review = reverse("assignments:review", args=[handed_in.pk])
    client.post(review, {"action": "claim"})
    client.post(review, {"action": "decide", "decision": "return", "feedback": "x", "score-0": "0", "score-1": "0"})
    client.force_login(world["enrolment"].user)
    hand_in(client, world["lesson"], text="Toinen kierros")
    client.force_login(world["teacher"])
    page = client.get(reverse("assignments:queue")).content.decode()
    assert page.count(f'value="{world["lesson"].translation_key}:{TASK}"') == 1


def test_a_teachers_waiting_count_in_the_header_is_their_own_and_current_though_the_header_is_kept(
    client, world, learner, user_factory
):
    """The header is rendered once per menu and kept: the count is a slot filled per request, so it
    neither stays at an old number nor shows one teacher's queue to another with the same menu."""
    teacher, other_teacher = world["teacher"], user_factory()
    elsewhere = Cohort.objects.create(
        organisation=world["cohort"].organisation, training=world["training"], name="Kevät", study_mode=StudyMode.DEGREE
    )
    elsewhere.teachers.add(other_teacher)  # the same menu, another queue
    for user in (teacher, other_teacher):
        Membership.objects.create(organisation=elsewhere.organisation, user=user, role=Role.TEACHER)

    def reviews_link(user) -> str:
        client.force_login(user)
        html = client.get("/fi/learn/").content.decode()
        return html[html.index('href="/fi/reviews/"') : html.index("</a>", html.index('href="/fi/reviews/"'))]

    assert "count" not in reviews_link(teacher)
    client.force_login(learner)
    hand_in(client, world["lesson"], text="Suunnitelma")

    assert '<span class="count">1<span class="visually-hidden"> odottaa</span>' in reviews_link(teacher)
    assert "count" not in reviews_link(other_teacher)
