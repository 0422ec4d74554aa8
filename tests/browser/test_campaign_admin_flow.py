"""A union admin creates a campaign from a preset, is stopped by contradictory rules, and publishes."""

from datetime import timedelta

from playwright.sync_api import expect

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
