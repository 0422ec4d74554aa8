"""Excel exports of the ranking boards for union admins: every row of a board as the page shows
it, with the real names and phone numbers the admins need to hand out prizes, and an audit entry.

openpyxl's write-only workbook streams rows to a temporary file, so a board of a million rows needs no
more memory than one batch of rows; the rows are read from the database in batches (``yield_per``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select, true

from portal.boards.errors import BoardTooLargeToExport
from portal.boards.reading import BoardView, board_source, read_board
from portal.boards.rows import TeamRow, individual_query, team_query, team_row
from portal.campaigns.rules import BoardKind
from portal.common.audit import record_audit
from portal.common.spreadsheets import new_workbook, percent_cell, saved_workbook
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.board import Board
from portal.models.campaign import Campaign
from portal.models.identity import User
from portal.models.org import Organisation
from portal.orgs.tree import subtree_clause

BATCH = 5000


def boards_too_large(campaign: Campaign, limit: int) -> dict[str, int]:
    """The campaign's boards with more than ``limit`` rows at their last refresh (by kind: their rows):
    the pages offer to export those in the background instead of at once."""
    rows = db.session.execute(
        select(Board.kind, Board.row_count).where(Board.campaign_id == campaign.id, Board.row_count > limit)
    )
    return {kind: count for kind, count in rows}


def check_exportable(campaign: Campaign, kind: BoardKind, limit: int) -> None:
    """Refuse a board too large to write within one page request (``BOARD_EXPORT_MAX_ROWS``)."""
    rows = boards_too_large(campaign, limit).get(str(kind))
    if rows is not None:
        raise BoardTooLargeToExport(rows, limit)


def _headers(kind: BoardKind) -> list[str]:
    if kind is BoardKind.INDIVIDUAL:
        return [
            _("Rank"),
            _("Name"),
            _("Phone"),
            _("Member's unit"),
            _("Qualified days"),
            _("Check-in days"),
            _("Counted steps"),
            _("Last synced"),
        ]
    if kind is BoardKind.TEAM:
        return [
            _("Rank"),
            _("Team"),
            _("Member's unit"),
            _("Members"),
            _("Team-qualified days"),
            _("Qualification rate"),
            _("Counted steps"),
            _("Steps per member"),
        ]
    return [
        _("Group"),
        _("Rank in group"),
        _("Union"),
        _("Enrolled members"),
        _("Members with a record"),
        _("Participation rate"),
        _("Qualification rate"),
        _("Score"),
    ]


def _cells(kind: BoardKind, row, sheet) -> list:
    from portal.labels import label
    from portal.models.org import OrgKind

    if kind is BoardKind.INDIVIDUAL:
        last = format_datetime(row.last_synced_at, "yyyy-MM-dd HH:mm") if row.last_synced_at else ""
        return [
            row.rank,
            row.real_name,
            row.phone,
            row.unit,
            row.qualified_days,
            row.checkin_days,
            row.steps,
            last,
        ]
    if kind is BoardKind.TEAM:
        return [
            row.rank,
            row.team,
            row.unit,
            row.members,
            row.qualified_days,
            percent_cell(sheet, row.qualification_rate),
            row.counted_steps,
            row.steps_per_member,
        ]
    return [
        label(OrgKind(row.group)),
        row.rank,
        row.unit,
        row.members,
        row.active_members,
        percent_cell(sheet, row.participation_rate),
        percent_cell(sheet, row.qualification_rate),
        percent_cell(sheet, row.score),
    ]


@dataclass(frozen=True)
class BoardWorkbook:
    """An export written: the .xlsx in a temporary file (rewound; whoever reads it closes it), the board's
    view (for "as of" in the file name) and the number of rows."""

    handle: IO[bytes]
    view: BoardView
    rows: int


def export_board(
    actor: User | None,
    campaign: Campaign,
    kind: BoardKind,
    *,
    within: Organisation | None = None,
    now: datetime | None = None,
) -> BoardWorkbook:
    """The board as an .xlsx. ``within``: only the rows of units in that node's subtree (an admin below
    the campaign's union), each with its rank on the whole board. The caller commits (the audit entry)."""
    head: BoardView = read_board(campaign, kind, limit=1, now=now)
    as_of = format_datetime(head.updated_at, "yyyy-MM-dd HH:mm") if head.updated_at else "-"
    workbook, sheet = new_workbook(
        str(_("Ranking")),
        [campaign.title, str(_("As of %(time)s", time=as_of))],
        [str(header) for header in _headers(kind)],
    )
    count = 0
    for row in _all_rows(campaign, kind, now, within):
        sheet.append(_cells(kind, row, sheet))
        count += 1
    record_audit(
        actor,
        "board.export",
        subject_type="campaign",
        subject_id=campaign.id,
        organisation_id=campaign.organisation_id,
        after={"board": str(kind), "rows": count, **({"within": within.id} if within else {})},
    )
    return BoardWorkbook(saved_workbook(workbook), head, count)


@dataclass(frozen=True)
class MemberEntry:
    """A row of the individual board with the member's real name, for admins' exports only."""

    rank: int
    real_name: str | None
    phone: str
    unit: str
    qualified_days: int
    checkin_days: int
    steps: int
    last_synced_at: datetime | None


def board_rows(
    campaign: Campaign,
    kind: BoardKind,
    *,
    batch: int,
    now: datetime | None = None,
    within: Organisation | None = None,
) -> Iterator[MemberEntry | TeamRow]:
    """Every row of the individual or team board (of units in ``within``'s subtree), best first, read in
    batches (exports)."""
    source = board_source(campaign, now or utcnow())
    inside = subtree_clause(within.path) if within is not None else true()  # the unit's path
    if kind is BoardKind.INDIVIDUAL and source.individual is not None:
        board = source.individual
        query = individual_query(board).where(inside).order_by(board.c.rank, board.c.enrollment_id)
        for values in db.session.execute(query.execution_options(yield_per=batch)):
            rank, _id, real_name, _hidden, phone, unit, qualified, checked, steps, last = values[:10]
            yield MemberEntry(
                int(rank), real_name, phone, unit, int(qualified), int(checked), int(steps), last
            )
    elif kind is BoardKind.TEAM and source.team is not None:
        board = source.team
        query = team_query(board).where(inside).order_by(board.c.rank, board.c.team_id)
        for values in db.session.execute(query.execution_options(yield_per=batch)):
            yield team_row(values, int(values[0]), source.days)


def _all_rows(
    campaign: Campaign, kind: BoardKind, now: datetime | None, within: Organisation | None
) -> Iterator:
    if kind is BoardKind.UNIT:
        rows = read_board(campaign, kind, limit=100_000, now=now).rows
        if within is not None:
            inside = set(
                db.session.scalars(
                    select(Organisation.id).where(
                        Organisation.id.in_([row.unit_id for row in rows]), subtree_clause(within.path)
                    )
                )
            )
            rows = [row for row in rows if row.unit_id in inside]
        yield from rows
        return
    yield from board_rows(campaign, kind, batch=BATCH, now=now, within=within)
