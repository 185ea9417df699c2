"""Writes: installing a package's libraries and content, and recording what learners do in it."""

from __future__ import annotations

import copy
import datetime
import json
import re
import uuid
from contextlib import nullcontext
from decimal import Decimal, InvalidOperation
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.courses import services as courses
from lms.courses.structure import structure_for, training_of
from lms.storage import private_storage

from .enums import RESULT_VERBS, Verb
from .models import H5PActivity, H5PAttempt, H5PLibrary, H5PUserData, XAPIStatement
from .package import LibraryRef, Package, PackageError, Problem, read_package
from .semantics import filter_content, filter_metadata
from .xapi import StatementInvalid, statement_check, statement_complete

CORE_API = (1, 27)  # the H5P core API that h5p-standalone 3.8 provides


def installed_libraries() -> dict[LibraryRef, H5PLibrary]:
    return {LibraryRef(lib.machine_name, lib.major_version, lib.minor_version): lib for lib in H5PLibrary.objects.all()}


def package_read(upload, *, user) -> Package:
    """Validate an upload against what is installed and what ``user`` may install."""
    installed = installed_libraries()
    core_api = tuple(getattr(settings, "H5P_CORE_API", CORE_API))
    package = read_package(upload, installed=set(installed), core_api=core_api)
    needs = [
        lib
        for ref, lib in package.libraries.items()
        if ref not in installed or lib.patch > installed[ref].patch_version
    ]
    if needs and not user.has_perm("h5p.install_h5plibrary"):
        names = ", ".join(f"{lib.ref}.{lib.patch}" for lib in sorted(needs, key=lambda lib: lib.ref))
        raise PackageError(
            [
                Problem(
                    "",
                    _(
                        "This package brings libraries that are not installed yet (%(names)s). Installing library "
                        "code needs a separate permission: ask an administrator to upload it first."
                    )
                    % {"names": names},
                )
            ]
        )
    return package


def _semantics(package: Package, installed: dict[LibraryRef, H5PLibrary]) -> dict[LibraryRef, list | None]:
    """Each library's semantics as they will be after this install: the package's for what it brings
    new or upgraded, the installed ones' otherwise."""
    semantics = {ref: row.semantics for ref, row in installed.items()}
    for ref, library in package.libraries.items():
        current = installed.get(ref)
        if current is None or library.patch > current.patch_version:
            info = library.files.get("semantics.json")
            semantics[ref] = json.loads(package.read(info).decode("utf-8-sig")) if info else None
    return semantics


def content_filter(package: Package, semantics: dict[LibraryRef, list | None]) -> tuple[dict, dict, list[str]]:
    """The content.json and h5p.json that Kyky stores and plays, and what filtering removed from them.

    Parameters are filtered against the libraries' semantics as H5P's own hosts do
    (``semantics.filter_content``): text keeps only the markup its field allows, and what the
    semantics do not describe is dropped. The trainer who uploaded the package is told what went.
    """
    main = package.main_library
    content, removed = filter_content(
        package.content or {},
        library=f"{main.machine_name} {main.major}.{main.minor}",
        semantics_for=lambda name, major, minor: semantics.get(LibraryRef(name, major, minor)),
    )
    h5p, removed_metadata = filter_metadata(package.h5p)
    return content, h5p, [str(removal) for removal in removed_metadata + removed]


