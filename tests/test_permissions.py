"""Every URL of every URLconf, requested as every role, answers what docs/permissions.md says.

The matrix lives in the document; this file reads it, so the two cannot drift. It

* walks each URLconf in ``URLCONFS`` (includes, i18n_patterns, allauth's, Wagtail admin's with the
  project's hooks) and fails naming every URL pattern that no row covers, and every row that
  covers no URL pattern;
* for each (row, role) builds a concrete URL from one scenario (a training with an H5P lesson, two
  learners' certificates, cohorts of two universities with their imports, a PDF job, ...),
  requests it with the test client as that role (GET, or POST with an empty body) and checks the
  outcome against the row's cell. A wildcard row checks every URL it covers, with ids that exist
  nowhere. The cases listed under *Known gaps* in the document are strict expected failures.

To add a URLconf: one line in ``URLCONFS`` and a section ``## URLconf `module``` in the document.
A row for a URL with parameters takes the scenario value named in ``ARGUMENTS`` for the row, else
the value named like the parameter (``DEFAULTS``); a missing one fails naming the row.

The scenario is built once for the module, in a transaction rolled back at its end; every case
runs in a savepoint inside it (pytest-django's ``db``), so what a request changes is undone.
"""

from __future__ import annotations

import fnmatch
import re
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache as django_cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import translation
from django.utils.regex_helper import normalize

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"


@dataclass(frozen=True)
class URLConf:
    module: str
    host: str  # the Host header of its requests (a middleware routes the player's host to its URLconf)


URLCONFS = [
    URLConf("lms.urls", "testserver"),
    URLConf("lms.h5p.player_urls", urlsplit(settings.H5P_ORIGIN).hostname),  # the H5P player's own origin
]

# Column titles of the document -> roles of the scenario.
ROLES = {
    "anonymous": "anonymous",
    "learner": "learner",
    "trainer": "trainer",
    "org teacher": "org_teacher",
    "org admin": "org_admin",
    "programme staff": "programme_staff",
    "superuser": "superuser",
}
METHODS = {"GET", "POST"}
CODES = {"ok", "redirect", "login", "deny", "hidden", "absent", "any", "400", "401", "405", "415", "500"}
OWN = re.compile(r"own(?:\((\w+)\))?")

# The scenario value each URL parameter takes, per row ("name" or "name (variant)"; globs allowed,
# the most specific wins).
ARGUMENTS = {
    "certificates:verify": {"code": "certificate_display_code"},
    "verification:certificate": {"code": "certificate_display_code"},
    "certificates:download": {"code": "certificate_code"},
    "certificates:credential_download": {"code": "certificate_code"},
    "certificates:wallet_offer": {"code": "certificate_code"},
    "certificates:wallet_exchange": {"token": "forged_grant"},
    "certificates_admin_revoke": {"pk": "certificate_id"},
    "certificates_admin_reissue": {"pk": "certificate_id"},
    "organisations:join": {"code": "invite_code"},
    "organisations:invitation_answer": {"token": "invitation_token"},
    "organisations:staff_invitation": {"token": "staff_invitation_token"},
    "organisations:staff_invitation (forged token)": {"token": "forged_grant"},
    "organisations:invitation_answer (forged token)": {"token": "forged_grant"},
    "organisations:* (colleague's cohort)": {"cohort_id": "colleague_cohort_id", "import_id": "colleague_import_id"},
    "schedule:signup": {"session_id": "open_session_id"},
    "schedule_feed:feed": {"token": "feed_token"},
    "schedule_feed:feed (forged token)": {"token": "forged_grant"},
    "wagtailsnippets_h5p_h5pactivity:*": {"pk": "activity_id"},
    "wagtailsnippetchoosers_h5p_h5pactivity:*": {"pk": "activity_id"},
    "wagtail_serve (home)": {"_0": "home_path"},
    "wagtail_serve (catalogue)": {"_0": "catalogue_path"},
    "wagtail_serve (training)": {"_0": "training_path"},
    "wagtail_serve (module)": {"_0": "module_path"},
    "wagtail_serve (part)": {"_0": "part_path"},
    "wagtail_serve (lesson)": {"_0": "lesson_path"},
    "wagtail_serve (unpublished lesson)": {"_0": "draft_path"},
    "wagtailcore_authenticate_with_password": {"page_id": "restricted_page_id"},
    "wagtaildocs_authenticate_with_password": {"restriction_id": "collection_restriction_id"},
    "wagtaildocs_serve": {"_0": "document_id", "_1": "document_filename"},
    "h5p_player_*": {"token": "grant", "folder": "library_folder"},
    "h5p_player_* (forged grant)": {"token": "forged_grant"},
    "h5p_player_content_file*": {"path": "content_file"},
    "h5p_player_library_file*": {"path": "library_file"},
    "h5p_player_library_file (another activity's library)": {"folder": "other_library_folder"},
    "h5p_player_elsewhere": {"path": "platform_path"},
    "exams:start": {"lesson_id": "exam_lesson_id", "block_id": "exam_block_id"},
    "selfassessment:respond": {"block_id": "self_assessment_block_id"},
    "selfassessment:cohort (colleague's cohort)": {"cohort_id": "colleague_cohort_id"},
}
# Parameters that, unless ARGUMENTS says otherwise, take the scenario value of their own name.
DEFAULTS = {
    "training_id",
    "lesson_id",
    "question_id",
    "reflection_id",
    "activity_id",
    "data_type",
    "sub_content_id",
    "cohort_id",
    "import_id",
    "fmt",
    "job_id",
    "page_view_restriction_id",
    "organisation_id",
    "membership_id",
    "block_id",
    "file_id",
    "submission_id",
    "attempt_id",
    "session_id",
    "replacement_id",
    "endpoint_id",  # an LRS (lrs)
}
# What wildcard rows put in their URLs: nothing has these ids (digits, as most str and slug
# parameters of Wagtail's admin are ids too).
UNKNOWN_ID = "987654321"
UNKNOWN_PATH = "no/such/file.txt"


