"""Board pages: what a member sees (top, own row, scopes, what it is ranked by, the htmx partial), the
fixed number of queries a page costs, and the admins' Excel export."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.boards.snapshots import refresh_boards
from portal.boards.tables import board_cache
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at
from portal.extensions import db
from portal.i18n import LANGUAGE_COOKIE
from portal.models import AuditEntry
from portal.models.identity import new_session_nonce
from portal.teams.team import create_team, join_team
from portal.web.panel_tags import keep_frame
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import member_of, running_campaign, walkers_at_one_instant
from tests.conftest import DEFAULT_PASSWORD
from tests.support import counted_queries


def walkers(campaign, make_user, unit, steps_each):
    """One member of ``unit`` per entry, with that many steps yesterday (0: no report)."""
    return walkers_at_one_instant(
        campaign, make_user, [(unit, [steps] if steps else []) for steps in steps_each]
    )


def test_the_board_page_shows_the_top_my_row_and_how_it_is_ranked(client, login, tree, make_user):
    campaign = running_campaign(tree["edu"])
    people = walkers(campaign, make_user, tree["njmu"], [12000, 9000, 3000])
    login(people[2].user)
    page = client.get(f"/campaigns/{campaign.id}/boards/individual").get_data(as_text=True)
    assert "实时" in page  # a small campaign is ranked live
    assert "张*明" in page and "李*兰" in page and "王*国" in page
    assert 'data-testid="my-rank"' in page and "第 3 名" in page
    assert "按达标天数排名" in page and "并列" in page  # formula and tie-break stated
    assert 'hx-trigger="every 60s"' in page
    polled = client.get(
        f"/campaigns/{campaign.id}/boards/individual",
        headers={"HX-Request": "true", "HX-Target": "board_panel"},
    )
    partial = polled.get_data(as_text=True)
    assert partial.lstrip().startswith('<section id="board_panel"') and "<html" not in partial
    assert "Set-Cookie" not in polled.headers  # a live board's poll, too, leaves the session's expiry
    mine_unit = client.get(f"/campaigns/{campaign.id}/boards/individual?scope=unit").get_data(as_text=True)
    assert "本单位第 3 名" in mine_unit
    assert client.get(f"/campaigns/{campaign.id}/boards/team").status_code == 404  # no teams here
    index = client.get(f"/campaigns/{campaign.id}/boards/")
    assert index.status_code == 303 and index.headers["Location"].endswith("/boards/individual")


def test_a_member_outside_the_top_sees_their_own_row(app, client, login, tree, make_user):
    campaign = running_campaign(tree["edu"])
    campaign.rules = {**campaign.rules, "ranking": {"kinds": ["individual"], "top_n": 3}}
    db.session.commit()
    people = walkers(campaign, make_user, tree["njmu"], [12000, 11000, 10000, 9000, 1000])
    login(people[4].user)
    page = client.get(f"/campaigns/{campaign.id}/boards/individual").get_data(as_text=True)
    assert page.count("<li") >= 4 and "第 5 名" in page and 'aria-label="我的一行"' in page


@pytest.mark.parametrize("live", [True, False])
def test_a_board_page_costs_the_same_queries_at_any_size(app, client, login, tree, make_user, live):
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 2000 if live else 0
    try:
        campaign = running_campaign(tree["edu"])
        people = walkers(campaign, make_user, tree["njmu"], [9000, 3000])
        login(people[1].user)
        costs = []
        for more in (0, 30):
            walkers(campaign, make_user, tree["njmu_unit"], [5000] * more)
            if not live:
                refresh_boards(campaign)
            for scope in ("all", "unit"):
                address = f"/campaigns/{campaign.id}/boards/individual?scope={scope}"
                client.get(address)  # what a process keeps a few seconds (pointers, rows) is kept now
                with counted_queries() as statements:
                    response = client.get(address)
                assert response.status_code == 200
                costs.append(len(statements))
        assert costs[:2] == costs[2:], costs
    finally:
        app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 2000


def test_admins_export_a_board_to_excel(client, login, tree, make_user):
    campaign = running_campaign(tree["edu"])
    walkers(campaign, make_user, tree["njmu"], [12000, 9000])
    admin = make_user(admin_of=tree["edu"])
    login(admin)
    response = client.get(f"/admin/campaigns/{campaign.id}/boards/individual.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("名次", "姓名", "手机号", "单位")
    assert [row[:2] for row in rows[2:]] == [(1, "张一明"), (2, "李秀兰")]  # real names, for prizes
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "board.export"))
    assert entry.actor_id == admin.id and entry.after == {"board": "individual", "rows": 2}


def test_a_member_who_enrolled_after_the_snapshot_is_told_when_they_appear(
    app, client, login, tree, make_user
):
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 0
    try:
        campaign = running_campaign(tree["edu"])
        walkers(campaign, make_user, tree["njmu"], [9000])
        refresh_boards(campaign)
        (late,) = walkers(campaign, make_user, tree["njmu"], [0])
        login(late.user)
        page = client.get(f"/campaigns/{campaign.id}/boards/individual").get_data(as_text=True)
        assert "下次更新后就会显示你的名次" in page and 'data-testid="my-rank"' not in page
    finally:
        app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 2000


POLL = {"HX-Request": "true", "HX-Target": "board_panel"}


@pytest.fixture
def snapshots(app):
    """Boards read from their snapshot whatever the campaign's size."""
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 0
    yield
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 2000


