"""A member appeals a day held for review; the union admin clears it; the member sees it counted."""

from playwright.sync_api import expect

from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import ReportSource
from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local


def test_appeal_and_review(live_server, page, another_page, tree, make_user, screenshot):
    base = live_server
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(real_name="陈静"), tree["njmu"])
    admin = make_user(admin_of=tree["edu"])  # everyone exists before the browsers start (see conftest)
    report_steps(
        enrolled(member, campaign, tree["njmu"]), day=today_local(), steps=77777, source=ReportSource.API
    )
    db.session.commit()

    sign_in(page, base, member.phone)
    page.goto(f"{base}/campaigns/{campaign.id}")
    day = page.locator(".day-list li").first
    expect(day).to_contain_text("待审核")
    day.get_by_text("申诉", exact=True).click()
    day.get_by_label("申诉说明").fill("今天走了全程马拉松，手环数据")
    screenshot(page, "flag-1-appeal")
    day.get_by_role("button", name="提交申诉").click()
    expect(page.get_by_text("申诉已提交")).to_be_visible()

    sign_in(another_page, base, admin.phone)
    another_page.goto(f"{base}/admin/campaigns/flags")
    expect(another_page.get_by_text("今天走了全程马拉松")).to_be_visible()
    expect(another_page.locator(".facts")).to_contain_text("步数为重复数字，疑似刷步工具所致。")
    expect(another_page.locator(".facts")).not_to_contain_text("原因：")  # the label says it already
    screenshot(another_page, "flag-2-review")
    another_page.get_by_role("button", name="属实，计入").click()
    expect(another_page.get_by_text("没有待审核的数据")).to_be_visible()

    page.reload()
    expect(page.locator(".day-list li").first).to_contain_text("工会已审核：计入")
    expect(page.locator(".day-list li").first).to_contain_text("已达标")
