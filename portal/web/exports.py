"""An admin's own board exports written in the background (``portal/boards/export_files.py``):
the list, which asks for itself every few seconds while one is being written (with JavaScript off, the
page's own link reloads it), and the downloads. The campaign admin page and the dashboard ask for them
(``start_board_export``)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from portal.boards.export_files import any_pending, export_file_for, exports_of, request_board_export
from portal.campaigns.rules import BoardKind
from portal.extensions import db
from portal.jobs import enqueue_board_export
from portal.models.campaign import Campaign
from portal.models.org import Organisation
from portal.transactions import on_commit
from portal.web.helpers import redirect_to, require_admin_scope, xlsx_file_response
from portal.web.htmx import render

bp = Blueprint("exports", __name__, url_prefix="/admin/exports")
bp.before_request(require_admin_scope)

# How often the list asks for itself while an export is being written.
LIST_POLL_SECONDS = 3


def start_board_export(campaign: Campaign, kind: BoardKind, within: Organisation | None = None):
    """Ask for the board's export, have it written, and show the admin their list (303)."""
    export = request_board_export(current_user, campaign, kind, within=within)
    app, export_id = current_app._get_current_object(), export.id
    on_commit(lambda: enqueue_board_export(app, export_id))  # the job reads the committed row
    flash(_("The export is being written. Download it here once it is ready."), "success")
    return redirect_to("exports.index")


@bp.get("/")
def index():
    """The admin's own exports, newest first."""
    entries = exports_of(current_user)
    pending = any_pending(entries)
    return render(
        "exports/index.html",
        block="export_list",
        entries=entries,
        pending=pending,
        poll_seconds=LIST_POLL_SECONDS,
    )


@bp.get("/<id:export_id>.xlsx")
def download(export_id: int):
    """A finished export's file, for the admin who asked for it (their scope still covering it)."""
    found = export_file_for(current_user, g.scope, export_id)
    if found is None:
        abort(404)
    export, path = found
    stamp = format_datetime(export.finished_at, "yyyyMMdd-HHmm")
    node = db.session.get(Organisation, export.within_id) if export.within_id is not None else None
    within = f"-{node.code}" if node is not None else ""  # named as the dashboard's exports at once
    return xlsx_file_response(path, f"ranking-{export.campaign_id}-{export.kind}{within}-{stamp}.xlsx")
