"""Board exports too large for a page request, written by a background job into a file that
their requester downloads later.

A page request has gunicorn's 30 s, and openpyxl writes about 8,500 rows a second here: boards over
``BOARD_EXPORT_MAX_ROWS`` are exported this way. The admin asks (``request_board_export``); the job
(``portal/jobs.py``: an RQ job with Redis, a thread of the web process without) claims the request,
writes the same workbook as the page's export (``board_export.export_board``, audited the same way)
under ``EXPORT_DIR`` and marks it done; the admin's list of exports shows it and offers the download.

Only the requester downloads their file, and only while their admin scope still covers what it holds
(the campaign's union, or the dashboard's node): it carries real names and phone numbers. Requests and
files are forgotten ``BOARD_EXPORT_KEEP_DAYS`` after they were made (the ticker's round), and a request
that a dead process left queued or running is shown as failed after ``BOARD_EXPORT_STALE_MINUTES``.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select, update

from portal.boards.export import export_board
from portal.campaigns.rules import BoardKind
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.board import BoardExport, ExportStatus
from portal.models.campaign import Campaign
from portal.models.identity import User
from portal.models.org import Organisation
from portal.orgs.scope import AdminScope

log = logging.getLogger(__name__)

FILE_NAME = re.compile(r"board-\d+-[0-9a-f]{16}\.xlsx")
PENDING = (ExportStatus.QUEUED, ExportStatus.RUNNING)
# A file in the folder that no request names is removed once it is this old (a request deleted with its
# campaign or its requester; a job that wrote its file and died before it could say so).
ORPHAN_AGE = timedelta(hours=1)


def export_dir() -> Path:
    """Where the files are written: ``EXPORT_DIR``, or instance/exports. Every host of a deployment (the
    web processes and the job workers) must see the same folder."""
    return Path(current_app.config.get("EXPORT_DIR") or Path(current_app.instance_path) / "exports")


@dataclass(frozen=True)
class ExportEntry:
    """A request as the admin's list shows it."""

    export: BoardExport
    campaign_title: str
    within_name: str | None
    state: ExportStatus  # a pending request left by a dead process reads as failed

    @property
    def downloadable(self) -> bool:
        return self.state is ExportStatus.DONE


def request_board_export(
    actor: User, campaign: Campaign, kind: BoardKind, *, within: Organisation | None = None
) -> BoardExport:
    """Ask for a board's export (of ``within``'s subtree, or the whole board). The same request still
    pending (a second click) is returned instead of a new one. The job is enqueued once the request
    is committed (``portal.transactions.on_commit``, ``jobs.enqueue_board_export``)."""
    now = utcnow()
    pending = db.session.scalars(
        select(BoardExport)
        .where(
            BoardExport.requested_by_id == actor.id,
            BoardExport.campaign_id == campaign.id,
            BoardExport.kind == str(kind),
            BoardExport.within_id == within.id if within is not None else BoardExport.within_id.is_(None),
            BoardExport.status.in_(PENDING),
        )
        .order_by(BoardExport.id.desc())
    ).first()
    if pending is not None and state_of(pending, now) in PENDING:
        return pending
    export = BoardExport(
        campaign_id=campaign.id,
        kind=str(kind),
        within_id=within.id if within is not None else None,
        requested_by_id=actor.id,
        requested_at=now,
    )
    db.session.add(export)
    db.session.flush()
    return export


