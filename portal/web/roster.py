"""A union's roster (rules §3.4): its members searched and filtered, one member's page with ending the
membership, moving between units and correcting the name, and the Excel export."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Blueprint, g, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from portal.common.errors import DomainError
from portal.membership.roster import (
    RosterFilters,
    RosterStatus,
    correct_name,
    end_membership,
    export_roster,
    list_roster,
    membership_under,
    move_member,
    unit_choices,
)
from portal.models.base import utcnow
from portal.orgs.scope import org_in_scope
from portal.orgs.tree import list_children
from portal.web.forms.admin import EndMembershipForm, MoveMemberForm, RenameMemberForm
from portal.web.helpers import int_arg, page_arg, require_admin_scope, saved, show_domain_error, xlsx_response
from portal.web.htmx import render

bp = Blueprint("roster", __name__, url_prefix="/admin/orgs/<id:org_id>/members")
bp.before_request(require_admin_scope)
PAGE_SIZE = 50


def _filters() -> RosterFilters:
    try:
        status = RosterStatus(request.args.get("status", RosterStatus.ACTIVE))
    except ValueError:
        status = RosterStatus.ACTIVE
    return RosterFilters(query=request.args.get("q", "").strip()[:50], unit_id=int_arg("unit"), status=status)


@bp.get("/")
def index(org_id: int):
    """The union's members, newest first, with search and filters."""
    union = org_in_scope(g.scope, org_id)
    page = page_arg()
    filters = _filters()
    rows, total = list_roster(union, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render(
        "admin/roster.html",
        union=union,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        filters=filters,
        units=list_children(union),
        statuses=list(RosterStatus),
    )


@bp.get("/export.xlsx")
def export(org_id: int):
    """Every member the filters match, as an Excel workbook (audited)."""
    union = org_in_scope(g.scope, org_id)
    handle = export_roster(current_user, union, _filters())
    return xlsx_response(handle, f"roster-{union.code}-{format_datetime(utcnow(), 'yyyyMMdd-HHmm')}.xlsx")


def _member_page(union, membership, **forms):
    forms.setdefault("end_form", EndMembershipForm(formdata=None))
    forms.setdefault("rename_form", RenameMemberForm(formdata=None, name=membership.user.real_name))
    move_form = forms.setdefault("move_form", MoveMemberForm(formdata=None, unit=membership.organisation_id))
    move_form.unit.choices = [(unit.id, unit.name) for unit in unit_choices(membership)]
    return render("admin/roster_member.html", union=union, membership=membership, **forms)


def _member_of(org_id: int, membership_id: int):
    union = org_in_scope(g.scope, org_id)
    return union, membership_under(union, membership_id)


@bp.get("/<id:membership_id>")
def member(org_id: int, membership_id: int):
    """One member of the roster and what an admin may change."""
    return _member_page(*_member_of(org_id, membership_id))


def _changed(union, membership, form, form_name: str, change: Callable[[], None], done: str):
    """A change of the member's page: made and said (303), or the page again with the refusal on its form."""
    if form.validate_on_submit():
        try:
            change()
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return saved(done, "roster.member", org_id=union.id, membership_id=membership.id)
    return _member_page(union, membership, **{form_name: form})


@bp.post("/<id:membership_id>/end")
def end(org_id: int, membership_id: int):
    union, membership = _member_of(org_id, membership_id)
    form = EndMembershipForm()
    ending = partial(end_membership, current_user, membership, form.reason.data)
    return _changed(union, membership, form, "end_form", ending, _("The membership has ended."))


@bp.post("/<id:membership_id>/move")
def move(org_id: int, membership_id: int):
    union, membership = _member_of(org_id, membership_id)
    form = MoveMemberForm()
    choices = {unit.id: unit for unit in unit_choices(membership)}
    form.unit.choices = [(unit.id, unit.name) for unit in choices.values()]
    moving = lambda: move_member(current_user, membership, choices[form.unit.data])  # noqa: E731
    return _changed(union, membership, form, "move_form", moving, _("Moved."))


@bp.post("/<id:membership_id>/rename")
def rename(org_id: int, membership_id: int):
    union, membership = _member_of(org_id, membership_id)
    form = RenameMemberForm()
    renaming = partial(correct_name, current_user, membership, form.name.data)
    return _changed(union, membership, form, "rename_form", renaming, _("Saved."))
