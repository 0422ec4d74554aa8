"""Union admins' campaigns: create from a preset, edit the rules, publish once the checklist is met,
partner tokens; the edit page is the campaign's management hub, linking its route, questions, prizes,
flagged days, reflections and dashboard."""

from __future__ import annotations

from datetime import time

from flask import Blueprint, abort, current_app, flash, g, request, session
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from portal.boards.export import boards_too_large, check_exportable, export_board
from portal.campaigns.campaign import (
    campaign_rules,
    campaign_started,
    list_campaigns_in_scope,
    publish_campaign,
    update_campaign,
)
from portal.campaigns.day_rules import local_today
from portal.campaigns.flags import open_flags, record_in_scope, review_day
from portal.campaigns.step_import import check_step_rows, import_step_rows, read_step_file
from portal.campaigns.tokens import issue_partner_token
from portal.common.errors import DomainError
from portal.common.uploads import save_pending_upload, take_pending_upload
from portal.models.base import utcnow
from portal.models.campaign import Campaign
from portal.models.steps import DayReview
from portal.orgs.scope import get_org_in_scope_by_code
from portal.web.boards import board_kind_or_404
from portal.web.exports import start_board_export
from portal.web.forms.campaign_admin import (
    CampaignCreateForm,
    CampaignEditForm,
    PartnerTokenForm,
    StepImportForm,
)
from portal.web.helpers import (
    campaign_in_scope_or_404,
    redirect_to,
    refused,
    require_admin_scope,
    saved,
    show_domain_error,
    split_preview,
    xlsx_response,
)
from portal.web.htmx import render
from portal.workflows.campaign_setup import (
    campaign_work,
    check_publishable,
    create_campaign,
    publish_checklist,
)

bp = Blueprint("campaign_admin", __name__, url_prefix="/admin/campaigns")
bp.before_request(require_admin_scope)


