"""The content import: idempotent, updates in place, all or nothing."""

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from wagtail.models import Page, Revision

from lms.courses import services
from lms.courses.content_import import ContentError, import_content
from lms.courses.models import LessonPage, LessonProgress, ModulePage, PartPage, TrainingPage
from lms.courses.selectors import prerequisite_links
from lms.courses.structure import structure_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CONTENT = Path(__file__).resolve().parents[2] / "content"

TRAINING = """\
ects_credits: 5
workload_hours: 10
enrolment_mode: open
prerequisites: []
"""
TEXTS = {
    "fi": "title: Testikoulutus\nslug: testi\nsummary: Lyhyesti.\nlearning_outcomes:\n  - Osaa asian.\n",
    "sv": "title: Testutbildning\nslug: test\nsummary: Kort.\nlearning_outcomes:\n  - Kan saken.\n",
    "en": "title: Test training\nslug: test\nsummary: Briefly.\nlearning_outcomes:\n  - Knows it.\n",
}
LESSON = """\
title: {title}
slug: {slug}
estimated_minutes: 10
completion: all_correct
body:
  - text: |
      Tekstiä **lihavoituna**.
  - question:
      id: kysymys
      kind: single
      prompt: Kumpi?
      options:
        - text: Tämä
          correct: true
          feedback: Oikein.
        - text: Tuo
          correct: false
          feedback: Väärin.
"""


def write_tree(root: Path) -> Path:
    base = root / "testi"
    (base / "01-moduuli").mkdir(parents=True)
    (base / "training.yaml").write_text(TRAINING)
    for language, texts in TEXTS.items():
        (base / f"training.{language}.yaml").write_text(texts)
        (base / "01-moduuli" / f"module.{language}.yaml").write_text(f"title: Moduuli {language}\nslug: moduuli\n")
        (base / "01-moduuli" / f"01-eka.{language}.yaml").write_text(LESSON.format(title=f"Eka {language}", slug="eka"))
    return root


def snapshot():
    return (
        Page.objects.count(),
        Revision.objects.count(),
        sorted(Page.objects.values_list("pk", "title", "slug", "live", "url_path")),
    )


def test_the_real_content_imports_and_a_rerun_changes_nothing(homes):
    report = import_content(CONTENT)
    assert report.created > 100
    assert TrainingPage.objects.count() == 9  # three trainings in three languages
    trainings = {t.slug: t for t in TrainingPage.objects.filter(locale__language_code="fi")}
    # Työkyvyn tuki in seven modules, the coordinator training in two parts, the trainer training in six
    assert ModulePage.objects.child_of(trainings["tyokyvyn-tuki"]).count() == 7
    assert PartPage.objects.child_of(trainings["tyokykykoordinaattorikoulutus"]).count() == 2
    assert ModulePage.objects.child_of(trainings["kouluttajakoulutus"]).count() == 6
    for training in trainings.values():
        for module in ModulePage.objects.descendant_of(training):
            assert LessonPage.objects.child_of(module).exists(), module.title
        assert training.get_translations().count() == 2
    before = snapshot()

    again = import_content(CONTENT)

    assert (again.created, again.updated) == (0, 0)
    assert snapshot() == before
    # the trainer training builds on the coordinator training
    trainer = TrainingPage.objects.get(locale__language_code="fi", slug="kouluttajakoulutus")
    with pytest.raises(
        services.EnrolmentError, match="Complete this training first: Work-Ability Coordinator training"
    ):
        services.enrolment_create(user=UserFactory(), training=trainer)


