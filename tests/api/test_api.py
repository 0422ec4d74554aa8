"""The JSON API over HTTP: tokens, each endpoint, the error shape and the bad input the issue lists."""

import json
import time
from datetime import timedelta

import pytest

from portal.campaigns.steps import report_steps
from portal.campaigns.tokens import issue_partner_token, issue_personal_token, revoke_token
from portal.extensions import db
from portal.models import DailyRecord, Enrollment, ReportSource
from portal.models.base import utcnow
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local


@pytest.fixture
def member_api(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(real_name="王小明"), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    issued = issue_personal_token(member, "phone")
    db.session.commit()
    return campaign, member, {"Authorization": f"Bearer {issued.secret}"}, issued.token


def post(client, path, headers, body):
    return client.post(
        path,
        headers=headers,
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
    )


def test_report_answers_with_the_day_as_counted(client, member_api):
    campaign, _member, headers, _token = member_api
    day = today_local().isoformat()
    response = post(
        client,
        "/api/v1/steps",
        headers,
        {"campaign_id": campaign.id, "day": day, "steps": 25000, "checkin": True},
    )
    assert response.status_code == 200
    assert {
        k: response.json[k] for k in ("reported_steps", "counted_steps", "qualified", "reason", "checked_in")
    } == {
        "reported_steps": 25000,
        "counted_steps": 20000,
        "qualified": True,
        "reason": "qualified_capped",
        "checked_in": True,
    }
    older = day + "T00:00:00+08:00"  # earlier than the first report, which was timed at its arrival
    stale = post(
        client,
        "/api/v1/steps",
        headers,
        {"campaign_id": campaign.id, "day": day, "steps": 100, "reported_at": older},
    )
    assert stale.json["applied"] is False and stale.json["reported_steps"] == 25000  # the newer report stays
    assert client.get("/api/v1/me/campaigns", headers=headers).json["campaigns"][0]["enrolled"] is True
    progress = client.get(f"/api/v1/campaigns/{campaign.id}/progress", headers=headers).json
    assert (progress["qualified_days"], progress["checkin_days"], progress["counted_steps"]) == (1, 1, 20000)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ('{"campaign_id": 1, "day": "2026-05-01", "steps": -5}', 422, "steps"),
        ('{"campaign_id": 1, "day": "2026-05-01", "steps": 2.5}', 422, "steps"),
        ('{"campaign_id": 1, "day": "2026-05-01", "steps": 10000000}', 422, "steps"),
        ('{"campaign_id": 1, "day": "2026-05-01", "steps": NaN}', 400, None),
        ('{"campaign_id": 1, "day": "2026-05-01", "steps": true}', 422, "steps"),
        ('{"campaign_id": 1, "day": "2026-05-01", "steps": "6000"}', 422, "steps"),
        ('{"campaign_id": 1, "day": "2026-05-01", "steps": 1, "steps": 2}', 400, None),
        ('{"campaign_id": 1, "day": "2026-02-30", "steps": 1}', 422, "day"),
        ('{"campaign_id": 1, "day": "yesterday", "steps": 1}', 422, "day"),
        ('{"campaign_id": 1, "day": "2026-05-01"}', 422, "steps"),
        ('{"campaign_id": 1, "day": "2026-05-01", "steps": 1, "extra": 1}', 422, "extra"),
        ("not json", 400, None),
    ],
)
def test_bad_input_gets_the_error_shape_and_writes_nothing(client, member_api, body, status, field):
    _campaign, _member, headers, _token = member_api
    response = post(client, "/api/v1/steps", headers, body)
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if field:
        assert field in error["fields"]
    assert db.session.scalar(db.select(DailyRecord)) is None


