"""Item statistics on hand-built attempts: facility, discrimination, option counts, flags, tries."""

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page

from lms.courses import services as courses
from lms.courses.enums import CompletionRule
from lms.courses.models import LessonPage
from lms.courses.permissions import TRAINERS, trainers_group_ensure
from lms.exams.models import ExamAttempt
from lms.exams.statistics import (
    MIN_N,
    Flag,
    ItemFigures,
    correlation,
    item_figures,
    item_rows,
    tries_of,
)
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, Membership, Organisation
from tests.exams.factories import build_exam_training
from tests.exams.factories import single as single_question
from tests.factories import LessonPageFactory, UserFactory, question


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
    assert row.figures.facility == pytest.approx(0.5)
    assert row.options == ()  # what its indexes meant is gone with it


def test_a_question_deleted_before_submission_counts_for_nobody():
    draw, results = attempt(q=True, other=False)
    draw.append({"question": "deleted", "pool": "p", "order": [0, 1]})  # drawn, not scored

    figures = item_figures([(draw, results)])

    assert set(figures) == {"q", "other"}
    assert figures["q"].pool == "p"


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


# --- the trainers' report in the admin ------------------------------------------------------------


@pytest.fixture
def exam_training(index):
    """A training whose exam draws three of five single-choice questions (option 0 right), and whose
    second lesson holds a formative question limited to two tries."""
    training, lesson, block, [pool] = build_exam_training(index)
    module = lesson.get_parent()
    limited = question("formative", correct=(1,))
    limited["value"]["max_attempts"] = 2
    LessonPageFactory(parent=module, completion_rule=CompletionRule.ALL_CORRECT, body=[limited])
    return training, lesson, block, pool


def questions_of(pool) -> list[str]:
    return [block["id"] for block in pool.questions.raw_data]


def submitted(enrolment, lesson, block, pool, number=1, **marks):
    """A submitted attempt of ``enrolment``: ``marks`` by question id, True right (option 0), False wrong (option 1)."""
    return ExamAttempt.objects.create(
        enrolment=enrolment,
        lesson_key=lesson.translation_key,
        block_id=block["id"],
        number=number,
        questions=[{"question": qid, "pool": str(pool.translation_key), "order": [0, 1, 2]} for qid in marks],
        results={qid: {"correct": right, "selected": [0 if right else 1]} for qid, right in marks.items()},
        started_at=timezone.now(),
        submitted_at=timezone.now(),
        score=100 * sum(marks.values()) // len(marks),
        passed=True,
    )


def cohort_of(training, lesson, block, pool, learners: int):
    """``learners`` learners: the first half get every question right, the others only the first."""
    ids = questions_of(pool)
    for n in range(learners):
        enrolment = courses.enrolment_create(user=UserFactory(), training=training)
        strong = n < learners / 2
        submitted(enrolment, lesson, block, pool, **{qid: strong or i == 0 for i, qid in enumerate(ids)})


@pytest.fixture
def trainer(db):
    trainers_group_ensure()
    user = UserFactory()
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


def url(training, suffix="") -> str:
    return f"/admin/exams/statistics/{training.pk}/{suffix}"


@pytest.mark.django_db
def test_trainer_sees_each_questions_figures(client, exam_training, trainer):
    training, lesson, block, pool = exam_training
    cohort_of(training, lesson, block, pool, 6)
    client.force_login(trainer)

    response = client.get(url(training))

    assert response.status_code == 200
    html = response.content.decode()
    first, second = questions_of(pool)[:2]
    row = html.split(f'data-question="{first}"', 1)[1].split("</tr>\n", 1)[0]
    assert "data-facility>100 %<" in row  # everyone gets the first right
    assert "data-discrimination>—" in row  # so it tells no one apart
    other = html.split(f'data-question="{second}"', 1)[1].split("</tr>\n", 1)[0]
    assert "data-discrimination>1" in other  # the strong half right, the weak half wrong
    assert 'data-attempts="6"' in html
    assert training.title in client.get("/admin/exams/statistics/").content.decode()


@pytest.mark.django_db
def test_a_question_deleted_from_its_pool_still_shows_its_figures(client, exam_training, trainer):
    training, lesson, block, pool = exam_training
    cohort_of(training, lesson, block, pool, 6)
    gone = questions_of(pool)[1]
    pool.questions = [b for b in pool.questions.raw_data if b["id"] != gone]
    pool.save()
    client.force_login(trainer)

    html = client.get(url(training)).content.decode()

    row = html.split(f'data-question="{gone}"', 1)[1].split("</tr>\n", 1)[0]
    assert row.startswith(" data-removed>")
    assert "data-facility>50 %<" in row


@pytest.mark.django_db
def test_first_attempts_only_leave_the_later_ones_out(client, exam_training, trainer):
    training, lesson, block, pool = exam_training
    first = questions_of(pool)[0]
    for _n in range(5):
        enrolment = courses.enrolment_create(user=UserFactory(), training=training)
        submitted(enrolment, lesson, block, pool, number=1, **{first: False})
        submitted(enrolment, lesson, block, pool, number=2, **{first: True})
    client.force_login(trainer)

    every = client.get(url(training)).content.decode()
    only_first = client.get(url(training) + "?attempts=first").content.decode()

    assert "data-facility>50 %<" in every.split(f'data-question="{first}"', 1)[1].split("</tr>", 1)[0]
    assert "data-facility>0 %<" in only_first.split(f'data-question="{first}"', 1)[1].split("</tr>", 1)[0]


