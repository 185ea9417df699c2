"""The content import of question pools, the self-assessment and the exam, self-assessment and
contact-session blocks: stable ids across re-imports, translations paired by id, all or nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from lms.courses import services as courses
from lms.courses.content_import import ContentError, import_content
from lms.courses.models import LessonPage, TrainingPage
from lms.exams import services as exams
from lms.exams.models import ExamAttempt, QuestionPool
from lms.exams.selectors import bank_for, exam_for
from lms.selfassessment import services as selfassessment
from lms.selfassessment.models import Response, SelfAssessment
from lms.selfassessment.selectors import assessment_of
from tests.courses.test_content_import import snapshot, write_tree
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POOL = {
    "fi": """\
title: Työkyky – kysymykset
module: moduuli
questions:
  - id: osatekijat
    type: single
    outcome: LO1
    prompt: Mikä on **työkyvyn** perusta?
    feedback: Terveys on perusta.
    options:
      - text: Terveys
        correct: true
        feedback: Oikein.
      - text: Palkka
        correct: false
  - id: tukimuodot
    type: multiple
    outcome: LO1
    prompt: Mitkä ovat tukimuotoja?
    options:
      - text: Työkokeilu
        correct: true
      - text: Lomautus
        correct: false
  - id: prosentti
    type: numeric
    outcome: LO2
    prompt: Kuinka monta prosenttia?
    answer: 2.5
    tolerance: 0.5
    unit: "%"
  - id: parit
    type: matching
    outcome: LO2
    prompt: Yhdistä.
    pairs:
      - left: Kela
        right: Kuntoutus
      - left: TE-palvelut
        right: Työnhaku
""",
    "sv": """\
title: Arbetsförmåga – frågor
questions:
  - id: osatekijat
    prompt: Vad är grunden för arbetsförmåga?
    feedback: Hälsan är grunden.
    options:
      - text: Hälsa
        feedback: Rätt.
      - text: Lön
  - id: tukimuodot
    prompt: Vilka är stödformer?
    options:
      - text: Arbetsprövning
      - text: Permittering
  - id: prosentti
    prompt: Hur många procent?
  - id: parit
    prompt: Para ihop.
    pairs:
      - left: FPA
        right: Rehabilitering
      - left: TE-tjänster
        right: Jobbsökning
""",
}
POOL["en"] = (
    POOL["sv"]
    .replace("title: Arbetsförmåga – frågor", "title: Work ability – questions")
    .replace("Vad är grunden för arbetsförmåga?", "What is the basis of work ability?")
)
SELF_ASSESSMENT = {
    "fi": """\
title: Osaamisen itsearviointi
intro: Arvioi omaa osaamistasi.
scale_min: 1
scale_max: 5
min_label: En vielä osaa
max_label: Osaan ohjata muita
statements:
  - id: prosessi
    outcome: Työkyvyn tuen prosessi
    text: Osaan kuvata työkyvyn tuen prosessin.
  - id: palvelut
    outcome: Palvelut
    text: Tunnen keskeiset palvelut.
""",
    "sv": """\
title: Självvärdering
min_label: Kan inte ännu
max_label: Kan handleda andra
statements:
  - id: palvelut
    outcome: Tjänster
    text: Jag känner till de centrala tjänsterna.
  - id: prosessi
    outcome: Processen
    text: Jag kan beskriva processen.
""",
}
SELF_ASSESSMENT["en"] = SELF_ASSESSMENT["sv"].replace("title: Självvärdering", "title: Self-assessment")
LESSON = """\
title: Koe {language}
slug: koe
estimated_minutes: 5
completion: opened
body:
  - self_assessment:
      id: alussa
      phase: start
  - exam:
      id: tentti
      title: Tentti {language}
      instructions: Vastaa **kaikkiin**.
      pools: [tyokyky]
      questions_per_attempt: 3
      pass_percent: 50
      max_attempts: 0
  - attendance:
      id: lahiopetus
      sessions_required: 2
      text: Kaksi lähipäivää.
      estimated_minutes: 360