def test_an_edited_file_updates_its_page_in_place_and_keeps_progress(homes, tmp_path):
    root = write_tree(tmp_path)
    import_content(root)
    lesson = LessonPage.objects.get(locale__language_code="fi", slug="eka")
    training = TrainingPage.objects.get(locale__language_code="fi")
    learner = UserFactory()
    enrolment = services.enrolment_create(user=learner, training=training)
    question_id = next(iter(lesson.questions()))
    services.answer_submit(enrolment=enrolment, lesson=lesson, question_id=question_id, selected=[0])

    path = root / "testi" / "01-moduuli" / "01-eka.fi.yaml"
    path.write_text(path.read_text().replace("Tekstiä", "Uutta tekstiä").replace("title: Eka fi", "title: Uusi"))
    report = import_content(root)

    assert (report.created, report.updated) == (0, 1)
    edited = LessonPage.objects.get(pk=lesson.pk)
    assert edited.title == "Uusi"
    assert "Uutta tekstiä" in str(edited.body[0].value)
    assert next(iter(edited.questions())) == question_id
    progress = LessonProgress.objects.get(enrolment=enrolment)
    assert progress.completed_at is not None
    assert question_id in progress.answers


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("01-moduuli/01-eka.sv.yaml", "slug: eka", "slug: [eka", "01-eka.sv.yaml:3: invalid YAML"),
        ("01-moduuli/01-eka.en.yaml", "correct: true", "correct: yes please", "01-eka.en.yaml:14: 'correct' must be"),
        ("01-moduuli/01-eka.fi.yaml", "completion: all_correct", "completion: sometimes", "01-eka.fi.yaml:4:"),
        ("training.yaml", "prerequisites: []", "prerequisites: [nothing]", "unknown prerequisite training"),
        ("01-moduuli/01-eka.sv.yaml", "correct: false", "correct: true", "differs from the fi version"),
        ("training.fi.yaml", "slug: testi", "slug: Testi Koulutus", "training.fi.yaml:2: 'slug'"),
        ("01-moduuli/01-eka.fi.yaml", "Tekstiä", "<script>alert(1)</script>", "not allowed: ['script']"),
        (
            "01-moduuli/module.en.yaml",
            "slug: moduuli",
            "slug: moduuli\nsulg: x",
            "module.en.yaml:3: unknown field 'sulg'",
        ),
    ],
)
def test_a_bad_file_is_reported_with_path_and_line_and_nothing_changes(homes, tmp_path, file, old, new, expected):
    root = write_tree(tmp_path)
    import_content(root)
    before = snapshot()
    path = root / "testi" / file
    path.write_text(path.read_text().replace(old, new, 1))
    # a valid edit elsewhere must not be applied either
    other = root / "testi" / "training.en.yaml"
    other.write_text(other.read_text().replace("Test training", "Renamed"))

    with pytest.raises(ContentError) as error:
        import_content(root)

    assert expected in str(error.value)
    assert snapshot() == before


def test_a_missing_language_version_is_reported(homes, tmp_path):
    root = write_tree(tmp_path)
    (root / "testi" / "01-moduuli" / "01-eka.sv.yaml").unlink()

    with pytest.raises(ContentError, match="lesson 'eka' has no sv version"):
        import_content(root)
    assert not TrainingPage.objects.exists()


def test_the_command_fails_with_the_problems_and_a_nonzero_status(homes, tmp_path):
    root = write_tree(tmp_path)
    shutil.rmtree(root / "testi" / "01-moduuli")

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_content", str(root))


# --- parts ---------------------------------------------------------------------------------------

PARTED_TITLES = {"fi": "Osakoulutus", "sv": "Delutbildning", "en": "Training in parts"}
PART = "ects_credits: 2.5\ngrading: {grading}\n"
PART_TEXTS = {
    "fi": "title: Osa {n}\nslug: osa-{n}\nintro: Osan esittely.\nlearning_outcomes:\n  - Osaa osan {n}.\n",
    "sv": "title: Del {n}\nslug: del-{n}\nlearning_outcomes:\n  - Kan del {n}.\n",
    "en": "title: Part {n}\nslug: part-{n}\nlearning_outcomes:\n  - Knows part {n}.\n",
}


def write_parted(root: Path, key: str = "osat") -> Path:
    """A training ``key`` in two parts (osa-1 pass/fail, osa-2 on the 0-5 scale), each of one module and lesson."""
    base = root / key
    base.mkdir(parents=True)
    (base / "training.yaml").write_text(TRAINING)
    for language, texts in TEXTS.items():
        texts = re.sub(r"slug: \w+", f"slug: {key}", re.sub(r"title: .*", f"title: {PARTED_TITLES[language]}", texts))
        (base / f"training.{language}.yaml").write_text(texts)
    for n, grading in ((1, "pass_fail"), (2, "scale_0_5")):
        part = base / f"0{n}-osa-{n}"
        module = part / f"01-moduuli-{n}"
        module.mkdir(parents=True)
        (part / "part.yaml").write_text(PART.format(grading=grading))
        for language in TEXTS:
            (part / f"part.{language}.yaml").write_text(PART_TEXTS[language].format(n=n))
            (module / f"module.{language}.yaml").write_text(f"title: Moduuli {n} {language}\nslug: moduuli-{n}\n")
            (module / f"01-oppitunti-{n}.{language}.yaml").write_text(
                LESSON.format(title=f"Oppitunti {n} {language}", slug=f"oppitunti-{n}")
            )
    return root


