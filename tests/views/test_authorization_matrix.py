"""Who may use every route. A route added without a row here fails ``test_every_route_has_a_row``.

Roles: anonymous; member A (who has a pending application to 南京医科大学工会) and member B; the admin of
江苏省教育科技工会 (the application's target lies in that scope), of its sibling 南京市总工会, of its
parent 江苏省总工会, of another province (西安); a platform admin. Out-of-scope objects answer 404.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.boards.export_files import request_board_export, run_board_export
from portal.campaigns.rules import BoardKind
from portal.campaigns.steps import report_steps
from portal.campaigns.tokens import issue_personal_token
from portal.contests.results import add_award
from portal.extensions import db, limiter
from portal.membership.announcements import publish_announcement
from portal.models import ChanceSource, Membership, PrizeKind, Reflection, ReportSource
from portal.rewards.draws import draw
from portal.rewards.pools import pools_of
from portal.rewards.quiz import check_question_rows, daily_set, import_questions
from portal.route.progress import list_landmarks
from portal.teams.team import create_team
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.contest_helpers import approved, open_collection, photo_work
from tests.membership_helpers import apply
from tests.rewards_helpers import give_chance, make_pool

ROLES = (
    "anonymous",
    "member_a",
    "member_b",
    "admin_target",
    "admin_sibling",
    "admin_parent",
    "admin_other_province",
    "platform",
)
EVERYONE = dict.fromkeys(ROLES, 200)
LOGIN = 302
MOVED = dict.fromkeys(ROLES, 301)
SIGNED_IN = ROLES[1:]
ADMINS_IN_SCOPE = ("admin_target", "admin_parent", "platform")


def only(allowed: dict[str, int], default: int) -> dict[str, int]:
    return {role: allowed.get(role, default) for role in ROLES}


def signed_in(status: int) -> dict[str, int]:
    return only(dict.fromkeys(SIGNED_IN, status), LOGIN)


def any_admin(status: int) -> dict[str, int]:
    """Admin pages: every admin; members are told there is nothing (404)."""
    return only({"anonymous": LOGIN, "member_a": 404, "member_b": 404}, status)


def in_scope(status: int) -> dict[str, int]:
    """An object below 江苏省教育科技工会: its admins and those above; everyone else 404."""
    return only({"anonymous": LOGIN, **dict.fromkeys(ADMINS_IN_SCOPE, status)}, 404)


def ONLY_MEMBER_A(status: int) -> dict[str, int]:
    """A member's own campaign pages: member A only; for everyone else the campaign does not exist."""
    return only({"anonymous": LOGIN, "member_a": status}, 404)


