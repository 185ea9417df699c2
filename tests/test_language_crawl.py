"""No page shows text of another language: a crawl of every page each kind of user reaches in fi, sv and en.

The world is the real content (``content/``, three trainings in three languages) and a few
factories: a learner certified in one training and part-way through two others, a university with
a cohort, its admin and its teacher, and TTL's programme staff. Each of them, and an anonymous
visitor, follows every same-origin link from the start pages, in each language.

The detector is the project's own texts, not a guess at a language: a string of the interface
catalogues (ours and allauth's), a page title of the content trees or an organisation's name, whose
wording differs between the languages, is text of its language. Seen whole in a page of another
language (a text node, an element's text, a part of it between separators such as " · ", or a label
a screen reader reads) it is a hit. Text inside an element whose ``lang`` says it is in another
language (the language switcher, a lesson not translated yet) is meant to be there. A page whose
``<html lang>`` is not the crawl's language, and a link into another language's pages that does
not say so with ``hreflang``, are hits too.

lxml parses the pages: a parser made for real-world HTML that hands us each text node with its
element, which is what the ``lang`` rule needs.
"""

import re
from collections import defaultdict, deque
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import allauth
import lxml.html
import polib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from lms.certificates.models import Certificate
from lms.cms.services import site_pages_setup
from lms.courses import services as courses
from lms.courses.content_import import import_content
from lms.courses.models import LessonPage, ModulePage, TrainingPage
from lms.courses.structure import structure_for
from lms.organisations import services as organisations
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation
from tests.factories import (
    CERTIFICATE_STAFF,
    LessonPageFactory,
    UserFactory,
    translate_training,
    user_with_permissions,
)
from tests.factories import text as text_block
from tests.studying import study, teaching

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
CATALOGUES = {code: ROOT / "lms" / "locale" / code / "LC_MESSAGES" / "django.po" for code in ("fi", "sv")}
# allauth's own catalogues: the log-in, sign-up and password pages speak them where ours do not override.
ALLAUTH = Path(allauth.__file__).parent / "locale"
SOURCES = {
    "catalogue": CATALOGUES,
    "allauth": {code: ALLAUTH / code / "LC_MESSAGES" / "django.po" for code in ("fi", "sv")},
}
LANGUAGES = ("fi", "sv", "en")
PAGES_PER_CRAWL = 150  # per user and language: bounds the run time whatever the links
NOT_CRAWLED = re.compile(
    r"^/(admin|documents|media|static|i18n|_util|h5p)/"  # the admin, files, the language switch's POST
    r"|/logout/"
    r"|\.(pdf|xlsx|csv|json|zip|h5p|png|svg|jpe?g|webmanifest)$"  # downloads
)
NOT_IDENTITY = {"next", "from"}  # the same page, reached from another one
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")  # what a screen reader or a tooltip says
BUTTON_INPUTS = {"submit", "button", "reset"}
SKIPPED_ELEMENTS = {"script", "style", "template"}
PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|\{[^}]*\}")
SEPARATORS = re.compile(r"\s+[·|–—]\s+|:\s+")  # "Organisation · Training · Study mode"
# Wagtail's search and reference indexes, updated on every page save, are half of the import's time
# and nothing a page shows: their tasks are left queued while the content is imported.
NO_INDEXING = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
WORD = re.compile(r"[^\W\d_]{2,}")

# Texts that are the same in every language though a catalogue or a title gives them as one
# language's: proper names and the like. Each needs its reason.
ALLOWED: dict[str, str] = {}


def normalised(text: str) -> str:
    """Whitespace collapsed, a form label's colon and a required field's star dropped."""
    return " ".join(text.split()).strip(" :*")


def plain(text: str) -> str:
    """A catalogue string as a page shows it: markup gone, ``%%`` a percent sign."""
    return normalised(re.sub(r"<[^>]+>", "", text).replace("%%", "%"))


def words(text: str) -> int:
    return len(WORD.findall(PLACEHOLDER.sub(" ", text)))


@dataclass(frozen=True)
class Mark:
    language: str  # the language whose wording this is
    origin: str  # where the wording comes from


