"""A member on a phone sees their rank on the board, reports steps, and sees the rank move when the
board is next refreshed: the panel updates in place (htmx), no reload; at the campaign's end the final
board replaces it in place and the page stops asking."""

from datetime import timedelta

from playwright.sync_api import expect

from portal.boards.snapshots import refresh_boards
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at
from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import ReportSource
from portal.models.base import utcnow
from portal.workflows.settlement import settle_day
from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local


def test_my_rank_moves_after_reporting_and_the_next_refresh(serve_portal, page, tree, make_user, screenshot):
    # A large campaign's board: read from its snapshot, refreshed by the job; the page asks every second.
    # The refresh runs here, outside the server's process, which learns of it when its pointers expire.
    base = serve_portal(BOARD_LIVE_MAX_PARTICIPANTS=0, BOARD_POLL_SECONDS=1, BOARD_POINTER_CACHE_SECONDS=1)
    campaign = running_campaign(tree["edu"])
    yesterday = today_local() - timedelta(days=1)
    for name, steps in (("赵晓光", 9000), ("钱多多", 7000)):
        walker = enrolled(member_of(make_user(real_name=name), tree["njmu"]), campaign, tree["njmu"])
        report_steps(walker, day=yesterday, steps=steps, source=ReportSource.IMPORT, allow_closed=True)
    member = member_of(make_user(real_name="孙丽华"), tree["njmu"])
    enrolled(member, campaign, tree["njmu_unit"])
    db.session.commit()
    refresh_boards(campaign, now=utcnow())

    sign_in(page, base, member.phone)
    page.goto(f"{base}/campaigns/{campaign.id}")
    page.get_by_role("button", name="排行榜").click()
    expect(page.get_by_test_id("my-rank")).to_contain_text("第 3 名")
    expect(page.get_by_test_id("board-stamp")).to_contain_text("更新于")
    expect(page.get_by_text("排名规则")).to_be_visible()
    screenshot(page, "rankings-1-third")

    page.get_by_role("link", name=campaign.title).click()
    page.get_by_role("button", name="签到").click()
    expect(page.get_by_text("今日签到成功")).to_be_visible()
    page.get_by_label("今日步数").fill("12000")
    page.get_by_role("button", name="上报步数").click()
    expect(page.get_by_test_id("today-reason")).to_have_text("已达标：12,000 步")

    page.get_by_role("button", name="排行榜").click()
    expect(page.get_by_test_id("my-rank")).to_contain_text("第 3 名")  # the snapshot is as of its refresh
    page.wait_for_load_state("load")  # htmx (a deferred script) polls from here on
    # the browser keeps a poll's answer and asks whether it changed: the server says 304, no body
    with page.expect_response(lambda answer: bool(answer.request.header_value("if-none-match"))):
        pass
    refresh_boards(campaign, now=utcnow())  # the refresh job's next round
    expect(page.get_by_test_id("my-rank")).to_contain_text("第 1 名")  # moved in place
    expect(page.locator(".board li.mine")).to_contain_text("孙*华")
    page.get_by_role("link", name="本单位").click()
    expect(page.get_by_test_id("my-rank")).to_contain_text("本单位第 1 名")
    screenshot(page, "rankings-2-first")
    page.go_back()  # the browser keeps the polls' answers at that address: back is still the whole page
    expect(page.get_by_role("heading", name="排行榜", level=1)).to_be_visible()
    expect(page.get_by_test_id("my-rank")).to_contain_text("第 1 名")


def test_the_board_works_without_javascript(live_server, page_without_js, tree, make_user, screenshot):
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(real_name="孙丽华"), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    page = page_without_js
    sign_in(page, live_server, member.phone)
    page.goto(f"{live_server}/campaigns/{campaign.id}/boards/")
    expect(page.get_by_test_id("my-rank")).to_contain_text("第 1 名")
    page.get_by_role("link", name="本单位").click()
    expect(page).to_have_url(f"{live_server}/campaigns/{campaign.id}/boards/individual?scope=unit")
    expect(page.get_by_test_id("my-rank")).to_contain_text("本单位第 1 名")