# endpoint: (method, path, form data, {role: expected status})
MATRIX = {
    "main.index": ("GET", "/", None, EVERYONE),
    "main.privacy": ("GET", "/privacy", None, EVERYONE),
    "main.health": ("GET", "/healthz", None, EVERYONE),
    "main.ready": ("GET", "/readyz", None, EVERYONE),
    "main.set_language": ("POST", "/language", {"language": "en"}, dict.fromkeys(ROLES, 303)),
    "auth.send_code": ("POST", "/auth/code/register", {"phone": "13912340000"}, EVERYONE),
    # Signed-in people are sent on to their center instead of seeing the sign-in pages.
    "auth.register": ("GET", "/auth/register", None, only({"anonymous": 200}, 303)),
    "auth.login": ("GET", "/auth/login", None, only({"anonymous": 200}, 303)),
    "auth.login_code": ("GET", "/auth/login/code", None, only({"anonymous": 200}, 303)),
    "auth.reset": ("GET", "/auth/reset", None, EVERYONE),
    "auth.logout": ("POST", "/auth/logout", {}, dict.fromkeys(ROLES, 303)),
    "me.index": ("GET", "/me/", None, signed_in(200)),
    "me.profile": ("GET", "/me/profile", None, signed_in(200)),
    "me.notifications": ("GET", "/me/notifications", None, signed_in(200)),
    "me.tokens": ("GET", "/me/tokens", None, signed_in(200)),
    "me.shortcut_guide": ("GET", "/me/tokens/shortcut", None, signed_in(200)),
    "me.boards": ("POST", "/me/boards", {}, signed_in(303)),
    # Another person's token id (member A's): 404 for everyone else.
    "me.revoke": ("POST", "/me/tokens/{token}/revoke", {}, only({"anonymous": LOGIN, "member_a": 303}, 404)),
    # The JSON API answers bearer tokens only: a signed-in session is still 401 (and never redirects).
    "api.openapi": ("GET", "/api/v1/openapi.json", None, EVERYONE),
    "api.my_campaigns": ("GET", "/api/v1/me/campaigns", None, dict.fromkeys(ROLES, 401)),
    "api.post_steps": ("POST", "/api/v1/steps", {}, dict.fromkeys(ROLES, 401)),
    "api.progress": ("GET", "/api/v1/campaigns/{campaign}/progress", None, dict.fromkeys(ROLES, 401)),
    "api.bulk_steps": ("POST", "/api/v1/campaigns/{campaign}/steps/bulk", {}, dict.fromkeys(ROLES, 401)),
    "api.rankings": (
        "GET",
        "/api/v1/campaigns/{campaign}/rankings/individual",
        None,
        dict.fromkeys(ROLES, 401),
    ),
    # The wizard: member A has a pending application, so is sent back to the personal center (303).
    "membership.start": ("GET", "/membership/join/", None, signed_in(303)),
    "membership.category": (
        "GET",
        "/membership/join/category",
        None,
        only({"member_a": 303}, 200) | {"anonymous": LOGIN},
    ),
    "membership.region": ("GET", "/membership/join/region", None, signed_in(303)),
    "membership.union": ("GET", "/membership/join/union", None, signed_in(303)),
    "membership.confirm": ("GET", "/membership/join/confirm", None, signed_in(303)),
    "membership.send_code": ("POST", "/membership/join/code", {}, signed_in(303)),
    # Only the applicant may withdraw; for anyone else the application does not exist.
    "membership.withdraw": (
        "POST",
        "/membership/applications/{application}/withdraw",
        {},
        only({"anonymous": LOGIN, "member_a": 303}, 404),
    ),
    # Campaign 1 belongs to 江苏省教育科技工会; member A is a member of 南京医科大学工会 and enrolled.
    "campaigns.index": ("GET", "/campaigns/", None, signed_in(200)),
    "campaigns.detail": (
        "GET",
        "/campaigns/{campaign}",
        None,
        only({"anonymous": LOGIN, "member_a": 200}, 404),
    ),
    "campaigns.enrol_member": (
        "POST",
        "/campaigns/{campaign}/enrol",
        {},
        only({"anonymous": LOGIN, "member_a": 200}, 404),
    ),
    "campaigns.checkin": (
        "POST",
        "/campaigns/{campaign}/checkin",
        {},
        only({"anonymous": LOGIN, "member_a": 303}, 404),
    ),
    "campaigns.steps": (
        "POST",
        "/campaigns/{campaign}/steps",
        {"steps": "7000"},
        only({"anonymous": LOGIN, "member_a": 303}, 404),
    ),
    "campaigns.appeal": (
        "POST",
        "/campaigns/{campaign}/days/{record}/appeal",
        {"note": "手环"},
        only({"anonymous": LOGIN, "member_a": 303}, 404),
    ),
    "campaigns.location_consent": (
        "POST",
        "/campaigns/{campaign}/location-consent",
        {"agree": "y"},
        only({"anonymous": LOGIN, "member_a": 303}, 404),
    ),
    "campaigns.upload_run": (
        "POST",
        "/campaigns/{campaign}/runs",
        {},
        only({"anonymous": LOGIN, "member_a": 303}, 404),
    ),
    # Campaign "eco" (eco-walk, of 江苏省教育科技工会): route, quiz and certificate; member A is enrolled.
    "route.show": ("GET", "/campaigns/{eco}/route/", None, ONLY_MEMBER_A(200)),
    "route.landmark": ("GET", "/campaigns/{eco}/route/{landmark}", None, ONLY_MEMBER_A(200)),
    "route.answer": ("POST", "/campaigns/{eco}/route/{landmark}/answer", {}, ONLY_MEMBER_A(200)),
    "route.upload_photo": ("POST", "/campaigns/{eco}/route/{landmark}/poster", {}, ONLY_MEMBER_A(200)),
    "route.poster": ("GET", "/campaigns/{eco}/route/{landmark}/poster.png", None, ONLY_MEMBER_A(404)),
    "route.reflect": ("POST", "/campaigns/{eco}/route/{landmark}/reflection", {}, ONLY_MEMBER_A(200)),
    "route.image": ("GET", "/campaigns/{eco}/route/{landmark}/image", None, ONLY_MEMBER_A(200)),
    "quiz.daily": ("GET", "/campaigns/{eco}/quiz/", None, ONLY_MEMBER_A(200)),
    "quiz.answer": ("POST", "/campaigns/{eco}/quiz/{question}", {}, ONLY_MEMBER_A(200)),
    "certificates.mine": ("GET", "/campaigns/{eco}/certificate", None, ONLY_MEMBER_A(200)),
    "certificates.image": ("GET", "/campaigns/{eco}/certificate.png", None, ONLY_MEMBER_A(404)),
    "certificates.verify": ("GET", "/certificates/verify?number=JBZ-NONE", None, EVERYONE),
    "route_admin.landmarks": ("GET", "/admin/campaigns/{eco}/route", None, in_scope(200)),
    "route_admin.update": ("POST", "/admin/campaigns/{eco}/route/{landmark}", {}, in_scope(200)),
    "route_admin.add": ("POST", "/admin/campaigns/{eco}/route/new", {}, in_scope(200)),
    # The campaign has started: moving is refused with a message on the page it redirects to.
    "route_admin.move": ("POST", "/admin/campaigns/{eco}/route/{landmark}/move/down", {}, in_scope(303)),
    "route_admin.upload_image": ("POST", "/admin/campaigns/{eco}/route/{landmark}/image", {}, in_scope(200)),
    "route_admin.image": ("GET", "/admin/campaigns/{eco}/route/{landmark}/image", None, in_scope(200)),
    "route_admin.questions": ("GET", "/admin/campaigns/{eco}/questions", None, in_scope(200)),
    "route_admin.reflections": ("GET", "/admin/campaigns/{eco}/reflections", None, in_scope(200)),
    "route_admin.hide": ("POST", "/admin/campaigns/{eco}/reflections/{reflection}/hide", {}, in_scope(303)),
    # Campaign "teams" (motherland-100, of 江苏省教育科技工会): member A is the captain of team "team".
    "teams.hub": ("GET", "/campaigns/{teams}/teams/", None, ONLY_MEMBER_A(303)),
    # Boards: whoever may see the campaign (member A); the team board of the team campaign.
    "boards.old_address": (
        "GET",
        "/campaigns/{campaign}/rankings/individual",
        None,
        dict.fromkeys(ROLES, 301),
    ),
    "boards.index": ("GET", "/campaigns/{campaign}/boards/", None, ONLY_MEMBER_A(303)),
    "boards.board": ("GET", "/campaigns/{teams}/boards/team", None, ONLY_MEMBER_A(200)),
    "teams.create": ("POST", "/campaigns/{teams}/teams/", {}, ONLY_MEMBER_A(200)),
    "teams.join_by_code": ("POST", "/campaigns/{teams}/teams/join", {}, ONLY_MEMBER_A(200)),
    # Anyone signed in may open an invitation; it tells those not enrolled to enrol first.
    "teams.invitation": ("GET", "/teams/join/{invite}", None, signed_in(200)),
    "teams.show": ("GET", "/campaigns/{teams}/teams/{team}", None, ONLY_MEMBER_A(200)),
    "teams.goals": ("POST", "/campaigns/{teams}/teams/{team}/goals", {}, ONLY_MEMBER_A(200)),
    "teams.announce": ("POST", "/campaigns/{teams}/teams/{team}/announcements", {}, ONLY_MEMBER_A(200)),
    "teams.hand_over_captaincy": ("POST", "/campaigns/{teams}/teams/{team}/captain", {}, ONLY_MEMBER_A(200)),
    # Started: the page says why one cannot leave.
    "teams.leave": ("POST", "/campaigns/{teams}/teams/{team}/leave", {}, ONLY_MEMBER_A(200)),
    "teams.ask": ("POST", "/campaigns/{teams}/teams/{team}/requests", {}, ONLY_MEMBER_A(303)),
    "teams.decide": (
        "POST",
        "/campaigns/{teams}/teams/{team}/requests/99999999/accept",
        {},
        ONLY_MEMBER_A(404),
    ),
    "teams.invitation_qr": (
        "GET",
        "/campaigns/{teams}/teams/{team}/invitation.png",
        None,
        ONLY_MEMBER_A(200),
    ),
    "campaign_admin.steps_import": ("GET", "/admin/campaigns/{campaign}/steps-import", None, in_scope(200)),
    "campaign_admin.steps_import_confirm": (
        "POST",
        "/admin/campaigns/{campaign}/steps-import/confirm",
        {},
        in_scope(303),
    ),
    "campaign_admin.flags": ("GET", "/admin/campaigns/flags", None, any_admin(200)),
    "campaign_admin.review": (
        "POST",
        "/admin/campaigns/flags/{record}",
        {"decision": "cleared"},
        in_scope(303),
    ),
    "admin.index": ("GET", "/admin/", None, any_admin(200)),
    "admin.audit": ("GET", "/admin/audit", None, any_admin(200)),
    "admin.org_detail": ("GET", "/admin/orgs/{njmu}", None, in_scope(200)),
    "roster.index": ("GET", "/admin/orgs/{njmu}/members/", None, in_scope(200)),
    "roster.export": ("GET", "/admin/orgs/{njmu}/members/export.xlsx", None, in_scope(200)),
    "roster.member": ("GET", "/admin/orgs/{njmu}/members/{membership}", None, in_scope(200)),
    "roster.end": ("POST", "/admin/orgs/{njmu}/members/{membership}/end", {}, in_scope(200)),
    "roster.move": ("POST", "/admin/orgs/{njmu}/members/{membership}/move", {}, in_scope(200)),
    "roster.rename": ("POST", "/admin/orgs/{njmu}/members/{membership}/rename", {}, in_scope(200)),
    "admin.org_add_child": ("POST", "/admin/orgs/{njmu}/children", {}, in_scope(200)),
    "admin.org_edit": ("POST", "/admin/orgs/{njmu}/edit", {}, in_scope(200)),
    "admin.org_move": ("POST", "/admin/orgs/{njmu}/move", {}, in_scope(200)),
    "admin.org_grant_admin": ("POST", "/admin/orgs/{njmu}/admins", {}, in_scope(200)),
    "admin.org_revoke_admin": ("POST", "/admin/orgs/{njmu}/admins/999999/revoke", {}, in_scope(404)),
    "campaign_admin.index": ("GET", "/admin/campaigns/", None, any_admin(200)),
    "campaign_admin.new": ("GET", "/admin/campaigns/new", None, any_admin(200)),
    "campaign_admin.edit": ("GET", "/admin/campaigns/{campaign}", None, in_scope(200)),
    "rewards.show": ("GET", "/campaigns/{campaign}/rewards/", None, ONLY_MEMBER_A(200)),
    "rewards.redeem": ("POST", "/campaigns/{campaign}/rewards/redeem", {}, ONLY_MEMBER_A(303)),
    "rewards.draw_in_pool": (
        "POST",
        "/campaigns/{campaign}/rewards/pools/{pool}/draw",
        {},
        ONLY_MEMBER_A(303),
    ),
    # Member A's prize: another member's draw is a 404 (their campaign page exists, the prize does not).
    "rewards.prize": ("GET", "/campaigns/{campaign}/rewards/prizes/{draw}", None, ONLY_MEMBER_A(200)),
    "prize_admin.pools": ("GET", "/admin/campaigns/{campaign}/prizes/", None, in_scope(200)),
    "prize_admin.codes": ("POST", "/admin/campaigns/{campaign}/prizes/tiers/{tier}/codes", {}, in_scope(422)),
    "prize_admin.edit_tier": (
        "POST",
        "/admin/campaigns/{campaign}/prizes/tiers/{tier}/edit",
        {},
        in_scope(422),
    ),
    "prize_admin.edit_pool": ("POST", "/admin/campaigns/{campaign}/prizes/{pool}/edit", {}, in_scope(422)),
    "prize_admin.final_rank": ("POST", "/admin/campaigns/{campaign}/prizes/final-rank", {}, in_scope(303)),
    "prize_admin.draws": ("GET", "/admin/campaigns/{campaign}/prizes/draws", None, in_scope(200)),
    "prize_admin.winners_export": (
        "GET",
        "/admin/campaigns/{campaign}/prizes/winners.xlsx",
        None,
        in_scope(200),
    ),
    "prize_admin.addresses_export": (
        "GET",
        "/admin/campaigns/{campaign}/prizes/addresses.xlsx",
        None,
        in_scope(200),
    ),
    "campaign_admin.board_export": (
        "GET",
        "/admin/campaigns/{campaign}/boards/individual.xlsx",
        None,
        in_scope(200),
    ),
    # Asking for a board's export in the background (any size: the page offers it for large boards only).
    "campaign_admin.board_export_in_background": (
        "POST",
        "/admin/campaigns/{campaign}/boards/individual/export",
        {},
        in_scope(303),
    ),
    "campaign_admin.publish": ("POST", "/admin/campaigns/{campaign}/publish", {}, in_scope(303)),
    "campaign_admin.partner_token": (
        "POST",
        "/admin/campaigns/{campaign}/partner-tokens",
        {"name": "平台"},
        in_scope(303),
    ),
    "approvals.queue": ("GET", "/admin/applications/", None, any_admin(200)),
    "approvals.approve": ("POST", "/admin/applications/{application}/approve", {}, in_scope(303)),
    "approvals.reject": ("POST", "/admin/applications/{application}/reject", {}, in_scope(303)),
    "approvals.bulk": ("POST", "/admin/applications/bulk-approve", {}, any_admin(303)),
    "approvals.export": ("GET", "/admin/applications/export.xlsx?status=all", None, any_admin(200)),
    # The dashboard of campaign 1 (of 江苏省教育科技工会): its admins and those above; an admin of a union
    # below would see it too (tests/views/test_dashboard_views.py).
    "dashboard.index": ("GET", "/admin/dashboard/", None, any_admin(200)),
    "dashboard.show": ("GET", "/admin/dashboard/{campaign}", None, in_scope(200)),
    "dashboard.participation_export": (
        "GET",
        "/admin/dashboard/{campaign}/participation.xlsx",
        None,
        in_scope(200),
    ),
    "dashboard.ranking_export": (
        "GET",
        "/admin/dashboard/{campaign}/boards/individual.xlsx",
        None,
        in_scope(200),
    ),
    "dashboard.ranking_export_in_background": (
        "POST",
        "/admin/dashboard/{campaign}/boards/individual/export",
        {},
        in_scope(303),
    ),
    # Each admin lists their own exports; the export written for the admin of 江苏省教育科技工会 is theirs
    # alone to download.
    "exports.index": ("GET", "/admin/exports/", None, any_admin(200)),
    "exports.download": (
        "GET",
        "/admin/exports/{export}.xlsx",
        None,
        only({"anonymous": LOGIN, "admin_target": 200}, 404),
    ),
    # An announcement of 江苏省教育科技工会: member A (a member below it) reads it; admins publish.
    "announcements.index": ("GET", "/announcements/", None, signed_in(200)),
    "announcements.show": ("GET", "/announcements/{announcement}", None, ONLY_MEMBER_A(200)),
    "announcement_admin.manage": ("GET", "/admin/announcements/", None, any_admin(200)),
    "announcement_admin.withdraw": (
        "POST",
        "/admin/announcements/{announcement}/withdraw",
        {},
        in_scope(303),
    ),
    "imports.upload": ("GET", "/admin/import/", None, any_admin(200)),
    "imports.confirm": ("POST", "/admin/import/confirm", {}, any_admin(303)),
    # A works collection of 江苏省教育科技工会, open for submissions and votes, with member A's approved
    # work (a winner already named): the gallery, the work and the results are public.
    "contests.index": ("GET", "/contests/", None, signed_in(200)),
    "contests.show": ("GET", "/contests/{contest}", None, EVERYONE),
    "contests.work": ("GET", "/contests/works/{work}", None, EVERYONE),
    "contests.photo": ("GET", "/contests/works/{work}/photos/{photo}", None, EVERYONE),
    "contests.results": ("GET", "/contests/{contest}/results", None, EVERYONE),
    "contests.submit": ("GET", "/contests/{contest}/submit", None, signed_in(200)),
    "contests.mine": ("GET", "/contests/{contest}/mine", None, signed_in(200)),
    "contests.edit": ("GET", "/contests/works/{work}/edit", None, ONLY_MEMBER_A(200)),
    # Refusals (not a member) come back as a message on the page voted from.
    "contests.vote": ("POST", "/contests/works/{work}/vote", {}, signed_in(303)),
    "contest_admin.index": ("GET", "/admin/contests/", None, any_admin(200)),
    "contest_admin.new": ("GET", "/admin/contests/new", None, any_admin(200)),
    "contest_admin.edit": ("GET", "/admin/contests/{contest}", None, in_scope(200)),
    "contest_admin.review": ("GET", "/admin/contests/{contest}/review", None, in_scope(200)),
    "contest_admin.results": ("GET", "/admin/contests/{contest}/results", None, in_scope(200)),
    "contest_admin.open_": ("POST", "/admin/contests/{contest}/open", {}, in_scope(303)),
    "contest_admin.add_category_": ("POST", "/admin/contests/{contest}/categories", {}, in_scope(200)),
    # The category has a work: the page says it stays.
    "contest_admin.remove_category_": (
        "POST",
        "/admin/contests/{contest}/categories/{category}/remove",
        {},
        in_scope(200),
    ),
    "contest_admin.decide": ("POST", "/admin/contests/{contest}/works/{work}/review", {}, in_scope(303)),
    # The first admin in scope removes the winner; for those after, it is gone (404).
    "contest_admin.remove_award_": (
        "POST",
        "/admin/contests/{contest}/results/{award}/remove",
        {},
        only({"anonymous": LOGIN, "admin_target": 303}, 404),
    ),
    # Voting is still open: the page says the results wait for its end.
    "contest_admin.publish": ("POST", "/admin/contests/{contest}/results/publish", {}, in_scope(200)),
}


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - set(MATRIX) == set(), "add the new routes to MATRIX"
    assert set(MATRIX) - endpoints == set(), "MATRIX lists routes that no longer exist"


