"""Load the trainings from ``content/`` (see ``content/README.md`` for the format).

Two phases. *Read* parses and checks every file and collects every problem as ``path:line:
reason``; if there is any, nothing is written. *Write* then creates or updates the pages in one
transaction. Identity comes from the keys in folder and file names, turned into stable
translation keys and block ids, so a re-run finds the same pages, compares, and changes nothing,
and an edited file updates its page in place without touching anyone's progress.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import markdown
import yaml
from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page

from lms.cms.services import site_setup

from .enums import CompletionRule, EnrolmentMode, Grading, QuestionKind
from .models import LessonPage, ModulePage, PartPage, TrainingIndexPage, TrainingPage, TrainingPrerequisite
from .permissions import trainers_group_ensure

NAMESPACE = uuid.UUID("6f1c1b7e-3a52-4c38-9a0e-6b8f6f0d2a11")
LANGUAGES = [code for code, _name in settings.LANGUAGES]
SOURCE_LANGUAGE = settings.LANGUAGE_CODE
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ORDERED = re.compile(r"^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)$")
PREREQUISITE = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)(?:/([a-z0-9]+(?:-[a-z0-9]+)*))?$")  # training[/part]
ALLOWED_TAGS = {"p", "h3", "h4", "strong", "em", "ul", "ol", "li", "a", "blockquote", "br", "code", "hr"}
TAG = re.compile(r"</?([a-zA-Z0-9]+)")
INDEX_PAGES = {
    "fi": ("Koulutukset", "koulutukset"),
    "sv": ("Utbildningar", "utbildningar"),
    "en": ("Trainings", "trainings"),
}


class ContentError(Exception):
    """One or more problems in the content files; ``problems`` holds ``path:line: reason`` lines."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# --- reading ---------------------------------------------------------------------------------


class Mapping(dict):
    """A YAML mapping that remembers the line of each of its keys."""

    line: int = 1
    lines: dict

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    mapping = Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


