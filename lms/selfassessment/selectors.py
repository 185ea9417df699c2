"""Reads: a self-assessment as learners see it (cached per content generation), and learners' answers.

``assessment_of`` reads every language version of a self-assessment in one query and keeps the
result until published content changes (saving a self-assessment starts a new generation, see
``apps.py``). The default-language version decides the statements and the scale; each language
gives the texts it has, and a statement it lacks is shown in the default language, marked as such.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Subquery

from lms import generation
from lms.courses.structure import default_language, language_of, structure_for

from .enums import Phase
from .models import Response, SelfAssessment


@dataclass(frozen=True)
class Statement:
    id: str
    outcome: str
    text: str
    language: str  # the language its text is in: the default one where a translation lacks it


@dataclass(frozen=True)
class Version:
    """A self-assessment's texts in one language."""

    language: str
    title: str
    intro: str
    min_label: str
    max_label: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Assessment:
    key: uuid.UUID
    scale_min: int
    scale_max: int
    statement_ids: tuple[str, ...]  # the default language's, in its order
    default: str  # the default language
    versions: Mapping[str, Version]

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)

    def version(self, language: str) -> Version:
        return self.versions.get(language) or self.versions[self.default]


def _statements(rows) -> dict[str, dict]:
    """``{block id: {"outcome", "text"}}`` of a StreamField's raw statements."""
    found = {}
    for block in rows.raw_data if hasattr(rows, "raw_data") else rows or []:
        value = block.get("value") or {}
        if block.get("type") == "statement" and block.get("id"):
            found[block["id"]] = {"outcome": value.get("outcome") or "", "text": value.get("text") or ""}
    return found


def _build(pk: int) -> Assessment | None:
    rows = list(
        SelfAssessment.objects.filter(
            translation_key=Subquery(SelfAssessment.objects.filter(pk=pk).values("translation_key")[:1])
        )
    )
    if not rows:
        return None
    by_language = {language_of(row.locale_id): row for row in rows}
    default = default_language()
    # Where no default-language version exists (made in Swedish first), the chosen one decides.
    rule = by_language.get(default) or next(row for row in rows if row.pk == pk)
    rule_language = language_of(rule.locale_id)
    defined = _statements(rule.statements)
    versions = {}
    for language, row in by_language.items():
        own = _statements(row.statements)
        versions[language] = Version(
            language=language,
            title=row.title,
            intro=row.intro,
            min_label=row.min_label,
            max_label=row.max_label,
            statements=tuple(
                Statement(
                    id=sid,
                    outcome=(own.get(sid) or texts)["outcome"] or texts["outcome"],
                    text=(own.get(sid) or texts)["text"] or texts["text"],
                    language=language if sid in own else rule_language,
                )
                for sid, texts in defined.items()
            ),
        )
    return Assessment(
        key=rule.translation_key,
        scale_min=rule.scale_min,
        scale_max=rule.scale_max,
        statement_ids=tuple(defined),
        default=rule_language,
        versions=versions,
    )


def assessment_of(pk) -> Assessment | None:
    """The self-assessment ``pk`` (any language version), or None; one query per content generation."""
    try:
        pk = int(getattr(pk, "pk", pk))
    except (TypeError, ValueError):
        return None
    return generation.cached(f"self-assessment:{pk}", lambda: _build(pk), immutable=True)


def training_assessments(training) -> list[Assessment]:
    """The self-assessments that ``training``'s lessons hold, in the order they first appear (cached)."""
    found: dict[uuid.UUID, Assessment] = {}
    for lesson in structure_for(training).lessons:
        for value in lesson.requirements.gates_of("self_assessment").values():
            assessment = assessment_of(value.get("assessment"))
            if assessment is not None:
                found.setdefault(assessment.key, assessment)
    return list(found.values())


def gates_met(enrolment, lesson_key, blocks: Mapping[str, Mapping]) -> set[str]:
    """The self-assessment blocks (``{block id: raw value}``) that the learner has answered (one query).

    The block's self-assessment comes from the cache (its translation key is what a response keeps),
    so the query is a plain look-up of the learner's responses: it runs inside the lock of every
    answer that may complete a lesson, and the join it replaced cost the answer a quarter of its time.
    """
    wanted = {}
    for block_id, value in blocks.items():
        assessment = assessment_of(value.get("assessment"))
        if assessment is not None:  # a block without its self-assessment: nothing to answer, never met
            wanted[block_id] = (assessment.key, str(value.get("phase") or Phase.START.value))
    if not wanted:
        return set()
    answered = set(
        Response.objects.filter(
            enrolment=enrolment, assessment_key__in={key for key, _phase in wanted.values()}
        ).values_list("assessment_key", "phase")
    )
    return {block_id for block_id, gate in wanted.items() if gate in answered}


def responses_of(enrolment) -> dict[tuple[uuid.UUID, str], Response]:
    """``{(assessment key, phase): response}`` of the learner's self-assessments in the training (one query)."""
    return {(r.assessment_key, r.phase): r for r in Response.objects.filter(enrolment=enrolment)}


def personal_data(user) -> dict:
    return {
        "self_assessments": [
            {
                "training": str(r.enrolment.training.translation_key),
                "self_assessment": str(r.assessment_key),
                "phase": r.phase,
                "answers": r.answers,
                "submitted_at": r.submitted_at.isoformat(),
            }
            for r in Response.objects.filter(enrolment__user=user).select_related("enrolment__training").order_by("pk")
        ]
    }


def statement_pairs(assessment: Assessment, start: Mapping | None, end: Mapping | None) -> list[tuple]:
    """``[(statement id, start value or None, end value or None)]``: a learner's values, in the statements' order."""
    return [(sid, _value(assessment, start, sid), _value(assessment, end, sid)) for sid in assessment.statement_ids]


def _value(assessment: Assessment, answers: Mapping | None, sid: str) -> int | None:
    """A stored value, if it is still on the scale (an editor may have narrowed it since)."""
    value = (answers or {}).get(sid)
    return value if isinstance(value, int) and assessment.scale_min <= value <= assessment.scale_max else None


def assessments_by_key(keys) -> dict[uuid.UUID, Assessment]:
    """``{translation key: assessment}`` (one query for the ids; the assessments from the cache)."""
    if not keys:
        return {}
    ids = dict(SelfAssessment.objects.filter(translation_key__in=list(keys)).values_list("translation_key", "pk"))
    found = {key: assessment_of(pk) for key, pk in ids.items()}
    return {key: assessment for key, assessment in found.items() if assessment is not None}
