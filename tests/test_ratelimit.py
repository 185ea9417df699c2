"""Rate limits behind reverse proxies, shared between web processes: each test names the attack it stops."""

import json
import os
import subprocess
import sys
import uuid
import warnings
from pathlib import Path

import pytest
from django.core.cache import CacheKeyWarning, cache
from django.test import RequestFactory, override_settings
from django.utils import translation

from lms import checks, ratelimit
from lms.certificates.codes import display, new_code
from lms.ratelimit import client_bucket, client_ip, limited
from tests.conftest import REDIS_TEST_URL

ROOT = Path(__file__).resolve().parent.parent
PROXY = "10.0.0.1"  # our nginx, as gunicorn sees it
ALICE = "198.51.100.7"
BOB = "203.0.113.20"
NOW = 1_750_000_020.0  # a fixed instant, well inside its minute, so no test straddles two windows


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_one_proxy(settings):
    settings.KYKY_TRUSTED_PROXIES = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(ratelimit, "_now", lambda: NOW)


def request_from(forwarded_for=None, remote_addr=PROXY):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


# Who the client is


def test_clients_behind_the_proxy_are_not_all_one_client(behind_one_proxy, frozen):
    alice, bob = request_from(ALICE), request_from(BOB)

    assert (client_ip(alice), client_ip(bob)) == (ALICE, BOB)
    assert [limited("t", client_bucket(alice), limit=3, window=60) for _ in range(4)] == [False] * 3 + [True]
    assert limited("t", client_bucket(bob), limit=3, window=60) is False


@pytest.mark.parametrize(
    "forged",
    ["203.0.113.99", "1.1.1.1, 2.2.2.2, 3.3.3.3", "unknown", "127.0.0.1", "2001:db8::1"],
)
def test_addresses_forged_left_of_the_proxys_entry_are_ignored(behind_one_proxy, frozen, forged):
    honest = request_from(ALICE)
    forging = request_from(f"{forged}, {ALICE}")

    assert client_ip(forging) == ALICE
    for _ in range(3):
        limited("t", client_bucket(honest), limit=3, window=60)
    assert limited("t", client_bucket(forging), limit=3, window=60) is True


def test_two_trusted_proxies_take_the_second_entry_from_the_right(settings):
    settings.KYKY_TRUSTED_PROXIES = 2  # a load balancer, then nginx

    assert client_ip(request_from(f"6.6.6.6, {ALICE}, 192.0.2.1")) == ALICE


def test_forwarded_for_is_ignored_without_trusted_proxies(settings, frozen):
    settings.KYKY_TRUSTED_PROXIES = 0
    spoofed = request_from(f"{BOB}, {ALICE}", remote_addr="192.0.2.50")

    assert client_ip(spoofed) == "192.0.2.50"
    for _ in range(3):
        limited("t", client_bucket(request_from(remote_addr="192.0.2.50")), limit=3, window=60)
    assert limited("t", client_bucket(spoofed), limit=3, window=60) is True


@pytest.mark.parametrize(
    ("proxies", "header"),
    [
        (1, ""),
        (1, "   "),
        (1, "garbage"),
        (1, ",,,"),
        (1, f"{ALICE}, not-an-address"),
        (1, "999.1.1.1"),
        (1, "1.2.3.4:port"),
        (1, "[2001:db8::1"),
        (1, "2001:db8::1]:80"),
        (1, "1.2.3.4\x00"),
        (1, "9" * 100_000),
        (1, f"{ALICE}," * 100_000 + "x"),
        (1, "1" * 70 + ".2.3.4"),
        (2, ALICE),  # too few hops: the header did not come through both proxies
        (3, f"{BOB}, {ALICE}"),
    ],
)
def test_malformed_forwarded_for_cannot_choose_a_bucket_or_crash(settings, proxies, header):
    settings.KYKY_TRUSTED_PROXIES = proxies

    assert client_ip(request_from(header)) == PROXY  # the one address the client cannot write


def test_missing_remote_addr_is_one_shared_bucket_not_a_crash(settings):
    settings.KYKY_TRUSTED_PROXIES = 0

    assert client_ip(request_from(remote_addr="")) == "unknown"
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="unix:/run/gunicorn.sock")) == "unknown"


@pytest.mark.parametrize(
    ("hop", "expected"),
    [
        ("198.51.100.7:51234", ALICE),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:198.51.100.7", ALICE),  # a dual-stack socket's IPv4 client
    ],
)
def test_one_client_cannot_look_like_many_by_writing_its_address_differently(behind_one_proxy, hop, expected):
    assert client_ip(request_from(hop)) == expected


