"""One read model of a training: its structure, built once per published state and cached.

A training's structure is what every page and every decision about progress needs, and it is the
same for every learner: its modules and lessons in order, their translation keys, their pages
(title and URL) in each language, and what each lesson requires (its questions with their
answers, its reflection tasks, its H5P activities with their pass marks, its completion rule).
``structure_for`` builds it from the published pages in a fixed number of queries and keeps it in
the cache, shared by every process, under the content generation (``lms.generation``): any change
to the pages or an H5P activity starts a new one, so nobody reads a stale structure.

The default-language (Finnish) tree defines the structure and the rules; the other languages give
titles and URLs, and a page missing in a language falls back to the default one, so every
language counts the same lessons. A fallback keeps the learner in their own language's tree: its
URL is the default-language page's slug under the translated training or module
(``TrainingPage.route`` serves it there), and its ``language`` says that its content is not in the
learner's language, so the page can say so and mark it up with ``lang``.

``Progress`` is the one summary of a learner's records over a structure: the lesson page, the
dashboard, the completion cascade, the cohort table and the trainers' report all count with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale

from lms import generation

from .blocks import Requirements, requirements_of
from .completion import activity_pass_marks
from .enums import LessonStatus
from .models import LessonPage, ModulePage, PartPage, TrainingPage, TrainingPrerequisite


@dataclass(frozen=True)
class PageRef:
    pk: int
    title: str
    url: str
    language: str = ""  # of the page's content: the default language's where it stands in for a translation


@dataclass(frozen=True)
class LessonNode:
    key: uuid.UUID
    module_key: uuid.UUID
    rule: str
    pass_percent: int | None
    estimated_minutes: int
    requirements: Requirements
    pages: Mapping[str, PageRef]  # by language code; the default language always present

    @property
    def assignment_minutes(self) -> int:
        """The designed work of the lesson's assessed work beyond reading it: assignments, exams,
        self-assessments and contact sessions."""
        assignments = sum(
            _hours_as_minutes(value.get("estimated_hours")) for value in self.requirements.assignments.values()
        )
        return assignments + self.requirements.gate_minutes


def _hours_as_minutes(hours) -> int:
    try:
        return max(0, int(Decimal(str(hours or 0)) * 60))
    except (InvalidOperation, ValueError):
        return 0


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Workload:
    """A training's designed workload: what its lessons, readings and assignments ask of a learner, in minutes."""

    lesson_minutes: int
    assignment_minutes: int
    reading_minutes: int = 0

    @property
    def minutes(self) -> int:
        return self.lesson_minutes + self.assignment_minutes + self.reading_minutes

    @property
    def reading_hours(self) -> Decimal:
        return _hours(self.reading_minutes)

    @property
    def hours(self) -> Decimal:
        return _hours(self.minutes)

    @property
    def lesson_hours(self) -> Decimal:
        return _hours(self.lesson_minutes)

    @property
    def assignment_hours(self) -> Decimal:
        return _hours(self.assignment_minutes)

    def credits_supported(self, hours_per_credit: int) -> Decimal:
        """The credits this workload supports, in half credits (5 credits, 2.5 credits...), rounded down."""
        halves = int(Decimal(self.minutes) * 2 / (60 * hours_per_credit))
        return Decimal(halves) / 2


NO_WORKLOAD = Workload(lesson_minutes=0, assignment_minutes=0)


def _workload(lessons: Iterable[LessonNode]) -> Workload:
    """What ``lessons`` are designed to take (``LessonPage.estimated_minutes``, ``AssignmentBlock.estimated_hours``)."""
    lessons = tuple(lessons)
    return Workload(
        lesson_minutes=sum(lesson.estimated_minutes for lesson in lessons),
        assignment_minutes=sum(lesson.assignment_minutes for lesson in lessons),
        reading_minutes=sum(lesson.requirements.reading_minutes for lesson in lessons),
    )


def stated_credits(declared: Decimal, workload: Workload) -> Decimal:
    """The credits a certificate states: what the published page declares, never more than its workload supports.

    The admin refuses to publish more (``forms.CreditsBackedByWorkload``); this keeps pages published
    before that rule, or by the content import, from promising credit their material does not hold.
    """
    return min(declared or Decimal(0), workload.credits_supported(settings.KYKY_HOURS_PER_CREDIT))


