"""Reads for pages: each returns everything a page needs in a fixed number of queries.

The outline of a training (modules, lessons, the learner's status in each) comes from the
training's cached structure (``structure.py``) plus one query for the learner's progress, so the
lesson page and the dashboard cost the same for a training of 5 lessons or 100, and for 1
enrolment or 200.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Subquery

from lms import rows

from .enums import PASS, EnrolmentMode, LessonStatus
from .models import Enrolment, LessonPage, LessonProgress, PartCompletion, TrainingPage
from .rendering import lesson_segments
from .structure import (
    canonical_training_id,
    default_language,
    language_of,
    live_trainings,
    structure_for,
    structures_for,
    training_of,
)

# Plain strings: comparing with an enum member's attribute costs a descriptor call each time (Python 3.11).
COMPLETED, NOT_STARTED = LessonStatus.COMPLETED.value, LessonStatus.NOT_STARTED.value


@dataclass
class LessonEntry:
    pk: int
    key: uuid.UUID
    title: str
    url: str
    status: str = NOT_STARTED
    language: str = ""  # of the title and content: the default language's where not translated yet
    completed: bool = field(init=False)

    def __post_init__(self):
        self.completed = self.status == COMPLETED


class LessonCounts:
    """Counts over ``self.lessons`` for progress bars, counted once (the lessons are all in by then)."""

    lessons: list[LessonEntry]

    @property
    def total(self) -> int:
        return len(self.lessons)

    @cached_property
    def done(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.completed)

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0


@dataclass
class ModuleEntry(LessonCounts):
    pk: int
    key: uuid.UUID
    title: str
    url: str
    lessons: list[LessonEntry] = field(default_factory=list)
    language: str = ""

    @property
    def completed(self) -> bool:
        return self.done == self.total


@dataclass
class PartEntry(LessonCounts):
    """A part of a training in the outline; ``grade`` and ``certificate_code`` once the learner completed it."""

    pk: int
    key: uuid.UUID
    title: str
    url: str
    credits: Decimal  # what its certificate states (``structure.stated_credits``)
    grading: str
    modules: list[ModuleEntry] = field(default_factory=list)
    language: str = ""
    grade: str = ""
    completed_on: datetime.datetime | None = None
    certificate_code: str = ""

    @property
    def lessons(self) -> list[LessonEntry]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def completed(self) -> bool:
        return bool(self.grade)

    @property
    def passed(self) -> bool:
        return self.grade == PASS


@dataclass
class Outline(LessonCounts):
    training: TrainingPage
    enrolment: Enrolment | None
    modules: list[ModuleEntry]
    url: str = ""  # the training page's, from the structure: no look-up of the site's root paths
    language: str = ""  # the learner's: entries in another language are not translated yet
    parts: list[PartEntry] = field(default_factory=list)  # the same modules grouped, for a training with parts

    @property
    def lessons(self) -> list[LessonEntry]:
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def completed(self) -> bool:
        return self.enrolment is not None and self.enrolment.is_completed

    @property
    def certificate_code(self) -> str | None:
        """The code of the certificate in force, where the dashboard read it with the enrolment."""
        return getattr(self.enrolment, "certificate_code", None)

    @property
    def cohorts(self) -> list:
        """The learner's cohorts in this training (``LearnerCohort``), where the dashboard read them."""
        return getattr(self.enrolment, "cohorts", [])

    @property
    def continue_lesson(self) -> LessonEntry | None:
        """Where to go on: the first lesson not completed, so that none left open earlier is passed by.

        When every lesson is completed (the training itself may still wait for something), the last
        lesson opened, else the first.
        """
        lessons = self.lessons
        if not lessons:
            return None
        unfinished = next((lesson for lesson in lessons if not lesson.completed), None)
        if unfinished is not None:
            return unfinished
        last = self.enrolment.last_lesson_key if self.enrolment else None
        return next((lesson for lesson in lessons if lesson.key == last), lessons[0])