def test_rotating_ipv6_addresses_within_one_64_stays_one_client(behind_one_proxy, frozen):
    addresses = [f"2001:db8:1:2::{n:x}" for n in range(1, 5)] + ["2001:db8:1:2:ffff:ffff:ffff:ffff"]

    buckets = {client_bucket(request_from(address)) for address in addresses}

    assert buckets == {"2001:db8:1:2::"}
    assert client_bucket(request_from("2001:db8:1:3::1")) == "2001:db8:1:3::"
    assert client_bucket(request_from(ALICE)) == ALICE


# The counter


def test_the_limit_resets_only_in_the_next_window(monkeypatch):
    monkeypatch.setattr(ratelimit, "_now", lambda: NOW)
    assert [limited("t", "k", limit=2, window=60) for _ in range(3)] == [False, False, True]
    monkeypatch.setattr(ratelimit, "_now", lambda: NOW + 30)  # same minute
    assert limited("t", "k", limit=2, window=60) is True
    monkeypatch.setattr(ratelimit, "_now", lambda: NOW + 60)
    assert limited("t", "k", limit=2, window=60) is False


def test_scopes_do_not_share_counts(frozen):
    assert [limited("a", "k", limit=1, window=60) for _ in range(2)] == [False, True]
    assert limited("b", "k", limit=1, window=60) is False


def test_hostile_keys_make_safe_memcached_and_redis_keys(frozen):
    hostile = "a b\n\r\x00\x7f" * 100 + "ääkkönen \udcff"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)  # Django's memcached key rules
        assert limited("t", hostile, limit=1, window=60) is False
        assert limited("t", hostile, limit=1, window=60) is True
    with pytest.raises(ValueError, match="scope"):
        limited("bad scope\n", "k", limit=1, window=60)


class ExpiringCache:
    """The key is there when ``add`` looks, and gone (expired, evicted) when ``incr`` comes."""

    def __init__(self):
        self.adds = 0

    def add(self, key, value, timeout):
        self.adds += 1
        return self.adds > 1

    def incr(self, key, delta=1):
        raise ValueError(key)

    def touch(self, key, timeout):
        raise AssertionError("not reached")


def test_a_key_expiring_between_add_and_incr_does_not_crash(monkeypatch, frozen):
    fake = ExpiringCache()
    monkeypatch.setattr(ratelimit, "cache", fake)

    assert limited("t", "k", limit=5, window=60) is False
    assert fake.adds == 2  # counted again from 1 in a fresh key


# Certificate verification through the proxy