def requiring(root: Path, *items: str) -> None:
    """The test training (``testi``) requires ``items``, in block style: one item a line from line 5."""
    path = root / "testi" / "training.yaml"
    lines = "".join(f"  - {item}\n" for item in items)
    path.write_text(path.read_text().replace("prerequisites: []\n", f"prerequisites:\n{lines}"))


def test_parts_import_with_their_texts_credits_grading_and_modules_and_a_rerun_changes_nothing(homes, tmp_path):
    root = write_parted(tmp_path)
    import_content(root)

    training = TrainingPage.objects.get(locale__language_code="fi", slug="osat")
    parts = list(PartPage.objects.child_of(training).order_by("path"))
    assert [(p.title, p.slug, p.ects_credits, p.grading) for p in parts] == [
        ("Osa 1", "osa-1", Decimal("2.5"), "pass_fail"),
        ("Osa 2", "osa-2", Decimal("2.5"), "scale_0_5"),
    ]
    assert parts[0].intro == "Osan esittely."
    assert [block.value for block in parts[0].learning_outcomes] == ["Osaa osan 1."]
    assert ModulePage.objects.child_of(parts[0]).get().title == "Moduuli 1 fi"
    assert not ModulePage.objects.child_of(training).exists()
    assert PartPage.objects.count() == 6  # in three languages, linked as translations
    assert {p.title for p in parts[1].get_translations()} == {"Del 2", "Part 2"}
    structure = structure_for(training)
    assert [part.key for part in structure.parts] == [p.translation_key for p in parts]
    assert [len(part.lessons) for part in structure.parts] == [1, 1]
    before = snapshot()

    again = import_content(root)

    assert (again.created, again.updated) == (0, 0)
    assert snapshot() == before


def test_a_module_moved_into_a_part_keeps_its_pages_and_the_learners_progress(homes, tmp_path):
    root = write_tree(tmp_path)
    import_content(root)
    lesson = LessonPage.objects.get(locale__language_code="fi", slug="eka")
    module = ModulePage.objects.get(locale__language_code="fi", slug="moduuli")
    enrolment = services.enrolment_create(
        user=UserFactory(), training=TrainingPage.objects.get(locale__language_code="fi")
    )
    services.answer_submit(enrolment=enrolment, lesson=lesson, question_id=next(iter(lesson.questions())), selected=[0])

    part = root / "testi" / "01-osa-1"
    part.mkdir()
    (part / "part.yaml").write_text(PART.format(grading="pass_fail"))
    for language in TEXTS:
        (part / f"part.{language}.yaml").write_text(PART_TEXTS[language].format(n=1))
    shutil.move(root / "testi" / "01-moduuli", part / "01-moduuli")
    import_content(root)

    moved = ModulePage.objects.get(pk=module.pk)
    assert moved.get_parent().specific_class is PartPage
    assert LessonPage.objects.get(pk=lesson.pk).translation_key == lesson.translation_key
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at is not None
    structure = structure_for(enrolment.training)
    assert structure.parts[0].lessons[0].key == lesson.translation_key
    assert (import_content(root).created, import_content(root).updated) == (0, 0)


def test_a_prerequisite_may_name_a_part_of_another_training(homes, tmp_path):
    root = write_parted(write_tree(tmp_path))
    requiring(root, "osat/osa-2")

    import_content(root)

    part = PartPage.objects.get(locale__language_code="fi", slug="osa-2")
    for training in TrainingPage.objects.filter(slug__in=["testi", "test"]):
        assert list(training.prerequisites.values_list("required_training", "required_part")) == [(None, part.pk)]
    training = TrainingPage.objects.get(locale__language_code="fi", slug="testi")
    with (
        translation.override("en"),
        pytest.raises(services.EnrolmentError, match=r"Part 2 \(part of Training in parts\)"),
    ):
        services.enrolment_create(user=UserFactory(), training=training)
    assert [link.title for link in prerequisite_links(training=training, language="fi")] == ["Osa 2"]
    assert (import_content(root).created, import_content(root).updated) == (0, 0)


