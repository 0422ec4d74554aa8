"""Per-token rate limits of the API (SPEC §10), checked with the ``limits`` library — the one under
Flask-Limiter — on Flask-Limiter's own storage: memory, or Redis when ``REDIS_URL`` is set.

Flask-Limiter's per-request machinery (resolving blueprint limits and exemptions, then reading the window
again to set X-RateLimit-* headers on every answer) cost about a third of a step report
(docs/benchmarks.md). The API has one fixed rule per token and route kind, so it calls the strategy
directly: one storage call per request, and the window is read again only to tell a refused client
when to retry (``Retry-After``).

At scale the storage must be Redis: ``limits``' memory storage sweeps every key a hundred times a
second, and each gunicorn worker would count on its own (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import request
from flask_babel import gettext as _
from limits import RateLimitItem, parse
from limits.strategies import SlidingWindowCounterRateLimiter

from portal.api.errors import ApiError
from portal.extensions import limiter

# A member's phone syncs a few times an hour; a partner pushes batches to the bulk route.
PER_TOKEN = parse("120/minute")
BULK_PER_TOKEN = parse("30/minute")


def _strategy() -> SlidingWindowCounterRateLimiter:
    storage = limiter.storage
    strategy = getattr(storage, "_portal_api_strategy", None)
    if strategy is None:
        strategy = SlidingWindowCounterRateLimiter(storage)
        storage._portal_api_strategy = strategy  # one per storage (the tests swap storages)
    return strategy


def check_rate(limit: RateLimitItem = PER_TOKEN, scope: str = "api") -> None:
    """Count this request against its token's limit; a 429 in the error shape once it is spent."""
    if not limiter.enabled:
        return
    key = hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()[:16]
    strategy = _strategy()
    if strategy.hit(limit, scope, key):
        return
    reset_at, _remaining = strategy.get_window_stats(limit, scope, key)
    raise ApiError(
        429,
        "rate_limited",
        _("Too many requests with this token; try again in %(seconds)d seconds.", seconds=_retry(reset_at)),
        headers={"Retry-After": str(_retry(reset_at))},
    )


def _retry(reset_at: float) -> int:
    return max(1, math.ceil(reset_at - time.time()))