"""


def write_assessments(root: Path) -> Path:
    """The test training with a pool, a self-assessment and a lesson holding the three gate blocks."""
    base = write_tree(root) / "testi"
    (base / "pools").mkdir()
    for language in ("fi", "sv", "en"):
        (base / "pools" / f"tyokyky.{language}.yaml").write_text(POOL[language])
        (base / f"self-assessment.{language}.yaml").write_text(SELF_ASSESSMENT[language])
        (base / "01-moduuli" / f"02-koe.{language}.yaml").write_text(LESSON.format(language=language))
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def everything():
    """Pages, revisions and the snippets' rows as they stand: what an import must not change on error."""
    return (
        snapshot(),
        sorted(QuestionPool.objects.values_list("pk", "title", "questions")),
        sorted(SelfAssessment.objects.values_list("pk", "title", "statements")),
    )


def lesson_in(language: str) -> LessonPage:
    return LessonPage.objects.get(locale__language_code=language, slug="koe")


def test_pools_the_self_assessment_and_the_gate_blocks_import_in_three_languages_and_a_rerun_changes_nothing(
    homes, tmp_path
):
    root = write_assessments(tmp_path)
    import_content(root)

    pools = {pool.locale.language_code: pool for pool in QuestionPool.objects.select_related("locale")}
    assert set(pools) == {"fi", "sv", "en"}
    assert len({pool.translation_key for pool in pools.values()}) == 1
    assert pools["fi"].module.slug == "moduuli"
    assert pools["sv"].module.locale.language_code == "sv"
    fi_ids = [block["id"] for block in pools["fi"].questions.raw_data]
    assert [block["id"] for block in pools["sv"].questions.raw_data] == fi_ids
    assert [block["type"] for block in pools["sv"].questions.raw_data] == ["single", "multiple", "numeric", "matching"]
    numeric = pools["fi"].questions.raw_data[2]["value"]
    assert (numeric["answer"], numeric["tolerance"], numeric["unit"]) == ("2.5", "0.5", "%")
    bank = bank_for([pools["fi"].pk])
    assert set(bank.questions) == set(fi_ids)
    worded, _lang = bank.worded(fi_ids[0], "sv")
    assert worded["prompt"] == "<p>Vad är grunden för arbetsförmåga?</p>"
    assert [o["text"] for o in worded["options"]] == ["Hälsa", "Lön"]
    assert [o["correct"] for o in worded["options"]] == [True, False]  # the answers are the Finnish pool's

    assessments = {a.locale.language_code: a for a in SelfAssessment.objects.select_related("locale")}
    assert (assessments["fi"].scale_min, assessments["fi"].scale_max) == (1, 5)
    # statements paired by id keep the Finnish order whatever order a translation lists them in
    assert [b["value"]["text"] for b in assessments["sv"].statements.raw_data] == [
        "Jag kan beskriva processen.",
        "Jag känner till de centrala tjänsterna.",
    ]
    assert [b["id"] for b in assessments["sv"].statements.raw_data] == [
        b["id"] for b in assessments["fi"].statements.raw_data
    ]

    for language in ("fi", "sv", "en"):
        body = {block["type"]: block for block in lesson_in(language).body.raw_data}
        assert [item["value"] for item in body["exam"]["value"]["pools"]] == [pools[language].pk]
        assert body["exam"]["value"]["title"] == f"Tentti {language}"
        assert body["self_assessment"]["value"]["assessment"] == assessments[language].pk
        assert body["attendance"]["value"]["sessions_required"] == 2
    fi_ids = [block["id"] for block in lesson_in("fi").body.raw_data]
    assert [block["id"] for block in lesson_in("en").body.raw_data] == fi_ids
    training = TrainingPage.objects.get(locale__language_code="fi")
    exam = exam_for(training, lesson_in("fi").translation_key, fi_ids[1])
    assert (exam.questions_per_attempt, exam.pass_percent, exam.max_attempts) == (3, 50, 0)
    before = everything()

    again = import_content(root)

    assert (again.created, again.updated) == (0, 0)
    assert everything() == before


