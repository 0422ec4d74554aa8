"""Where a campaign's ranking boards are, for reading them: the snapshot tables' names and columns, the
pointers of the last refresh (kept a few seconds per process), and the per-process caches of the board
pages. ``board_snapshots`` writes the tables; ``boards`` reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import Integer, String, column, func, literal, select, table
from sqlalchemy.sql import FromClause
from sqlalchemy.sql.expression import TableClause

from portal.campaigns.rules import BoardKind
from portal.extensions import db
from portal.models.base import UTCDateTime
from portal.models.board import SNAPSHOT_TABLE_PREFIX, Board
from portal.models.campaign import Enrollment

KIND_CODES = {BoardKind.INDIVIDUAL: "i", BoardKind.TEAM: "t", BoardKind.UNIT: "u"}
COLUMNS = {
    BoardKind.INDIVIDUAL: (
        ("rank", Integer),
        ("enrollment_id", Integer),
        ("user_id", Integer),
        ("unit_id", Integer),
        ("team_id", Integer),
        ("qualified_days", Integer),
        ("checkin_days", Integer),
        ("steps", Integer),
        ("last_synced_at", UTCDateTime),
        ("active", Integer),
    ),
    BoardKind.TEAM: (
        ("rank", Integer),
        ("team_id", Integer),
        ("unit_id", Integer),
        ("city_id", Integer),
        ("members", Integer),
        ("qualified_days", Integer),
        ("steps", Integer),
    ),
    BoardKind.UNIT: (
        ("rank", Integer),
        ("kind", String),
        ("unit_id", Integer),
        ("members", Integer),
        ("active_members", Integer),
        ("qualified_days", Integer),
    ),
}


def snapshot_table(kind: BoardKind, name: str) -> TableClause:
    return table(name, *(column(column_name, type_()) for column_name, type_ in COLUMNS[kind]))


def table_name(kind: BoardKind, campaign_id: int, version: int) -> str:
    return f"{SNAPSHOT_TABLE_PREFIX}{KIND_CODES[kind]}{campaign_id}_v{version}"


@dataclass(frozen=True)
class Snapshot:
    """The campaign's boards as its ``boards`` rows name them at the last refresh."""

    tables: dict[BoardKind, FromClause]
    computed_at: datetime
    frozen_at: datetime | None
    days_so_far: int
    row_count: int  # of the individual board


_UNREAD = object()


def current_snapshot(campaign_id: int) -> Snapshot | None:
    """The snapshot the campaign's ``boards`` rows name (None before the first refresh has finished),
    kept per process for ``BOARD_POINTER_CACHE_SECONDS``: every panel refresh of every member asks for it.
    A refresh forgets it in its own process (``forget_pointers``); other processes read the new tables
    within those seconds, and the previous tables live until the next refresh, so a reader a few seconds
    late still finds the tables it was pointed at."""
    cache = _pointer_cache()
    found = cache.get(campaign_id, _UNREAD)
    if found is not _UNREAD:
        return found
    boards = {
        board.kind: board
        for board in db.session.scalars(select(Board).where(Board.campaign_id == campaign_id))
    }
    board = boards.get(BoardKind.INDIVIDUAL)
    snapshot = None
    if board is not None and board.table_name:
        snapshot = Snapshot(
            tables={
                BoardKind(kind): snapshot_table(BoardKind(kind), named.table_name)
                for kind, named in boards.items()
                if named.table_name
            },
            computed_at=board.computed_at,
            frozen_at=board.frozen_at,
            days_so_far=board.days_so_far,
            row_count=board.row_count,
        )
    cache[campaign_id] = snapshot
    return snapshot


def snapshot_emptied(name: str | None, row_count: int | None) -> bool:
    """The snapshot had rows when it was written and has none now: what PostgreSQL does to an unlogged
    table after a crash. One row read at most."""
    if not name or not row_count:
        return False
    return db.session.scalar(select(literal(1)).select_from(table(name)).limit(1)) is None


def is_live(campaign_id: int, snapshot: Snapshot | None) -> bool:
    """Whether the campaign's boards are computed on the fly: at most ``BOARD_LIVE_MAX_PARTICIPANTS``
    enrolled (read off the snapshot once there is one), and not frozen."""
    limit = current_app.config["BOARD_LIVE_MAX_PARTICIPANTS"]
    if snapshot is not None:
        return snapshot.frozen_at is None and snapshot.row_count <= limit
    return _participants_up_to(campaign_id, limit + 1) <= limit


def forget_pointers(campaign_id: int) -> None:
    """After a refresh: this process reads the new snapshot at once."""
    _pointer_cache().pop(campaign_id, None)


def _pointer_cache() -> TTLCache:
    return board_cache("pointers", ttl_setting="BOARD_POINTER_CACHE_SECONDS")


def _participants_up_to(campaign_id: int, cap: int) -> int:
    """How many are enrolled, counting no further than ``cap`` (a bounded index scan at any size)."""
    first = select(Enrollment.id).where(Enrollment.campaign_id == campaign_id).limit(cap).subquery()
    return int(db.session.scalar(select(func.count()).select_from(first)))


def _characters(kept) -> int:
    """A kept panel's weight (``views/panel_tags.KeptFrame``): its characters."""
    return len(kept.html)


# Each cache's budget (a setting) and how an entry is weighed against it: pages of rows by their rows,
# panels by their characters, pointers one by one.
_BUDGETS = {
    "rows": ("BOARD_ROWS_CACHE_ROWS", len),
    "html": ("BOARD_PANEL_CACHE_CHARACTERS", _characters),
    "pointers": (None, None),
}


class _BudgetCache(TTLCache):
    """A TTL cache that drops its least recently used entries to stay within its budget, and keeps
    nothing larger than the whole budget (cachetools would refuse it with an error)."""

    def __setitem__(self, key, value, *args) -> None:
        if self.getsizeof(value) <= self.maxsize:
            super().__setitem__(key, value, *args)


def board_cache(name: str, *, ttl_setting: str = "BOARD_ROWS_CACHE_SECONDS") -> TTLCache:
    """A per-process cache of pages of snapshot rows (``rows``) or the board panel rendered around them
    (``html``, ``portal.web.boards.assemble_panel``), kept ``BOARD_ROWS_CACHE_SECONDS`` and within their
    budget (``BOARD_ROWS_CACHE_ROWS``, ``BOARD_PANEL_CACHE_CHARACTERS``): every member's partial asks for the
    same top 50. Keyed by the snapshot's table (``BoardView.rows_key``), so a new refresh is read at once.
    Also the snapshot pointers (``pointers``, ``current_snapshot``, 512 campaigns)."""
    caches = current_app.extensions.setdefault("board_rows", {})
    cache = caches.get(name)
    if cache is None:
        budget_setting, weigh = _BUDGETS[name]
        budget = current_app.config[budget_setting] if budget_setting else 512
        cache = caches[name] = _BudgetCache(
            maxsize=budget, ttl=current_app.config[ttl_setting], getsizeof=weigh
        )
    return cache
