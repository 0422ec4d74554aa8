"""Snapshots of the ranking boards (rules §8): computed by a refresh into new tables and swapped in by one
UPDATE of the ``boards`` pointer rows, so readers never wait for a refresh and never see half of one.

A refresh of a campaign: claim it (a conditional UPDATE, so two workers never refresh one campaign at
once) → ``CREATE TABLE … AS`` the
individual board, index it → the team board from it, the unit board from it → point the ``boards`` rows
at the new tables → drop what is older than the previous tables (a reader that read the pointer just
before the swap still finds its table). The first refresh after the campaign's last day has closed and
been settled freezes the boards: they are never computed again.

A refresh is a background job and commits in steps, on purpose (the one exception to "services flush,
the request commits", ``portal.transactions``): the claim is committed so another worker sees it at once,
each table is committed before the pointers move to it, and each drop is a transaction of its own, so a
refresh never holds a lock its readers would wait on.

Snapshot tables are named ``board_snap_<k><campaign>_v<version>`` (k: i, t, u) and are not models; their
columns are described in ``board_tables`` (``snapshot_table``), which the pages read through.

On PostgreSQL the running boards are UNLOGGED tables: they are derived data rebuilt at every interval, so
writing them to the WAL (their 175 MB with indexes at a million participants, shipped to every replica)
buys nothing. The price: after a database crash they come back empty until they are rebuilt (the ticker
sees an emptied snapshot and refreshes at its next round, ``jobs.due_campaigns``), and a hot standby cannot
read them (boards are read from the primary). The final boards, frozen for good, are ordinary logged
tables.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    MetaData,
    Table,
    func,
    insert,
    inspect,
    select,
    table,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Executable, Select
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.expression import TableClause

from portal.boards.definitions import days_so_far, individual_board, team_board, unit_standings
from portal.boards.tables import COLUMNS, KIND_CODES, forget_pointers, snapshot_table, table_name
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at, local_today
from portal.campaigns.rules import BoardKind
from portal.campaigns.settled_totals import final_day_settled, totals_cutoff
from portal.database import insert_for
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.board import SNAPSHOT_TABLE_PREFIX, Board
from portal.models.campaign import Campaign

log = logging.getLogger(__name__)

# A claim older than this is taken over: the worker that made it has died.
REFRESH_LEASE = timedelta(minutes=15)

# What the board pages look up: the top by rank, one member's (or team's) row, and both within a scope.
# A city on the individual board is the units under its city union (``unit_id = ANY(…)`` on the unit
# index): the board carries no city, which spares its refresh a join and an index (docs/benchmarks.md).
INDEXES = {
    BoardKind.INDIVIDUAL: (("rank",), ("enrollment_id",), ("unit_id", "rank")),
    BoardKind.TEAM: (("rank",), ("team_id",), ("unit_id", "rank"), ("city_id", "rank")),
    BoardKind.UNIT: (),
}


class CreateTableAs(Executable, ClauseElement):
    """``CREATE [UNLOGGED] TABLE name AS <select>``, which SQLAlchemy has no construct for (its compiler
    docs' recipe). The select's few parameters (ids, the total cap) are rendered inline: DDL takes no bind
    parameters. ``unlogged`` applies on PostgreSQL only (the module's docstring says why)."""

    inherit_cache = False

    def __init__(self, name: str, query: Select, *, unlogged: bool = False) -> None:
        self.name = name
        self.query = query
        self.unlogged = unlogged


@compiles(CreateTableAs)
def _compile_create_table_as(element: CreateTableAs, compiler, **kw) -> str:
    query = compiler.process(element.query, literal_binds=True, **kw)
    unlogged = "UNLOGGED " if element.unlogged and compiler.dialect.name == "postgresql" else ""
    return f"CREATE {unlogged}TABLE {compiler.preparer.quote(element.name)} AS {query}"


def board_kinds(campaign: Campaign) -> tuple[BoardKind, ...]:
    """The boards a refresh computes: the rules' boards, and the individual board always (the others are
    computed from it)."""
    kinds = campaign_rules(campaign).ranking.kinds
    return (BoardKind.INDIVIDUAL, *(kind for kind in kinds if kind is not BoardKind.INDIVIDUAL))


@dataclass(frozen=True)
class RefreshResult:
    computed_at: datetime
    rows: dict[str, int]
    frozen: bool


def refresh_boards(campaign: Campaign, *, now: datetime | None = None) -> RefreshResult | None:
    """Recompute and swap in the campaign's boards. None when another worker holds the campaign or its
    boards are frozen. Commits: each step is its own transaction, so readers are never held up."""
    now = now or utcnow()
    # On SQLite a transaction that reads first and writes later fails at once if another connection wrote
    # in between (its read snapshot cannot become a write); so everything needed is read here, and every
    # writing transaction below begins with its write.
    campaign_id, kinds = campaign.id, board_kinds(campaign)
    days = days_so_far(campaign, local_today(now, campaign.timezone))
    db.session.commit()
    _ensure_board_rows(campaign_id, kinds)
    if not _claim(campaign_id, now):
        return None
    try:
        current = dict(
            db.session.execute(
                select(Board.kind, Board.table_name).where(Board.campaign_id == campaign_id)
            ).all()
        )
        version = 1 + db.session.scalar(
            select(Board.version).where(Board.campaign_id == campaign_id, Board.kind == BoardKind.INDIVIDUAL)
        )
        frozen = campaign_closed(campaign, now)
        db.session.commit()
        names = {kind: table_name(kind, campaign_id, version) for kind in kinds}
        unlogged = not frozen  # the final boards must survive a crash (see the module's docstring)
        counts = {
            BoardKind.INDIVIDUAL: _build_individual(campaign, names[BoardKind.INDIVIDUAL], unlogged=unlogged)
        }
        individual = snapshot_table(BoardKind.INDIVIDUAL, names[BoardKind.INDIVIDUAL])
        if BoardKind.TEAM in kinds:
            counts[BoardKind.TEAM] = _build_team(
                campaign, names[BoardKind.TEAM], individual, unlogged=unlogged
            )
        if BoardKind.UNIT in kinds:
            counts[BoardKind.UNIT] = _build_unit(
                campaign, names[BoardKind.UNIT], individual, days, unlogged=unlogged
            )
        for kind in kinds:
            db.session.execute(
                update(Board)
                .where(Board.campaign_id == campaign_id, Board.kind == kind)
                .values(
                    version=version,
                    table_name=names[kind],
                    previous_table=current.get(str(kind)),
                    row_count=counts[kind],
                    computed_at=now,
                    days_so_far=days,
                    frozen_at=now if frozen else None,
                    refreshing_since=None,
                )
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _release(campaign_id)
        raise
    forget_pointers(campaign_id)
    drop_stale_snapshots(campaign)
    return RefreshResult(
        computed_at=now, rows={str(kind): count for kind, count in counts.items()}, frozen=frozen
    )


def campaign_closed(campaign: Campaign, now: datetime) -> bool:
    """The last day has closed (local midnight plus the grace period) and was settled after that: nothing
    can change the boards any more, so the next refresh is the final one."""
    closes = day_closes_at(campaign.end_day, campaign_rules(campaign), campaign.timezone)
    return final_day_settled(campaign.id, campaign.end_day, closes, now)


def _build_individual(campaign: Campaign, name: str, *, unlogged: bool) -> int:
    """The individual board: the closed days' totals and the records after their cutoff, both from one
    snapshot (``settled_totals``, rule 3). On PostgreSQL the cutoff is read first, in a REPEATABLE READ
    transaction of its own, and written into the statement, so the planner sees how few days are left;
    on SQLite the statement reads it itself (one statement is one snapshot)."""
    _drop_if_left(name)
    through_day = None
    if db.engine.dialect.name == "postgresql":
        db.session.commit()
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        through_day = totals_cutoff(campaign)
    created = db.session.execute(
        CreateTableAs(name, individual_board(campaign, through_day), unlogged=unlogged)
    )
    _index(BoardKind.INDIVIDUAL, name)
    rows = _rows_written(created, name)
    db.session.commit()  # the next boards read the table, not the records: no need for the snapshot
    return rows


def _build_team(campaign: Campaign, name: str, individual: TableClause, *, unlogged: bool) -> int:
    _drop_if_left(name)
    created = db.session.execute(CreateTableAs(name, team_board(campaign, individual), unlogged=unlogged))
    _index(BoardKind.TEAM, name)
    return _rows_written(created, name)


def _build_unit(campaign: Campaign, name: str, individual: TableClause, days: int, *, unlogged: bool) -> int:
    """The unit board from the individual snapshot (``unit_standings``), written as a table."""
    postgresql = db.engine.dialect.name == "postgresql"
    target = Table(
        name,
        MetaData(),
        *(Column(column_name, type_()) for column_name, type_ in COLUMNS[BoardKind.UNIT]),
        prefixes=["UNLOGGED"] if unlogged and postgresql else [],
    )
    _drop_if_left(name)
    target.create(db.session.connection())
    rows = [
        {
            "rank": rank,
            "kind": entry.kind,
            "unit_id": entry.unit_id,
            "members": entry.members,
            "active_members": entry.active_members,
            "qualified_days": entry.qualified_days,
        }
        for rank, entry in unit_standings(campaign, individual, days)
    ]
    if rows:
        db.session.execute(insert(target), rows)
    return len(rows)


def _drop_if_left(name: str) -> None:
    """A refresh that died after building a table but before the swap left it under the same name."""
    db.session.execute(text(f"DROP TABLE IF EXISTS {name}"))


def _index(kind: BoardKind, name: str) -> None:
    for columns in INDEXES[kind]:
        index = f"{name}_{'_'.join(columns)}"
        db.session.execute(text(f"CREATE INDEX {index} ON {name} ({', '.join(columns)})"))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"ANALYZE {name}"))


def _rows_written(created, name: str) -> int:
    """The rows ``CREATE TABLE … AS`` wrote: PostgreSQL reports them; SQLite does not, so count them."""
    if created.rowcount >= 0:
        return created.rowcount
    return int(db.session.scalar(select(func.count()).select_from(table(name))))


def _ensure_board_rows(campaign_id: int, kinds: tuple[BoardKind, ...]) -> None:
    statement = insert_for(db.engine.dialect.name, Board).on_conflict_do_nothing(
        index_elements=["campaign_id", "kind"]
    )
    db.session.execute(statement, [{"campaign_id": campaign_id, "kind": str(kind)} for kind in kinds])
    db.session.commit()


def _claim(campaign_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(Board)
        .where(
            Board.campaign_id == campaign_id,
            Board.kind == BoardKind.INDIVIDUAL,
            Board.frozen_at.is_(None),
            (Board.refreshing_since.is_(None)) | (Board.refreshing_since < now - REFRESH_LEASE),
        )
        .values(refreshing_since=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _release(campaign_id: int) -> None:
    db.session.execute(
        update(Board)
        .where(Board.campaign_id == campaign_id)
        .values(refreshing_since=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def drop_stale_snapshots(campaign: Campaign) -> list[str]:
    """Drop the campaign's snapshot tables that no pointer names any more (older than the previous ones,
    or left by a refresh that died halfway). A table a slow reader still holds is left for the next time."""
    campaign_id = campaign.id
    kept = set()
    for current, previous in db.session.execute(
        select(Board.table_name, Board.previous_table).where(Board.campaign_id == campaign_id)
    ):
        kept |= {current, previous}
    db.session.commit()  # each drop below is a transaction of its own that begins with it
    prefixes = tuple(f"{SNAPSHOT_TABLE_PREFIX}{code}{campaign_id}_" for code in KIND_CODES.values())
    dropped = []
    for name in inspect(db.engine).get_table_names():
        if not name.startswith(prefixes) or name in kept:
            continue
        try:
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("SET LOCAL lock_timeout = '5s'"))
            db.session.execute(text(f"DROP TABLE IF EXISTS {name}"))
            db.session.commit()
            dropped.append(name)
        except DBAPIError:
            db.session.rollback()
            log.warning("snapshot table %s is still in use; it will be dropped at the next refresh", name)
    return dropped