@pytest.mark.django_db
def test_sorting_by_facility_puts_the_hardest_first(client, exam_training, trainer):
    training, lesson, block, pool = exam_training
    cohort_of(training, lesson, block, pool, 6)
    client.force_login(trainer)

    html = client.get(url(training) + "?sort=facility").content.decode()

    order = [html.index(f'data-question="{qid}"') for qid in questions_of(pool)]
    assert order[0] == max(order)  # the one everybody gets right comes last


@pytest.mark.django_db
def test_csv_lists_every_question_with_its_figures(client, exam_training, trainer):
    training, lesson, block, pool = exam_training
    cohort_of(training, lesson, block, pool, 6)
    client.force_login(trainer)

    response = client.get(url(training, "csv/") + f"?exam={lesson.translation_key}:{block['id']}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().split("\r\n")
    assert len(lines) == 1 + 5
    first = next(line for line in lines if questions_of(pool)[0] in line)
    assert ";6;100;" in first
    second = next(line for line in lines if questions_of(pool)[1] in line)
    assert ";6;50;1,00;" in second


@pytest.mark.django_db
def test_csv_of_an_exam_that_is_not_in_the_training_is_404(client, exam_training, trainer):
    training, *_rest = exam_training
    client.force_login(trainer)

    assert client.get(url(training, "csv/") + "?exam=nonsense").status_code == 404


@pytest.mark.django_db
def test_a_csv_cell_cannot_become_a_formula(client, index, trainer):
    training, *_rest = build_exam_training(
        index, questions=[single_question(prompt="<p>=HYPERLINK(1)</p>") for _n in range(3)]
    )
    client.force_login(trainer)

    body = client.get(url(training, "csv/")).content.decode("utf-8-sig")

    assert ";'=HYPERLINK(1);" in body


@pytest.mark.django_db
def test_lesson_questions_show_the_tries_learners_needed(client, exam_training, trainer):
    training, *_rest = exam_training
    lesson = LessonPage.objects.get(completion_rule=CompletionRule.ALL_CORRECT)  # the formative question's
    for tries in ([1], [0, 1], [0, 2]):
        enrolment = courses.enrolment_create(user=UserFactory(), training=training)
        for selected in tries:
            courses.answer_submit(enrolment=enrolment, lesson=lesson, question_id="formative", selected=[selected])
    client.force_login(trainer)

    html = client.get(url(training)).content.decode()

    row = html.split('data-question="formative"', 1)[1].split("</tr>", 1)[0]
    assert '<td data-tries="first"><meter min="0" max="100" value="33" aria-hidden="true"></meter> 1 (33 %)' in row
    assert 'data-tries="second"><meter min="0" max="100" value="33" aria-hidden="true"></meter> 1 (33 %)' in row
    assert 'data-tries="never"><meter min="0" max="100" value="33" aria-hidden="true"></meter> 1 (33 %)' in row


@pytest.mark.django_db
def test_learner_cannot_open_the_statistics(client, exam_training, learner):
    training, *_rest = exam_training
    client.force_login(learner)

    for path in ("/admin/exams/statistics/", url(training), url(training, "csv/")):
        response = client.get(path)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_org_teacher_cannot_open_the_statistics(client, exam_training, user_factory):
    training, *_rest = exam_training
    teacher = user_factory()
    organisation = Organisation.objects.create(name="Ammattikorkeakoulu A", kind=OrganisationKind.UAS)
    Membership.objects.create(organisation=organisation, user=teacher, role=Role.TEACHER)
    Cohort.objects.create(organisation=organisation, training=training, name="A", study_mode=StudyMode.DEGREE)
    client.force_login(teacher)

    assert client.get(url(training)).status_code == 302
    assert client.get(url(training, "csv/")).status_code == 302


@pytest.mark.django_db
def test_trainer_without_permission_on_the_training_cannot_read_its_statistics(client, exam_training, homes):
    training, lesson, block, pool = exam_training
    cohort_of(training, lesson, block, pool, 2)
    elsewhere = Group.objects.create(name="Elsewhere")
    trainers_group_ensure()
    elsewhere.permissions.add(*Group.objects.get(name=TRAINERS).permissions.all())
    GroupPagePermission.objects.create(
        group=elsewhere, page=Page.objects.get(pk=homes["sv"].pk), permission_type="change"
    )
    outsider = UserFactory()
    outsider.groups.add(elsewhere)
    client.force_login(outsider)

    for path in (url(training), url(training, "csv/")):
        response = client.get(path)
        # Wagtail's refusal: back to the dashboard with "Sorry, you do not have permission..."
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
        assert messages.ERROR in [m.level for m in messages.get_messages(response.wsgi_request)]
    assert training.title not in client.get("/admin/exams/statistics/").content.decode()


@pytest.mark.django_db
def test_statistics_of_an_unknown_training_are_404(client, trainer):
    client.force_login(trainer)

    assert client.get("/admin/exams/statistics/999999/").status_code == 404


@pytest.mark.django_db
def test_the_report_costs_the_same_whatever_the_number_of_attempts(client, exam_training, trainer):
    training, lesson, block, pool = exam_training
    client.force_login(trainer)

    def cost() -> int:
        cache.clear()  # the figures are cached per exam state: count a cold read
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(training)).status_code == 200
        return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])

    cohort_of(training, lesson, block, pool, 2)
    few = cost()
    cohort_of(training, lesson, block, pool, 12)
    assert cost() == few


@pytest.mark.django_db
def test_the_figures_are_read_again_once_an_attempt_is_submitted(client, exam_training, trainer):
    training, lesson, block, pool = exam_training
    cohort_of(training, lesson, block, pool, 6)
    client.force_login(trainer)
    client.get(url(training))

    cohort_of(training, lesson, block, pool, 1)
    html = client.get(url(training)).content.decode()

    assert 'data-attempts="7"' in html