# --- the document -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    urlconf: str
    key: str  # a URL name, the route of a pattern without a name, or a glob of either
    variant: str  # which object or page, when a URL has several rows
    method: str
    cells: tuple[tuple[str, str], ...]  # (role, code)
    note: str
    line: int

    @property
    def is_glob(self) -> bool:
        return any(char in self.key for char in "*?[")

    @property
    def label(self) -> str:
        return f"{self.key} ({self.variant})" if self.variant else self.key

    def code(self, role: str) -> str:
        return dict(self.cells)[role]


@dataclass(frozen=True)
class Gap:
    label: str
    method: str
    role: str
    observed: str
    expected: str
    why: str


_URLCONF_HEADING = re.compile(r"^#+ .*URLconf `([\w.]+)`")
_URL_CELL = re.compile(r"^`([^`]+)`\s*(?:\((.+)\))?$")


def _tables(text: str):
    """(URLconf of the heading above it, line number, header, [(line number, cells)]) per Markdown table."""
    urlconf, table = None, None
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        heading = _URLCONF_HEADING.match(line)
        if heading:
            urlconf = heading.group(1)
        if not line.startswith("|"):
            if table is not None:
                yield table
            table = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if table is None:
            table = (urlconf, number, [cell.lower() for cell in cells], [])
        elif not all(set(cell) <= set("-: ") for cell in cells):
            table[3].append((number, cells))


def _record(header: list[str], cells: list[str], number: int) -> dict[str, str]:
    if len(cells) != len(header):
        raise ValueError(f"{DOC.name}:{number}: {len(cells)} cells for {len(header)} columns (a '|' in a note?)")
    return dict(zip(header, cells, strict=True))


def _url_cell(cell: str, number: int) -> tuple[str, str]:
    match = _URL_CELL.match(cell)
    if not match:
        raise ValueError(f"{DOC.name}:{number}: the URL cell must be `name` or `name` (variant), not {cell!r}")
    return match.group(1), match.group(2) or ""


def _codes(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("/")]


def _check_cell(cell: str, number: int) -> None:
    for code in _codes(cell):
        own = OWN.fullmatch(code)
        if code not in CODES and not (own and (own.group(1) or "ok") in CODES):
            raise ValueError(f"{DOC.name}:{number}: unknown outcome code {code!r} (see the legend)")