def test_closed_future_and_other_peoples_days(client, member_api, tree, make_user):
    campaign, _member, headers, _token = member_api
    today = today_local()
    closed = post(
        client,
        "/api/v1/steps",
        headers,
        {"campaign_id": campaign.id, "day": (today - timedelta(days=1)).isoformat(), "steps": 7000},
    )
    assert closed.status_code == 409 and "已截止" in closed.json["error"]["message"]
    future = post(
        client,
        "/api/v1/steps",
        headers,
        {"campaign_id": campaign.id, "day": (today + timedelta(days=1)).isoformat(), "steps": 7000},
    )
    assert future.status_code == 409
    other_campaign = running_campaign(tree["js"])
    foreign = post(
        client,
        "/api/v1/steps",
        headers,
        {"campaign_id": other_campaign.id, "day": today.isoformat(), "steps": 7000},
    )
    assert foreign.status_code == 404 and foreign.json["error"]["code"] == "not_enrolled"


def test_tokens_only_no_cookies(client, member_api, login):
    _campaign, member, headers, token = member_api
    login(member)  # a signed-in browser session is not enough for the API
    response = client.get("/api/v1/me/campaigns")
    assert response.status_code == 401
    # The API never opens the session: nothing signed or sent back, nothing varies by cookie.
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
    assert client.get("/api/v1/me/campaigns", headers={"Authorization": "Bearer jbz_nope"}).status_code == 401
    revoke_token(token)
    db.session.commit()
    assert client.get("/api/v1/me/campaigns", headers=headers).status_code == 401


def test_partner_bulk_keeps_good_records_and_sees_phones(client, member_api, tree, make_user):
    campaign, member, _headers, _token = member_api
    partner = issue_partner_token(None, campaign, "步数平台").secret
    db.session.commit()
    headers = {"Authorization": f"Bearer {partner}"}
    yesterday = (today_local() - timedelta(days=1)).isoformat()
    body = {
        "records": [
            {"phone": member.phone, "day": yesterday, "steps": 8000},  # partners backfill closed days
            {"phone": "13800000000", "day": yesterday, "steps": 8000},  # nobody enrolled with this number
            {"phone": member.phone, "day": "2000-01-01", "steps": 8000},  # outside the campaign
        ]
    }
    response = post(client, f"/api/v1/campaigns/{campaign.id}/steps/bulk", headers, body)
    assert response.status_code == 200
    assert (response.json["accepted"], response.json["refused"]) == (1, 2)
    assert [r["status"] for r in response.json["results"]] == ["ok", "error", "error"]
    board = client.get(f"/api/v1/campaigns/{campaign.id}/rankings/individual", headers=headers).json
    assert board["rows"][0]["phone"] == member.phone and board["rows"][0]["name"] == "王*明"
    other = running_campaign(tree["js"])
    assert post(client, f"/api/v1/campaigns/{other.id}/steps/bulk", headers, body).status_code == 404
    too_many = {"records": [{"phone": member.phone, "day": yesterday, "steps": 1}] * 10_001}
    assert post(client, f"/api/v1/campaigns/{campaign.id}/steps/bulk", headers, too_many).status_code == 422


def test_ranking_ties_share_a_rank_and_members_see_masked_names_only(client, member_api, tree, make_user):
    campaign, member, headers, _token = member_api
    mine = db.session.scalar(db.select(Enrollment).where(Enrollment.user_id == member.id))
    others = [
        enrolled(member_of(make_user(real_name=name), tree["njmu"]), campaign, tree["njmu"])
        for name in ("李雷", "韩梅梅")
    ]
    instant = utcnow()
    for enrollment, steps in ((mine, 9000), (others[0], 9000), (others[1], 5000)):
        report_steps(
            enrollment,
            day=today_local(),
            steps=steps,
            source=ReportSource.API,
            reported_at=instant,
            now=instant,
        )
    db.session.commit()
    rows = client.get(f"/api/v1/campaigns/{campaign.id}/rankings/individual", headers=headers).json["rows"]
    assert [row["rank"] for row in rows] == [1, 1, 3]
    assert {row["name"] for row in rows} == {"王*明", "李*", "韩*梅"} and all(
        row["phone"] is None for row in rows
    )
    assert client.get(f"/api/v1/campaigns/{campaign.id}/rankings/team", headers=headers).status_code == 404
    assert (
        client.get(
            f"/api/v1/campaigns/{campaign.id}/rankings/individual?limit=0", headers=headers
        ).status_code
        == 400
    )