@dataclass(frozen=True)
class ModuleNode:
    key: uuid.UUID
    pages: Mapping[str, PageRef]
    lessons: tuple[LessonNode, ...]
    part_key: uuid.UUID | None = None


@dataclass(frozen=True)
class PartNode:
    """A part of a training: its modules, credits (as declared) and grading, from the default-language page."""

    key: uuid.UUID
    pages: Mapping[str, PageRef]
    modules: tuple[ModuleNode, ...]
    credits: Decimal
    grading: str

    @property
    def lessons(self) -> tuple[LessonNode, ...]:
        return tuple(lesson for module in self.modules for lesson in module.lessons)

    @property
    def workload(self) -> Workload:
        return _workload(self.lessons)

    @property
    def stated_credits(self) -> Decimal:
        return stated_credits(self.credits, self.workload)


@dataclass(frozen=True)
class TrainingStructure:
    key: uuid.UUID
    default_language: str
    pages: Mapping[str, PageRef]
    modules: tuple[ModuleNode, ...]  # every module, in order, whether in a part or not
    parts: tuple[PartNode, ...] = ()  # empty for a training without parts
    credits: Decimal = Decimal(0)  # as the default-language page declares them

    @property
    def lessons(self) -> tuple[LessonNode, ...]:
        return tuple(lesson for module in self.modules for lesson in module.lessons)

    @property
    def workload(self) -> Workload:
        """What the published lessons and assignments are designed to take: the figure credits are checked against."""
        return _workload(self.lessons)

    @property
    def stated_credits(self) -> Decimal:
        return stated_credits(self.credits, self.workload)

    def part(self, key: uuid.UUID) -> PartNode | None:
        return next((part for part in self.parts if part.key == key), None)

    def lesson(self, key: uuid.UUID) -> LessonNode | None:
        return next((lesson for lesson in self.lessons if lesson.key == key), None)

    def lesson_of_page(self, pk: int) -> LessonNode | None:
        """The lesson that page ``pk`` (in any language) belongs to."""
        return next((lesson for lesson in self.lessons if any(p.pk == pk for p in lesson.pages.values())), None)

    def page(self, node, language: str) -> PageRef:
        """``node``'s page in ``language``, or in the default language where it has none."""
        return node.pages.get(language) or node.pages[self.default_language]


# Part of the cache key: raise it when the cached shape changes, so that a deploy never unpickles
# a structure of the old shape (the content generation survives deploys).
# 2: lessons' requirements name their assignments; 3: parts and credits; 4: readings' minutes; 5: gates;
# 6: questions' prompts and attempts allowed
SHAPE = 6


def structure_for(training) -> TrainingStructure:
    """The structure of ``training`` (any language version), from the cache when it is there."""
    key = training.translation_key
    return generation.cached(f"structure:{SHAPE}:{key}", lambda: build(key), immutable=True)


def structures_for(trainings: Iterable) -> dict[uuid.UUID, TrainingStructure]:
    """Structures of several trainings, by translation key: one cache round trip for those cached."""
    keys = {t.translation_key for t in trainings}
    prefix = generation.key(f"structure:{SHAPE}:")
    found = {key: local for key in keys if (local := generation.local_get(f"{prefix}{key}")) is not None}
    wanted = [f"{prefix}{key}" for key in keys - set(found)]
    found.update({s.key: s for s in cache.get_many(wanted).values()} if wanted else {})
    for key in keys - set(found):
        found[key] = build(key)
        cache.set(f"{prefix}{key}", found[key], generation.TIMEOUT)
    for key, structure in found.items():
        generation.local_set(f"{prefix}{key}", structure)
    return found


def language_of(locale_id: int) -> str:
    """A locale's language code, without a query once the generation's table of locales is cached."""
    languages = generation.cached(
        "locales", lambda: dict(Locale.objects.values_list("pk", "language_code")), immutable=True
    )
    return languages[locale_id] if locale_id in languages else default_language()


def default_language() -> str:
    """The language of the default locale (Wagtail's rule, without its query)."""
    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class Trainings:
    """Every live training page, in every language: a handful of pages every learner page looks up."""

    by_id: Mapping[int, TrainingPage]
    by_key: Mapping[tuple[uuid.UUID, str], TrainingPage]  # (translation key, language)
    # training key -> (required training's key, required part's key or None), as the default language's page says
    prerequisites: Mapping[uuid.UUID, tuple[tuple[uuid.UUID, uuid.UUID | None], ...]]

    def localised(self, training: TrainingPage, language: str) -> TrainingPage:
        """``training`` in ``language`` where it is published, else as it is."""
        return self.by_key.get((training.translation_key, language), training)


