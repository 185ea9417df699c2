"""Training parts: their own modules, completion and grade; the training completes when all parts do."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from lms.assignments import services as assignment_services
from lms.assignments.enums import Decision
from lms.certificates.models import Certificate
from lms.courses import services
from lms.courses.enums import PASS
from lms.courses.models import Enrolment, LessonPage, PartCompletion, PartPage, TrainingIndexPage
from lms.courses.structure import structure_for
from lms.organisations.enums import OrganisationKind
from lms.organisations.models import Cohort, CohortLearner, Organisation
from tests.factories import UserFactory, assignment, build_parted_training, text, translate_training

pytestmark = pytest.mark.django_db


@pytest.fixture
def parted(index):
    return build_parted_training(index, parts=2, modules=1, lessons=2)


def open_lessons(enrolment, lessons):
    for lesson in lessons:
        services.lesson_open(enrolment=enrolment, lesson=lesson)


def test_structure_groups_modules_into_parts_with_their_workload_and_credits(parted):
    structure = structure_for(parted)
    assert len(structure.parts) == 2
    assert [m.key for p in structure.parts for m in p.modules] == [m.key for m in structure.modules]
    first = structure.parts[0]
    assert first.credits == 5
    assert first.stated_credits == 5
    assert first.workload.hours >= 5 * 27
    assert structure.stated_credits == 10


def test_a_part_completes_with_its_lessons_and_the_training_only_with_every_part(
    parted, django_capture_on_commit_callbacks
):
    learner = UserFactory()
    enrolment = services.enrolment_create(user=learner, training=parted)
    structure = structure_for(parted)
    pages = {p.translation_key: p for p in LessonPage.objects.live().descendant_of(parted)}
    first, second = structure.parts
    with django_capture_on_commit_callbacks(execute=True):
        open_lessons(enrolment, [pages[lesson.key] for lesson in first.lessons])
    done = PartCompletion.objects.get(enrolment=enrolment)
    assert done.part_key == first.key
    assert done.grade == PASS
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        open_lessons(enrolment, [pages[lesson.key] for lesson in second.lessons])
    assert PartCompletion.objects.filter(enrolment=enrolment).count() == 2
    assert Enrolment.objects.get(pk=enrolment.pk).completed_at is not None


def test_a_part_on_the_0_5_scale_takes_the_rounded_mean_of_its_approved_grades(index):
    blocks = [assignment("a1", grading="scale_0_5", criteria=0), assignment("a2", grading="scale_0_5", criteria=0)]
    training = build_parted_training(index, parts=1, modules=1, lessons=1, grading="scale_0_5", body=[text(), *blocks])
    lesson_key = structure_for(training).parts[0].lessons[0].key
    learner, teacher = UserFactory(), UserFactory()
    cohort = Cohort.objects.create(
        organisation=Organisation.objects.create(name="AMK", kind=OrganisationKind.UAS), training=training, name="S"
    )
    cohort.teachers.add(teacher)
    CohortLearner.objects.create(cohort=cohort, user=learner)
    enrolment = services.enrolment_create(user=learner, training=training)
    for block_id, grade in (("a1", 4), ("a2", 3)):
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
    assert PartCompletion.objects.get(enrolment=enrolment).grade == "4"  # 3.5 rounds half up


def test_a_part_on_the_0_5_scale_without_graded_work_passes(index):
    training = build_parted_training(index, parts=1, grading="scale_0_5")
    enrolment = services.enrolment_create(user=UserFactory(), training=training)
    open_lessons(enrolment, LessonPage.objects.live().descendant_of(training))
    assert PartCompletion.objects.get(enrolment=enrolment).grade == PASS


@pytest.fixture
def swedish_parted(homes, locales):
    """A training in two parts, translated into Swedish but for the second part and its module and lessons."""
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = build_parted_training(index, parts=2, modules=1, lessons=2, slug="koordinaattori")
    second = PartPage.objects.child_of(training).order_by("path").last()
    untranslated = {second.pk, *second.get_descendants().values_list("pk", flat=True)}
    translated = [page for page in training.get_descendants().specific() if page.pk not in untranslated]
    swedish = translate_training(training, locales["sv"], "Koordinator", translated, lambda p: f"SV {p.title}")
    return training, swedish, second


def test_an_untranslated_part_stands_in_the_learners_tree_in_finnish_and_serves_there(swedish_parted, client):
    training, swedish, second = swedish_parted
    structure = structure_for(training)
    ref = structure.page(structure.part(second.translation_key), "sv")
    assert ref.url == f"{swedish.url}{second.slug}/"
    assert ref.language == "fi"
    lesson = structure.part(second.translation_key).lessons[0]
    lesson_ref = structure.page(lesson, "sv")
    assert lesson_ref.url.startswith(ref.url), "the part's modules and lessons stay under it in the Swedish tree"
    learner = UserFactory(preferred_language="sv")
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    part_page = client.get(ref.url)
    assert part_page.status_code == 200
    assert 'data-testid="untranslated"' in part_page.content.decode()
    assert client.get(lesson_ref.url).status_code == 200


def test_the_training_page_lists_the_parts_with_credits_and_the_outline_groups_modules_under_them(parted, client):
    learner = UserFactory()
    services.enrolment_create(user=learner, training=parted)
    client.force_login(learner)
    html = client.get(parted.url).content.decode()
    structure = structure_for(parted)
    for part in structure.parts:
        assert structure.page(part, "fi").title in html
    assert html.count('<li class="part') == 2
    assert '<ol class="parts">' in html
    assert "10 op" in html  # the training's credits, backed by its workload


def test_my_trainings_shows_each_part_its_grade_and_certificate(parted, client, django_capture_on_commit_callbacks):
    learner = UserFactory()
    enrolment = services.enrolment_create(user=learner, training=parted)
    first = structure_for(parted).parts[0]
    pages = {p.translation_key: p for p in LessonPage.objects.live().descendant_of(parted)}
    with django_capture_on_commit_callbacks(execute=True):
        open_lessons(enrolment, [pages[lesson.key] for lesson in first.lessons])
    client.force_login(learner)
    with translation.override("fi"):
        url = reverse("courses:dashboard")
    html = client.get(url).content.decode()
    assert 'data-testid="parts"' in html
    assert "Hyväksytty" in html
    code = Certificate.objects.get(enrolment=enrolment, part_key=first.key).code
    assert code in html


def test_a_training_claiming_more_credits_than_its_workload_states_only_what_it_supports(index):
    training = build_parted_training(index, parts=1, credits=Decimal("5"), minutes=60)  # 2 h: no credit at all
    structure = structure_for(training)
    assert structure.parts[0].credits == 5
    assert structure.parts[0].stated_credits == 0
    assert structure.stated_credits == 0


def test_the_learners_data_export_names_the_parts_they_completed_and_their_grades(parted):
    from lms.courses.selectors import personal_data

    learner = UserFactory()
    enrolment = services.enrolment_create(user=learner, training=parted)
    first = structure_for(parted).parts[0]
    pages = {p.translation_key: p for p in LessonPage.objects.live().descendant_of(parted)}
    open_lessons(enrolment, [pages[lesson.key] for lesson in first.lessons])
    [exported] = personal_data(learner)
    assert exported["parts_completed"][0]["part"] == structure_for(parted).page(first, "fi").title
    assert exported["parts_completed"][0]["grade"] == PASS
