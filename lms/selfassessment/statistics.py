"""Self-assessment aggregates for a cohort's teachers and for the programme, under the minimum group rule.

The rule (``settings.KYKY_MIN_GROUP``, 5 unless set): no figure is ever computed over fewer people
than the minimum, so that nobody's own answers can be read off a mean or a count.

- A cohort's self-assessment shows nothing, not even how many answered, until at least the
  minimum of its learners have answered it; then each statement shows its figures only if at
  least the minimum answered it both at the start and at the end (its start and end counts are
  then at least as large).
- The programme's groups are training x self-assessment x organisation (the learner's cohort's
  organisation, or none) in the chosen period (the day of the end answer); a group with fewer
  than the minimum learners who answered both phases is named but shows no figures, and a
  training's total adds up only the groups shown, so that no hidden group can be found by
  subtracting the shown ones from it.
- The research export (``research_rows``) holds only the answer pairs of the groups shown.

Every function here costs a fixed number of queries, whatever the number of learners.
"""

from __future__ import annotations

import datetime
import statistics
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.courses.models import TrainingPage
from lms.courses.structure import live_trainings
from lms.organisations.models import CohortLearner, Organisation

from .enums import Phase
from .models import Response
from .selectors import Assessment, Statement, Version, assessments_by_key, statement_pairs, training_assessments


def min_group() -> int:
    return max(1, int(getattr(settings, "KYKY_MIN_GROUP", 5)))


# --- the chart ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    value: int
    x: str  # in the chart's 400 wide view box, written with a dot whatever the locale


def _x(assessment: Assessment, value: float) -> str:
    span = assessment.scale_max - assessment.scale_min
    return f"{16 + 368 * (value - assessment.scale_min) / span:.1f}"


def ticks(assessment: Assessment) -> list[Tick]:
    return [Tick(value, _x(assessment, value)) for value in assessment.scale]


@dataclass(frozen=True)
class Point:
    """One row of a before/after chart: a hollow dot at the start, a filled one at the end."""

    start: float | None
    end: float | None
    x_start: str = ""
    x_end: str = ""


def point(assessment: Assessment, start: float | None, end: float | None) -> Point:
    return Point(
        start,
        end,
        _x(assessment, start) if start is not None else "",
        _x(assessment, end) if end is not None else "",
    )


# --- a cohort -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementFigures:
    statement: Statement
    shown: bool  # False: fewer than the minimum answered it at both ends
    n_start: int = 0
    n_end: int = 0
    n_both: int = 0
    mean_start: float | None = None
    mean_end: float | None = None
    mean_change: float | None = None
    distribution: tuple[tuple[int, int, int], ...] = ()  # (value, how many chose it at the start, at the end)
    point: Point | None = None

    @property
    def label(self) -> str:
        return self.statement.text

    @property
    def language(self) -> str:
        return self.statement.language


@dataclass(frozen=True)
class AssessmentFigures:
    assessment: Assessment
    version: Version
    shown: bool  # False: fewer than the minimum have answered; nothing is shown
    respondents: int | None = None  # None unless shown
    rows: tuple[StatementFigures, ...] = ()
    ticks: tuple[Tick, ...] = ()


def _mean(values) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _statement_figures(statement: Statement, values: list[dict], assessment: Assessment, minimum: int):
    """``values``: per learner, ``{statement id: (start or None, end or None)}``."""
    starts = [v[statement.id][0] for v in values if v[statement.id][0] is not None]
    ends = [v[statement.id][1] for v in values if v[statement.id][1] is not None]
    both = [e - s for s, e in (v[statement.id] for v in values) if s is not None and e is not None]
    if len(both) < minimum:
        return StatementFigures(statement, shown=False)
    mean_start, mean_end = _mean(starts), _mean(ends)
    return StatementFigures(
        statement,
        shown=True,
        n_start=len(starts),
        n_end=len(ends),
        n_both=len(both),
        mean_start=mean_start,
        mean_end=mean_end,
        mean_change=_mean(both),
        distribution=tuple((v, starts.count(v), ends.count(v)) for v in assessment.scale),
        point=point(assessment, mean_start, mean_end),
    )


