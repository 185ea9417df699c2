"""Writes: enrolling, recording what a learner does, and recording completion.

Every write that touches a learner's progress first locks their enrolment row, so one learner's
requests for one training are applied one at a time: a duplicated or concurrent submission finds
the first one's result and changes nothing. Completion of a module or a training is recorded once
(unique constraints back the lock up), and ``training_completed`` is sent after commit.
"""

import hmac
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms import learner_cache, rows
from lms.tasks import enqueue_on_commit

from .blocks import check_answer
from .completion import activity_results, approved_assignments, assignment_grades, gates_met
from .enums import (
    BROWSER_ASSERTED_RULES,
    PASS,
    CompletionRule,
    EnrolmentMode,
    EnrolmentStatus,
    Grading,
    LessonStatus,
    QuestionKind,
)
from .models import (
    Enrolment,
    LessonPage,
    LessonProgress,
    ModuleCompletion,
    PartCompletion,
    PartPage,
    TrainingPage,
    canonical,
)
from .selectors import enrolment_in
from .signals import part_completed, training_completed
from .structure import LessonNode, PartNode, Progress, structure_for, training_of

REFLECTION_MAX_LENGTH = 10_000


class EnrolmentError(Exception):
    """Enrolment refused; the message is shown to the learner as it is."""


class AnswerError(Exception):
    """An answer or reflection that cannot be recorded; the message is shown to the learner."""


def missing_prerequisites(*, user, training: TrainingPage) -> list[TrainingPage | PartPage]:
    """The trainings, and parts of trainings, ``user`` must complete before enrolling in ``training``.

    A training counts once an enrolment of theirs in it is completed; a part, once an enrolment of
    theirs records its completion (by translation key: every language version is the same part).
    """
    required = [
        p.required_part or p.required_training
        for p in training.prerequisites.select_related("required_training", "required_part")
    ]
    if not required:
        return []
    trainings = [page.translation_key for page in required if isinstance(page, TrainingPage)]
    parts = [page.translation_key for page in required if isinstance(page, PartPage)]
    done = set()
    if trainings:
        done |= set(
            Enrolment.objects.filter(
                user=user, completed_at__isnull=False, training__translation_key__in=trainings
            ).values_list("training__translation_key", flat=True)
        )
    if parts:
        done |= set(
            PartCompletion.objects.filter(enrolment__user=user, part_key__in=parts).values_list("part_key", flat=True)
        )
    return [page for page in required if page.translation_key not in done]


def enrolment_create(
    *, user, training: TrainingPage, key: str = "", invited: bool = False, notify: bool = True
) -> Enrolment:
    """Enrol ``user`` in ``training`` (any language version); enrolling twice returns the first.

    ``invited`` is for staff who enrol people themselves: it skips the key and invitation checks,
    but never the prerequisites. ``notify=False`` skips the welcome e-mail (an invitation says it).
    """
    training = canonical(training)
    existing = Enrolment.objects.filter(user=user, training=training).first()
    if existing is not None:
        return existing
    if not invited:
        if training.enrolment_mode == EnrolmentMode.INVITATION:
            raise EnrolmentError(_("This training is by invitation only. Ask your organisation for an invitation."))
        if training.enrolment_mode == EnrolmentMode.KEY and not _key_matches(key, training.enrolment_key):
            raise EnrolmentError(_("The enrolment key is not right. Check it and try again."))
    missing = missing_prerequisites(user=user, training=training)
    if missing:
        raise EnrolmentError(_prerequisites_refusal(missing))
    with transaction.atomic():
        enrolment, created = Enrolment.objects.get_or_create(user=user, training=training)
        if created and notify:
            from .tasks import send_enrolment_email

            enqueue_on_commit(send_enrolment_email, enrolment.pk)
    return enrolment


def _key_matches(given: str, expected: str) -> bool:
    given = "".join(given.split()).casefold()
    expected = "".join(expected.split()).casefold()
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _localised_title(page) -> str:
    translated = page.get_translations(inclusive=True).filter(locale__language_code=translation.get_language()).first()
    return (translated or page).title


