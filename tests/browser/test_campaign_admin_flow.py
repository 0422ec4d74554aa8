"""A union admin creates a campaign from a preset, is stopped by contradictory rules, and publishes; the
checklist holds back a campaign whose question bank is short until the admin fills it."""

from datetime import timedelta

from playwright.sync_api import expect

from portal.extensions import db
from portal.workflows.campaign_setup import create_campaign
from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import today_local


def test_admin_creates_and_publishes_a_campaign(live_server, page, tree, make_user, screenshot):
    base = live_server
    admin = make_user(admin_of=tree["edu"])
    sign_in(page, base, admin.phone)
    page.goto(f"{base}/admin/")
    page.get_by_role("button", name="活动").click()
    page.get_by_role("button", name="从模板新建活动").click()
    page.get_by_label("举办工会（代码）").fill("JS-EDU")
    page.get_by_label("规则模板").select_option("motherland-100")
    page.get_by_label("第一天").fill((today_local() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_text("已创建")).to_be_visible()

    page.get_by_label("每日上限（留空表示不限）").fill("5000")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("每日上限低于达标步数")).to_be_visible()
    screenshot(page, "admin-campaign-1-refused")
    page.get_by_label("每日上限（留空表示不限）").fill("12000")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存")).to_be_visible()
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("已发布")).to_be_visible()
    screenshot(page, "admin-campaign-2-published")


def test_the_checklist_holds_publishing_until_the_question_bank_is_filled(
    live_server, page, tree, make_user, screenshot, tmp_path
):
    base = live_server
    admin = make_user(admin_of=tree["edu"])
    campaign = create_campaign(
        admin, tree["edu"], preset="eco-walk", start_day=today_local() + timedelta(days=3)
    )
    db.session.commit()
    sign_in(page, base, admin.phone)
    page.goto(f"{base}/admin/campaigns/{campaign.id}")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("还不能发布，尚缺：题库至少有 5 道题")).to_be_visible()
    screenshot(page, "admin-campaign-3-checklist")

    page.get_by_role("link", name="题库至少有 5 道题").click()
    bank = tmp_path / "bank.csv"
    bank.write_text("题目,选项,答案\n" + "".join(f"第{n}题？,对|错,A\n" for n in range(5)), encoding="utf-8")
    page.get_by_label("题库文件（CSV 或 Excel）").set_input_files(str(bank))
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_text("已导入 5 道题")).to_be_visible()
    page.get_by_role("link", name=campaign.title).click()
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("已发布")).to_be_visible()
