"""Teams over HTTP: making one, joining by link and code, the size limit, the captain's forms, the team
page refreshed in place, and the bad input the issue lists (each a clear message, nothing half-written)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Team, TeamAnnouncement, TeamMember
from portal.teams.team import create_team, join_team
from tests.campaign_helpers import enrolled, member_of, running_campaign
from tests.support import text_of


def _setup(tree, make_user, *, members=0):
    campaign = running_campaign(tree["sx"], "motherland-100")
    captain_user = member_of(make_user(real_name="赵一峰"), tree["xa"])
    team = create_team(enrolled(captain_user, campaign, tree["xa"]), "长安队", "日行一万")
    for _ in range(members):
        join_team(enrolled(member_of(make_user(), tree["xa"]), campaign, tree["xa"]), team)
    db.session.commit()
    return campaign, team, captain_user


def _walker(campaign, tree, make_user):
    user = member_of(make_user(real_name="钱多多"), tree["xa"])
    enrolled(user, campaign, tree["xa"])
    return user


def test_make_a_team_from_the_hub(client, tree, make_user, login):
    campaign = running_campaign(tree["sx"], "motherland-100")
    user = _walker(campaign, tree, make_user)
    login(user)
    assert "创建团队并担任团长" in text_of(client.get(f"/campaigns/{campaign.id}/teams/").data)
    refused = client.post(f"/campaigns/{campaign.id}/teams/", data={"name": ""})
    assert "请给团队起个名字" in text_of(refused.data)
    made = client.post(f"/campaigns/{campaign.id}/teams/", data={"name": "大雁塔队", "slogan": "走起来"})
    assert made.status_code == 303
    page = text_of(client.get(made.headers["Location"]).data)
    team = db.session.scalar(select(Team))
    assert "大雁塔队" in page and team.invite_code in page and "团长" in page
    assert client.get(f"/campaigns/{campaign.id}/teams/").status_code == 303  # straight to one's team


def test_join_by_link_and_by_code_and_the_limit(client, tree, make_user, login):
    campaign, team, _captain = _setup(tree, make_user, members=4)
    fifth, seventh = _walker(campaign, tree, make_user), _walker(campaign, tree, make_user)
    login(fifth)
    invitation = client.get(f"/teams/join/{team.invite_code.lower()}")
    assert "加入「长安队」" in text_of(invitation.data) and "队员 5/6 人" in text_of(invitation.data)
    assert client.post(f"/teams/join/{team.invite_code}").status_code == 303
    client.post("/auth/logout")
    login(seventh)
    full = client.post(f"/campaigns/{campaign.id}/teams/join", data={"code": team.invite_code})
    assert "该团队已满员" in text_of(full.data)
    by_link = client.post(f"/teams/join/{team.invite_code}")
    assert by_link.status_code == 409 and "该团队已满员" in text_of(by_link.data)
    assert db.session.scalar(select(func.count()).select_from(TeamMember)) == 6


def test_forged_codes_second_teams_and_other_campaigns(client, tree, make_user, login):
    campaign, team, _captain = _setup(tree, make_user)
    other_campaign, other_team, _other_captain = _setup(tree, make_user)
    user = _walker(campaign, tree, make_user)
    login(user)
    forged = client.post(f"/campaigns/{campaign.id}/teams/join", data={"code": "ZZZZZZ"})
    assert "没有团队使用这个邀请码" in text_of(forged.data)
    assert client.get("/teams/join/ZZZZZZ").status_code == 404
    foreign = client.post(f"/campaigns/{campaign.id}/teams/join", data={"code": other_team.invite_code})
    assert "该团队属于其他活动" in text_of(foreign.data)
    assert "请先报名参加活动" in text_of(client.get(f"/teams/join/{other_team.invite_code}").data)
    client.post(f"/campaigns/{campaign.id}/teams/", data={"name": "我的队"})
    second = client.post(f"/teams/join/{team.invite_code}")
    assert "你已加入本活动的一个团队" in text_of(second.data)
    assert db.session.scalar(select(func.count()).select_from(TeamMember)) == 3  # two captains and me
    assert other_campaign.id != campaign.id


def test_captain_forms_and_members_who_try_them(client, tree, make_user, login):
    campaign, team, captain = _setup(tree, make_user, members=1)
    base = f"/campaigns/{campaign.id}/teams/{team.id}"
    login(captain)
    high = client.post(f"{base}/goals", data={"member_goal": "12000", "team_goal": "40000"})
    assert "队员目标须为 1 至 10000 步" in text_of(high.data)
    low = client.post(f"{base}/goals", data={"member_goal": "8000", "team_goal": "5000"})
    assert "团队目标须为 8000 至 60000 步" in text_of(low.data)
    db.session.refresh(team)
    assert (team.member_goal, team.team_goal) == (6000, 36000)  # nothing written
    assert client.post(f"{base}/goals", data={"member_goal": "7000", "team_goal": "40000"}).status_code == 303
    assert client.post(f"{base}/announcements", data={"text": "周六城墙集合"}).status_code == 303
    client.post("/auth/logout")
    member = db.session.scalar(select(TeamMember).where(TeamMember.enrollment_id != team.captain_id))
    login(member.enrollment.user)
    page = client.get(base).data.decode()
    assert "周六城墙集合" in text_of(page) and "保存目标" not in page  # members see no captain forms
    refused = client.post(f"{base}/goals", data={"member_goal": "1", "team_goal": "1"})
    assert "只有团长可以进行此操作" in text_of(refused.data)
    assert "只有团长可以进行此操作" in text_of(
        client.post(f"{base}/announcements", data={"text": "我也发"}).data
    )
    assert db.session.scalar(select(func.count()).select_from(TeamAnnouncement)) == 1
    leave = client.post(f"{base}/leave")
    assert "活动已开始，队员不能再退出团队" in text_of(leave.data)


def test_team_panel_refreshes_in_place(client, tree, make_user, login):
    campaign, team, captain = _setup(tree, make_user, members=2)
    login(captain)
    fragment = client.get(
        f"/campaigns/{campaign.id}/teams/{team.id}", headers={"HX-Request": "true", "HX-Target": "team_panel"}
    ).data.decode()
    assert fragment.lstrip().startswith('<section id="team_panel"') and "<html" not in fragment
    assert 'hx-trigger="every 60s"' in fragment and "全队：0 / 36,000 步" in text_of(fragment)


def test_asking_to_join_and_the_captain_answering(client, tree, make_user, login):
    campaign, team, captain = _setup(tree, make_user)
    asker = _walker(campaign, tree, make_user)
    login(asker)
    assert "长安队" in text_of(client.get(f"/campaigns/{campaign.id}/teams/").data)
    assert client.post(f"/campaigns/{campaign.id}/teams/{team.id}/requests").status_code == 303
    assert "已申请，等待团长处理" in text_of(client.get(f"/campaigns/{campaign.id}/teams/").data)
    client.post("/auth/logout")
    login(captain)
    page = client.get(f"/campaigns/{campaign.id}/teams/{team.id}").data.decode()
    assert "申请加入的同事" in text_of(page)
    request_id = page.split("/requests/")[1].split("/")[0]
    accepted = client.post(f"/campaigns/{campaign.id}/teams/{team.id}/requests/{request_id}/accept")
    assert accepted.status_code == 303
    db.session.refresh(team)
    assert team.member_count == 2


def test_hand_over_and_the_invitation_qr(client, tree, make_user, login):
    campaign, team, captain = _setup(tree, make_user, members=1)
    member = db.session.scalar(select(TeamMember).where(TeamMember.enrollment_id != team.captain_id))
    base = f"/campaigns/{campaign.id}/teams/{team.id}"
    login(captain)
    qr = client.get(f"{base}/invitation.png")
    assert qr.mimetype == "image/png" and qr.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert "请选择团队中的其他队员" in text_of(
        client.post(f"{base}/captain", data={"new_captain": 99999}).data
    )
    assert client.post(f"{base}/captain", data={"new_captain": member.enrollment_id}).status_code == 303
    db.session.refresh(team)
    assert team.captain_id == member.enrollment_id
    assert "只有团长可以进行此操作" in text_of(
        client.post(f"{base}/announcements", data={"text": "还能发吗"}).data
    )
