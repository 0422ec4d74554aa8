"""Campaigns as a member meets them: the list, enrolment, today's check-in and steps, the history."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal.campaigns.campaign import campaign_rules, enrol, enrollment_open
from portal.campaigns.day_rules import local_today
from portal.campaigns.errors import InvalidGpx, UnitOutsideUnion
from portal.campaigns.flags import appeal_day
from portal.campaigns.participation import (
    campaign_for_viewer,
    campaigns_open_to,
    day_history,
    enrollment_for_member,
    sponsor_donation,
    totals_of,
    unit_choices,
)
from portal.campaigns.runs import MAX_GPX_BYTES, add_run, give_location_consent, list_runs
from portal.campaigns.steps import report_steps
from portal.common.errors import DomainError
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.org import Organisation
from portal.models.prizes import ChanceSource
from portal.models.steps import DailyRecord, ReportSource
from portal.rewards.chances import open_chance
from portal.rewards.earning import check_in_and_reward
from portal.web.forms.campaigns import CheckinForm, EnrolForm, StepsForm
from portal.web.helpers import redirect_to, refused, show_domain_error
from portal.web.htmx import asks_for_block, is_htmx, render

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.get("/")
@login_required
def index():
    """The campaigns open to the member."""
    return render("campaigns/index.html", campaigns=campaigns_open_to(current_user), today=_today())


def _today():
    return local_today(utcnow(), "Asia/Shanghai")


TODAY_PANEL = "today_panel"  # the block of campaigns/detail.html that a report or check-in answers with


def _page(campaign, enrollment, *, enrol_form=None, steps_form=None, message=None, status=200):
    """The campaign page for the member (``enrollment``: theirs in it, or None); an htmx request aimed at
    today's panel gets only that panel, and only today is read for it."""
    today = local_today(utcnow(), campaign.timezone)
    context = {
        "campaign": campaign,
        "rules": campaign_rules(campaign),
        "today": today,
        "enrollment": enrollment,
        "checkin_form": CheckinForm(),
        "steps_form": steps_form or StepsForm(formdata=None),
        "panel_message": message,
    }
    if enrollment is not None and asks_for_block(TODAY_PANEL):
        context.update(_today_context(enrollment, day_history(enrollment, today=today, since=today), today))
        return render("campaigns/detail.html", block=TODAY_PANEL, status=status, **context)
    context["donation"] = sponsor_donation(campaign)
    if enrollment is None:
        form = enrol_form or EnrolForm(formdata=None)
        form.unit.choices = [
            SelectChoice(unit.id, unit.name) for unit in unit_choices(current_user, campaign)
        ]
        context.update(enrol_form=form, can_enrol=enrollment_open(campaign, today=today))
    else:
        runs = list_runs(enrollment)
        days = day_history(enrollment, today=today, runs=runs)
        context.update(
            _today_context(enrollment, days, today),
            days=days,
            totals=totals_of(enrollment, days),
            runs=runs,
            trend=json.dumps(
                [
                    {"day": view.day.isoformat(), "steps": view.record.counted_steps if view.record else 0}
                    for view in reversed(days)
                ]
            ),
        )
    return render("campaigns/detail.html", block=TODAY_PANEL, status=status, **context)


def _today_context(enrollment, days, today) -> dict:
    """What today's panel shows: today's day (``days`` newest first) and, once checked in, the shortcut
    to today's check-in draw."""
    today_view = days[0] if days and days[0].day == today else None
    checked_in = today_view is not None and today_view.checked_in
    return {
        "today_view": today_view,
        "checkin_draw": open_chance(enrollment, ChanceSource.CHECKIN) if checked_in else None,
    }


@bp.get("/<id:campaign_id>")
@login_required
def detail(campaign_id: int):
    """One campaign: its rules, and for an enrolled member today's panel and every day so far."""
    return _page(*campaign_for_viewer(current_user, campaign_id, with_organisation=True))


@bp.post("/<id:campaign_id>/enrol")
@login_required
def enrol_member(campaign_id: int):
    """Enrol, walking for the chosen unit."""
    campaign, enrollment = campaign_for_viewer(current_user, campaign_id)
    form = EnrolForm()
    form.unit.choices = [SelectChoice(unit.id, unit.name) for unit in unit_choices(current_user, campaign)]
    if form.validate_on_submit():
        unit = db.session.get(Organisation, form.unit.data)
        try:
            if unit is None:
                raise UnitOutsideUnion()
            enrol(current_user, campaign, unit)  # checks that the unit belongs to the member's union
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("You are enrolled. Check in and report your steps every day."), "success")
            return redirect_to("campaigns.detail", campaign_id=campaign.id)
    return _page(campaign, enrollment, enrol_form=form)


@bp.post("/<id:campaign_id>/checkin")
@login_required
def checkin(campaign_id: int):
    """Check in for today."""
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    try:
        check_in_and_reward(enrollment)
    except DomainError as error:
        return _answer(campaign, enrollment, refused(error), "error")
    return _answer(campaign, enrollment, _("Checked in for today."), "success")


@bp.post("/<id:campaign_id>/steps")
@login_required
def steps(campaign_id: int):
    """Report today's steps; answered in place with what counted and how far to qualifying."""
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    form = StepsForm()
    if form.validate_on_submit():
        try:
            report_steps(
                enrollment,
                day=local_today(utcnow(), campaign.timezone),
                steps=form.steps.data,
                source=ReportSource.FORM,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            saved = _("Saved: %(steps)s steps.", steps=f"{form.steps.data:,}")
            return _answer(campaign, enrollment, saved, "success")
    return _page(campaign, enrollment, steps_form=form, status=422 if is_htmx() else 200)


def _answer(campaign, enrollment, message: str, category: str):
    if is_htmx():
        return _page(campaign, enrollment, message={"text": message, "category": category})
    flash(message, category)
    return redirect_to("campaigns.detail", campaign_id=campaign.id)


@bp.post("/<id:campaign_id>/days/<id:record_id>/appeal")
@login_required
def appeal(campaign_id: int, record_id: int):
    """Appeal a day held for review, once, with a note."""
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    record = db.session.get(DailyRecord, record_id)
    if record is None or record.enrollment_id != enrollment.id:
        abort(404)
    try:
        appeal_day(current_user, record, request.form.get("note", ""))
    except DomainError as error:
        flash(refused(error), "error")
    else:
        flash(_("Your appeal was sent. The union will review the day."), "success")
    return redirect_to("campaigns.detail", campaign_id=campaign.id)


@bp.post("/<id:campaign_id>/location-consent")
@login_required
def location_consent(campaign_id: int):
    """Agree, separately, to the processing of location data in uploaded runs."""
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    if request.form.get("agree") != "y":
        flash(_("Tick the box to agree, or simply do not upload runs."), "error")
    else:
        give_location_consent(enrollment)
    return redirect_to("campaigns.detail", campaign_id=campaign.id)


@bp.post("/<id:campaign_id>/runs")
@login_required
def upload_run(campaign_id: int):
    """Upload a GPX file of a run or walk."""
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    upload = request.files.get("gpx")
    try:
        if upload is None or not upload.filename:
            raise InvalidGpx()
        run = add_run(enrollment, upload.read(MAX_GPX_BYTES + 1))
    except DomainError as error:
        flash(refused(error), "error")
    else:
        if run.too_fast:
            flash(
                _("Saved, but faster than 25 km/h: it is kept for the union to check and not counted."),
                "warning",
            )
        else:
            flash(_("Run saved: %(km)s km.", km=f"{run.distance_m / 1000:.2f}"), "success")
    return redirect_to("campaigns.detail", campaign_id=campaign.id)
