"""A training in parts on the cohort page: each part's progress, grade and certificate, and who has which approved.

Texts are read on the English pages, so that the tests do not wait for the translations of new
messages; the Swedish page shows that the part titles follow the viewer's language.
"""

import re

import pytest

from lms.accounts.models import User
from lms.courses.models import PartPage
from lms.courses.structure import structure_for
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, Membership, Organisation
from tests.factories import build_training, translate_training

from .parted import cost, fill

pytestmark = pytest.mark.django_db


def _rows(html: str) -> dict[str, str]:
    """Each learner's table row, by the learner's name."""
    rows = re.findall(r'<tr data-learner="\d+">(.*?)</tr>', html, re.S)
    return {re.search(r"<td>(.*?)</td>", row).group(1): row for row in rows}


def _results(row: str) -> list[str]:
    return [" ".join(cell.split()) for cell in re.findall(r"<td data-part-result>(.*?)</td>", row, re.S)]


def test_the_cohort_table_shows_each_part_with_its_credits_progress_grade_and_certificate(client, standing):
    cohort, admin, (first, second), certificate = standing
    client.force_login(admin)

    html = client.get(f"/en/organisation/cohorts/{cohort.pk}/").content.decode()

    structure = structure_for(cohort.training)
    for part in (first, second):
        title = structure.page(part, "en").title
        assert f'scope="colgroup" data-part>{title} <span class="muted small">(5 ECTS credits)</span>' in html
    assert html.count("<th>Result</th>") == 2
    rows = _rows(html)
    verify = f'<a href="/verify/{certificate.display_code}/" class="small">{certificate.display_code}</a>'
    assert _results(rows["Valmis Oppija"]) == [f"2/2 <strong>Passed</strong><br>{verify}", "0/2"]
    assert _results(rows["Arvosana Oppija"]) == ["0/2", "0/2 <strong>Grade 4</strong>"]
    assert _results(rows["Aloittava Oppija"]) == ["0/2", "0/2"]


def test_a_parts_certificate_is_not_shown_as_the_whole_trainings(client, standing):
    # given a learner who has the first part's certificate but has not completed the training
    cohort, admin, _parts, certificate = standing
    client.force_login(admin)

    row = _rows(client.get(f"/en/organisation/cohorts/{cohort.pk}/").content.decode())["Valmis Oppija"]

    # then the code is linked once, in the part's cell, and the training's certificate column is empty
    assert row.count(certificate.display_code) == 2  # the link's address and its text
    assert row.rstrip().endswith("<td>–</td>")


def test_a_training_without_parts_keeps_its_table_of_modules(client, index):
    training = build_training(index, modules=2, lessons=1)
    organisation = Organisation.objects.create(name="AMK", kind=OrganisationKind.UAS)
    admin = User.objects.create_user(email="a@example.fi", certificate_name="Admin")
    Membership.objects.create(organisation=organisation, user=admin, role=Role.ADMIN)
    cohort = Cohort.objects.create(organisation=organisation, training=training, name="R", study_mode=StudyMode.DEGREE)
    client.force_login(admin)

    html = client.get(f"/en/organisation/cohorts/{cohort.pk}/").content.decode()

    assert "data-part" not in html
    assert "part_done:" not in html
    for module in structure_for(training).modules:
        assert f"<th>{structure_for(training).page(module, 'en').title}</th>" in html
    assert '<td colspan="7">No learners yet.</td>' in html  # learner, number, two modules, and three more


def test_part_titles_follow_the_viewers_language(client, standing, locales):
    cohort, admin, (first, _second), _certificate = standing
    training = cohort.training
    translate_training(
        training, locales["sv"], "Koordinator", training.get_descendants().specific(), lambda p: f"SV {p.title}"
    )
    client.force_login(admin)

    html = client.get(f"/sv/organisation/cohorts/{cohort.pk}/").content.decode()

    title = PartPage.objects.get(translation_key=first.key, locale=training.locale).title
    assert f'data-part>SV {title} <span class="muted small">' in html
    assert f">SV {title}: " in html, "the filter names the part in Swedish too"


def _shown(client, cohort, query) -> set[str]:
    response = client.get(f"/en/organisation/cohorts/{cohort.pk}/", query)
    assert response.status_code == 200
    return set(_rows(response.content.decode()))