def cohort_figures(cohort, language: str) -> list[AssessmentFigures]:
    """Each self-assessment of the cohort's training, aggregated over the cohort's learners (one query)."""
    assessments = training_assessments(cohort.training)
    if not assessments:
        return []
    answers: dict[uuid.UUID, dict[int, dict]] = defaultdict(dict)
    for enrolment_id, key, phase, given in Response.objects.filter(
        enrolment__training=cohort.training,
        enrolment__user__cohort_places__cohort=cohort,
        assessment_key__in=[a.key for a in assessments],
    ).values_list("enrolment_id", "assessment_key", "phase", "answers"):
        answers[key].setdefault(enrolment_id, {})[phase] = given
    minimum, figures = min_group(), []
    for assessment in assessments:
        version = assessment.version(language)
        learners = list(answers.get(assessment.key, {}).values())
        if len(learners) < minimum:
            figures.append(AssessmentFigures(assessment, version, shown=False))
            continue
        values = [
            {sid: (s, e) for sid, s, e in statement_pairs(assessment, given.get(Phase.START), given.get(Phase.END))}
            for given in learners
        ]
        rows = tuple(_statement_figures(s, values, assessment, minimum) for s in version.statements)
        figures.append(AssessmentFigures(assessment, version, True, len(learners), rows, tuple(ticks(assessment))))
    return figures


# --- the programme --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One learner's start and end answers to one self-assessment: no learner, no day, only the month."""

    training_id: int
    organisation_id: int | None
    month: str  # of the end answer, "YYYY-MM"
    assessment_key: uuid.UUID
    start: Mapping
    end: Mapping


def _pairs(date_from: datetime.date | None, date_to: datetime.date | None) -> list[Pair]:
    """Every learner's start/end pair whose end answer falls in the period (one query)."""
    organisation = (
        CohortLearner.objects.filter(user=OuterRef("enrolment__user"), cohort__training=OuterRef("enrolment__training"))
        .order_by("cohort__organisation_id")
        .values("cohort__organisation_id")[:1]
    )
    found: dict[tuple[int, uuid.UUID], dict] = {}
    for enrolment_id, training_id, org, key, phase, given, at in (
        Response.objects.annotate(org=Subquery(organisation))
        .values_list(
            "enrolment_id", "enrolment__training_id", "org", "assessment_key", "phase", "answers", "submitted_at"
        )
        .iterator()
    ):
        entry = found.setdefault((enrolment_id, key), {"training": training_id, "org": org})
        entry[phase] = (given, timezone.localtime(at).date())
    pairs = []
    for (_enrolment, key), entry in found.items():
        if Phase.START not in entry or Phase.END not in entry:
            continue
        (start, _day), (end, day) = entry[Phase.START], entry[Phase.END]
        if (date_from and day < date_from) or (date_to and day > date_to):
            continue
        pairs.append(Pair(entry["training"], entry["org"], day.strftime("%Y-%m"), key, start, end))
    return pairs


@dataclass
class Gain:
    """A group's learning gain: the mean of its learners' mean values before and after, and of their change."""

    organisation: str
    shown: bool
    n: int | None = None  # None unless shown
    mean_start: float | None = None
    mean_end: float | None = None
    gain: float | None = None
    point: Point | None = None

    @property
    def label(self) -> str:
        return self.organisation

    language = ""  # the page's own


@dataclass
class TrainingGain:
    training: str
    assessment: Assessment
    version: Version
    groups: list[Gain] = field(default_factory=list)
    total: Gain | None = None
    ticks: tuple[Tick, ...] = ()


def _learner_means(assessment: Assessment, pair: Pair) -> tuple[float, float] | None:
    both = [
        (s, e) for _sid, s, e in statement_pairs(assessment, pair.start, pair.end) if s is not None and e is not None
    ]
    if not both:
        return None
    return statistics.fmean(s for s, _e in both), statistics.fmean(e for _s, e in both)


