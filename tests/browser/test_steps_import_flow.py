"""A union admin imports a spreadsheet of steps: preview with the refused rows, then confirm."""

from playwright.sync_api import expect

from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local


def test_import_steps(live_server, page, tree, make_user, screenshot):
    base = live_server
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    admin = make_user(admin_of=tree["edu"])
    csv = f"手机号,日期,步数\n{member.phone},{today_local()},9000\n1391234,{today_local()},8000\n".encode()

    sign_in(page, base, admin.phone)
    page.goto(f"{base}/admin/campaigns/{campaign.id}")
    page.get_by_role("button", name="从表格导入步数").click()
    page.get_by_label("表格文件（.xlsx 或 .csv）").set_input_files(
        files=[{"name": "steps.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.get_by_role("button", name="检查文件").click()
    expect(page.get_by_test_id("rows-ready")).to_have_text("1")
    expect(page.get_by_text("请输入11位中国大陆手机号")).to_be_visible()
    screenshot(page, "steps-import-1-preview")
    page.get_by_role("button", name="导入 1 行有效数据").click()
    expect(page.get_by_text("已导入 1 天的步数")).to_be_visible()