def panel_of(page: str) -> str:
    start = page.index('<section id="board_panel"')
    return page[start : page.index("</section>", start) + len("</section>")]


def team_campaign(tree, make_user):
    """Seven members over a city's company and a university (no city), teams of two and three, the
    board's top two only: so that some viewers see their row among the rows and others under them."""
    campaign = running_campaign(tree["js"], "motherland-100")
    campaign.rules = {**campaign.rules, "ranking": {**campaign.rules["ranking"], "top_n": 2}}
    db.session.commit()
    people = walkers(campaign, make_user, tree["nj_company"], [12000, 9000, 9000, 3000])
    people += walkers(campaign, make_user, tree["njmu"], [15000, 0, 7000])
    first = create_team(people[0], "紫金一队")
    join_team(people[1], first)
    second = create_team(people[4], "医科队")
    for member in (people[3], people[6]):
        join_team(member, second)
    db.session.commit()
    refresh_boards(campaign)
    return campaign, people


def signed_in(app, member):
    client = app.test_client()
    client.post("/auth/login", data={"phone": member.user.phone, "password": DEFAULT_PASSWORD})
    return client


@pytest.mark.parametrize("kind", ["individual", "team"])
@pytest.mark.parametrize("scope", ["all", "unit", "city"])
def test_a_panel_poll_is_one_statement_and_the_panel_the_page_shows(
    app, tree, make_user, snapshots, kind, scope
):
    campaign, people = team_campaign(tree, make_user)
    address = f"/campaigns/{campaign.id}/boards/{kind}?scope={scope}"
    panels = []
    for index in (0, 3, 5):  # top of the board; outside the top two; no team and no report
        client = signed_in(app, people[index])
        client.get(address, headers=POLL)  # what a process keeps (pointers, rows, the panel) is kept now
        with counted_queries() as statements:
            poll = client.get(address, headers=POLL)
        # one statement, outside a transaction; for a member outside the rows of their unit or city, one
        # more counts their rank there
        assert poll.status_code == 200, poll.status_code
        assert len(statements) == 1 or (scope != "all" and len(statements) == 2), statements
        assert "BEGIN" not in statements and "(transaction)" not in statements, statements
        assert "Set-Cookie" not in poll.headers  # a poll does not push the session's expiry on
        page = client.get(address)
        assert "Set-Cookie" in page.headers  # a page does
        panels.append(poll.get_data(as_text=True))
        assert panels[-1] == panel_of(page.get_data(as_text=True))
    assert 'class="mine"' in panels[0] and 'data-testid="my-rank"' in panels[0]
    assert ('data-testid="my-rank"' in panels[2]) == (kind == "individual")  # in no team
    assert len(set(panels)) == 3  # each viewer their own rank


