"""The content import of assessed assignments: the admin's block, stable ids, rules the same in
every language, counted in the workload that backs credits, and hostile input refused."""

from pathlib import Path

import pytest

from lms.assignments import services as assignments
from lms.assignments.models import Submission
from lms.courses import services as courses
from lms.courses.content_import import ContentError, import_content
from lms.courses.models import LessonPage, TrainingPage
from lms.courses.structure import structure_for
from tests.courses.test_content_import import snapshot, write_tree
from tests.courses.test_content_import_assessment import write_assessments
from tests.factories import UserFactory
from tests.studying import study, teaching

pytestmark = pytest.mark.django_db

ASSIGNMENT = """\
title: {title}
slug: {slug}
estimated_minutes: 15
completion: opened
body:
  - text: |
      Tehtävän taustaa.
  - assignment:
      id: tapaustehtava
      title: {task}
      instructions: |
        Kirjoita **analyysi** ja palauta se.
      hand_in: both
      file_types: [pdf, odt]
      max_files: 2
      grading: pass_fail
      estimated_hours: 12.5
      required: true
      rubric:
        - name: {criterion}
          description: Kuvaus.
          levels:
            - label: {weak}
            - label: {strong}
              description: Hyvä.
"""
FIELDS = ("title", "slug", "task", "criterion", "weak", "strong")
TEXTS = {
    "fi": dict(zip(FIELDS, ("Tehtävä", "tehtava", "Tapaustehtävä", "Jäsennys", "Ei", "Kyllä"), strict=True)),
    "sv": dict(zip(FIELDS, ("Uppgift", "uppgift", "Falluppgift", "Struktur", "Nej", "Ja"), strict=True)),
    "en": dict(zip(FIELDS, ("Task", "task", "Case task", "Structure", "Not yet", "Passed"), strict=True)),
}


def write_assignment(root: Path) -> Path:
    write_tree(root)
    for language, texts in TEXTS.items():
        (root / "testi" / "01-moduuli" / f"02-tehtava.{language}.yaml").write_text(ASSIGNMENT.format(**texts))
    return root


def lesson_in(language: str) -> LessonPage:
    return LessonPage.objects.get(locale__language_code=language, slug=TEXTS[language]["slug"])


def test_an_assignment_imports_as_the_admins_block_in_three_languages_and_a_rerun_changes_nothing(homes, tmp_path):
    root = write_assignment(tmp_path)
    import_content(root)

    fi, sv = lesson_in("fi"), lesson_in("sv")
    block = next(b for b in fi.body if b.block_type == "assignment")
    assert block.value["title"] == "Tapaustehtävä"
    assert "<strong>analyysi</strong>" in str(block.value["instructions"])
    assert block.value["file_types"] == ["pdf", "odt"]
    assert (block.value["max_files"], block.value["max_file_mb"]) == (2, 10)
    assert str(block.value["estimated_hours"]) == "12.5"
    assert [level["label"] for level in block.value["rubric"][0]["levels"]] == ["Ei", "Kyllä"]
    # the block validates as the admin would save it
    block.block.clean(block.value)
    sv_block = next(b for b in sv.body if b.block_type == "assignment")
    assert sv_block.value["rubric"][0]["name"] == "Struktur"
    # the same id in every language: a submission is the same whatever language the learner reads
    assert sv_block.id == block.id
    # counted in the workload that backs credits: 15 min + 12.5 h
    training = TrainingPage.objects.get(locale__language_code="fi")
    node = next(n for n in structure_for(training).lessons if n.pages["fi"].pk == fi.pk)
    assert node.assignment_minutes == 750
    before = snapshot()

    again = import_content(root)

    assert (again.created, again.updated) == (0, 0)
    assert snapshot() == before