@cache
def document() -> tuple[tuple[Row, ...], tuple[Gap, ...]]:
    """The permission rows and the known gaps of the document."""
    rows, gaps = [], []
    for urlconf, number, header, lines in _tables(DOC.read_text(encoding="utf-8")):
        if header[:2] == ["url", "method"] and "role" not in header:
            if urlconf is None:
                raise ValueError(
                    f"{DOC.name}:{number}: a permission table must come under a 'URLconf `module`' heading"
                )
            if missing := set(ROLES) - set(header):
                raise ValueError(f"{DOC.name}:{number}: the table has no column for {sorted(missing)}")
            for line, cells in lines:
                values = _record(header, cells, line)
                key, variant = _url_cell(values["url"], line)
                if values["method"] not in METHODS:
                    raise ValueError(f"{DOC.name}:{line}: the method must be one of {sorted(METHODS)}")
                for title in ROLES:
                    _check_cell(values[title], line)
                cells_ = tuple((role, values[title]) for title, role in ROLES.items())
                rows.append(Row(urlconf, key, variant, values["method"], cells_, values.get("note", ""), line))
        elif header[:3] == ["url", "method", "role"]:
            for line, cells in lines:
                values = _record(header, cells, line)
                key, variant = _url_cell(values["url"], line)
                if values["role"] not in ROLES:
                    raise ValueError(f"{DOC.name}:{line}: unknown role {values['role']!r}")
                label = f"{key} ({variant})" if variant else key
                role = ROLES[values["role"]]
                gaps.append(Gap(label, values["method"], role, values["observed"], values["expected"], values["why"]))
    seen = {}
    for row in rows:
        if (row.urlconf, row.label, row.method) in seen:
            raise ValueError(
                f"{DOC.name}:{row.line}: the same URL and method as line {seen[row.urlconf, row.label, row.method]}"
            )
        seen[row.urlconf, row.label, row.method] = row.line
    return tuple(rows), tuple(gaps)


# --- the URLconfs -----------------------------------------------------------------------------------

_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Endpoint:
    urlconf: URLConf
    name: str | None  # "namespace:name"
    patterns: tuple  # the patterns from the URLconf's root down to the view
    route: str = field(compare=False)
    callback: object = field(compare=False, repr=False)

    @property
    def ident(self) -> str:
        """What rows name: the URL name, or the route of a pattern that has no name."""
        return self.name or self.route

    def parameters(self) -> list[tuple[str, str | None]]:
        """(name, converter) of the URL's parameters; converter None for a regular expression's group."""
        found = []
        for pattern in self.patterns:
            if isinstance(pattern, RoutePattern):
                found += [(m["name"], m["converter"] or "str") for m in _ROUTE_PARAMETER.finditer(str(pattern))]
            elif isinstance(pattern, RegexPattern):
                found += [(name, None) for name in normalize(pattern._regex)[0][1]]
        return found

    def url(self, values: dict[str, str]) -> str:
        path = ""
        for pattern in self.patterns:
            if isinstance(pattern, LocalePrefixPattern):
                path += pattern.language_prefix
            elif isinstance(pattern, RoutePattern):
                path += _ROUTE_PARAMETER.sub(lambda m: values[m["name"]], str(pattern))
            else:
                path += normalize(pattern._regex)[0][0] % values
        return "/" + path


def _walk(patterns, urlconf: URLConf, chain=(), namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from _walk(entry.url_patterns, urlconf, (*chain, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name])) if entry.name else None
            full = (*chain, entry.pattern)
            yield Endpoint(urlconf, name, full, "".join(str(p) for p in full), entry.callback)


@cache
def endpoints() -> tuple[Endpoint, ...]:
    with translation.override(settings.LANGUAGE_CODE):
        return tuple(e for conf in URLCONFS for e in _walk(get_resolver(conf.module).url_patterns, conf))


def _specificity(key: str) -> tuple[bool, int]:
    return (not any(char in key for char in "*?["), len(key.replace("*", "")))


@cache
def governing() -> dict[Endpoint, str | None]:
    """The row key that governs each URL pattern: its own name, else the most specific matching wildcard."""
    rows, _gaps = document()
    result = {}
    for endpoint in endpoints():
        keys = {row.key for row in rows if row.urlconf == endpoint.urlconf.module}
        matching = [key for key in keys if fnmatch.fnmatchcase(endpoint.ident, key)]
        result[endpoint] = max(matching, key=_specificity) if matching else None
    return result