def _prerequisites_refusal(missing: list[TrainingPage | PartPage]) -> str:
    """What to complete first, in the active language; a part is named with its training."""
    if all(isinstance(page, TrainingPage) for page in missing):
        titles = ", ".join(_localised_title(page) for page in missing)
        return _("Complete this training first: %(titles)s.") % {"titles": titles}
    names = []
    for page in missing:
        if isinstance(page, TrainingPage):
            names.append(_localised_title(page))
            continue
        part_title, training_title = _part_titles(page)
        names.append(_("%(part)s (part of %(training)s)") % {"part": part_title, "training": training_title})
    return _("Complete first: %(titles)s.") % {"titles": ", ".join(names)}


def _part_titles(part: PartPage) -> tuple[str, str]:
    """A part's title and its training's in the active language, from the training's structure
    (a part not translated yet is named in the default language); from the pages if not live."""
    training = training_of(part)
    structure = structure_for(training)
    node = structure.part(part.translation_key)
    language = translation.get_language()
    if node is None:
        return _localised_title(part), _localised_title(training)
    own = structure.pages.get(language) or structure.pages[structure.default_language]
    return structure.page(node, language).title, own.title


def enrolment_notify(*, enrolment_id: int) -> bool:
    """Send the welcome e-mail once; return whether it was sent now."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("user", "training")
            .filter(pk=enrolment_id)
            .first()
        )
        if enrolment is None or enrolment.notified_at is not None:
            return False
        user = enrolment.user
        with translation.override(user.preferred_language):
            training = (
                TrainingPage.objects.filter(
                    translation_key=enrolment.training.translation_key,
                    locale__language_code=user.preferred_language,
                ).first()
                or enrolment.training
            )
            context = {
                "user": user,
                "training": training,
                "training_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + (training.get_url() or "/"),
            }
            subject = render_to_string("courses/email/enrolled_subject.txt", context).strip()
            body = render_to_string("courses/email/enrolled_body.txt", context)
        send_mail(subject, body, None, [user.email])
        enrolment.notified_at = timezone.now()
        enrolment.save(update_fields=["notified_at"])
    return True


# Every answer, statement and visit that writes takes the lock and reads the lesson's record: SQL,
# because the ORM's compiling of these two look-ups cost more than PostgreSQL's running them.
_LOCK = rows.select(Enrolment, "e") + "WHERE e.id = %s"
_PROGRESS = rows.select(LessonProgress, "p") + "WHERE p.enrolment_id = %s AND p.lesson_key = %s"


def _locked(enrolment: Enrolment) -> Enrolment:
    """The enrolment's row again, locked; its training page is the one already in hand (cached), not a join.

    What the lock protects is read by the *next* statement: under READ COMMITTED a statement sees
    what was committed when it began, so progress joined into this one would be as it was before
    the lock was granted (tests/courses/test_idempotency.py caught exactly that).
    """
    locked = rows.one(
        Enrolment, _LOCK + (" FOR UPDATE" if connection.features.has_select_for_update else ""), [enrolment.pk]
    )
    if locked is None:
        raise Enrolment.DoesNotExist(f"enrolment {enrolment.pk} is gone")
    if Enrolment.training.is_cached(enrolment):
        locked.training = enrolment.training
    return locked


def enrolment_lock(enrolment: Enrolment) -> Enrolment:
    """Lock the learner's enrolment for the rest of the transaction (see the module docstring)."""
    return _locked(enrolment)


def enrolment_for_lesson(*, user, lesson: LessonPage) -> Enrolment | None:
    """The user's enrolment in the training that holds ``lesson``, if any (one query)."""
    training = training_of(lesson)
    return enrolment_in(user=user, training=training)


def lesson_progress_recompute(*, enrolment: Enrolment, lesson: LessonPage) -> LessonProgress:
    """Re-check the lesson's rule after something outside courses changed (an H5P result)."""
    with transaction.atomic():
        enrolment = _locked(enrolment)
        progress = _progress(enrolment, lesson)
        _evaluate(enrolment, lesson, progress, timezone.now())
    return progress


