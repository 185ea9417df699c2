"""National scale: bulk SQL seeding of copies of both bench databases (``BENCH_SCALE=national``).

Seeded on top of the ordinary scenario (so the measured learners, pages and sessions are the same
ones): 50,000 learners, each enrolled in the three 50-lesson trainings (150,000 enrolments), about
5 million lesson-progress rows with as many H5P results and xAPI statements, 20,000 completed
enrolments with their certificates, module completions, and 200 cohorts of 40 organisations with
every learner in one. The peer gets the same learners, enrolments, lesson completions (its
progress rows), attempts and statements in its own tables.

Everything is ``INSERT ... SELECT`` over ``generate_series``, timed per table; then ``VACUUM
ANALYZE``, because the server runs without autovacuum and a planner without statistics (or an
index-only scan without a visibility map) would measure something no production database has.
Before seeding, the free disk space is checked and the counts scaled down if the seed would not
fit (``plan``). A NOT NULL column the seed does not know stops it with a clear message: the schema
changed and this file must follow.
"""

import json
import os
import shutil
import time

COUNTS = {
    "learners": 50_000,
    "enrolments_per_learner": 3,
    "progress": 5_000_000,
    "certificates": 20_000,
    "cohorts": 200,
    "organisations": 40,
}
# Bytes per progress row on disk with indexes, measured on PostgreSQL 15: Kyky's progress row,
# its H5P attempt and its statement (with a 700-byte JSON); the peer's completion, attempt, statement.
BYTES_PER_PROGRESS_ROW = {"kyky": 2000, "peer": 1600}
SLUGS = ["bench-50", "bench-50-b", "bench-50-c"]
BASE_URL = "http://127.0.0.1:8000"


def plan(root, *, with_peer: bool) -> dict:
    """The counts to seed, scaled down if the disk would not hold them (with room to spare)."""
    free = shutil.disk_usage(root).free
    per_row = BYTES_PER_PROGRESS_ROW["kyky"] + (BYTES_PER_PROGRESS_ROW["peer"] if with_peer else 0)
    needed = COUNTS["progress"] * per_row * 1.3  # + WAL and temporary files
    factor = min(1.0, free * 0.6 / needed, float(os.environ.get("BENCH_NATIONAL_FACTOR", "1")))
    counts = {
        key: value if key == "enrolments_per_learner" else max(1, int(value * factor)) for key, value in COUNTS.items()
    }
    counts["organisations"] = max(1, min(counts["organisations"], counts["cohorts"]))
    return {**counts, "factor": factor, "free_gb": round(free / 1e9, 1), "needed_gb": round(needed / 1e9, 1)}


def _connect(url: str):
    import psycopg

    conn = psycopg.connect(url, autocommit=True)
    conn.execute("SET synchronous_commit = off")  # a bench database: no need to wait for each flush
    conn.execute("SET work_mem = '256MB'")
    conn.execute("SET maintenance_work_mem = '1GB'")
    return conn


def _required_columns(conn, table: str) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_nullable = 'NO' "
        "AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    ).fetchall()
    return {name for (name,) in rows}


class Seeder:
    def __init__(self, url: str):
        self.conn = _connect(url)
        self.tables: dict[str, tuple[int, float]] = {}
        self.started = time.perf_counter()

    def insert(self, table: str, columns: dict[str, str], source: str, params=(), *, label: str | None = None) -> int:
        """``INSERT INTO table (columns) SELECT expressions source``, checked against the schema and timed."""
        missing = _required_columns(self.conn, table) - set(columns)
        if missing:
            raise SystemExit(
                f"bench/national.py: {table} has NOT NULL columns the seed does not fill: {sorted(missing)}. "
                "The schema changed; teach the seed these columns."
            )
        names = ", ".join(f'"{name}"' for name in columns)
        query = f"INSERT INTO {table} ({names}) SELECT {', '.join(columns.values())} {source}"
        start = time.perf_counter()
        count = self.conn.execute(query, params).rowcount
        self.tables[label or table] = (count, round(time.perf_counter() - start, 1))
        return count

    def execute(self, query: str, params=()):
        return self.conn.execute(query, params)

    def finish(self) -> dict:
        seeded = time.perf_counter() - self.started
        start = time.perf_counter()
        self.conn.execute("VACUUM ANALYZE")
        vacuum = time.perf_counter() - start
        size = self.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        self.conn.close()
        return {
            "tables": self.tables,
            "seconds": round(seeded, 1),
            "vacuum_analyze_seconds": round(vacuum, 1),
            "database_gb": size / 1e9,
        }


