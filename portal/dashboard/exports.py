"""The admin console's workbooks: the dashboard's participation table and the applications in
scope. Each is limited to the admin's scope by the query it is built from, written with openpyxl's
write-only workbook (``portal/common/spreadsheets.py``) and logged in the audit trail.

The ranking and winners workbooks live with their pages (``portal/boards/export.py``,
``portal/rewards/prize_reports.py``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from portal.common.audit import record_audit
from portal.common.phones import mask_phone
from portal.common.spreadsheets import cell_time, new_workbook, percent_cell, saved_workbook
from portal.dashboard.reading import Dashboard, NodeStanding
from portal.extensions import db
from portal.labels import label
from portal.membership.approval_queue import QueueFilters, decider_name, queue_query
from portal.models.identity import User
from portal.models.membership import Application
from portal.orgs.scope import AdminScope


def _participation_row(sheet, standing: NodeStanding, name: str) -> list:
    return [
        name,
        standing.members,
        standing.participants,
        standing.quota,
        percent_cell(sheet, standing.quota_share),
        str(_("yes")) if standing.behind else "",
        percent_cell(sheet, standing.participation_rate),
        percent_cell(sheet, standing.qualification_rate),
        standing.active,
    ]


def export_participation(actor: User, dashboard: Dashboard):
    """The dashboard's table, every child of the node and the node's total, as an .xlsx (rewound)."""
    as_of = cell_time(dashboard.computed_at) or "-"
    headers = [
        str(_("Union")),
        str(_("Union members")),
        str(_("Participants")),
        str(_("Quota")),
        str(_("Share of quota")),
        str(_("Behind quota")),
        str(_("Participation rate")),
        str(_("Qualification rate")),
        str(_("Active on the day")),
    ]
    workbook, sheet = new_workbook(
        str(_("Participation")),
        [dashboard.campaign.title, dashboard.node.name, str(_("As of %(time)s", time=as_of))],
        headers,
    )
    for standing in dashboard.children:
        sheet.append(_participation_row(sheet, standing, standing.name))
    sheet.append(
        _participation_row(sheet, dashboard.total, str(_("Total: %(name)s", name=dashboard.node.name)))
    )
    record_audit(
        actor,
        "dashboard.export",
        subject_type="organisation",
        subject_id=dashboard.node.id,
        organisation_id=dashboard.node.id,
        after={"campaign": dashboard.campaign.id, "rows": len(dashboard.children)},
    )
    return saved_workbook(workbook)


def export_applications(actor: User, scope: AdminScope, filters: QueueFilters):
    """The applications to unions in scope that match the queue's filters, oldest first, as an .xlsx."""
    workbook, sheet = new_workbook(
        str(_("Applications")),
        [
            str(_("Number")),
            str(_("Kind")),
            str(_("Status")),
            str(_("Name")),
            str(_("Mobile number")),
            str(_("Member category")),
            str(_("Union")),
            str(_("Submitted")),
            str(_("Decided")),
            str(_("Decided by")),
            str(_("Reason for rejection")),
        ],
    )
    count = 0
    query = (
        queue_query(scope, filters)
        .options(selectinload(Application.decided_by))
        .order_by(Application.submitted_at, Application.id)
        .execution_options(yield_per=1000)
    )
    for application in db.session.scalars(query):
        sheet.append(
            [
                application.id,
                label(application.kind),
                label(application.status),
                application.user.real_name or "",
                mask_phone(application.user.phone),  # masked as on the queue's page
                label(application.category),
                application.target_org.name,
                cell_time(application.submitted_at),
                cell_time(application.decided_at),
                decider_name(application),
                application.reject_reason or "",
            ]
        )
        count += 1
    record_audit(
        actor, "applications.export", subject_type="application", subject_id=None, after={"rows": count}
    )
    return saved_workbook(workbook)