def test_the_teacher_filters_who_has_which_part_approved(client, standing):
    cohort, admin, (first, second), _certificate = standing
    client.force_login(admin)
    everyone = {"Valmis Oppija", "Arvosana Oppija", "Aloittava Oppija"}

    assert _shown(client, cohort, {"status": f"part_done:{first.key}"}) == {"Valmis Oppija"}
    assert _shown(client, cohort, {"status": f"part_open:{first.key}"}) == everyone - {"Valmis Oppija"}
    assert _shown(client, cohort, {"status": f"part_done:{second.key}"}) == {"Arvosana Oppija"}
    assert _shown(client, cohort, {"status": f"part_open:{second.key}"}) == everyone - {"Arvosana Oppija"}

    html = client.get(f"/en/organisation/cohorts/{cohort.pk}/", {"status": f"part_done:{first.key}"}).content.decode()
    assert f'<option value="part_done:{first.key}" selected>' in html


def test_the_part_filter_survives_paging(client, standing):
    cohort, admin, (first, _second), _certificate = standing
    fill(cohort, 60, parts=())  # 60 more who have not completed the first part
    client.force_login(admin)

    html = client.get(f"/en/organisation/cohorts/{cohort.pk}/", {"status": f"part_open:{first.key}"}).content.decode()

    assert html.count("data-learner=") == 50
    assert f"?p=2&amp;status=part_open%3A{first.key}&amp;days=14&amp;sort=name" in html


@pytest.mark.parametrize(
    "status",
    [
        "part_done:",
        "part_done:not-a-uuid",
        "part_done:3f1c9a2e-7b4d-4e8f-a6c5-0d9e8b7a6f51",
        "part_open:'; DROP TABLE x",
        "part_done",
    ],
)
def test_a_part_filter_for_no_part_of_the_training_shows_everyone_and_is_not_echoed(client, standing, status):
    cohort, admin, _parts, _certificate = standing
    client.force_login(admin)

    response = client.get(f"/en/organisation/cohorts/{cohort.pk}/", {"status": status})

    assert response.status_code == 200
    assert len(_rows(response.content.decode())) == 3
    assert " selected>" not in response.content.decode().split('id="sort"')[0].split('id="status"')[1]


def test_another_organisations_staff_and_a_teacher_of_another_cohort_see_no_parts(client, standing, parted):
    cohort, _admin, (first, _second), _certificate = standing
    _training, [_a, (_cohort_b, admin_b)] = parted
    teacher = User.objects.create_user(email="opettaja@example.fi", certificate_name="Opettaja")
    Membership.objects.create(organisation=cohort.organisation, user=teacher, role=Role.TEACHER)  # teaches nothing
    for outsider in (admin_b, teacher):
        client.force_login(outsider)
        assert client.get(f"/en/organisation/cohorts/{cohort.pk}/?status=part_done:{first.key}").status_code == 404
        assert client.get(f"/en/organisation/cohorts/{cohort.pk}/export.csv").status_code == 404
        assert client.get(f"/en/organisation/cohorts/{cohort.pk}/export.xlsx").status_code == 404


def test_the_cohorts_teacher_sees_and_exports_the_parts(client, standing):
    cohort, _admin, (first, _second), certificate = standing
    teacher = User.objects.create_user(email="opettaja@example.fi", certificate_name="Opettaja")
    Membership.objects.create(organisation=cohort.organisation, user=teacher, role=Role.TEACHER)
    cohort.teachers.add(teacher)
    client.force_login(teacher)

    assert _shown(client, cohort, {"status": f"part_done:{first.key}"}) == {"Valmis Oppija"}
    assert certificate.display_code in client.get(f"/en/organisation/cohorts/{cohort.pk}/export.csv").content.decode()


def test_the_cohort_page_with_parts_costs_the_same_for_10_and_500_learners(client, small_and_large):
    small, large = small_and_large

    (small_cost, small_page), (large_cost, large_page) = (
        cost(client, f"/en/organisation/cohorts/{cohort.pk}/") for cohort in (small, large)
    )

    assert small_page.content.decode().count("<strong>Passed</strong>") == 10
    assert large_page.content.decode().count("<strong>Passed</strong>") == 50  # paginated
    assert small_cost == large_cost


def test_the_part_filter_costs_the_same_for_10_and_500_learners(client, small_and_large):
    small, large = small_and_large
    first = structure_for(small.training).parts[0]

    small_cost, small_page = cost(client, f"/en/organisation/cohorts/{small.pk}/?status=part_done:{first.key}")
    large_cost, large_page = cost(client, f"/en/organisation/cohorts/{large.pk}/?status=part_done:{first.key}")

    assert small_page.content.decode().count("data-learner=") == 10
    assert large_page.content.decode().count("data-learner=") == 50  # everyone has it: a full page
    assert small_cost == large_cost
