"""Training parts in the Wagtail admin (issue 12): a trainer builds a part and its modules, and the admin
keeps what is published honest - a part's credits backed by its workload, a training of parts or of
modules, never both - while drafts may be saved halfway. People without admin access are turned away.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from wagtail.test.utils.form_data import nested_form_data, streamfield
from wagtail.users.models import UserProfile

from lms.courses.enums import Grading
from lms.courses.models import ModulePage, PartPage
from lms.courses.permissions import TRAINERS, trainers_group_ensure
from lms.courses.structure import structure_for
from tests.factories import LessonPageFactory, ModulePageFactory, PartPageFactory, TrainingPageFactory, UserFactory

pytestmark = pytest.mark.django_db

# The trainer reads the admin in Finnish; the refusals must say what is wrong in that language.
TOO_MANY_CREDITS = "opintopistettä edellyttää vähintään"
BOTH_PARTS_AND_MODULES = "Koulutuksessa on sekä osia että suoraan koulutuksen alla olevia moduuleja"


@pytest.fixture
def trainer(client, index):
    trainers_group_ensure()
    user = UserFactory(first_name="Tuula", last_name="Kouluttaja")
    user.groups.add(Group.objects.get(name=TRAINERS))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "fi"
    profile.save()
    client.force_login(user)
    return user


@pytest.fixture
def training(index):
    return TrainingPageFactory(parent=index, title="Työkykykoordinaattorikoulutus", ects_credits=Decimal("0"))


@pytest.fixture
def part(training):
    """Part 1 with two 90-minute lessons and a 24-hour assignment: 27 hours, one credit's worth."""
    from tests.factories import assignment, text

    part = PartPageFactory(parent=training, title="Osa 1", slug="osa-1", ects_credits=Decimal("0"))
    module = ModulePageFactory(parent=part, title="Perusteet", slug="perusteet")
    LessonPageFactory(parent=module, estimated_minutes=90, body=[text()])
    LessonPageFactory(parent=module, estimated_minutes=90, body=[text(), assignment(estimated_hours="24.0")])
    return part


def part_form(*, title="Osa 1", slug="osa-1", credits="0", grading=Grading.SCALE_0_5, action="action-publish"):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "intro": "Työkyvyn tuki työpaikalla.",
            "learning_outcomes": streamfield([("outcome", "Osaat kuvata työkyvyn tuen prosessin.")]),
            "ects_credits": credits,
            "grading": grading,
            action: "1",
        }
    )


def module_form(*, title, slug, action="action-publish"):
    return nested_form_data({"title": title, "slug": slug, "intro": "", action: "1"})


def training_form(training, action: str) -> dict:
    return nested_form_data(
        {
            "title": training.title,
            "slug": training.slug,
            "summary": training.summary,
            "audience": "",
            "learning_outcomes": streamfield([]),
            "workload_hours": 0,
            "ects_credits": "0",
            "enrolment_mode": "open",
            "enrolment_key": "",
            "prerequisites-TOTAL_FORMS": 0,
            "prerequisites-INITIAL_FORMS": 0,
            "prerequisites-MIN_NUM_FORMS": 0,
            "prerequisites-MAX_NUM_FORMS": 1000,
            action: "1",
        }
    )


def errors(response) -> str:
    """The page's text with tags and runs of white space dropped, for reading messages whole."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_trainer_adds_a_part_under_a_training_and_modules_under_the_part(client, trainer, training):
    response = client.post(f"/admin/pages/add/courses/partpage/{training.pk}/", part_form())
    assert response.status_code == 302, errors(response)
    part = PartPage.objects.child_of(training).get()
    assert (part.live, part.grading, part.learning_outcomes[0].value) == (
        True,
        Grading.SCALE_0_5,
        "Osaat kuvata työkyvyn tuen prosessin.",
    )
    for number in (1, 2):
        added = client.post(
            f"/admin/pages/add/courses/modulepage/{part.pk}/", module_form(title=f"Moduuli {number}", slug=f"m{number}")
        )
        assert added.status_code == 302, errors(added)
    assert list(ModulePage.objects.child_of(part).live().values_list("title", flat=True)) == ["Moduuli 1", "Moduuli 2"]
    LessonPageFactory(parent=ModulePage.objects.child_of(part).first())
    structure = structure_for(training)
    assert [node.key for node in structure.parts] == [part.translation_key]
    assert len(structure.parts[0].modules) == 2


def test_a_part_cannot_be_added_outside_a_training_nor_a_lesson_straight_under_a_part(client, trainer, index, part):
    """A part belongs to a training, and a part's lessons to its modules: the admin turns any other place away."""
    for url, data in (
        (f"/admin/pages/add/courses/partpage/{index.pk}/", part_form(slug="irrallinen")),
        (f"/admin/pages/add/courses/lessonpage/{part.pk}/", {"title": "Irrallinen", "slug": "irrallinen"}),
    ):
        for response in (client.get(url), client.post(url, data)):
            assert (response.status_code, response["Location"]) == (302, "/admin/"), url  # permission denied
    assert not PartPage.objects.filter(slug="irrallinen").exists()
    assert not part.get_children().filter(slug="irrallinen").exists()