class Detector:
    """Which texts give away which language: the catalogues' strings, the content's page titles and
    the organisations' names."""

    def __init__(self):
        self.marks: dict[str, Mark] = {}  # text -> whose it is
        self.own: dict[str, set[str]] = {code: set() for code in LANGUAGES}  # every text each language uses
        self._seen: dict[tuple[str, str], Mark | None] = {}
        self._catalogues()
        self._titles()
        self.patterns = {
            code: [
                (re.compile(self._pattern(text)), text, mark)
                for text, mark in self.marks.items()
                if mark.language != code and PLACEHOLDER.search(text) and words(text) >= 2
            ]
            for code in LANGUAGES
        }
        # One alternation per language screens a text in a single pass; the loop only names the match.
        self.any_pattern = {
            code: re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _text, _mark in patterns))
            for code, patterns in self.patterns.items()
        }

    def _mark(self, forms: dict[str, list[str]], origin: str) -> None:
        for code, texts in forms.items():
            self.own[code].update(texts)
        for code, texts in forms.items():
            others = {t for other, other_texts in forms.items() if other != code for t in other_texts}
            for wording in texts:
                if not wording or wording in others or wording in ALLOWED:
                    continue
                if code != "en" or words(wording) >= 2:  # single English words ("OK", "Moodle") are everyone's
                    self.marks.setdefault(wording, Mark(code, origin))

    def _catalogues(self) -> None:
        for origin, files in SOURCES.items():
            entries = {
                code: {
                    (entry.msgctxt, entry.msgid): entry
                    for entry in polib.pofile(str(path))
                    if not (entry.obsolete or entry.fuzzy)
                }
                for code, path in files.items()
            }
            for key, fi in entries["fi"].items():
                sv = entries["sv"].get(key)
                english = [fi.msgid, *([fi.msgid_plural] if fi.msgid_plural else [])]
                forms = {"en": english, "fi": self._forms(fi), "sv": self._forms(sv) if sv else []}
                self._mark({code: [plain(text) for text in texts if text] for code, texts in forms.items()}, origin)

    @staticmethod
    def _forms(entry) -> list[str]:
        return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]

    def _titles(self) -> None:
        """Every page title of the content trees (trainings, modules, lessons, home and site pages)."""
        groups: dict = defaultdict(lambda: defaultdict(list))
        for key, code, title in Page.objects.filter(depth__gt=1).values_list(
            "translation_key", "locale__language_code", "title"
        ):
            groups[key][code].append(normalised(title))
        for forms in groups.values():
            self._mark(dict(forms), "page title")
        for names in Organisation.objects.values_list("name", "name_sv", "name_en"):
            forms = {code: [normalised(name)] for code, name in zip(("fi", "sv", "en"), names, strict=True) if name}
            self._mark(forms, "organisation name")

    @staticmethod
    def _pattern(text: str) -> str:
        return ".+?".join(re.escape(part) for part in PLACEHOLDER.split(text))

    def foreign(self, text: str, language: str) -> Mark | None:
        """The language ``text`` gives away when it stands whole on a page in ``language``, if another."""
        key = (text, language)
        if key not in self._seen:
            self._seen[key] = self._lookup(text, language)
        return self._seen[key]

    def _lookup(self, text: str, language: str) -> Mark | None:
        if not text or text in self.own[language] or text in ALLOWED:
            return None
        mark = self.marks.get(text)
        if mark is not None and mark.language != language:
            return mark
        if words(text) < 2 or not self.any_pattern[language].fullmatch(text):
            return None
        for pattern, source, found in self.patterns[language]:
            if pattern.fullmatch(text):
                return Mark(found.language, f"{found.origin} {source!r}")
        return None


# --- reading a page -----------------------------------------------------------------------------


def page_texts(root, language: str) -> list[str]:
    """What a person reads on the page in ``language``: text nodes, each element's whole text and the
    labels read aloud; leaving out scripts and styles and whatever says it is in another language."""
    texts: list[str] = []

    def walk(element, inherited: str) -> str:
        code = (element.get("lang") or inherited).split("-")[0].lower()
        if code != language or element.tag in SKIPPED_ELEMENTS:
            return ""
        texts.extend(value for attribute in READ_ATTRIBUTES if (value := element.get(attribute)))
        if element.tag == "input" and element.get("type") in BUTTON_INPUTS and element.get("value"):
            texts.append(element.get("value"))
        parts = [element.text or ""]
        for child in element:
            if isinstance(child.tag, str):  # not a comment or a processing instruction
                parts.append(walk(child, code))
            parts.append(child.tail or "")
        texts.extend(parts)
        whole = "".join(parts)
        texts.append(whole)
        return whole

    walk(root, root.get("lang") or "")
    whole = {normalised(text) for text in texts}
    parts = {normalised(part) for text in whole for part in SEPARATORS.split(text)}
    return [text for text in whole | parts if text]