def test_unknown_paths_and_methods_answer_json(client, member_api):
    _campaign, _member, headers, _token = member_api
    assert client.get("/api/v1/nothing", headers=headers).json["error"]["code"] == "not_found"
    assert client.delete("/api/v1/steps", headers=headers).json["error"]["code"] == "method_not_allowed"
    assert client.get("/api/v1/campaigns/99999999999999999999/progress", headers=headers).status_code == 404


@pytest.mark.parametrize("policy", ["local", "shared"])
def test_rate_limit_per_token_answers_429_in_the_error_shape(app, client, member_api, policy, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_POLICY", policy)
    # The clock stands still one second into a minute: 121 calls that straddled a minute boundary would
    # let the sliding window weigh the earlier minute down and allow the 121st.
    frozen = (int(time.time()) // 60) * 60 + 1.0
    monkeypatch.setattr(time, "time", lambda: frozen)
    _campaign, _member, headers, _token = member_api
    for _ in range(120):
        assert client.get("/api/v1/me/campaigns", headers=headers).status_code == 200
    response = client.get("/api/v1/me/campaigns", headers=headers)
    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited" and response.json["error"]["message"]
    assert int(response.headers["Retry-After"]) == 59


@pytest.mark.parametrize(
    ("method", "path", "limited_by_flask_limiter"),
    [("POST", "/api/v1/steps", False), ("POST", "/auth/login", True), ("GET", "/auth/login", False)],
)
def test_flask_limiter_runs_on_posted_page_forms_only(app, method, path, limited_by_flask_limiter):
    """Flask-Limiter's app-wide hooks do nothing on API requests, which count per token themselves, nor
    on requests that no page limit is for."""
    with app.test_request_context(path, method=method) as context:
        app.preprocess_request()
        assert hasattr(context, "_limiter_request_context") is limited_by_flask_limiter
        response = app.process_response(app.response_class("{}"))
        assert response.status_code == 200


def test_every_page_limit_is_for_posts_only(app):
    """What lets Flask-Limiter's hooks skip every other request (``keep_page_limits_to_posted_forms``):
    no limit for the whole app, and each route's limits count POSTs alone, by their own ``methods`` or
    because the route takes nothing else."""
    from flask_limiter.util import get_qualified_name

    from portal.extensions import limiter

    manager = limiter.limit_manager
    assert not manager.application_limits and not manager.default_limits and not manager._blueprint_limits
    endpoints = {get_qualified_name(view): endpoint for endpoint, view in app.view_functions.items()}
    assert manager._decorated_limits  # the sign-in, code and vote limits
    for name, limits in manager._decorated_limits.items():
        route_methods = set().union(*(rule.methods for rule in app.url_map.iter_rules(endpoints[name])))
        for limit in limits:
            counted = {method.upper() for method in limit.methods} if limit.methods else route_methods
            assert counted - {"HEAD", "OPTIONS"} == {"POST"}, (name, counted)


def test_local_windows_count_per_key_and_start_afresh_each_window():
    from limits import parse

    from portal.api.throttle import LocalWindows

    windows, limit = LocalWindows(), parse("2/minute")
    assert windows.hit(limit, "a", 60.0) is None
    assert windows.hit(limit, "a", 61.0) is None
    assert windows.hit(limit, "a", 90.0) == 30.0  # refused until the window ends at 120 s
    assert windows.hit(limit, "b", 90.0) is None  # another token counts on its own
    assert windows.hit(limit, "a", 120.0) is None  # a new window


def test_unit_board_ranks_each_kind_of_union_among_itself(client, tree, make_user):
    campaign = running_campaign(tree["js"], preset="eco-walk", started_days_ago=2)  # 3 days so far
    today = today_local()

    def member(unit, qualified_days):
        user = member_of(make_user(), unit)
        enrollment = enrolled(user, campaign, unit)
        for days_ago in range(qualified_days):
            report_steps(
                enrollment,
                day=today - timedelta(days=days_ago),
                steps=6000,
                source=ReportSource.IMPORT,
                allow_closed=True,
            )
        return user

    caller = member(tree["nj_company"], 3)  # 南京 (a city union): 1 of 1 active, 3 of 3 days
    member(tree["njmu_unit"], 0)  # 教育科技工会 (an industry union): 1 of 2 active, 1 of 6 days
    member(tree["njmu"], 1)
    headers = {"Authorization": f"Bearer {issue_personal_token(caller, 'p').secret}"}
    db.session.commit()

    board = client.get(f"/api/v1/campaigns/{campaign.id}/rankings/unit", headers=headers)
    assert board.status_code == 200
    rows = {row["unit"]: row for row in board.json["rows"]}
    assert rows["南京市总工会"] == {
        "rank": 1,
        "group": "city_union",
        "unit": "南京市总工会",
        "members": 1,
        "active_members": 1,
        "participation_rate": 1.0,
        "qualification_rate": 1.0,
        "score": 1.0,
    }
    education = rows["江苏省教育科技工会"]
    assert (education["rank"], education["group"], education["members"]) == (1, "industry_union", 2)
    assert (education["participation_rate"], education["qualification_rate"]) == (0.5, round(1 / 6, 4))
    assert education["score"] == round(0.5 * 0.5 + 0.5 * (1 / 6), 4)
    # A board the campaign's rules do not name is 404 (no unit board in teachers-7day, no team board here).
    teachers = running_campaign(tree["js"])
    for kind, campaign_id in (("unit", teachers.id), ("team", campaign.id)):
        response = client.get(f"/api/v1/campaigns/{campaign_id}/rankings/{kind}", headers=headers)
        assert (response.status_code, response.json["error"]["code"]) == (404, "ranking_unavailable")


def test_team_board_for_members_and_partners(client, tree, make_user):
    from portal.teams.team import create_team, join_team
    from portal.workflows.settlement import settle_day
    from tests.route_helpers import walk_days

    campaign = running_campaign(tree["sx"], "motherland-100", started_days_ago=3)
    people = [enrolled(member_of(make_user(), tree["xa"]), campaign, tree["xa"]) for _ in range(2)]
    team = create_team(people[0], "长安队")
    join_team(people[1], team)
    for enrollment in people:
        walk_days(enrollment, [8000])
    settle_day(campaign, today_local() - timedelta(days=1))
    personal = issue_personal_token(people[0].user, "phone").secret
    partner = issue_partner_token(None, campaign, "步数平台").secret
    db.session.commit()
    for secret in (personal, partner):
        response = client.get(
            f"/api/v1/campaigns/{campaign.id}/rankings/team", headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200
        (row,) = response.json["rows"]
        assert (row["rank"], row["team"], row["members"], row["counted_steps"]) == (1, "长安队", 2, 16000)
        assert (row["qualified_days"], row["steps_per_member"]) == (0, 8000.0)  # 16,000 < the 36,000 goal


def test_a_member_who_hides_is_anonymous_on_the_board_and_keeps_their_rank(client, member_api, login):
    campaign, member, headers, _token = member_api
    report_steps(enrolled_of(member, campaign), day=today_local(), steps=9000, source=ReportSource.API)
    db.session.commit()
    login(member)
    assert client.post("/me/boards", data={"hide": "y"}).status_code == 303
    (row,) = client.get(f"/api/v1/campaigns/{campaign.id}/rankings/individual", headers=headers).json["rows"]
    assert (row["rank"], row["name"], row["steps"]) == (1, "匿名职工", 9000)
    client.post("/me/boards", data={})
    (row,) = client.get(f"/api/v1/campaigns/{campaign.id}/rankings/individual", headers=headers).json["rows"]
    assert row["name"] == "王*明"


def enrolled_of(member, campaign):
    return db.session.scalar(
        db.select(Enrollment).where(Enrollment.user_id == member.id, Enrollment.campaign_id == campaign.id)
    )
