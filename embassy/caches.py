"""Django's Redis cache backend, without building a Redis client for every operation."""

from __future__ import annotations

from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Keep one Redis client per connection pool.

    Django makes a client for every operation, and redis-py builds its table of reply callbacks
    in each: about half a millisecond, as long as the round trip to a Redis on the same network,
    on every page served from the cache. A client is thread-safe: it takes a connection from its
    pool for each command.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        pool = self._get_connection_pool(write)
        # Pools are kept for the backend's lifetime: their id names them.
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
