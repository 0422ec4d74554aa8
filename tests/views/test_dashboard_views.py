"""The admin console's pages: the dashboard and its workbook, the applications workbook, the campaign
checklist and announcements, each within the admin's scope."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.common.phones import mask_phone
from portal.extensions import db
from portal.membership.applications import approve_application
from portal.models import AnnouncementRead, Campaign
from portal.rewards.quiz import check_question_rows, import_questions
from portal.workflows.campaign_setup import create_campaign
from tests.campaign_helpers import member_of, today_local
from tests.dashboard_helpers import campaign_with_walkers
from tests.membership_helpers import apply
from tests.support import text_of


def _sheet_rows(data: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _campaign_with_walkers(tree, make_user):
    """A campaign of 江苏省总工会 with two walkers in 南京医科大学工会 and one in 紫金公司工会."""
    tree["edu"].member_total = 40
    return campaign_with_walkers(
        tree, make_user, org="js", walkers=["njmu", "njmu", "nj_company"], quotas={"nj": 5, "edu": 2}
    )


def test_the_dashboard_shows_each_child_against_its_quota(client, tree, make_user, login):
    campaign = _campaign_with_walkers(tree, make_user)
    login(make_user(admin_of=tree["js"]))
    page = text_of(client.get(f"/admin/dashboard/{campaign.id}").data)
    assert "南京市总工会" in page and "江苏省教育科技工会" in page
    assert "未达指标" in page  # 南京: 1 participant of 5
    assert "100.0%" in page and "5.0%" in page
    drilled = text_of(client.get(f"/admin/dashboard/{campaign.id}?org={tree['edu'].id}").data)
    assert "南京医科大学工会" in drilled and "紫金公司工会" not in drilled


def test_the_workbook_is_the_table_of_the_node(client, tree, make_user, login):
    campaign = _campaign_with_walkers(tree, make_user)
    login(make_user(admin_of=tree["js"]))
    response = client.get(f"/admin/dashboard/{campaign.id}/participation.xlsx?org={tree['js'].id}")
    assert response.status_code == 200
    rows = _sheet_rows(response.data)
    body = {row[0]: row for row in rows[2:]}
    assert set(body) == {"南京市总工会", "江苏省教育科技工会", "合计：江苏省总工会"}
    assert body["南京市总工会"][1:6] == (1, 1, 5, 0.2, "是")
    assert body["江苏省教育科技工会"][2:5] == (2, 2, 1.0)
    assert body["合计：江苏省总工会"][2] == 3


def test_an_admin_below_sees_only_their_subtree(client, tree, make_user, login):
    campaign = _campaign_with_walkers(tree, make_user)
    login(make_user(admin_of=tree["edu"]))
    response = client.get("/admin/dashboard/", follow_redirects=False)
    assert response.status_code == 302  # the one campaign covering their union
    page = text_of(client.get(f"/admin/dashboard/{campaign.id}").data)
    assert "南京医科大学工会" in page and "南京市总工会" not in page
    assert client.get(f"/admin/dashboard/{campaign.id}?org={tree['js'].id}").status_code == 404
    assert client.get(f"/admin/dashboard/{campaign.id}?org={tree['nj'].id}").status_code == 404
    rows = _sheet_rows(client.get(f"/admin/dashboard/{campaign.id}/participation.xlsx").data)
    assert [row[0] for row in rows[2:]] == ["南京医科大学工会", "合计：江苏省教育科技工会"]


def test_the_applications_workbook_holds_only_the_scope(client, tree, make_user, login):
    inside = apply(make_user(real_name="李秀兰"), tree["njmu"])
    apply(make_user(real_name="王建国"), tree["nj_company"])
    db.session.commit()
    login(make_user(admin_of=tree["edu"]))
    response = client.get("/admin/applications/export.xlsx?status=all")
    rows = _sheet_rows(response.data)
    assert [row[0] for row in rows[1:]] == [inside.id]
    assert rows[1][3] == "李秀兰" and rows[1][6] == "南京医科大学工会"
    assert rows[1][4] == mask_phone(inside.user.phone)  # masked as on the page


def test_the_decider_is_shown_and_exported(client, tree, make_user, login):
    application = apply(make_user(real_name="李秀兰"), tree["njmu"])
    admin = make_user(admin_of=tree["edu"], real_name="周立群")
    approve_application(admin, application)
    db.session.commit()
    login(admin)
    page = text_of(client.get("/admin/applications/?status=all").data)
    assert "周立群" in page
    rows = _sheet_rows(client.get("/admin/applications/export.xlsx?status=all").data)
    assert rows[0][9] == "审批人" and rows[1][9] == "周立群"


def test_publishing_waits_for_the_checklist(client, tree, make_user, login):
    admin = make_user(admin_of=tree["edu"])
    campaign = create_campaign(
        admin, tree["edu"], preset="eco-walk", start_day=today_local() + timedelta(days=3)
    )
    db.session.commit()
    login(admin)
    page = text_of(client.get(f"/admin/campaigns/{campaign.id}").data)
    assert "题库至少有 5 道题" in page
    assert client.post(f"/admin/campaigns/{campaign.id}/publish").status_code == 303
    refused = text_of(client.get(f"/admin/campaigns/{campaign.id}").data)
    assert "还不能发布，尚缺：题库至少有 5 道题" in refused
    assert db.session.get(Campaign, campaign.id).published_at is None
    bank = "题目,选项,答案\n" + "".join(f"第{n}题？,对|错,A\n" for n in range(5))
    import_questions(admin, campaign, check_question_rows(bank.encode(), "bank.csv"))
    db.session.commit()
    assert client.post(f"/admin/campaigns/{campaign.id}/publish").status_code == 303
    assert db.session.get(Campaign, campaign.id).published_at is not None


def test_announcements_reach_the_subtree_and_count_reads(app, tree, make_user, login, client):
    reader = member_of(make_user(), tree["njmu"])
    elsewhere = member_of(make_user(), tree["xa"])
    login(make_user(admin_of=tree["edu"]))
    refused = client.post("/admin/announcements/", data={"union": tree["edu"].id, "title": "", "body": "x"})
    assert "请输入标题" in text_of(refused.data)
    published = client.post(
        "/admin/announcements/", data={"union": tree["edu"].id, "title": "健步走开赛", "body": "周六开赛。"}
    )
    assert published.status_code == 303

    member = app.test_client()
    member.post("/auth/login", data={"phone": reader.phone, "password": "steady-walker-42"})
    home = text_of(member.get("/me/").data)
    assert "健步走开赛" in home and "新" in home
    link = member.get("/announcements/").data.decode()
    announcement_id = int(link.split("/announcements/")[1].split('"')[0])
    assert "周六开赛。" in text_of(member.get(f"/announcements/{announcement_id}").data)
    member.get(f"/announcements/{announcement_id}")
    assert db.session.scalar(select(func.count()).select_from(AnnouncementRead)) == 1
    assert "已读 1 人" in text_of(client.get("/admin/announcements/").data)

    other = app.test_client()
    other.post("/auth/login", data={"phone": elsewhere.phone, "password": "steady-walker-42"})
    assert "健步走开赛" not in text_of(other.get("/me/").data)
    assert other.get(f"/announcements/{announcement_id}").status_code == 404

    client.post(f"/admin/announcements/{announcement_id}/withdraw")
    assert "健步走开赛" not in text_of(member.get("/me/").data)
    assert member.get(f"/announcements/{announcement_id}").status_code == 404


def test_an_admin_below_exports_the_ranking_of_their_subtree(client, tree, make_user, login):
    campaign = _campaign_with_walkers(tree, make_user)
    login(make_user(admin_of=tree["nj"]))
    response = client.get(f"/admin/dashboard/{campaign.id}/boards/individual.xlsx")
    assert response.status_code == 200
    rows = _sheet_rows(response.data)
    assert [row[3] for row in rows[2:]] == ["紫金公司工会"]  # not the two of 南京医科大学工会
    assert (
        client.get(f"/admin/dashboard/{campaign.id}/boards/individual.xlsx?org={tree['js'].id}").status_code
        == 404
    )


def test_an_admin_of_two_unions_can_start_at_either(client, tree, make_user, login):
    from portal.orgs.roles import grant_union_admin

    campaign = _campaign_with_walkers(tree, make_user)
    admin = make_user(admin_of=tree["nj"])
    grant_union_admin(admin, tree["edu"], actor=None)
    db.session.commit()
    login(admin)
    page = client.get(f"/admin/dashboard/{campaign.id}").data.decode()
    first, second = sorted([tree["nj"], tree["edu"]], key=lambda org: org.path)
    assert f"<h1>{first.name}</h1>" in page
    assert f'org={second.id}" role="button"' in page


def test_a_ratio_is_written_as_a_percentage_with_two_decimals():
    """0.01% reads as 0.01%, not 0.0% (the formats of every export, portal/common/spreadsheets.py)."""
    from fractions import Fraction

    from portal.common.spreadsheets import PERCENT_FORMAT, new_workbook, percent_cell, saved_workbook

    workbook, sheet = new_workbook("t", ["比例"])
    cell = percent_cell(sheet, Fraction(1, 10_000))
    assert cell.value == 0.0001 and cell.number_format == PERCENT_FORMAT == "0.00%"
    assert percent_cell(sheet, None) is None
    sheet.append([cell])
    saved_workbook(workbook).close()