def _outlines(trainings: list[TrainingPage], enrolments: dict, statuses: dict, request) -> dict[int, Outline]:
    """Outlines of ``trainings`` keyed by page id, in each training's language, from the cached structures.

    No query when the structures are cached; ``statuses`` (``{lesson_key: status}``, the learner's
    progress) gives each lesson its status.
    """
    structures = structures_for(trainings)
    outlines = {}
    for training in trainings:
        structure = structures[training.translation_key]
        language = language_of(training.locale_id)
        modules = []
        for module in structure.modules:
            page = structure.page(module, language)
            entry = ModuleEntry(pk=page.pk, key=module.key, title=page.title, url=page.url, language=page.language)
            for lesson in module.lessons:
                lesson_page = structure.page(lesson, language)
                entry.lessons.append(
                    LessonEntry(
                        pk=lesson_page.pk,
                        key=lesson.key,
                        title=lesson_page.title,
                        url=lesson_page.url,
                        status=statuses.get(lesson.key, NOT_STARTED),
                        language=lesson_page.language,
                    )
                )
            modules.append(entry)
        by_key = {entry.key: entry for entry in modules}
        parts = []
        for part in structure.parts:
            page = structure.page(part, language)
            parts.append(
                PartEntry(
                    pk=page.pk,
                    key=part.key,
                    title=page.title,
                    url=page.url,
                    credits=part.stated_credits,
                    grading=part.grading,
                    modules=[by_key[module.key] for module in part.modules],
                    language=page.language,
                )
            )
        outlines[training.pk] = Outline(
            training=training,
            enrolment=enrolments.get(training.translation_key),
            modules=modules,
            url=ref.url if (ref := structure.pages.get(language)) else training.url,
            language=language,
            parts=parts,
        )
    return outlines


def parts_completed(outlines) -> None:
    """Fill in the learners' grades and part certificates on ``outlines`` (one query; none without parts).

    The certificate is named through the app registry, so that ``courses`` does not import ``certificates``.
    """
    wanted = {outline.enrolment.pk: outline for outline in outlines if outline.parts and outline.enrolment}
    if not wanted:
        return
    certificates = apps.get_model("certificates", "Certificate").objects.filter(
        enrolment_id=OuterRef("enrolment_id"), part_key=OuterRef("part_key"), revoked_at__isnull=True
    )
    found = {
        (enrolment_id, key): rest
        for enrolment_id, key, *rest in PartCompletion.objects.filter(enrolment_id__in=list(wanted))
        .annotate(code=Subquery(certificates.values("code")[:1]))
        .values_list("enrolment_id", "part_key", "grade", "completed_at", "code")
    }
    for enrolment_id, outline in wanted.items():
        for part in outline.parts:
            row = found.get((enrolment_id, part.key))
            if row is not None:
                part.grade, part.completed_on, code = row
                part.certificate_code = code or ""


_ENROLMENT = rows.select(Enrolment, "e") + "WHERE e.user_id = %s AND e.training_id = %s"


def enrolment_in(*, user, training: TrainingPage) -> Enrolment | None:
    """The user's enrolment in ``training`` (any language version): one query, no join.

    Enrolments point at the default-language training; when that is the page in hand (cached), it
    is set on the enrolment rather than read again.
    """
    if not user.is_authenticated:
        return None
    training_id = canonical_training_id(training)
    # On every learner request: SQL, because compiling the same filter cost the ORM twice what
    # running it cost PostgreSQL (and raw() a third more than a cursor).
    enrolment = rows.one(Enrolment, _ENROLMENT, [user.pk, training_id])
    if enrolment is not None and training.pk == training_id:
        enrolment.training = training
    return enrolment


_ENROLMENT_FIELDS = Enrolment._meta.concrete_fields
_PROGRESS_FIELDS = LessonProgress._meta.concrete_fields
# Every lesson's key and status, and the other columns only for the current lesson: the driver's
# decoding of the others' timestamps and answers was a tenth of a lesson page.
_PROGRESS_ALWAYS = {"id", "lesson_key", "status"}


