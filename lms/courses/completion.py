"""What apps outside ``courses`` contribute to a lesson's completion, without ``courses`` importing them.

The assignments app registers a function that tells which of a lesson's assignments have an
approved round: a lesson whose assignment must be approved completes only then.

It also registers one that gives the grades a learner's assignments were approved with, from
which a part graded on the 0-5 scale takes its grade.

The H5P app registers a function that tells, for an enrolment and some activity ids, which
activities are completed and which are passed (lesson rules that depend on activities ask it), and
one that gives activities' own pass marks (the training structure reads them).
"""

from collections.abc import Callable
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
