"""Programme-wide figures for TTL: enrolments, completions and median time to complete, per
training, organisation and month. Aggregates only: nothing here identifies a person, so the export
can go to the programme's evaluation research as it is.
"""

import statistics
from collections import defaultdict

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from wagtail.models import Locale

from lms.courses.models import Enrolment, TrainingPage

from .models import CohortLearner, Organisation


def programme_figures(language: str) -> list[dict]:
    """Rows of (training, organisation, month, enrolled, completed, median days), sorted."""
    organisation = CohortLearner.objects.filter(user=OuterRef("user"), cohort__training=OuterRef("training")).values(
        "cohort__organisation_id"
    )[:1]
    names = {o.pk: o.localised_name(language) for o in Organisation.objects.only("name", "name_sv", "name_en")}
    titles = {
        t.translation_key: t.title
        for t in TrainingPage.objects.filter(locale__language_code=language).only("title", "translation_key")
    }
    default = {
        t.pk: t for t in TrainingPage.objects.filter(locale=Locale.get_default()).only("title", "translation_key")
    }
    groups: dict[tuple, dict] = defaultdict(lambda: {"enrolled": 0, "completed": 0, "days": []})
    for training_id, enrolled_at, completed_at, org in (
        Enrolment.objects.annotate(org=Subquery(organisation))
        .values_list("training_id", "enrolled_at", "completed_at", "org")
        .iterator()
    ):
        training = default.get(training_id)
        title = titles.get(training.translation_key, training.title) if training else str(training_id)
        key = (title, names.get(org) or _("No organisation"), enrolled_at.strftime("%Y-%m"))
        group = groups[key]
        group["enrolled"] += 1
        if completed_at:
            group["completed"] += 1
            group["days"].append((completed_at - enrolled_at).total_seconds() / 86400)
    return [
        {
            "training": training,
            "organisation": org,
            "month": month,
            "enrolled": group["enrolled"],
            "completed": group["completed"],
            "median_days": round(statistics.median(group["days"]), 1) if group["days"] else None,
        }
        for (training, org, month), group in sorted(groups.items())
    ]


def per_training(rows: list[dict]) -> list[dict]:
    """Totals per training, for the chart."""
    totals: dict[str, dict] = defaultdict(lambda: {"enrolled": 0, "completed": 0})
    for row in rows:
        totals[row["training"]]["enrolled"] += row["enrolled"]
        totals[row["training"]]["completed"] += row["completed"]
    peak = max((t["enrolled"] for t in totals.values()), default=0) or 1
    return [
        {
            "training": name,
            **t,
            "enrolled_pct": t["enrolled"] * 100 // peak,
            "completed_pct": t["completed"] * 100 // peak,
        }
        for name, t in sorted(totals.items())
    ]
