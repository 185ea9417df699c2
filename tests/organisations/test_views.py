"""Organisation staff see only their own: lists, cohort pages, uploads, import results."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.accounts.models import User
from lms.courses import services as courses
from lms.courses.models import Enrolment, LessonPage
from lms.organisations.enums import ImportStatus, OrganisationKind, Role
from lms.organisations.models import CohortLearner, Membership, Organisation, RosterImport
from tests.factories import translate_training

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_staff_see_only_their_own_cohorts(client, two_orgs):
    (_a, staff_a, cohort_a), (_b, _staff_b, cohort_b) = two_orgs
    client.force_login(staff_a)

    listing = client.get("/fi/organisation/").content.decode()
    assert "Ryhmä A" in listing
    assert "Ryhmä B" not in listing
    assert client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/").status_code == 200
    assert client.get(f"/fi/organisation/cohorts/{cohort_b.pk}/").status_code == 404
    upload = SimpleUploadedFile("x.csv", b"Nimi;Email\nA;a@example.fi\n")
    assert client.post(f"/fi/organisation/cohorts/{cohort_b.pk}/import/", {"file": upload}).status_code == 404
    assert not RosterImport.objects.exists()


def test_imports_of_another_organisation_are_not_found(client, two_orgs, django_capture_on_commit_callbacks):
    (_a, staff_a, _cohort_a), (_b, staff_b, cohort_b) = two_orgs
    client.force_login(staff_b)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/fi/organisation/cohorts/{cohort_b.pk}/import/",
            {"file": SimpleUploadedFile("lista.csv", "Nimi;Sähköposti\nMaija;maija@example.fi\n".encode())},
        )
    roster_import = RosterImport.objects.get()
    assert response["Location"] == f"/fi/organisation/imports/{roster_import.pk}/"
    progress = client.get(f"/fi/organisation/imports/{roster_import.pk}/?format=json").json()
    assert progress == {"status": ImportStatus.DONE, "total": 1, "done": 1, "error": ""}
    assert "maija@example.fi" in client.get(f"/fi/organisation/imports/{roster_import.pk}/").content.decode()

    client.force_login(staff_a)
    assert client.get(f"/fi/organisation/imports/{roster_import.pk}/").status_code == 404
    assert client.get(f"/fi/organisation/imports/{roster_import.pk}/?format=json").status_code == 404


def test_learners_and_anonymous_are_kept_out(client, two_orgs, learner):
    (_a, _staff, cohort_a), _b = two_orgs
    assert client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/").status_code == 302
    client.force_login(learner)
    assert client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/").status_code == 404
    listing = client.get("/fi/organisation/").content.decode()
    assert "Ryhmä A" not in listing
    assert "Ryhmä B" not in listing


def _fill(cohort, count):
    users = User.objects.bulk_create(
        [User(email=f"{cohort.pk}-{n}@example.fi", certificate_name=f"Oppija {n}", password="!") for n in range(count)]
    )
    enrolments = Enrolment.objects.bulk_create([Enrolment(user=u, training=cohort.training) for u in users])
    CohortLearner.objects.bulk_create([CohortLearner(cohort=cohort, user=u) for u in users])
    lesson = LessonPage.objects.descendant_of(cohort.training).first()
    for enrolment in enrolments[:5]:
        courses.lesson_open(enrolment=enrolment, lesson=lesson)


def test_cohort_page_queries_do_not_grow_with_learners(client, two_orgs):
    (_a, staff_a, cohort_a), (_b, _staff_b, cohort_b) = two_orgs
    _fill(cohort_a, 10)
    _fill(cohort_b, 500)
    # An admin of both: the same role on both pages (an admin's page also lists the invitations).
    Membership.objects.create(organisation=cohort_b.organisation, user=staff_a, role=Role.ADMIN)
    client.force_login(staff_a)
    cache.clear()  # a new membership marks the user's cached row for a moment: let that moment pass

    def count(cohort):
        client.get(f"/fi/organisation/cohorts/{cohort.pk}/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/fi/organisation/cohorts/{cohort.pk}/")
        assert response.status_code == 200
        return len(queries), response.content.decode().count("data-learner=")

    small, large = count(cohort_a), count(cohort_b)
    assert small[1] == 10
    assert large[1] == 50  # paginated
    assert small[0] == large[0]


def test_cohort_filters_find_learners_by_where_they_are(client, two_orgs):
    from datetime import timedelta

    from django.utils import timezone

    (_a, staff_a, cohort_a), _b = two_orgs
    lessons = list(LessonPage.objects.descendant_of(cohort_a.training).order_by("path"))
    people = {}
    for name in ("Aloittamaton", "Kesken", "Jumissa", "Valmis"):
        user = User.objects.create_user(email=f"{name.lower()}@example.fi", certificate_name=name)
        CohortLearner.objects.create(cohort=cohort_a, user=user)
        people[name] = courses.enrolment_create(user=user, training=cohort_a.training, invited=True)
    courses.lesson_open(enrolment=people["Kesken"], lesson=lessons[0])
    courses.lesson_open(enrolment=people["Jumissa"], lesson=lessons[0])
    Enrolment.objects.filter(pk=people["Jumissa"].pk).update(last_activity_at=timezone.now() - timedelta(days=30))
    for lesson in lessons:
        courses.lesson_open(enrolment=people["Valmis"], lesson=lesson)
    client.force_login(staff_a)

    def shown(query):
        html = client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/?{query}").content.decode()
        return {name for name in people if f"<td>{name}</td>" in html}

    assert shown("status=not_started") == {"Aloittamaton"}
    assert shown("status=in_progress") == {"Kesken", "Jumissa"}
    assert shown("status=stalled&days=14") == {"Jumissa"}
    assert shown("status=completed") == {"Valmis"}
    assert shown("") == set(people)


def test_ttl_sees_programme_figures_without_personal_data(client, two_orgs, user_factory):
    from datetime import timedelta

    from django.utils import timezone

    (_org_a, staff_a, cohort_a), _b = two_orgs
    lessons = list(LessonPage.objects.descendant_of(cohort_a.training))
    for n, finish in enumerate([True, True, False]):
        user = User.objects.create_user(email=f"p{n}@example.fi", certificate_name=f"Yksityinen Henkilö {n}")
        CohortLearner.objects.create(cohort=cohort_a, user=user)
        enrolment = courses.enrolment_create(user=user, training=cohort_a.training, invited=True)
        Enrolment.objects.filter(pk=enrolment.pk).update(enrolled_at=timezone.now() - timedelta(days=10 * (n + 1)))
        if finish:
            for lesson in lessons:
                courses.lesson_open(enrolment=enrolment, lesson=lesson)
    ttl = Organisation.objects.create(name="Työterveyslaitos", kind=OrganisationKind.TTL)
    analyst = user_factory()
    Membership.objects.create(organisation=ttl, user=analyst, role=Role.ADMIN)

    client.force_login(staff_a)
    assert client.get("/fi/organisation/programme/").status_code == 404
    client.force_login(analyst)
    html = client.get("/fi/organisation/programme/").content.decode()
    exported = client.get("/fi/organisation/programme/?format=csv").content.decode("utf-8-sig")

    import csv
    import io

    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))[1:]
    ours = [row for row in rows if row[1] == "Ammattikorkeakoulu A"]
    assert sum(int(row[3]) for row in ours) == 3
    assert sum(int(row[4]) for row in ours) == 2
    assert all(row[5] for row in ours if int(row[4]))  # a median wherever someone completed
    assert "Yksityinen" not in exported
    assert "@example.fi" not in exported
    assert "Yksityinen" not in html
    assert "Työkykykoordinaattorikoulutus" in html


def test_a_uas_cohort_learner_gets_the_universitys_certificate(client, two_orgs, django_capture_on_commit_callbacks):
    from lms.certificates.models import Certificate

    (_org_a, staff_a, cohort_a), _b = two_orgs
    user = User.objects.create_user(email="amk@example.fi", certificate_name="Amk Opiskelija")
    CohortLearner.objects.create(cohort=cohort_a, user=user)
    enrolment = courses.enrolment_create(user=user, training=cohort_a.training, invited=True)
    with django_capture_on_commit_callbacks(execute=True):
        for lesson in LessonPage.objects.descendant_of(cohort_a.training):
            courses.lesson_open(enrolment=enrolment, lesson=lesson)

    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.facts["issuer"] == "Ammattikorkeakoulu A"
    assert certificate.credential["issuer"]["name"] == "Ammattikorkeakoulu A"
    client.force_login(staff_a)
    assert certificate.display_code in client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/").content.decode()


def test_invitation_link_with_expiry_and_seat_limit(client, two_orgs, user_factory):
    from datetime import timedelta

    from django.utils import timezone

    (_org_a, staff_a, cohort_a), (_org_b, staff_b, _cohort_b) = two_orgs
    client.force_login(staff_b)
    assert client.post(f"/fi/organisation/cohorts/{cohort_a.pk}/invitation/", {"days": 7}).status_code == 404
    client.force_login(staff_a)
    client.post(f"/fi/organisation/cohorts/{cohort_a.pk}/invitation/", {"days": 7, "seats": 1})
    cohort_a.refresh_from_db()
    link = f"/fi/organisation/join/{cohort_a.invite_code}/"
    assert link in client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/").content.decode()

    first, second = user_factory(), user_factory()
    client.force_login(first)
    client.post(link)
    client.post(link)  # joining twice changes nothing
    assert CohortLearner.objects.filter(cohort=cohort_a).count() == 1
    assert Enrolment.objects.filter(user=first, training=cohort_a.training).exists()

    client.force_login(second)
    response = client.post(link, follow=True)
    assert "Ryhmä on täynnä" in response.content.decode()
    assert not Enrolment.objects.filter(user=second).exists()

    type(cohort_a).objects.filter(pk=cohort_a.pk).update(
        seat_limit=None, invite_expires_at=timezone.now() - timedelta(1)
    )
    assert "vanhentunut" in client.post(link, follow=True).content.decode()
    assert "ei ole voimassa" in client.post("/fi/organisation/join/wrong/", follow=True).content.decode()
    assert not Enrolment.objects.filter(user=second).exists()


def test_cohort_table_shows_scores_per_module(client, two_orgs, index):
    from lms.courses.enums import CompletionRule
    from tests.factories import LessonPageFactory, ModulePageFactory, question

    (_org_a, staff_a, cohort_a), _b = two_orgs
    module = ModulePageFactory(parent=cohort_a.training, title="Kysymysmoduuli")
    quiz = LessonPageFactory(
        parent=module, completion_rule=CompletionRule.ALL_CORRECT, body=[question("q1"), question("q2")]
    )
    user = User.objects.create_user(email="pisteet@example.fi", certificate_name="Pisteiden Haltija")
    CohortLearner.objects.create(cohort=cohort_a, user=user)
    enrolment = courses.enrolment_create(user=user, training=cohort_a.training, invited=True)
    courses.answer_submit(enrolment=enrolment, lesson=quiz, question_id="q1", selected=[0])
    client.force_login(staff_a)

    html = client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/").content.decode()

    assert "Kysymysmoduuli" in html
    assert '0/1 <span class="muted small">(50 %)</span>' in html


def test_cohort_filters_and_sort_survive_paging_and_show_in_the_form(client, two_orgs):
    (_a, staff_a, cohort_a), _b = two_orgs
    _fill(cohort_a, 120)  # five have opened a lesson: 115 not started, three pages of 50 on the first try
    client.force_login(staff_a)
    url = f"/fi/organisation/cohorts/{cohort_a.pk}/"

    first = client.get(url, {"status": "not_started", "sort": "completed", "days": "30"}).content.decode()
    assert '<option value="not_started" selected>' in first
    assert '<option value="completed" selected>' in first
    assert 'name="days" type="number" min="1" value="30"' in first
    assert "?p=2&amp;status=not_started&amp;days=30&amp;sort=completed" in first

    second = client.get(url + "?p=2&status=not_started&days=30&sort=completed").content.decode()
    assert second.count("data-learner=") == 50
    assert "?p=1&amp;status=not_started&amp;days=30&amp;sort=completed" in second
    assert '<option value="not_started" selected>' in second


def test_an_unknown_filter_or_sort_is_neither_applied_nor_echoed_into_links(client, two_orgs):
    (_a, staff_a, cohort_a), _b = two_orgs
    _fill(cohort_a, 60)
    client.force_login(staff_a)

    response = client.get(
        f"/fi/organisation/cohorts/{cohort_a.pk}/", {"status": '"><script>x()</script>', "sort": "user__password"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>x()" not in html
    pager = html[html.index('class="pager"') :]
    assert "user__password" not in pager
    assert "script" not in pager
    assert html.count("data-learner=") == 50  # everyone, by name
    assert '<option value="name" selected>' in html


def test_the_cohort_page_names_the_training_and_modules_in_the_viewers_language(client, two_orgs, locales):
    (_a, staff_a, cohort_a), _b = two_orgs
    training = cohort_a.training
    translate_training(
        training,
        locales["sv"],
        "Arbetsförmågekoordinatorutbildning",
        training.get_children().specific(),
        lambda module: f"Modul {module.title}",
    )
    client.force_login(staff_a)

    html = client.get(f"/sv/organisation/cohorts/{cohort_a.pk}/").content.decode()

    assert "Arbetsförmågekoordinatorutbildning" in html
    assert "Työkykykoordinaattorikoulutus" not in html
    first_module = training.get_children().first()
    assert f"<th>Modul {first_module.title}</th>" in html


def _header(client) -> str:
    html = client.get("/fi/learn/").content.decode()
    return html[html.index('class="main-nav"') : html.index("</nav>")]


def test_staff_find_their_pages_in_the_header_and_learners_do_not(client, two_orgs, learner, user_factory):
    (_a, staff_a, _cohort_a), _b = two_orgs
    client.force_login(learner)
    assert "/organisation/" not in _header(client)

    client.force_login(staff_a)
    header = _header(client)
    assert "/fi/organisation/" in header
    assert "/organisation/programme/" not in header

    ttl = Organisation.objects.create(name="TTL", kind=OrganisationKind.TTL)
    programme_staff = user_factory()
    Membership.objects.create(organisation=ttl, user=programme_staff, role=Role.ADMIN)
    client.force_login(programme_staff)
    assert "/fi/organisation/programme/" in _header(client)


def test_the_staff_link_costs_no_query_and_follows_a_membership_at_once(client, two_orgs, learner):
    (org_a, _staff_a, _cohort_a), _b = two_orgs
    client.force_login(learner)
    _header(client)  # the user's row, and what it may reach, are now cached
    with CaptureQueriesContext(connection) as captured:
        _header(client)
    assert not any("organisations_membership" in q["sql"] for q in captured.captured_queries)

    membership = Membership.objects.create(organisation=org_a, user=learner, role=Role.TEACHER)
    assert "/fi/organisation/" in _header(client)

    membership.delete()  # removed from the university: the link goes with the next page
    assert "/fi/organisation/" not in _header(client)


def test_a_teacher_follows_their_cohort_but_cannot_bring_people_into_it(client, two_orgs, user_factory):
    (org_a, _staff_a, cohort_a), _b = two_orgs
    teacher = user_factory()
    Membership.objects.create(organisation=org_a, user=teacher, role=Role.TEACHER)
    cohort_a.teachers.add(teacher)
    client.force_login(teacher)

    page = client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/")
    upload = client.post(
        f"/fi/organisation/cohorts/{cohort_a.pk}/import/",
        {"file": SimpleUploadedFile("list.csv", b"name,email\nMallory,m@example.fi\n", content_type="text/csv")},
    )
    link = client.post(f"/fi/organisation/cohorts/{cohort_a.pk}/invitation/", {"days": "30"})

    assert page.status_code == 200
    assert f"/fi/organisation/cohorts/{cohort_a.pk}/import/" not in page.content.decode()
    assert (upload.status_code, link.status_code) == (404, 404)
    assert not RosterImport.objects.filter(cohort=cohort_a).exists()
    cohort_a.refresh_from_db()
    assert not cohort_a.invite_code


def _names_in_order(html: str, names) -> list[str]:
    return sorted(names, key=html.index)


def test_the_cohort_page_lists_learners_by_the_names_it_shows(client, two_orgs):
    """Sorted by the name on the row (certificate name, else full name, else address), not by the
    certificate name with the unnamed first."""
    (_a, staff_a, cohort_a), _b = two_orgs
    people = [
        User(email="celsius@example.fi", certificate_name="Celsius Anders"),
        User(email="aaa-unnamed@example.fi", first_name="Bertta", last_name="Björk"),
        User(email="anna@example.fi"),  # no name at all: the address is the name
    ]
    CohortLearner.objects.bulk_create(
        [CohortLearner(cohort=cohort_a, user=u) for u in User.objects.bulk_create(people)]
    )
    CohortLearner.objects.create(
        cohort=cohort_a, user=User.objects.create_user(email="d@example.fi", certificate_name="Ahola Dan")
    )
    client.force_login(staff_a)

    html = client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/?sort=name").content.decode()

    shown = ["Ahola Dan", "anna@example.fi", "Bertta Björk", "Celsius Anders"]
    assert _names_in_order(html, shown) == shown


def test_a_learner_who_changes_their_name_moves_in_the_cohort_list(client, two_orgs):
    (_a, staff_a, cohort_a), _b = two_orgs
    first = User.objects.create_user(email="first@example.fi", certificate_name="Aalto Aino")
    second = User.objects.create_user(email="second@example.fi", certificate_name="Berg Bo")
    for user in (first, second):
        CohortLearner.objects.create(cohort=cohort_a, user=user)

    first.certificate_name = "Öhman Aino"
    first.save()
    client.force_login(staff_a)
    html = client.get(f"/fi/organisation/cohorts/{cohort_a.pk}/").content.decode()

    assert _names_in_order(html, ["Öhman Aino", "Berg Bo"]) == ["Berg Bo", "Öhman Aino"]


def test_a_log_in_does_not_rewrite_the_cohort_places(two_orgs):
    (_a, _staff, cohort_a), _b = two_orgs
    user = User.objects.create_user(email="kirjautuja@example.fi", certificate_name="Kirjautuja")
    CohortLearner.objects.create(cohort=cohort_a, user=user)
    with CaptureQueriesContext(connection) as queries:
        user.save(update_fields=["last_login"])
    assert not [q for q in queries.captured_queries if "organisations_cohortlearner" in q["sql"]]


def test_existing_places_get_their_learners_names_when_the_migration_runs(two_orgs):
    import importlib

    from django.apps import apps

    (_a, _staff, cohort_a), _b = two_orgs
    user = User.objects.create_user(email="vanha@example.fi", first_name="Vanha", last_name="Paikka")
    place = CohortLearner.objects.create(cohort=cohort_a, user=user)
    CohortLearner.objects.filter(pk=place.pk).update(sort_name="")  # as before the column existed
    migration = importlib.import_module("lms.organisations.migrations.0009_cohortlearner_sort_name")

    migration.fill_sort_names(apps, None)

    place.refresh_from_db()
    assert place.sort_name == "vanha paikka"