def lesson_progress_recheck(*, enrolment: Enrolment, lesson_key) -> None:
    """Re-check a lesson's completion by its key, inside the caller's transaction (an assignment approved).

    The learner may never have opened the lesson's page in this language, or at all since the
    approval's round began: the progress row is made if it is missing.
    """
    enrolment = _locked(enrolment)
    node = structure_for(enrolment.training).lesson(lesson_key)
    if node is None:
        return
    progress, _created = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson_key=node.key)
    progress.enrolment = enrolment
    _evaluate_node(enrolment, node, progress, timezone.now())


def _progress(enrolment: Enrolment, lesson: LessonPage) -> LessonProgress:
    key = LessonProgress._meta.get_field("lesson_key").get_db_prep_value(lesson.translation_key, connection)
    progress = rows.one(LessonProgress, _PROGRESS, [enrolment.pk, key])
    if progress is None:
        progress, _created = LessonProgress.objects.get_or_create(
            enrolment=enrolment, lesson_key=lesson.translation_key
        )
    progress.enrolment = enrolment  # a row that existed comes without it; whoever reads it then would query again
    return progress


ACTIVITY_RESOLUTION = timedelta(
    minutes=15
)  # "last activity" is kept to this precision: a visit within it writes nothing


def visit_changes(*, enrolment: Enrolment, lesson: LessonPage, record: LessonProgress | None) -> bool:
    """Whether opening ``lesson`` now would change anything, so that most visits write nothing.

    It does for a lesson never opened, another lesson than the last one, a lesson the 'opened' rule
    completes, and when the last activity is older than ``ACTIVITY_RESOLUTION``.
    """
    if record is None or enrolment.last_lesson_key != lesson.translation_key:
        return True
    if enrolment.last_activity_at is None or timezone.now() - enrolment.last_activity_at > ACTIVITY_RESOLUTION:
        return True
    if record.completed_at is None:
        node = _node(enrolment, lesson)  # an assignment or a gate waiting: opening completes nothing
        return (
            node is not None
            and node.rule == CompletionRule.OPENED
            and not node.requirements.assignments
            and not node.requirements.gates
        )
    return False


def lesson_open(*, enrolment: Enrolment, lesson: LessonPage) -> LessonProgress:
    """Record that the learner opened ``lesson``: where to continue, and the 'opened' rule."""
    now = timezone.now()
    with transaction.atomic():
        enrolment = _locked(enrolment)
        progress = _progress(enrolment, lesson)
        _activity_record(enrolment, lesson, now)
        _evaluate(enrolment, lesson, progress, now)
    return progress


@dataclass(frozen=True)
class AnswerResult:
    correct: bool
    changed: bool
    progress: LessonProgress
    completed_now: bool = False  # this answer completed the lesson


def answer_submit(*, enrolment: Enrolment, lesson: LessonPage, question_id: str, selected: list[int]) -> AnswerResult:
    """Check an answer on the server, store it, and recompute completion.

    The latest answer to a question counts; sending the same answer again changes nothing, and is
    not a try. Each answer records its try (``tries``) and the try that first got it right
    (``right_at``, for the trainers' report); a question with ``max_attempts`` refuses an answer
    beyond them. An answer stored before tries were counted counts as one try.
    """
    node = _node(enrolment, lesson)
    question = node.requirements.questions.get(question_id) if node else None
    if question is None:
        raise AnswerError(_("This question is no longer in the lesson. Reload the page."))
    options = len(question["options"])
    chosen = sorted(set(selected))
    if not chosen:
        raise AnswerError(_("Choose an answer first."))
    if any(index < 0 or index >= options for index in chosen):
        raise AnswerError(_("That answer is not one of the options. Reload the page and try again."))
    if question["kind"] == QuestionKind.SINGLE and len(chosen) != 1:
        raise AnswerError(_("Choose exactly one option."))
    correct = check_answer(question, chosen)
    now = timezone.now()
    with transaction.atomic():
        enrolment = _locked(enrolment)
        progress = _progress(enrolment, lesson)
        previous = progress.answers.get(question_id)
        if previous is not None and previous["selected"] == chosen:
            return AnswerResult(correct=previous["correct"], changed=False, progress=progress)
        tries = 0 if previous is None else previous.get("tries", 1)
        limit = question.get("max_attempts") or 0
        if limit and tries >= limit:
            raise AnswerError(
                ngettext(
                    "You have used your one attempt at this question.",
                    "You have used all %(count)d attempts at this question.",
                    limit,
                )
                % {"count": limit}
            )
        # The try that first got it right: kept once known; None where it was right at a try from
        # before tries were counted; absent while it never was.
        if previous is not None and "right_at" in previous:
            right = {"right_at": previous["right_at"]}
        elif correct or (previous is not None and previous["correct"]):
            counted = previous is None or "tries" in previous
            right = {"right_at": tries + 1 if correct and counted else None}
        else:
            right = {}
        progress.answers[question_id] = {
            "selected": chosen,
            "correct": correct,
            "answered_at": now.isoformat(),
            "tries": tries + 1,
            **right,
        }
        progress.score = _score(node, progress)
        progress.save(update_fields=["answers", "score", "updated_at"])
        _activity_record(enrolment, lesson, now)
        was_completed = progress.completed_at is not None
        _evaluate(enrolment, lesson, progress, now)
    return AnswerResult(
        correct=correct,
        changed=True,
        progress=progress,
        completed_now=not was_completed and bool(progress.completed_at),
    )


