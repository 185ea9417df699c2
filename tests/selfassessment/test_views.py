"""The self-assessment on the lesson page, the learner's own before/after, the cohort's and the
programme's aggregates under the minimum group rule, and who may see which."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.courses import services as courses
from lms.organisations.enums import OrganisationKind, Role
from lms.organisations.models import Membership, Organisation
from lms.selfassessment.enums import Phase
from lms.selfassessment.models import Response
from tests.factories import UserFactory
from tests.selfassessment.factories import (
    answers_for,
    build_assessed_training,
    cohort_make,
    learners_answering,
    response_make,
    statement_ids,
)

pytestmark = pytest.mark.django_db

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def world(index, learner):
    training, assessment, first, last = build_assessed_training(index, title="Työkyvyn tuki")
    enrolment = courses.enrolment_create(user=learner, training=training, notify=False)
    return {"training": training, "assessment": assessment, "first": first, "last": last, "enrolment": enrolment}


def post_answers(client, lesson, block_id, answers):
    data = {f"s-{sid}": str(value) for sid, value in answers.items()}
    return client.post(reverse("selfassessment:respond", args=[lesson.pk, block_id]), data, **ORIGIN)


def cost(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code < 400, response.status_code
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


# --- the lesson block -----------------------------------------------------------------------------


def test_the_learner_answers_on_the_lesson_page_with_a_fieldset_per_statement(client, world, learner):
    client.force_login(learner)
    page = client.get(world["first"].url).content.decode()
    assert page.count("<fieldset") == 3
    assert page.count("<legend") == 3
    assert "Osaan selittää, miten työkyvyn tuen prosessi etenee." in page
    assert "en osaa vielä" in page
    assert "osaan ohjata muita" in page
    assert page.count('type="radio"') == 15

    response = post_answers(client, world["first"], "start", answers_for(world["assessment"], 2))

    assert response.status_code == 302
    assert response["Location"].endswith("#sa-start")
    assert Response.objects.get().answers == answers_for(world["assessment"], 2)
    page = client.get(world["first"].url).content.decode()
    assert 'data-testid="self-assessment-answered"' in page
    assert 'type="radio"' not in page
    assert 'data-testid="lesson-completed"' in page


def test_the_end_shows_the_learners_own_before_and_after_as_a_chart_and_a_table(client, world, learner):
    client.force_login(learner)
    post_answers(client, world["first"], "start", answers_for(world["assessment"], [1, 2, 3]))
    post_answers(client, world["last"], "end", answers_for(world["assessment"], [4, 2, 5]))

    page = client.get(world["last"].url).content.decode()

    assert "<svg" in page
    assert 'aria-hidden="true"' in page
    assert "<table" in page
    assert "+3" in page
    assert "+2" in page
    assert reverse("selfassessment:mine", args=[world["training"].pk]) in page


def test_an_end_answered_without_a_start_shows_only_after(client, world, learner):
    client.force_login(learner)
    post_answers(client, world["last"], "end", answers_for(world["assessment"], 4))
    page = client.get(world["last"].url).content.decode()
    assert "You did not answer the self-assessment at the start" in page or "Et vastannut" in page
    assert "+" not in page.split("<tbody>")[1].split("</tbody>")[0]  # no change without a start


def test_a_refused_form_keeps_what_the_learner_chose(client, world, learner):
    client.force_login(learner)
    ids = statement_ids(world["assessment"])
    response = post_answers(client, world["first"], "start", {ids[0]: 4})  # two statements left out

    assert response.status_code == 302
    assert not Response.objects.exists()
    page = client.get(world["first"].url).content.decode()
    assert f'name="s-{ids[0]}" value="4" required checked' in page
    assert "Answer every statement" in page


def test_an_editor_without_enrolment_sees_the_statements_without_a_form(client, world):
    editor = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(editor)
    page = client.get(world["first"].url).content.decode()
    assert "Osaan ohjata asiakkaan oikeaan palveluun." in page
    assert 'type="radio"' not in page
    assert reverse("selfassessment:respond", args=[world["first"].pk, "start"]) not in page


def test_learner_cannot_answer_for_another_enrolment(client, world, learner, other_learner):
    others = courses.enrolment_create(user=other_learner, training=world["training"], notify=False)
    client.force_login(learner)
    data = {f"s-{sid}": "3" for sid in statement_ids(world["assessment"])} | {"enrolment": str(others.pk)}
    client.post(reverse("selfassessment:respond", args=[world["first"].pk, "start"]), data, **ORIGIN)
    assert list(Response.objects.values_list("enrolment_id", flat=True)) == [world["enrolment"].pk]


def test_someone_not_enrolled_cannot_answer(client, world, other_learner):
    client.force_login(other_learner)
    response = post_answers(client, world["first"], "start", answers_for(world["assessment"], 3))
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_learner_cannot_send_forged_statement_ids_or_values(client, world, learner):
    client.force_login(learner)
    answers = answers_for(world["assessment"], 3) | {"forged": 5}
    assert post_answers(client, world["first"], "start", answers).status_code == 302
    forged = answers_for(world["assessment"], 3) | {statement_ids(world["assessment"])[0]: 42}
    assert post_answers(client, world["first"], "start", forged).status_code == 302
    assert not Response.objects.exists()


def test_learner_cannot_answer_a_block_that_is_not_a_self_assessment(client, world, learner):
    client.force_login(learner)
    assert post_answers(client, world["first"], "nothing-here", answers_for(world["assessment"], 3)).status_code == 404


def test_answering_is_post_only(client, world, learner):
    client.force_login(learner)
    assert client.get(reverse("selfassessment:respond", args=[world["first"].pk, "start"])).status_code == 405


def test_the_lesson_block_costs_one_query_whatever_the_answers(client, index, learner):
    training, assessment, first, _last = build_assessed_training(index)
    enrolment = courses.enrolment_create(user=learner, training=training, notify=False)
    client.force_login(learner)
    client.get(first.url)
    unanswered = cost(lambda: client.get(first.url))
    response_make(enrolment, assessment, Phase.START, 3)
    client.get(first.url)
    assert cost(lambda: client.get(first.url)) == unanswered
    assert unanswered <= 2  # the lesson page's own one, and the learner's responses


def test_answering_costs_a_fixed_few_queries(client, index, learner):
    counts = []
    for statements in (2, 8):
        from tests.selfassessment.factories import self_assessment_create

        assessment = self_assessment_create(statements=[(f"Tavoite {n}", f"Osaan {n}.") for n in range(statements)])
        training, assessment, first, _last = build_assessed_training(index, assessment=assessment)
        courses.enrolment_create(user=learner, training=training, notify=False)
        client.force_login(learner)
        client.get(first.url)
        counts.append(cost(lambda first=first, a=assessment: post_answers(client, first, "start", answers_for(a, 3))))
    assert counts[0] == counts[1]


# --- the learner's own page -----------------------------------------------------------------------


def test_the_learner_sees_their_own_before_and_after(client, world, learner):
    response_make(world["enrolment"], world["assessment"], Phase.START, 2)
    response_make(world["enrolment"], world["assessment"], Phase.END, 5)
    client.force_login(learner)
    page = client.get(reverse("selfassessment:mine", args=[world["training"].pk])).content.decode()
    assert page.count("+3") == 3
    assert "Osaamisen itsearviointi" in page


def test_learner_cannot_read_the_own_page_of_a_training_they_are_not_in(client, world, other_learner):
    response_make(world["enrolment"], world["assessment"], Phase.START, 2)
    client.force_login(other_learner)
    assert client.get(reverse("selfassessment:mine", args=[world["training"].pk])).status_code == 404


# --- teachers -------------------------------------------------------------------------------------


@pytest.fixture
def teacher(db):
    return UserFactory(first_name="Tiina", last_name="Opettaja")


def cohort_world(index, teacher, answering, *, start=2, end=4):
    training, assessment, _first, _last = build_assessed_training(index)
    cohort = cohort_make(training, teachers=[teacher])
    Membership.objects.create(organisation=cohort.organisation, user=teacher, role=Role.TEACHER)
    learners_answering(cohort, assessment, answering, start=start, end=end)
    return cohort, assessment


def cohort_page(client, cohort) -> str:
    response = client.get(reverse("selfassessment:cohort", args=[cohort.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_group_of_four_shows_nothing(client, index, teacher):
    cohort, _assessment = cohort_world(index, teacher, 4, start=1, end=5)
    client.force_login(teacher)
    page = cohort_page(client, cohort)
    assert 'data-testid="group-too-small"' in page
    assert "<table" not in page
    assert "<svg" not in page
    assert "4 learners" not in page
    assert "4 oppijaa" not in page
    assert "5,0" not in page
    assert "5.0" not in page
    assert "+4" not in page


def test_a_group_of_five_shows_its_figures(client, index, teacher):
    cohort, _assessment = cohort_world(index, teacher, 5, start=2, end=4)
    client.force_login(teacher)
    page = cohort_page(client, cohort)
    assert 'data-testid="group-too-small"' not in page
    assert "<svg" in page
    assert "<table" in page
    assert page.count("+2") >= 3  # the mean change of each statement
    assert "2: 5 → 0" in page
    assert "4: 0 → 5" in page


@pytest.mark.parametrize("minimum", [3, 8])
def test_the_minimum_is_a_setting(client, index, teacher, settings, minimum):
    settings.KYKY_MIN_GROUP = minimum
    cohort, _assessment = cohort_world(index, teacher, 5)
    client.force_login(teacher)
    shown = 'data-testid="group-too-small"' not in cohort_page(client, cohort)
    assert shown == (minimum <= 5)


def test_a_statement_fewer_than_the_minimum_answered_at_both_ends_is_not_shown(client, index, teacher):
    cohort, assessment = cohort_world(index, teacher, 4)
    learners_answering(cohort, assessment, 3, start=3, end=None)  # seven answered, four at both ends
    client.force_login(teacher)
    page = cohort_page(client, cohort)
    assert 'data-testid="group-too-small"' not in page
    assert page.count('data-testid="statement-too-small"') == 3
    assert "+2" not in page
    assert "<circle" not in page


def test_teacher_cannot_read_another_organisations_cohort_aggregate(client, index, teacher):
    cohort, _assessment = cohort_world(index, teacher, 5)
    stranger = UserFactory()
    other = Organisation.objects.create(name="Toinen AMK", kind=OrganisationKind.UAS)
    Membership.objects.create(organisation=other, user=stranger, role=Role.ADMIN)
    cohort_make(cohort.training, organisation=other, teachers=[stranger])
    client.force_login(stranger)
    assert client.get(reverse("selfassessment:cohort", args=[cohort.pk])).status_code == 404


def test_learner_cannot_read_their_cohorts_aggregate(client, index, teacher):
    cohort, _assessment = cohort_world(index, teacher, 5)
    client.force_login(cohort.learners.first().user)
    assert client.get(reverse("selfassessment:cohort", args=[cohort.pk])).status_code == 404


def test_the_cohort_page_links_its_self_assessments(client, index, teacher):
    cohort, _assessment = cohort_world(index, teacher, 1)
    client.force_login(teacher)
    page = client.get(reverse("organisations:cohort", args=[cohort.pk])).content.decode()
    assert reverse("selfassessment:cohort", args=[cohort.pk]) in page


def test_the_cohort_aggregate_costs_the_same_whatever_the_cohort_size(client, index, teacher):
    cohort, assessment = cohort_world(index, teacher, 5)
    client.force_login(teacher)
    url = reverse("selfassessment:cohort", args=[cohort.pk])
    client.get(url)
    small = cost(lambda: client.get(url))
    learners_answering(cohort, assessment, 10)
    client.get(url)
    assert cost(lambda: client.get(url)) == small


# --- the programme --------------------------------------------------------------------------------


@pytest.fixture
def programme_staff(db):
    user = UserFactory()
    ttl = Organisation.objects.create(name="Työterveyslaitos", kind=OrganisationKind.TTL)
    Membership.objects.create(organisation=ttl, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def programme(index, teacher):
    """University A with six learners who answered both ends, university B with four."""
    training, assessment, _first, _last = build_assessed_training(index, title="Työkyvyn tuki")
    big = cohort_make(
        training, organisation=Organisation.objects.create(name="Ammattikorkeakoulu A", kind=OrganisationKind.UAS)
    )
    small = cohort_make(
        training, organisation=Organisation.objects.create(name="Ammattikorkeakoulu B", kind=OrganisationKind.UAS)
    )
    learners_answering(big, assessment, 6, start=2, end=4)
    learners_answering(small, assessment, 4, start=1, end=5)
    return {"training": training, "assessment": assessment, "big": big, "small": small}


def export(client, **params) -> list[list[str]]:
    response = client.get(reverse("selfassessment:programme_export"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_programme_staff_see_gain_per_organisation_without_the_small_group(client, programme, programme_staff):
    client.force_login(programme_staff)
    page = client.get(reverse("selfassessment:programme")).content.decode()
    assert "Ammattikorkeakoulu A" in page
    assert "+2.00" in page
    assert "Ammattikorkeakoulu B" in page  # named, without figures
    assert 'data-testid="group-too-small"' in page
    assert "+4" not in page  # B's gain, hidden, and not in the total either
    assert page.count("+2") == 2  # A's row and the total of the groups shown


def test_the_research_export_has_no_personal_data_and_only_groups_of_the_minimum(client, programme, programme_staff):
    client.force_login(programme_staff)
    header, *rows = export(client)
    assert len(header) == 10
    assert len(rows) == 6 * 3  # six learners of A, three statements; none of B's four
    assert {row[2] for row in rows} == {"Ammattikorkeakoulu A"}
    month = timezone.localdate().strftime("%Y-%m")
    assert {row[3] for row in rows} == {month}
    assert {(row[6], row[7]) for row in rows} == {("2", "4")}
    text = "\n".join(";".join(row) for row in rows)
    for enrolment in programme["big"].learners.all():
        assert enrolment.user.email not in text
        assert enrolment.user.certificate_name not in text
    assert timezone.localdate().isoformat() not in text


def test_the_research_export_is_safe_against_csv_injection(client, programme, programme_staff):
    Organisation.objects.filter(pk=programme["big"].organisation_id).update(name='=HYPERLINK("http://evil")')
    client.force_login(programme_staff)
    _header, *rows = export(client)
    assert {row[2] for row in rows} == {'\'=HYPERLINK("http://evil")'}


def test_the_period_filters_by_the_day_of_the_end_answer(client, programme, programme_staff):
    client.force_login(programme_staff)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    _header, *rows = export(client, from_date=tomorrow)
    assert rows == []
    page = client.get(reverse("selfassessment:programme"), {"from_date": tomorrow}).content.decode()
    assert "Ammattikorkeakoulu A" not in page


def test_a_reversed_period_is_a_form_error_not_a_crash(client, programme, programme_staff):
    client.force_login(programme_staff)
    response = client.get(reverse("selfassessment:programme"), {"from_date": "2026-12-31", "to_date": "2026-01-01"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert client.get(reverse("selfassessment:programme"), {"from_date": "kissa"}).status_code == 200


def test_learner_cannot_read_the_programme_csv(client, programme, learner):
    client.force_login(learner)
    assert client.get(reverse("selfassessment:programme_export")).status_code == 404
    assert client.get(reverse("selfassessment:programme")).status_code == 404


def test_teacher_cannot_read_the_programme_figures(client, programme, teacher):
    Membership.objects.create(organisation=programme["big"].organisation, user=teacher, role=Role.ADMIN)
    client.force_login(teacher)
    assert client.get(reverse("selfassessment:programme")).status_code == 404
    assert client.get(reverse("selfassessment:programme_export")).status_code == 404


def test_the_programme_pages_cost_the_same_whatever_the_numbers(client, programme, programme_staff):
    client.force_login(programme_staff)
    urls = [reverse("selfassessment:programme"), reverse("selfassessment:programme_export")]
    for url in urls:
        client.get(url)
    before = [cost(lambda url=url: client.get(url)) for url in urls]
    learners_answering(programme["small"], programme["assessment"], 7)
    for url in urls:
        client.get(url)
    assert [cost(lambda url=url: client.get(url)) for url in urls] == before