def governed(row: Row) -> list[Endpoint]:
    return [e for e, key in governing().items() if key == row.key and e.urlconf.module == row.urlconf]


def cases() -> list:
    rows, gaps = document()
    known = {(gap.label, gap.method, gap.role): gap for gap in gaps}
    params = []
    for row in rows:
        for role in ROLES.values():
            gap = known.get((row.label, row.method, role))
            marks = [pytest.mark.xfail(strict=True, reason=f"known gap: {gap.why}")] if gap else []
            params.append(pytest.param(row, role, id=f"{row.label} {row.method} {role}", marks=marks))
    return params


# --- the scenario -----------------------------------------------------------------------------------


@dataclass
class Scenario:
    users: dict  # role -> user (None for anonymous)
    values: dict[str, str]  # URL parameter values of the objects under test
    others: dict[str, str]  # the same for someone else's objects (``own`` cells)
    files: dict = field(default_factory=dict)  # MEDIA_ROOT and PRIVATE_ROOT of the scenario's files
    sessions: dict = field(default_factory=dict)  # role -> session key of a login made once for the module

    def client(self, role: str) -> Client:
        client = Client(raise_request_exception=False)
        if self.sessions.get(role):
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def _h5p_package(library: str = "H5P.Tiny"):
    from tests.h5p.conftest import library_json, make_package

    return make_package(library=library_json(library))