def _targets(counts: dict) -> tuple[float, int]:
    """How far each enrolment has come: certificate holders all 50 lessons, the others on average
    what is left of the progress rows, spread over 39 values around that average."""
    enrolments = counts["learners"] * counts["enrolments_per_learner"]
    rest = (counts["progress"] - counts["certificates"] * 50) / max(1, enrolments - counts["certificates"])
    return rest, enrolments


def _enrolment_plan(seed: Seeder, counts: dict, training_ids: list[int]) -> None:
    """nat_plan: user, training and target (lessons reached, 50 = completed) of each seeded enrolment."""
    average, _enrolments = _targets(counts)
    seed.execute(
        """
        CREATE TEMP TABLE nat_plan AS
        SELECT u.id AS user_id, u.n, t.training_id, t.j,
               (u.n - 1) * 3 + t.j AS idx,
               CASE WHEN t.j = 3 AND u.n <= %(certificates)s THEN 50
                    ELSE LEAST(49, GREATEST(1, round(%(average)s + ((((u.n - 1) * 3 + t.j) * 37) %% 39) - 19)))::int
               END AS target,
               now() - interval '400 days' + ((u.n * 7 + t.j) %% 300) * interval '1 day' AS enrolled_at
        FROM nat_user u CROSS JOIN unnest(%(trainings)s::int[]) WITH ORDINALITY AS t(training_id, j)
        """,
        {"certificates": counts["certificates"], "average": average, "trainings": training_ids},
    )


# --- Kyky ---------------------------------------------------------------------------------------


