"""A member makes a personal token, uses it like an iOS Shortcut would, and revokes it."""

import json
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local


def call(base: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{base}/api/v1/steps",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_make_use_and_revoke_a_token(live_server, page, tree, make_user, screenshot):
    base = live_server
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    sign_in(page, base, member.phone)
    page.get_by_role("button", name="个人 API 令牌").click()
    page.get_by_label("令牌用途").fill("iPhone 快捷指令")
    page.get_by_role("button", name="生成令牌").click()
    token = page.get_by_test_id("new-token").inner_text()
    screenshot(page, "token-1-shown-once")

    status, body = call(
        base, token, {"campaign_id": campaign.id, "day": today_local().isoformat(), "steps": 7321}
    )
    assert status == 200 and body["qualified"] is True

    page.get_by_role("link", name="如何用 iPhone 快捷指令自动上报步数").click()
    expect(page.get_by_test_id("campaign-numbers")).to_contain_text(f"{campaign.title}{campaign.id}")
    expect(page.get_by_test_id("steps-url")).to_have_text(f"{base}/api/v1/steps")
    screenshot(page, "token-2-shortcut-guide")
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="个人 API 令牌").click()
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown once only
    page.reload()
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown once only
    page.get_by_role("button", name="撤销").click()
    expect(page.get_by_text("令牌已撤销")).to_be_visible()
    status, body = call(
        base, token, {"campaign_id": campaign.id, "day": today_local().isoformat(), "steps": 1}
    )
    assert status == 401 and body["error"]["code"] == "invalid_token"
