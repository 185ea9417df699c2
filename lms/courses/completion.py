"""What apps outside ``courses`` contribute to a lesson's completion, without ``courses`` importing them.

The H5P app registers a function that tells, for an enrolment and some activity ids, which
activities are completed and which are passed. Lesson rules that depend on activities ask it.
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