def seed_kyky(url: str, scenario: dict, counts: dict) -> dict:
    from bench.peer.shared import RESULT, statement

    seed = Seeder(url)
    trainings = [scenario["trainings"][slug][0] for slug in SLUGS]
    lessons = [
        (scenario["trainings"][slug][0], scenario["trainings"][slug][1], scenario["activities"][slug]) for slug in SLUGS
    ]
    seed.execute(
        """
        CREATE TEMP TABLE nat_lesson AS
        SELECT t.training_id, t.ord, p.translation_key AS lesson_key, m.translation_key AS module_key, t.activity_id
        FROM unnest(%s::int[], %s::int[], %s::int[], %s::bigint[]) AS t(training_id, ord, lesson_id, activity_id)
        JOIN wagtailcore_page p ON p.id = t.lesson_id
        JOIN wagtailcore_page m ON m.path = substr(p.path, 1, length(p.path) - 4)
        """,
        [
            [training for training, pages, _a in lessons for _p in pages],
            [n + 1 for _t, pages, _a in lessons for n in range(len(pages))],
            [page for _t, pages, _a in lessons for page in pages],
            [activity for _t, _p, activities in lessons for activity in activities],
        ],
    )  # fmt: skip
    seed.insert(
        "accounts_user",
        {
            "password": "'!'",
            "last_login": "NULL",
            "is_superuser": "false",
            "first_name": "'Oppija'",
            "last_name": "n::text",
            "is_staff": "false",
            "is_active": "true",
            "date_joined": "now() - (n %% 1000) * interval '1 hour'",
            "email": "'national' || n || '@example.fi'",
            "certificate_name": "'Oppija ' || n",
            "organisation": "''",
            "preferred_language": "(ARRAY['fi', 'sv', 'en'])[1 + n %% 3]",
        },
        "FROM generate_series(1, %s) AS n",
        [counts["learners"]],
        label="learners",
    )
    seed.execute(
        "CREATE TEMP TABLE nat_user AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM accounts_user "
        "WHERE email LIKE 'national%%@example.fi'"
    )
    _enrolment_plan(seed, counts, trainings)
    seed.insert(
        "courses_enrolment",
        {
            "status": "CASE WHEN p.target >= 50 THEN 'completed' ELSE 'active' END",
            "enrolled_at": "p.enrolled_at",
            "completed_at": "CASE WHEN p.target >= 50 THEN p.enrolled_at + interval '60 days' END",
            "last_lesson_key": "l.lesson_key",
            "last_activity_at": "p.enrolled_at + p.target * interval '1 day'",
            "notified_at": "p.enrolled_at",
            "user_id": "p.user_id",
            "training_id": "p.training_id",
            "registration": "gen_random_uuid()",
        },
        "FROM nat_plan p JOIN nat_lesson l ON l.training_id = p.training_id AND l.ord = p.target",
        label="enrolments",
    )
    seed.execute(
        "CREATE TEMP TABLE nat_enrolment AS SELECT e.id, p.* FROM courses_enrolment e "
        "JOIN nat_plan p ON p.user_id = e.user_id AND p.training_id = e.training_id"
    )
    # One row per lesson reached:
    rows = "FROM nat_enrolment e JOIN nat_lesson l ON l.training_id = e.training_id AND l.ord <= e.target"
    done = "(l.ord < e.target OR e.target >= 50)"
    at = "e.enrolled_at + l.ord * interval '1 day'"
    seed.insert(
        "courses_lessonprogress",
        {
            "lesson_key": "l.lesson_key",
            "status": f"CASE WHEN {done} THEN 'completed' ELSE 'in_progress' END",
            "score": "NULL",
            "answers": "'{}'::jsonb",
            "reflections": "'{}'::jsonb",
            "opened_at": at,
            "completed_at": f"CASE WHEN {done} THEN {at} + interval '20 minutes' END",
            "updated_at": f"{at} + interval '20 minutes'",
            "enrolment_id": "e.id",
        },
        rows,
        label="progress",
    )
    seed.insert(
        "h5p_h5pattempt",
        {
            "score_raw": f"CASE WHEN {done} THEN 1 END",
            "score_max": f"CASE WHEN {done} THEN 1 END",
            "score_scaled": f"CASE WHEN {done} THEN 1 END",
            "success": f"CASE WHEN {done} THEN true END",
            "completed": done,
            "completed_at": f"CASE WHEN {done} THEN {at} + interval '20 minutes' END",
            "duration": f"CASE WHEN {done} THEN interval '12.5 seconds' END",
            "updated_at": f"{at} + interval '20 minutes'",
            "activity_id": "l.activity_id",
            "enrolment_id": "e.id",
        },
        rows,
        label="H5P results",
    )
    sample = statement("completed", "x", "x")
    seed.insert(
        "h5p_xapistatement",
        {
            "statement_id": "s.sid",
            "verb": "'http://adlnet.gov/expapi/verbs/' || s.verb",
            "statement": """jsonb_build_object(
                'id', s.sid::text,
                'actor', jsonb_build_object(
                    'objectType', 'Agent',
                    'account', jsonb_build_object('homePage', %(base)s::text, 'name', s.user_id::text)),
                'verb', jsonb_build_object('id', 'http://adlnet.gov/expapi/verbs/' || s.verb,
                                           'display', jsonb_build_object('en-US', s.verb)),
                'object', jsonb_build_object('id', %(base)s::text || '/h5p/activities/' || s.activity_id,
                                             'objectType', 'Activity', 'definition', %(definition)s::jsonb),
                'context', %(context)s::jsonb,
                'timestamp', to_char(s.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                || CASE WHEN s.verb = 'completed' THEN jsonb_build_object('result', %(result)s::jsonb)
                        ELSE '{}'::jsonb END""",
            "stored_at": "s.at",
            "activity_id": "s.activity_id",
            "enrolment_id": "s.enrolment_id",
            "user_id": "s.user_id",
        },
        f"""FROM (SELECT gen_random_uuid() AS sid, e.id AS enrolment_id, e.user_id, l.activity_id, {at} AS at,
                         CASE WHEN {done} THEN 'completed' ELSE 'attempted' END AS verb
                  {rows}) AS s""",
        {
            "base": BASE_URL,
            "definition": json.dumps(sample["object"]["definition"]),
            "context": json.dumps(sample["context"]),
            "result": json.dumps(RESULT),
        },
        label="xAPI statements",
    )
    seed.insert(
        "courses_modulecompletion",
        {"module_key": "l.module_key", "completed_at": f"{at} + interval '20 minutes'", "enrolment_id": "e.id"},
        f"{rows} AND l.ord %% 10 = 0 AND {done}",
        label="module completions",
    )
    seed.insert(
        "certificates_certificate",
        {
            "code": "upper(substr(md5('national-' || e.id), 1, 16))",  # hexadecimal digits are Crockford base32 too
            "facts": "jsonb_set(c.facts, '{name}', to_jsonb('Oppija ' || e.n))",
            "language": "'fi'",
            "issued_at": "e.enrolled_at + interval '60 days'",
            "expires_at": "NULL",
            "revoked_at": "NULL",
            "revocation_reason": "''",
            "pdf": "''",
            "emailed_at": "e.enrolled_at + interval '60 days'",
            "enrolment_id": "e.id",
            "credential": "c.credential",
            "status_index": "c.top + row_number() OVER (ORDER BY e.id)",
            "withdrawn_at": "NULL",
            "signed_with": "c.signed_with",
        },
        """FROM nat_enrolment e CROSS JOIN (
               SELECT facts, credential, signed_with,
                      (SELECT coalesce(max(status_index), 0) FROM certificates_certificate) AS top
               FROM certificates_certificate ORDER BY id LIMIT 1) c
           WHERE e.target >= 50""",
        label="certificates",
    )
    seed.insert(
        "organisations_organisation",
        {
            "name": "'Kansallinen AMK ' || n",
            "name_sv": "''",
            "name_en": "''",
            "kind": "'uas'",
            "business_id": "''",
            "home_organisation": "''",
        },
        "FROM generate_series(1, %s) AS n",
        [counts["organisations"]],
        label="organisations",
    )
    seed.execute(
        "CREATE TEMP TABLE nat_org AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM organisations_organisation "
        "WHERE name LIKE 'Kansallinen AMK %%'"
    )
    seed.insert(
        "organisations_cohort",
        {
            "name": "'Ryhmä ' || c",
            "starts_on": "current_date - 200",
            "ends_on": "current_date + 165",
            "study_mode": "(ARRAY['degree', 'open_uas', 'continuing'])[1 + c %% 3]",
            "credits": "10",
            "created_at": "now() - interval '200 days'",
            "training_id": "(%s::int[])[1 + c %% 3]",
            "organisation_id": "o.id",
            "invite_code": "NULL",
            "invite_expires_at": "NULL",
            "seat_limit": "NULL",
        },
        "FROM generate_series(1, %s) AS c JOIN nat_org o ON o.n = 1 + (c - 1) %% %s",
        [trainings, counts["cohorts"], counts["organisations"]],
        label="cohorts",
    )
    seed.execute(
        "CREATE TEMP TABLE nat_cohort AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM organisations_cohort "
        "WHERE name LIKE 'Ryhmä %%'"
    )
    seed.insert(
        "organisations_cohortlearner",
        {
            "student_number": "'S' || u.n",
            # The learner's shown name case-folded, as CohortLearner.save sets it (the seed's names are ASCII).
            "sort_name": "(SELECT lower(certificate_name) FROM accounts_user WHERE id = u.id)",
            "added_at": "now() - interval '200 days'",
            "cohort_id": "c.id",
            "user_id": "u.id",
        },
        "FROM nat_user u JOIN nat_cohort c ON c.n = 1 + (u.n - 1) %% %s",
        [counts["cohorts"]],
        label="cohort learners",
    )
    seed.insert(
        "organisations_membership",
        {"role": "'admin'", "user_id": "u.id", "organisation_id": "o.id"},
        "FROM nat_org o JOIN nat_user u ON u.n = o.n",
        label="organisation staff",
    )
    return seed.finish()


