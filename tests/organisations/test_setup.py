"""Setting up a university: programme staff create it and its first admin; its admins run its staff
and cohorts; teachers follow; learners see their cohort. Each refusal is named for what it stops."""

import re
from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from lms import audit
from lms.courses import services as courses
from lms.organisations import services
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation, StaffInvitation

pytestmark = pytest.mark.django_db

ORG = "/fi/organisation/organisations"


@pytest.fixture
def programme_staff(user_factory):
    ttl = Organisation.objects.create(name="Työterveyslaitos", kind=OrganisationKind.TTL)
    user = user_factory()
    Membership.objects.create(organisation=ttl, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def teacher_a(two_orgs, user_factory):
    (organisation, _admin, _cohort), _b = two_orgs
    user = user_factory(certificate_name="Tiina Opettaja")
    Membership.objects.create(organisation=organisation, user=user, role=Role.TEACHER)
    return user


def actions(action) -> list[ModelLogEntry]:
    return list(ModelLogEntry.objects.filter(action=action))


def invitation_link(message) -> str:
    return re.search(r"https?://\S+(/\w\w/organisation/staff-invitations/\S+/)", message.body).group(1)


NEW_UNIVERSITY = {
    "kind": OrganisationKind.UAS,
    "name": "Uusi ammattikorkeakoulu",
    "name_sv": "Nya yrkeshögskolan",
    "name_en": "New University of Applied Sciences",
    "business_id": "0245896-3",
    "home_organisation": "uusi-amk.fi",
}


# --- programme staff ---------------------------------------------------------------------------------


def test_programme_staff_create_a_university_with_an_existing_account_as_its_admin(
    client, programme_staff, user_factory
):
    admin = user_factory(email="rehtori@uusi-amk.fi")
    client.force_login(programme_staff)
    response = client.post(f"{ORG}/new/", {**NEW_UNIVERSITY, "admin_email": "Rehtori@Uusi-AMK.fi"})

    organisation = Organisation.objects.get(business_id="0245896-3")
    assert response["Location"] == f"{ORG}/{organisation.pk}/"
    assert organisation.localised_name("sv") == "Nya yrkeshögskolan"
    assert Membership.objects.get(organisation=organisation).user == admin
    assert Membership.objects.get(organisation=organisation).role == Role.ADMIN
    assert [e.object_id for e in actions(audit.ORGANISATION_CREATE)] == [str(organisation.pk)]
    assert actions(audit.MEMBER_ADD)[0].data == {"user": admin.pk, "role": Role.ADMIN}
    assert not mail.outbox


def test_programme_staff_invite_a_new_address_as_the_first_admin(
    client, programme_staff, django_capture_on_commit_callbacks
):
    client.force_login(programme_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{ORG}/new/", {**NEW_UNIVERSITY, "admin_email": "uusi@uusi-amk.fi"}, follow=True)
    assert any("uusi@uusi-amk.fi" in str(m) for m in response.context["messages"])  # programme staff are told
    organisation = Organisation.objects.get(name="Uusi ammattikorkeakoulu")
    assert not organisation.memberships.exists()
    assert mail.outbox[-1].to == ["uusi@uusi-amk.fi"]

    client.logout()
    link = invitation_link(mail.outbox[-1])
    client.post(
        link, {"certificate_name": "Uusi Rehtori", "password1": "pitkä-salasana-1", "password2": "pitkä-salasana-1"}
    )
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user.email, membership.role) == ("uusi@uusi-amk.fi", Role.ADMIN)
    assert membership.user.emailaddress_set.get().verified


def test_a_malformed_business_id_is_refused_with_a_message(client, programme_staff):
    client.force_login(programme_staff)
    response = client.post(f"{ORG}/new/", {**NEW_UNIVERSITY, "business_id": "0245896-4", "admin_email": "a@b.fi"})
    assert response.status_code == 200
    assert response.context["form"].errors["business_id"]
    assert not Organisation.objects.filter(name="Uusi ammattikorkeakoulu").exists()


def test_programme_staff_edit_names_and_the_edit_is_audited(client, programme_staff, two_orgs):
    (organisation, _admin, _cohort), _b = two_orgs
    client.force_login(programme_staff)
    data = {"kind": OrganisationKind.UAS, "name": organisation.name, "name_sv": "Yrkeshögskolan A", "name_en": ""}
    client.post(f"{ORG}/{organisation.pk}/edit/", {**data, "business_id": "", "home_organisation": ""})
    organisation.refresh_from_db()
    assert organisation.name_sv == "Yrkeshögskolan A"
    assert actions(audit.ORGANISATION_EDIT)[0].data == {"fields": "name_sv"}


def test_an_organisation_admin_cannot_create_or_rename_organisations(client, two_orgs):
    (organisation, admin, _cohort), _b = two_orgs
    client.force_login(admin)
    assert client.post(f"{ORG}/new/", {**NEW_UNIVERSITY, "admin_email": admin.email}).status_code == 404
    assert client.post(f"{ORG}/{organisation.pk}/edit/", {**NEW_UNIVERSITY}).status_code == 404
    assert not Organisation.objects.filter(name="Uusi ammattikorkeakoulu").exists()


# --- organisation admins: staff ----------------------------------------------------------------------


def test_an_admin_adding_an_account_or_a_new_address_learns_the_same(
    client, two_orgs, user_factory, django_capture_on_commit_callbacks
):
    (organisation, admin, _cohort), _b = two_orgs
    user_factory(email="olemassa@example.fi")
    client.force_login(admin)

    def add(email):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"{ORG}/{organisation.pk}/staff/", {"email": email, "role": Role.TEACHER}, follow=True
            )
        return [(m.level, str(m).replace(email, "…")) for m in response.context["messages"]]

    existing, new = add("olemassa@example.fi"), add("uusi@example.fi")
    assert existing == new
    assert not organisation.memberships.filter(user__email="olemassa@example.fi").exists()  # not without consent
    assert sorted(m.to[0] for m in mail.outbox) == ["olemassa@example.fi", "uusi@example.fi"]
    assert len(actions(audit.MEMBER_INVITE)) == 2


