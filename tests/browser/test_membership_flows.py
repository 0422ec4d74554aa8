"""Joining, transferring and being rejected, as a member and an admin would do it on their phones."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.membership.applications import approve_application
from tests.conftest import DEFAULT_PASSWORD
from tests.membership_helpers import apply

SEARCH_ANSWER = re.compile(r".*/membership/\w+/union\?.*q=")


def sign_in(page: Page, base: str, phone: str) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(f"{base}/me/")


def walk_the_wizard(
    page: Page,
    base: str,
    button: str,
    category: str,
    region: str,
    search: str,
    union: str,
    shot=None,
    prefix="",
    javascript=True,
):
    page.goto(f"{base}/me/")
    page.get_by_role("button", name=button).click()
    page.get_by_label(category).check()
    if shot:
        shot(page, f"{prefix}1-category")
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("所属地区（产业）").select_option(label=region)
    page.get_by_role("button", name="下一步").click()
    searchbox = page.get_by_role("searchbox", name="按工会名称搜索")
    expect(searchbox).to_be_visible()  # the union step's page has come
    if javascript:
        page.wait_for_load_state("load")  # htmx (a deferred script) listens from here on
        with page.expect_response(SEARCH_ANSWER):  # answered in place, after the 300 ms pause
            searchbox.fill(search)
    else:
        searchbox.fill(search)
        page.get_by_role("button", name="搜索").click()  # without htmx the search is a plain GET form
    option = page.get_by_label(union)
    expect(option).to_be_visible()  # with htmx, answered in place as the member types
    if shot:
        shot(page, f"{prefix}2-union-search")
    option.check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name=re.compile("申请书"))).to_be_visible()
    page.get_by_role("button", name="获取验证码").click()
    code = page.get_by_test_id("demo-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    page.get_by_label("短信验证码").fill(code.inner_text())
    page.get_by_label("我已阅读申请书并同意").check()
    if shot:
        shot(page, f"{prefix}3-letter")
    page.get_by_role("button", name="同意并提交").click()
    expect(page).to_have_url(f"{base}/me/")
    expect(page.get_by_text("申请已提交")).to_be_visible()


def test_join_then_admin_approves_then_member_sees_it(
    live_server, page, another_page, tree, make_user, screenshot
):
    base = live_server
    member = make_user(real_name="林晓雨")
    admin = make_user(admin_of=tree["edu"], real_name="孙佳明")

    sign_in(page, base, member.phone)
    walk_the_wizard(
        page,
        base,
        "申请入会",
        "机关事业单位职工",
        "江苏省教育科技工会",
        "医科",
        "南京医科大学工会",
        screenshot,
        "join-",
    )
    expect(page.get_by_text("待审核")).to_be_visible()
    screenshot(page, "join-4-pending")

    sign_in(another_page, base, admin.phone)
    another_page.goto(f"{base}/admin/applications/")
    row = another_page.locator("article.application", has_text="林晓雨")
    expect(row).to_contain_text("南京医科大学工会")
    screenshot(another_page, "admin-1-queue")
    row.get_by_role("button", name="通过").click()
    expect(row).to_contain_text("已通过")  # the row was swapped in place
    screenshot(another_page, "admin-2-approved")

    page.reload()
    expect(page.get_by_test_id("unread-badge")).to_have_text(re.compile("1"))
    expect(page.locator("#membership")).to_contain_text("南京医科大学工会")
    screenshot(page, "join-5-member")
    page.get_by_role("link", name=re.compile("消息")).click()
    expect(page.get_by_text("你已成为南京医科大学工会会员。")).to_be_visible()
    screenshot(page, "join-6-notification")


def test_transfer_is_approved_and_history_kept(live_server, page, another_page, tree, make_user, screenshot):
    base = live_server
    member = make_user(real_name="韩梅")
    platform = make_user(platform_admin=True)
    approve_application(platform, apply(member, tree["nj_company"]))
    db.session.commit()

    sign_in(page, base, member.phone)
    walk_the_wizard(
        page,
        base,
        "申请转会",
        "企业职工",
        "江苏省教育科技工会",
        "南京医科",
        "南京医科大学工会",
        screenshot,
        "transfer-",
    )

    sign_in(another_page, base, platform.phone)
    another_page.goto(f"{base}/admin/applications/?kind=transfer")
    row = another_page.locator("article.application", has_text="韩梅")
    expect(row).to_contain_text("紫金公司工会")
    row.get_by_role("button", name="通过").click()
    expect(row).to_contain_text("已通过")

    page.reload()
    membership = page.locator("#membership")
    expect(membership).to_contain_text("南京医科大学工会")
    expect(membership).to_contain_text("会籍记录")
    expect(membership).to_contain_text("紫金公司工会")
    screenshot(page, "transfer-4-history")


def test_rejection_with_its_reason(live_server, page, another_page, tree, make_user, screenshot):
    base = live_server
    member = make_user(real_name="郭静")
    apply(member, tree["njmu"])
    admin = make_user(admin_of=tree["njmu"])

    sign_in(another_page, base, admin.phone)
    another_page.goto(f"{base}/admin/applications/")
    row = another_page.locator("article.application", has_text="郭静")
    row.get_by_text("驳回", exact=True).click()
    row.get_by_role("button", name="确认驳回").click()
    expect(row).to_contain_text("请填写驳回理由")  # nothing decided without a reason
    row = another_page.locator("article.application", has_text="郭静")
    row.get_by_text("驳回", exact=True).click()
    row.get_by_label("驳回理由").fill("请先在单位工会办理登记")
    screenshot(another_page, "reject-1-reason")
    row.get_by_role("button", name="确认驳回").click()
    expect(row).to_contain_text("已驳回")

    sign_in(page, base, member.phone)
    expect(page.get_by_text("理由：请先在单位工会办理登记")).to_be_visible()
    expect(page.get_by_test_id("unread-badge")).to_be_visible()
    screenshot(page, "reject-2-member")


def test_join_works_without_javascript(live_server, page_without_js, tree, make_user, screenshot):
    base = live_server
    member = make_user(real_name="许晴")
    sign_in(page_without_js, base, member.phone)
    walk_the_wizard(
        page_without_js,
        base,
        "申请入会",
        "新就业形态劳动者",
        "南京市总工会",
        "紫金",
        "紫金公司工会",
        screenshot,
        "nojs-join-",
        javascript=False,
    )
    expect(page_without_js.get_by_text("待审核")).to_be_visible()


def test_a_chosen_union_survives_a_search_answered_late(live_server, page, tree, make_user):
    """A member taps a union while their search is still on its way: the late answer swaps the list, and
    the union they chose stays chosen (hx-preserve), so 下一步 goes on instead of asking again."""
    base = live_server
    sign_in(page, base, make_user(real_name="周慢慢").phone)
    page.goto(f"{base}/me/")
    page.get_by_role("button", name="申请入会").click()
    page.get_by_label("机关事业单位职工").check()
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("所属地区（产业）").select_option(label="江苏省教育科技工会")
    page.get_by_role("button", name="下一步").click()
    held = []
    # Hold the search's answer until the member has chosen.
    expect(page.get_by_role("searchbox", name="按工会名称搜索")).to_be_visible()
    page.wait_for_load_state("load")  # htmx listens from here on
    page.route(SEARCH_ANSWER, lambda route: held.append(route))
    page.get_by_role("searchbox", name="按工会名称搜索").fill("医科")
    for _ in range(50):  # the 300 ms debounce sends the search, which then waits
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1
    option = page.get_by_label("南京医科大学工会")
    option.check()
    with page.expect_response(SEARCH_ANSWER):
        held[0].continue_()
    page.wait_for_timeout(200)  # htmx swaps the list
    expect(option).to_be_checked()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name=re.compile("申请书"))).to_be_visible()