def run_board_export(export_id: int) -> ExportStatus | None:
    """The job: claim the request (only one job ever writes it), write the workbook to its file and mark
    it done, or failed if anything raised. A background job: it commits the claim, then the outcome
    (the claim must be seen by other workers while the file is written). Returns the status it ended
    in, or None when another job had claimed it (or it is gone)."""
    claimed = db.session.execute(
        update(BoardExport)
        .where(BoardExport.id == export_id, BoardExport.status == ExportStatus.QUEUED)
        .values(status=ExportStatus.RUNNING, started_at=utcnow())
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    path: Path | None = None
    try:
        export = db.session.get(BoardExport, export_id)
        campaign = db.session.get(Campaign, export.campaign_id)
        actor = db.session.get(User, export.requested_by_id)
        within = db.session.get(Organisation, export.within_id) if export.within_id is not None else None
        written = export_board(actor, campaign, BoardKind(export.kind), within=within)
        path = export_dir() / f"board-{export.id}-{secrets.token_hex(8)}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with written.handle as source, partial.open("wb") as target:
            shutil.copyfileobj(source, target, 1024 * 1024)
        partial.replace(path)  # never half a file under the name a request gives
        export.status = ExportStatus.DONE
        export.finished_at = utcnow()
        export.row_count = written.rows
        export.byte_size = path.stat().st_size
        export.file_name = path.name
        db.session.commit()
        return ExportStatus.DONE
    except Exception:
        log.exception("the export %s failed", export_id)
        db.session.rollback()
        if path is not None:
            path.unlink(missing_ok=True)
            path.with_suffix(".part").unlink(missing_ok=True)
        db.session.execute(
            update(BoardExport)
            .where(BoardExport.id == export_id)
            .values(status=ExportStatus.FAILED, finished_at=utcnow())
        )
        db.session.commit()
        return ExportStatus.FAILED


def state_of(export: BoardExport, now: datetime) -> ExportStatus:
    """The request's status, where one still pending long after it was asked for (its process died: a
    restarted web process takes its threads with it) reads as failed: the admin asks again."""
    stale = timedelta(minutes=current_app.config["BOARD_EXPORT_STALE_MINUTES"])
    if export.status in PENDING and (export.started_at or export.requested_at) < now - stale:
        return ExportStatus.FAILED
    return export.status


def exports_of(user: User, *, limit: int = 30) -> list[ExportEntry]:
    """The user's own requests, newest first, with what the list names them by."""
    now = utcnow()
    rows = db.session.execute(
        select(BoardExport, Campaign.title, Organisation.name)
        .join(Campaign, Campaign.id == BoardExport.campaign_id)
        .outerjoin(Organisation, Organisation.id == BoardExport.within_id)
        .where(BoardExport.requested_by_id == user.id)
        .order_by(BoardExport.requested_at.desc(), BoardExport.id.desc())
        .limit(limit)
    ).all()
    return [ExportEntry(export, title, name, state_of(export, now)) for export, title, name in rows]


def any_pending(entries: list[ExportEntry]) -> bool:
    return any(entry.state in PENDING for entry in entries)


def export_file_for(user: User, scope: AdminScope, export_id: int) -> tuple[BoardExport, Path] | None:
    """The file of the user's own finished request, while their scope still covers what it holds; None
    for anything else (someone else's, not done, forgotten, a scope since taken away)."""
    export = db.session.get(BoardExport, export_id)
    if export is None or export.requested_by_id != user.id or export.status is not ExportStatus.DONE:
        return None
    covered = db.session.get(Organisation, export.within_id) if export.within_id is not None else None
    if covered is None:
        covered = db.session.get(Campaign, export.campaign_id).organisation
    if not scope.contains(covered) or not export.file_name or not FILE_NAME.fullmatch(export.file_name):
        return None
    path = export_dir() / export.file_name
    return (export, path) if path.is_file() else None


def forget_old_exports(now: datetime | None = None) -> int:
    """Delete the requests made more than ``BOARD_EXPORT_KEEP_DAYS`` ago with their files, and files no
    request names any more. Commits; returns how many requests went."""
    now = now or utcnow()
    before = now - timedelta(days=current_app.config["BOARD_EXPORT_KEEP_DAYS"])
    old = list(db.session.scalars(select(BoardExport.id).where(BoardExport.requested_at < before)))
    if old:  # most rounds delete nothing: they write nothing either (every process ticks every 30 s)
        db.session.execute(delete(BoardExport).where(BoardExport.id.in_(old)))
        db.session.commit()
    gone = len(old)
    folder = export_dir()
    if not folder.is_dir():
        return gone
    named = set(db.session.scalars(select(BoardExport.file_name).where(BoardExport.file_name.is_not(None))))
    for path in folder.iterdir():
        written_at = datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo)
        if path.name in named or written_at > now - ORPHAN_AGE:
            continue
        if FILE_NAME.fullmatch(path.name) or (path.suffix == ".part" and path.name.startswith("board-")):
            path.unlink(missing_ok=True)  # the files of the requests just deleted are among these
    return gone
