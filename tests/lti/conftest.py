from urllib.parse import parse_qsl, urlsplit

import pytest

from lms.courses import services as courses
from lms.courses.models import Enrolment, LessonPage
from lms.lti.models import ContextLink, PlatformRegistration
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, Membership, Organisation
from tests.factories import build_training

from .platform import CLIENT_ID, DEPLOYMENT_ID, LEARNER, DictRequest, Login, MessageLaunch, PlatformServer


@pytest.fixture
def platform():
    server = PlatformServer().start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def university(db):
    return Organisation.objects.create(
        name="Tampereen ammattikorkeakoulu", kind=OrganisationKind.UAS, home_organisation="tuni.fi"
    )


@pytest.fixture
def registration(platform, university, client):
    platform.trust_tool(client.get("/lti/jwks.json").json())
    return PlatformRegistration.objects.create(
        organisation=university,
        label="TAMK Moodle",
        issuer=platform.base,
        client_id=CLIENT_ID,
        auth_login_url=f"{platform.base}/auth",
        auth_token_url=f"{platform.base}/token",
        key_set_url=f"{platform.base}/jwks",
        deployment_ids=f"{DEPLOYMENT_ID}\n",
    )


@pytest.fixture
def training(index):
    return build_training(index, title="Työkykykoordinaattori", modules=1, lessons=2)


@pytest.fixture
def cohort(university, training):
    return Cohort.objects.create(
        organisation=university, training=training, name="TK-ryhmä 2027", study_mode=StudyMode.DEGREE
    )


@pytest.fixture
def linked(registration, cohort, platform):
    """Course 42 of the Moodle tied to the cohort, as the teacher's deep-linking choice leaves it."""
    return ContextLink.objects.create(
        registration=registration,
        context_id="course-42",
        context_title="Työkyky 2027",
        cohort=cohort,
        memberships_url=f"{platform.base}/memberships",
    )


@pytest.fixture
def org_teacher(university, cohort, user_factory):
    teacher = user_factory(certificate_name="Tiina Opettaja")
    Membership.objects.create(organisation=university, user=teacher, role=Role.TEACHER)
    cohort.teachers.add(teacher)
    return teacher


@pytest.fixture
def complete(django_capture_on_commit_callbacks):
    """Open every lesson of the training, with what runs after the commit (the completion signal) run too."""

    def complete(user, training) -> Enrolment:
        enrolment = Enrolment.objects.get(user=user, training=training)
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in LessonPage.objects.descendant_of(training).order_by("path"):
                courses.lesson_open(enrolment=enrolment, lesson=lesson)
        enrolment.refresh_from_db()
        assert enrolment.completed_at is not None
        return enrolment

    return complete


class Moodle:
    """Drives ``lti1p3platform`` through a launch into Kyky with Django's test client (over HTTPS)."""

    def __init__(self, platform, client):
        self.platform, self.client = platform, client

    def prepare(self, *, user_id="moodle-7", roles=(LEARNER,), name="Liisa Oppija", email="liisa@tuni.fi", **options):
        """The OIDC round (Kyky's login answering the platform) and the platform's signed launch form."""
        login = Login(None, self.platform.conf)
        login.set_lti_message_hint(hint="rl-1")
        response = self.client.get(login.initiate_login(user_id), secure=True)
        assert response.status_code == 302, response.content
        location = urlsplit(response["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == f"{self.platform.base}/auth"
        preflight = {**dict(parse_qsl(location.query)), **options.get("preflight", {})}
        launch = MessageLaunch(
            DictRequest({"method": "GET", "get_data": preflight, "form_data": {}}), self.platform.conf
        )
        launch.set_user_data(user_id, list(roles), full_name=name, email_address=email)
        launch.set_launch_context_claim("course-42", context_title="Työkyky 2027")
        launch.set_resource_link_claim("rl-1", title="Kyky")
        if options.get("custom") is not None:
            launch.set_custom_parameters_claim(options["custom"])
        if options.get("ags", True):
            base = self.platform.base
            launch.set_ags(lineitems_url=f"{base}/lineitems", lineitem_url=f"{base}/lineitems/1")
        if options.get("nrps", True):
            launch.set_nrps(f"{self.platform.base}/memberships")
        if options.get("deep_link"):
            launch.set_dl(f"{self.platform.base}/deep-link-return", accept_types={"ltiResourceLink"})
        if options.get("target"):
            launch.set_launch_presentation_claim(document_target=options["target"])
        if options.get("expiration") is not None:
            launch.set_id_token_expiration(options["expiration"])
        if options.get("extra"):
            launch.set_extra_claims(options["extra"])
        form = launch.lti_launch()
        assert form["launch_url"] == "http://testserver/lti/launch/"
        return form

    def post(self, form):
        return self.client.post("/lti/launch/", {"id_token": form["id_token"], "state": form["state"]}, secure=True)

    def launch(self, **options):
        return self.post(self.prepare(**options))


@pytest.fixture
def moodle(platform, client, registration):
    return Moodle(platform, client)


@pytest.fixture
def course_custom(cohort, training):
    return {"kyky_training": str(training.translation_key), "kyky_cohort": str(cohort.pk)}
