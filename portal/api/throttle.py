"""Per-token rate limits of the API (docs/api.md).

Two ways to count, chosen by ``API_RATE_LIMIT_POLICY`` (like the ``local`` and ``redis`` policies of API
gateways such as Kong's rate-limiting plugin):

- ``local`` (the default): each worker process counts in fixed one-minute windows in its own memory. No
  round trip, nothing to sweep (a window's counts are dropped whole when the next begins). A token can
  make at most the limit times the number of workers per minute, which is what the limit guards
  against: a runaway phone shortcut or a leaked token flooding the portal.
- ``shared``: the ``limits`` library (the one under Flask-Limiter) on Flask-Limiter's storage — Redis
  when ``REDIS_URL`` is set — counts exactly across workers and hosts, at one Redis round trip per call
  (about a quarter of the step API's throughput, docs/benchmarks.md).

Neither goes through Flask-Limiter's per-request machinery (resolving limits and exemptions, reading the
window again for X-RateLimit-* headers on every answer), which cost about a third of a step report. The
sign-in and SMS limits, which guard secrets, stay with Flask-Limiter and Redis; its hooks run on posted
page forms only (``portal.web.fast_paths``).
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time

from flask import current_app, request
from flask_babel import gettext as _
from limits import RateLimitItem, parse
from limits.strategies import SlidingWindowCounterRateLimiter

from portal.api.errors import ApiError
from portal.extensions import app_state, limiter

# A member's phone syncs a few times an hour; a partner pushes batches to the bulk route.
PER_TOKEN = parse("120/minute")
log = logging.getLogger(__name__)
BULK_PER_TOKEN = parse("30/minute")


class LocalWindows:
    """Fixed windows counted in this process: one dict of counts per window length, replaced whole when
    its window ends, so memory stays bounded by the tokens seen in one window."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[int, tuple[int, dict[str, int]]] = {}  # length → (window number, counts)

    def hit(self, limit: RateLimitItem, key: str, now: float) -> float | None:
        """Count one call; None when allowed, else the seconds until the window ends."""
        length = limit.get_expiry()
        number = int(now // length)
        with self._lock:
            current, counts = self._windows.get(length, (None, None))
            if current != number:
                counts = {}
                self._windows[length] = (number, counts)
            count = counts.get(key, 0) + 1
            counts[key] = count
        if count <= limit.amount:
            return None
        return (number + 1) * length - now


def check_rate(limit: RateLimitItem = PER_TOKEN, scope: str = "api") -> None:
    """Count this request against its token's limit; a 429 in the error shape once it is spent."""
    if not limiter.enabled:
        return
    key = scope + ":" + hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()[:16]
    if current_app.config["API_RATE_LIMIT_POLICY"] == "shared":
        retry = _shared_hit(limit, key)
    else:
        retry = app_state("api_local_windows", LocalWindows).hit(limit, key, time.time())
    if retry is None:
        return
    seconds = max(1, math.ceil(retry))
    raise ApiError(
        429,
        "rate_limited",
        _("Too many requests with this token; try again in %(seconds)d seconds.", seconds=seconds),
        headers={"Retry-After": str(seconds)},
    )


def _shared_hit(limit: RateLimitItem, key: str) -> float | None:
    """The hit counted in the shared storage; in this process's windows while that storage (Redis) does
    not answer, so that the API keeps answering (logged once a minute at most)."""
    try:
        return _hit_in_storage(limit, key)
    except Exception as error:  # redis-py's and limits' errors alike: the count is the only loss
        if time.time() - _degraded_logged[0] > 60:
            _degraded_logged[0] = time.time()
            log.warning("API rate limits counted per process: the shared storage failed (%s)", error)
        return app_state("api_local_windows", LocalWindows).hit(limit, key, time.time())


_degraded_logged = [0.0]


def _hit_in_storage(limit: RateLimitItem, key: str) -> float | None:
    storage = limiter.storage
    strategy = getattr(storage, "_portal_api_strategy", None)
    if strategy is None:
        strategy = SlidingWindowCounterRateLimiter(storage)
        storage._portal_api_strategy = strategy  # one per storage (the tests swap storages)
    if strategy.hit(limit, key):
        return None
    reset_at, _remaining = strategy.get_window_stats(limit, key)
    return reset_at - time.time()