def activity_create(*, upload, title: str, user, pass_mark: int | None = None, package: Package | None = None):
    """Install what the package brings and create the activity; on any failure nothing remains.

    What is stored and played is the package's content filtered against its libraries' semantics;
    the activity keeps the list of what was removed (``filter_report``) for the trainer to see.
    """
    package = package or package_read(upload, user=user)
    installed = installed_libraries()
    semantics = _semantics(package, installed)
    content, h5p, removed = content_filter(package, semantics)
    storage = private_storage()
    written: list[str] = []
    try:
        new_paths = {}
        for ref, library in package.libraries.items():
            current = installed.get(ref)
            if current is not None and library.patch <= current.patch_version:
                continue
            base = f"h5p/libraries/{ref.folder}.{library.patch}-{uuid.uuid4().hex[:8]}"
            for path, info in library.files.items():
                written.append(storage.save(f"{base}/{path}", ContentFile(package.read(info))))
            new_paths[ref] = base
        content_path = f"h5p/content/{uuid.uuid4().hex}"
        written.append(storage.save(f"{content_path}/h5p.json", ContentFile(json.dumps(h5p).encode())))
        written.append(storage.save(f"{content_path}/content/content.json", ContentFile(json.dumps(content).encode())))
        for path, info in package.content_files.items():
            if path != "content.json":
                written.append(storage.save(f"{content_path}/content/{path}", ContentFile(package.read(info))))
        with transaction.atomic():
            rows = _libraries_install(package, new_paths, semantics)
            upload.seek(0)
            activity = H5PActivity(
                title=title or package.title,
                content_path=content_path,
                h5p_json=h5p,
                filter_report=removed,
                main_library=rows[package.main_library],
                pass_mark=pass_mark,
                created_by=user if getattr(user, "pk", None) else None,
            )
            activity.package.save(f"{uuid.uuid4().hex}.h5p", upload, save=False)
            written.append(activity.package.name)
            activity.save()
            activity.libraries.set(_closure(package, rows))
    except IntegrityError as error:
        _remove(written)
        raise PackageError(
            [Problem("", _("Another upload installed the same libraries at the same moment. Try again."))]
        ) from error
    except BaseException:
        _remove(written)
        raise
    return activity


def _libraries_install(package: Package, new_paths: dict, semantics: dict) -> dict[LibraryRef, H5PLibrary]:
    rows = {
        LibraryRef(lib.machine_name, lib.major_version, lib.minor_version): lib
        for lib in H5PLibrary.objects.select_for_update()
    }
    for ref, base in new_paths.items():
        library = package.libraries[ref]
        values = {
            "patch_version": library.patch,
            "title": library.title,
            "runnable": library.runnable,
            "metadata": library.metadata,
            "semantics": semantics.get(ref),
            "storage_path": base,
        }
        if ref in rows:
            if library.patch <= rows[ref].patch_version:  # upgraded meanwhile by someone else
                continue
            for name, value in values.items():
                setattr(rows[ref], name, value)
            rows[ref].save()
        else:
            rows[ref] = H5PLibrary.objects.create(
                machine_name=ref.machine_name, major_version=ref.major, minor_version=ref.minor, **values
            )
    return rows


def _closure(package: Package, rows: dict) -> list[H5PLibrary]:
    """Every library the activity needs, directly or through others."""
    seen, queue = set(), list(package.dependencies)
    while queue:
        ref = queue.pop()
        if ref in seen or ref not in rows:
            continue
        seen.add(ref)
        queue.extend(LibraryRef(**_ref_kwargs(d)) for d in rows[ref].metadata.get("preloadedDependencies") or [])
    return [rows[ref] for ref in seen]


def _ref_kwargs(item: dict) -> dict:
    return {
        "machine_name": str(item.get("machineName")),
        "major": int(item.get("majorVersion", 0)),
        "minor": int(item.get("minorVersion", 0)),
    }


def _remove(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        storage.delete(name)


# --- statements ----------------------------------------------------------------------------------


class StatementError(Exception):
    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _duration(value) -> datetime.timedelta | None:
    match = DURATION.match(value) if isinstance(value, str) else None
    if not match:
        return None
    days, hours, minutes, seconds = match.groups()
    return datetime.timedelta(
        days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0), seconds=float(seconds or 0)
    )


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def activity_iri(activity_id: int) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/h5p/activities/{activity_id}"


def learner_mbox(user) -> str:
    """The pseudonymous address the player puts in statements' actor: no real e-mail leaves us."""
    return f"mailto:learner-{user.pk}@kyky.invalid"


