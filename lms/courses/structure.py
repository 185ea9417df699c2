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
from .models import LessonPage, ModulePage, TrainingPage, TrainingPrerequisite


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
        """The designed work of the lesson's assignments, beyond reading the lesson."""
        return sum(_hours_as_minutes(value.get("estimated_hours")) for value in self.requirements.assignments.values())


def _hours_as_minutes(hours) -> int:
    try:
        return max(0, int(Decimal(str(hours or 0)) * 60))
    except (InvalidOperation, ValueError):
        return 0


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Workload:
    """A training's designed workload: what its lessons and assignments ask of a learner, in minutes."""

    lesson_minutes: int
    assignment_minutes: int

    @property
    def minutes(self) -> int:
        return self.lesson_minutes + self.assignment_minutes

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


@dataclass(frozen=True)
class ModuleNode:
    key: uuid.UUID
    pages: Mapping[str, PageRef]
    lessons: tuple[LessonNode, ...]


@dataclass(frozen=True)
class TrainingStructure:
    key: uuid.UUID
    default_language: str
    pages: Mapping[str, PageRef]
    modules: tuple[ModuleNode, ...]

    @property
    def lessons(self) -> tuple[LessonNode, ...]:
        return tuple(lesson for module in self.modules for lesson in module.lessons)

    @property
    def workload(self) -> Workload:
        """What the published lessons and assignments are designed to take (``LessonPage.estimated_minutes``,
        ``AssignmentBlock.estimated_hours``): the figure credits are checked against."""
        return Workload(
            lesson_minutes=sum(lesson.estimated_minutes for lesson in self.lessons),
            assignment_minutes=sum(lesson.assignment_minutes for lesson in self.lessons),
        )

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
SHAPE = 2  # 2: lessons' requirements name their assignments


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
    prerequisites: Mapping[uuid.UUID, tuple[uuid.UUID, ...]]  # training key -> required trainings' keys

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
        prerequisites: dict[uuid.UUID, list[uuid.UUID]] = {}
        for training_id, required_key in (
            TrainingPrerequisite.objects.filter(training_id__in=by_id)
            .order_by("sort_order")
            .values_list("training_id", "required_training__translation_key")
        ):
            prerequisites.setdefault(by_id[training_id].translation_key, []).append(required_key)
        return Trainings(
            by_id=by_id,
            by_key={(page.translation_key, language_of(page.locale_id)): page for page in pages},
            prerequisites={key: tuple(keys) for key, keys in prerequisites.items()},
        )

    return generation.cached("live-trainings", build_index, immutable=True)


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


def stand_in(training: TrainingPage, path_components) -> ModulePage | LessonPage | None:
    """The live default-language module or lesson that the structure places at ``path_components``
    under ``training`` (a translation) because it is not translated into its language yet."""
    structure = structure_for(training)
    language = language_of(training.locale_id)
    own = structure.pages.get(language)
    if own is None or language == structure.default_language or not path_components:
        return None
    url = own.url + "".join(f"{component}/" for component in path_components)
    for module in structure.modules:
        for node in (module, *module.lessons):
            ref = node.pages.get(language)
            if ref is not None and ref.url == url and ref.language != language:
                model = ModulePage if isinstance(node, ModuleNode) else LessonPage
                return model.objects.live().filter(pk=ref.pk).first()
    return None


def lesson_url(lesson, language: str) -> str:
    """``lesson``'s address in ``language``'s tree, which for a lesson not translated yet is a stand-in's."""
    structure = structure_for(training_of(lesson))
    node = structure.lesson(lesson.translation_key)
    return structure.page(node, language).url if node else lesson.get_url()  # no request: no site look-up


def training_of(page) -> TrainingPage:
    """The training a module or lesson page belongs to, by its path (cached)."""
    path = page.path[: TrainingPage.steplen * 4]  # root, home, catalogue, training
    return generation.cached(f"training-page:{path}", lambda: TrainingPage.objects.get(path=path), immutable=True)


def build(key: uuid.UUID) -> TrainingStructure:
    """Read the structure from the live pages: four queries, five with H5P activities."""
    default = default_language()
    trainings = list(TrainingPage.objects.live().filter(translation_key=key).select_related("locale"))
    training_pages, roots = {}, {}
    for training in trainings:
        parts = training.get_url_parts()
        url = parts[2] if parts else ""
        language = training.locale.language_code
        training_pages[language] = PageRef(training.pk, training.title, url, language)
        roots[training.path] = (language, url)
    if default not in training_pages:
        return TrainingStructure(key=key, default_language=default, pages=training_pages, modules=())
    within = reduce(or_, (Q(path__startswith=path) for path in roots))
    steplen = ModulePage.steplen
    module_pages: dict[uuid.UUID, dict[str, PageRef]] = {}
    module_urls: dict[str, tuple[uuid.UUID, str, str]] = {}  # path -> (key, language, url)
    module_order: list[uuid.UUID] = []
    slugs: dict[uuid.UUID, str] = {}  # the default-language slug of each module and lesson
    for pk, path, slug, title, module_key in (
        ModulePage.objects.live()
        .filter(within)
        .order_by("path")
        .values_list("pk", "path", "slug", "title", "translation_key")
    ):
        root = roots.get(path[:-steplen])
        if root is None:
            continue
        language, training_url = root
        url = f"{training_url}{slug}/"
        module_pages.setdefault(module_key, {})[language] = PageRef(pk, title, url, language)
        module_urls[path] = (module_key, language, url)
        if language == default:
            module_order.append(module_key)
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
    _add_fallbacks(default, training_pages, module_order, module_pages, lesson_order, lesson_pages, slugs)
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
        modules.append(ModuleNode(key=module_key, pages=module_pages[module_key], lessons=tuple(lessons)))
    return TrainingStructure(key=key, default_language=default, pages=training_pages, modules=tuple(modules))


def _add_fallbacks(default, training_pages, module_order, module_pages, lesson_order, lesson_pages, slugs) -> None:
    """Give each module and lesson missing in a language of the training its default-language page
    at a URL in that language's tree: the default slug under the translated parent.

    Where a translated page already has that URL (a trainer gave another page the same slug), the
    default-language URL is kept instead: a link must never lead to another lesson.
    """
    for language, training in training_pages.items():
        if language == default or not training.url:
            continue
        taken = {ref.url for pages in (*module_pages.values(), *lesson_pages.values()) if (ref := pages.get(language))}
        for module_key in module_order:
            module = module_pages[module_key]
            if language not in module:
                module[language] = _fallback(module[default], f"{training.url}{slugs[module_key]}/", taken)
            parent_url = module[language].url
            for lesson_key in lesson_order.get(module_key, []):
                lesson = lesson_pages[lesson_key]
                if language not in lesson:
                    lesson[language] = _fallback(lesson[default], f"{parent_url}{slugs[lesson_key]}/", taken)


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

    def completed_modules(self) -> list[uuid.UUID]:
        return [module.key for module in self.structure.modules if self.module(module).completed]