def main_of(page: str) -> str:
    return page[page.index('<main id="main"') : page.index("</main>")]


@pytest.mark.parametrize("kind", ["individual", "team"])
@pytest.mark.parametrize("scope", ["all", "unit", "city"])
@pytest.mark.parametrize("show", ["", "&show=all"])
def test_a_board_page_reads_the_board_in_one_statement_and_shows_what_the_ordinary_way_shows(
    app, tree, make_user, snapshots, monkeypatch, kind, scope, show
):
    campaign, people = team_campaign(tree, make_user)
    address = f"/campaigns/{campaign.id}/boards/{kind}?scope={scope}{show}"
    for index in (0, 3, 5):  # top of the board; outside the top two; no team and no report
        client = signed_in(app, people[index])
        client.get(address)  # what a process keeps (pointers, rows, the panel) is kept now
        with counted_queries() as statements:
            page = client.get(address)
        # the signed-in user with the header's unread count, and the board with everything of the member;
        # for a member outside the rows of their unit or city, one more counts their rank there; each
        # outside a transaction (no BEGIN, no ROLLBACK: the page only reads)
        assert page.status_code == 200, page.status_code
        assert len(statements) == 2 or (scope != "all" and len(statements) == 3), statements
        assert "BEGIN" not in statements and "(transaction)" not in statements, statements
        with monkeypatch.context() as patched:
            patched.setattr("portal.web.boards.read_board_for_session", lambda *args, **kwargs: None)
            ordinary = client.get(address)
        assert main_of(page.get_data(as_text=True)) == main_of(ordinary.get_data(as_text=True))


def test_a_poll_of_a_session_that_ended_elsewhere_signs_in_again(client, login, tree, make_user, snapshots):
    campaign, people = team_campaign(tree, make_user)
    login(people[0].user)
    address = f"/campaigns/{campaign.id}/boards/individual"
    assert client.get(address, headers=POLL).status_code == 200
    people[0].user.session_nonce = new_session_nonce()  # a password changed on another phone
    db.session.commit()
    answer = client.get(address, headers=POLL)
    assert answer.status_code != 200 and "board_panel" not in answer.get_data(as_text=True)