@pytest.fixture
def people(tree, make_user):
    member_a = make_user()
    campaign = running_campaign(tree["edu"])
    application = apply(member_a, tree["njmu"])
    enrollment = enrolled(member_of(member_a, tree["njmu"]), campaign, tree["njmu"])
    record = report_steps(enrollment, day=today_local(), steps=66666, source=ReportSource.API).record
    eco = running_campaign(tree["edu"], "eco-walk")
    eco_enrollment = enrolled(member_a, eco, tree["njmu"])
    landmark = list_landmarks(eco)[0]
    rows = check_question_rows("题目,选项,答案\n几步达标？,5000|3000,A".encode(), "bank.csv")
    import_questions(None, eco, rows)
    reflection = Reflection(enrollment_id=eco_enrollment.id, landmark_id=landmark.id, text="一段感想文字。")
    db.session.add(reflection)
    pool = make_pool(campaign, ChanceSource.CHECKIN, [("红包", PrizeKind.CASH, 1, 5)])
    won = draw(enrollment, pool, give_chance(enrollment, pool, "day:1").id)
    voucher = next(p for p in pools_of(campaign) if p.source is ChanceSource.FINAL_RANK).tiers[0]
    with_teams = running_campaign(tree["edu"], "motherland-100")
    team = create_team(enrolled(member_a, with_teams, tree["njmu"]), "矩阵队")
    announcement = publish_announcement(None, tree["edu"], title="矩阵通知", body="通知正文。")
    contest = open_collection(tree["edu"])
    work = approved(photo_work(contest, member_a), make_user(admin_of=tree["edu"]))
    award = add_award(None, contest, work, award="一等奖")
    admin_target = make_user(admin_of=tree["edu"])
    export = request_board_export(admin_target, campaign, BoardKind.INDIVIDUAL)
    db.session.commit()
    run_board_export(export.id)
    return {
        "anonymous": None,
        "member_a": member_a,
        "member_b": make_user(),
        "admin_target": admin_target,
        "admin_sibling": make_user(admin_of=tree["nj"]),
        "admin_parent": make_user(admin_of=tree["js"]),
        "admin_other_province": make_user(admin_of=tree["xa"]),
        "platform": make_user(platform_admin=True),
        "application": application,
        "campaign": campaign,
        "token": issue_personal_token(member_a, "phone").token,
        "record": record,
        "eco": eco,
        "landmark": landmark,
        "question": daily_set(eco_enrollment, today_local())[0],
        "reflection": reflection,
        "teams": with_teams,
        "team": team,
        "pool": pool,
        "draw": won,
        "tier": voucher,
        "announcement": announcement,
        "contest": contest,
        "work": work,
        "award": award,
        "export": export,
        "membership": db.session.scalars(select(Membership).where(Membership.user_id == member_a.id)).one(),
    }