def live_trainings() -> Trainings:
    """The live trainings and their prerequisites (two queries per generation; then from the process).

    The pages are for reading only (see ``generation.cached``).
    """

    def build_index() -> Trainings:
        pages = list(TrainingPage.objects.live().order_by("path"))
        by_id = {page.pk: page for page in pages}
        by_path = {page.path: page.translation_key for page in pages}  # a part's parent is its training
        # The default-language pages' prerequisites are the rule, as ``enrolment_create`` applies them.
        rule_pages = [page.pk for page in pages if language_of(page.locale_id) == default_language()]
        prerequisites: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID | None]]] = {}
        for training_id, required_key, part_key, part_path in (
            TrainingPrerequisite.objects.filter(training_id__in=rule_pages)
            .order_by("sort_order")
            .values_list(
                "training_id",
                "required_training__translation_key",
                "required_part__translation_key",
                "required_part__path",
            )
        ):
            if part_key is not None:
                required_key = by_path.get(part_path[: -PartPage.steplen])
            if required_key is not None:  # None: the part's training is not live
                prerequisites.setdefault(by_id[training_id].translation_key, []).append((required_key, part_key))
        return Trainings(
            by_id=by_id,
            by_key={(page.translation_key, language_of(page.locale_id)): page for page in pages},
            prerequisites={key: tuple(keys) for key, keys in prerequisites.items()},
        )

    return generation.cached("live-trainings:2", build_index, immutable=True)  # 2: parts as prerequisites


def live_lesson(pk: int) -> LessonPage | None:
    """The live lesson ``pk`` (any language), from the cache once found; misses are not kept.

    Kept in the process too, like everything ``immutable``: a page read here is for reading only.
    """
    return generation.cached(
        f"live-lesson:{int(pk)}", lambda: LessonPage.objects.live().filter(pk=pk).first(), immutable=True
    )


def canonical_training_id(training) -> int | None:
    """The id of the default-language version of ``training``, which enrolments point at."""
    page = structure_for(training).pages.get(default_language())
    return page.pk if page else None


def stand_in(training: TrainingPage, path_components) -> PartPage | ModulePage | LessonPage | None:
    """The live default-language part, module or lesson that the structure places at ``path_components``
    under ``training`` (a translation) because it is not translated into its language yet."""
    structure = structure_for(training)
    language = language_of(training.locale_id)
    own = structure.pages.get(language)
    if own is None or language == structure.default_language or not path_components:
        return None
    url = own.url + "".join(f"{component}/" for component in path_components)
    nodes = (*structure.parts, *(node for module in structure.modules for node in (module, *module.lessons)))
    for node in nodes:
        ref = node.pages.get(language)
        if ref is not None and ref.url == url and ref.language != language:
            model = {PartNode: PartPage, ModuleNode: ModulePage}.get(type(node), LessonPage)
            return model.objects.live().filter(pk=ref.pk).first()
    return None


def lesson_url(lesson, language: str) -> str:
    """``lesson``'s address in ``language``'s tree, which for a lesson not translated yet is a stand-in's."""
    structure = structure_for(training_of(lesson))
    node = structure.lesson(lesson.translation_key)
    return structure.page(node, language).url if node else lesson.get_url()  # no request: no site look-up


def workload_of(page) -> Workload:
    """The published designed workload of a training or a part page (any language version)."""
    if isinstance(page, TrainingPage):
        return structure_for(page).workload
    part = structure_for(training_of(page)).part(page.translation_key)
    return part.workload if part else NO_WORKLOAD


def training_of(page) -> TrainingPage:
    """The training a part, module or lesson page belongs to, by its path (cached)."""
    path = page.path[: TrainingPage.steplen * 4]  # root, home, catalogue, training
    return generation.cached(f"training-page:{path}", lambda: TrainingPage.objects.get(path=path), immutable=True)


