"""A lesson's body as the same-for-everyone markup it is, with the learner's blocks left to fill in.

Text, images, videos, callouts and documents render the same for every learner: rendering them
means converting the stored blocks, expanding rich text and finding image renditions, all of it
per request. ``lesson_segments`` does that once per published state of the lesson and keeps the
result in the process; the questions, reflections, H5P activities and assignments stay blocks, which the lesson
template renders with the learner's answers and attempts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from lms import generation

from .blocks import GATE_KINDS

PERSONAL_BLOCKS = frozenset({"question", "reflection", "h5p", "assignment"}) | GATE_KINDS


@dataclass(frozen=True)
class Segment:
    kind: str  # "html", or the type of a personal block
    html: SafeString | str = ""
    block: object = None  # the bound block, for a personal one


def lesson_segments(lesson, *, cached: bool = True) -> tuple[Segment, ...]:
    """The segments of ``lesson``'s body; ``cached=False`` for a preview, whose body is not the live one."""
    if not cached:
        return _segments(lesson)
    # The blocks' own words (a reading's "about 10 minutes", the sources' heading) and dates are in the
    # reader's language, which need not be the page's: an untranslated lesson is shown in Finnish.
    key = generation.key(f"lesson-segments:{lesson.pk}:{get_language()}")
    segments = generation.local_get(key)
    if segments is None:
        segments = _segments(lesson)
        generation.local_set(key, segments)
    return segments


def _segments(lesson) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for block in lesson.body:
        if block.block_type in PERSONAL_BLOCKS:
            out.append(Segment(kind=block.block_type, block=block))
            continue
        html = block.render_as_block({"page": lesson})
        if out and out[-1].kind == "html":  # neighbours join into one string
            out[-1] = Segment(kind="html", html=mark_safe(out[-1].html + html))  # noqa: S308 - both rendered by their templates
        else:
            out.append(Segment(kind="html", html=html))
    return tuple(out)