def _build_scenario() -> Scenario:
    from wagtail.documents.models import Document
    from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

    from lms.assignments.enums import SubmissionStatus
    from lms.assignments.models import Submission, SubmissionFile
    from lms.certificates.models import Certificate, RegenerationJob
    from lms.cms.services import site_setup
    from lms.courses import services as courses
    from lms.courses.models import LessonPage
    from lms.courses.permissions import TRAINERS, trainers_group_ensure
    from lms.exams import services as exams
    from lms.h5p import player
    from lms.h5p import services as h5p
    from lms.lrs.models import LRSEndpoint  # an LRS of each university (lms/lrs)
    from lms.organisations import services as organisations
    from lms.organisations.enums import ImportStatus, OrganisationKind, Role, StudyMode
    from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation, RosterImport
    from tests.factories import (
        LessonPageFactory,
        ModulePageFactory,
        PartPageFactory,
        TrainingIndexPageFactory,
        TrainingPageFactory,
        UserFactory,
        assignment,
        question,
        reflection,
        text,
    )

    homes = site_setup()
    index = TrainingIndexPageFactory(parent=homes["fi"])
    trainers_group_ensure()

    superuser = UserFactory(is_superuser=True, is_staff=True)
    activity = h5p.activity_create(upload=_h5p_package(), title="Pieni tehtävä", user=superuser)
    other_activity = h5p.activity_create(upload=_h5p_package("H5P.Other"), title="Toinen tehtävä", user=superuser)

    training = TrainingPageFactory(parent=index, title="Työkyvyn tuki", slug="tyokyvyn-tuki")
    module = ModulePageFactory(parent=training, slug="moduuli")
    asked, reflected = question(), reflection()
    handed = assignment(required=False)  # open to hand in; the lessons complete by opening them
    from tests.selfassessment.factories import self_assessment_block, self_assessment_create

    assessed = self_assessment_block(self_assessment_create(), required=False)  # answered or not, the lesson completes
    lesson = LessonPageFactory(
        parent=module,
        slug="oppitunti",
        body=[
            text(),
            asked,
            reflected,
            {"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": None}},
            handed,
            assessed,
        ],
    )
    from tests.exams.factories import exam, question_pool, single

    examined = exam(pools=[question_pool(single(), single())], questions_per_attempt=2, required=False)
    exam_lesson = LessonPageFactory(parent=module, slug="toinen", body=[text(), examined])
    draft = LessonPageFactory(parent=module, slug="luonnos", body=[text()], live=False)
    parted = TrainingPageFactory(parent=index, title="Koordinaattorikoulutus", slug="koordinaattori")
    part = PartPageFactory(parent=parted, slug="osa-1", ects_credits=0)
    LessonPageFactory(parent=ModulePageFactory(parent=part, slug="moduuli"), slug="oppitunti", body=[text()])
    restricted = TrainingPageFactory(parent=index, title="Suljettu", slug="suljettu")
    page_restriction = PageViewRestriction.objects.create(
        page=restricted, restriction_type=PageViewRestriction.PASSWORD, password="salasana"
    )
    collection = Collection.get_first_root_node().add_child(name="Suljetut")
    collection_restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.PASSWORD, password="salasana"
    )
    document = Document(title="Materiaali")
    document.file.save("materiaali.txt", ContentFile(b"Materiaalia."), save=False)
    document.save()

    learner = UserFactory(certificate_name="Liisa Oppija")
    other_learner = UserFactory(certificate_name="Olli Muu")
    certificates, submissions, exam_attempts = {}, {}, {}
    for user in (learner, other_learner):
        enrolment = courses.enrolment_create(user=user, training=training, notify=False)
        with TestCase.captureOnCommitCallbacks(execute=True):
            for each in LessonPage.objects.live().descendant_of(training).order_by("path"):
                courses.lesson_open(enrolment=enrolment, lesson=each)
        certificates[user] = Certificate.objects.get(enrolment=enrolment)
        exam_attempts[user] = exams.attempt_start(  # open: starting again continues it
            enrolment=enrolment, lesson_key=exam_lesson.translation_key, block_id=examined["id"]
        )
        submissions[user] = Submission.objects.create(
            enrolment=enrolment,
            lesson_key=lesson.translation_key,
            block_id=handed["id"],
            status=SubmissionStatus.SUBMITTED,
            text="Tehtävä",
        )
        handed_in = SubmissionFile(submission=submissions[user], name="tehtava.txt", size=7, content_type="text/plain")
        handed_in.file.save("tehtava.txt", ContentFile(b"Tehtava"), save=False)
        handed_in.save()

    trainer = UserFactory()
    trainer.groups.add(Group.objects.get(name=TRAINERS))

    university_a = Organisation.objects.create(name="Ammattikorkeakoulu A", kind=OrganisationKind.UAS)
    university_b = Organisation.objects.create(name="Ammattikorkeakoulu B", kind=OrganisationKind.UAS)
    ttl = Organisation.objects.create(name="Työterveyslaitos", kind=OrganisationKind.TTL)
    org_admin, org_teacher, colleague, admin_b = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    Membership.objects.create(organisation=university_a, user=org_admin, role=Role.ADMIN)
    Membership.objects.create(organisation=university_a, user=org_teacher, role=Role.TEACHER)
    colleague_membership = Membership.objects.create(organisation=university_a, user=colleague, role=Role.TEACHER)
    admin_b_membership = Membership.objects.create(organisation=university_b, user=admin_b, role=Role.ADMIN)

    def cohort(organisation, name, teachers):
        made = Cohort.objects.create(
            organisation=organisation, training=training, name=name, study_mode=StudyMode.DEGREE
        )
        made.teachers.set(teachers)
        return made

    cohort_a = cohort(university_a, "Ryhmä A", [org_teacher, org_admin])
    colleague_cohort = cohort(university_a, "Ryhmä A2", [colleague])
    cohort_b = cohort(university_b, "Ryhmä B", [admin_b])
    CohortLearner.objects.create(cohort=cohort_a, user=learner)
    CohortLearner.objects.create(cohort=cohort_b, user=other_learner)
    invite_code = organisations.invitation_link_create(cohort=cohort_a, days=30, seats=None)
    invitation = organisations.invitation_create(cohort=cohort_a, email="kutsuttu@example.fi", name="Kutsuttu")
    staff_invitation = organisations.staff_invitation_create(
        organisation=university_a, email="opettaja@example.fi", role=Role.TEACHER
    )

    def roster(cohort, user):
        return RosterImport.objects.create(
            cohort=cohort, uploaded_by=user, file="rosters/lista.csv", filename="lista.csv", status=ImportStatus.DONE
        )

    import_a, import_b = roster(cohort_a, org_admin), roster(cohort_b, admin_b)
    colleague_import = roster(colleague_cohort, colleague)

    programme_staff = UserFactory()
    Membership.objects.create(organisation=ttl, user=programme_staff, role=Role.ADMIN)
    programme_staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="certificates", codename__in=["view_certificate", "change_certificate"]
        ),
    )
    job = RegenerationJob.objects.create(training=training, created_by=programme_staff, total=2)
    contact = _contact_sessions(training, cohort_a, cohort_b, learner, other_learner)

    def folder(library) -> str:
        return f"{library.machine_name}-{library.major_version}.{library.minor_version}"

    users = {
        "anonymous": None,
        "learner": learner,
        "trainer": trainer,
        "org_teacher": org_teacher,
        "org_admin": org_admin,
        "programme_staff": programme_staff,
        "superuser": superuser,
    }

    def path_of(page) -> str:
        return page.url_path.split("/", 2)[2]  # below the language's home page, which /fi/ serves

    lrs_a, lrs_b = (  # an LRS of each university (lms/lrs)
        LRSEndpoint.objects.create(
            name=f"LRS {u.pk}", organisation=u, url="https://lrs.example.org/xapi", username="kyky", secret="s"
        )
        for u in (university_a, university_b)
    )
    mine, theirs = certificates[learner], certificates[other_learner]
    values = {
        "training_id": training.pk,
        "lesson_id": lesson.pk,
        "question_id": asked["id"],
        "reflection_id": reflected["id"],
        "block_id": handed["id"],
        "self_assessment_block_id": assessed["id"],
        "file_id": submissions[learner].files.get().pk,
        "submission_id": submissions[learner].pk,
        "attempt_id": exam_attempts[learner].pk,
        "exam_lesson_id": exam_lesson.pk,
        "exam_block_id": examined["id"],
        "activity_id": activity.pk,
        "data_type": "state",
        "sub_content_id": 0,
        "certificate_id": mine.pk,
        "certificate_code": mine.code,
        "certificate_display_code": mine.display_code,
        "invite_code": invite_code,
        "invitation_token": organisations.invitation_token(invitation),
        "organisation_id": university_a.pk,
        "membership_id": colleague_membership.pk,
        "endpoint_id": lrs_a.pk,  # lrs
        "staff_invitation_token": organisations.staff_invitation_token(staff_invitation),
        "cohort_id": cohort_a.pk,
        "colleague_cohort_id": colleague_cohort.pk,
        "colleague_import_id": colleague_import.pk,
        "import_id": import_a.pk,
        "fmt": "csv",
        "job_id": job.pk,
        "home_path": "",
        "catalogue_path": path_of(index),
        "training_path": path_of(training),
        "module_path": path_of(module),
        "part_path": path_of(part),
        "lesson_path": path_of(lesson),
        "draft_path": path_of(draft),
        "page_view_restriction_id": page_restriction.pk,
        "restricted_page_id": restricted.pk,
        "collection_restriction_id": collection_restriction.pk,
        "document_id": document.pk,
        "document_filename": document.filename,
        "grant": player.grant_token(activity_id=activity.pk, parent_origin="http://testserver"),
        "forged_grant": "forged-grant",
        "content_file": "content.json",
        "library_folder": folder(activity.main_library),
        "library_file": "tiny.js",
        "other_library_folder": folder(other_activity.main_library),
        "platform_path": "fi/learn/",
        **contact["values"],
    }
    others = {
        "certificate_id": theirs.pk,
        "certificate_code": theirs.code,
        "certificate_display_code": theirs.display_code,
        "cohort_id": cohort_b.pk,
        "import_id": import_b.pk,
        "organisation_id": university_b.pk,
        "membership_id": admin_b_membership.pk,
        "endpoint_id": lrs_b.pk,  # lrs
        "file_id": submissions[other_learner].files.get().pk,
        "submission_id": submissions[other_learner].pk,
        "attempt_id": exam_attempts[other_learner].pk,
        **contact["others"],
    }
    return Scenario(
        users={role: type(user).objects.get(pk=user.pk) if user else None for role, user in users.items()},
        values={key: str(value) for key, value in values.items()},
        others={key: str(value) for key, value in others.items()},
    )


