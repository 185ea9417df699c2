"""Load the trainings from ``content/`` (see ``content/README.md`` for the format).

Two phases. *Read* parses and checks every file and collects every problem as ``path:line:
reason``; if there is any, nothing is written. *Write* then creates or updates the pages in one
transaction. Identity comes from the keys in folder and file names, turned into stable
translation keys and block ids, so a re-run finds the same pages, compares, and changes nothing,
and an edited file updates its page in place without touching anyone's progress.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path

import markdown
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.models import Locale, Page

from lms.assignments.enums import HandIn
from lms.assignments.files import FILE_TYPES, MAX_FILE_MB
from lms.cms.services import site_setup
from lms.exams.blocks import QuestionsBlock
from lms.exams.enums import QuestionType, Review
from lms.exams.models import QuestionPool
from lms.selfassessment.enums import Phase
from lms.selfassessment.models import MAX_SPAN, SelfAssessment

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
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
LINK_SCHEMES = ("https://", "http://", "mailto:", "/", "#")
POOLS = "pools"  # the folder of a training's question pools
SELF_ASSESSMENT = "self-assessment"  # self-assessment.<language>.yaml in a training's folder
GATE_BLOCKS = ("exam", "self_assessment", "attendance")
BLOCK_KINDS = ("text", "callout", "question", "reflection", "video", "reading", "assignment", *GATE_BLOCKS)
MAX_SOURCES = 50  # SourcesBlock's max_num
# A gate block's rules as the ExamBlock, SelfAssessmentBlock and AttendanceBlock define them:
# field -> (lowest, highest, default); they must be the same in every language of a lesson.
EXAM_NUMBERS = {
    "questions_per_attempt": (1, 100, 10),
    "pass_percent": (0, 100, 70),
    "max_attempts": (0, 100, 3),
    "wait_minutes": (0, 60 * 24 * 30, 0),
    "time_limit_minutes": (0, 600, 0),
    "estimated_minutes": (0, 6000, 30),
}
SELF_ASSESSMENT_NUMBERS = {"estimated_minutes": (0, 600, 10)}
ATTENDANCE_NUMBERS = {"sessions_required": (1, 50, 1), "estimated_minutes": (0, 6000, 0)}
# An assignment's whole-number rules as AssignmentBlock defines them: field -> (lowest, highest, default).
ASSIGNMENT_NUMBERS = {"max_file_mb": (1, MAX_FILE_MB, 10), "max_files": (1, 10, 3)}
ASSIGNMENT_FILE_TYPES = ["pdf", "docx", "odt"]  # AssignmentBlock's default
ASSIGNMENT_TEXTS = {"title", "instructions", "name", "description", "label"}  # what a translation may change
MAX_INTEGER_DIGITS, MAX_DECIMAL_PLACES = 10, 6  # NumericBlock: max_digits=16, decimal_places=6
# A pool question's fields beside id, type, prompt, outcome and feedback: (required, optional), by type.
POOL_FIELDS = {
    QuestionType.SINGLE: ({"options"}, set()),
    QuestionType.MULTIPLE: ({"options"}, set()),
    QuestionType.NUMERIC: ({"answer"}, {"tolerance", "unit"}),
    QuestionType.MATCHING: ({"pairs"}, set()),
}
# What a translated pool question gives beside id, prompt and feedback.
TRANSLATED_LISTS = {
    QuestionType.SINGLE: {"options"},
    QuestionType.MULTIPLE: {"options"},
    QuestionType.MATCHING: {"pairs"},
}
UNIT = {QuestionType.NUMERIC: {"unit"}}
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
class PoolSpec:
    """A question pool: the source language's file holds the questions and answers, the others their texts."""

    key: str
    sources: dict[str, Source] = field(default_factory=dict)