@dataclass(frozen=True)
class LessonRider:
    """Another app's records of a learner on the lesson page, read in the page's one query.

    The H5P app's attempts and saved states rode in a query of their own, a second round trip on
    every lesson with an activity. An app registers a rider (``register_lesson_rider``) instead of
    ``courses`` importing it: ``fields`` type its columns, ``select`` names them, ``joins(n)`` is what
    follows ``FROM <enrolment> e`` to reach its rows for ``n`` ids (it may use ``e``; placeholders
    for the ids only), ``ids(lesson)`` are the ids on a lesson, and ``read(rows)`` makes what the page
    needs of its rows (it gets ``[]`` for a lesson without any).
    """

    name: str
    fields: tuple
    select: str
    joins: Callable[[int], str]
    ids: Callable[[LessonPage], list]
    read: Callable[[list], object]


_riders: list[LessonRider] = []


def register_lesson_rider(rider: LessonRider) -> None:
    _riders[:] = [r for r in _riders if r.name != rider.name] + [rider]
    _with_progress_sql.cache_clear()
    _row_layout.cache_clear()


@cache
def _row_layout() -> tuple[slice, list[slice]]:
    """Where in a row of ``_with_progress_sql`` the progress record's columns are, and each rider's."""
    at = 1 + len(_ENROLMENT_FIELDS) + 1  # the kind, the enrolment, the current-record flag
    progress, at = slice(at, at + len(_PROGRESS_FIELDS)), at + len(_PROGRESS_FIELDS)
    spans = []
    for rider in _riders:
        spans.append(slice(at, at + len(rider.fields)))
        at += len(rider.fields)
    return progress, spans


_ENROLMENT_ROW, _PROGRESS_ROW = 0, 1  # a row's kind, its first column; a rider's rows are 2, 3, ...


@cache
def _with_progress_sql(counts: tuple[int, ...]) -> str:
    """The enrolment once, then one row per progress record, then each rider's rows (``counts``: its ids).

    A join would repeat the enrolment's columns on every record, and the driver decoded its four
    timestamps twenty times over on a lesson page. Every row has every branch's columns, the others'
    as typed NULLs (``rows.nulls``).
    """
    enrolments, progress = Enrolment._meta.db_table, LessonProgress._meta.db_table
    tail = [rows.nulls(r.fields) for r in _riders]

    def padded(kind, *parts, rider=None):
        return ", ".join(
            [str(kind), *parts, *(r.select if r is rider else n for r, n in zip(_riders, tail, strict=True))]
        )

    own = "WHERE e.user_id = %s AND e.training_id = %s"
    head = padded(_ENROLMENT_ROW, rows.columns("e", _ENROLMENT_FIELDS), "FALSE", rows.nulls(_PROGRESS_FIELDS))
    records = padded(_PROGRESS_ROW, rows.nulls(_ENROLMENT_FIELDS), "p.lesson_key = %s", _PROGRESS_COLUMNS)
    branches = [
        f"SELECT {head} FROM {enrolments} e {own}",  # noqa: S608 (names and placeholders)
        f"SELECT {records} FROM {enrolments} e JOIN {progress} p ON p.enrolment_id = e.id {own}",  # noqa: S608
    ]
    for kind, (rider, count) in enumerate(zip(_riders, counts, strict=True), start=_PROGRESS_ROW + 1):
        if count:
            pad = padded(kind, rows.nulls(_ENROLMENT_FIELDS), "FALSE", rows.nulls(_PROGRESS_FIELDS), rider=rider)
            branches.append(f"SELECT {pad} FROM {enrolments} e {rider.joins(count)} {own}")  # noqa: S608
    return " UNION ALL ".join(branches)


_PROGRESS_COLUMNS = ", ".join(
    f"p.{f.column}" if f.name in _PROGRESS_ALWAYS else f"CASE WHEN p.lesson_key = %s THEN p.{f.column} END"
    for f in _PROGRESS_FIELDS
)
_PROGRESS_ONLY_CURRENT = sum(1 for f in _PROGRESS_FIELDS if f.name not in _PROGRESS_ALWAYS)
_PROGRESS_KEY_AT = [f.name for f in _PROGRESS_FIELDS].index("lesson_key")
_PROGRESS_STATUS_AT = [f.name for f in _PROGRESS_FIELDS].index("status")


