"""Teams as members and captains use them: find or make a team, join by link or code, the team page."""

from __future__ import annotations

import io

import qrcode
from flask import Blueprint, Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal.campaigns.campaign import campaign_rules, campaign_started
from portal.campaigns.day_rules import local_today
from portal.campaigns.participation import enrollment_for_member, find_enrollment
from portal.common.errors import DomainError
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.team import Team, TeamJoinRequest
from portal.teams.days import team_today
from portal.teams.errors import TeamsNotEnabled
from portal.teams.team import (
    announcements_of,
    create_team,
    decide_request,
    find_team_by_code,
    hand_over,
    is_captain,
    join_team,
    leave_team,
    pending_requests,
    post_announcement,
    request_to_join,
    set_goals,
    team_by_code_or_error,
    team_of,
    team_rules,
    teams_asked_by,
    teams_with_room,
)
from portal.web.forms.teams import AnnouncementForm, GoalsForm, HandOverForm, JoinCodeForm, TeamCreateForm
from portal.web.helpers import redirect_to, refusal_message, refused, show_domain_error
from portal.web.htmx import render

bp = Blueprint("teams", __name__)


def _enrolled_with_teams_or_404(campaign_id: int) -> tuple[Campaign, Enrollment]:
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    try:
        team_rules(campaign)
    except TeamsNotEnabled:
        abort(404)
    return campaign, enrollment


def _hub(campaign, enrollment, *, create_form=None, code_form=None):
    return render(
        "teams/hub.html",
        campaign=campaign,
        rules=campaign_rules(campaign),
        create_form=create_form or TeamCreateForm(formdata=None),
        code_form=code_form or JoinCodeForm(formdata=None),
        teams=teams_with_room(enrollment),
        requested=teams_asked_by(enrollment),
    )


@bp.get("/campaigns/<id:campaign_id>/teams/")
@login_required
def hub(campaign_id: int):
    """The member's team, or how to find or make one."""
    campaign, enrollment = _enrolled_with_teams_or_404(campaign_id)
    team = team_of(enrollment)
    if team is not None:
        return redirect_to("teams.show", campaign_id=campaign.id, team_id=team.id)
    return _hub(campaign, enrollment)


