"""Enrol → check in → report steps → see the day qualify in the calendar, on a phone."""

from playwright.sync_api import expect

from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import member_of, running_campaign


def test_enrol_check_in_report_and_qualify(live_server, page, tree, make_user, screenshot):
    base = live_server
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(real_name="周敏"), tree["njmu"])
    sign_in(page, base, member.phone)
    page.get_by_role("link", name="活动").click()
    page.get_by_role("link", name=campaign.title).click()
    page.get_by_label("参赛单位").select_option(label="基础医学院分工会")
    screenshot(page, "campaign-1-enrol")
    page.get_by_role("button", name="报名").click()
    expect(page.get_by_text("报名成功")).to_be_visible()

    page.get_by_role("button", name="签到").click()
    expect(page.get_by_text("今日签到成功")).to_be_visible()
    page.get_by_label("今日步数").fill("4200")
    page.get_by_role("button", name="上报步数").click()
    expect(page.get_by_test_id("today-reason")).to_have_text("未达标：距 6,000 步还差 1,800 步")
    screenshot(page, "campaign-2-short")
    page.get_by_label("今日步数").fill("8200")
    page.get_by_role("button", name="上报步数").click()
    expect(page.get_by_test_id("today-reason")).to_have_text("已达标：8,200 步")

    page.reload()
    first_day = page.locator(".day-list li").first
    expect(first_day).to_contain_text("已达标：8,200 步")
    expect(first_day).to_have_class("qualified")
    expect(page.locator("#trend-chart")).to_be_visible()
    screenshot(page, "campaign-3-calendar")
