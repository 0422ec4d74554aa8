"""Background work: refreshing the ranking boards at the interval in each campaign's rules (rules §8), and
with them the admin dashboard's figures of the open days (``portal/dashboard/node_figures.py``); writing the
exports of boards too large for a page request (``portal/boards/export_files.py``).

Every web process runs a small ticker thread, started by its first request, that looks every
``BOARD_TICK_SECONDS`` for campaigns whose boards are due (``due_campaigns``). Then:
- **one machine, no Redis** (the default): the ticker refreshes them itself, in its thread;
- **with ``REDIS_URL``**: it enqueues one RQ job per campaign, and ``flask jobs worker`` runs them.
Each round also forgets the board exports older than ``BOARD_EXPORT_KEEP_DAYS`` (``run_tick``). An
export asked for on a page is an RQ job with Redis, and a thread of the web process without
(``enqueue_board_export``). Several processes may tick at once; the refresh's claim
(``board_snapshots._claim``) lets only one of them compute a campaign, the others return at once.
``flask campaign rank`` refreshes by hand.

RQ (python-rq) because it is the small, well-kept Redis queue for Python with nothing else to run: no
broker besides Redis, jobs are plain functions. The worker is RQ's ``SimpleWorker`` (no fork per job): a
refresh is a few SQL statements, and running it in the worker's own process keeps one app context and one
connection pool instead of inheriting pooled connections across a fork.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from portal.boards.export_files import forget_old_exports, run_board_export
from portal.boards.snapshots import refresh_boards
from portal.boards.tables import snapshot_emptied
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.rules import BoardKind
from portal.dashboard.node_figures import refresh_figures
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.board import Board
from portal.models.campaign import Campaign
from portal.transactions import committed

log = logging.getLogger(__name__)

QUEUE_NAME = "portal"
# Campaigns are looked after until this long after their end (the final boards freeze once the last day
# is settled); later refreshes are by hand only.
LOOK_AFTER_END = timedelta(days=7)


def due_campaigns(now: datetime) -> list[int]:
    """Published campaigns under way (or ended within a week) whose boards are not frozen and were last
    computed longer ago than their rules' ``ranking.refresh_minutes``, or came back empty from a database
    crash (running boards are unlogged: ``board_snapshots``)."""
    rows = db.session.execute(
        select(Campaign, Board.computed_at, Board.table_name, Board.row_count)
        .outerjoin(Board, (Board.campaign_id == Campaign.id) & (Board.kind == BoardKind.INDIVIDUAL))
        .where(
            Campaign.published_at.is_not(None),
            Campaign.start_day <= (now + timedelta(days=1)).date(),
            Campaign.end_day >= (now - LOOK_AFTER_END).date(),
            Board.frozen_at.is_(None),
        )
    ).all()
    due = []
    for campaign, computed_at, table_name, row_count in rows:
        interval = timedelta(minutes=campaign_rules(campaign).ranking.refresh_minutes)
        if (
            computed_at is None
            or computed_at <= now - interval
            or snapshot_emptied(table_name, row_count)  # a database crash: rebuild at this tick
        ):
            due.append(campaign.id)
    return due


def refresh_campaign_job(campaign_id: int) -> dict | None:
    """One campaign's refresh, as an RQ job or in the ticker. Returns the rows per board, or None."""
    try:
        return _refresh_campaign(campaign_id)
    finally:
        db.session.remove()