# --- the peer -----------------------------------------------------------------------------------


def seed_peer(url: str, scenario: dict, counts: dict) -> dict:
    from bench.peer.shared import RESULT, statement

    seed = Seeder(url)
    courses = [scenario["courses"][slug][0] for slug in SLUGS]
    lessons = [
        (scenario["courses"][slug][0], scenario["courses"][slug][1], scenario["activities"][slug]) for slug in SLUGS
    ]
    seed.execute(
        """
        CREATE TEMP TABLE nat_lesson AS
        SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::bigint[])
                      AS t(training_id, ord, lesson_id, activity_id)
        """,
        [
            [course for course, pages, _a in lessons for _p in pages],
            [n + 1 for _c, pages, _a in lessons for n in range(len(pages))],
            [page for _c, pages, _a in lessons for page in pages],
            [activity for _c, _p, activities in lessons for activity in activities],
        ],
    )  # fmt: skip
    seed.insert(
        "auth_user",
        {
            "password": "'!'",
            "last_login": "NULL",
            "is_superuser": "false",
            "username": "'national' || n",
            "first_name": "'Oppija'",
            "last_name": "n::text",
            "email": "'national' || n || '@example.fi'",
            "is_staff": "false",
            "is_active": "true",
            "date_joined": "now() - (n %% 1000) * interval '1 hour'",
        },
        "FROM generate_series(1, %s) AS n",
        [counts["learners"]],
        label="learners",
    )
    seed.execute(
        "CREATE TEMP TABLE nat_user AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM auth_user "
        "WHERE username LIKE 'national%%'"
    )
    _enrolment_plan(seed, counts, courses)
    seed.insert(
        "wagtail_lms_courseenrollment",
        {
            "enrolled_at": "p.enrolled_at",
            "completed_at": "CASE WHEN p.target >= 50 THEN p.enrolled_at + interval '60 days' END",
            "user_id": "p.user_id",
            "course_id": "p.training_id",
        },
        "FROM nat_plan p",
        label="enrolments",
    )
    rows = "FROM nat_plan e JOIN nat_lesson l ON l.training_id = e.training_id AND l.ord <= e.target"
    done = "(l.ord < e.target OR e.target >= 50)"
    at = "e.enrolled_at + l.ord * interval '1 day'"
    seed.insert(
        "wagtail_lms_h5plessoncompletion",
        {"completed_at": f"{at} + interval '20 minutes'", "user_id": "e.user_id", "lesson_id": "l.lesson_id"},
        f"{rows} AND {done}",
        label="lesson completions (progress)",
    )
    seed.insert(
        "wagtail_lms_h5pattempt",
        {
            "started_at": at,
            "last_accessed": f"{at} + interval '20 minutes'",
            "completion_status": f"CASE WHEN {done} THEN 'completed' ELSE 'incomplete' END",
            "success_status": f"CASE WHEN {done} THEN 'passed' ELSE 'unknown' END",
            "score_raw": f"CASE WHEN {done} THEN 1 END",
            "score_min": f"CASE WHEN {done} THEN 0 END",
            "score_max": f"CASE WHEN {done} THEN 1 END",
            "score_scaled": f"CASE WHEN {done} THEN 1 END",
            "activity_id": "l.activity_id",
            "user_id": "e.user_id",
        },
        rows,
        label="H5P attempts",
    )
    sample = statement("completed", "x", "x")
    seed.insert(
        "wagtail_lms_h5pxapistatement",
        {
            "verb": "'http://adlnet.gov/expapi/verbs/' || a.verb",
            "verb_display": "a.verb",
            "statement": """jsonb_build_object(
                'id', gen_random_uuid()::text,
                'verb', jsonb_build_object('id', 'http://adlnet.gov/expapi/verbs/' || a.verb,
                                           'display', jsonb_build_object('en-US', a.verb)),
                'object', jsonb_build_object('id', %(base)s::text || '/lms/h5p-xapi/' || a.activity_id || '/',
                                             'objectType', 'Activity', 'definition', %(definition)s::jsonb),
                'context', %(context)s::jsonb,
                'timestamp', to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                || CASE WHEN a.verb = 'completed' THEN jsonb_build_object('result', %(result)s::jsonb)
                        ELSE '{}'::jsonb END""",
            "timestamp": "a.started_at",
            "attempt_id": "a.id",
        },
        """FROM (SELECT id, activity_id, started_at,
                        CASE WHEN completion_status = 'completed' THEN 'completed' ELSE 'attempted' END AS verb
                 FROM wagtail_lms_h5pattempt WHERE user_id IN (SELECT id FROM nat_user)) AS a""",
        {
            "base": BASE_URL,
            "definition": json.dumps(sample["object"]["definition"]),
            "context": json.dumps(sample["context"]),
            "result": json.dumps(RESULT),
        },
        label="xAPI statements",
    )
    return seed.finish()