def test_a_reimport_of_edited_files_keeps_a_learners_exam_attempt_and_self_assessment_answers_valid(homes, tmp_path):
    root = write_assessments(tmp_path)
    import_content(root)
    training = TrainingPage.objects.get(locale__language_code="fi")
    lesson = lesson_in("fi")
    assessment_block, exam_block, _attendance = (block["id"] for block in lesson.body.raw_data)
    enrolment = courses.enrolment_create(user=UserFactory(), training=training)
    attempt = exams.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=exam_block)
    statements = assessment_of(SelfAssessment.objects.get(locale__language_code="fi")).statement_ids
    response = selfassessment.response_submit(
        enrolment=enrolment,
        lesson_key=lesson.translation_key,
        block_id=assessment_block,
        answers=dict.fromkeys(statements, "2"),
    )
    pool = QuestionPool.objects.get(locale__language_code="fi")

    base = root / "testi"
    edit(base / "pools" / "tyokyky.fi.yaml", "Mikä on **työkyvyn** perusta?", "Mikä on työkyvyn perusta nyt?")
    edit(base / "pools" / "tyokyky.fi.yaml", "Oikein.", "Oikein, terveys.")
    edit(base / "pools" / "tyokyky.sv.yaml", "Vilka är stödformer?", "Vilka stödformer finns?")
    edit(base / "self-assessment.fi.yaml", "Tunnen keskeiset palvelut.", "Tunnen palvelut hyvin.")
    edit(base / "01-moduuli" / "02-koe.fi.yaml", "Tentti fi", "Loppututkinto")
    report = import_content(root)

    assert report.created == 0
    assert report.updated == 4
    edited = QuestionPool.objects.get(pk=pool.pk)
    assert [b["id"] for b in edited.questions.raw_data] == [b["id"] for b in pool.questions.raw_data]
    bank = bank_for([edited.pk])
    assert {entry["question"] for entry in attempt.questions} <= set(bank.questions)
    assert bank.questions[pool.questions.raw_data[0]["id"]]["prompt"] == "<p>Mikä on työkyvyn perusta nyt?</p>"
    # the open attempt goes on: answered and submitted against the edited pool
    first = attempt.questions[0]
    question = bank.questions[first["question"]]
    answer = {"single": [0], "multiple": [0], "numeric": "2,5", "matching": [0, 1]}[question["kind"]]
    exams.attempt_answer(attempt=attempt, question_id=first["question"], value=answer)
    submitted = exams.attempt_submit(attempt=ExamAttempt.objects.get(pk=attempt.pk))
    assert submitted.score is not None
    assert first["question"] in submitted.results
    # the self-assessment answers still name its statements, and the block still finds it
    assert set(Response.objects.get(pk=response.pk).answers) == set(
        assessment_of(SelfAssessment.objects.get(locale__language_code="fi")).statement_ids
    )
    block = selfassessment.block_for(enrolment, lesson.translation_key, assessment_block)
    assert block.assessment.key == Response.objects.get(pk=response.pk).assessment_key
    assert block.assessment.version("fi").statements[1].text == "Tunnen palvelut hyvin."


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (  # a translation that adds a question
            "pools/tyokyky.en.yaml",
            "  - id: prosentti\n",
            "  - id: vieras\n    prompt: Foreign?\n  - id: prosentti\n",
            "pools/tyokyky.en.yaml:15: question 'vieras' is not in tyokyky.fi.yaml",
        ),
        (  # a translation that lacks one
            "pools/tyokyky.sv.yaml",
            "  - id: prosentti\n    prompt: Hur många procent?\n",
            "",
            "pools/tyokyky.sv.yaml:2: question 'prosentti' of tyokyky.fi.yaml is not translated",
        ),
        (
            "self-assessment.sv.yaml",
            "id: palvelut",
            "id: tjanster",
            "self-assessment.sv.yaml:5: statement 'tjanster' is not in self-assessment.fi.yaml",
        ),
        (  # a translation gives texts, not answers
            "pools/tyokyky.sv.yaml",
            "      - text: Lön\n",
            "      - text: Lön\n        correct: true\n",
            "pools/tyokyky.sv.yaml:10: unknown field 'correct'",
        ),
        (
            "pools/tyokyky.en.yaml",
            "      - text: Permittering\n",
            "",
            "pools/tyokyky.en.yaml:12: 'options' must be a list of 2 to 2 items",
        ),
    ],
)
def test_a_translation_with_a_foreign_or_missing_id_is_refused_naming_the_file_and_nothing_changes(
    homes, tmp_path, file, old, new, expected
):
    root = write_assessments(tmp_path)
    import_content(root)
    before = everything()
    edit(root / "testi" / file, old, new)
    edit(root / "testi" / "pools" / "tyokyky.fi.yaml", "Yhdistä.", "Yhdistä parit.")  # valid: not applied either

    with pytest.raises(ContentError) as error:
        import_content(root)

    assert str(root / "testi" / expected) in str(error.value)
    assert everything() == before


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "questions_per_attempt: 3",
            "questions_per_attempt: 5",
            "02-koe.fi.yaml:14: the pools hold 4 questions, fewer",
        ),
        (
            "questions_per_attempt: 3",
            "questions_per_attempt: 3\n      per_outcome: true",
            "02-koe.fi.yaml:14: the pools hold fewer than 3 questions for these learning outcomes: LO1, LO2",
        ),
        ("pools: [tyokyky]", "pools: [tyokyky, muu]", "02-koe.fi.yaml:13: unknown pool muu"),
    ],
)
def test_an_exam_its_pools_cannot_fill_is_refused_and_nothing_changes(homes, tmp_path, old, new, expected):
    root = write_assessments(tmp_path)
    import_content(root)
    before = everything()
    for language in ("fi", "sv", "en"):  # the rules are the same in every language
        edit(root / "testi" / "01-moduuli" / f"02-koe.{language}.yaml", old, new)

    with pytest.raises(ContentError) as error:
        import_content(root)

    assert str(root / "testi" / "01-moduuli" / expected) in str(error.value)
    assert everything() == before


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "pools/tyokyky.fi.yaml",
            "Kuinka monta prosenttia?",
            "<script>alert(1)</script>",
            "pools/tyokyky.fi.yaml:27: 'prompt' uses markup that is not allowed: ['script']",
        ),
        (
            "pools/tyokyky.sv.yaml",
            "Para ihop.",
            '"[Para](javascript:alert(1))"',  # quoted: YAML would read [ as a list
            "pools/tyokyky.sv.yaml:18: 'prompt' links to addresses that are not https://",
        ),
        (
            "pools/tyokyky.fi.yaml",
            "Yhdistä.",
            '<p onclick="alert(1)">Yhdistä.</p>',
            "'prompt' uses HTML attributes that are not allowed: ['onclick']",
        ),
        (
            "01-moduuli/02-koe.fi.yaml",
            "Vastaa **kaikkiin**.",
            "<img src=x onerror=alert(1)>",
            "02-koe.fi.yaml:12: 'instructions' uses markup that is not allowed: ['img']",
        ),
        (
            "01-moduuli/01-eka.fi.yaml",
            "prompt: Kumpi?",
            "prompt: <script>alert(1)</script>",
            "01-eka.fi.yaml:11: 'prompt' uses markup that is not allowed: ['script']",
        ),
        ("pools/tyokyky.fi.yaml", "answer: 2.5", "answer: 1.0e+400", "tyokyky.fi.yaml:28: 'answer' must be a number"),
        ("pools/tyokyky.fi.yaml", "answer: 2.5", f"answer: {10**40}", "tyokyky.fi.yaml:28: 'answer' must be a number"),
        ("pools/tyokyky.fi.yaml", "answer: 2.5", "answer: .nan", "tyokyky.fi.yaml:28: 'answer' must be a number"),
        ("pools/tyokyky.fi.yaml", "tolerance: 0.5", "tolerance: -1", "tyokyky.fi.yaml:29: 'tolerance' must be"),
        (
            "pools/tyokyky.fi.yaml",
            "answer: 2.5",
            "answer: 2.0000001",
            "tyokyky.fi.yaml:28: 'answer' must be a number",
        ),
        (
            "01-moduuli/02-koe.fi.yaml",
            "max_attempts: 0",
            f"max_attempts: {10**30}",
            "02-koe.fi.yaml:16: 'max_attempts' must be a whole number from 0 to 100",
        ),
        ("self-assessment.fi.yaml", "scale_max: 5", "scale_max: 50", "self-assessment.fi.yaml:4: 'scale_max' must be"),
        ("pools/tyokyky.fi.yaml", "module: moduuli", "module: muu", "tyokyky.fi.yaml:2: unknown module 'muu'"),
        (
            "pools/tyokyky.fi.yaml",
            "type: multiple\n    outcome: LO1\n    prompt: Mitkä ovat tukimuotoja?",
            "type: single\n    outcome: LO1\n    prompt: Mikä  on **työkyvyn**\n      perusta?",
            "tyokyky.fi.yaml:18: this question repeats question 'osatekijat'",
        ),
        (
            "pools/tyokyky.fi.yaml",
            "      - text: Palkka\n        correct: false",
            "      - text: Palkka\n        correct: true",
            "tyokyky.fi.yaml:9: a single-choice question needs exactly one correct option",
        ),
        ("pools/tyokyky.fi.yaml", "right: Työnhaku", "right: Kuntoutus", "each 'right' of the pairs must be"),
    ],
)
def test_hostile_or_broken_input_is_refused_with_path_and_line_and_nothing_changes(
    homes, tmp_path, file, old, new, expected
):
    root = write_assessments(tmp_path)
    import_content(root)
    before = everything()
    edit(root / "testi" / file, old, new)

    with pytest.raises(ContentError) as error:
        import_content(root)

    assert expected in str(error.value)
    assert everything() == before