def _contact_sessions(training, cohort_a, cohort_b, learner, other_learner) -> dict:
    """Session A of cohort A under way, B of cohort B, an open one, missed ones with replacement work, a feed."""
    from datetime import timedelta

    from django.utils import timezone

    from lms.schedule import services as schedule
    from lms.schedule.enums import SignupMode

    now = timezone.now()

    def session(cohort, starts, **fields):
        return schedule.session_create(
            by=None,
            training=training,
            cohort=cohort,
            title="Lähiopetus",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place="Luokka 1",
            signup=SignupMode.COHORT if cohort else SignupMode.OPEN,
            **fields,
        )

    under_way = now - timedelta(minutes=10)
    session_a, session_b = session(cohort_a, under_way), session(cohort_b, under_way)
    missed_a, missed_b = session(cohort_a, now - timedelta(days=2)), session(cohort_b, now - timedelta(days=2))
    open_session = session(None, now + timedelta(days=7), seats=20)
    work_a = schedule.replacement_submit(user=learner, session=missed_a, text="Korvaava tehtävä")
    work_b = schedule.replacement_submit(user=other_learner, session=missed_b, text="Korvaava tehtävä")
    return {
        "values": {
            "session_id": session_a.pk,
            "open_session_id": open_session.pk,
            "replacement_id": work_a.pk,
            "feed_token": schedule.feed_for(learner).token,
        },
        "others": {"session_id": session_b.pk, "replacement_id": work_b.pk},
    }


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("permissions")
    files = {"MEDIA_ROOT": folder / "media", "PRIVATE_ROOT": folder / "private"}
    with django_db_blocker.unblock(), override_settings(**files), transaction.atomic():
        django_cache.clear()
        built = _build_scenario()
        built.files = files
        for role, user in built.users.items():
            if user is not None:
                client = Client()
                client.force_login(user)
                built.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield built
        transaction.set_rollback(True)
    django_cache.clear()  # Wagtail caches the root paths of the sites just rolled back