def enrolment_with_progress(*, user, training: TrainingPage, lesson: LessonPage | None = None):
    """The user's enrolment in ``training``, every lesson's status, and one lesson's record: one query.

    ``(enrolment, statuses, record, riders)``, or ``(None, {}, None, {})`` for someone not enrolled.
    A learner half-way through a training has dozens of progress rows; only the record of ``lesson``
    is made a model (the others' answers are never decoded). One statement (the enrolment, then its
    records, then what riders read for ``lesson``) saves the round trip and the Python of a query
    each on every lesson and training page. ``riders`` has what each rider read, by its name.
    """
    if not user.is_authenticated:
        return None, {}, None, {}
    training_id = canonical_training_id(training)
    key_converters = rows.converters(_PROGRESS_FIELDS)[_PROGRESS_KEY_AT]
    key_param = None
    if lesson is not None:
        key_param = LessonProgress._meta.get_field("lesson_key").get_db_prep_value(lesson.translation_key, connection)
    own = [user.pk, training_id]
    ids = [rider.ids(lesson) if lesson is not None else [] for rider in _riders]
    params = [*own, key_param, *[key_param] * _PROGRESS_ONLY_CURRENT, *own]
    for these in ids:
        if these:
            params += [*these, *own]
    with connection.cursor() as cursor:
        cursor.execute(_with_progress_sql(tuple(len(these) for these in ids)), params)
        found = cursor.fetchall()
    head = next((row for row in found if row[0] == _ENROLMENT_ROW), None)
    if head is None:
        return None, {}, None, {}
    width = len(_ENROLMENT_FIELDS)
    enrolment = rows.model(Enrolment, _ENROLMENT_FIELDS, head[1 : 1 + width])
    if training.pk == training_id:
        enrolment.training = training
    statuses, record = {}, None
    ridden: list[list] = [[] for _rider in _riders]
    progress_at, spans = _row_layout()
    for row in found:
        if row[0] == _PROGRESS_ROW:
            current, progress = row[1 + width], row[progress_at]
            key = progress[_PROGRESS_KEY_AT]
            if key_converters:
                key = rows.converted([key], [key_converters])[0]
            statuses[key] = progress[_PROGRESS_STATUS_AT]
            if current:
                record = rows.model(LessonProgress, _PROGRESS_FIELDS, progress)
                record.enrolment = enrolment
        elif row[0] > _PROGRESS_ROW:
            index = row[0] - _PROGRESS_ROW - 1
            ridden[index].append(row[spans[index]])
    riders = {rider.name: rider.read(these) for rider, these in zip(_riders, ridden, strict=True)} if lesson else {}
    return enrolment, statuses, record, riders


def training_catalogue(*, locale_id: int, user) -> list[dict]:
    """The live trainings in a locale with the user's enrolment in each, if any (one query, none anonymous)."""
    language, index = language_of(locale_id), live_trainings()
    trainings = sorted((page for (_key, lang), page in index.by_key.items() if lang == language), key=lambda p: p.path)
    enrolled = {}
    if user.is_authenticated:
        enrolled = {
            index.by_id[e.training_id].translation_key: e
            for e in Enrolment.objects.filter(user=user).only("status", "completed_at", "training_id")
            if e.training_id in index.by_id
        }
    return [{"page": t, "enrolment": enrolled.get(t.translation_key)} for t in trainings]