def test_a_prerequisite_changed_from_a_training_to_its_part_is_updated_in_place(homes, tmp_path):
    root = write_parted(write_tree(tmp_path))
    requiring(root, "osat")
    import_content(root)
    training = TrainingPage.objects.get(locale__language_code="fi", slug="testi")
    assert list(training.prerequisites.values_list("required_part", flat=True)) == [None]

    (root / "testi" / "training.yaml").write_text(TRAINING)
    requiring(root, "osat/osa-1")
    report = import_content(root)

    assert (report.created, report.updated) == (0, 3)  # the training's prerequisites, in each language
    part = PartPage.objects.get(locale__language_code="fi", slug="osa-1")
    assert list(training.prerequisites.values_list("required_training", "required_part")) == [(None, part.pk)]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["osat/osa-1", "osat/osa-9"], "training.yaml:6: unknown part 'osa-9' of training 'osat'"),
        (["nothing/osa-1"], "training.yaml:5: unknown prerequisite training 'nothing'"),
        (["testi/osa-1"], "training.yaml:5: 'testi/osa-1': a training or its own part cannot be its prerequisite"),
        (["testi"], "training.yaml:5: 'testi': a training or its own part cannot be its prerequisite"),
        (["Osat/Osa 1"], "training.yaml:5: 'Osat/Osa 1' is not a training key or training-key/part-key"),
        (["osat/"], "training.yaml:5: 'osat/' is not a training key"),
    ],
)
def test_a_bad_prerequisite_is_reported_with_path_and_line_and_nothing_changes(homes, tmp_path, items, expected):
    root = write_parted(write_tree(tmp_path))
    import_content(root)
    before = snapshot()
    requiring(root, *items)

    with pytest.raises(ContentError) as error:
        import_content(root)

    assert f"{root / 'testi' / expected}" in str(error.value)
    assert snapshot() == before


def test_a_part_of_a_training_without_parts_is_an_unknown_part(homes, tmp_path):
    root = write_parted(write_tree(tmp_path))
    requiring(root, "osat/osa-1")
    path = root / "osat" / "training.yaml"
    path.write_text(TRAINING.replace("prerequisites: []", "prerequisites: [testi/osa-1]"))

    with pytest.raises(ContentError, match=r"osat/training.yaml:4: unknown part 'osa-1' of training 'testi' .*none"):
        import_content(root)


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("01-osa-1/part.yaml", "grading: pass_fail", "grading: sometimes", "01-osa-1/part.yaml:2: 'grading' must be"),
        ("01-osa-1/part.yaml", "ects_credits: 2.5", "ects_credits: lots", "01-osa-1/part.yaml:1: 'ects_credits'"),
        ("02-osa-2/part.sv.yaml", "slug: del-2", "slug: Del 2", "02-osa-2/part.sv.yaml:2: 'slug'"),
        ("02-osa-2/part.en.yaml", "title: Part 2\n", "", "02-osa-2/part.en.yaml:1: missing field 'title'"),
        ("02-osa-2/part.fi.yaml", "slug: osa-2", "slug: osa-1", "part.fi.yaml:2: slug 'osa-1' is also used by"),
    ],
)
def test_a_bad_part_file_is_reported_with_path_and_line_and_nothing_changes(homes, tmp_path, file, old, new, expected):
    root = write_parted(tmp_path)
    import_content(root)
    before = snapshot()
    path = root / "osat" / file
    path.write_text(path.read_text().replace(old, new, 1))

    with pytest.raises(ContentError) as error:
        import_content(root)

    assert expected in str(error.value)
    assert snapshot() == before


def test_a_training_with_both_modules_and_parts_is_refused(homes, tmp_path):
    root = write_parted(tmp_path)
    module = root / "osat" / "03-irrallinen"
    shutil.copytree(root / "osat" / "01-osa-1" / "01-moduuli-1", module)

    with pytest.raises(ContentError, match="either modules or parts"):
        import_content(root)
    assert not PartPage.objects.exists()


def test_a_part_without_its_structure_file_or_modules_is_reported(homes, tmp_path):
    root = write_parted(tmp_path)
    (root / "osat" / "01-osa-1" / "part.yaml").unlink()
    shutil.rmtree(root / "osat" / "02-osa-2" / "01-moduuli-2")

    with pytest.raises(ContentError) as error:
        import_content(root)

    assert "01-osa-1/part.yaml: missing file" in str(error.value)
    assert "02-osa-2: a part needs at least one module" in str(error.value)