def _activity_record(enrolment: Enrolment, lesson: LessonPage, now) -> None:
    """Where the learner is and when they were last active, written only when it changes (see visits)."""
    stale = enrolment.last_activity_at is None or now - enrolment.last_activity_at > ACTIVITY_RESOLUTION
    if stale or enrolment.last_lesson_key != lesson.translation_key:
        enrolment.last_lesson_key, enrolment.last_activity_at = lesson.translation_key, now
        enrolment.save(update_fields=["last_lesson_key", "last_activity_at"])


def reflection_save(*, enrolment: Enrolment, lesson: LessonPage, reflection_id: str, text: str) -> LessonProgress:
    """Keep the learner's own reflection; only they ever see it."""
    node = _node(enrolment, lesson)
    if node is None or reflection_id not in node.requirements.reflections:
        raise AnswerError(_("This reflection task is no longer in the lesson. Reload the page."))
    text = text.strip()
    if len(text) > REFLECTION_MAX_LENGTH:
        raise AnswerError(
            _(
                "Your text is too long (%(length)d characters; at most %(max)d). "
                "Nothing was lost: shorten it and save again."
            )
            % {"length": len(text), "max": REFLECTION_MAX_LENGTH}
        )
    with transaction.atomic():
        enrolment = _locked(enrolment)
        progress = _progress(enrolment, lesson)
        if progress.reflections.get(reflection_id, {}).get("text") != text:
            progress.reflections[reflection_id] = {"text": text, "saved_at": timezone.now().isoformat()}
            progress.save(update_fields=["reflections", "updated_at"])
    return progress


def _node(enrolment: Enrolment, lesson: LessonPage) -> LessonNode | None:
    """``lesson`` (in any language) as its training's structure knows it: the rules of the default language."""
    return structure_for(enrolment.training).lesson(lesson.translation_key)


def _score(node: LessonNode, progress: LessonProgress) -> int | None:
    questions = node.requirements.questions
    if not questions:
        return None
    right = sum(1 for qid in questions if progress.answers.get(qid, {}).get("correct"))
    return right * 100 // len(questions)


def _rule_met(enrolment: Enrolment, node: LessonNode, progress: LessonProgress) -> bool:
    """The lesson's completion rule, every assignment that must be approved approved, and every gate
    that must be met (an exam passed, a self-assessment answered, sessions attended) met.

    The rule first: for questions it reads nothing, and a wrong answer then asks nothing more of
    the database while the enrolment is locked.
    """
    if not _completion_rule_met(enrolment, node, progress):
        return False
    required = [block_id for block_id, value in node.requirements.assignments.items() if value.get("required", True)]
    if required and set(required) - approved_assignments(enrolment, node.key, required):
        return False
    gates = {block_id: gate for block_id, gate in node.requirements.gates.items() if gate[1].get("required", True)}
    return not gates or not set(gates) - gates_met(enrolment, node.key, gates)