@dataclass
class TrainingSpec:
    key: str
    structure: Source | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    modules: list[ModuleSpec] = field(default_factory=list)  # a training without parts
    parts: list[PartSpec] = field(default_factory=list)  # or one in parts, each with its modules
    pools: list[PoolSpec] = field(default_factory=list)
    self_assessment: dict[str, Source] = field(default_factory=dict)  # by language; empty: none

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
        if any(folder.glob(f"{SELF_ASSESSMENT}.*.yaml")):
            spec.self_assessment = self.read_translated(folder, SELF_ASSESSMENT, self.check_self_assessment)
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            match = ORDERED.match(sub.name)
            if sub.name == POOLS:
                spec.pools = self.read_pools(sub)
            elif not match:
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
        self.check_assessment_blocks(spec)
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
        """``<name>.<language>.yaml`` in every language; ``check(source)`` sees each one."""
        return self.read_translated(folder, name, lambda sources: [check(source) for source in sources.values()])

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

    def markdown(self, source: Source, data: Mapping, key: str, *, required=True) -> None:
        value = data.get(key)
        if value is None and not required:
            return
        if not isinstance(value, str) or not value.strip():
            self.problem(source.path, data.line_of(key), f"'{key}' must be non-empty text")
            return
        for reason in markup_problems(render_markdown(value)):
            self.problem(source.path, data.line_of(key), f"'{key}' {reason}")

    def whole(self, source: Source, data: Mapping, key: str, low: int, high: int) -> None:
        """An optional whole number of a nested mapping (a block's field), from ``low`` to ``high``."""
        value = data.get(key)
        if key in data and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            self.problem(source.path, data.line_of(key), f"'{key}' must be a whole number from {low} to {high}")

    def boolean(self, source: Source, data: Mapping, key: str) -> None:
        if key in data and not isinstance(data[key], bool):
            self.problem(source.path, data.line_of(key), f"'{key}' must be true or false")

    def number(self, source: Source, data: Mapping, key: str, *, required=True, negative=True) -> None:
        """A decimal number the NumericBlock can hold: finite, at most 10 digits before the point and 6 after."""
        if key not in data and not required:
            return
        value = data.get(key)
        number = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                number = None
        if (
            number is None
            or not number.is_finite()
            or (number < 0 and not negative)
            or number.adjusted() >= MAX_INTEGER_DIGITS
            or -number.as_tuple().exponent > MAX_DECIMAL_PLACES
        ):
            low = "" if negative else "0 or more, "
            self.problem(
                source.path,
                data.line_of(key),
                f"'{key}' must be a number, {low}with at most {MAX_INTEGER_DIGITS} digits before the decimal "
                f"point and {MAX_DECIMAL_PLACES} after",
            )

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
        self.fields(
            source,
            {"title", "slug", "estimated_minutes", "completion", "body"},
            {"pass_percent", "valid_as_of", "review_by", "sources"},
        )
        self.text(source, data, "title", max_length=255)
        for key in ("valid_as_of", "review_by"):
            self.date(source, data, key)
        checked, review = data.get("valid_as_of"), data.get("review_by")
        if _is_date(checked) and _is_date(review) and review < checked:
            self.problem(source.path, data.line_of("review_by"), "'review_by' is before 'valid_as_of'")
        if "sources" in data:
            self.check_sources(source)
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

    def date(self, source: Source, data: Mapping, key: str, *, required=False) -> None:
        if key not in data and not required:
            return
        if not _is_date(data.get(key)):
            self.problem(source.path, data.line_of(key), f"'{key}' must be a date, e.g. 2026-12-31")

    def url(self, source: Source, data: Mapping, key: str = "url") -> None:
        value = data.get(key)
        if not isinstance(value, str) or not value.startswith("https://") or len(value) > 500 or value != value.strip():
            self.problem(source.path, data.line_of(key), f"'{key}' must be an https:// address")

    def check_sources(self, source: Source) -> None:
        """The lesson's cited sources: each a public page with its title, publisher, https address and the day read."""
        for item in self.items(source, "sources", 1, MAX_SOURCES):
            nested = Source(source.path, item)
            self.fields(nested, {"title", "publisher", "url", "accessed"})
            self.text(nested, item, "title", max_length=300)
            self.text(nested, item, "publisher", max_length=200)
            self.url(nested, item)
            self.date(nested, item, "accessed", required=True)

    def check_block(self, source: Source, block, ids: set[str]) -> None:
        if not isinstance(block, Mapping) or len(block) != 1:
            line = block.line if isinstance(block, Mapping) else source.data.line_of("body")
            self.problem(source.path, line, f"a block is a mapping with one key: {', '.join(BLOCK_KINDS)}")
            return
        ((kind, value),) = block.items()
        line = block.line
        if kind == "text":
            self.markdown(source, block, "text")
            return
        if kind not in BLOCK_KINDS:
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
        elif kind == "reading":
            self.fields(nested, {"title", "publisher", "url", "estimated_minutes"}, {"note"})
            self.text(nested, value, "title", max_length=300)
            self.text(nested, value, "publisher", max_length=200)
            self.url(nested, value)
            self.whole(nested, value, "estimated_minutes", 1, 6000)
            if "estimated_minutes" not in value:
                self.problem(source.path, line, "a reading needs 'estimated_minutes' (counted in the workload)")
            self.text(nested, value, "note", required=False, max_length=1000)
        elif kind == "video":
            self.fields(nested, {"url"}, {"caption"})
            url = value.get("url")
            if not isinstance(url, str) or not url.startswith("https://"):
                self.problem(source.path, value.line_of("url"), "'url' must be an https:// address")
        elif kind == "reflection":
            self.fields(nested, {"id", "prompt"})
            self.block_id(nested, ids)
            self.markdown(nested, value, "prompt")
        elif kind == "exam":
            self.check_exam(nested, ids)
        elif kind == "self_assessment":
            self.fields(nested, {"id", "phase"}, {*SELF_ASSESSMENT_NUMBERS, "required"})
            self.block_id(nested, ids)
            if value.get("phase") not in Phase.values:
                self.problem(source.path, value.line_of("phase"), f"'phase' must be one of {Phase.values}")
            self.gate_rules(nested, SELF_ASSESSMENT_NUMBERS)
        elif kind == "assignment":
            self.check_assignment(nested, ids)
        elif kind == "attendance":
            self.fields(nested, {"id"}, {*ATTENDANCE_NUMBERS, "text", "required"})
            self.block_id(nested, ids)
            self.markdown(nested, value, "text", required=False)
            self.gate_rules(nested, ATTENDANCE_NUMBERS)
        else:
            self.check_question(nested, ids)

    def gate_rules(self, source: Source, numbers: dict) -> None:
        for key, (low, high, _default) in numbers.items():
            self.whole(source, source.data, key, low, high)
        self.boolean(source, source.data, "required")

    def check_exam(self, source: Source, ids: set[str]) -> None:
        """An exam block's rules; whether its pools hold enough questions is checked with the pools."""
        data = source.data
        optional = {*EXAM_NUMBERS, "instructions", "per_outcome", "review", "closes_on", "required"}
        self.fields(source, {"id", "title", "pools"}, optional)
        self.block_id(source, ids)
        self.text(source, data, "title", max_length=200)
        self.markdown(source, data, "instructions", required=False)
        self.gate_rules(source, EXAM_NUMBERS)
        self.boolean(source, data, "per_outcome")
        pools = data.get("pools")
        if (
            not isinstance(pools, list)
            or not pools
            or not all(isinstance(p, str) and KEY.match(p) for p in pools)
            or len(set(pools)) != len(pools)
        ):
            self.problem(source.path, data.line_of("pools"), "'pools' must be a list of this training's pool keys")
        if data.get("review", Review.FEEDBACK) not in Review.values:
            self.problem(source.path, data.line_of("review"), f"'review' must be one of {Review.values}")
        closes_on = data.get("closes_on")
        if "closes_on" in data and (
            isinstance(closes_on, datetime.datetime) or not isinstance(closes_on, datetime.date)
        ):
            self.problem(source.path, data.line_of("closes_on"), "'closes_on' must be a date, e.g. 2026-12-31")
        if data.get("review") == Review.AFTER_CLOSE and not closes_on:
            self.problem(source.path, data.line_of("review"), "'review: after_close' needs 'closes_on'")

    def check_assignment(self, source: Source, ids: set[str]) -> None:
        """An assessed assignment's rules, as the admin's AssignmentBlock would accept them."""
        data = source.data
        optional = {*ASSIGNMENT_NUMBERS, "hand_in", "file_types", "grading", "deadline", "required", "rubric"}
        self.fields(source, {"id", "title", "instructions", "estimated_hours"}, optional)
        self.block_id(source, ids)
        self.text(source, data, "title", max_length=200)
        self.markdown(source, data, "instructions")
        for key, (low, high, _default) in ASSIGNMENT_NUMBERS.items():
            self.whole(source, data, key, low, high)
        self.boolean(source, data, "required")
        hand_in = data.get("hand_in", HandIn.BOTH)
        if hand_in not in HandIn.values:
            self.problem(source.path, data.line_of("hand_in"), f"'hand_in' must be one of {HandIn.values}")
        if data.get("grading", Grading.PASS_FAIL) not in Grading.values:
            self.problem(source.path, data.line_of("grading"), f"'grading' must be one of {Grading.values}")
        types = data.get("file_types", ASSIGNMENT_FILE_TYPES)
        if not isinstance(types, list) or not all(t in FILE_TYPES for t in types) or len(set(types)) != len(types):
            self.problem(source.path, data.line_of("file_types"), f"'file_types' must be a list of {list(FILE_TYPES)}")
        elif hand_in != HandIn.TEXT and not types:
            self.problem(source.path, data.line_of("file_types"), "name at least one file type, or ask for text only")
        hours = data.get("estimated_hours")
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 500:
            self.problem(
                source.path, data.line_of("estimated_hours"), "'estimated_hours' must be a number of hours, 0-500"
            )
        elif round(hours, 1) != hours:
            self.problem(source.path, data.line_of("estimated_hours"), "'estimated_hours' has at most one decimal")
        if "deadline" in data and not _is_date(data.get("deadline")):
            self.problem(source.path, data.line_of("deadline"), "'deadline' must be a date, e.g. 2027-05-31")
        if "rubric" not in data:
            return
        for criterion in self.items(source, "rubric", 0, 12):
            nested = Source(source.path, criterion)
            self.fields(nested, {"name", "levels"}, {"description"})
            self.text(nested, criterion, "name", max_length=120)
            self.text(nested, criterion, "description", required=False)
            for level in self.items(nested, "levels", 2, 6):
                self.fields(Source(source.path, level), {"label"}, {"description"})
                self.text(nested, level, "label", max_length=80)
                self.text(nested, level, "description", required=False)

    def block_id(self, source: Source, ids: set[str], where: str = "this lesson") -> None:
        value = source.data.get("id")
        if not isinstance(value, str) or not KEY.match(value):
            self.problem(source.path, source.data.line_of("id"), "'id' must be a key (a-z, 0-9, hyphens)")
        elif value in ids:
            self.problem(source.path, source.data.line_of("id"), f"id '{value}' is used twice in {where}")
        else:
            ids.add(value)

    def check_question(self, source: Source, ids: set[str]) -> None:
        data = source.data
        self.fields(source, {"id", "kind", "prompt", "options"})
        self.block_id(source, ids)
        self.markdown(source, data, "prompt")  # rendered as rich text: the same markup as the lesson's text
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
                    "the questions' ids, kinds, options or correct answers, or the rules of its exams, "
                    "self-assessments, contact sessions or assignments",
                )

    # question pools and the self-assessment

    def read_translated(self, folder: Path, name: str, check) -> dict[str, Source]:
        """``<name>.<language>.yaml`` in every language; ``check(sources)`` sees them all (rules and texts)."""
        sources = {}
        for language in LANGUAGES:
            path = folder / f"{name}.{language}.yaml"
            if not path.exists():
                self.problem(path, 0, "missing file")
                continue
            data = self.load(path)
            if data is not None:
                sources[language] = Source(path, data)
        check(sources)
        return sources

    def read_pools(self, folder: Path) -> list[PoolSpec]:
        names: dict[str, dict[str, Path]] = {}
        for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
            parts = path.name.rsplit(".", 2)
            if (
                path.is_dir()
                or len(parts) != 3
                or parts[2] != "yaml"
                or not KEY.match(parts[0])
                or parts[1] not in LANGUAGES
            ):
                self.problem(path, 0, f"a pool file is named <pool-key>.<language>.yaml, language one of {LANGUAGES}")
                continue
            names.setdefault(parts[0], {})[parts[1]] = path
        pools = []
        for key, paths in names.items():
            spec = PoolSpec(key=key)
            for language in LANGUAGES:
                if language not in paths:
                    self.problem(folder, 0, f"pool '{key}' has no {language} version")
                    continue
                data = self.load(paths[language])
                if data is not None:
                    spec.sources[language] = Source(paths[language], data)
            self.check_pool(spec.sources)
            pools.append(spec)
        return pools

    def check_pool(self, sources: dict[str, Source]) -> None:
        """The source language's pool holds the questions, answers and outcomes; a translation, their texts."""
        rule = sources.get(SOURCE_LANGUAGE)
        if rule is not None:
            before = len(self.problems)
            self.fields(rule, {"title", "questions"}, {"module"})
            self.text(rule, rule.data, "title", max_length=200)
            module = rule.data.get("module")
            if "module" in rule.data and (not isinstance(module, str) or not KEY.match(module)):
                self.problem(rule.path, rule.data.line_of("module"), "'module' must be a module key of this training")
            questions = self.items(rule, "questions", 1, 1000)
            ids: set[str] = set()
            prompts: dict[tuple, str] = {}
            for question in questions:
                self.check_pool_question(Source(rule.path, question), ids, prompts)
            if len(self.problems) == before:
                self.check_pool_as_admin(rule)
        for language, source in sources.items():
            if language == SOURCE_LANGUAGE or rule is None:
                continue
            self.fields(source, {"title", "questions"})
            self.text(source, source.data, "title", max_length=200)
            rules = self.paired(source, "questions", rule, "question")
            for question in self.items(source, "questions", 1, 1000):
                kind = (rules.get(question.get("id")) or {}).get("type")
                nested = Source(source.path, question)
                self.fields(
                    nested, {"id", "prompt"} | TRANSLATED_LISTS.get(kind, set()), {"feedback"} | UNIT.get(kind, set())
                )
                self.markdown(nested, question, "prompt")
                self.text(nested, question, "feedback", required=False)
                self.text(nested, question, "unit", required=False, max_length=20)
                wanted = rules.get(question.get("id")) or {}
                if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
                    self.option_texts(nested, "options", {"text"}, {"feedback"}, len(wanted.get("options") or []))
                elif kind == QuestionType.MATCHING:
                    self.option_texts(nested, "pairs", {"left", "right"}, set(), len(wanted.get("pairs") or []))

    def items(self, source: Source, key: str, low: int, high: int) -> list[Mapping]:
        """The mappings listed under ``key``; a list of other things, or of a wrong length, is a problem."""
        value = source.data.get(key)
        if not isinstance(value, list) or not low <= len(value) <= high:
            self.problem(source.path, source.data.line_of(key), f"'{key}' must be a list of {low} to {high} items")
            return []
        for n, item in enumerate(value):
            if not isinstance(item, Mapping):
                self.problem(
                    source.path,
                    value.line_of(n, source.data.line_of(key)),
                    f"an item of '{key}' must be a mapping of fields",
                )
        return [item for item in value if isinstance(item, Mapping)]

    def paired(self, source: Source, key: str, rule: Source, what: str) -> dict[str, Mapping]:
        """A translation's ``key`` items must be the source language's, by id: none added, none missing.

        Returns the source language's items by id."""
        rules = {
            item["id"]: item
            for item in rule.data.get(key) or []
            if isinstance(item, Mapping) and isinstance(item.get("id"), str)
        }
        given: set[str] = set()
        for item in source.data.get(key) or []:
            if not isinstance(item, Mapping):
                continue
            item_id = item.get("id")
            if not isinstance(item_id, str) or item_id not in rules:
                self.problem(
                    source.path,
                    item.line_of("id"),
                    f"{what} '{item_id}' is not in {rule.path.name}: "
                    f"a translation gives the texts of the {SOURCE_LANGUAGE} version's {what}s, by id",
                )
            elif item_id in given:
                self.problem(source.path, item.line_of("id"), f"{what} '{item_id}' is translated twice")
            given.add(item_id)
        for item_id in rules:
            if item_id not in given and isinstance(source.data.get(key), list):
                self.problem(
                    source.path, source.data.line_of(key), f"{what} '{item_id}' of {rule.path.name} is not translated"
                )
        return rules

    def option_texts(self, source: Source, key: str, required: set, optional: set, count: int) -> None:
        items = self.items(source, key, count, count) if count else []
        for item in items:
            nested = Source(source.path, item)
            self.fields(nested, required, optional)
            for name in sorted(required | optional):
                self.text(nested, item, name, required=name in required, max_length=500 if key == "options" else 300)

    def check_pool_question(self, source: Source, ids: set[str], prompts: dict[tuple, str]) -> None:
        data = source.data
        kind = data.get("type")
        if kind not in QuestionType.values:
            self.problem(source.path, data.line_of("type"), f"'type' must be one of {QuestionType.values}")
            return
        required, optional = POOL_FIELDS[kind]
        self.fields(source, {"id", "type", "prompt", *required}, {"outcome", "feedback", *optional})
        self.block_id(source, ids, "this pool")
        self.markdown(source, data, "prompt")
        self.text(source, data, "outcome", required=False, max_length=20)
        self.text(source, data, "feedback", required=False)
        if isinstance(data.get("prompt"), str):
            same = (kind, " ".join(data["prompt"].split()).casefold())
            if same in prompts:
                self.problem(source.path, data.line_of("prompt"), f"this question repeats question '{prompts[same]}'")
            prompts.setdefault(same, data.get("id"))
        if kind == QuestionType.NUMERIC:
            self.number(source, data, "answer")
            self.number(source, data, "tolerance", required=False, negative=False)
            self.text(source, data, "unit", required=False, max_length=20)
        elif kind == QuestionType.MATCHING:
            pairs = self.items(source, "pairs", 2, 8)
            for pair in pairs:
                nested = Source(source.path, pair)
                self.fields(nested, {"left", "right"})
                self.text(nested, pair, "left", max_length=300)
                self.text(nested, pair, "right", max_length=300)
            for side in ("left", "right"):
                texts = [" ".join(str(pair.get(side)).split()).casefold() for pair in pairs]
                if len(set(texts)) != len(texts):
                    self.problem(source.path, data.line_of("pairs"), f"each '{side}' of the pairs must be different")
        else:
            options = self.items(source, "options", 2, 8)
            for option in options:
                nested = Source(source.path, option)
                self.fields(nested, {"text", "correct"}, {"feedback"})
                self.text(nested, option, "text", max_length=500)
                self.text(nested, option, "feedback", required=False)
                if not isinstance(option.get("correct"), bool):
                    self.problem(source.path, option.line_of("correct"), "'correct' must be true or false")
            correct = sum(option.get("correct") is True for option in options)
            if options and kind == QuestionType.SINGLE and correct != 1:
                self.problem(
                    source.path, data.line_of("options"), "a single-choice question needs exactly one correct option"
                )
            if options and kind == QuestionType.MULTIPLE and correct < 1:
                self.problem(
                    source.path, data.line_of("options"), "a multiple-choice question needs at least one correct option"
                )

    def check_pool_as_admin(self, source: Source) -> None:
        """What the file passed, the pool's own StreamField must pass too: the admin's form checks it."""
        block = QuestionsBlock()
        try:
            block.clean(block.to_python(pool_questions(uuid.UUID(int=0), source.data["questions"])))
        except ValidationError as error:
            self.problem(source.path, source.data.line_of("questions"), f"the admin would refuse this pool: {error}")

    def check_self_assessment(self, sources: dict[str, Source]) -> None:
        """The source language's file sets the scale and the statements; a translation gives their texts."""
        rule = sources.get(SOURCE_LANGUAGE)
        texts = {"intro", "min_label", "max_label"}
        if rule is not None:
            data = rule.data
            self.fields(rule, {"title", "scale_min", "scale_max", "statements"}, texts)
            self.integer(rule, "scale_min", -100, 100)
            self.integer(rule, "scale_max", -100, 100)
            low, high = data.get("scale_min"), data.get("scale_max")
            if isinstance(low, int) and isinstance(high, int) and not 0 < high - low <= MAX_SPAN:
                self.problem(
                    rule.path,
                    data.line_of("scale_max"),
                    f"'scale_max' must be above 'scale_min', by at most {MAX_SPAN}",
                )
            ids: set[str] = set()
            for statement in self.items(rule, "statements", 1, 100):
                nested = Source(rule.path, statement)
                self.fields(nested, {"id", "outcome", "text"})
                self.block_id(nested, ids, "this self-assessment")
        for language, source in sources.items():
            if language != SOURCE_LANGUAGE:
                self.fields(source, {"title", "statements"}, texts)
                if rule is not None:
                    self.paired(source, "statements", rule, "statement")
            self.text(source, source.data, "title", max_length=200)
            self.text(source, source.data, "intro", required=False)
            self.text(source, source.data, "min_label", required=False, max_length=100)
            self.text(source, source.data, "max_label", required=False, max_length=100)
            for statement in self.items(source, "statements", 1, 100):
                nested = Source(source.path, statement)
                if language != SOURCE_LANGUAGE:
                    self.fields(nested, {"id", "outcome", "text"})
                self.text(nested, statement, "outcome", max_length=200)
                self.text(nested, statement, "text", max_length=500)

    def check_assessment_blocks(self, training: TrainingSpec) -> None:
        """Exams name this training's pools, which must hold what they draw; a self-assessment block needs
        the training's self-assessment. The source language's lesson is checked: the others are its shape."""
        module_keys = {module.key for module in training.all_modules}
        pools = {}
        for pool in training.pools:
            rule = pool.sources.get(SOURCE_LANGUAGE)
            if rule is None:
                continue
            module = rule.data.get("module")
            if isinstance(module, str) and KEY.match(module) and module not in module_keys:
                self.problem(rule.path, rule.data.line_of("module"), f"unknown module '{module}' in this training")
            pools[pool.key] = [
                q
                for q in rule.data.get("questions") or []
                if isinstance(q, Mapping) and q.get("type") in QuestionType.values
            ]
        for module in training.all_modules:
            for lesson in module.lessons:
                source = lesson.sources.get(SOURCE_LANGUAGE)
                body = source.data.get("body") if source else None
                for block in body if isinstance(body, list) else []:
                    if not isinstance(block, Mapping) or len(block) != 1:
                        continue
                    ((kind, value),) = block.items()
                    if kind == "self_assessment" and not training.self_assessment:
                        self.problem(
                            source.path,
                            block.line,
                            f"a self_assessment block needs {SELF_ASSESSMENT}.<language>.yaml in the training's folder",
                        )
                    elif kind == "exam" and isinstance(value, Mapping) and isinstance(value.get("pools"), list):
                        self.check_exam_draw(Source(source.path, value), pools)

    def check_exam_draw(self, source: Source, pools: dict[str, list]) -> None:
        """The ExamBlock's own rule: the pools hold at least the questions an attempt draws (per outcome if so)."""
        data = source.data
        unknown = [key for key in data["pools"] if key not in pools]
        if unknown:
            known = ", ".join(sorted(pools)) or "none"
            self.problem(
                source.path,
                data.line_of("pools"),
                f"unknown pool {', '.join(map(str, unknown))} (this training's pools: {known})",
            )
            return
        wanted = data.get("questions_per_attempt", EXAM_NUMBERS["questions_per_attempt"][2])
        if isinstance(wanted, bool) or not isinstance(wanted, int):
            return  # reported by check_exam
        questions = [q for key in data["pools"] for q in pools[key]]
        if data.get("per_outcome") is True:
            counts: dict[str, int] = {}
            for question in questions:
                outcome = question.get("outcome").strip() if isinstance(question.get("outcome"), str) else ""
                counts[outcome] = counts.get(outcome, 0) + 1
            short = sorted(outcome or "–" for outcome, count in counts.items() if count < wanted)
            if short:
                self.problem(
                    source.path,
                    data.line_of("questions_per_attempt"),
                    f"the pools hold fewer than {wanted} questions for these learning outcomes: {', '.join(short)}",
                )
        elif len(questions) < wanted:
            self.problem(
                source.path,
                data.line_of("questions_per_attempt"),
                f"the pools hold {len(questions)} questions, fewer than the {wanted} an attempt draws",
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
    gates = [  # the rules of exams, self-assessments and contact sessions: everything but their texts
        (kind, _canonical_json({k: v for k, v in value.items() if k not in GATE_TEXTS}))
        for block in data.get("body") or []
        if isinstance(block, dict)
        for kind, value in block.items()
        if kind in GATE_BLOCKS and isinstance(value, dict)
    ]
    assignments = [  # an assignment's rules and its rubric's shape: everything but its texts
        _canonical_json(_without_texts(block["assignment"]))
        for block in data.get("body") or []
        if isinstance(block, dict) and isinstance(block.get("assignment"), dict)
    ]
    return (
        data.get("estimated_minutes"),
        data.get("completion"),
        data.get("pass_percent"),
        questions,
        reflections,
        gates,
        assignments,
    )


def _without_texts(value):
    """``value`` with the texts a translation gives (titles, instructions, rubric wording) left out."""
    if isinstance(value, dict):
        return {key: _without_texts(item) for key, item in value.items() if key not in ASSIGNMENT_TEXTS}
    if isinstance(value, list):
        return [_without_texts(item) for item in value]
    return value


GATE_TEXTS = {"title", "instructions", "text"}


def _is_date(value) -> bool:
    """A YAML date (2026-12-31); YAML reads a date with a time as a datetime, which is not one here."""
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def render_markdown(text: str) -> str:
    return markdown.markdown(text.strip(), extensions=["sane_lists"], output_format="html")


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.links: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.tags.add(tag)
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                self.attributes.add(name)
            elif name == "href" and not (value or "").strip().lower().startswith(LINK_SCHEMES):
                self.links.add(value or "")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag not in ALLOWED_TAGS:
            self.tags.add(tag)


def markup_problems(html: str) -> list[str]:
    """What in rendered Markdown could run or style anything: raw HTML tags, attributes (onclick, style),
    links to ``javascript:`` or ``data:`` addresses. Markdown lets raw HTML through, so the import refuses it."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    problems = []
    if parser.tags:
        problems.append(f"uses markup that is not allowed: {sorted(parser.tags)}")
    if parser.attributes:
        problems.append(f"uses HTML attributes that are not allowed: {sorted(parser.attributes)}")
    if parser.links:
        problems.append(
            f"links to addresses that are not https://, http://, mailto: or relative: {sorted(parser.links)}"
        )
    return problems


# --- writing ---------------------------------------------------------------------------------


def translation_key(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


def _block_id(lesson_key: uuid.UUID, *parts) -> str:
    return str(uuid.uuid5(lesson_key, "/".join(str(p) for p in parts)))


def _decimal(value) -> str:
    return format(Decimal(str(value)), "f")


def pool_questions(pool_key: uuid.UUID, questions: list) -> list[dict]:
    """The raw StreamField data of a pool's questions; a question's block id (its id in attempts) is
    made from the pool's key and the question's ``id``, so it stays the same across runs and languages."""
    blocks = []
    for question in questions:
        kind = question["type"]
        question_id = _block_id(pool_key, "question", question["id"])
        value = {
            "prompt": render_markdown(question["prompt"]),
            "outcome": (question.get("outcome") or "").strip(),
            "feedback": (question.get("feedback") or "").strip(),
        }
        if kind == QuestionType.NUMERIC:
            value["answer"] = _decimal(question["answer"])
            value["tolerance"] = _decimal(question.get("tolerance", 0))
            value["unit"] = (question.get("unit") or "").strip()
        elif kind == QuestionType.MATCHING:
            value["pairs"] = [
                {
                    "type": "item",
                    "value": {"left": pair["left"].strip(), "right": pair["right"].strip()},
                    "id": _block_id(pool_key, question_id, "pair", n),
                }
                for n, pair in enumerate(question["pairs"])
            ]
        else:
            value["options"] = [
                {
                    "type": "item",
                    "value": {
                        "text": option["text"].strip(),
                        "correct": option["correct"],
                        "feedback": (option.get("feedback") or "").strip(),
                    },
                    "id": _block_id(pool_key, question_id, "option", n),
                }
                for n, option in enumerate(question["options"])
            ]
        blocks.append({"type": kind, "value": value, "id": question_id})
    return blocks


def translated_questions(rule: list, texts: list) -> list[dict]:
    """The source language's questions with a translation's texts: the same questions, answers and order."""
    by_id = {question["id"]: question for question in texts}
    questions = []
    for question in rule:
        own = by_id[question["id"]]
        worded = {**question, "prompt": own["prompt"], "feedback": own.get("feedback") or ""}
        if "unit" in question or "unit" in own:
            worded["unit"] = own.get("unit") or question.get("unit") or ""
        if "options" in question:
            worded["options"] = [
                {**option, "text": text["text"], "feedback": text.get("feedback") or ""}
                for option, text in zip(question["options"], own["options"], strict=True)
            ]
        if "pairs" in question:
            worded["pairs"] = own["pairs"]
        questions.append(worded)
    return questions


def lesson_body(
    lesson_key: uuid.UUID,
    body: list,
    pools: dict[str, int] | None = None,
    assessment: int | None = None,
    sources: list | None = None,
) -> list[dict]:
    """The StreamField raw data for a lesson's blocks, with ids that stay the same across runs.

    ``pools`` (pool key -> pk) and ``assessment`` (pk) are the snippets of the lesson's language
    that its exam and self-assessment blocks name. ``sources`` (the file's ``sources:``) become a
    sources block after the others, so the list "Sources" ends the lesson."""
    blocks = []
    for index, block in enumerate(body):
        ((kind, value),) = block.items()
        if kind in GATE_BLOCKS:
            blocks.append(_gate_block(lesson_key, kind, value, pools or {}, assessment))
        elif kind == "text":
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
        elif kind == "reading":
            blocks.append(
                {
                    "type": "reading",
                    "value": {
                        "title": value["title"].strip(),
                        "publisher": value["publisher"].strip(),
                        "url": value["url"],
                        "estimated_minutes": value["estimated_minutes"],
                        "note": (value.get("note") or "").strip(),
                    },
                    "id": _block_id(lesson_key, "reading", index),
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
        elif kind == "assignment":
            blocks.append(_assignment_block(lesson_key, value))
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
    if sources:
        blocks.append(
            {
                "type": "sources",
                "value": {
                    "sources": [
                        {
                            "type": "item",
                            "value": {
                                "title": item["title"].strip(),
                                "publisher": item["publisher"].strip(),
                                "url": item["url"],
                                "accessed": item["accessed"].isoformat(),
                            },
                            "id": _block_id(lesson_key, "source", n),
                        }
                        for n, item in enumerate(sources)
                    ]
                },
                "id": _block_id(lesson_key, "sources"),
            }
        )
    return blocks


def _assignment_block(lesson_key: uuid.UUID, value: Mapping) -> dict:
    """The raw AssignmentBlock; its stable id is what submissions and the structure name it by."""
    block_id = _block_id(lesson_key, "assignment", value["id"])
    deadline = value.get("deadline")

    def item(path, data: dict) -> dict:
        return {"type": "item", "value": data, "id": _block_id(lesson_key, block_id, *path)}

    rubric = [
        item(
            ("criterion", n),
            {
                "name": criterion["name"].strip(),
                "description": (criterion.get("description") or "").strip(),
                "levels": [
                    item(
                        ("criterion", n, "level", m),
                        {"label": level["label"].strip(), "description": (level.get("description") or "").strip()},
                    )
                    for m, level in enumerate(criterion["levels"])
                ],
            },
        )
        for n, criterion in enumerate(value.get("rubric") or [])
    ]
    raw = {
        "title": value["title"].strip(),
        "instructions": render_markdown(value["instructions"]),
        "hand_in": value.get("hand_in", HandIn.BOTH),
        "file_types": list(value.get("file_types", ASSIGNMENT_FILE_TYPES)),
        **{key: value.get(key, default) for key, (_low, _high, default) in ASSIGNMENT_NUMBERS.items()},
        "rubric": rubric,
        "grading": value.get("grading", Grading.PASS_FAIL),
        "estimated_hours": _decimal(value["estimated_hours"]),
        "deadline": deadline.isoformat() if deadline else None,
        "required": value.get("required", True),
    }
    return {"type": "assignment", "value": raw, "id": block_id}


def _gate_block(lesson_key: uuid.UUID, kind: str, value: Mapping, pools: dict[str, int], assessment) -> dict:
    block_id = _block_id(lesson_key, kind, value["id"])
    if kind == "exam":
        numbers = {key: value.get(key, default) for key, (_low, _high, default) in EXAM_NUMBERS.items()}
        closes_on = value.get("closes_on")
        raw = {
            "title": value["title"].strip(),
            "instructions": render_markdown(value["instructions"]) if value.get("instructions") else "",
            "pools": [
                {"type": "item", "value": pools[key], "id": _block_id(lesson_key, block_id, "pool", n)}
                for n, key in enumerate(value["pools"])
            ],
            **numbers,
            "per_outcome": value.get("per_outcome", False),
            "review": value.get("review", Review.FEEDBACK),
            "closes_on": closes_on.isoformat() if closes_on else None,
            "required": value.get("required", True),
        }
    elif kind == "self_assessment":
        raw = {
            "assessment": assessment,
            "phase": value["phase"],
            **{key: value.get(key, default) for key, (_low, _high, default) in SELF_ASSESSMENT_NUMBERS.items()},
            "required": value.get("required", True),
        }
    else:
        raw = {
            "text": render_markdown(value["text"]) if value.get("text") else "",
            **{key: value.get(key, default) for key, (_low, _high, default) in ATTENDANCE_NUMBERS.items()},
            "required": value.get("required", True),
        }
    return {"type": kind, "value": raw, "id": block_id}


def _canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


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
        self.pools: dict[str, dict[str, dict[str, int]]] = {}  # training key -> language -> pool key -> pk
        self.assessments: dict[str, dict[str, int]] = {}  # training key -> language -> self-assessment pk
        self.modules: dict[tuple[str, str, str], int] = {}  # (training key, module key, language) -> page pk

    def run(self, trainings: list[TrainingSpec]) -> Report:
        homes = site_setup()
        self.locales = {code: Locale.objects.get(language_code=code) for code in LANGUAGES}
        indexes = {code: self.index_page(homes[code], code) for code in LANGUAGES}
        pages: dict[str, dict[str, TrainingPage]] = {}
        for training in trainings:
            self.assessment_snippets(training)  # before the lessons, whose blocks name them
            pages[training.key] = {}
            for language in LANGUAGES:
                pages[training.key][language] = self.training(training, language, indexes[language])
            self.pool_modules(training)
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
        self.modules[training.key, spec.key, language] = page.pk
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
            "valid_as_of": data.get("valid_as_of"),
            "review_by": data.get("review_by"),
            "body": lesson_body(
                key,
                data["body"],
                pools=self.pools.get(training.key, {}).get(language),
                assessment=self.assessments.get(training.key, {}).get(language),
                sources=data.get("sources"),
            ),
        }
        return self.upsert(LessonPage, module, key, language, values, streams=("body",))

    def snippet(self, model, key: uuid.UUID, language: str, values: dict, streams=()):
        """Create the snippet, or update it in place (keeping its pk and its blocks' ids) if any value differs."""
        locale = self.locales[language]
        snippet = model.objects.filter(translation_key=key, locale=locale).first()
        if snippet is None:
            snippet = model.objects.create(translation_key=key, locale=locale, **values)
            self.report.created += 1
            return snippet
        changed = [
            name
            for name, value in values.items()
            if (_canonical_json(getattr(snippet, name).get_prep_value()) if name in streams else getattr(snippet, name))
            != (_canonical_json(value) if name in streams else value)
        ]
        if not changed:
            self.report.unchanged += 1
            return snippet
        for name, value in values.items():
            setattr(snippet, name, value)
        snippet.save()
        self.report.updated += 1
        return snippet

    def assessment_snippets(self, training: TrainingSpec) -> None:
        """The training's question pools and self-assessment, in every language, linked as translations."""
        self.pools[training.key] = {language: {} for language in LANGUAGES}
        for pool in training.pools:
            key = translation_key("pool", training.key, pool.key)
            rule = pool.sources[SOURCE_LANGUAGE].data
            for language in LANGUAGES:
                data = pool.sources[language].data
                questions = rule["questions"]
                if language != SOURCE_LANGUAGE:
                    questions = translated_questions(questions, data["questions"])
                values = {"title": data["title"].strip(), "questions": pool_questions(key, questions)}
                snippet = self.snippet(QuestionPool, key, language, values, streams=("questions",))
                self.pools[training.key][language][pool.key] = snippet.pk
        if not training.self_assessment:
            return
        key = translation_key("self-assessment", training.key)
        rule = training.self_assessment[SOURCE_LANGUAGE].data
        self.assessments[training.key] = {}
        for language in LANGUAGES:
            data = training.self_assessment[language].data
            texts = {statement["id"]: statement for statement in data["statements"]}
            values = {
                "title": data["title"].strip(),
                "intro": (data.get("intro") or "").strip(),
                "scale_min": rule["scale_min"],
                "scale_max": rule["scale_max"],
                "min_label": (data.get("min_label") or "").strip(),
                "max_label": (data.get("max_label") or "").strip(),
                "statements": [
                    {
                        "type": "statement",
                        "value": {
                            "outcome": texts[statement["id"]]["outcome"].strip(),
                            "text": texts[statement["id"]]["text"].strip(),
                        },
                        "id": _block_id(key, "statement", statement["id"]),
                    }
                    for statement in rule["statements"]
                ],
            }
            snippet = self.snippet(SelfAssessment, key, language, values, streams=("statements",))
            self.assessments[training.key][language] = snippet.pk

    def pool_modules(self, training: TrainingSpec) -> None:
        """A pool names its module once the module's pages exist; setting it is no change of the questions."""
        for pool in training.pools:
            module = pool.sources[SOURCE_LANGUAGE].data.get("module")
            for language in LANGUAGES:
                module_id = self.modules[training.key, module, language] if module else None
                pk = self.pools[training.key][language][pool.key]
                QuestionPool.objects.filter(pk=pk).exclude(module_id=module_id).update(module_id=module_id)

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
