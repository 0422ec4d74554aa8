"""A member agrees to location processing, uploads a GPX walk, and sees a health day."""

from playwright.sync_api import expect

from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import enrolled, gpx_track, member_of, running_campaign


def test_upload_a_walk(live_server, page, tree, make_user, screenshot, walk_start):
    base = live_server
    campaign = running_campaign(tree["edu"], "eco-walk")
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    track = gpx_track(walk_start)

    sign_in(page, base, member.phone)
    page.goto(f"{base}/campaigns/{campaign.id}")
    expect(page.get_by_label("跑步或步行的 GPX 文件（最大 5 MB）")).to_have_count(
        0
    )  # no upload before consent
    page.get_by_label("我同意平台读取").check()
    page.get_by_role("button", name="同意", exact=True).click()
    page.get_by_label("跑步或步行的 GPX 文件").set_input_files(
        files=[{"name": "walk.gpx", "mimeType": "application/gpx+xml", "buffer": track}]
    )
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("运动记录已保存")).to_be_visible()
    expect(page.locator(".day-list li").first).to_contain_text("健康日")
    screenshot(page, "run-1-health-day")