def page_hits(root, language: str, detector: Detector) -> list[tuple[str, str]]:
    """The texts of another language on a page meant to be in ``language``, and whose they are."""
    page_language = (root.get("lang") or "").split("-")[0]
    hits = [] if page_language == language else [(f'<html lang="{page_language}">', "the page's language")]
    for seen in page_texts(root, language):
        mark = detector.foreign(seen, language)
        if mark is not None:
            hits.append((seen, f"{mark.language}: {mark.origin}"))
    return sorted(hits)


def identity(url: str) -> str:
    """A page's URL without what only says where it was reached from."""
    parts = urlsplit(url)
    query = sorted((key, value) for key, value in parse_qsl(parts.query) if key not in NOT_IDENTITY)
    return parts.path + (f"?{urlencode(query)}" if query else "")


def same_origin(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    if not parts.path.startswith("/"):
        return None  # relative paths and fragments only: none in Kyky's templates
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class Hit:
    language: str
    user: str
    url: str
    text: str
    why: str


def crawl(client, *, user: str, language: str, start: list[str], detector: Detector) -> tuple[list[Hit], int]:
    """Follow same-origin links from ``start`` (breadth first, at most PAGES_PER_CRAWL pages) and
    return the hits and the number of pages read."""
    other_prefixes = tuple(f"/{code}/" for code in LANGUAGES if code != language)
    queue = deque(start)
    seen = {identity(url) for url in start}
    hits: list[Hit] = []
    pages = 0
    while queue and pages < PAGES_PER_CRAWL:
        url = queue.popleft()
        try:
            response = client.get(url)
        except Exception as error:  # a 500: the test client raises what the view raised
            hits.append(Hit(language, user, url, repr(error), "the page fails"))
            continue
        found: list[str] = []
        if response.status_code >= 500:
            hits.append(Hit(language, user, url, str(response.status_code), "the page fails"))
        elif response.status_code == 429:
            hits.append(Hit(language, user, url, "429", "rate-limited: the crawl could not read the page"))
        elif response.status_code in (301, 302, 303, 307, 308):
            found.append(response["Location"])
        elif response.status_code != 405 and response.get("Content-Type", "").startswith("text/html"):
            pages += 1
            root = lxml.html.document_fromstring(response.content)
            hits.extend(Hit(language, user, url, text, why) for text, why in page_hits(root, language, detector))
            for link in root.iter("a"):
                href = same_origin(link.get("href") or "")
                if href is None:
                    continue
                if href.startswith(other_prefixes) and not link.get("hreflang"):
                    # The language switcher and a page not in this language say where they lead.
                    hits.append(Hit(language, user, url, href, "a link into another language without hreflang"))
                found.append(href)
        for href in found:
            href = same_origin(href)
            if href is None or NOT_CRAWLED.search(urlsplit(href).path) or href.startswith(other_prefixes):
                continue
            if identity(href) not in seen:
                seen.add(identity(href))
                queue.append(href)
    return hits, pages


# --- the world ----------------------------------------------------------------------------------


def complete(enrolment, training) -> None:
    """Everything ``training`` asks, done right, through the services a learner's and a teacher's
    actions reach: exams passed, sessions attended, assignments approved."""
    teacher = teaching(training, enrolment.user)
    for node in structure_for(training).lessons:
        study(enrolment, node, teacher=teacher)


def start_part_way(enrolment, training) -> None:
    """The first lesson done, the second answered wrongly."""
    first, second, *_rest = structure_for(training).lessons
    study(enrolment, first)
    study(enrolment, second, right=False)


@pytest.fixture
def world(homes, django_capture_on_commit_callbacks):
    with override_settings(TASKS=NO_INDEXING):
        site_pages_setup()
        import_content(CONTENT)
        trainings = {t.slug: t for t in TrainingPage.objects.filter(locale__language_code="fi")}
        coordinator, trainer, support = (
            trainings["tyokykykoordinaattorikoulutus"],
            trainings["kouluttajakoulutus"],
            trainings["tyokyvyn-tuki"],
        )
        # A lesson a trainer has added in Finnish and not yet had translated: shown to Swedish and
        # English learners in Finnish, which the page must say with lang="fi".
        LessonPageFactory(
            parent=ModulePage.objects.child_of(support).first(),
            title="Työkyvyn arviointi käytännössä",
            slug="arviointi-kaytannossa",
            body=[text_block("<p>Arvioinnin menetelmiä.</p>")],
        )
    learner = UserFactory(certificate_name="Liisa Oppija", first_name="Liisa", last_name="Oppija")
    with django_capture_on_commit_callbacks(execute=True):
        complete(courses.enrolment_create(user=learner, training=coordinator), coordinator)
    start_part_way(courses.enrolment_create(user=learner, training=trainer), trainer)

    university = Organisation.objects.create(
        name="Esimerkin ammattikorkeakoulu",
        name_sv="Exempel yrkeshögskola",
        name_en="Example University of Applied Sciences",
        kind=OrganisationKind.UAS,
    )
    admin = UserFactory(certificate_name="Aino Ylläpitäjä")
    teacher = UserFactory(certificate_name="Tero Opettaja")
    Membership.objects.create(organisation=university, user=admin, role=Role.ADMIN)
    Membership.objects.create(organisation=university, user=teacher, role=Role.TEACHER)
    cohort = Cohort.objects.create(
        organisation=university, training=support, name="TYÖ-2026", study_mode=StudyMode.DEGREE, credits=5
    )
    cohort.teachers.add(teacher)
    classmate = UserFactory(certificate_name="Kalle Kurssilainen")
    for person in (learner, classmate):
        CohortLearner.objects.create(cohort=cohort, user=person, student_number=f"s{person.pk}")
        courses.enrolment_create(user=person, training=support, invited=True, notify=False)
    start_part_way(courses.enrolment_create(user=learner, training=support), support)

    ttl = Organisation.objects.create(
        name="Työterveyslaitos",
        name_sv="Arbetshälsoinstitutet",
        name_en="Finnish Institute of Occupational Health",
        kind=OrganisationKind.TTL,
    )
    programme = user_with_permissions(*CERTIFICATE_STAFF, certificate_name="Sari Henkilökunta")
    Membership.objects.create(organisation=ttl, user=programme, role=Role.ADMIN)

    # What staff pages show after an upload, and the pages people invited by e-mail or link open.
    roster = "nimi;sähköposti;opiskelijanumero\nOona Uusi;oona@example.com;s100\nVirheellinen;ei-osoite;s101\n"
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = organisations.roster_import_start(
            cohort=cohort, upload=SimpleUploadedFile("ryhma.csv", roster.encode()), user=admin
        )
        invitation = organisations.invitation_create(cohort=cohort, email="uusi@example.com", invited_by=admin)
        staff_invitation = organisations.staff_invitation_create(
            organisation=university, email="opettaja@example.com", role=Role.TEACHER, invited_by=admin
        )
    code = organisations.invitation_link_create(cohort=cohort, days=30, seats=None)
    return {
        "users": {"learner": learner, "teacher": teacher, "org admin": admin, "programme staff": programme},
        "organisations": [university, ttl],
        "cohort": cohort,
        "certificate": Certificate.objects.get(enrolment__user=learner, part_key__isnull=True),
        "links": [  # by URL name, reversed in each language
            ("organisations:import", [roster_import.pk]),
            ("organisations:invitation_answer", [organisations.invitation_token(invitation)]),
            ("organisations:staff_invitation", [organisations.staff_invitation_token(staff_invitation)]),
            ("organisations:join", [code]),
        ],
    }


def start_pages(world, language: str) -> list[str]:
    """Every live page of the language's tree (home, trainings, lessons, site pages), My trainings,
    the profile, staff pages, verification, invitations, log-in and sign-up, and a page not found."""
    pages = Page.objects.live().filter(locale__language_code=language, depth__gt=1).order_by("path")
    with translation.override(language):
        named = [
            reverse("courses:dashboard"),
            reverse("accounts:profile"),
            reverse("organisations:cohorts"),
            reverse("organisations:cohort", args=[world["cohort"].pk]),
            reverse("organisations:organisations"),
            *(reverse("organisations:organisation", args=[o.pk]) for o in world["organisations"]),
            reverse("organisations:programme"),
            *(reverse(name, args=args) for name, args in world["links"]),
            reverse("certificates:verify_form"),
            reverse("certificates:verify", args=[world["certificate"].code]),
            reverse("account_login"),
            reverse("account_signup"),
            reverse("account_reset_password"),
            reverse("cms:contact"),
            f"/{language}/no-such-page/",
        ]
    return [*(page.get_url() for page in pages), *named]


# --- the test -----------------------------------------------------------------------------------


def test_no_page_shows_text_of_another_language(world):
    """Given the real content and every kind of user, when each crawls the site in fi, sv and en,
    then no page shows a catalogue string or a page title worded for another language."""
    detector = Detector()
    hits: list[Hit] = []
    users = {"anonymous": None, **world["users"]}
    starts = {language: start_pages(world, language) for language in LANGUAGES}
    for number, (language, (name, user)) in enumerate(product(LANGUAGES, users.items()), start=1):
        # Each visitor from an address of their own (TEST-NET-1): the verification page's rate limit
        # counts per address, and a single crawler would soon read only "too many requests".
        client = Client(REMOTE_ADDR=f"192.0.2.{number}")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if user is not None:
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
            client.force_login(user)
        found, pages = crawl(client, user=name, language=language, start=starts[language], detector=detector)
        assert pages > 5, f"/{language}/ as {name}: only {pages} pages read"
        hits.extend(found)

    seen_by: dict[tuple, list[str]] = defaultdict(list)  # the same text on the same page, for several users
    for hit in hits:
        users = seen_by[(hit.language, hit.url, hit.text, hit.why)]
        if hit.user not in users:
            users.append(hit.user)
    report = [
        f"/{code}/ {url}: {text!r} ({why}) as {', '.join(users)}" for (code, url, text, why), users in seen_by.items()
    ]
    assert not report, f"{len(report)} texts of another language:\n" + "\n".join(sorted(report))


def test_the_detector_finds_a_finnish_interface_text_on_a_swedish_page_unless_marked_finnish(homes):
    """Given the catalogues' "My trainings" in Finnish, when it stands on a Swedish page, then it is a
    hit, in the page's text and in a label read aloud; inside ``lang="fi"`` it is not."""
    finnish = next(entry.msgstr for entry in polib.pofile(str(CATALOGUES["fi"])) if entry.msgid == "My trainings")
    swedish = next(entry.msgstr for entry in polib.pofile(str(CATALOGUES["sv"])) if entry.msgid == "My trainings")
    page = f"""<html lang="sv"><head><title>{swedish}</title><script>"{finnish}"</script></head><body>
      <nav aria-label="{finnish}"><a href="/sv/learn/">{swedish}</a></nav>
      <p class="muted">Arbetshälsoinstitutet · {finnish}</p>
      <p lang="fi">{finnish}</p><a href="/fi/learn/" hreflang="fi">{finnish}</a>
    </body></html>"""

    hits = page_hits(lxml.html.document_fromstring(page), "sv", Detector())

    assert hits == [(finnish, "fi: catalogue")], hits


def test_the_detector_finds_a_swedish_lesson_title_on_an_english_page(training, locales):
    """Given a lesson translated into Swedish, when its Swedish title stands on an English page, then
    it is a hit; its Finnish title, which a fallback shows with ``lang="fi"``, is not one there."""
    lesson = LessonPage.objects.descendant_of(training).first()
    translate_training(
        training,
        locales["sv"],
        "Svensk utbildning",
        [lesson.get_parent(), lesson],
        lambda page: f"{page.title} på svenska",
    )
    swedish = f"{lesson.title} på svenska"
    page = f'<html lang="en"><body><h1>{swedish}</h1><p lang="fi">{lesson.title}</p></body></html>'

    hits = page_hits(lxml.html.document_fromstring(page), "en", Detector())

    assert hits == [(swedish, "sv: page title")]
