"""Board exports written in the background: asked for, claimed by one job, written to a file
only their requester downloads while their scope covers it, failed cleanly, and forgotten after a week;
the job as a thread without Redis and as an RQ job with it."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.boards import export_files as board_export_files
from portal.boards.export_files import (
    export_dir,
    export_file_for,
    exports_of,
    forget_old_exports,
    request_board_export,
    run_board_export,
)
from portal.campaigns.rules import BoardKind
from portal.extensions import db
from portal.jobs import enqueue_board_export, job_queue, run_tick
from portal.models import AuditEntry, BoardExport, ExportStatus, UnionAdminRole
from portal.models.base import utcnow
from portal.orgs.scope import admin_scope
from tests.campaign_helpers import board_of_three
from tests.conftest import REDIS_URL


def sheet_rows(path) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(path.read_bytes()), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def test_an_export_is_written_to_a_file_only_its_requester_downloads(app, tree, make_user):
    campaign = board_of_three(tree, make_user)
    admin = make_user(admin_of=tree["js"])
    export = request_board_export(admin, campaign, BoardKind.INDIVIDUAL)
    db.session.commit()
    assert exports_of(admin)[0].state is ExportStatus.QUEUED
    assert run_board_export(export.id) is ExportStatus.DONE
    db.session.refresh(export)
    assert export.status is ExportStatus.DONE and export.row_count == 3 and export.byte_size > 0
    found = export_file_for(admin, admin_scope(admin), export.id)
    assert found is not None and found[1].parent == export_dir()
    rows = sheet_rows(found[1])
    assert rows[1][:3] == ("名次", "姓名", "手机号")  # the page export's workbook, in the default language
    assert [row[0] for row in rows[2:]] == [1, 2, 3]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "board.export"))
    assert audit.actor_id == admin.id and audit.after == {"board": "individual", "rows": 3}
    # Someone else, even an admin of the same union, gets nothing; nor the requester once out of scope.
    colleague = make_user(admin_of=tree["js"])
    assert export_file_for(colleague, admin_scope(colleague), export.id) is None
    db.session.execute(UnionAdminRole.__table__.delete().where(UnionAdminRole.user_id == admin.id))
    db.session.commit()
    assert export_file_for(admin, admin_scope(admin), export.id) is None


def test_the_dashboards_export_holds_only_its_nodes_rows_with_their_whole_board_rank(app, tree, make_user):
    campaign = board_of_three(tree, make_user)
    admin = make_user(admin_of=tree["nj"])
    export = request_board_export(admin, campaign, BoardKind.INDIVIDUAL, within=tree["nj"])
    db.session.commit()
    assert run_board_export(export.id) is ExportStatus.DONE
    _export, path = export_file_for(admin, admin_scope(admin), export.id)
    assert [row[0] for row in sheet_rows(path)[2:]] == [2]  # the city company's one member, second overall
    assert exports_of(admin)[0].within_name == "南京市总工会"


def test_a_second_click_gets_the_same_request_until_it_is_stale(app, tree, make_user):
    campaign = board_of_three(tree, make_user)
    admin = make_user(admin_of=tree["js"])
    first = request_board_export(admin, campaign, BoardKind.INDIVIDUAL)
    db.session.commit()
    assert request_board_export(admin, campaign, BoardKind.INDIVIDUAL).id == first.id
    assert request_board_export(admin, campaign, BoardKind.INDIVIDUAL, within=tree["nj"]).id != first.id
    first.requested_at = utcnow() - timedelta(minutes=app.config["BOARD_EXPORT_STALE_MINUTES"] + 1)
    db.session.commit()
    # Left queued by a process that died: shown as failed, and a new click asks anew.
    assert exports_of(admin)[-1].state is ExportStatus.FAILED
    assert request_board_export(admin, campaign, BoardKind.INDIVIDUAL).id != first.id


def test_only_one_job_writes_a_request(app, tree, make_user):
    campaign = board_of_three(tree, make_user)
    export = request_board_export(make_user(admin_of=tree["js"]), campaign, BoardKind.TEAM)
    db.session.commit()
    assert run_board_export(export.id) is ExportStatus.DONE
    assert run_board_export(export.id) is None  # claimed already: a retried job writes nothing
    assert len(list(export_dir().iterdir())) == 1


def test_a_failed_export_says_so_and_leaves_no_file(app, tree, make_user, monkeypatch):
    campaign = board_of_three(tree, make_user)
    admin = make_user(admin_of=tree["js"])
    export = request_board_export(admin, campaign, BoardKind.INDIVIDUAL)
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(board_export_files, "export_board", broken)
    assert run_board_export(export.id) is ExportStatus.FAILED
    assert exports_of(admin)[0].state is ExportStatus.FAILED
    assert export_file_for(admin, admin_scope(admin), export.id) is None
    assert not export_dir().exists() or list(export_dir().iterdir()) == []


def test_old_exports_and_files_no_request_names_are_forgotten(app, tree, make_user):
    campaign = board_of_three(tree, make_user)
    admin = make_user(admin_of=tree["js"])
    old = request_board_export(admin, campaign, BoardKind.INDIVIDUAL)
    db.session.commit()
    run_board_export(old.id)
    recent = request_board_export(admin, campaign, BoardKind.TEAM)
    db.session.commit()
    run_board_export(recent.id)
    db.session.refresh(old)
    old_file = export_dir() / old.file_name
    old.requested_at = utcnow() - timedelta(days=app.config["BOARD_EXPORT_KEEP_DAYS"], minutes=1)
    db.session.commit()
    orphan = export_dir() / "board-999-0123456789abcdef.xlsx"
    orphan.write_bytes(b"left by a deleted request")
    fresh_orphan = export_dir() / "board-998-0123456789abcdef.part"
    fresh_orphan.write_bytes(b"a job writing right now")
    hour_ago = time.time() - 2 * 3600
    for path in (old_file, orphan):
        os.utime(path, (hour_ago, hour_ago))
    assert forget_old_exports() == 1
    assert [entry.export.id for entry in exports_of(admin)] == [recent.id]
    assert not old_file.exists() and not orphan.exists()
    assert fresh_orphan.exists()  # too young to be anyone's leftover
    db.session.refresh(recent)
    assert (export_dir() / recent.file_name).exists()


def test_without_redis_a_thread_of_the_process_writes_it(app, tree, make_user, monkeypatch):
    monkeypatch.delitem(app.config, "REDIS_URL", raising=False)
    monkeypatch.setitem(app.config, "BOARD_EXPORT_IN_PROCESS", True)
    campaign = board_of_three(tree, make_user)
    admin = make_user(admin_of=tree["js"])
    export = request_board_export(admin, campaign, BoardKind.INDIVIDUAL)
    db.session.commit()
    thread = enqueue_board_export(app, export.id)
    thread.join(timeout=30)
    db.session.commit()  # the test's own read began before the thread wrote: read anew
    assert db.session.get(BoardExport, export.id).status is ExportStatus.DONE


def test_the_tick_forgets_old_exports(app, tree, make_user, monkeypatch):
    monkeypatch.delitem(app.config, "REDIS_URL", raising=False)
    campaign = board_of_three(tree, make_user)
    export = request_board_export(make_user(admin_of=tree["js"]), campaign, BoardKind.INDIVIDUAL)
    export.requested_at = utcnow() - timedelta(days=30)
    db.session.commit()
    run_tick(app)
    assert db.session.scalar(select(BoardExport.id)) is None


@pytest.mark.redis
def test_with_redis_the_export_is_a_job_for_the_worker(app, tree, make_user, monkeypatch):
    from rq import SimpleWorker

    campaign = board_of_three(tree, make_user)
    admin = make_user(admin_of=tree["js"])
    export_id = request_board_export(admin, campaign, BoardKind.INDIVIDUAL).id
    db.session.commit()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    queue = job_queue(app)
    try:
        queue.connection.flushdb()
        assert enqueue_board_export(app, export_id) is None
        assert queue.count == 1 and exports_of(admin)[0].state is ExportStatus.QUEUED
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        # The job ended the session the test's objects were in: read afresh.
        assert db.session.get(BoardExport, export_id).status is ExportStatus.DONE
    finally:
        queue.connection.flushdb()
