"""Django's Redis cache, keeping one client object per connection pool.

Django's backend builds a new `redis.Redis` for every cache call, and each build fills a
dictionary of some 170 reply callbacks: on a page served from the cache that was about a third
of the request's CPU (bench/web_cpu.py). A client object is thread-safe (it takes a connection
from its pool per command), so one per pool is enough.
"""
from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
