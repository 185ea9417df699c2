"""Project-level promises: health check, production settings, settings from the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_database_and_in_process_tasks(client):
    with override_settings(CELERY_BROKER_URL=""):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "mode": "in-process"}


@pytest.mark.django_db
def test_healthz_reports_a_reachable_broker(client):
    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        pytest.skip("set CELERY_BROKER_URL to check against a real broker")
    with override_settings(CELERY_BROKER_URL=url):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "mode": "broker"}


@pytest.mark.django_db
def test_healthz_says_503_when_the_broker_is_down(client):
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:9/0"):  # nothing listens on port 9
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DJANGO_SETTINGS_MODULE": "lms.settings.production",
            "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "kyky.example.fi",
            "BASE_URL": "https://kyky.example.fi",
            "H5P_ORIGIN": "https://h5p.kyky-content.example",
            # Production shares its cache between web processes (kyky.W001); the check does not connect.
            "CACHE_URL": "redis://127.0.0.1:6379/1",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env_extra={"DJANGO_SETTINGS_MODULE": "lms.settings.production", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_database_url_and_broker_come_from_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['CONN_MAX_AGE'],"
        " s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    )
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env_extra={
            "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
            "DATABASE_URL": "postgres://u@db.example:5432/kyky",
            "CELERY_BROKER_URL": "redis://broker.example:6379/0",
        },
    )
    assert result.stdout.split() == [
        "lms.db.postgresql",
        "600",
        "False",
        "redis://broker.example:6379/0",
    ], result.stderr
    default = _manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env_extra={"DJANGO_SETTINGS_MODULE": "lms.settings.dev", "DATABASE_URL": "", "CELERY_BROKER_URL": ""},
    )
    assert default.stdout.split()[0] == "django.db.backends.sqlite3"
    assert default.stdout.split()[2] == "True"  # no broker: tasks run in-process


@pytest.mark.django_db
def test_setup_demo_is_safe_to_run_twice(homes):
    from io import StringIO

    from django.core.management import call_command

    from lms.accounts.models import User

    for _ in range(2):
        out = StringIO()
        call_command("setup_demo", stdout=out)
    assert "learner@example.com" in out.getvalue()
    assert User.objects.filter(email__endswith="@example.com").count() == 3
    assert User.objects.get(email="learner@example.com").check_password("kyky-learner")


def test_production_refuses_to_start_without_a_player_origin():
    result = _manage(
        "check",
        env_extra={"DJANGO_SETTINGS_MODULE": "lms.settings.production", "SECRET_KEY": "x" * 50, "H5P_ORIGIN": ""},
    )
    assert result.returncode != 0
    assert "H5P_ORIGIN" in result.stderr


@pytest.mark.parametrize(
    ("origin", "extra"),
    [
        ("https://kyky.example.fi:8443", {}),  # another port of the platform's host: cookies are shared
        ("https://h5p.kyky.example.fi", {"SESSION_COOKIE_DOMAIN": ".kyky.example.fi"}),
    ],
    ids=["same-host-other-port", "inside-the-session-cookie-domain"],
)
def test_a_player_origin_that_would_share_the_session_is_refused(settings, origin, extra):
    """Uploaded content must never run where the learner's session cookie goes."""
    from lms.checks import check_player_origin

    settings.WAGTAILADMIN_BASE_URL = "https://kyky.example.fi"
    settings.H5P_ORIGIN = origin
    for name, value in extra.items():
        setattr(settings, name, value)
    assert [error.id for error in check_player_origin()] == ["kyky.E001"]
    settings.H5P_ORIGIN = "https://h5p.kyky-content.example"
    assert check_player_origin() == []


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 error"), ("", "1 skipped")])
def test_tests_that_read_shared_data_fail_in_ci_when_it_is_missing(tmp_path, ci, outcome):
    """A green CI run means the tests on real and hostile third-party data ran."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"CI": ci, "KYKY_SHARED_DIR": str(tmp_path / "nowhere")})
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/h5p/test_package.py", "-k", "real"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert outcome in result.stdout, result.stdout + result.stderr