def test_the_invited_account_accepts_and_becomes_a_teacher(
    client, two_orgs, user_factory, django_capture_on_commit_callbacks
):
    (organisation, admin, _cohort), _b = two_orgs
    teacher = user_factory(email="opettaja@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        services.member_add(organisation=organisation, email=teacher.email, role=Role.TEACHER, by=admin, direct=False)
    client.force_login(teacher)
    response = client.post(invitation_link(mail.outbox[-1]), {"answer": "accept"})
    assert response["Location"] == "/fi/organisation/"
    assert Membership.objects.get(organisation=organisation, user=teacher).role == Role.TEACHER
    assert "cohorts" in type(teacher).objects.get(pk=teacher.pk).staff_areas


def test_a_forwarded_staff_invitation_makes_nobody_staff(client, two_orgs, learner, django_capture_on_commit_callbacks):
    (organisation, admin, _cohort), _b = two_orgs
    with django_capture_on_commit_callbacks(execute=True):
        services.member_add(
            organisation=organisation, email="admin2@example.fi", role=Role.ADMIN, by=admin, direct=False
        )
    client.force_login(learner)  # someone the link was forwarded to
    response = client.post(invitation_link(mail.outbox[-1]), {"answer": "accept"})
    assert response.status_code == 200
    assert not Membership.objects.filter(user=learner).exists()
    assert StaffInvitation.objects.get().answered_at is None


def test_a_teacher_cannot_promote_themselves_to_admin(client, two_orgs, teacher_a):
    (organisation, _admin, _cohort), _b = two_orgs
    client.force_login(teacher_a)
    response = client.post(f"{ORG}/{organisation.pk}/staff/", {"email": teacher_a.email, "role": Role.ADMIN})
    assert response.status_code == 404
    assert Membership.objects.get(user=teacher_a).role == Role.TEACHER
    assert client.get(f"{ORG}/{organisation.pk}/").status_code == 404
    assert client.get(f"{ORG}/").status_code == 404


def test_a_teacher_cannot_remove_an_admin(client, two_orgs, teacher_a):
    (organisation, admin, _cohort), _b = two_orgs
    client.force_login(teacher_a)
    membership = Membership.objects.get(organisation=organisation, user=admin)
    assert client.post(f"/fi/organisation/staff/{membership.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_admin_of_university_a_cannot_add_members_to_university_b(client, two_orgs):
    (_a, admin_a, _cohort_a), (organisation_b, _admin_b, _cohort_b) = two_orgs
    client.force_login(admin_a)
    response = client.post(f"{ORG}/{organisation_b.pk}/staff/", {"email": admin_a.email, "role": Role.ADMIN})
    assert response.status_code == 404
    assert not organisation_b.memberships.filter(user=admin_a).exists()
    assert not StaffInvitation.objects.exists()


def test_an_admin_of_university_a_cannot_remove_the_staff_of_university_b(client, two_orgs):
    (_a, admin_a, _cohort_a), (organisation_b, admin_b, _cohort_b) = two_orgs
    client.force_login(admin_a)
    membership = Membership.objects.get(organisation=organisation_b, user=admin_b)
    assert client.post(f"/fi/organisation/staff/{membership.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_cannot_remove_themselves(client, two_orgs):
    (organisation, admin, _cohort), _b = two_orgs
    client.force_login(admin)
    membership = Membership.objects.get(organisation=organisation, user=admin)
    response = client.post(f"/fi/organisation/staff/{membership.pk}/remove/", follow=True)
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not actions(audit.MEMBER_REMOVE)


def test_the_last_admin_cannot_demote_themselves_to_teacher(client, two_orgs):
    (organisation, admin, _cohort), _b = two_orgs
    client.force_login(admin)
    client.post(f"{ORG}/{organisation.pk}/staff/", {"email": admin.email, "role": Role.TEACHER})
    assert Membership.objects.get(organisation=organisation, user=admin).role == Role.ADMIN


def test_an_admin_who_is_not_the_last_may_leave(client, two_orgs, user_factory):
    (organisation, admin, _cohort), _b = two_orgs
    Membership.objects.create(organisation=organisation, user=user_factory(), role=Role.ADMIN)
    client.force_login(admin)
    membership = Membership.objects.get(organisation=organisation, user=admin)
    response = client.post(f"/fi/organisation/staff/{membership.pk}/remove/")
    assert response["Location"] == "/fi/organisation/"
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_removed_teacher_stops_following_the_cohorts_they_taught(client, two_orgs, teacher_a):
    (_organisation, admin, cohort), _b = two_orgs
    cohort.teachers.add(teacher_a)
    client.force_login(admin)
    membership = Membership.objects.get(user=teacher_a)
    client.post(f"/fi/organisation/staff/{membership.pk}/remove/")
    assert not cohort.teachers.exists()
    assert actions(audit.MEMBER_REMOVE)[0].data == {"user": teacher_a.pk, "role": Role.TEACHER}
    client.force_login(teacher_a)
    assert client.get(f"/fi/organisation/cohorts/{cohort.pk}/").status_code == 404


def test_an_admin_changes_a_teachers_role_and_it_is_audited(client, two_orgs, teacher_a):
    (organisation, admin, _cohort), _b = two_orgs
    client.force_login(admin)
    client.post(f"{ORG}/{organisation.pk}/staff/", {"email": teacher_a.email.upper(), "role": Role.ADMIN})
    assert Membership.objects.get(user=teacher_a).role == Role.ADMIN
    assert actions(audit.MEMBER_ROLE)[0].data == {"user": teacher_a.pk, "role": Role.ADMIN}


# --- organisation admins: cohorts --------------------------------------------------------------------


def cohort_data(cohort, **changes) -> dict:
    data = {
        "training": cohort.training_id,
        "name": "Kevät 2027",
        "starts_on": "2027-01-10",
        "ends_on": "2027-05-31",
        "study_mode": StudyMode.OPEN_UAS,
        "credits": "5",
        "seat_limit": "40",
        "teachers": [],
    }
    return {**data, **changes}


def test_an_admin_creates_a_cohort_with_a_teacher(client, two_orgs, teacher_a):
    (organisation, admin, cohort), _b = two_orgs
    client.force_login(admin)
    response = client.post(f"{ORG}/{organisation.pk}/cohorts/new/", cohort_data(cohort, teachers=[teacher_a.pk]))
    created = Cohort.objects.get(name="Kevät 2027")
    assert response["Location"] == f"/fi/organisation/cohorts/{created.pk}/"
    assert (created.organisation, created.starts_on, created.seat_limit) == (organisation, date(2027, 1, 10), 40)
    assert list(created.teachers.all()) == [teacher_a]
    assert actions(audit.COHORT_CREATE)[0].object_id == str(created.pk)
    client.force_login(teacher_a)
    assert client.get(f"/fi/organisation/cohorts/{created.pk}/").status_code == 200  # the teacher follows it


def test_an_admin_edits_a_cohort_and_the_changed_fields_are_audited(client, two_orgs, teacher_a):
    (_organisation, admin, cohort), _b = two_orgs
    client.force_login(admin)
    client.get(f"/fi/organisation/cohorts/{cohort.pk}/edit/")
    data = cohort_data(cohort, name=cohort.name, starts_on="", ends_on="", study_mode=cohort.study_mode, credits="0")
    client.post(f"/fi/organisation/cohorts/{cohort.pk}/edit/", {**data, "seat_limit": "", "teachers": [teacher_a.pk]})
    assert list(cohort.teachers.all()) == [teacher_a]
    assert actions(audit.COHORT_EDIT)[0].data == {"fields": "teachers"}


def test_a_cohort_cannot_be_created_for_another_organisation(client, two_orgs):
    (_a, admin_a, cohort_a), (organisation_b, _admin_b, _cohort_b) = two_orgs
    client.force_login(admin_a)
    assert client.post(f"{ORG}/{organisation_b.pk}/cohorts/new/", cohort_data(cohort_a)).status_code == 404
    assert not Cohort.objects.filter(name="Kevät 2027").exists()


def test_a_tampered_organisation_field_is_ignored(client, two_orgs):
    (organisation_a, admin_a, cohort_a), (organisation_b, _admin_b, _cohort_b) = two_orgs
    client.force_login(admin_a)
    client.post(f"{ORG}/{organisation_a.pk}/cohorts/new/", {**cohort_data(cohort_a), "organisation": organisation_b.pk})
    assert Cohort.objects.get(name="Kevät 2027").organisation == organisation_a


def test_a_teacher_of_another_organisation_cannot_be_given_a_cohort(client, two_orgs):
    (organisation_a, admin_a, cohort_a), (_b, admin_b, _cohort_b) = two_orgs
    client.force_login(admin_a)
    response = client.post(f"{ORG}/{organisation_a.pk}/cohorts/new/", cohort_data(cohort_a, teachers=[admin_b.pk]))
    assert response.status_code == 200
    assert response.context["form"].errors["teachers"]
    assert not Cohort.objects.filter(name="Kevät 2027").exists()
    with pytest.raises(services.StaffError):  # nor through the service
        services.cohort_save(
            cohort=Cohort(organisation=organisation_a, training=cohort_a.training, name="X", study_mode="degree"),
            teachers=[admin_b],
            by=admin_a,
        )


def test_a_cohort_that_ends_before_it_starts_is_refused(client, two_orgs):
    (organisation, admin, cohort), _b = two_orgs
    client.force_login(admin)
    response = client.post(
        f"{ORG}/{organisation.pk}/cohorts/new/", cohort_data(cohort, starts_on="2027-05-31", ends_on="2027-01-10")
    )
    assert response.context["form"].errors["ends_on"]
    assert not Cohort.objects.filter(name="Kevät 2027").exists()
    with pytest.raises(services.StaffError):
        services.cohort_save(
            cohort=Cohort(
                organisation=organisation,
                training=cohort.training,
                name="X",
                study_mode=StudyMode.DEGREE,
                starts_on=date(2027, 5, 31),
                ends_on=date(2027, 1, 10),
            ),
            teachers=[],
            by=admin,
        )


def test_an_unpublished_training_cannot_be_chosen(client, two_orgs):
    (organisation, admin, cohort), _b = two_orgs
    cohort.training.unpublish()
    client.force_login(admin)
    response = client.post(f"{ORG}/{organisation.pk}/cohorts/new/", cohort_data(cohort))
    assert response.context["form"].errors["training"]


def test_negative_credits_and_impossible_seats_are_refused(client, two_orgs):
    (organisation, admin, cohort), _b = two_orgs
    client.force_login(admin)
    response = client.post(
        f"{ORG}/{organisation.pk}/cohorts/new/", cohort_data(cohort, credits="-5", seat_limit="99999999999")
    )
    assert set(response.context["form"].errors) == {"credits", "seat_limit"}


def test_a_teacher_cannot_create_or_edit_cohorts(client, two_orgs, teacher_a):
    (organisation, _admin, cohort), _b = two_orgs
    cohort.teachers.add(teacher_a)
    client.force_login(teacher_a)
    assert client.post(f"{ORG}/{organisation.pk}/cohorts/new/", cohort_data(cohort)).status_code == 404
    response = client.post(f"/fi/organisation/cohorts/{cohort.pk}/edit/", cohort_data(cohort))
    assert response.status_code == 404
    cohort.refresh_from_db()
    assert cohort.name != "Kevät 2027"


def test_programme_staff_do_not_create_a_universitys_cohorts(client, programme_staff, two_orgs):
    (organisation, _admin, cohort), _b = two_orgs
    client.force_login(programme_staff)
    assert client.get(f"{ORG}/{organisation.pk}/").status_code == 200
    assert client.post(f"{ORG}/{organisation.pk}/cohorts/new/", cohort_data(cohort)).status_code == 404


# --- the header, the viewer's language, the learners' dashboard ----------------------------------------


def test_the_header_links_admins_and_programme_staff_to_the_organisations(client, two_orgs, teacher_a, programme_staff):
    (_a, admin, _cohort), _b = two_orgs
    link = 'href="/fi/organisation/organisations/"'
    for user, shown in ((admin, True), (programme_staff, True), (teacher_a, False)):
        client.force_login(user)
        assert (link in client.get("/fi/organisation/").content.decode()) is shown, user


def test_cohort_pages_name_the_organisation_in_the_viewers_language(client, two_orgs):
    (organisation, admin, cohort), _b = two_orgs
    organisation.name_sv, organisation.name_en = "Yrkeshögskolan A", "University of Applied Sciences A"
    organisation.save()
    client.force_login(admin)
    assert "Yrkeshögskolan A" in client.get("/sv/organisation/").content.decode()
    assert "University of Applied Sciences A" in client.get(f"/en/organisation/cohorts/{cohort.pk}/").content.decode()
    assert "Ammattikorkeakoulu A" in client.get(f"/fi/organisation/cohorts/{cohort.pk}/").content.decode()


def _dashboard_cost(client) -> int:
    client.get("/sv/learn/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/sv/learn/")
    assert response.status_code == 200
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


def test_learners_see_their_cohort_and_teachers_at_no_extra_query(client, two_orgs, learner, other_learner, teacher_a):
    (organisation, admin, cohort), _b = two_orgs
    organisation.name_sv = "Yrkeshögskolan A"
    organisation.save()
    cohort.teachers.set([teacher_a, admin])
    admin.certificate_name = "Aarne Admin"
    admin.save()
    for person in (learner, other_learner):
        courses.enrolment_create(user=person, training=cohort.training, notify=False)
    CohortLearner.objects.create(cohort=cohort, user=learner)

    client.force_login(other_learner)  # in the training, in no cohort
    without = _dashboard_cost(client)
    client.force_login(learner)
    with_cohort = _dashboard_cost(client)
    html = client.get("/sv/learn/").content.decode()

    assert with_cohort == without <= 2
    assert cohort.name in html
    assert "Yrkeshögskolan A" in html
    assert "Aarne Admin, Tiina Opettaja" in html
    assert html.count(cohort.name) == 1  # one line per cohort, however many teachers