def _completion_rule_met(enrolment: Enrolment, node: LessonNode, progress: LessonProgress) -> bool:
    questions = node.requirements.questions
    all_correct = all(progress.answers.get(qid, {}).get("correct") for qid in questions)
    if node.rule in BROWSER_ASSERTED_RULES:
        requirements = node.requirements.h5p
        results = activity_results(enrolment, requirements)
        field = "passed" if node.rule == CompletionRule.H5P_PASSED else "completed"
        done = all(getattr(results.get(pk), field, False) for pk in requirements)
        if enrolment.training.credit_requires_checked_answers:
            # Browser-reported results never earn credit alone (docs/decisions.md, 9): at least one
            # question checked here, all of them right. A lesson without one never completes.
            return done and bool(questions) and all_correct
        return done
    if node.rule == CompletionRule.OPENED or not questions:
        return True
    if node.rule == CompletionRule.ALL_CORRECT:
        return all_correct
    return (progress.score or 0) >= (node.pass_percent or 100)


def _evaluate(enrolment: Enrolment, lesson: LessonPage, progress: LessonProgress, now) -> None:
    """Complete the lesson if its rule is met, then its module and training if they are done.

    Called with the enrolment row locked. A completed lesson stays completed: a later wrong answer
    changes the score, never the completion.
    """
    _evaluate_node(enrolment, _node(enrolment, lesson), progress, now)


def _evaluate_node(enrolment: Enrolment, node: LessonNode | None, progress: LessonProgress, now) -> None:
    if progress.completed_at is not None or node is None or not _rule_met(enrolment, node, progress):
        return
    progress.status = LessonStatus.COMPLETED
    progress.completed_at = now
    progress.save(update_fields=["status", "completed_at", "updated_at"])
    _record_completions(enrolment, now)


def _record_completions(enrolment: Enrolment, now) -> None:
    statuses = dict(LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_key", "status"))
    progress = Progress(structure_for(enrolment.training), statuses)
    recorded = set(ModuleCompletion.objects.filter(enrolment=enrolment).values_list("module_key", flat=True))
    ModuleCompletion.objects.bulk_create(
        [
            ModuleCompletion(enrolment=enrolment, module_key=module_key, completed_at=now)
            for module_key in progress.completed_modules()
            if module_key not in recorded
        ],
        ignore_conflicts=True,
    )
    _record_parts(enrolment, progress, now)
    training = progress.training
    if not training.total or not training.completed:
        return
    finished = Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(
        completed_at=now, status=EnrolmentStatus.COMPLETED
    )
    if finished:
        enrolment.completed_at, enrolment.status = now, EnrolmentStatus.COMPLETED
        learner_cache.touch(enrolment.user_id)  # written with update(): no signal
        transaction.on_commit(lambda: training_completed.send(sender=Enrolment, enrolment=enrolment))


def part_grade(enrolment: Enrolment, part: PartNode) -> str:
    """A completed part's grade: *pass*, or on the 0-5 scale the mean of its approved assignments'
    grades rounded half up (a 3.5 is a 4, as Finnish universities round); a part graded on the
    scale without graded assignments passes."""
    if part.grading != Grading.SCALE_0_5:
        return PASS
    grades = assignment_grades(enrolment, [lesson.key for lesson in part.lessons])
    if not grades:
        return PASS
    return str(int(Decimal(sum(grades)) / len(grades) + Decimal("0.5")))


def _record_parts(enrolment: Enrolment, progress: Progress, now) -> None:
    completed = progress.completed_parts()
    if not completed:
        return
    recorded = set(PartCompletion.objects.filter(enrolment=enrolment).values_list("part_key", flat=True))
    for part in completed:
        if part.key in recorded:
            continue
        _row, created = PartCompletion.objects.get_or_create(
            enrolment=enrolment,
            part_key=part.key,
            defaults={"completed_at": now, "grade": part_grade(enrolment, part)},
        )
        if created:
            learner_cache.touch(enrolment.user_id)
            transaction.on_commit(
                lambda key=part.key: part_completed.send(sender=Enrolment, enrolment=enrolment, part_key=key)
            )
