"""Django's Redis cache backend, keeping one client per connection pool.

Django's ``RedisCacheClient.get_client`` makes a new ``redis.Redis`` for every operation, and
redis-py's constructor builds its table of some 170 response callbacks each time: about 0.3 ms of
CPU per cache read, more than the read itself. A client is only a front to its connection pool and
is safe to share, so one per pool is kept. Everything else is Django's own backend.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _PersistentClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _PersistentClients

    def count_hit(self, key: str, timeout: int, *, read=()) -> tuple[int, dict]:
        """Add one to a counter that lives ``timeout`` seconds after its last hit, and ``get_many(read)``:
        one round trip.

        The rate limiter counts every verification and log-in; through Django's API that is
        ``add``, then ``incr``, which itself asks whether the key exists first: three round trips.
        ``read`` brings what the request would read next (the content generation) along.
        """
        made = {self.make_and_validate_key(name): name for name in read}
        key = self.make_and_validate_key(key)
        with self._cache.get_client(key, write=True).pipeline() as pipe:  # MULTI ... EXEC
            pipe.incr(key)
            pipe.expire(key, timeout)
            for name in made:
                pipe.get(name)
            count, _expiry_set, *values = pipe.execute()
        loads = self._cache._serializer.loads
        return int(count), {
            made[name]: loads(value) for name, value in zip(made, values, strict=True) if value is not None
        }