def training_overview(*, training: TrainingPage, user, request) -> dict:
    """The training page: the outline with the learner's progress and the prerequisites (one query)."""
    enrolment, statuses, *_ = enrolment_with_progress(user=user, training=training)
    outline = _outlines([training], {training.translation_key: enrolment}, statuses, request)[training.pk]
    language = language_of(training.locale_id)
    parts_completed([outline])
    structure = structure_for(training)
    return {
        "outline": outline,
        "workload": structure.workload,
        "credits": structure.stated_credits,
        "enrolment": enrolment,
        "prerequisites": prerequisite_links(training=training, language=language),
        "needs_key": training.enrolment_mode == EnrolmentMode.KEY,
        "by_invitation": training.enrolment_mode == EnrolmentMode.INVITATION,
    }


@dataclass(frozen=True)
class PrerequisiteLink:
    """A training, or a part of one, to complete first: its title and page in the reader's language where
    it has one, else in the default language (``lang`` then says which)."""

    title: str
    url: str
    lang: str = ""
    training_title: str = ""  # a part's training


def prerequisite_links(*, training: TrainingPage, language: str) -> list[PrerequisiteLink]:
    """``training``'s prerequisites as links, from the cached index and structures: no query per prerequisite."""
    index = live_trainings()
    required = index.prerequisites.get(training.translation_key, ())
    if not required:
        return []
    default = default_language()
    structures = structures_for(index.by_key[key, default] for key, _part in required if (key, default) in index.by_key)
    links = []
    for training_key, part_key in required:
        structure = structures.get(training_key)
        if structure is None or default not in structure.pages:
            continue
        own = structure.pages.get(language) or structure.pages[default]
        node = structure.part(part_key) if part_key else None
        if part_key and node is None:
            continue  # the part is not live
        ref = structure.page(node, language) if node else own
        lang = ref.language if ref.language != language else ""
        links.append(PrerequisiteLink(ref.title, ref.url, lang, own.title if node else ""))
    return links


def part_overview(*, part, user, request, language: str | None = None) -> dict:
    """The part page: the training's overview, with this part's entry."""
    training = _in_language(training_of(part), language)
    context = training_overview(training=training, user=user, request=request)
    context["training"] = training
    context["part_entry"] = next((p for p in context["outline"].parts if p.key == part.translation_key), None)
    node = structure_for(training).part(part.translation_key)
    context["part_workload"] = node.workload if node else None
    content_language = language_of(part.locale_id)
    context["content_language"] = content_language if content_language != context["outline"].language else None
    return context


def module_overview(*, module, user, request, language: str | None = None) -> dict:
    """The module page; ``language`` is the learner's where the module is shown untranslated in it."""
    training = _in_language(training_of(module), language)
    context = training_overview(training=training, user=user, request=request)
    context["training"] = training
    context["module_entry"] = next((m for m in context["outline"].modules if m.pk == module.pk), None)
    content_language = language_of(module.locale_id)
    context["content_language"] = content_language if content_language != context["outline"].language else None
    return context


@dataclass
class LessonView:
    """What the lesson page shows, and the learner's records behind it."""

    lesson: LessonPage
    training: TrainingPage
    enrolment: Enrolment | None
    statuses: dict[uuid.UUID, str]  # every lesson's
    lesson_progress: LessonProgress | None  # this lesson's record
    riders: dict = field(default_factory=dict)  # other apps' records of this lesson (LessonRider), by name
    outline: Outline | None = None

    def record_opened(self, record: LessonProgress) -> None:
        self.lesson_progress = record
        self.statuses[record.lesson_key] = record.status


def _in_language(training: TrainingPage, language: str | None) -> TrainingPage:
    """``training`` in ``language`` where that is another live translation, so the page around an
    untranslated module or lesson (outline, links, breadcrumb) stays in the learner's language."""
    if not language or language == language_of(training.locale_id):
        return training
    return live_trainings().localised(training, language)


def lesson_view(*, lesson: LessonPage, user, language: str | None = None) -> LessonView:
    """The lesson's training (cached) in ``language`` (else the lesson's), the learner's enrolment and
    progress (one query)."""
    training = _in_language(training_of(lesson), language)
    enrolment, statuses, record, riders = enrolment_with_progress(user=user, training=training, lesson=lesson)
    return LessonView(
        lesson=lesson, training=training, enrolment=enrolment, statuses=statuses, lesson_progress=record, riders=riders
    )