def build(key: uuid.UUID) -> TrainingStructure:
    """Read the structure from the live pages: five queries, six with H5P activities."""
    default = default_language()
    trainings = list(TrainingPage.objects.live().filter(translation_key=key).select_related("locale"))
    training_pages, roots, credits = {}, {}, Decimal(0)
    for training in trainings:
        parts = training.get_url_parts()
        url = parts[2] if parts else ""
        language = training.locale.language_code
        training_pages[language] = PageRef(training.pk, training.title, url, language)
        roots[training.path] = (language, url, None)  # a module's parent: (language, its URL, its part's key)
        if language == default:
            credits = training.ects_credits
    if default not in training_pages:
        return TrainingStructure(key=key, default_language=default, pages=training_pages, modules=())
    within = reduce(or_, (Q(path__startswith=path) for path in list(roots)))
    steplen = ModulePage.steplen
    slugs: dict[uuid.UUID, str] = {}  # the default-language slug of each part, module and lesson
    part_pages: dict[uuid.UUID, dict[str, PageRef]] = {}
    part_order: list[uuid.UUID] = []
    part_rules: dict[uuid.UUID, tuple[Decimal, str]] = {}
    for pk, path, slug, title, part_key, part_credits, grading in (
        PartPage.objects.live()
        .filter(within)
        .order_by("path")
        .values_list("pk", "path", "slug", "title", "translation_key", "ects_credits", "grading")
    ):
        root = roots.get(path[:-steplen])
        if root is None:
            continue
        language, training_url, _none = root
        url = f"{training_url}{slug}/"
        part_pages.setdefault(part_key, {})[language] = PageRef(pk, title, url, language)
        roots[path] = (language, url, part_key)
        if language == default:
            part_order.append(part_key)
            slugs[part_key] = slug
            part_rules[part_key] = (part_credits, grading)
    module_pages: dict[uuid.UUID, dict[str, PageRef]] = {}
    module_urls: dict[str, tuple[uuid.UUID, str, str]] = {}  # path -> (key, language, url)
    module_order: list[uuid.UUID] = []
    module_part: dict[uuid.UUID, uuid.UUID | None] = {}
    for pk, path, slug, title, module_key in (
        ModulePage.objects.live()
        .filter(within)
        .order_by("path")
        .values_list("pk", "path", "slug", "title", "translation_key")
    ):
        root = roots.get(path[:-steplen])
        if root is None:
            continue
        language, parent_url, part_key = root
        url = f"{parent_url}{slug}/"
        module_pages.setdefault(module_key, {})[language] = PageRef(pk, title, url, language)
        module_urls[path] = (module_key, language, url)
        if language == default:
            module_order.append(module_key)
            module_part[module_key] = part_key
            slugs[module_key] = slug
    lesson_pages: dict[uuid.UUID, dict[str, PageRef]] = {}
    canonical: dict[uuid.UUID, tuple] = {}
    lesson_order: dict[uuid.UUID, list[uuid.UUID]] = {}
    rows = (
        LessonPage.objects.live()
        .filter(within)
        .order_by("path")
        .values_list(
            "pk",
            "path",
            "slug",
            "title",
            "translation_key",
            "completion_rule",
            "pass_percent",
            "estimated_minutes",
            "body",
        )
    )
    for pk, path, slug, title, lesson_key, rule, pass_percent, minutes, body in rows:
        module = module_urls.get(path[:-steplen])
        if module is None:
            continue
        module_key, language, module_url = module
        lesson_pages.setdefault(lesson_key, {})[language] = PageRef(pk, title, f"{module_url}{slug}/", language)
        if language == default:
            slugs[lesson_key] = slug
            canonical[lesson_key] = (module_key, rule, pass_percent, minutes, requirements_of(body))
            lesson_order.setdefault(module_key, []).append(lesson_key)
    tree = Tree(part_order, part_pages, module_order, module_part, module_pages, lesson_order, lesson_pages, slugs)
    _add_fallbacks(default, training_pages, tree)
    defaults = activity_pass_marks({pk for *_rest, r in canonical.values() for pk in r.h5p})
    modules = []
    for module_key in module_order:
        lessons = []
        for lesson_key in lesson_order.get(module_key, []):
            _module, rule, pass_percent, minutes, requirements = canonical[lesson_key]
            h5p = {pk: mark or defaults.get(pk) for pk, mark in requirements.h5p.items()}
            lessons.append(
                LessonNode(
                    key=lesson_key,
                    module_key=module_key,
                    rule=rule,
                    pass_percent=pass_percent,
                    estimated_minutes=minutes,
                    requirements=replace(requirements, h5p=h5p),
                    pages=lesson_pages[lesson_key],
                )
            )
        modules.append(
            ModuleNode(
                key=module_key, pages=module_pages[module_key], lessons=tuple(lessons), part_key=module_part[module_key]
            )
        )
    parts = tuple(
        PartNode(
            key=part_key,
            pages=part_pages[part_key],
            modules=tuple(module for module in modules if module.part_key == part_key),
            credits=part_rules[part_key][0],
            grading=part_rules[part_key][1],
        )
        for part_key in part_order
    )
    return TrainingStructure(
        key=key, default_language=default, pages=training_pages, modules=tuple(modules), parts=parts, credits=credits
    )


