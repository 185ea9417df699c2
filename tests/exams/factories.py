"""Question pools and exam blocks for tests: a pool in raw StreamField form, and a training with an exam.

``build_exam_training(index, questions=..., **rules)`` gives a live training whose first lesson
holds one exam block drawing from one pool; the rules are the ``ExamBlock`` fields.
"""

import uuid

from wagtail.models import Locale

from lms.courses.enums import CompletionRule
from lms.exams.models import QuestionPool
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, text


def _id(block_id):
    return block_id or str(uuid.uuid4())


def _item(value):
    return {"type": "item", "id": str(uuid.uuid4()), "value": value}


def single(block_id=None, *, correct=0, options=3, outcome="LO1", prompt=None) -> dict:
    """A single-choice question: option ``correct`` is right."""
    return choice("single", block_id, correct=(correct,), options=options, outcome=outcome, prompt=prompt)


def multiple(block_id=None, *, correct=(0, 1), options=4, outcome="LO1", prompt=None) -> dict:
    return choice("multiple", block_id, correct=correct, options=options, outcome=outcome, prompt=prompt)


def choice(kind, block_id=None, *, correct=(0,), options=3, outcome="LO1", prompt=None) -> dict:
    block_id = _id(block_id)
    return {
        "type": kind,
        "id": block_id,
        "value": {
            "prompt": prompt or f"<p>Kysymys {block_id[:8]}?</p>",
            "options": [
                _item({"text": f"Vaihtoehto {n}", "correct": n in correct, "feedback": f"Palaute {n}"})
                for n in range(options)
            ],
            "outcome": outcome,
            "feedback": "Yleinen palaute.",
        },
    }


def numeric(block_id=None, *, answer="2.5", tolerance="0", unit="h", outcome="LO1") -> dict:
    block_id = _id(block_id)
    return {
        "type": "numeric",
        "id": block_id,
        "value": {
            "prompt": f"<p>Kuinka monta tuntia {block_id[:8]}?</p>",
            "answer": answer,
            "tolerance": tolerance,
            "unit": unit,
            "outcome": outcome,
            "feedback": "",
        },
    }


def matching(block_id=None, *, pairs=3, outcome="LO1") -> dict:
    """Matching: item n goes with match n (the page shows the matches shuffled)."""
    block_id = _id(block_id)
    return {
        "type": "matching",
        "id": block_id,
        "value": {
            "prompt": "<p>Yhdistä käsite ja sen kuvaus.</p>",
            "pairs": [_item({"left": f"Käsite {n}", "right": f"Kuvaus {n}"}) for n in range(pairs)],
            "outcome": outcome,
            "feedback": "",
        },
    }


def question_pool(*questions, title="Kysymyspankki", locale=None, module=None) -> QuestionPool:
    """A default-language pool (unless ``locale``) holding ``questions`` (raw blocks)."""
    return QuestionPool.objects.create(
        title=title, questions=list(questions), locale=locale or Locale.get_default(), module=module
    )


def pool_translation(pool: QuestionPool, locale, *questions, title=None) -> QuestionPool:
    """``pool`` translated into ``locale``: the same translation key, ``questions`` (same ids) worded anew."""
    return QuestionPool.objects.create(
        title=title or f"{pool.title} ({locale.language_code})",
        questions=list(questions),
        locale=locale,
        translation_key=pool.translation_key,
    )


def exam(block_id=None, *, pools, **rules) -> dict:
    """An exam block in raw form drawing from ``pools``; ``rules`` override the defaults below."""
    value = {
        "title": "Moduulin tentti",
        "instructions": "<p>Vastaa kysymyksiin.</p>",
        "pools": [_item(pool.pk) for pool in pools],
        "questions_per_attempt": 3,
        "per_outcome": False,
        "pass_percent": 60,
        "max_attempts": 0,
        "wait_minutes": 0,
        "time_limit_minutes": 0,
        "review": "feedback",
        "closes_on": None,
        "estimated_minutes": 30,
        "required": True,
    }
    value.update(rules)
    return {"type": "exam", "id": _id(block_id), "value": value}


def build_exam_training(index, *, questions=None, pools=None, block_id="tentti", lessons_after=1, **rules):
    """A live training of one module: a lesson with text and one exam, then ``lessons_after`` plain lessons.

    ``questions`` (raw blocks; five single-choice questions by default, option 0 right) go into one
    new pool unless ``pools`` are given. Returns ``(training, lesson, block, pools)``.
    """
    if pools is None:
        pools = [question_pool(*(questions if questions is not None else [single() for _ in range(5)]))]
    block = exam(block_id, pools=pools, **rules)
    training = TrainingPageFactory(parent=index, title="Tenttikoulutus")
    module = ModulePageFactory(parent=training)
    lesson = LessonPageFactory(parent=module, completion_rule=CompletionRule.OPENED, body=[text(), block])
    for _n in range(lessons_after):
        LessonPageFactory(parent=module, completion_rule=CompletionRule.OPENED, body=[text()])
    return training, lesson, block, pools
