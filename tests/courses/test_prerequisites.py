"""Prerequisites name a training or a part of one (issue 12): the rule, its refusals, the training page's links."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.test.utils.form_data import nested_form_data, streamfield
from wagtail.users.models import UserProfile

from lms.courses import services
from lms.courses.models import Enrolment, LessonPage, PartCompletion, PartPage, TrainingIndexPage, TrainingPrerequisite
from lms.courses.selectors import prerequisite_links
from lms.courses.structure import structure_for
from tests.factories import UserFactory, build_parted_training, build_training, translate_training

pytestmark = pytest.mark.django_db


def require(training, *pages):
    """Publish ``training`` with ``pages`` (trainings or parts) as its prerequisites, as a trainer would."""
    training.prerequisites = [
        TrainingPrerequisite(
            required_training=page if not isinstance(page, PartPage) else None,
            required_part=page if isinstance(page, PartPage) else None,
            sort_order=n,
        )
        for n, page in enumerate(pages)
    ]
    training.save_revision().publish()
    return training


def parts_of(training) -> list[PartPage]:
    return list(PartPage.objects.child_of(training).order_by("path"))


def complete_part(learner, training, part, capture):
    enrolment = services.enrolment_create(user=learner, training=training)
    with capture(execute=True):
        for lesson in LessonPage.objects.live().descendant_of(part):
            services.lesson_open(enrolment=enrolment, lesson=lesson)
    assert PartCompletion.objects.filter(enrolment=enrolment, part_key=part.translation_key).exists()


@pytest.fixture
def coordinator(index):
    return build_parted_training(index, parts=2, modules=1, lessons=1, title="Koordinaattorikoulutus")


@pytest.fixture
def trainer(index):
    return build_training(index, title="Kouluttajakoulutus", lessons=1)


# --- the rule: one of a training or a part -----------------------------------------------------


@pytest.mark.parametrize("names", ["both", "neither"])
def test_a_prerequisite_with_both_or_neither_a_training_and_a_part_is_refused_by_clean(
    coordinator, trainer, index, names
):
    other = build_training(index, lessons=1)
    part = parts_of(coordinator)[0]
    prerequisite = TrainingPrerequisite(
        training=trainer,
        required_training=other if names == "both" else None,
        required_part=part if names == "both" else None,
    )

    with pytest.raises(ValidationError) as error:
        prerequisite.full_clean()

    expected = "not both" if names == "both" else "must be completed first"
    assert expected in str(error.value)


@pytest.mark.parametrize("names", ["both", "neither"])
def test_the_database_refuses_a_prerequisite_with_both_or_neither(coordinator, trainer, index, names):
    other = build_training(index, lessons=1)
    part = parts_of(coordinator)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingPrerequisite.objects.create(
            training=trainer,
            required_training=other if names == "both" else None,
            required_part=part if names == "both" else None,
        )


def test_a_part_of_the_same_training_cannot_be_its_prerequisite(coordinator):
    _first, second = parts_of(coordinator)

    with pytest.raises(ValidationError) as error:
        TrainingPrerequisite(training=coordinator, required_part=second).full_clean()

    assert "A part of this training cannot be its prerequisite" in str(error.value.message_dict["required_part"])


def test_a_training_cannot_be_its_own_prerequisite(trainer):
    with pytest.raises(ValidationError) as error:
        TrainingPrerequisite(training=trainer, required_training=trainer).full_clean()

    assert "its own prerequisite" in str(error.value.message_dict["required_training"])


def test_a_part_of_another_training_is_a_valid_prerequisite(coordinator, trainer):
    TrainingPrerequisite(training=trainer, required_part=parts_of(coordinator)[0]).full_clean()


# --- enrolment ----------------------------------------------------------------------------------


def test_enrolling_without_the_required_part_is_refused(coordinator, trainer, learner):
    require(trainer, parts_of(coordinator)[0])

    with pytest.raises(services.EnrolmentError, match="Osa"):
        services.enrolment_create(user=learner, training=trainer)

    assert not Enrolment.objects.filter(user=learner, training=trainer).exists()


def test_enrolling_with_the_required_part_completed_is_allowed_before_the_whole_training(
    coordinator, trainer, learner, django_capture_on_commit_callbacks
):
    first, _second = parts_of(coordinator)
    require(trainer, first)
    complete_part(learner, coordinator, first, django_capture_on_commit_callbacks)
    assert not Enrolment.objects.get(user=learner, training=coordinator).is_completed

    assert services.enrolment_create(user=learner, training=trainer).training_id == trainer.pk


def test_another_part_of_the_same_training_does_not_count(
    coordinator, trainer, learner, django_capture_on_commit_callbacks
):
    first, second = parts_of(coordinator)
    require(trainer, first)
    complete_part(learner, coordinator, second, django_capture_on_commit_callbacks)

    with pytest.raises(services.EnrolmentError):
        services.enrolment_create(user=learner, training=trainer)


def test_another_learners_completed_part_does_not_count(
    coordinator, trainer, learner, other_learner, django_capture_on_commit_callbacks
):
    first, _second = parts_of(coordinator)
    require(trainer, first)
    complete_part(other_learner, coordinator, first, django_capture_on_commit_callbacks)

    with pytest.raises(services.EnrolmentError):
        services.enrolment_create(user=learner, training=trainer)


def test_a_training_and_a_part_both_required_must_both_be_done(
    coordinator, trainer, index, learner, django_capture_on_commit_callbacks
):
    other = build_training(index, title="Perusteet", lessons=1)
    first, _second = parts_of(coordinator)
    require(trainer, other, first)
    complete_part(learner, coordinator, first, django_capture_on_commit_callbacks)

    with pytest.raises(services.EnrolmentError, match="Perusteet") as error:
        services.enrolment_create(user=learner, training=trainer)
    assert first.title not in str(error.value), "only what is still missing is named"


def test_the_refusal_names_the_part_and_its_training_in_the_learners_language(homes, locales, learner):
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    coordinator = build_parted_training(index, parts=1, modules=1, lessons=1, title="Koordinaattorikoulutus")
    translate_training(
        coordinator, locales["sv"], "Koordinatorutbildning", parts_of(coordinator), lambda p: f"Del {p.title[-1]}"
    )
    trainer = require(build_training(index, title="Kouluttajakoulutus", lessons=1), parts_of(coordinator)[0])

    with translation.override("sv"), pytest.raises(services.EnrolmentError) as error:
        services.enrolment_create(user=learner, training=trainer)
    message = str(error.value)
    assert "Del " in message
    assert "Koordinatorutbildning" in message
    assert "Koordinaattorikoulutus" not in message

    with translation.override("fi"), pytest.raises(services.EnrolmentError, match="Koordinaattorikoulutus"):
        services.enrolment_create(user=learner, training=trainer)


def test_the_enrol_view_shows_the_refusal_and_enrols_nobody(client, coordinator, trainer, learner):
    part = parts_of(coordinator)[0]
    require(trainer, part)
    client.force_login(learner)

    response = client.post(f"/fi/learn/enrol/{trainer.pk}/", follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert part.title in html
    assert "Koordinaattorikoulutus" in html
    assert not Enrolment.objects.filter(user=learner, training=trainer).exists()


# --- the training page --------------------------------------------------------------------------


def test_the_training_page_links_the_required_training_and_part(client, coordinator, trainer, index, learner):
    other = build_training(index, title="Perusteet", lessons=1)
    part = parts_of(coordinator)[0]
    require(trainer, other, part)
    client.force_login(learner)

    html = client.get(trainer.url).content.decode()

    structure = structure_for(coordinator)
    part_url = structure.page(structure.part(part.translation_key), "fi").url
    assert f'<a href="{other.url}">Perusteet</a>' in html
    assert f'<a href="{part_url}">{part.title}</a> (' in html
    assert "Koordinaattorikoulutus" in html


def test_links_are_in_the_pages_language_and_fall_back_to_finnish(homes, locales):
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    coordinator = build_parted_training(index, parts=2, modules=1, lessons=1, title="Koordinaattorikoulutus")
    first, second = parts_of(coordinator)
    translate_training(coordinator, locales["sv"], "Koordinatorutbildning", [first], lambda p: "Del 1")
    finnish_only = build_training(index, title="Perusteet", lessons=1)
    trainer = require(build_training(index, title="Kouluttajakoulutus", lessons=1), first, second, finnish_only)
    swedish_trainer = translate_training(trainer, locales["sv"], "Utbildarutbildning", [], str)

    links = prerequisite_links(training=swedish_trainer, language="sv")

    structure = structure_for(coordinator)
    assert [(link.title, link.lang, link.training_title) for link in links] == [
        ("Del 1", "", "Koordinatorutbildning"),
        (second.title, "fi", "Koordinatorutbildning"),  # not translated: Finnish, in the Swedish tree
        ("Perusteet", "fi", ""),  # no Swedish training: the Finnish page
    ]
    assert links[0].url == structure.page(structure.part(first.translation_key), "sv").url
    assert links[1].url == structure.page(structure.part(second.translation_key), "sv").url
    assert links[1].url.startswith(structure.pages["sv"].url)
    assert links[2].url == finnish_only.url
    assert [link.title for link in prerequisite_links(training=trainer, language="fi")] == [
        first.title,
        second.title,
        "Perusteet",
    ]


def test_only_the_default_languages_prerequisites_are_listed_once(homes, locales, coordinator, trainer):
    require(trainer, parts_of(coordinator)[0])
    swedish = translate_training(trainer, locales["sv"], "Utbildarutbildning", [], str)
    assert swedish.prerequisites.count() == 1, "the translation carries its own copy"

    assert len(prerequisite_links(training=swedish, language="sv")) == 1


def test_the_training_page_makes_no_query_per_prerequisite(client, coordinator, index, learner):
    few = require(build_training(index, lessons=1), parts_of(coordinator)[0])
    others = [build_training(index, lessons=1) for _n in range(3)]
    many = require(build_training(index, lessons=1), *parts_of(coordinator), *others)
    client.force_login(learner)

    def queries(training) -> int:
        client.get(training.url)  # the structures and the index are cached per content generation
        with CaptureQueriesContext(connection) as captured:
            assert client.get(training.url).status_code == 200
        return len(captured)

    assert queries(many) == queries(few)


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"  # the assertions read the admin's English
    profile.save()
    client.force_login(user)
    return user


def _form(training, prerequisites: list[dict]) -> dict:
    rows = {}
    for n, row in enumerate(prerequisites):
        rows.update({f"prerequisites-{n}-{name}": value for name, value in row.items()})
        rows.update({f"prerequisites-{n}-id": "", f"prerequisites-{n}-ORDER": n + 1, f"prerequisites-{n}-DELETE": ""})
    return nested_form_data(
        {
            "title": training.title,
            "slug": training.slug,
            "summary": training.summary,
            "audience": "",
            "learning_outcomes": streamfield([]),
            "workload_hours": 0,
            "ects_credits": str(training.ects_credits),
            "enrolment_mode": "open",
            "enrolment_key": "",
            "prerequisites-TOTAL_FORMS": len(prerequisites),
            "prerequisites-INITIAL_FORMS": 0,
            "prerequisites-MIN_NUM_FORMS": 0,
            "prerequisites-MAX_NUM_FORMS": 1000,
            **rows,
            "action-publish": "1",
        }
    )


def test_the_trainer_picks_a_part_of_another_training_in_the_admin(client, editor, coordinator, trainer):
    part = parts_of(coordinator)[0]

    response = client.post(
        f"/admin/pages/{trainer.pk}/edit/", _form(trainer, [{"required_training": "", "required_part": part.pk}])
    )

    assert response.status_code == 302
    assert list(trainer.prerequisites.values_list("required_training", "required_part")) == [(None, part.pk)]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("own part", "A part of this training cannot be its prerequisite"),
        ("both", "not both"),
        ("neither", "must be completed first"),
    ],
)
def test_the_admin_refuses_a_bad_prerequisite_with_a_message(client, editor, coordinator, trainer, row, expected):
    own, _second = parts_of(coordinator)
    values = {
        "own part": {"required_training": "", "required_part": own.pk},
        "both": {"required_training": trainer.pk, "required_part": own.pk},
        "neither": {"required_training": "", "required_part": ""},
    }[row]
    edited = coordinator if row == "own part" else build_training(coordinator.get_parent(), lessons=1)

    response = client.post(f"/admin/pages/{edited.pk}/edit/", _form(edited, [values]))

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not TrainingPrerequisite.objects.exists()