def test_exam_rules_that_differ_between_languages_are_refused(homes, tmp_path):
    root = write_assessments(tmp_path)
    edit(root / "testi" / "01-moduuli" / "02-koe.sv.yaml", "pass_percent: 50", "pass_percent: 40")

    with pytest.raises(ContentError, match=r"02-koe.sv.yaml:1: differs from the fi version"):
        import_content(root)
    assert not QuestionPool.objects.exists()


def test_a_self_assessment_block_without_the_trainings_self_assessment_is_refused(homes, tmp_path):
    root = write_assessments(tmp_path)
    for language in ("fi", "sv", "en"):
        (root / "testi" / f"self-assessment.{language}.yaml").unlink()

    with pytest.raises(ContentError, match=r"02-koe.fi.yaml:6: a self_assessment block needs self-assessment"):
        import_content(root)
    assert not LessonPage.objects.exists()


def test_a_pool_missing_a_language_is_refused(homes, tmp_path):
    root = write_assessments(tmp_path)
    (root / "testi" / "pools" / "tyokyky.en.yaml").unlink()

    with pytest.raises(ContentError, match="pools: pool 'tyokyky' has no en version"):
        import_content(root)


def test_the_command_run_twice_changes_nothing_the_second_time(homes, tmp_path):
    root = write_assessments(tmp_path)
    call_command("import_content", str(root), stdout=StringIO())
    before = everything()
    out = StringIO()

    call_command("import_content", str(root), stdout=out)

    assert " 0 created, 0 updated" in out.getvalue()
    assert everything() == before