def test_publishing_more_credits_than_the_parts_workload_supports_is_refused_in_finnish_with_the_figures(
    client, trainer, part
):
    response = client.post(f"/admin/pages/{part.pk}/edit/", part_form(credits="5.0"))
    assert response.status_code == 200
    text = errors(response)
    assert TOO_MANY_CREDITS in text
    # 5 credits need 135 hours (27 an hour); the part's 27 hours support 1 credit.
    assert "5 opintopistettä edellyttää vähintään 135 tuntia" in text, text
    assert "yhteensä 27 h, mikä riittää 1 opintopisteeseen" in text, text
    part.refresh_from_db()
    assert part.ects_credits == Decimal("0")
    assert structure_for(part.get_parent().specific).parts[0].credits == 0


def test_the_credits_the_parts_workload_supports_publish_and_a_draft_may_claim_more(client, trainer, part):
    published = client.post(f"/admin/pages/{part.pk}/edit/", part_form(credits="1.0"))
    assert published.status_code == 302, errors(published)
    part.refresh_from_db()
    assert part.ects_credits == Decimal("1.0")
    draft = client.post(f"/admin/pages/{part.pk}/edit/", part_form(credits="5.0", action="action-save"))
    assert draft.status_code == 302, errors(draft)
    part.refresh_from_db()
    assert part.ects_credits == Decimal("1.0"), "the live part keeps what was published"
    assert part.has_unpublished_changes
    assert part.get_latest_revision_as_object().ects_credits == Decimal("5.0")


def test_the_trainer_sees_the_parts_workload_beside_its_credits(client, trainer, part):
    text = errors(client.get(f"/admin/pages/{part.pk}/edit/"))
    assert "Mitoitettu työmäärä nyt 27 h" in text, text
    assert re.search(r"riittää enintään 1 opintopisteeseen", text), text


def test_a_training_with_a_part_and_a_module_of_its_own_cannot_be_published_but_its_draft_saves(
    client, trainer, training, part
):
    ModulePageFactory(parent=training, title="Irrallinen moduuli", slug="irrallinen")
    refused = client.post(f"/admin/pages/{training.pk}/edit/", training_form(training, "action-publish"))
    assert refused.status_code == 200
    assert BOTH_PARTS_AND_MODULES in errors(refused)
    training.refresh_from_db()
    assert not training.has_unpublished_changes
    draft = client.post(f"/admin/pages/{training.pk}/edit/", training_form(training, "action-save"))
    assert draft.status_code == 302, errors(draft)
    training.refresh_from_db()
    assert training.has_unpublished_changes


def test_a_training_of_parts_alone_publishes(client, trainer, training, part):
    response = client.post(f"/admin/pages/{training.pk}/edit/", training_form(training, "action-publish"))
    assert response.status_code == 302, errors(response)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_learner_without_admin_access_cannot_reach_the_part_in_the_admin(client, index, part, method):
    learner = UserFactory()
    client.force_login(learner)
    for url in (f"/admin/pages/{part.pk}/edit/", f"/admin/pages/add/courses/modulepage/{part.pk}/"):
        response = getattr(client, method)(url, part_form(credits="1.0")) if method == "post" else client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    part.refresh_from_db()
    assert (part.ects_credits, part.has_unpublished_changes) == (Decimal("0"), False)
    assert ModulePage.objects.child_of(part).count() == 1
