"""A union admin appoints an admin below their node and revokes them, at a desk, then on a phone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_membership_flows import sign_in


def test_an_admin_appoints_and_revokes_an_admin_below_their_node(
    desktop_page: Page, page: Page, live_server, tree, make_user, screenshot
):
    make_user(admin_of=tree["edu"], phone="13900000071")
    make_user(phone="13900000072", real_name="吴新任")
    sign_in(desktop_page, live_server, "13900000071")
    desktop_page.goto(f"{live_server}/admin/orgs/{tree['njmu'].id}")
    desktop_page.get_by_text("任命管理员").click()
    desktop_page.get_by_label("新管理员的手机号").fill("13900000072")
    desktop_page.get_by_role("button", name="任命", exact=True).click()
    expect(desktop_page.get_by_text("13900000072 已成为")).to_be_visible()
    revoke = desktop_page.get_by_role("button", name="撤销 139****0072 的管理员身份")
    expect(revoke).to_be_visible()
    screenshot(desktop_page, "admin-roles-1-appointed-1280")

    sign_in(page, live_server, "13900000071")  # the same admin on a phone
    page.goto(f"{live_server}/admin/orgs/{tree['njmu'].id}")
    screenshot(page, "admin-roles-2-phone-390")
    page.get_by_role("button", name="撤销 139****0072 的管理员身份").click()
    expect(page.get_by_text("139****0072 已不再是")).to_be_visible()
    expect(page.get_by_text("本级未任命")).to_be_visible()
    screenshot(page, "admin-roles-3-revoked-390")
