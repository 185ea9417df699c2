"""The content import: idempotent, updates in place, all or nothing."""

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, Revision

from lms.courses import services
from lms.courses.content_import import ContentError, import_content
from lms.courses.models import LessonPage, LessonProgress, ModulePage, TrainingPage
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
    for training in TrainingPage.objects.filter(locale__language_code="fi"):
        assert ModulePage.objects.child_of(training).count() >= 3
        for module in ModulePage.objects.child_of(training):
            assert LessonPage.objects.child_of(module).count() >= 3
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
