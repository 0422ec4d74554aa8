"""An admin works through the approval queue at a desk: the decider shown, the page approved at once."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal.extensions import db
from tests.browser.test_membership_flows import sign_in
from tests.membership_helpers import apply


def test_an_admin_approves_every_application_of_the_page_at_once(
    desktop_page: Page, live_server, tree, make_user, screenshot
):
    make_user(admin_of=tree["edu"], phone="13900000081", real_name="孙佳明")
    for number in range(3):
        apply(make_user(real_name=f"钱{'一二三'[number]}"), tree["njmu"])
    db.session.commit()
    sign_in(desktop_page, live_server, "13900000081")
    desktop_page.goto(f"{live_server}/admin/applications/")
    screenshot(desktop_page, "approvals-1-queue-1280")
    desktop_page.get_by_role("button", name="通过本页全部 3 份").click()
    expect(desktop_page.get_by_text("已通过 3 份，跳过 0 份")).to_be_visible()
    desktop_page.goto(f"{live_server}/admin/applications/?status=all")
    expect(desktop_page.get_by_text("孙佳明").first).to_be_visible()  # who decided, on every row
    screenshot(desktop_page, "approvals-2-decided-1280")