class Sequence(list):
    """A YAML list that remembers the line of each of its items."""

    lines: list[int]

    def line_of(self, index: int, default: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else default


def _construct_sequence(loader, node):
    sequence = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@dataclass
class Source:
    path: Path
    data: Mapping


@dataclass
class LessonSpec:
    key: str
    sources: dict[str, Source] = field(default_factory=dict)


@dataclass
class ModuleSpec:
    key: str
    sources: dict[str, Source] = field(default_factory=dict)
    lessons: list[LessonSpec] = field(default_factory=list)


@dataclass
class PartSpec:
    key: str
    structure: Source | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    modules: list[ModuleSpec] = field(default_factory=list)


@dataclass
class TrainingSpec:
    key: str
    structure: Source | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    modules: list[ModuleSpec] = field(default_factory=list)  # a training without parts
    parts: list[PartSpec] = field(default_factory=list)  # or one in parts, each with its modules

    @property
    def all_modules(self) -> list[ModuleSpec]:
        return self.modules + [module for part in self.parts for module in part.modules]


def is_part_folder(folder: Path) -> bool:
    """A folder with ``part.yaml`` or a ``part.<language>.yaml`` is a part; any other, a module."""
    return (folder / "part.yaml").exists() or any(folder.glob("part.*.yaml"))


class Reader:
    """Parse and check a content folder; every problem is collected, none is fatal on its own."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[str] = []

    def problem(self, path: Path, line: int, message: str) -> None:
        """Record a problem; line 0 means the file or folder as a whole."""
        self.problems.append(f"{path}:{line}: {message}" if line else f"{path}: {message}")

    def load(self, path: Path) -> Mapping | None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            self.problem(path, 1, f"not UTF-8 text ({error.reason})")
            return None
        try:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            reason = getattr(error, "problem", None) or str(error)
            self.problem(path, mark.line + 1 if mark else 1, f"invalid YAML: {reason}")
            return None
        if not isinstance(data, Mapping):
            self.problem(path, 1, "the file must be a mapping of fields")
            return None
        return data

    def read(self) -> list[TrainingSpec]:
        if not self.root.is_dir():
            raise ContentError([f"{self.root}:0: not a folder"])
        trainings = []
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if not KEY.match(folder.name):
                self.problem(folder, 0, "a training folder's name must be a key (a-z, 0-9, hyphens)")
                continue
            trainings.append(self.read_training(folder))
        if not trainings:
            self.problem(self.root, 0, "no trainings found")
        self.check_prerequisites(trainings)
        if self.problems:
            raise ContentError(self.problems)
        return trainings

    def read_training(self, folder: Path) -> TrainingSpec:
        spec = TrainingSpec(key=folder.name)
        structure_path = folder / "training.yaml"
        if structure_path.exists():
            data = self.load(structure_path)
            if data is not None:
                spec.structure = Source(structure_path, data)
                self.check_structure(spec.structure)
        else:
            self.problem(structure_path, 0, "missing file")
        spec.sources = self.read_languages(folder, "training", self.check_training_texts)
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            match = ORDERED.match(sub.name)
            if not match:
                self.problem(sub, 0, "a module (or part) folder is named NN-key, e.g. 01-tyokyky")
            elif is_part_folder(sub):
                spec.parts.append(self.read_part(sub, match.group(2)))
            else:
                spec.modules.append(self.read_module(sub, match.group(2)))
        if spec.parts and spec.modules:
            self.problem(folder, 0, "a training holds either modules or parts (folders with a part.yaml), not both")
        elif not spec.modules and not spec.parts:
            self.problem(folder, 0, "a training needs at least one module")
        modules = spec.all_modules  # keys are the training's: a module can move into a part and keep its key
        self.check_unique([p.key for p in spec.parts], folder, "part key")
        self.check_unique([m.key for m in modules], folder, "module key")
        self.check_unique([lesson.key for m in modules for lesson in m.lessons], folder, "lesson key")
        self.check_sibling_slugs(spec.modules)
        self.check_sibling_slugs(spec.parts)
        return spec

    def read_part(self, folder: Path, key: str) -> PartSpec:
        spec = PartSpec(key=key)
        structure_path = folder / "part.yaml"
        if structure_path.exists():
            data = self.load(structure_path)
            if data is not None:
                spec.structure = Source(structure_path, data)
                self.check_part_structure(spec.structure)
        else:
            self.problem(structure_path, 0, "missing file")
        spec.sources = self.read_languages(folder, "part", self.check_part_texts)
        for path in sorted(folder.glob("*.yaml")):
            if not path.name.startswith("part."):
                self.problem(path, 0, "a part folder holds part.yaml, part.<language>.yaml and its module folders")
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            match = ORDERED.match(sub.name)
            if not match:
                self.problem(sub, 0, "a module folder is named NN-key, e.g. 01-tyokyky")
            elif is_part_folder(sub):
                self.problem(sub, 0, "a part holds modules, not parts")
            else:
                spec.modules.append(self.read_module(sub, match.group(2)))
        if not spec.modules:
            self.problem(folder, 0, "a part needs at least one module")
        self.check_sibling_slugs(spec.modules)
        return spec

    def read_module(self, folder: Path, key: str) -> ModuleSpec:
        spec = ModuleSpec(key=key, sources=self.read_languages(folder, "module", self.check_module_texts))
        names: dict[str, dict[str, Path]] = {}
        for path in sorted(folder.glob("*.yaml")):
            if path.name.startswith("module."):
                continue
            parts = path.name.rsplit(".", 2)
            match = ORDERED.match(parts[0]) if len(parts) == 3 else None
            if not match or parts[1] not in LANGUAGES:
                self.problem(path, 0, f"a lesson file is named NN-key.<language>.yaml, language one of {LANGUAGES}")
                continue
            names.setdefault(match.group(2), {})[parts[1]] = path
        for key_, paths in names.items():
            lesson = LessonSpec(key=key_)
            for language in LANGUAGES:
                if language not in paths:
                    self.problem(folder, 0, f"lesson '{key_}' has no {language} version")
                    continue
                data = self.load(paths[language])
                if data is not None:
                    lesson.sources[language] = Source(paths[language], data)
                    self.check_lesson(lesson.sources[language])
            self.check_lesson_languages(lesson)
            spec.lessons.append(lesson)
        if not spec.lessons:
            self.problem(folder, 0, "a module needs at least one lesson")
        self.check_sibling_slugs(spec.lessons)
        return spec

    def read_languages(self, folder: Path, name: str, check) -> dict[str, Source]:
        sources = {}
        for language in LANGUAGES:
            path = folder / f"{name}.{language}.yaml"
            if not path.exists():
                self.problem(path, 0, "missing file")
                continue
            data = self.load(path)
            if data is not None:
                sources[language] = Source(path, data)
                check(sources[language])
        return sources

    # field checks

    def fields(self, source: Source, required: set, optional: set = frozenset()) -> None:
        for key in source.data:
            if key not in required | set(optional):
                self.problem(source.path, source.data.line_of(key), f"unknown field '{key}'")
        for key in sorted(required - set(source.data)):
            self.problem(source.path, source.data.line, f"missing field '{key}'")

    def text(self, source: Source, data: Mapping, key: str, *, required=True, max_length=None) -> None:
        value = data.get(key)
        if value is None and not required:
            return
        if not isinstance(value, str) or not value.strip():
            self.problem(source.path, data.line_of(key), f"'{key}' must be non-empty text")
        elif max_length and len(value) > max_length:
            self.problem(source.path, data.line_of(key), f"'{key}' is longer than {max_length} characters")

    def integer(self, source: Source, key: str, low: int, high: int) -> None:
        value = source.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(source.path, source.data.line_of(key), f"'{key}' must be a whole number from {low} to {high}")

    def slug(self, source: Source) -> None:
        value = source.data.get("slug")
        if not isinstance(value, str) or not SLUG.match(value):
            self.problem(source.path, source.data.line_of("slug"), "'slug' must be lowercase a-z, 0-9 and hyphens")

    def markdown(self, source: Source, data: Mapping, key: str) -> None:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(source.path, data.line_of(key), f"'{key}' must be non-empty text")
            return
        tags = {t.lower() for t in TAG.findall(render_markdown(value))} - ALLOWED_TAGS
        if tags:
            self.problem(source.path, data.line_of(key), f"'{key}' uses markup that is not allowed: {sorted(tags)}")

    def credits(self, source: Source) -> None:
        data = source.data
        try:
            credits = Decimal(str(data.get("ects_credits")))
            if credits < 0 or credits > 300 or credits != credits.quantize(Decimal("0.1")):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            self.problem(source.path, data.line_of("ects_credits"), "'ects_credits' must be a number from 0 to 300")

    def outcomes(self, source: Source) -> None:
        outcomes = source.data.get("learning_outcomes")
        if (
            not isinstance(outcomes, list)
            or not outcomes
            or not all(isinstance(o, str) and o.strip() and len(o) <= 500 for o in outcomes)
        ):
            self.problem(
                source.path,
                source.data.line_of("learning_outcomes"),
                "'learning_outcomes' must be a list of texts of at most 500 characters",
            )

    def check_structure(self, source: Source) -> None:
        self.fields(source, {"ects_credits", "workload_hours", "enrolment_mode"}, {"prerequisites"})
        data = source.data
        self.credits(source)
        self.integer(source, "workload_hours", 0, 10_000)
        if data.get("enrolment_mode") not in {EnrolmentMode.OPEN, EnrolmentMode.INVITATION}:
            self.problem(
                source.path,
                data.line_of("enrolment_mode"),
                "'enrolment_mode' must be open or invitation (set enrolment keys in the admin, not in files)",
            )
        prerequisites = data.get("prerequisites", [])
        if not isinstance(prerequisites, list) or not all(isinstance(p, str) for p in prerequisites):
            self.problem(
                source.path,
                data.line_of("prerequisites"),
                "'prerequisites' must be a list of training keys or training-key/part-key",
            )

    def check_part_structure(self, source: Source) -> None:
        self.fields(source, {"ects_credits", "grading"})
        self.credits(source)
        if source.data.get("grading") not in Grading.values:
            self.problem(source.path, source.data.line_of("grading"), f"'grading' must be one of {Grading.values}")

    def check_part_texts(self, source: Source) -> None:
        self.fields(source, {"title", "slug", "learning_outcomes"}, {"intro"})
        self.text(source, source.data, "title", max_length=255)
        self.slug(source)
        self.text(source, source.data, "intro", required=False)
        self.outcomes(source)

    def check_training_texts(self, source: Source) -> None:
        self.fields(source, {"title", "slug", "summary", "learning_outcomes"}, {"audience"})
        self.text(source, source.data, "title", max_length=255)
        self.slug(source)
        self.text(source, source.data, "summary")
        self.text(source, source.data, "audience", required=False)
        self.outcomes(source)

    def check_module_texts(self, source: Source) -> None:
        self.fields(source, {"title", "slug"}, {"intro"})
        self.text(source, source.data, "title", max_length=255)
        self.slug(source)
        self.text(source, source.data, "intro", required=False)

    def check_lesson(self, source: Source) -> None:
        data = source.data
        self.fields(source, {"title", "slug", "estimated_minutes", "completion", "body"}, {"pass_percent"})
        self.text(source, data, "title", max_length=255)
        self.slug(source)
        self.integer(source, "estimated_minutes", 1, 600)
        if data.get("completion") not in CompletionRule.values:
            self.problem(
                source.path, data.line_of("completion"), f"'completion' must be one of {CompletionRule.values}"
            )
        if data.get("completion") == CompletionRule.MIN_SCORE:
            self.integer(source, "pass_percent", 1, 100)
        elif "pass_percent" in data:
            self.problem(source.path, data.line_of("pass_percent"), "'pass_percent' is only for completion: min_score")
        body = data.get("body")
        if not isinstance(body, list) or not body:
            self.problem(source.path, data.line_of("body"), "'body' must be a list of blocks")
            return
        ids: set[str] = set()
        for block in body:
            self.check_block(source, block, ids)

    def check_block(self, source: Source, block, ids: set[str]) -> None:
        if not isinstance(block, Mapping) or len(block) != 1:
            line = block.line if isinstance(block, Mapping) else source.data.line_of("body")
            self.problem(
                source.path, line, "a block is a mapping with one key: text, callout, question, reflection or video"
            )
            return
        ((kind, value),) = block.items()
        line = block.line
        if kind == "text":
            self.markdown(source, block, "text")
            return
        if kind not in {"callout", "question", "reflection", "video"}:
            self.problem(source.path, line, f"unknown block '{kind}'")
            return
        if not isinstance(value, Mapping):
            self.problem(source.path, line, f"'{kind}' must be a mapping of fields")
            return
        nested = Source(source.path, value)
        if kind == "callout":
            self.fields(nested, {"text"}, {"style", "title"})
            if value.get("style", "info") not in {"info", "tip", "warning"}:
                self.problem(source.path, value.line_of("style"), "'style' must be info, tip or warning")
            self.text(nested, value, "title", required=False, max_length=255)
            self.markdown(nested, value, "text")
        elif kind == "video":
            self.fields(nested, {"url"}, {"caption"})
            url = value.get("url")
            if not isinstance(url, str) or not url.startswith("https://"):
                self.problem(source.path, value.line_of("url"), "'url' must be an https:// address")
        elif kind == "reflection":
            self.fields(nested, {"id", "prompt"})
            self.block_id(nested, ids)
            self.markdown(nested, value, "prompt")
        else:
            self.check_question(nested, ids)

    def block_id(self, source: Source, ids: set[str]) -> None:
        value = source.data.get("id")
        if not isinstance(value, str) or not KEY.match(value):
            self.problem(source.path, source.data.line_of("id"), "'id' must be a key (a-z, 0-9, hyphens)")
        elif value in ids:
            self.problem(source.path, source.data.line_of("id"), f"id '{value}' is used twice in this lesson")
        else:
            ids.add(value)

    def check_question(self, source: Source, ids: set[str]) -> None:
        data = source.data
        self.fields(source, {"id", "kind", "prompt", "options"})
        self.block_id(source, ids)
        self.text(source, data, "prompt")
        if data.get("kind") not in QuestionKind.values:
            self.problem(source.path, data.line_of("kind"), "'kind' must be single or multiple")
        options = data.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= 8:
            self.problem(source.path, data.line_of("options"), "'options' must be a list of 2 to 8 options")
            return
        correct = 0
        for option in options:
            if not isinstance(option, Mapping):
                self.problem(
                    source.path, data.line_of("options"), "an option is a mapping with text, correct and feedback"
                )
                continue
            nested = Source(source.path, option)
            self.fields(nested, {"text", "correct"}, {"feedback"})
            self.text(nested, option, "text", max_length=500)
            self.text(nested, option, "feedback", required=False)
            if not isinstance(option.get("correct"), bool):
                self.problem(source.path, option.line_of("correct"), "'correct' must be true or false")
            correct += option.get("correct") is True
        if data.get("kind") == QuestionKind.SINGLE and correct != 1:
            self.problem(
                source.path, data.line_of("options"), "a single-choice question needs exactly one correct option"
            )
        if data.get("kind") == QuestionKind.MULTIPLE and correct < 1:
            self.problem(
                source.path, data.line_of("options"), "a multiple-choice question needs at least one correct option"
            )

    def check_lesson_languages(self, lesson: LessonSpec) -> None:
        """Rules, and the questions' shape and answers, must be the same in every language."""
        reference = lesson.sources.get(SOURCE_LANGUAGE)
        if reference is None:
            return
        expected = lesson_shape(reference.data)
        for language, source in lesson.sources.items():
            if language != SOURCE_LANGUAGE and lesson_shape(source.data) != expected:
                self.problem(
                    source.path,
                    source.data.line,
                    f"differs from the {SOURCE_LANGUAGE} version in estimated_minutes, completion, pass_percent, "
                    "or the questions' ids, kinds, options or correct answers",
                )

    def check_unique(self, keys: list[str], folder: Path, what: str) -> None:
        seen = set()
        for key in keys:
            if key in seen:
                self.problem(folder, 0, f"{what} '{key}' is used twice")
            seen.add(key)

    def check_sibling_slugs(self, siblings) -> None:
        """Pages under one parent need different slugs in each language."""
        for language in LANGUAGES:
            seen: dict[str, Path] = {}
            for sibling in siblings:
                source = sibling.sources.get(language)
                slug = source.data.get("slug") if source else None
                if not isinstance(slug, str):
                    continue
                if slug in seen:
                    self.problem(
                        source.path, source.data.line_of("slug"), f"slug '{slug}' is also used by {seen[slug]}"
                    )
                else:
                    seen[slug] = source.path

    def check_prerequisites(self, trainings: list[TrainingSpec]) -> None:
        """Each prerequisite names another training, or a part of another training (``training/part``)."""
        parts = {t.key: [p.key for p in t.parts] for t in trainings}
        for training in trainings:
            if training.structure is None:
                continue
            source = training.structure
            items = source.data.get("prerequisites") or []
            if not isinstance(items, list):
                continue  # reported by check_structure
            for n, item in enumerate(items):
                line = items.line_of(n, source.data.line_of("prerequisites"))
                if not isinstance(item, str):
                    continue  # reported by check_structure
                match = PREREQUISITE.match(item)
                if match is None:
                    self.problem(source.path, line, f"'{item}' is not a training key or training-key/part-key")
                    continue
                key, part = match.groups()
                if key == training.key:
                    self.problem(source.path, line, f"'{item}': a training or its own part cannot be its prerequisite")
                elif key not in parts:
                    self.problem(source.path, line, f"unknown prerequisite training '{key}'")
                elif part is not None and part not in parts[key]:
                    known = ", ".join(parts[key]) or "none"
                    self.problem(
                        source.path, line, f"unknown part '{part}' of training '{key}' in '{item}' (its parts: {known})"
                    )
        self.check_sibling_slugs(trainings)


def lesson_shape(data: Mapping):
    questions = [
        (
            block["question"].get("id"),
            block["question"].get("kind"),
            tuple(o.get("correct") for o in block["question"].get("options") or [] if isinstance(o, dict)),
        )
        for block in data.get("body") or []
        if isinstance(block, dict) and isinstance(block.get("question"), dict)
    ]
    reflections = [
        block["reflection"].get("id")
        for block in data.get("body") or []
        if isinstance(block, dict) and isinstance(block.get("reflection"), dict)
    ]
    return (data.get("estimated_minutes"), data.get("completion"), data.get("pass_percent"), questions, reflections)


def render_markdown(text: str) -> str:
    return markdown.markdown(text.strip(), extensions=["sane_lists"], output_format="html")


# --- writing ---------------------------------------------------------------------------------


def translation_key(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


def _block_id(lesson_key: uuid.UUID, *parts) -> str:
    return str(uuid.uuid5(lesson_key, "/".join(str(p) for p in parts)))


def lesson_body(lesson_key: uuid.UUID, body: list) -> list[dict]:
    """The StreamField raw data for a lesson's blocks, with ids that stay the same across runs."""
    blocks = []
    for index, block in enumerate(body):
        ((kind, value),) = block.items()
        if kind == "text":
            blocks.append({"type": "text", "value": render_markdown(value), "id": _block_id(lesson_key, "text", index)})
        elif kind == "callout":
            blocks.append(
                {
                    "type": "callout",
                    "value": {
                        "style": value.get("style", "info"),
                        "title": value.get("title", ""),
                        "text": render_markdown(value["text"]),
                    },
                    "id": _block_id(lesson_key, "callout", index),
                }
            )
        elif kind == "video":
            blocks.append(
                {
                    "type": "video",
                    "value": {"video": value["url"], "caption": value.get("caption", "")},
                    "id": _block_id(lesson_key, "video", index),
                }
            )
        elif kind == "reflection":
            blocks.append(
                {
                    "type": "reflection",
                    "value": {"prompt": render_markdown(value["prompt"])},
                    "id": _block_id(lesson_key, "reflection", value["id"]),
                }
            )
        else:
            question_id = _block_id(lesson_key, "question", value["id"])
            blocks.append(
                {
                    "type": "question",
                    "value": {
                        "kind": value["kind"],
                        "prompt": render_markdown(value["prompt"]),
                        "options": [
                            {
                                "type": "item",
                                "value": {
                                    "text": o["text"].strip(),
                                    "correct": o["correct"],
                                    "feedback": (o.get("feedback") or "").strip(),
                                },
                                "id": _block_id(lesson_key, question_id, "option", n),
                            }
                            for n, o in enumerate(value["options"])
                        ],
                    },
                    "id": question_id,
                }
            )
    return blocks


def _canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


class Writer:
    def __init__(self):
        self.report = Report()
        self.locales = {}
        self.created: set[int] = set()  # pages made in this run: their first revision is not an "update"
        self.parts: dict[tuple[str, str], PartPage] = {}  # (training key, part key): the source language's page

    def run(self, trainings: list[TrainingSpec]) -> Report:
        homes = site_setup()
        self.locales = {code: Locale.objects.get(language_code=code) for code in LANGUAGES}
        indexes = {code: self.index_page(homes[code], code) for code in LANGUAGES}
        pages: dict[str, dict[str, TrainingPage]] = {}
        for training in trainings:
            pages[training.key] = {}
            for language in LANGUAGES:
                pages[training.key][language] = self.training(training, language, indexes[language])
        for training in trainings:  # prerequisites point at pages that now all exist
            named = [PREREQUISITE.match(item).groups() for item in training.structure.data.get("prerequisites") or []]
            required = [self.parts[key, part] if part else pages[key][SOURCE_LANGUAGE] for key, part in named]
            for language in LANGUAGES:
                self.prerequisites(pages[training.key][language], required)
        trainers_group_ensure()
        return self.report

    def index_page(self, home: Page, language: str) -> TrainingIndexPage:
        title, slug = INDEX_PAGES.get(language, INDEX_PAGES["en"])
        return self.upsert(
            TrainingIndexPage, home, translation_key("catalogue"), language, {"title": title, "slug": slug}
        )

    def upsert(self, model, parent: Page, key: uuid.UUID, language: str, values: dict, streams=()):
        """Create the page, or update it in place if any value differs; publish what changed."""
        locale = self.locales[language]
        page = model.objects.filter(translation_key=key, locale=locale).first()
        if page is None:
            page = model(translation_key=key, locale=locale, **values)
            parent.add_child(instance=page)
            page.save_revision().publish()
            self.report.created += 1
            self.created.add(page.pk)
            return page
        changed = {
            name: value
            for name, value in values.items()
            if (_canonical_json(getattr(page, name).get_prep_value()) if name in streams else getattr(page, name))
            != (_canonical_json(value) if name in streams else value)
        }
        if page.get_parent().pk != parent.pk:
            page.move(parent, pos="last-child")
            page.refresh_from_db()
            changed["moved"] = True
        if not changed:
            self.report.unchanged += 1
            return page
        for name, value in values.items():
            setattr(page, name, value)
        page.save_revision().publish()
        self.report.updated += 1
        return model.objects.get(pk=page.pk)

    def order(self, parent: Page, children: list[Page]) -> None:
        """Put ``children`` in the files' order (NN- prefixes) if they are not already."""
        current = [p.pk for p in Page.objects.child_of(parent).filter(pk__in=[c.pk for c in children]).order_by("path")]
        if current == [c.pk for c in children]:
            return
        for child in children:
            Page.objects.get(pk=child.pk).move(parent, pos="last-child")

    def training(self, spec: TrainingSpec, language: str, index: TrainingIndexPage) -> TrainingPage:
        texts = spec.sources[language].data
        structure = spec.structure.data
        values = {
            "title": texts["title"].strip(),
            "slug": texts["slug"],
            "summary": texts["summary"].strip(),
            "audience": (texts.get("audience") or "").strip(),
            "learning_outcomes": [
                {"type": "outcome", "value": outcome.strip(), "id": str(translation_key(spec.key, "outcome", str(n)))}
                for n, outcome in enumerate(texts["learning_outcomes"])
            ],
            "workload_hours": structure["workload_hours"],
            "ects_credits": Decimal(str(structure["ects_credits"])).quantize(Decimal("0.1")),
            "enrolment_mode": structure["enrolment_mode"],
        }
        page = self.upsert(
            TrainingPage, index, translation_key("training", spec.key), language, values, streams=("learning_outcomes",)
        )
        if spec.parts:
            children = [self.part(spec, part, language, page) for part in spec.parts]
        else:
            children = [self.module(spec, module, language, page) for module in spec.modules]
        self.order(page, children)
        return TrainingPage.objects.get(pk=page.pk)

    def part(self, training: TrainingSpec, spec: PartSpec, language: str, parent: TrainingPage) -> PartPage:
        texts = spec.sources[language].data
        structure = spec.structure.data
        key = translation_key("part", training.key, spec.key)
        values = {
            "title": texts["title"].strip(),
            "slug": texts["slug"],
            "intro": (texts.get("intro") or "").strip(),
            "learning_outcomes": [
                {"type": "outcome", "value": outcome.strip(), "id": str(translation_key(str(key), "outcome", str(n)))}
                for n, outcome in enumerate(texts["learning_outcomes"])
            ],
            "ects_credits": Decimal(str(structure["ects_credits"])).quantize(Decimal("0.1")),
            "grading": structure["grading"],
        }
        page = self.upsert(PartPage, parent, key, language, values, streams=("learning_outcomes",))
        self.order(page, [self.module(training, module, language, page) for module in spec.modules])
        if language == SOURCE_LANGUAGE:
            self.parts[training.key, spec.key] = page
        return page

    def module(self, training: TrainingSpec, spec: ModuleSpec, language: str, parent: Page) -> ModulePage:
        """A module and its lessons; its key is the training's whether it stands in a part or not."""
        data = spec.sources[language].data
        page = self.upsert(
            ModulePage,
            parent,
            translation_key("module", training.key, spec.key),
            language,
            {"title": data["title"].strip(), "slug": data["slug"], "intro": (data.get("intro") or "").strip()},
        )
        self.order(page, [self.lesson(training, lesson, language, page) for lesson in spec.lessons])
        return page

    def lesson(self, training: TrainingSpec, spec: LessonSpec, language: str, module: ModulePage) -> LessonPage:
        data = spec.sources[language].data
        key = translation_key("lesson", training.key, spec.key)
        values = {
            "title": data["title"].strip(),
            "slug": data["slug"],
            "estimated_minutes": data["estimated_minutes"],
            "completion_rule": data["completion"],
            "pass_percent": data.get("pass_percent"),
            "body": lesson_body(key, data["body"]),
        }
        return self.upsert(LessonPage, module, key, language, values, streams=("body",))

    def prerequisites(self, page: TrainingPage, required: list[TrainingPage | PartPage]) -> None:
        wanted = [(None, r.pk) if isinstance(r, PartPage) else (r.pk, None) for r in required]
        current = list(
            page.prerequisites.order_by("sort_order").values_list("required_training_id", "required_part_id")
        )
        if current == wanted:
            return
        page.prerequisites = [
            TrainingPrerequisite(required_training_id=training_id, required_part_id=part_id, sort_order=n)
            for n, (training_id, part_id) in enumerate(wanted)
        ]
        page.save_revision().publish()
        if page.pk not in self.created:
            self.report.updated += 1


def import_content(root: Path) -> Report:
    """Read and check everything under ``root``, then write it all in one transaction."""
    trainings = Reader(Path(root)).read()
    with transaction.atomic():
        return Writer().run(trainings)