def test_a_poll_from_someone_not_enrolled_gets_the_ordinary_panel(client, login, tree, make_user, snapshots):
    campaign, _people = team_campaign(tree, make_user)
    onlooker = member_of(make_user(), tree["nj_company"])
    login(onlooker)
    address = f"/campaigns/{campaign.id}/boards/individual"
    answer = client.get(address, headers=POLL)
    poll = answer.get_data(as_text=True)
    assert poll.startswith('<section id="board_panel"') and 'data-testid="my-rank"' not in poll
    assert poll == panel_of(client.get(address).get_data(as_text=True))
    again = client.get(address, headers={**POLL, "If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304  # tagged as a member's poll is


def test_the_kept_pages_and_panels_stay_within_their_budget(app):
    """Many units' and cities' pages cannot grow a worker's caches past their budget."""
    app.config["BOARD_PANEL_CACHE_CHARACTERS"] = 10
    app.extensions.pop("board_rows", None)  # the caches are made afresh, with the budget above
    try:
        panels = board_cache("html")
        panels["a"] = keep_frame("x" * 6)
        panels["b"] = keep_frame("y" * 6)  # the oldest goes to make room
        panels["c"] = keep_frame("z" * 11)  # larger than the whole budget: not kept
        assert list(panels) == ["b"]
    finally:
        app.config["BOARD_PANEL_CACHE_CHARACTERS"] = 8_000_000
        app.extensions.pop("board_rows", None)


def without_stamp(poll) -> str:
    """A poll's panel after its "updated at" line (a new snapshot may be stamped a minute later)."""
    return poll.get_data(as_text=True).split('data-testid="board-stamp"', 1)[1].split("</p>", 1)[1]


def forget_kept_panels(app) -> None:
    """What a process holds of the boards, as when its rows and panels have expired (30 s)."""
    app.extensions.pop("board_rows", None)


@pytest.mark.parametrize("kind", ["individual", "team"])
@pytest.mark.parametrize("scope", ["all", "unit", "city"])
def test_a_repeat_poll_is_answered_304_without_the_database_until_the_next_snapshot(
    app, tree, make_user, snapshots, kind, scope
):
    campaign, people = team_campaign(tree, make_user)
    address = f"/campaigns/{campaign.id}/boards/{kind}?scope={scope}"
    client = signed_in(app, people[3])  # outside the top two
    first = client.get(address, headers=POLL)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and first.cache_control.private and first.cache_control.no_cache
    assert {"HX-Request", "HX-Target"} <= set(first.vary)  # the page at this address is kept apart
    with counted_queries() as statements:
        again = client.get(address, headers={**POLL, "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert statements == []
    assert "Set-Cookie" not in again.headers
    forget_kept_panels(app)  # 30 s on: this process reads the panel again, and nothing changed
    with counted_queries() as statements:
        again = client.get(address, headers={**POLL, "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and statements

    refresh_boards(campaign)  # the next snapshot (this process learns of it at once)
    after = client.get(address, headers={**POLL, "If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    assert without_stamp(after) == without_stamp(first)  # same rows, a new snapshot


def test_a_poll_tag_answers_only_the_member_and_language_it_was_made_for(app, tree, make_user, snapshots):
    campaign, people = team_campaign(tree, make_user)
    address = f"/campaigns/{campaign.id}/boards/individual"
    tag = signed_in(app, people[3]).get(address, headers=POLL).headers["ETag"]
    other = signed_in(app, people[4])  # another member on this browser: their own panel
    answer = other.get(address, headers={**POLL, "If-None-Match": tag})
    assert answer.status_code == 200 and answer.headers["ETag"] != tag
    same = signed_in(app, people[3])
    same.set_cookie(LANGUAGE_COOKIE, "en")  # the same member in another language
    answer = same.get(address, headers={**POLL, "If-None-Match": tag})
    assert answer.status_code == 200 and "No. " in answer.get_data(as_text=True)
    for forged in ('"nonsense"', '"a.b.c.d.e.f.g"', '"t.all.-.x.f.v.p"'):
        assert same.get(address, headers={**POLL, "If-None-Match": forged}).status_code == 200


def test_a_hidden_name_reaches_a_repeat_poll_when_the_kept_panel_is_read_again(
    app, tree, make_user, snapshots
):
    campaign, people = team_campaign(tree, make_user)
    address = f"/campaigns/{campaign.id}/boards/individual"
    viewer = signed_in(app, people[3])
    first = viewer.get(address, headers=POLL)
    assert "匿名职工" not in first.get_data(as_text=True)
    people[4].user.hide_from_boards = True  # the board's first hides their name
    db.session.commit()
    forget_kept_panels(app)
    answer = viewer.get(address, headers={**POLL, "If-None-Match": first.headers["ETag"]})
    assert answer.status_code == 200 and "匿名职工" in answer.get_data(as_text=True)


def test_a_session_ended_elsewhere_learns_nothing_new_from_a_repeat_poll(app, tree, make_user, snapshots):
    """A 304 sends nothing: the ended session is refused once there is something new to send."""
    campaign, people = team_campaign(tree, make_user)
    address = f"/campaigns/{campaign.id}/boards/individual"
    client = signed_in(app, people[3])
    tag = client.get(address, headers=POLL).headers["ETag"]
    people[3].user.session_nonce = new_session_nonce()  # signed out everywhere from another phone
    db.session.commit()
    assert client.get(address, headers={**POLL, "If-None-Match": tag}).status_code == 304
    refresh_boards(campaign)
    answer = client.get(address, headers={**POLL, "If-None-Match": tag})
    assert answer.status_code != 200 and "board_panel" not in answer.get_data(as_text=True)


def unit_campaign(tree, make_user):
    """An eco-walk campaign (individual and unit boards): two members of a city's company, one of a
    university (an industry union's)."""
    campaign = running_campaign(tree["js"], "eco-walk")
    people = walkers(campaign, make_user, tree["nj_company"], [12000, 3000])
    people += walkers(campaign, make_user, tree["njmu"], [9000])
    refresh_boards(campaign)
    return campaign, people


def test_a_unit_board_poll_is_answered_304_without_the_database_until_the_next_snapshot(
    app, tree, make_user, snapshots
):
    campaign, people = unit_campaign(tree, make_user)
    address = f"/campaigns/{campaign.id}/boards/unit"
    client = signed_in(app, people[0])
    first = client.get(address, headers=POLL)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and first.cache_control.private and first.cache_control.no_cache
    page = client.get(address)
    assert "ETag" not in page.headers  # pages keep no validator
    assert first.get_data(as_text=True) == panel_of(page.get_data(as_text=True))
    with counted_queries() as statements:
        again = client.get(address, headers={**POLL, "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and statements == []
    forget_kept_panels(app)  # 30 s on: read again, and nothing changed
    assert client.get(address, headers={**POLL, "If-None-Match": tag}).status_code == 304
    other = signed_in(app, people[2])  # the same board, another member: their own tag
    answer = other.get(address, headers={**POLL, "If-None-Match": tag})
    assert answer.status_code == 200 and answer.headers["ETag"] != tag

    refresh_boards(campaign)  # the next snapshot
    after = client.get(address, headers={**POLL, "If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    assert without_stamp(after) == without_stamp(first)  # same rows, a new snapshot


def test_a_live_unit_board_poll_is_read_every_time(app, tree, make_user):
    campaign, people = unit_campaign(tree, make_user)  # small enough to be ranked live
    client = signed_in(app, people[0])
    poll = client.get(f"/campaigns/{campaign.id}/boards/unit", headers=POLL)
    assert poll.status_code == 200 and "ETag" not in poll.headers
    assert poll.get_data(as_text=True).startswith('<section id="board_panel"')


def test_a_final_board_says_so_and_its_panel_asks_for_itself_no_more(client, login, tree, make_user):
    campaign = running_campaign(tree["edu"], started_days_ago=6)  # a seven-day campaign: today is its last
    people = walkers(campaign, make_user, tree["njmu"], [12000, 9000])
    after = day_closes_at(campaign.end_day, campaign_rules(campaign), campaign.timezone) + timedelta(hours=1)
    settle_day(campaign, campaign.end_day, now=after)
    db.session.commit()
    assert refresh_boards(campaign, now=after).frozen
    login(people[1].user)
    board = f"/campaigns/{campaign.id}/boards/individual"
    page = client.get(board).get_data(as_text=True)
    assert "最终排名" in page and "第 2 名" in page
    assert "hx-trigger" not in panel_opening(page) and "hx-get" not in panel_opening(page)
    # A page left open on the running board gets the final panel at its next poll, and then stops.
    panel = client.get(board, headers={"HX-Request": "true", "HX-Target": "board_panel"}).get_data(
        as_text=True
    )
    assert panel.lstrip().startswith('<section id="board_panel"') and "最终排名" in panel
    assert "hx-trigger" not in panel_opening(panel)


def panel_opening(html: str) -> str:
    """The board panel's opening tag, where its poll is set."""
    return html[html.index('<section id="board_panel"') :].split(">", 1)[0]


def test_the_old_board_addresses_lead_to_the_same_board(client):
    """Bookmarks made before the boards were called boards everywhere still arrive."""
    response = client.get("/campaigns/7/rankings/individual?scope=unit")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/campaigns/7/boards/individual?scope=unit")
    assert client.get("/campaigns/7/rankings/").headers["Location"].endswith("/campaigns/7/boards/")