@committed
def _refresh_campaign(campaign_id: int) -> dict | None:
    """The boards (which commit in steps, ``boards.snapshots``), then the dashboard's figures of the open
    days, committed together at the end."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    result = refresh_boards(campaign)
    if result is None:
        return None
    refresh_figures(campaign)
    return result.rows


def redis_connection(app: Flask):
    from redis import Redis

    return Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=0.5, socket_timeout=2)


def redis_state(app: Flask) -> str:
    """ "ok", "unreachable" or "not configured": whether the configured Redis answers a PING now."""
    if not app.config.get("REDIS_URL"):
        return "not configured"
    try:
        redis_connection(app).ping()
    except Exception:  # redis-py's connection and timeout errors
        return "unreachable"
    return "ok"


def job_queue(app: Flask):
    from rq import Queue

    return Queue(QUEUE_NAME, connection=redis_connection(app))


def run_due_refreshes(app: Flask, now: datetime | None = None) -> list[int]:
    """Refresh (or enqueue) every due campaign; the ids handled."""
    due = due_campaigns(now or utcnow())
    db.session.remove()
    if app.config.get("REDIS_URL"):
        try:
            _enqueue_refreshes(app, due)
            return due
        except Exception as error:  # Redis down: the boards still refresh, here (one claim per board)
            log.warning("Redis unreachable, refreshing the boards in this process: %s", error)
    for campaign_id in due:
        try:
            refresh_campaign_job(campaign_id)
        except Exception:  # rolled back (``committed``); the next campaign still refreshes
            log.exception("refreshing the boards of campaign %s failed", campaign_id)
    return due


def _enqueue_refreshes(app: Flask, due: list[int]) -> None:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    queue = job_queue(app)
    for campaign_id in due:
        job_id = f"boards-{campaign_id}"
        try:
            waiting = Job.fetch(job_id, connection=queue.connection).get_status() in (
                JobStatus.QUEUED,
                JobStatus.STARTED,
            )
        except NoSuchJobError:
            waiting = False
        if not waiting:
            queue.enqueue(refresh_campaign_job, campaign_id, job_id=job_id, job_timeout=1800)


def run_tick(app: Flask) -> list[int]:
    """One round of the ticker (and of ``flask jobs tick``): the due refreshes, then the old exports
    forgotten. The ids of the campaigns due."""
    due = run_due_refreshes(app)
    forget_old_exports()
    return due


def board_export_job(export_id: int) -> str | None:
    """One board export, as an RQ job or in a thread: the status it ended in (None: not this job's)."""
    try:
        status = run_board_export(export_id)
    finally:
        db.session.remove()
    return str(status) if status is not None else None


def enqueue_board_export(app: Flask, export_id: int) -> threading.Thread | None:
    """Have the export written: an RQ job for ``flask jobs worker`` with ``REDIS_URL``, else a thread of
    this process (returned, for whoever wants to wait for it), unless ``BOARD_EXPORT_IN_PROCESS`` is off
    (the tests run the job themselves). Call it after the request is committed."""
    if app.config.get("REDIS_URL"):
        try:
            job_queue(app).enqueue(
                board_export_job, export_id, job_id=f"board-export-{export_id}", job_timeout=3600
            )
            return None
        except Exception as error:  # Redis down: written by this process instead
            log.warning("Redis unreachable, writing the export %s in this process: %s", export_id, error)
    if not app.config["BOARD_EXPORT_IN_PROCESS"]:
        return None
    thread = threading.Thread(
        target=_export_in_thread, args=(app, export_id), name=f"board-export-{export_id}", daemon=True
    )
    thread.start()
    return thread


def _export_in_thread(app: Flask, export_id: int) -> None:
    with app.app_context():
        try:
            board_export_job(export_id)
        except Exception:
            log.exception("the board export %s could not be written", export_id)


class _Ticker:
    """One ticker thread per process (a forked gunicorn worker starts its own)."""

    lock = threading.Lock()
    pid: int | None = None

    @classmethod
    def ensure(cls, app: Flask) -> None:
        if cls.pid == os.getpid():
            return
        with cls.lock:
            if cls.pid == os.getpid():
                return
            cls.pid = os.getpid()
            threading.Thread(target=cls.run, args=(app,), name="board-ticker", daemon=True).start()

    @staticmethod
    def run(app: Flask) -> None:
        stop = threading.Event()
        while not stop.wait(app.config["BOARD_TICK_SECONDS"]):
            with app.app_context():
                try:
                    run_tick(app)
                except Exception:
                    log.exception("the board ticker's round failed; it tries again next time")
                finally:
                    db.session.remove()


def start_board_ticker() -> None:
    """``before_request``: make sure this process ticks (cheap after the first call: one pid compare)."""
    _Ticker.ensure(current_app._get_current_object())
