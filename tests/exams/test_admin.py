"""Trainers' side: a pool refuses invalid and repeated questions, an exam refuses what it can never draw."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.rich_text import RichText

from lms.exams.blocks import ExamBlock, QuestionsBlock
from tests.exams.factories import exam, matching, multiple, numeric, question_pool, single
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def clean_questions(*raw):
    block = QuestionsBlock()
    return block.clean(block.to_python(list(raw)))


def clean_exam(pools, **rules):
    block = ExamBlock()
    return block.clean(block.to_python(exam(pools=pools, **rules)["value"]))


def test_a_valid_pool_of_every_kind_is_accepted(homes):
    assert len(clean_questions(single(), multiple(), numeric(), matching())) == 4


def two_right():
    question = single(correct=0)
    question["value"]["options"][1]["value"]["correct"] = True
    return question


@pytest.mark.parametrize(
    ("question", "message"), [(two_right(), "exactly one"), (multiple(correct=()), "at least one")]
)
def test_a_choice_question_with_wrong_correct_options_is_refused(homes, question, message):
    with pytest.raises(ValidationError) as refused:
        clean_questions(question)
    assert message in str(refused.value.block_errors[0].block_errors["options"])


def test_a_negative_tolerance_is_refused(homes):
    with pytest.raises(ValidationError):
        clean_questions(numeric(tolerance="-1"))


def test_a_matching_question_with_one_match_twice_is_refused(homes):
    question = matching(pairs=3)
    question["value"]["pairs"][1]["value"]["right"] = question["value"]["pairs"][0]["value"]["right"]
    with pytest.raises(ValidationError):
        clean_questions(question)


def test_a_pool_with_the_same_question_twice_is_refused_naming_it(homes):
    first = single(prompt="<p>Mikä on työkyky?</p>")
    again = single(prompt="<p>Mikä on  <b>työkyky</b>?</p>")
    with pytest.raises(ValidationError) as refused:
        clean_questions(first, single(), again)
    assert 2 in refused.value.block_errors
    assert "repeat" in str(refused.value.non_block_errors)


def test_an_exam_drawing_more_than_its_pools_hold_is_refused(homes):
    pool = question_pool(single(), single())
    with pytest.raises(ValidationError) as refused:
        clean_exam([pool], questions_per_attempt=3)
    assert "questions_per_attempt" in refused.value.block_errors
    assert clean_exam([pool], questions_per_attempt=2)


def test_an_exam_drawing_per_outcome_needs_enough_of_each_outcome(homes):
    pool = question_pool(single(outcome="LO1"), single(outcome="LO1"), single(outcome="LO2"))
    with pytest.raises(ValidationError) as refused:
        clean_exam([pool], questions_per_attempt=2, per_outcome=True)
    assert "LO2" in str(refused.value.block_errors["questions_per_attempt"])


def test_results_after_closing_need_a_closing_day(homes):
    pool = question_pool(single(), single(), single())
    with pytest.raises(ValidationError) as refused:
        clean_exam([pool], review="after_close")
    assert "closes_on" in refused.value.block_errors
    assert clean_exam([pool], review="after_close", closes_on=datetime.date(2030, 1, 1).isoformat())


def test_the_pool_list_shows_module_number_of_questions_and_locale(client, homes):
    question_pool(single(), single(), title="Työkyvyn tuen kysymykset")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("wagtailsnippets_exams_questionpool:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Työkyvyn tuen kysymykset" in html
    assert ">2<" in html.replace(" ", "").replace("\n", "")


def test_the_pool_form_opens_in_the_admin(client, homes):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("wagtailsnippets_exams_questionpool:add")
    assert client.get(url).status_code == 200


def test_translating_a_pool_keeps_its_question_ids_so_the_texts_pair_up(locales):
    from lms.exams.selectors import bank_for

    pool = question_pool(single("k1", prompt="<p>Suomeksi?</p>"), numeric("k2"))
    copy = pool.copy_for_translation(locales["sv"])
    copy.questions[0].value["prompt"] = RichText("<p>På svenska?</p>")
    copy.save()
    bank = bank_for([pool.pk])
    assert set(bank.translations["sv"]) == {"k1", "k2"}
    assert bank.worded("k1", "sv")[0]["prompt"] == "<p>På svenska?</p>"
    assert bank.worded("k1", "sv")[0]["options"][0]["correct"] is True  # the rule stays the Finnish pool's