def _path(tree, people, template: str) -> str:
    return template.format(
        njmu=tree["njmu"].id,
        application=people["application"].id,
        membership=people["membership"].id,
        campaign=people["campaign"].id,
        token=people["token"].id,
        record=people["record"].id,
        eco=people["eco"].id,
        landmark=people["landmark"].id,
        question=people["question"].id,
        reflection=people["reflection"].id,
        teams=people["teams"].id,
        team=people["team"].id,
        invite=people["team"].invite_code,
        pool=people["pool"].id,
        draw=people["draw"].id,
        tier=people["tier"].id,
        announcement=people["announcement"].id,
        contest=people["contest"].id,
        work=people["work"].id,
        photo=people["work"].images[0].id,
        category=people["work"].category_id,
        award=people["award"].id,
        export=people["export"].id,
    )


def _signed_in(app, people, role: str):
    limiter.reset()
    client = app.test_client()
    if people[role] is not None:
        response = client.post(
            "/auth/login", data={"phone": people[role].phone, "password": "steady-walker-42"}
        )
        assert response.status_code == 303
    return client


# Reading changes no one's access, so every GET route is checked with one set of people and one signed-in
# client per role; every other route gets the people fresh, as its requests may change what the next
# role is allowed (an approval, a withdrawal).
READS = sorted(endpoint for endpoint, row in MATRIX.items() if row[0] == "GET")
WRITES = sorted(endpoint for endpoint, row in MATRIX.items() if row[0] != "GET")


def test_read_route_access(app, tree, people):
    clients = {role: _signed_in(app, people, role) for role in ROLES}
    wrong = []
    for endpoint in READS:
        _method, path, _data, expected = MATRIX[endpoint]
        path = _path(tree, people, path)
        for role in ROLES:
            limiter.reset()
            status = clients[role].get(path).status_code
            if status != expected[role]:
                wrong.append(f"{endpoint}: {role} GET {path} answered {status}, not {expected[role]}")
    assert wrong == []


@pytest.mark.parametrize("endpoint", WRITES)
def test_write_route_access(app, tree, people, endpoint):
    method, path, data, expected = MATRIX[endpoint]
    path = _path(tree, people, path)
    for role in ROLES:
        client = _signed_in(app, people, role)  # the same form data is posted once per role
        response = client.open(path, method=method, data=data)
        assert response.status_code == expected[role], f"{role} {method} {path}"
