"""A member hides their name from public boards in the personal center, on a phone, and it stays so."""

from playwright.sync_api import expect

from tests.browser.test_membership_flows import sign_in


def test_hide_my_name_from_public_boards(live_server, page, make_user, screenshot):
    member = make_user(real_name="欧阳明月")
    sign_in(page, live_server, member.phone)
    choice = page.get_by_label("在公开排行榜上隐藏我的姓名（仍计入排名，我自己仍能看到名次）")
    expect(choice).not_to_be_checked()
    choice.check()
    page.locator("#boards").get_by_role("button", name="保存").click()
    expect(page.get_by_text("已在公开排行榜上隐藏你的姓名。")).to_be_visible()
    page.reload()
    expect(choice).to_be_checked()
    screenshot(page, "me-boards-hidden")