@pytest.mark.django_db
def test_guessing_certificate_codes_is_limited_per_real_client_behind_the_proxy(client, behind_one_proxy, frozen):
    def look_up(forwarded_for):
        return client.get(f"/verify/{display(new_code())}/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)

    statuses = [look_up(ALICE).status_code for _ in range(30)]
    limited_response = look_up(ALICE)
    forged = look_up(f"{BOB}, {ALICE}")

    assert statuses == [404] * 30
    assert limited_response.status_code == 429
    assert limited_response["Retry-After"] == "60"
    assert forged.status_code == 429
    assert look_up(BOB).status_code == 404  # the next client, through the same proxy


@pytest.mark.django_db
def test_credential_check_shares_the_verification_budget(client, behind_one_proxy, frozen):
    for _ in range(30):
        client.get(f"/verify/{display(new_code())}/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE)

    response = client.post(
        "/verify/credential/", data="{}", content_type="application/json", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE
    )

    assert response.status_code == 429


# Login through the proxy (allauth's own limits, told about the same proxies)


def _login(client, email, password, forwarded_for):
    return client.post(
        "/fi/accounts/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def _too_many_attempts_message():
    from allauth.account.adapter import get_adapter

    with translation.override("fi"):
        return str(get_adapter().error_messages["too_many_login_attempts"])


@pytest.mark.django_db
def test_password_guessing_behind_the_proxy_is_limited_for_the_guesser_only(client, behind_one_proxy, learner):
    for n in range(10):  # ten addresses, so that only the per-client limit (10 a minute) can apply
        assert _login(client, f"guess{n}@example.com", "wrong", ALICE).status_code == 200

    refused = _login(client, learner.email, "correct horse battery", f"{BOB}, {ALICE}")
    assert refused.status_code == 200
    assert _too_many_attempts_message() in refused.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session

    assert _login(client, learner.email, "correct horse battery", BOB).status_code == 302


@pytest.mark.django_db
def test_without_trusted_proxies_one_guesser_locks_out_everyone_behind_the_proxy(client, settings, learner):
    """Why KYKY_TRUSTED_PROXIES matters: the failure mode it fixes."""
    settings.KYKY_TRUSTED_PROXIES = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        _login(client, f"guess{n}@example.com", "wrong", ALICE)

    locked_out = _login(client, learner.email, "correct horse battery", BOB)
    assert locked_out.status_code == 200
    assert _too_many_attempts_message() in locked_out.context["form"].non_field_errors()


def test_allauth_is_told_about_the_same_proxies():
    from allauth import app_settings as allauth_settings
    from django.conf import settings

    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.KYKY_TRUSTED_PROXIES
    assert allauth_settings.RATE_LIMIT_IPV6_PREFIX == 64
    assert checks.check_same_client_for_allauth() == []
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2, KYKY_TRUSTED_PROXIES=1):
        assert [w.id for w in checks.check_same_client_for_allauth()] == ["kyky.W002"]


# Shared between processes


def test_per_process_cache_in_production_is_reported_by_check_deploy():
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CACHE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="kyky.example.fi",
        H5P_ORIGIN="https://h5p.kyky-content.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "kyky.W001" in result.stdout + result.stderr
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        assert [w.id for w in checks.check_shared_cache()] == ["kyky.W001"]
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x:6379"}}
    ):
        assert checks.check_shared_cache() == []


@pytest.fixture(params=["django.core.cache.backends.redis.RedisCache", "lms.cache.RedisCache"])
def redis_cache(request, redis_prefix):
    """Django's Redis cache backend, and Kyky's (one round trip per hit), on database 13 under a prefix of
    their own; skipped without Redis."""
    config = {"BACKEND": request.param, "LOCATION": REDIS_TEST_URL, "KEY_PREFIX": redis_prefix}
    with override_settings(CACHES={"default": config}):
        yield config


WORKER = """
import json, sys
import django
from django.conf import settings

job = json.loads(sys.argv[1])
settings.configure(CACHES={"default": job["cache"]})
django.setup()
from lms import ratelimit

ratelimit._now = lambda: job["now"]
print(sum(ratelimit.limited("shared", job["key"], limit=job["limit"], window=60) for _ in range(job["hits"])))
"""


def _worker(config, *, key, limit, hits):
    job = json.dumps({"cache": config, "now": NOW, "key": key, "limit": limit, "hits": hits})
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, job], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _limited_count(process) -> int:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return int(out.strip())


def test_a_second_worker_process_sees_the_first_ones_count(redis_cache, frozen, monkeypatch):
    from django.core.cache import caches

    assert [limited("shared", ALICE, limit=5, window=60) for _ in range(5)] == [False] * 5

    # Another gunicorn worker: its own Python process and its own connection to Redis.
    assert _limited_count(_worker(redis_cache, key=ALICE, limit=5, hits=1)) == 1
    assert _limited_count(_worker(redis_cache, key=BOB, limit=5, hits=1)) == 0
    # And a cache instance created independently of the one Django handed this process.
    independent = caches.create_connection("default")
    assert independent is not caches["default"]
    monkeypatch.setattr(ratelimit, "cache", independent)
    assert limited("shared", ALICE, limit=5, window=60) is True


def test_concurrent_workers_cannot_together_exceed_the_limit(redis_cache):
    key = f"client-{uuid.uuid4().hex}"
    workers = [_worker(redis_cache, key=key, limit=60, hits=25) for _ in range(4)]

    assert sum(_limited_count(worker) for worker in workers) == 100 - 60


@pytest.mark.django_db
def test_verification_stays_up_when_the_cache_server_is_down(client):
    """A fault in the cache must not answer 500: the look-up is served, unlimited, and the fault logged."""
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on port 9
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=dead):
        for _ in range(3):
            assert client.get("/verify/0000-0000-0000-0000/").status_code == 404


def test_a_window_counter_never_outlives_its_window(redis_cache):
    """A counter without an expiry would stay in Redis for ever, one per client and window."""
    import redis

    ratelimit.limited("verify", "client-ttl", limit=5, window=60)
    ratelimit.limited("verify", "client-ttl", limit=5, window=60)
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    keys = list(connection.scan_iter(f"{redis_cache['KEY_PREFIX']}:*"))
    assert len(keys) == 1
    assert 0 < connection.ttl(keys[0]) <= 61
    assert cache.get(keys[0].decode().split(":", 2)[2]) == 2