def _gain(assessment: Assessment, name: str, means: list[tuple[float, float]], shown: bool) -> Gain:
    if not shown:
        return Gain(name, shown=False)
    start, end = _mean([s for s, _e in means]), _mean([e for _s, e in means])
    return Gain(name, True, len(means), start, end, _mean([e - s for s, e in means]), point(assessment, start, end))


def _names(pairs: list[Pair], language: str) -> tuple[dict, dict]:
    """Training titles and organisation names in ``language`` (one or two queries)."""
    trainings = live_trainings()
    titles = {}
    for training_id in {p.training_id for p in pairs}:
        page = trainings.by_id.get(training_id)
        if page is not None:
            titles[training_id] = trainings.localised(page, language).title
    missing = {p.training_id for p in pairs} - set(titles)
    if missing:  # unpublished since: named as it was
        titles.update(TrainingPage.objects.filter(pk__in=missing).values_list("pk", "title"))
    organisations = {
        o.pk: o.localised_name(language)
        for o in Organisation.objects.filter(pk__in={p.organisation_id for p in pairs if p.organisation_id}).only(
            "name", "name_sv", "name_en"
        )
    }
    return titles, organisations


def _groups(pairs: list[Pair]) -> dict[tuple[int, uuid.UUID], dict[int | None, list[Pair]]]:
    groups: dict = defaultdict(lambda: defaultdict(list))
    for pair in pairs:
        groups[pair.training_id, pair.assessment_key][pair.organisation_id].append(pair)
    return groups


def programme_figures(
    language: str, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> list[TrainingGain]:
    """Learning gain per training and self-assessment, by organisation, in the period; sorted by title."""
    pairs = _pairs(date_from, date_to)
    assessments = assessments_by_key({p.assessment_key for p in pairs})
    titles, organisations = _names(pairs, language)
    minimum, result = min_group(), []
    for (training_id, key), by_org in _groups(pairs).items():
        assessment = assessments.get(key)
        if assessment is None:
            continue  # the self-assessment was deleted: its statements are unknown
        trainings = TrainingGain(
            titles.get(training_id, str(training_id)),
            assessment,
            assessment.version(language),
            ticks=tuple(ticks(assessment)),
        )
        shown_means = []
        for org, members in by_org.items():
            means = [m for m in (_learner_means(assessment, p) for p in members) if m is not None]
            shown = len(means) >= minimum
            name = organisations.get(org) or _("No organisation")
            trainings.groups.append(_gain(assessment, name, means, shown))
            if shown:
                shown_means.extend(means)
        trainings.groups.sort(key=lambda g: g.organisation)
        trainings.total = _gain(assessment, _("All organisations shown"), shown_means, bool(shown_means))
        result.append(trainings)
    return sorted(result, key=lambda t: (t.training, t.version.title))


def research_rows(
    language: str, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> list[list]:
    """One row per answer pair and statement of the groups shown: no person, no enrolment, no day.

    Sorted by their values, not by learner, so that the rows of one learner's statements do not
    stand together and cannot be read as one person's profile.
    """
    pairs = _pairs(date_from, date_to)
    assessments = assessments_by_key({p.assessment_key for p in pairs})
    titles, organisations = _names(pairs, language)
    minimum, rows = min_group(), []
    for (training_id, key), by_org in _groups(pairs).items():
        assessment = assessments.get(key)
        if assessment is None:
            continue
        version = assessment.version(language)
        outcomes = {s.id: s.outcome for s in version.statements}
        for org, members in by_org.items():
            if sum(1 for p in members if _learner_means(assessment, p) is not None) < minimum:
                continue
            for pair in members:
                for sid, start, end in statement_pairs(assessment, pair.start, pair.end):
                    if start is not None and end is not None:
                        rows.append(
                            [
                                titles.get(training_id, str(training_id)),
                                version.title,
                                organisations.get(org) or _("No organisation"),
                                pair.month,
                                sid,
                                outcomes.get(sid, ""),
                                start,
                                end,
                                assessment.scale_min,
                                assessment.scale_max,
                            ]
                        )
    return sorted(rows, key=lambda r: [str(cell) for cell in r[:6]] + r[6:])
