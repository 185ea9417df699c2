import os
from pathlib import Path

import pytest
from django.db import connection
from wagtail.models import Locale

from lms.cms.services import site_setup

from .factories import TrainingIndexPageFactory, UserFactory, build_training

SHARED = Path(os.environ.get("KYKY_SHARED_DIR") or Path(__file__).resolve().parent.parent.parent / "shared")
IN_CI = os.environ.get("CI") == "true"


def shared_files(folder: str, pattern: str) -> list:
    """Parameters for a test over the files of ``../shared/<folder>``.

    When the folder is missing the list holds one placeholder marked ``shared``, so the test is
    reported (a failure in CI, a skip elsewhere) instead of silently collecting nothing.
    """
    directory = SHARED / folder
    files = sorted(directory.glob(pattern)) if directory.is_dir() else []
    return files or [pytest.param(directory / pattern, marks=pytest.mark.shared(folder), id="missing")]


def pytest_runtest_setup(item):
    """``@pytest.mark.shared("h5p/x.h5p")``: the test reads that path under ../shared.

    A green CI run must mean these tests ran: with CI=true a missing path fails the test.
    """
    for mark in item.iter_markers("shared"):
        path = SHARED.joinpath(*mark.args)
        if not path.exists():
            reason = f"../shared/{'/'.join(mark.args)} is not present"
            if IN_CI:
                pytest.fail(f"{reason}: CI must run the tests that read it")
            pytest.skip(reason)


@pytest.fixture
def homes(db):
    return site_setup()


@pytest.fixture
def index(homes):
    """The Finnish training catalogue page."""
    return TrainingIndexPageFactory(parent=homes["fi"])


@pytest.fixture
def locales(homes):
    return {locale.language_code: locale for locale in Locale.objects.all()}


@pytest.fixture
def training(index):
    return build_training(index, modules=2, lessons=2)


@pytest.fixture
def learner(db):
    return UserFactory(certificate_name="Liisa Oppija")


@pytest.fixture
def other_learner(db):
    return UserFactory(certificate_name="Olli Muu")


@pytest.fixture
def user_factory(db):
    return UserFactory


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


requires_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (set DATABASE_URL): SQLite serialises writes and has no row locks",
)


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    """Every test writes its public and private files under its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service-level messages in English; requests still follow their URL's language.

    A request the test client runs leaves its language active in this thread until the test ends:
    compare a lazily translated message (a log entry's, a form's) under ``translation.override``.
    """
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: nothing (a user's row, a route) carries over from another."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def cache_reads(monkeypatch):
    """The cache reads the code asks for, each as a list of keys: one entry per round trip to a real
    cache (the tests' cache makes a get_many of gets, which are not counted again)."""
    from django.core.cache import cache

    asked, depth = [], []

    def counted(original):
        def read(keys, *args, **kwargs):
            if not depth:
                asked.append(list(keys) if isinstance(keys, list | tuple) else [keys])
            depth.append(1)
            try:
                return original(keys, *args, **kwargs)
            finally:
                depth.pop()

        return read

    for method in ("get", "get_many"):
        monkeypatch.setattr(cache, method, counted(getattr(cache, method)))
    return asked


REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_prefix():
    """A key prefix of its own on Redis database 13, its keys deleted afterwards: never ``clear()``,
    which empties the database under the tests of another process (``make test`` runs several).
    Fails in CI without Redis, skips elsewhere."""
    import uuid

    import redis

    connection = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
        if IN_CI:
            pytest.fail(f"CI must test against Redis on 127.0.0.1:6379: {error}")
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({error})")
    prefix = f"kyky-test-{uuid.uuid4().hex}"
    yield prefix
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)
    connection.close()