def test_a_reimport_keeps_a_learners_submission_attached_to_the_assignment(homes, tmp_path):
    root = write_assignment(tmp_path)
    import_content(root)
    lesson = lesson_in("fi")
    block_id = next(b.id for b in lesson.body if b.block_type == "assignment")
    training = TrainingPage.objects.get(locale__language_code="fi")
    enrolment = courses.enrolment_create(user=UserFactory(), training=training)
    assignments.draft_save(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block_id, text="Minun.")
    path = root / "testi" / "01-moduuli" / "02-tehtava.fi.yaml"
    path.write_text(path.read_text().replace("Kirjoita **analyysi**", "Kirjoita **perusteltu analyysi**"))

    import_content(root)

    edited = lesson_in("fi")
    assert next(b.id for b in edited.body if b.block_type == "assignment") == block_id
    submission = Submission.objects.get()
    assert (submission.block_id, submission.text) == (block_id, "Minun.")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("file_types: [pdf, odt]", "file_types: [pdf, exe]", "'file_types' must be a list of"),
        ("file_types: [pdf, odt]", "file_types: []", "name at least one file type"),
        ("hand_in: both", "hand_in: email", "'hand_in' must be one of"),
        ("grading: pass_fail", "grading: stars", "'grading' must be one of"),
        ("estimated_hours: 12.5", "estimated_hours: 9000", "'estimated_hours' must be a number of hours"),
        ("estimated_hours: 12.5", "estimated_hours: lots", "'estimated_hours' must be a number of hours"),
        ("max_files: 2", "max_files: 500", "'max_files' must be a whole number from 1 to 10"),
        ("Kirjoita **analyysi**", "Kirjoita <script>alert(1)</script>", "markup that is not allowed"),
        ("            - label: Ei\n", "", "'levels' must be a list of 2 to 6 items"),
        ("      required: true\n", "      required: true\n      grader: me\n", "unknown field 'grader'"),
    ],
)
def test_a_hostile_or_broken_assignment_is_refused_with_path_and_line_and_nothing_changes(
    homes, tmp_path, old, new, expected
):
    root = write_assignment(tmp_path)
    import_content(root)
    before = snapshot()
    path = root / "testi" / "01-moduuli" / "02-tehtava.fi.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))

    with pytest.raises(ContentError) as error:
        import_content(root)

    assert "02-tehtava.fi.yaml:" in str(error.value)
    assert expected in str(error.value)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("estimated_hours: 12.5", "estimated_hours: 1"),  # a translation claiming less work
        ("grading: pass_fail", "grading: scale_0_5"),
        ("required: true", "required: false"),  # a translation letting learners skip it
        ("            - label: Nej\n", "            - label: Nej\n            - label: Kanske\n"),
    ],
)
def test_a_translation_that_changes_an_assignments_rules_is_refused(homes, tmp_path, old, new):
    root = write_assignment(tmp_path)
    path = root / "testi" / "01-moduuli" / "02-tehtava.sv.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))

    with pytest.raises(ContentError, match=r"02-tehtava.sv.yaml:1: differs from the fi version"):
        import_content(root)
    assert not LessonPage.objects.exists()


def import_every_requirement(root: Path) -> TrainingPage:
    """The test training imported with a lesson of the three gate blocks and one with an assignment."""
    write_assessments(root)
    for language, texts in TEXTS.items():
        (root / "testi" / "01-moduuli" / f"03-tehtava.{language}.yaml").write_text(ASSIGNMENT.format(**texts))
    import_content(root)
    return TrainingPage.objects.get(locale__language_code="fi")


def test_a_training_from_files_completes_only_when_every_requirement_is_met(homes, tmp_path):
    """The exam, self-assessment, two sessions and the assignment of imported files all stand between
    a learner and completion; doing them through the services (tests/studying.py) completes it."""
    training = import_every_requirement(tmp_path)
    learner = UserFactory()
    enrolment = courses.enrolment_create(user=learner, training=training)
    nodes = structure_for(training).lessons
    assert [len(n.requirements.gates) + len(n.requirements.assignments) for n in nodes] == [0, 3, 1]

    for node in nodes:
        study(enrolment, node)  # the questions only: the gates and the assignment wait
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None

    teacher = teaching(training, learner)
    for node in nodes:
        study(enrolment, node, teacher=teacher)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_a_swedish_learner_reads_the_teachers_assessment_in_swedish_not_in_the_rubric_it_was_frozen_in(
    homes, tmp_path, client
):
    """A round keeps the (Finnish) rubric it was submitted with; the table of levels reached is worded
    from the lesson the learner reads."""
    import_content(write_assignment(tmp_path))
    training = TrainingPage.objects.get(locale__language_code="fi")
    learner = UserFactory()
    enrolment = courses.enrolment_create(user=learner, training=training)
    node = next(n for n in structure_for(training).lessons if n.requirements.assignments)
    study(enrolment, node, teacher=teaching(training, learner))
    client.force_login(learner)

    page = client.get(lesson_in("sv").url).content.decode()

    table = page[page.index('class="rubric-scores"') :]
    table = table[: table.index("</table>")]
    assert "Struktur" in table
    assert "<td>Ja</td>" in table
    assert "Jäsennys" not in table
    assert "Kyllä" not in table