def test_team_and_union_boards_on_a_phone(live_server, page, another_page, tree, make_user, screenshot):
    from portal.teams.team import create_team

    teams = running_campaign(tree["sx"], "motherland-100", started_days_ago=3)
    captain = enrolled(member_of(make_user(real_name="孙丽华"), tree["xa"]), teams, tree["xa"])
    create_team(captain, "古城快走队")
    eco = running_campaign(tree["js"], "eco-walk", started_days_ago=3)
    walker = enrolled(member_of(make_user(real_name="周明远"), tree["njmu"]), eco, tree["njmu"])
    db.session.commit()

    sign_in(page, live_server, captain.user.phone)
    page.goto(f"{live_server}/campaigns/{teams.id}/boards/")
    page.get_by_role("link", name="团队").click()
    expect(page.get_by_test_id("my-rank")).to_contain_text("我的团队：古城快走队")
    expect(page.get_by_text("按团队达标率排名")).to_be_visible()
    screenshot(page, "rankings-3-teams")
    sign_in(another_page, live_server, walker.user.phone)
    another_page.goto(f"{live_server}/campaigns/{eco.id}/boards/")
    another_page.get_by_role("link", name="单位", exact=True).click()
    expect(another_page.get_by_role("heading", name="产业工会")).to_be_visible()
    expect(another_page.get_by_text("得分 = 参与率 × 50% + 达标率 × 50%。")).to_be_visible()
    screenshot(another_page, "rankings-4-unions")


def test_the_union_board_asks_whether_it_changed_and_updates_in_place(serve_portal, page, tree, make_user):
    # A large campaign's union board, from its snapshot: the page asks every second, the browser sends back
    # the tag of the panel it shows, and the panel changes in place after the next refresh.
    base = serve_portal(BOARD_LIVE_MAX_PARTICIPANTS=0, BOARD_POLL_SECONDS=1, BOARD_POINTER_CACHE_SECONDS=1)
    eco = running_campaign(tree["js"], "eco-walk", started_days_ago=3)
    walker = enrolled(member_of(make_user(real_name="周明远"), tree["njmu"]), eco, tree["njmu"])
    db.session.commit()
    refresh_boards(eco, now=utcnow())

    sign_in(page, base, walker.user.phone)
    page.goto(f"{base}/campaigns/{eco.id}/boards/unit")
    expect(page.get_by_text("1 人报名，0 人参与")).to_be_visible()
    page.wait_for_load_state("load")  # htmx (a deferred script) polls from here on
    with page.expect_response(lambda answer: bool(answer.request.header_value("if-none-match"))):
        pass
    db.session.rollback()  # a fresh transaction: the server wrote (signing in) since this one began
    report_steps(walker, day=today_local(), steps=9000, source=ReportSource.API)
    db.session.commit()
    refresh_boards(eco, now=utcnow())  # the refresh job's next round
    expect(page.get_by_text("1 人报名，1 人参与")).to_be_visible()  # moved in place, no reload
    expect(page.get_by_role("heading", name="排行榜", level=1)).to_be_visible()


def test_an_open_board_turns_final_in_place_and_stops_asking(serve_portal, page, tree, make_user, screenshot):
    # The campaign's last day: the page polls the running board every second; once the day is settled, the
    # next refresh freezes the boards, the final panel replaces the running one, and the page asks no more.
    base = serve_portal(BOARD_LIVE_MAX_PARTICIPANTS=0, BOARD_POLL_SECONDS=1, BOARD_POINTER_CACHE_SECONDS=1)
    campaign = running_campaign(tree["edu"], started_days_ago=6)  # a seven-day campaign: today is its last
    member = member_of(make_user(real_name="孙丽华"), tree["njmu"])
    walker = enrolled(member, campaign, tree["njmu"])
    report_steps(
        walker,
        day=today_local() - timedelta(days=1),
        steps=9000,
        source=ReportSource.IMPORT,
        allow_closed=True,
    )
    db.session.commit()
    refresh_boards(campaign, now=utcnow())

    sign_in(page, base, member.phone)
    board = f"/campaigns/{campaign.id}/boards/individual"
    page.goto(base + board)
    expect(page.get_by_test_id("board-stamp")).to_contain_text("更新于")
    page.wait_for_load_state("load")  # htmx (a deferred script) polls from here on
    with page.expect_response(lambda answer: board in answer.url):
        pass
    db.session.rollback()  # a fresh transaction: the server wrote (signing in) since this one began
    after = day_closes_at(campaign.end_day, campaign_rules(campaign), campaign.timezone) + timedelta(hours=1)
    settle_day(campaign, campaign.end_day, now=after)
    db.session.commit()
    assert refresh_boards(campaign, now=after).frozen  # the refresh after the last day is settled
    expect(page.get_by_test_id("board-stamp")).to_contain_text("最终排名")  # in place, no reload
    expect(page.get_by_test_id("my-rank")).to_contain_text("第 1 名")
    polls = []
    page.on("request", lambda request: polls.append(request.url) if board in request.url else None)
    page.wait_for_timeout(3000)  # three of the running board's poll intervals
    assert polls == []
    screenshot(page, "rankings-5-final")
