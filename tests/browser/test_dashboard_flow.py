"""A provincial admin drills down the participation dashboard from the province to a grassroots union and
downloads the table as Excel, on a phone (390 px) and on a desktop (1280 px); an admin publishes an
announcement that a member reads from their home page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.extensions import db
from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import member_of
from tests.dashboard_helpers import campaign_with_walkers


@pytest.mark.parametrize("device", ["page", "desktop_page"])
def test_admin_drills_down_and_downloads_the_table(request, device, live_server, tree, make_user, screenshot):
    page = request.getfixturevalue(device)
    campaign = campaign_with_walkers(
        tree,
        make_user,
        org="js",
        walkers=["nj_company", "nj_company", "njmu"],
        quotas={"nj": 4, "nj_company": 3, "edu": 1},
    )
    admin = make_user(admin_of=tree["js"])
    db.session.commit()

    sign_in(page, live_server, admin.phone)
    page.get_by_role("button", name="进入管理后台").click()
    page.get_by_role("button", name="参与情况看板").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("江苏省总工会")
    expect(page.get_by_test_id("total-participants")).to_contain_text("3")
    behind = page.get_by_test_id("child-row").filter(has_text="南京市总工会")
    expect(behind).to_contain_text("未达指标")  # 2 of 4
    expect(page.locator("#chart-active")).to_be_visible()
    screenshot(page, f"dashboard-1-province-{device}")

    behind.get_by_role("link", name="南京市总工会").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("南京市总工会")
    with page.expect_download() as download:
        page.get_by_test_id("participation-export").click()
    assert download.value.suggested_filename.startswith(f"participation-{campaign.id}-JS-NJ-")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).worksheets[0]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[2][:5] == ("紫金公司工会", 2, 2, 3, round(2 / 3, 4))
    assert rows[-1][0] == "合计：南京市总工会" and rows[-1][2] == 2
    screenshot(page, f"dashboard-2-city-{device}")

    page.get_by_role("link", name="紫金公司工会").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("紫金公司工会")
    expect(page.get_by_test_id("total-participants")).to_contain_text("2")
    expect(page.get_by_text("该工会下没有下级组织。")).to_be_visible()
    page.get_by_role("link", name="江苏省总工会").click()  # back up by the breadcrumb
    expect(page.get_by_role("heading", level=1)).to_have_text("江苏省总工会")
    screenshot(page, f"dashboard-3-grassroots-{device}")


def test_an_announcement_reaches_a_member(serve_portal, page, another_page, tree, make_user, screenshot):
    base = serve_portal()
    admin = make_user(admin_of=tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    db.session.commit()

    sign_in(page, base, admin.phone)
    page.goto(f"{base}/admin/announcements/")
    page.get_by_label("标题").fill("周六健步走开赛")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("请输入正文。")).to_be_visible()  # the title is kept
    expect(page.get_by_label("标题")).to_have_value("周六健步走开赛")
    page.get_by_label("正文").fill("请各基层工会组织会员于周六上午九点在玄武湖集合。")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("已向江苏省教育科技工会及其下属工会的会员发布。")).to_be_visible()
    expect(page.get_by_test_id("read-count")).to_have_text("已读 0 人")
    screenshot(page, "announcement-1-published")

    sign_in(another_page, base, member.phone)  # their home page lists it, marked new
    expect(another_page.locator(".announcements li.unread")).to_contain_text("周六健步走开赛")
    screenshot(another_page, "announcement-2-home")
    another_page.get_by_role("link", name="周六健步走开赛").click()
    expect(another_page.get_by_text("玄武湖集合")).to_be_visible()
    screenshot(another_page, "announcement-3-read")

    page.reload()
    expect(page.get_by_test_id("read-count")).to_have_text("已读 1 人")