def lesson_context(view: LessonView, request) -> dict:
    """Outline, neighbours and this learner's answers for the lesson page (two more queries)."""
    outline = _outlines([view.training], {view.training.translation_key: view.enrolment}, view.statuses, request)[
        view.training.pk
    ]
    view.outline = outline
    lessons = outline.lessons
    index = next((i for i, entry in enumerate(lessons) if entry.pk == view.lesson.pk), None)
    module = next((m for m in outline.modules if any(e.pk == view.lesson.pk for e in m.lessons)), None)
    record = view.lesson_progress
    content_language = language_of(view.lesson.locale_id)
    structure = structures_for([view.training])[view.training.translation_key]
    node = structure.lesson(view.lesson.translation_key)
    return {
        "training": view.training,
        # Set where the lesson is shown untranslated: the page says so and marks the content's language.
        "content_language": content_language if content_language != outline.language else None,
        # The language menu leads to this lesson in each language (its fallback URL where untranslated).
        "language_urls": {code: structure.page(node, code).url for code in structure.pages} if node else None,
        "enrolment": view.enrolment,
        "outline": outline,
        "module_entry": module,
        "previous_lesson": lessons[index - 1] if index else None,
        "next_lesson": lessons[index + 1] if index is not None and index + 1 < len(lessons) else None,
        "lesson_progress": record,
        # A preview's body is a draft: rendered for it alone, never kept.
        "segments": lesson_segments(view.lesson, cached=not getattr(request, "is_preview", False)),
        "answers": record.answers if record else {},
        "reflections": record.reflections if record else {},
        "riders": view.riders,
    }


@cache
def _enrolments_sql() -> str:
    """Each enrolment with the code of its certificate in force (at most one: a constraint says so),
    and the learner's cohorts in its training with their organisations and teachers.

    One row per enrolment, cohort and teacher (a learner has a cohort or two, a cohort a few
    teachers). The tables are named through the app registry, as the certificates' are, so that
    ``courses`` imports neither app.
    """
    table = {name: apps.get_model(*name.split(".", 1))._meta.db_table for name in _JOINED}
    cohort = apps.get_model("organisations", "Cohort")
    teachers = cohort._meta.get_field("teachers").remote_field.through._meta.db_table
    users = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    return (
        f"SELECT {rows.columns('e', Enrolment._meta.concrete_fields)}, c.code AS certificate_code, "  # noqa: S608
        "co.id AS cohort_pk, co.name AS cohort_name, "
        "o.name AS organisation_fi, o.name_sv AS organisation_sv, o.name_en AS organisation_en, "
        "u.certificate_name AS teacher_name, u.first_name AS teacher_first, u.last_name AS teacher_last "
        f"FROM {Enrolment._meta.db_table} e "
        f"LEFT JOIN {table['certificates.Certificate']} c ON c.enrolment_id = e.id AND c.revoked_at IS NULL "
        "AND c.part_key IS NULL "
        f"LEFT JOIN ({table['organisations.CohortLearner']} cl "
        f"JOIN {cohort._meta.db_table} co ON co.id = cl.cohort_id "
        f"JOIN {table['organisations.Organisation']} o ON o.id = co.organisation_id) "
        "ON cl.user_id = e.user_id AND co.training_id = e.training_id "
        f"LEFT JOIN ({teachers} ct JOIN {users} u ON u.id = ct.user_id) ON ct.cohort_id = co.id "
        "WHERE e.user_id = %s ORDER BY e.enrolled_at DESC, e.id, co.created_at, co.id"
    )


_JOINED = ("certificates.Certificate", "organisations.CohortLearner", "organisations.Organisation")


@dataclass
class LearnerCohort:
    """A cohort the learner is in, as *My trainings* names it: its organisation and its teachers."""

    name: str
    organisation: str
    teachers: list[str] = field(default_factory=list)