@bp.get("/")
def index():
    """The campaigns of the unions in scope."""
    return render("campaign_admin/index.html", campaigns=list_campaigns_in_scope(g.scope))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create a campaign from a preset (unpublished until the admin publishes it)."""
    form = CampaignCreateForm()
    if form.validate_on_submit():
        try:
            org = get_org_in_scope_by_code(g.scope, form.org_code.data)
            campaign = create_campaign(
                current_user,
                org,
                preset=form.preset.data,
                start_day=form.start_day.data,
                title=form.title.data or None,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return saved(
                _("Created. Check the rules, then publish."), "campaign_admin.edit", campaign_id=campaign.id
            )
    return render("campaign_admin/new.html", form=form)


def _form_from(campaign: Campaign) -> CampaignEditForm:
    rules = campaign_rules(campaign)
    return CampaignEditForm(
        formdata=None,
        data={
            "title": campaign.title,
            "description": campaign.description,
            "start_day": campaign.start_day,
            "length_days": rules.length_days,
            "qualify_steps": rules.qualify_steps,
            "daily_cap": rules.daily_cap,
            "total_cap": rules.total_cap,
            "grace_minutes": rules.grace_minutes,
            "checkin": rules.checkin.value,
            "settle_start": rules.settle_window.start if rules.settle_window else None,
            "implausible_steps": rules.implausible_steps,
            "enrolment_closed": campaign.enrolment_closed,
            "open_to_non_members": campaign.open_to_non_members,
        },
    )


def _rules_from(form: CampaignEditForm, campaign: Campaign) -> dict:
    """The campaign's rules with the form's values put in; everything the form does not show is kept."""
    rules = dict(campaign.rules)
    rules.update(
        length_days=form.length_days.data,
        qualify_steps=form.qualify_steps.data,
        daily_cap=form.daily_cap.data,
        total_cap=form.total_cap.data,
        grace_minutes=form.grace_minutes.data,
        checkin=form.checkin.data,
        implausible_steps=form.implausible_steps.data,
        settle_window=(
            {"start": form.settle_start.data.isoformat(), "end": time(23, 59, 59).isoformat()}
            if form.settle_start.data
            else None
        ),
    )
    return rules


def _page(campaign: Campaign, form: CampaignEditForm, token_form: PartnerTokenForm | None = None):
    return render(
        "campaign_admin/edit.html",
        campaign=campaign,
        form=form,
        token_form=token_form or PartnerTokenForm(formdata=None),
        new_token=session.pop("new_partner_token", None),
        started=campaign_started(campaign),
        route_mode=campaign_rules(campaign).route.mode.value,
        board_kinds=campaign_rules(campaign).ranking.kinds,
        boards_too_large=boards_too_large(campaign, current_app.config["BOARD_EXPORT_MAX_ROWS"]),
        checklist=publish_checklist(campaign, today=local_today(utcnow(), campaign.timezone)),
        work=campaign_work(campaign),
    )


@bp.route("/<id:campaign_id>", methods=["GET", "POST"])
def edit(campaign_id: int):
    """Edit a campaign; contradictory rules are refused with the reasons."""
    campaign = campaign_in_scope_or_404(campaign_id)
    form = _form_from(campaign) if request.method == "GET" else CampaignEditForm()
    if form.validate_on_submit():
        try:
            update_campaign(
                current_user,
                campaign,
                title=form.title.data,
                description=form.description.data or "",
                enrolment_closed=form.enrolment_closed.data,
                open_to_non_members=form.open_to_non_members.data,
                start_day=form.start_day.data,
                rules=_rules_from(form, campaign),
                today=local_today(utcnow(), campaign.timezone),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return saved(_("Saved."), "campaign_admin.edit", campaign_id=campaign.id)
    return _page(campaign, form)


@bp.post("/<id:campaign_id>/publish")
def publish(campaign_id: int):
    """Open the campaign to its members."""
    campaign = campaign_in_scope_or_404(campaign_id)
    try:
        check_publishable(campaign, today=local_today(utcnow(), campaign.timezone))
    except DomainError as error:
        flash(refused(error), "error")
        return redirect_to("campaign_admin.edit", campaign_id=campaign.id, _anchor="checklist")
    publish_campaign(current_user, campaign)
    return saved(_("Published: members can now enrol."), "campaign_admin.edit", campaign_id=campaign.id)


@bp.post("/<id:campaign_id>/partner-tokens")
def partner_token(campaign_id: int):
    """Issue a partner token for this campaign; it is shown once."""
    campaign = campaign_in_scope_or_404(campaign_id)
    form = PartnerTokenForm()
    if not form.validate_on_submit():
        return _page(campaign, _form_from(campaign), form)
    session["new_partner_token"] = issue_partner_token(current_user, campaign, form.name.data).secret
    return redirect_to("campaign_admin.edit", campaign_id=campaign.id)


@bp.get("/flags")
def flags():
    """Flagged days waiting for a decision, appealed ones first."""
    return render("campaign_admin/flags.html", rows=open_flags(g.scope))


@bp.post("/flags/<id:record_id>")
def review(record_id: int):
    """Clear a flagged day (it counts) or confirm the doubt (it does not)."""
    record = record_in_scope(g.scope, record_id)
    try:
        decision = DayReview(request.form.get("decision", ""))
    except ValueError:
        abort(400)
    try:
        review_day(current_user, record, decision)
    except DomainError as error:
        flash(refused(error), "error")
    else:
        flash(_("Recorded."), "success")
    return redirect_to("campaign_admin.flags")


@bp.route("/<id:campaign_id>/steps-import", methods=["GET", "POST"])
def steps_import(campaign_id: int):
    """Upload a spreadsheet of steps and see every row checked before anything is saved."""
    campaign = campaign_in_scope_or_404(campaign_id)
    form = StepImportForm()
    if form.validate_on_submit():
        data, filename = form.file.data.read(), form.file.data.filename or ""
        try:
            rows = check_step_rows(campaign, read_step_file(data, filename), now=utcnow())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            session["steps_import"] = {
                "token": save_pending_upload(data),
                "filename": filename,
                "campaign": campaign.id,
            }
            return render(
                "campaign_admin/steps_preview.html",
                campaign=campaign,
                filename=filename,
                **split_preview(rows),
            )
    return render("campaign_admin/steps_import.html", campaign=campaign, form=form)


@bp.post("/<id:campaign_id>/steps-import/confirm")
def steps_import_confirm(campaign_id: int):
    """Apply the rows that pass the checks (checked again now)."""
    campaign = campaign_in_scope_or_404(campaign_id)
    pending = session.pop("steps_import", None) or {}
    data = take_pending_upload(pending.get("token")) if pending.get("campaign") == campaign.id else None
    if data is None:
        flash(_("The preview has expired. Upload the file again."), "error")
        return redirect_to("campaign_admin.steps_import", campaign_id=campaign.id)
    now = utcnow()
    try:
        rows = check_step_rows(campaign, read_step_file(data, pending["filename"]), now=now)
        applied = import_step_rows(current_user, campaign, rows, now=now, source=pending["filename"])
    except DomainError as error:
        flash(refused(error), "error")
        return redirect_to("campaign_admin.steps_import", campaign_id=campaign.id)
    return saved(
        _("%(n)d days of steps imported.", n=applied), "campaign_admin.edit", campaign_id=campaign.id
    )


@bp.get("/<id:campaign_id>/boards/<kind>.xlsx")
def board_export(campaign_id: int, kind: str):
    """Every row of one ranking board as an Excel workbook, with real names and phones (audited)."""
    campaign = campaign_in_scope_or_404(campaign_id)
    chosen = board_kind_or_404(campaign, kind)
    try:
        check_exportable(campaign, chosen, current_app.config["BOARD_EXPORT_MAX_ROWS"])
    except DomainError as error:
        flash(refused(error), "error")
        return redirect_to("campaign_admin.edit", campaign_id=campaign.id, _anchor="boards")
    written = export_board(current_user, campaign, chosen)
    updated_at = written.view.updated_at
    stamp = format_datetime(updated_at, "yyyyMMdd-HHmm") if updated_at else "pending"
    return xlsx_response(written.handle, f"ranking-{campaign.id}-{chosen}-{stamp}.xlsx")


@bp.post("/<id:campaign_id>/boards/<kind>/export")
def board_export_in_background(campaign_id: int, kind: str):
    """Have a board too large for a page request written in the background (the admin's exports list)."""
    campaign = campaign_in_scope_or_404(campaign_id)
    return start_board_export(campaign, board_kind_or_404(campaign, kind))