def statements_record(*, user, lesson, activity_ids: set[int], payload) -> list[str]:
    """Store statements about ``lesson``'s activities for ``user``, and update their attempts.

    The actor is always ``user``, whatever the statement says. Re-sent statements (same id, same
    content) change nothing; the same id with other content is a conflict.
    """
    statements = payload if isinstance(payload, list) else [payload]
    if not statements or not all(isinstance(s, dict) for s in statements):
        raise StatementError(400, _("Send a statement or a list of statements."))
    if len(statements) > 50:
        raise StatementError(400, _("Send at most 50 statements at a time."))
    ids = [s.get("id") for s in statements]
    parsed = []
    for statement, raw_id in zip(statements, ids, strict=True):
        try:
            statement_id = uuid.UUID(str(raw_id))
        except ValueError:
            raise StatementError(400, _("Every statement needs an 'id' (a UUID).")) from None
        try:
            statement_check(statement)
        except StatementInvalid as invalid:
            raise StatementError(400, str(invalid)) from None
        actor = statement.get("actor")
        if actor is not None and (not isinstance(actor, dict) or actor.get("mbox") != learner_mbox(user)):
            raise StatementError(403, _("The statement is about another person."))
        verb = (statement.get("verb") or {}).get("id") if isinstance(statement.get("verb"), dict) else None
        if verb not in Verb.values:
            raise StatementError(400, _("Unknown verb: %(verb)s") % {"verb": str(verb)[:200]})
        obj = statement.get("object") if isinstance(statement.get("object"), dict) else {}
        object_id = str(obj.get("id", ""))
        activity = _activity_for(object_id, activity_ids)
        if activity is None:
            raise StatementError(404, _("The statement is not about an activity of this lesson."))
        parsed.append((statement_id, verb, activity, object_id, statement))
    if len({p[0] for p in parsed}) != len(parsed):
        raise StatementError(400, _("The same statement id appears twice in one request."))

    enrolment = courses.enrolment_for_lesson(user=user, lesson=lesson)
    if enrolment is None:
        raise StatementError(403, _("You are not enrolled in the training of this lesson."))
    structure = structure_for(training_of(lesson))
    lesson_node = structure.lesson(lesson.translation_key)
    results = []
    for statement_id, verb, activity, object_id, sent in parsed:
        complete = partial(statement_complete, sent, enrolment=enrolment, structure=structure, lesson_node=lesson_node)
        statement = _statement_store(statement_id, user, enrolment, activity, verb, complete)
        if statement is not None and (verb in RESULT_VERBS and object_id.rstrip("/") == activity_iri(activity)):
            results.append((activity, statement.get("result") or {}, verb))
    if results:
        _results_apply(enrolment, lesson, results)
    return [str(p[0]) for p in parsed]


def _statement_store(statement_id, user, enrolment, activity: int, verb: str, complete) -> dict | None:
    """Insert the statement that ``complete(now=...)`` completes; the statement stored, or None when it
    was stored already (409 when with other content).

    The insert is tried first, so a new statement (the common case) costs one query; the unique
    statement id catches a repeat, which is then compared with what is stored: the repeat is
    completed as it would have been when the first was stored (at its ``stored_at``), so the same
    statement matches exactly and only different content is a conflict. Outside a
    transaction the insert is its own (autocommit: no BEGIN and COMMIT around one row); inside
    one, a savepoint keeps a repeat from breaking it. The row is written with SQL, each value
    prepared by its field as the ORM would: building the model and compiling the insert cost more
    than PostgreSQL's insert did.
    """
    now = timezone.now()
    statement = complete(now=now)
    values = {
        "statement_id": statement_id,
        "user_id": user.pk,
        "enrolment_id": enrolment.pk,
        "activity_id": activity,
        "verb": verb,
        "statement": statement,
        "stored_at": now,
    }
    connection = transaction.get_connection()
    params = [field.get_db_prep_save(values[field.attname], connection) for field in _STATEMENT_FIELDS]
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
            cursor.execute(_STATEMENT_INSERT, params)
        return statement
    except IntegrityError:
        stored = XAPIStatement.objects.filter(statement_id=statement_id).first()
        same = stored is not None and stored.user_id == user.pk and stored.enrolment_id == enrolment.pk
        if not same or stored.statement != complete(now=stored.stored_at):
            raise StatementError(409, _("A different statement with this id is already stored.")) from None
        return None