@dataclass
class Tree:
    """The default-language order of a training's pages and their pages per language, as ``build`` reads them."""

    part_order: list[uuid.UUID]
    part_pages: dict[uuid.UUID, dict[str, PageRef]]
    module_order: list[uuid.UUID]
    module_part: dict[uuid.UUID, uuid.UUID | None]
    module_pages: dict[uuid.UUID, dict[str, PageRef]]
    lesson_order: dict[uuid.UUID, list[uuid.UUID]]
    lesson_pages: dict[uuid.UUID, dict[str, PageRef]]
    slugs: dict[uuid.UUID, str]


def _add_fallbacks(default, training_pages, tree: Tree) -> None:
    """Give each part, module and lesson missing in a language of the training its default-language
    page at a URL in that language's tree: the default slug under the translated parent.

    Where a translated page already has that URL (a trainer gave another page the same slug), the
    default-language URL is kept instead: a link must never lead to another lesson.
    """
    everything = (*tree.part_pages.values(), *tree.module_pages.values(), *tree.lesson_pages.values())
    for language, training in training_pages.items():
        if language == default or not training.url:
            continue
        taken = {ref.url for pages in everything if (ref := pages.get(language))}
        for part_key in tree.part_order:
            part = tree.part_pages[part_key]
            if language not in part:
                part[language] = _fallback(part[default], f"{training.url}{tree.slugs[part_key]}/", taken)
        for module_key in tree.module_order:
            module = tree.module_pages[module_key]
            part_key = tree.module_part[module_key]
            parent_url = tree.part_pages[part_key][language].url if part_key else training.url
            if language not in module:
                module[language] = _fallback(module[default], f"{parent_url}{tree.slugs[module_key]}/", taken)
            module_url = module[language].url
            for lesson_key in tree.lesson_order.get(module_key, []):
                lesson = tree.lesson_pages[lesson_key]
                if language not in lesson:
                    lesson[language] = _fallback(lesson[default], f"{module_url}{tree.slugs[lesson_key]}/", taken)


def _fallback(page: PageRef, url: str, taken: set[str]) -> PageRef:
    return page if url in taken else PageRef(page.pk, page.title, url, page.language)


# --- a learner's progress over a structure ------------------------------------------------------

# Plain strings: an enum member's attribute costs a descriptor call on every use (Python 3.11).
COMPLETED, NOT_STARTED = LessonStatus.COMPLETED.value, LessonStatus.NOT_STARTED.value


@dataclass
class Counted:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0

    @property
    def completed(self) -> bool:
        return self.done == self.total


class Progress:
    """A learner's lesson records (``{lesson_key: status}``) counted over a structure: the one summary."""

    def __init__(self, structure: TrainingStructure, statuses: Mapping[uuid.UUID, str]):
        self.structure = structure
        self.statuses = statuses

    def status(self, lesson_key: uuid.UUID) -> str:
        return self.statuses.get(lesson_key, NOT_STARTED)

    def completed(self, lesson_key: uuid.UUID) -> bool:
        return self.statuses.get(lesson_key) == COMPLETED

    def module(self, module: ModuleNode) -> Counted:
        return Counted(sum(1 for lesson in module.lessons if self.completed(lesson.key)), len(module.lessons))

    @property
    def training(self) -> Counted:
        lessons = self.structure.lessons
        return Counted(sum(1 for lesson in lessons if self.completed(lesson.key)), len(lessons))

    def part(self, part: PartNode) -> Counted:
        lessons = part.lessons
        return Counted(sum(1 for lesson in lessons if self.completed(lesson.key)), len(lessons))

    def completed_modules(self) -> list[uuid.UUID]:
        return [module.key for module in self.structure.modules if self.module(module).completed]

    def completed_parts(self) -> list[PartNode]:
        """Parts whose every lesson is completed (a part without lessons is not completed)."""
        return [part for part in self.structure.parts if (counted := self.part(part)).total and counted.completed]