# --- requests and outcomes --------------------------------------------------------------------------


def _value_key(row: Row, parameter: str) -> str | None:
    patterns = [p for p, mapping in ARGUMENTS.items() if parameter in mapping and fnmatch.fnmatchcase(row.label, p)]
    if patterns:
        return ARGUMENTS[max(patterns, key=_specificity)][parameter]
    return parameter if parameter in DEFAULTS else None


def concrete_url(endpoint: Endpoint, row: Row, values: dict[str, str]) -> str:
    filled = {}
    for parameter, converter in endpoint.parameters():
        if row.is_glob:
            filled[parameter] = UNKNOWN_PATH if converter == "path" else UNKNOWN_ID
            continue
        key = _value_key(row, parameter)
        if key is None or key not in values:
            raise AssertionError(
                f"{DOC.name}:{row.line} ({row.label}): no scenario value for the parameter {parameter!r}; "
                f"name one in ARGUMENTS or DEFAULTS of {Path(__file__).name} (and the scenario)"
            )
        filled[parameter] = values[key]
    url = endpoint.url(filled)
    if not _resolves_to(url, endpoint):
        raise AssertionError(f"{url} is not {endpoint.ident} ({endpoint.route}): fix its values in ARGUMENTS")
    return url


def _resolves_to(url: str, endpoint: Endpoint) -> bool:
    try:
        match = resolve(urlsplit(url).path, urlconf=endpoint.urlconf.module)
    except Resolver404:
        return False
    if endpoint.name is not None:
        # A name can stand for two patterns (Kyky's cached page serving answers for Wagtail's "wagtail_serve").
        return match.view_name == endpoint.name
    return match.func == endpoint.callback


def fetch(client: Client, endpoint: Endpoint, method: str, url: str):
    host = endpoint.urlconf.host
    if method == "POST":
        # An empty form from our own origin, as a browser sends it (the test client skips CSRF checks).
        return client.generic(
            "POST",
            url,
            b"",
            content_type="application/x-www-form-urlencoded",
            HTTP_HOST=host,
            HTTP_ORIGIN=f"http://{host}",
        )
    return client.get(url, HTTP_HOST=host)


_LOGIN_VIEWS = {"account_login", "wagtailadmin_login", "wagtailcore_login"}


