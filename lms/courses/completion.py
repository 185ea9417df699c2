"""What apps outside ``courses`` contribute to a lesson's completion, without ``courses`` importing them.

The assignments app registers a function that tells which of a lesson's assignments have an
approved round: a lesson whose assignment must be approved completes only then.

It also registers one that gives the grades a learner's assignments were approved with, from
which a part graded on the 0-5 scale takes its grade.

The H5P app registers a function that tells, for an enrolment and some activity ids, which
activities are completed and which are passed (lesson rules that depend on activities ask it), and
one that gives activities' own pass marks (the training structure reads them).

Exams, self-assessments and contact sessions are *gates*: lesson blocks of other apps that a
lesson's completion waits for (``courses.blocks.GATE_KINDS``). Each app registers, per block type,
a function that tells which of a lesson's gate blocks a learner has met, and one that renders the
block for the learner (their attempts, answers, attendance): ``courses`` never imports them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ActivityResult:
    completed: bool
    passed: bool


_sources: list[Callable] = []


def register_activity_results(source: Callable) -> None:
    if source not in _sources:
        _sources.append(source)


def activity_results(enrolment, requirements: dict) -> dict:
    """``{activity_id: ActivityResult}`` for ``requirements`` (``{activity_id: pass_mark or None}``)."""
    results: dict = {}
    for source in _sources:
        results.update(source(enrolment, requirements))
    return results


_pass_mark_sources: list[Callable] = []


def register_activity_pass_marks(source: Callable) -> None:
    """``source(activity_ids)`` returns ``{activity_id: its own pass mark or None}``."""
    if source not in _pass_mark_sources:
        _pass_mark_sources.append(source)


def activity_pass_marks(activity_ids) -> dict:
    """The activities' own pass marks, for blocks that do not set one; nothing asked, no query."""
    marks: dict = {}
    if activity_ids:
        for source in _pass_mark_sources:
            marks.update(source(activity_ids))
    return marks


_assignment_sources: list[Callable] = []


def register_assignment_results(source: Callable) -> None:
    """``source(enrolment, lesson_key, block_ids)`` returns the ids of the blocks whose work is approved."""
    if source not in _assignment_sources:
        _assignment_sources.append(source)


def approved_assignments(enrolment, lesson_key, block_ids) -> set:
    approved: set = set()
    if block_ids:
        for source in _assignment_sources:
            approved |= set(source(enrolment, lesson_key, block_ids))
    return approved


_grade_sources: list[Callable] = []


def register_assignment_grades(source: Callable) -> None:
    """``source(enrolment, lesson_keys)`` returns the grades (1-5) of the approved graded assignments there."""
    if source not in _grade_sources:
        _grade_sources.append(source)


def assignment_grades(enrolment, lesson_keys) -> list[int]:
    grades: list[int] = []
    if lesson_keys:
        for source in _grade_sources:
            grades.extend(source(enrolment, lesson_keys))
    return grades


_gate_sources: dict[str, Callable] = {}


def register_gate(kind: str, source: Callable) -> None:
    """``source(enrolment, lesson_key, blocks)`` gets ``{block_id: raw value}`` of the lesson's ``kind``
    blocks and returns the ids of those the learner has met (an exam passed, a self-assessment
    answered, enough sessions attended)."""
    _gate_sources[kind] = source


def gates_met(enrolment, lesson_key, gates: Mapping[str, tuple[str, Mapping]]) -> set:
    """The ids of ``gates`` (``{block_id: (kind, raw value)}``) that ``enrolment`` has met; one call per kind."""
    by_kind: dict[str, dict] = {}
    for block_id, (kind, value) in gates.items():
        by_kind.setdefault(kind, {})[block_id] = value
    met: set = set()
    for kind, blocks in by_kind.items():
        source = _gate_sources.get(kind)
        if source is not None:  # an app not installed meets nothing: the lesson waits
            met |= set(source(enrolment, lesson_key, blocks))
    return met


_block_views: dict[str, Callable] = {}


def register_block_view(kind: str, view: Callable) -> None:
    """``view(context, block)`` renders a personal lesson block of ``kind`` for the learner in ``context``
    (``request``, ``page``, ``enrolment`` (None in a preview or for a visitor), ``preview``) and returns safe HTML."""
    _block_views[kind] = view


def block_view(kind: str) -> Callable | None:
    return _block_views.get(kind)
