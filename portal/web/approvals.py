"""The admins' approval queue: filters, search, inline approve/reject (htmx), bulk approval and the
Excel export of what the filters match."""

from __future__ import annotations

from flask import Blueprint, flash, g, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from portal.common.errors import DomainError
from portal.dashboard.exports import export_applications
from portal.membership.applications import approve_application, reject_application
from portal.membership.approval_queue import (
    QueueFilters,
    application_in_scope,
    bulk_approve,
    list_queue,
)
from portal.models.base import utcnow
from portal.models.membership import ApplicationKind, ApplicationStatus
from portal.web.forms.membership import RejectForm
from portal.web.helpers import day_arg, page_arg, redirect_next, refused, require_admin_scope, xlsx_response
from portal.web.htmx import asks_for_block, render

bp = Blueprint("approvals", __name__, url_prefix="/admin/applications")
bp.before_request(require_admin_scope)
PAGE_SIZE = 50


def _enum_arg(enum_cls, name: str, default=None):
    value = request.args.get(name, "")
    if value == "all":
        return None
    try:
        return enum_cls(value) if value else default
    except ValueError:
        return default


def _filters() -> QueueFilters:
    return QueueFilters(
        status=_enum_arg(ApplicationStatus, "status", ApplicationStatus.PENDING),
        kind=_enum_arg(ApplicationKind, "kind"),
        union=request.args.get("union", "").strip()[:50],
        submitted_from=day_arg("from"),
        submitted_to=day_arg("to"),
        query=request.args.get("q", "").strip()[:50],
    )


@bp.get("/")
def queue():
    """Applications to the unions in scope, oldest first."""
    page = page_arg()
    filters = _filters()
    rows, total = list_queue(g.scope, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        "approvals/queue.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        filters=filters,
        models_status=list(ApplicationStatus),
        models_kind=list(ApplicationKind),
    )


@bp.get("/export.xlsx")
def export():
    """The applications matching the queue's filters, every one in scope, as an Excel workbook (audited)."""
    handle = export_applications(current_user, g.scope, _filters())
    return xlsx_response(handle, f"applications-{format_datetime(utcnow(), 'yyyyMMdd-HHmm')}.xlsx")


def _answer(application, error: str | None = None):
    """htmx aiming at the row gets the decided row in place; anything else (a plain form, an htmx request
    without the row as its target) goes back to the queue it came from, with the outcome flashed."""
    if asks_for_block("application"):
        return render(
            "approvals/queue.html",
            block="application",
            application=application,
            row_error=error,
        )
    if error:
        flash(error, "error")
    return redirect_next(request.form.get("next"), "approvals.queue")


@bp.post("/<id:application_id>/approve")
def approve(application_id: int):
    """Approve one application."""
    application = application_in_scope(g.scope, application_id)
    try:
        approve_application(current_user, application)
    except DomainError as error:
        return _answer(application, refused(error))
    if not asks_for_block("application"):
        flash(
            _(
                "Approved: %(name)s joins %(union)s.",
                name=application.user.real_name,
                union=application.target_org.name,
            ),
            "success",
        )
    return _answer(application)


@bp.post("/<id:application_id>/reject")
def reject(application_id: int):
    """Reject one application; the reason is required and shown to the member."""
    application = application_in_scope(g.scope, application_id)
    form = RejectForm()
    try:
        if not form.validate_on_submit():
            raise DomainError(_("The page expired. Reload it and try again."))
        reject_application(current_user, application, form.reason.data)
    except DomainError as error:
        return _answer(application, refused(error))
    if not asks_for_block("application"):
        flash(_("Rejected: %(name)s.", name=application.user.real_name), "success")
    return _answer(application)


@bp.post("/bulk-approve")
def bulk():
    """Approve the selected applications, or every pending one the page showed ("every": "page"), so that
    no checkbox needs ticking, with or without JavaScript."""
    chosen = "on_page" if request.form.get("every") == "page" else "ids"
    ids = [int(value) for value in request.form.getlist(chosen) if value.isdigit()][:PAGE_SIZE]
    if not ids:
        flash(_("Select the applications to approve first."), "error")
        return redirect_next(request.form.get("next"), "approvals.queue")
    outcome = bulk_approve(current_user, g.scope, ids)
    flash(
        _(
            "%(approved)d approved, %(skipped)d skipped (already decided or not yours).",
            approved=outcome.approved,
            skipped=outcome.skipped,
        ),
        "success",
    )
    return redirect_next(request.form.get("next"), "approvals.queue")