_STATEMENT_FIELDS = [
    XAPIStatement._meta.get_field(name)
    for name in ("statement_id", "user", "enrolment", "activity", "verb", "statement", "stored_at")
]
_STATEMENT_INSERT = (
    f"INSERT INTO {XAPIStatement._meta.db_table} ({', '.join(f.column for f in _STATEMENT_FIELDS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_STATEMENT_FIELDS))})"
)
_ATTEMPTS = (
    f"SELECT {', '.join(f.column for f in H5PAttempt._meta.concrete_fields)} FROM {H5PAttempt._meta.db_table} "  # noqa: S608
    "WHERE enrolment_id = %s AND activity_id IN ({ids})"
)


def _results_apply(enrolment, lesson, results: list[tuple[int, dict, str]]) -> None:
    """Update the attempts the results change, and the lesson's completion; nothing when none changes.

    The attempts are read without a lock first: a result that changes nothing (H5P repeats its
    'completed' for an activity already done) costs one query. A change is made under the learner's
    enrolment lock (see ``lms.courses.services``), reading the attempt again.
    """
    ids = sorted({int(r[0]) for r in results})
    attempts = H5PAttempt.objects.raw(_ATTEMPTS.format(ids=", ".join(["%s"] * len(ids))), [enrolment.pk, *ids])
    current = {a.activity_id: a for a in attempts}
    if all(_attempt_updated(current.get(activity), result, verb) is None for activity, result, verb in results):
        return
    with transaction.atomic():
        enrolment = courses.enrolment_lock(enrolment)
        for activity, result, verb in results:
            attempt, _created = H5PAttempt.objects.get_or_create(enrolment=enrolment, activity_id=activity)
            changed = _attempt_updated(attempt, result, verb)
            if changed is not None:
                changed.save()
        courses.lesson_progress_recompute(enrolment=enrolment, lesson=lesson)


def _activity_for(object_id: str, activity_ids: set[int]) -> int | None:
    """The id of the lesson's activity that ``object_id`` (or one of its sub-contents) is about."""
    base = object_id.split("?", 1)[0].rstrip("/")
    return next((pk for pk in activity_ids if base == activity_iri(pk)), None)


def _attempt_updated(attempt: H5PAttempt | None, result: dict, verb: str) -> H5PAttempt | None:
    """``attempt`` with ``result`` applied (a new one when there is none), or None when nothing changes."""
    updated = copy.copy(attempt) if attempt is not None else H5PAttempt()
    score = result.get("score") if isinstance(result.get("score"), dict) else {}
    raw, maximum, scaled = _decimal(score.get("raw")), _decimal(score.get("max")), _decimal(score.get("scaled"))
    if scaled is None and raw is not None and maximum:
        scaled = raw / maximum
    if scaled is not None:  # within -1..1 and raw within min..max: statement_check refused anything else
        updated.score_raw = None if raw is None else raw.quantize(Decimal("0.001"))
        updated.score_max = None if maximum is None else maximum.quantize(Decimal("0.001"))
        updated.score_scaled = scaled.quantize(Decimal("0.0001"))
    if isinstance(result.get("success"), bool):
        updated.success = result["success"]
    elif verb in {Verb.PASSED, Verb.FAILED}:
        updated.success = verb == Verb.PASSED
    updated.duration = _duration(result.get("duration")) or updated.duration
    if result.get("completion") is True or verb in {Verb.COMPLETED, Verb.PASSED, Verb.ANSWERED}:
        updated.completed = True
        updated.completed_at = updated.completed_at or timezone.now()
    fields = ("score_raw", "score_max", "score_scaled", "success", "completed", "duration")
    if attempt is not None and all(getattr(attempt, f) == getattr(updated, f) for f in fields):
        return None
    return updated


# --- saved state ---------------------------------------------------------------------------------


def user_data_save(
    *, user, activity_id: int, data_type: str, sub_content_id: int, data: str, preload: bool, invalidate: bool
):
    """Keep the player's state; H5P sends '0' to say 'forget it'."""
    key = {"user": user, "activity_id": activity_id, "data_type": data_type, "sub_content_id": sub_content_id}
    if data == "0":
        H5PUserData.objects.filter(**key).delete()
        return
    H5PUserData.objects.update_or_create(**key, defaults={"data": data, "preload": preload, "invalidate": invalidate})
