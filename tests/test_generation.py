"""The content generation and the cache it keys: one read per request, never a stale page after a change."""

import pytest
from django.core.cache import cache
from django.db import transaction

from lms import generation
from lms.cache import RedisCache
from tests.conftest import REDIS_TEST_URL


@pytest.fixture
def in_request():
    generation.request_started()
    yield
    generation.request_finished()


def test_a_request_reads_the_generation_once(in_request):
    first = generation.current()
    cache.set(generation.KEY, first + 1, None)  # another process publishes meanwhile
    assert generation.current() == first, "one request sees one generation from start to end"
    generation.request_finished()
    assert generation.current() == first + 1, "the next request sees the new one"


@pytest.mark.django_db
def test_a_change_made_in_a_request_is_seen_by_that_request(in_request):
    before = generation.current()
    generation.bump()
    assert generation.current() != before


@pytest.mark.django_db(transaction=True)
def test_what_another_process_cached_before_a_commit_is_not_read_after_it():
    """A page saved in a transaction: a reader between the save and the commit sees the old rows."""
    with transaction.atomic():
        generation.bump()
        during = generation.current()  # what another process would cache its (old) reads under
    assert generation.current() != during


@pytest.mark.django_db
def test_a_value_is_tagged_with_its_generation(in_request):
    generation.store_tagged("thing", "old")
    assert generation.first_lookup("thing") == "old"
    generation.request_finished()
    generation.bump()
    generation.request_started()
    assert generation.first_lookup("thing") is None, "built in an older generation: not served"


def test_a_miss_is_not_kept():
    calls = []
    assert generation.cached("nothing", lambda: calls.append(1)) is None
    assert generation.cached("nothing", lambda: calls.append(1)) is None
    assert len(calls) == 2


@pytest.fixture
def redis_cache(redis_prefix):
    return RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": redis_prefix})


def test_the_redis_backend_keeps_one_client_per_pool(redis_cache):
    """A new redis-py client per operation cost more CPU than the operation itself."""
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    redis_cache.set("k", {"v": 1})
    assert redis_cache.get("k") == {"v": 1}
    assert redis_cache.get_many(["k", "missing"]) == {"k": {"v": 1}}


def test_the_first_read_of_a_request_brings_the_generation_along(in_request, monkeypatch):
    cache.set("kyky:test:row", "row")
    first = generation.current()
    generation.request_finished()
    generation.request_started()
    reads, stored = [], {k: cache.get(k) for k in ("kyky:test:row", generation.KEY)}
    monkeypatch.setattr(cache, "get", lambda key, default=None: reads.append("get") or stored.get(key, default))
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append("get_many") or {k: stored[k] for k in keys})
    assert generation.get_along("kyky:test:row") == "row"
    assert generation.current() == first
    assert reads == ["get_many"], "one round trip for the row and the generation"


def test_a_read_along_does_not_change_the_generation_a_request_already_has(in_request):
    first = generation.current()
    cache.set(generation.KEY, first + 1, None)
    generation.get_along("kyky:test:row")
    assert generation.current() == first


def test_a_rate_limit_count_brings_the_generation_along(redis_cache, monkeypatch):
    """The verification page's count and its first read of the generation: one round trip, not two."""
    from lms import ratelimit

    monkeypatch.setattr(ratelimit, "cache", redis_cache)
    monkeypatch.setattr(generation, "cache", redis_cache)
    redis_cache.set(generation.KEY, 12345, None)
    generation.request_started()
    try:
        generation.read_along("route:/x/")
        redis_cache.set("kyky:tagged:route:/x/", (12345, "the route"))
        assert not ratelimit.limited("verify", "client", limit=5, window=60)
        monkeypatch.setattr(redis_cache, "get", lambda *a, **k: pytest.fail("the generation was read again"))
        monkeypatch.setattr(redis_cache, "get_many", lambda *a, **k: pytest.fail("read again"))
        assert generation.current() == 12345
        assert generation.first_lookup("route:/x/") == "the route", "what asked to come along came"
    finally:
        generation.request_finished()


def test_a_count_without_the_generation_leaves_it_to_be_read(redis_cache, monkeypatch):
    """A cache that lost the generation (a flush) must not leave the request without one."""
    from lms import ratelimit

    monkeypatch.setattr(ratelimit, "cache", redis_cache)
    monkeypatch.setattr(generation, "cache", redis_cache)
    redis_cache.delete(generation.KEY)
    generation.request_started()
    try:
        ratelimit.limited("verify", "client", limit=5, window=60)
        assert generation.current() > 0
        assert redis_cache.get(generation.KEY) == generation.current()
    finally:
        generation.request_finished()
