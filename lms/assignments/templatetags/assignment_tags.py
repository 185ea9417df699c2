"""What the lesson page needs of the learner's assignments: nothing, and no query, when it has none."""

from django import template

from lms.courses.structure import structure_for, structures_for, training_of

from ..enums import SubmissionStatus
from ..models import Submission
from ..selectors import rounds_for

register = template.Library()


@register.simple_tag
def assignment_rounds(enrolment, page) -> dict:
    """``{block id: [rounds, oldest first]}`` of the learner's work in the lesson ``page`` (two queries)."""
    if enrolment is None or page is None or not page.pk:
        return {}
    node = structure_for(training_of(page)).lesson(page.translation_key)
    if node is None or not node.requirements.assignments:
        return {}
    return rounds_for(enrolment, node.key)


@register.filter
def assessed_in(submission, rubric) -> list[tuple[str, str]]:
    """(criterion, level reached) of a decided round, worded in the language the learner reads.

    A round keeps the rubric it was submitted with (the default language's, and its shape is what the
    scores index), so a Swedish or English learner's table would show Finnish wording. The lesson's
    own rubric (``rubric``, the block value in the page's language) gives the words where it has the
    same shape; where the trainer has changed the rubric since, the round's own words stay."""
    frozen = [
        (c.get("name", ""), [level.get("label", "") for level in c.get("levels") or []])
        for c in submission.rubric or []
    ]
    shown = [(c["name"], [level["label"] for level in c["levels"]]) for c in rubric or []]
    if [len(labels) for _name, labels in shown] != [len(labels) for _name, labels in frozen]:
        shown = frozen
    scores = submission.scores or {}
    rows = []
    for index, (name, labels) in enumerate(shown):
        level = scores.get(str(index))
        rows.append((name, labels[level] if isinstance(level, int) and 0 <= level < len(labels) else ""))
    return rows


@register.simple_tag
def assignment_news(user, language: str) -> dict:
    """The latest round of each of the learner's assignments, by training: what My trainings tells them.

    Rendered into the learner's cached *My trainings* (``lms.learner_cache``), which a submission
    and a decision renew, so the query runs when something changed, not on every visit.
    """
    latest: dict = {}
    for submission in (
        Submission.objects.filter(enrolment__user=user)
        .exclude(status=SubmissionStatus.DRAFT)
        .select_related("enrolment__training")
        .order_by("enrolment_id", "lesson_key", "block_id", "-round")
    ):
        latest.setdefault((submission.enrolment_id, submission.lesson_key, submission.block_id), submission)
    structures = structures_for([s.enrolment.training for s in latest.values()])
    news: dict = {}
    for submission in latest.values():
        structure = structures[submission.enrolment.training.translation_key]
        node = structure.lesson(submission.lesson_key)
        if node is None:
            continue
        page = structure.page(node, language)
        title = node.requirements.assignments.get(submission.block_id, {}).get("title", "")
        news.setdefault(submission.enrolment.training_id, []).append(
            {"submission": submission, "title": title, "url": f"{page.url}#a-{submission.block_id}"}
        )
    return news
