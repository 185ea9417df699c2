"""A learner's own pages, kept in the cache until something they show changes.

*My trainings* is read far more often than anything on it changes, and building it means two
queries, a structure walk per training and a template. So the rendered list is kept per learner and
language, with the three stamps it was built under, and counts only while all three are current:

- the learner's stamp: replaced whenever one of their enrolments, lesson statuses, certificates or
  cohort places changes (the owning apps connect ``touch`` to those models' signals and call it
  where they write with ``QuerySet.update``);
- the cohort generation: replaced when any cohort, its teachers or an organisation changes, because
  those are shown to every learner of the cohort (rare, so one number for all);
- the content generation (``lms.generation``): titles and URLs of the trainings.

Stamps are replaced rather than counted (a fresh random token), so a flushed or restarted cache can
never bring back an old page under a reused number. Like the content generation, a stamp is replaced
at once and again when the transaction commits: whatever another request cached from the old rows
in between is not read again. A page, its stamps and the learner's stamp come in one round trip.
"""

import secrets
import time

from django.core.cache import cache
from django.db import transaction

from lms import generation

TIMEOUT = 24 * 3600
COHORTS = "kyky:cohort-generation"


def _stamp_key(user_id: int) -> str:
    return f"kyky:learner:{user_id}"


def touch(user_id: int | None) -> None:
    """Whatever is cached of ``user_id``'s own pages is out of date, now and at the commit."""
    if user_id is None:
        return
    _replace(user_id)
    transaction.on_commit(lambda: _replace(user_id))


def _replace(user_id: int) -> None:
    cache.set(_stamp_key(user_id), secrets.token_hex(8), TIMEOUT)


def cohorts_changed(**_signal_kwargs) -> None:
    """A cohort, its teachers or an organisation changed: every learner's page may show it."""
    _new_cohort_generation()
    transaction.on_commit(_new_cohort_generation)


def _new_cohort_generation() -> None:
    cache.set(COHORTS, time.time_ns(), None)


def page(user_id: int, name: str, language: str, build) -> str:
    """``build()`` (a rendered fragment) for the learner's page ``name``, from the cache when current."""
    stamp_key, entry_key = _stamp_key(user_id), f"kyky:learner-page:{user_id}:{name}:{language}"
    found = cache.get_many([stamp_key, COHORTS, entry_key])
    stamp, cohorts = found.get(stamp_key), found.get(COHORTS)
    keep = True
    if stamp is None:
        stamp = secrets.token_hex(8)
        keep = cache.add(stamp_key, stamp, TIMEOUT)  # lost to a writer's touch: do not keep this one
    if cohorts is None:
        cohorts = cache.get_or_set(COHORTS, time.time_ns, None)
    stamps = (stamp, cohorts, generation.current())
    entry = found.get(entry_key)
    if entry is not None and entry[0] == stamps:
        return entry[1]
    fragment = build()
    if keep:
        cache.set(entry_key, (stamps, fragment), TIMEOUT)
    return fragment
