"""A university is set up and run in the browser: programme staff create it and its admin; the admin
creates a cohort and adds a teacher; the teacher follows the cohort, whose filters survive paging.
axe-core checks every page on the way."""

import re

import pytest
from django.core import mail

from lms.accounts.models import User
from lms.courses.models import Enrolment, TrainingIndexPage
from lms.organisations.enums import OrganisationKind, Role
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in
from tests.factories import UserFactory, build_training

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser):
    page = browser.new_context(locale="fi-FI").new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_university_is_set_up_and_its_cohort_followed(platform, browser, page, homes):
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = build_training(index, title="Työkykykoordinaattorikoulutus", modules=2, lessons=2)
    ttl = Organisation.objects.create(name="Työterveyslaitos", kind=OrganisationKind.TTL)
    programme_admin = UserFactory(certificate_name="Pia Ohjelma")
    Membership.objects.create(organisation=ttl, user=programme_admin, role=Role.ADMIN)
    rector = UserFactory(email="hallinto@esimerkki-amk.fi", certificate_name="Hanna Hallinto")
    teacher = UserFactory(email="opettaja@esimerkki-amk.fi", certificate_name="Olli Opettaja")
    base = platform

    # Programme staff create the university and name its admin.
    log_in(page, base, programme_admin)
    page.click("a[href='/fi/organisation/organisations/']")
    assert_accessible(page)
    page.click("a[href='/fi/organisation/organisations/new/']")
    page.select_option("#id_kind", OrganisationKind.UAS)
    page.fill("#id_name", "Esimerkin ammattikorkeakoulu")
    page.fill("#id_name_sv", "Exempel yrkeshögskola")
    page.fill("#id_name_en", "Example University of Applied Sciences")
    page.fill("#id_business_id", "0245896-3")
    page.fill("#id_home_organisation", "esimerkki-amk.fi")
    page.fill("#id_admin_email", rector.email)
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(f"tr[data-member='{rector.pk}']")
    assert_accessible(page)
    university = Organisation.objects.get(business_id="0245896-3")
    assert university.home_organisation == "esimerkki-amk.fi"

    # The admin creates a cohort and invites a teacher.
    admin = new_page(browser)
    log_in(admin, base, rector)
    admin.click("a[href='/fi/organisation/organisations/']")
    admin.get_by_role("link", name="Esimerkin ammattikorkeakoulu").click()
    admin.click(f"a[href='/fi/organisation/organisations/{university.pk}/cohorts/new/']")
    admin.select_option("#id_training", str(training.pk))
    admin.fill("#id_name", "Syksy 2027")
    admin.fill("#id_starts_on", "2027-08-20")
    admin.fill("#id_ends_on", "2027-12-18")
    admin.select_option("#id_study_mode", "open_uas")
    admin.fill("#id_credits", "5")
    admin.fill("#id_seat_limit", "200")
    assert_accessible(admin)
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_url("**/organisation/cohorts/*/")
    cohort = Cohort.objects.get(name="Syksy 2027")
    assert cohort.organisation == university
    assert_accessible(admin)

    admin.goto(f"{base}/fi/organisation/organisations/{university.pk}/")
    admin.fill("#id_email", teacher.email)
    admin.select_option("#id_role", Role.TEACHER)
    admin.locator(f"form[action$='/organisations/{university.pk}/staff/'] button").click()
    admin.wait_for_load_state()
    assert admin.get_by_text(teacher.email).first.is_visible()  # as invited, waiting for an answer
    assert_accessible(admin)

    # The teacher accepts the invitation.
    link = re.search(r"https?://\S+/organisation/staff-invitations/\S+/", mail.outbox[-1].body).group(0)
    follower = new_page(browser)
    log_in(follower, base, teacher)
    follower.goto(link)
    assert_accessible(follower)
    follower.locator("button[name=answer][value=accept]").click()
    follower.wait_for_url("**/fi/organisation/")
    assert Membership.objects.get(user=teacher).role == Role.TEACHER

    # The admin makes them the cohort's teacher.
    admin.goto(f"{base}/fi/organisation/cohorts/{cohort.pk}/edit/")
    admin.get_by_label("Olli Opettaja", exact=False).check()
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_url(f"**/organisation/cohorts/{cohort.pk}/")
    assert list(cohort.teachers.all()) == [teacher]

    # Enough learners for two pages of those who have not started, and a few who have.
    learners = User.objects.bulk_create(
        [User(email=f"opiskelija{n:02}@example.fi", certificate_name=f"Opiskelija {n:02}") for n in range(62)]
    )
    Enrolment.objects.bulk_create([Enrolment(user=user, training=training) for user in learners])
    CohortLearner.objects.bulk_create([CohortLearner(cohort=cohort, user=user) for user in learners])
    Enrolment.objects.filter(user__in=learners[:4]).update(last_lesson_key=training.translation_key)

    # The teacher follows the cohort: filtered, sorted, and still so on the second page.
    follower.reload()
    follower.get_by_role("link", name="Syksy 2027").click()
    follower.wait_for_selector("tr[data-learner]")
    assert_accessible(follower)
    follower.select_option("#status", "not_started")
    follower.select_option("#sort", "activity")
    follower.locator("form.filters button[type=submit]").click()
    follower.wait_for_url("**status=not_started**")
    assert follower.locator("tr[data-learner]").count() == 50
    follower.click("a[rel=next]")
    follower.wait_for_url("**p=2**")
    assert follower.locator("tr[data-learner]").count() == 8  # 58 have not started
    assert follower.locator("#status").input_value() == "not_started"
    assert follower.locator("#sort").input_value() == "activity"
    assert "status=not_started" in follower.url
    assert "sort=activity" in follower.url
    assert_accessible(follower)
    for other in (admin, follower):
        other.context.close()