def _with_cohorts(rows: list[Enrolment], language: str) -> list[Enrolment]:
    """The enrolments of the dashboard's rows, each once, with its ``cohorts`` gathered from its rows."""
    Organisation = apps.get_model("organisations", "Organisation")
    enrolments: dict[int, Enrolment] = {}
    for row in rows:
        enrolment = enrolments.setdefault(row.pk, row)
        if not hasattr(enrolment, "cohorts"):
            enrolment.cohorts, enrolment.cohort_by_id = [], {}
        if row.cohort_pk is None:
            continue
        cohort = enrolment.cohort_by_id.get(row.cohort_pk)
        if cohort is None:
            names = Organisation(name=row.organisation_fi, name_sv=row.organisation_sv, name_en=row.organisation_en)
            cohort = enrolment.cohort_by_id[row.cohort_pk] = LearnerCohort(
                name=row.cohort_name, organisation=names.localised_name(language)
            )
            enrolment.cohorts.append(cohort)
        teacher = row.teacher_name or " ".join(filter(None, [row.teacher_first, row.teacher_last]))
        if teacher:  # a teacher without a name is not shown by their address
            cohort.teachers.append(teacher)
    for enrolment in enrolments.values():
        for cohort in enrolment.cohorts:
            cohort.teachers.sort()
    return list(enrolments.values())


def dashboard(*, user, language: str, request) -> list[Outline]:
    """The user's trainings in ``language`` (falling back to the default one), with progress.

    Two queries (enrolments with their certificates and cohorts, progress), three when a training
    has parts (their grades and certificates); the training pages come from the cached index.
    """
    enrolments = _with_cohorts(list(Enrolment.objects.raw(_enrolments_sql(), [user.pk])), language)
    if not enrolments:
        return []
    index = live_trainings()
    for enrolment in enrolments:
        if enrolment.training_id in index.by_id:
            enrolment.training = index.by_id[enrolment.training_id]  # else read when used: an unpublished one
    trainings = [index.localised(e.training, language) for e in enrolments]
    by_key = {e.training.translation_key: e for e in enrolments}
    progress = dict(
        LessonProgress.objects.filter(enrolment__in=[e.pk for e in enrolments]).values_list("lesson_key", "status")
    )
    outlines = _outlines(trainings, by_key, progress, request)
    parts_completed(outlines.values())
    return [outlines[t.pk] for t in trainings]


def _part_title(training, part_key) -> str:
    structure = structure_for(training)
    part = structure.part(part_key)
    return structure.page(part, structure.default_language).title if part else str(part_key)


def personal_data(user) -> list[dict]:
    """The user's enrolments, progress, answers and reflections, for their data export."""
    enrolments = (
        Enrolment.objects.filter(user=user)
        .select_related("training")
        .prefetch_related("lesson_progress", "module_completions", "part_completions")
    )
    titles = dict(
        LessonPage.objects.filter(
            translation_key__in=[p.lesson_key for e in enrolments for p in e.lesson_progress.all()],
            locale_id__in=[e.training.locale_id for e in enrolments],
        ).values_list("translation_key", "title")
    )
    return [
        {
            "training": e.training.title,
            "status": e.status,
            "enrolled_at": e.enrolled_at.isoformat(),
            "completed_at": e.completed_at.isoformat() if e.completed_at else None,
            "modules_completed": [m.completed_at.isoformat() for m in e.module_completions.all()],
            "parts_completed": [
                {
                    "part": _part_title(e.training, p.part_key),
                    "completed_at": p.completed_at.isoformat(),
                    "grade": p.grade,
                }
                for p in e.part_completions.all()
            ],
            "lessons": [
                {
                    "lesson": titles.get(p.lesson_key, str(p.lesson_key)),
                    "status": p.status,
                    "score": p.score,
                    "opened_at": p.opened_at.isoformat(),
                    "completed_at": p.completed_at.isoformat() if p.completed_at else None,
                    "answers": p.answers,
                    "reflections": p.reflections,
                }
                for p in e.lesson_progress.all()
            ],
        }
        for e in enrolments
    ]
