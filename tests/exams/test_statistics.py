"""Item statistics on hand-built attempts: facility, discrimination, option counts, flags, tries."""

import pytest

from lms.exams.statistics import (
    MIN_N,
    Flag,
    ItemFigures,
    correlation,
    item_figures,
    item_rows,
    tries_of,
)


def attempt(**marks):
    """One submitted attempt: ``q=True`` right, ``q=False`` wrong, ``q=(correct, selected)``."""
    results = {}
    for qid, mark in marks.items():
        correct, selected = mark if isinstance(mark, tuple) else (mark, [0] if mark else [1])
        results[qid] = {"correct": correct, "selected": selected}
    return [{"question": qid, "pool": "p", "order": [0, 1, 2]} for qid in marks], results


def choice(*correct: bool) -> dict:
    return {
        "kind": "single",
        "prompt": "<p>?</p>",
        "options": [{"text": f"Option {n}", "correct": right} for n, right in enumerate(correct)],
    }


def learners(strong: int, weak: int, **questions):
    """``strong`` learners who get every ``other*`` question right and ``weak`` who get them wrong;
    ``questions`` say how ``good`` (etc.) goes for strong/weak: ``(strong's mark, weak's mark)``."""
    others = {f"other{n}": None for n in range(4)}
    out = []
    for is_strong, count in ((True, strong), (False, weak)):
        for _n in range(count):
            marks = dict.fromkeys(others, is_strong)
            marks.update({qid: (marks_[0] if is_strong else marks_[1]) for qid, marks_ in questions.items()})
            out.append(attempt(**marks))
    return out


def test_facility_is_the_share_right():
    figures = item_figures([attempt(q=True), attempt(q=True), attempt(q=False), attempt(q=True)])

    assert figures["q"].n == 4
    assert figures["q"].right == 3
    assert figures["q"].facility == pytest.approx(0.75)


def test_a_question_strong_learners_get_right_and_weak_ones_wrong_discriminates_positively():
    figures = item_figures(learners(4, 4, good=(True, False), bad=(False, True)))

    assert figures["good"].discrimination == pytest.approx(1.0)
    assert figures["bad"].discrimination == pytest.approx(-1.0)


def test_discrimination_reads_the_rest_of_the_test_not_the_item_itself():
    # Right/wrong at random relative to the others: around zero, though it is part of the total.
    marks = [True, False, True, False, False, True, True, False]
    attempts = learners(4, 4)
    for n, (draw, results) in enumerate(attempts):
        draw.append({"question": "noise", "pool": "p", "order": []})
        results["noise"] = {"correct": marks[n], "selected": [0]}
    figures = item_figures(attempts)

    assert figures["noise"].discrimination == pytest.approx(0.0)


def test_a_question_everybody_gets_right_has_no_discrimination():
    figures = item_figures(learners(4, 4, easy=(True, True)))

    assert figures["easy"].facility == 1
    assert figures["easy"].discrimination is None


def test_too_few_attempts_give_no_discrimination_and_no_flags():
    few = learners(2, MIN_N - 3, good=(True, False))
    figures = item_figures(few)

    assert figures["good"].n == MIN_N - 1
    assert figures["good"].discrimination is None
    rows = item_rows(figures, {"good": choice(True, False, False)})
    assert all(row.flags == () for row in rows)


def test_option_counts_and_percentages_mark_the_correct_option():
    attempts = [attempt(q=(True, [0])) for _n in range(3)] + [attempt(q=(False, [2])), attempt(q=(False, None))]
    figures = item_figures(attempts)

    (row,) = item_rows(figures, {"q": choice(True, False, False)})

    assert [(o.index, o.correct, o.count, o.percent) for o in row.options] == [
        (0, True, 3, 60),
        (1, False, 0, 0),
        (2, False, 1, 20),
    ]
    assert row.figures.blank == 1
    assert Flag.UNCHOSEN_OPTION in row.flags


def test_multiple_choice_counts_every_option_chosen():
    attempts = [attempt(q=(True, [0, 2])), attempt(q=(False, [0])), attempt(q=(False, 1))]

    figures = item_figures(attempts)

    assert figures["q"].chosen == {0: 2, 2: 1, 1: 1}


def test_weak_questions_are_flagged():
    attempts = learners(5, 5, easy=(True, True), hard=(False, False), flat=(True, True))
    for n, (_draw, results) in enumerate(attempts):
        results["flat"]["correct"] = n in (0, 1, 5, 6)  # two strong and two weak learners right
    figures = item_figures(attempts)
    questions = {qid: choice(True, False) for qid in ("easy", "hard", "flat")}

    flags = {row.question_id: row.flags for row in item_rows(figures, questions)}

    assert Flag.EASY in flags["easy"]
    assert Flag.HARD in flags["hard"]
    assert Flag.LOW_DISCRIMINATION in flags["flat"]
    assert Flag.LOW_DISCRIMINATION not in flags["other0"]


def test_a_question_removed_from_its_pool_keeps_its_figures():
    figures = item_figures([attempt(gone=(True, [1])), attempt(gone=(False, [0]))])

    (row,) = item_rows(figures, {})

    assert row.removed
    assert row.figures.n == 2
    assert [(o.index, o.count) for o in row.options] == [(0, 1), (1, 1)]


def test_pool_questions_never_drawn_are_listed_and_sorting_puts_them_last():
    figures = item_figures(learners(3, 3, good=(True, False)))
    questions = {qid: choice(True, False) for qid in ("good", "other0", "unseen")}

    rows = item_rows(figures, questions, also=["unseen", "good"], sort="facility")

    assert rows[-1].question_id == "unseen"
    assert rows[-1].figures.n == 0
    assert rows[-1].figures.facility is None
    facilities = [row.figures.facility for row in rows[:-1]]
    assert facilities == sorted(facilities)


def test_an_attempt_of_one_question_counts_for_facility_only():
    figures = item_figures([attempt(q=True)] * 6)

    assert figures["q"].n == 6
    assert figures["q"].discrimination is None


def test_correlation_of_constant_series_is_undefined():
    assert correlation([1, 1, 1], [0.2, 0.5, 0.9]) is None
    assert correlation([0, 1, 0], [0.5, 0.5, 0.5]) is None
    assert correlation([0, 1], [0.0, 1.0]) == pytest.approx(1.0)


def test_tries_distribution_of_a_formative_question():
    answers = [
        {"q": {"correct": True, "tries": 1, "right_at": 1}},
        {"q": {"correct": True, "tries": 2, "right_at": 2}},
        {"q": {"correct": False, "tries": 4, "right_at": 3}},  # right at the third, wrong since
        {"q": {"correct": False, "tries": 2}},
        {"q": {"correct": True, "right_at": None, "tries": 2}},  # from before tries were counted
        {"other": {"correct": True, "tries": 1, "right_at": 1}},
    ]

    figures = tries_of(answers, ["q"])["q"]

    assert figures.answered == 5
    assert (figures.first, figures.second, figures.more, figures.never, figures.unknown) == (1, 1, 1, 1, 1)
    assert figures.percent(figures.first) == 20


def test_item_figures_are_plain_data_that_can_be_cached():
    import pickle

    figures = item_figures(learners(3, 3, good=(True, False)))

    assert pickle.loads(pickle.dumps(figures)) == figures  # noqa: S301 - our own bytes
    assert isinstance(figures["good"], ItemFigures)