@bp.post("/campaigns/<id:campaign_id>/teams/")
@login_required
def create(campaign_id: int):
    """Make a team and become its captain."""
    campaign, enrollment = _enrolled_with_teams_or_404(campaign_id)
    form = TeamCreateForm()
    if form.validate_on_submit():
        try:
            team = create_team(enrollment, form.name.data, form.slogan.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Your team is made. Share the invitation with your colleagues."), "success")
            return redirect_to("teams.show", campaign_id=campaign.id, team_id=team.id)
    return _hub(campaign, enrollment, create_form=form)


@bp.post("/campaigns/<id:campaign_id>/teams/join")
@login_required
def join_by_code(campaign_id: int):
    """Join with the code a captain gave."""
    campaign, enrollment = _enrolled_with_teams_or_404(campaign_id)
    form = JoinCodeForm()
    if form.validate_on_submit():
        try:
            team = team_by_code_or_error(form.code.data)
            join_team(enrollment, team)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Welcome to %(name)s!", name=team.name), "success")
            return redirect_to("teams.show", campaign_id=campaign.id, team_id=team.id)
    return _hub(campaign, enrollment, code_form=form)


@bp.route("/teams/join/<code>", methods=["GET", "POST"])
@login_required
def invitation(code: str):
    """An invitation link: the team, and a button to join it."""
    team = find_team_by_code(code)
    if team is None:
        abort(404)
    campaign = db.session.get(Campaign, team.campaign_id)
    enrollment = find_enrollment(current_user, campaign)
    error = None
    if request.method == "POST" and enrollment is not None:
        try:
            join_team(enrollment, team)
        except DomainError as refusal:
            error = refused(refusal)
        else:
            flash(_("Welcome to %(name)s!", name=team.name), "success")
            return redirect_to("teams.show", campaign_id=campaign.id, team_id=team.id)
    return render(
        "teams/invitation.html",
        team=team,
        campaign=campaign,
        enrollment=enrollment,
        size=campaign_rules(campaign).teams.size,
        error=error,
        status=409 if error else 200,
    )


def _team_or_404(campaign_id: int, team_id: int, *, member: bool = True) -> tuple[Campaign, Enrollment, Team]:
    campaign, enrollment = _enrolled_with_teams_or_404(campaign_id)
    team = db.session.get(Team, team_id)
    if team is None or team.campaign_id != campaign.id:
        abort(404)
    if member:
        mine = team_of(enrollment)
        if mine is None or mine.id != team.id:
            abort(404)
    return campaign, enrollment, team


def _team_page(
    campaign, enrollment, team, *, goals_form=None, announcement_form=None, hand_over_form=None, message=None
):
    today = local_today(utcnow(), campaign.timezone)
    captain = is_captain(enrollment, team)
    standing = team_today(team, today)
    if hand_over_form is None:
        hand_over_form = HandOverForm(formdata=None)
    hand_over_form.new_captain.choices = [
        SelectChoice(
            row.member.enrollment_id, row.member.enrollment.user.real_name or row.member.enrollment.user.phone
        )
        for row in standing.members
        if row.member.enrollment_id != enrollment.id
    ]
    return render(
        "teams/team.html",
        block="team_panel",
        campaign=campaign,
        rules=campaign_rules(campaign),
        team=team,
        today=today,
        started=campaign_started(campaign),
        standing=standing,
        qualified_days=team.qualified_days,
        announcements=announcements_of(team),
        captain=captain,
        me=enrollment,
        requests=pending_requests(team) if captain else [],
        invite_url=url_for("teams.invitation", code=team.invite_code, _external=True),
        goals_form=goals_form
        or GoalsForm(formdata=None, member_goal=team.member_goal, team_goal=team.team_goal),
        announcement_form=announcement_form or AnnouncementForm(formdata=None),
        hand_over_form=hand_over_form,
        message=message,
    )


@bp.get("/campaigns/<id:campaign_id>/teams/<id:team_id>")
@login_required
def show(campaign_id: int, team_id: int):
    """The team page: today's steps of each member against the goals, qualified days, announcements."""
    return _team_page(*_team_or_404(campaign_id, team_id))


@bp.post("/campaigns/<id:campaign_id>/teams/<id:team_id>/goals")
@login_required
def goals(campaign_id: int, team_id: int):
    """The captain sets the member and team daily goals."""
    campaign, enrollment, team = _team_or_404(campaign_id, team_id)
    form = GoalsForm()
    if form.validate_on_submit():
        try:
            set_goals(enrollment, team, form.member_goal.data, form.team_goal.data)
        except DomainError as error:
            return _refused(campaign, enrollment, team, form, error, "goals_form")
        flash(_("The goals are saved."), "success")
        return redirect_to("teams.show", campaign_id=campaign.id, team_id=team.id)
    return _team_page(campaign, enrollment, team, goals_form=form)


def _refused(campaign, enrollment, team, form, error: DomainError, form_name: str):
    """The team page again: the refusal on its field, or (not the captain) at the top; nothing is written."""
    message = refusal_message(form, error)
    return _team_page(
        campaign, enrollment, team, message=message, **({form_name: form} if message is None else {})
    )


@bp.post("/campaigns/<id:campaign_id>/teams/<id:team_id>/announcements")
@login_required
def announce(campaign_id: int, team_id: int):
    """The captain posts an announcement the members see on the team page."""
    campaign, enrollment, team = _team_or_404(campaign_id, team_id)
    form = AnnouncementForm()
    if form.validate_on_submit():
        try:
            post_announcement(enrollment, team, form.text.data)
        except DomainError as error:
            return _refused(campaign, enrollment, team, form, error, "announcement_form")
        flash(_("Posted."), "success")
        return redirect_to("teams.show", campaign_id=campaign.id, team_id=team.id)
    return _team_page(campaign, enrollment, team, announcement_form=form)


@bp.post("/campaigns/<id:campaign_id>/teams/<id:team_id>/captain")
@login_required
def hand_over_captaincy(campaign_id: int, team_id: int):
    """The captain hands the captaincy to another member."""
    campaign, enrollment, team = _team_or_404(campaign_id, team_id)
    form = HandOverForm()
    if form.validate_on_submit():
        try:
            hand_over(enrollment, team, form.new_captain.data)
        except DomainError as error:
            return _refused(campaign, enrollment, team, form, error, "hand_over_form")
        flash(_("The captaincy is handed over."), "success")
        return redirect_to("teams.show", campaign_id=campaign.id, team_id=team.id)
    return _team_page(campaign, enrollment, team, hand_over_form=form)


@bp.post("/campaigns/<id:campaign_id>/teams/<id:team_id>/leave")
@login_required
def leave(campaign_id: int, team_id: int):
    """Leave the team (only before the campaign starts)."""
    campaign, enrollment, team = _team_or_404(campaign_id, team_id)
    try:
        leave_team(enrollment)
    except DomainError as error:
        return _team_page(campaign, enrollment, team, message=refusal_message(None, error))
    flash(_("You have left the team."), "success")
    return redirect_to("teams.hub", campaign_id=campaign.id)


@bp.post("/campaigns/<id:campaign_id>/teams/<id:team_id>/requests")
@login_required
def ask(campaign_id: int, team_id: int):
    """Ask a team of one's unit to take one in."""
    campaign, enrollment, team = _team_or_404(campaign_id, team_id, member=False)
    try:
        request_to_join(enrollment, team)
    except DomainError as error:
        flash(refused(error), "error")
    else:
        flash(_("Asked. The captain of %(name)s will answer.", name=team.name), "success")
    return redirect_to("teams.hub", campaign_id=campaign.id)


@bp.post(
    "/campaigns/<id:campaign_id>/teams/<id:team_id>/requests/<id:request_id>/<any(accept,decline):decision>"
)
@login_required
def decide(campaign_id: int, team_id: int, request_id: int, decision: str):
    """The captain accepts or declines a request to join."""
    campaign, enrollment, team = _team_or_404(campaign_id, team_id)
    join_request = db.session.get(TeamJoinRequest, request_id)
    if join_request is None or join_request.team_id != team.id:
        abort(404)
    try:
        decide_request(enrollment, team, join_request, accept=decision == "accept")
    except DomainError as error:
        return _team_page(campaign, enrollment, team, message=refusal_message(None, error))
    return redirect_to("teams.show", campaign_id=campaign.id, team_id=team.id)


@bp.get("/campaigns/<id:campaign_id>/teams/<id:team_id>/invitation.png")
@login_required
def invitation_qr(campaign_id: int, team_id: int):
    """The invitation link as a QR code, for a colleague's phone camera."""
    _campaign, _enrollment, team = _team_or_404(campaign_id, team_id)
    code = qrcode.QRCode(border=2, box_size=8)
    code.add_data(url_for("teams.invitation", code=team.invite_code, _external=True))
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return Response(
        buffer.getvalue(), mimetype="image/png", headers={"Cache-Control": "private, max-age=3600"}
    )