def outcome(response) -> str:
    """The response as a code of the legend; a 404 stays "404" (hidden or absent is the row's to say)."""
    status = response.status_code
    if 200 <= status < 300:
        return "ok"
    if status in {301, 302, 303, 307, 308}:
        location = urlsplit(response["Location"])
        try:
            view = resolve(location.path).url_name if location.netloc in {"", "testserver"} else None
        except Resolver404:
            view = None
        if view in _LOGIN_VIEWS:
            return "login"
        if view == "wagtailadmin_home" and _refused(response):
            return "deny"  # Wagtail admin's permission_denied(): back to the dashboard with an error
        return "redirect"
    return {403: "deny", 404: "404"}.get(status, str(status))


def _refused(response) -> bool:
    return any(message.level == messages.ERROR for message in messages.get_messages(response.wsgi_request))


def accepts(code: str, observed: str) -> bool:
    if code == "any":
        return not observed.startswith("5")
    if code in {"hidden", "absent"}:
        return observed == "404"
    return code == observed


def _problem(row: Row, role: str, url: str, response, expected: str, observed: str, what: str = "") -> str:
    location = f" to {response['Location']}" if response.has_header("Location") else ""
    message = (
        f"{row.method} {url} as {role}{what}: expected {expected}, got {observed} (HTTP {response.status_code}"
        f"{location}); {DOC.name}:{row.line} ({row.label})"
    )
    if getattr(response, "exc_info", None):
        message += "\n" + "".join(traceback.format_exception(*response.exc_info))
    return message


def check(client: Client, endpoint: Endpoint, row: Row, role: str, scenario: Scenario) -> list[str]:
    """What is wrong with ``endpoint`` requested as ``role`` according to ``row``: nothing, or messages."""
    django_cache.clear()  # rate limits count per client address; every request starts afresh
    expected = row.code(role)
    url = concrete_url(endpoint, row, scenario.values)
    response = fetch(client, endpoint, row.method, url)
    observed = outcome(response)
    own = OWN.fullmatch(expected)
    if not own:
        if any(accepts(code, observed) for code in _codes(expected)):
            return []
        return [_problem(row, role, url, response, expected, observed)]
    allowed = own.group(1) or "ok"
    if not accepts(allowed, observed):
        return [_problem(row, role, url, response, allowed, observed, " (their own object)")]
    theirs = concrete_url(endpoint, row, {**scenario.values, **scenario.others})
    if theirs == url:
        return [f"{DOC.name}:{row.line}: `own` for {row.label}, but no parameter names an object with an owner"]
    django_cache.clear()
    response = fetch(client, endpoint, row.method, theirs)
    observed = outcome(response)
    if observed == "404":
        return []
    return [_problem(row, role, theirs, response, "hidden", observed, " (someone else's object)")]


# --- the tests --------------------------------------------------------------------------------------


def test_the_urlconfs_are_walked():
    assert {e.urlconf.module for e in endpoints()} == {conf.module for conf in URLCONFS}
    assert len(endpoints()) > 100, "Wagtail admin's URLs alone are more"


def test_every_url_has_a_row():
    missing = sorted(f"{e.urlconf.module}: {e.ident}  ({e.route})" for e, key in governing().items() if key is None)
    assert not missing, f"URL patterns without a row in {DOC.name}:\n  " + "\n  ".join(missing)


def test_every_row_covers_a_url():
    rows, gaps = document()
    stale = [f"{DOC.name}:{row.line}: {row.label}" for row in rows if not governed(row)]
    assert not stale, "rows that no URL pattern answers to (removed? renamed?):\n  " + "\n  ".join(stale)
    labels = {(row.label, row.method) for row in rows}
    orphans = [f"{gap.label} {gap.method}" for gap in gaps if (gap.label, gap.method) not in labels]
    assert not orphans, f"known gaps in {DOC.name} without a row: {orphans}"


@pytest.mark.parametrize(("row", "role"), cases())
def test_permission(row: Row, role: str, scenario: Scenario, db):
    urls = governed(row)
    assert urls, f"{DOC.name}:{row.line}: no URL pattern answers to {row.label}"
    client = scenario.client(role)
    problems = []
    # In the scenario's file folders, whatever folder a conftest gives each test.
    with translation.override(settings.LANGUAGE_CODE), override_settings(**scenario.files):
        for endpoint in urls:
            problems += check(client, endpoint, row, role, scenario)
    assert not problems, "\n".join(problems)
