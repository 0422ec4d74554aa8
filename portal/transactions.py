"""The one place where work is kept or dropped. Services flush, never commit: what a request, a CLI
command or a job wrote is committed here when it went through and rolled back when it did not.

- Pages and the API: ``finish_request`` (an ``after_request`` of the app) commits when the answer is a
  success (below 400) and rolls back otherwise. A refused form rolls back at once (``web.helpers.refused``)
  so the page it shows again reads what is stored; the answer then has nothing left to commit.
- Writes that may meet a transient conflict (the partner batches): ``retried`` commits inside, and tries
  the whole work again.
- CLI commands: ``committed`` wraps them.
- Background jobs commit where their docstrings say why (``boards.snapshots``: a refresh must never hold
  its readers; ``boards.export_files``: the claim must be seen while the file is written; ``jobs``).
- The step API's one-statement report commits on a connection of its own, never opening the session
  (``campaigns.tokens.report_with_token`` gives its figure).
- Work that must see the commit first (enqueueing a job that reads what was written) is handed to
  ``on_commit``.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import Response, g
from sqlalchemy.exc import DBAPIError

from portal.extensions import db

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)

# PostgreSQL's conflicts that another try of the same transaction may not meet: a serialisation
# failure, a deadlock, a lock not available in time. SQLite's is a database locked by another writer.
_RETRYABLE_STATES = {"40001", "40P01", "55P03"}
ATTEMPTS = 3


class StillBusy(Exception):
    """Every attempt of ``retried`` met a transient conflict; nothing was stored."""


def finish_request(response: Response) -> Response:
    """Keep a request's writes when its answer is a success, drop them otherwise; then run what waited
    for the commit. A request that never opened the session (the step API's one-statement path) has
    nothing to settle, and no session is made for it."""
    if not db.session.registry.has():
        return response
    if response.status_code < 400:
        db.session.commit()
        for callback in g.pop("on_commit", ()):
            callback()
    else:
        db.session.rollback()
    return response


def on_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once the request's writes are committed (never, if they are rolled back)."""
    g.setdefault("on_commit", []).append(callback)


def committed(work: Callable[P, T]) -> Callable[P, T]:
    """A CLI command or a job as one transaction: committed when it returns, rolled back when it raises."""

    @functools.wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            outcome = work(*args, **kwargs)
        except SystemExit:
            # A command that ends with a status for its script (rows left out of an import) keeps what
            # it did: the status tells about the rows it refused, not about the ones it applied.
            db.session.commit()
            raise
        except BaseException:
            db.session.rollback()
            raise
        db.session.commit()
        return outcome

    return run


def transient(error: DBAPIError) -> bool:
    """Whether the database refused the transaction for a conflict that may pass, not for its content."""
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        return "locked" in str(original) or "busy" in str(original)
    return getattr(original, "sqlstate", None) in _RETRYABLE_STATES


def retried(work: Callable[[], T]) -> T:
    """Run ``work`` and commit; on a transient conflict roll back and run it again, up to ``ATTEMPTS``
    times, then raise ``StillBusy`` (the API answers 503 with ``Retry-After``)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            outcome = work()
            db.session.commit()
            return outcome
        except DBAPIError as error:
            db.session.rollback()
            if not transient(error):
                raise
            log.warning("transient database conflict, attempt %d of %d: %s", attempt, ATTEMPTS, error.orig)
            time.sleep(0.05 * attempt)
    raise StillBusy()
