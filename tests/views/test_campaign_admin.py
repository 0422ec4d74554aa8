"""Admins create campaigns from presets, edit their rules, publish, and issue partner tokens."""

import re
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import ApiToken, Campaign
from tests.campaign_helpers import running_campaign, today_local
from tests.support import text_of

EDIT = {
    "title": "秋季健步走",
    "start_day": "",
    "length_days": "7",
    "qualify_steps": "6000",
    "daily_cap": "20000",
    "total_cap": "",
    "grace_minutes": "30",
    "checkin": "required",
    "implausible_steps": "100000",
}


def test_create_edit_publish(client, tree, make_user, login):
    login(make_user(admin_of=tree["edu"]))
    start = (today_local() + timedelta(days=10)).isoformat()
    response = client.post(
        "/admin/campaigns/new", data={"org_code": "JS-EDU", "preset": "teachers-7day", "start_day": start}
    )
    assert response.status_code == 303
    campaign = db.session.scalar(select(Campaign))
    assert campaign.published_at is None and campaign.title == "教职工健步走"

    refused = client.post(
        f"/admin/campaigns/{campaign.id}", data={**EDIT, "start_day": start, "daily_cap": "5000"}
    )
    assert "每日上限低于达标步数" in text_of(refused.data)
    saved = client.post(
        f"/admin/campaigns/{campaign.id}", data={**EDIT, "start_day": start, "settle_start": "20:00"}
    )
    assert saved.status_code == 303
    db.session.refresh(campaign)
    assert campaign.title == "秋季健步走" and campaign.rules["grace_minutes"] == 30
    assert campaign.rules["settle_window"] == {"start": "20:00:00", "end": "23:59:59"}

    client.post(f"/admin/campaigns/{campaign.id}/publish")
    db.session.refresh(campaign)
    assert campaign.published_at is not None


def test_started_campaigns_keep_their_counting_rules(client, tree, make_user, login):
    campaign = running_campaign(tree["edu"])
    login(make_user(admin_of=tree["edu"]))
    data = {**EDIT, "start_day": campaign.start_day.isoformat(), "qualify_steps": "3000"}
    response = client.post(f"/admin/campaigns/{campaign.id}", data=data)
    assert "活动已开始" in text_of(response.data)
    db.session.refresh(campaign)
    assert campaign.rules["qualify_steps"] == 6000


def test_create_only_for_unions_in_scope(client, tree, make_user, login):
    login(make_user(admin_of=tree["edu"]))
    response = client.post(
        "/admin/campaigns/new", data={"org_code": "JS-NJ", "preset": "eco-walk", "start_day": "2027-01-01"}
    )
    assert "只能操作你所管理的工会" in text_of(response.data)
    assert db.session.scalar(select(Campaign)) is None


def test_partner_token_is_shown_once(client, tree, make_user, login):
    campaign = running_campaign(tree["edu"])
    login(make_user(admin_of=tree["edu"]))
    response = client.post(f"/admin/campaigns/{campaign.id}/partner-tokens", data={"name": "步数平台"})
    assert response.status_code == 303
    page = client.get(f"/admin/campaigns/{campaign.id}").data.decode()
    assert re.search(r'data-testid="new-token">jbz_', page)
    assert "jbz_" not in client.get(f"/admin/campaigns/{campaign.id}").data.decode()
    assert db.session.scalar(select(ApiToken.campaign_id)) == campaign.id


def test_steps_import_preview_then_confirm(client, tree, make_user, login):
    import io

    from tests.campaign_helpers import enrolled, member_of

    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    login(make_user(admin_of=tree["edu"]))
    csv = f"手机号,日期,步数\n{member.phone},{today_local()},9000\n123,{today_local()},x\n".encode()
    preview = client.post(
        f"/admin/campaigns/{campaign.id}/steps-import",
        data={"file": (io.BytesIO(csv), "steps.csv")},
        content_type="multipart/form-data",
    )
    page = text_of(preview.data)
    assert "可导入行数 1" in page and "不能导入的行数 1" in page
    response = client.post(f"/admin/campaigns/{campaign.id}/steps-import/confirm")
    assert response.status_code == 303
    assert "已导入 1 天的步数" in text_of(client.get(response.headers["Location"]).data)
    not_a_sheet = client.post(
        f"/admin/campaigns/{campaign.id}/steps-import",
        data={"file": (io.BytesIO(b"\x89PNG\r\n"), "x.png")},
        content_type="multipart/form-data",
    )
    assert "不是 CSV 或 Excel" in text_of(not_a_sheet.data)
