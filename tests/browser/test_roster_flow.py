"""A grassroots admin keeps the roster: finds a member, moves them to a unit, mends the name, ends the
membership; at a desk and on a phone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import member_of


def test_an_admin_finds_moves_renames_and_ends_a_member(
    desktop_page: Page, page: Page, live_server, tree, make_user, screenshot
):
    make_user(admin_of=tree["edu"], phone="13900000091")
    member_of(make_user(real_name="钱小明", phone="13912340001"), tree["njmu"])
    member_of(make_user(real_name="赵丽", phone="13912340002"), tree["njmu"])
    roster = f"{live_server}/admin/orgs/{tree['njmu'].id}/members/"

    sign_in(desktop_page, live_server, "13900000091")
    desktop_page.goto(f"{live_server}/admin/orgs/{tree['njmu'].id}")
    desktop_page.get_by_role("button", name="会员名册").click()
    expect(desktop_page.get_by_text("2 人")).to_be_visible()
    desktop_page.get_by_label("姓名、手机尾号4位或脱敏手机号").fill("0001")
    desktop_page.get_by_role("button", name="搜索").click()
    expect(desktop_page.get_by_role("link", name="钱小明")).to_be_visible()
    expect(desktop_page.get_by_role("link", name="赵丽")).to_have_count(0)
    screenshot(desktop_page, "roster-1-search-1280")
    desktop_page.get_by_role("link", name="钱小明").click()
    desktop_page.get_by_text("调整所在单位").click()
    desktop_page.get_by_label("新的单位").select_option(label="基础医学院分工会")
    desktop_page.get_by_role("button", name="调整", exact=True).click()
    expect(desktop_page.get_by_text("基础医学院分工会").first).to_be_visible()
    desktop_page.get_by_text("更正姓名").click()
    desktop_page.get_by_label("姓名（与身份证一致）").fill("钱晓明")
    desktop_page.get_by_role("button", name="保存").click()
    expect(desktop_page.get_by_role("heading", name="钱晓明")).to_be_visible()
    screenshot(desktop_page, "roster-2-member-1280")

    sign_in(page, live_server, "13900000091")  # the same admin on a phone ends the other membership
    page.goto(roster)
    screenshot(page, "roster-3-list-390")
    page.get_by_role("link", name="赵丽").click()
    page.get_by_text("终止会籍").first.click()
    page.get_by_role("button", name="终止会籍").click()  # no reason: refused, nothing ends
    expect(page.get_by_text("请填写终止原因")).to_be_visible()
    page.get_by_label("终止原因").fill("调离本单位")
    page.get_by_role("button", name="终止会籍").click()
    expect(page.get_by_text("会籍已终止")).to_be_visible()
    screenshot(page, "roster-4-ended-390")
    page.goto(roster)
    expect(page.get_by_text("1 人")).to_be_visible()
