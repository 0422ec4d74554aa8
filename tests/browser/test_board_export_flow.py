"""A union admin exports a board too large for a page request, on a phone (390 px): the campaign's page
offers it in the background, their list of exports shows it being written and turns to ready in place
(htmx), and the file downloads; without JavaScript the same, with the list reloaded by its link."""

from __future__ import annotations

import io
import threading

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.boards import export_files as board_export_files
from portal.extensions import db
from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import board_of_three


@pytest.fixture
def exporting_portal(serve_portal, monkeypatch):
    """Builder: the portal served with a page limit of two rows and export jobs in its own threads,
    each job waiting for the returned gate before it writes (so the page can be seen meanwhile)."""
    gate = threading.Event()
    write = board_export_files.export_board

    def held(*args, **kwargs):
        gate.wait(timeout=30)
        return write(*args, **kwargs)

    monkeypatch.setattr(board_export_files, "export_board", held)

    def start() -> tuple[str, threading.Event]:
        return serve_portal(BOARD_EXPORT_MAX_ROWS=2, BOARD_EXPORT_IN_PROCESS=True), gate

    return start


def test_admin_exports_a_large_board_in_the_background(exporting_portal, page, tree, make_user, screenshot):
    campaign = board_of_three(tree, make_user)
    admin = make_user(admin_of=tree["js"])
    db.session.commit()
    base, gate = exporting_portal()

    sign_in(page, base, admin.phone)
    page.goto(f"{base}/admin/campaigns/{campaign.id}#boards")
    expect(page.get_by_role("button", name="导出个人排行榜")).to_contain_text("全榜 3 行，后台生成")
    screenshot(page, "board-export-1-offered")
    page.get_by_role("button", name="导出个人排行榜").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("我的导出文件")
    expect(page.get_by_role("status").first).to_contain_text("正在后台生成导出文件")
    entry = page.locator("#export_list li").first
    expect(entry).to_contain_text("生成中")
    screenshot(page, "board-export-2-being-written")
    gate.set()
    expect(entry).to_contain_text("已完成", timeout=15_000)  # the list asked for itself, in place
    expect(entry).to_contain_text("3 行")
    screenshot(page, "board-export-3-ready")
    with page.expect_download() as download:
        entry.get_by_role("button", name="下载").click()
    assert download.value.suggested_filename.startswith(f"ranking-{campaign.id}-individual-")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("名次", "姓名") and [row[0] for row in rows[2:]] == [1, 2, 3]

    page.goto(f"{base}/admin/")  # later, back to the file from the admin's home
    screenshot(page, "board-export-5-admin-home")
    page.get_by_role("button", name="我的导出文件").click()
    expect(page.locator("#export_list li").first).to_contain_text("已完成")


def test_without_javascript_the_list_is_reloaded_by_its_link(
    exporting_portal, page_without_js, tree, make_user, screenshot
):
    page = page_without_js
    campaign = board_of_three(tree, make_user)
    admin = make_user(admin_of=tree["nj"])
    db.session.commit()
    base, gate = exporting_portal()

    sign_in(page, base, admin.phone)
    page.goto(f"{base}/admin/dashboard/{campaign.id}?org={tree['nj'].id}#boards")
    screenshot(page, "board-export-4-dashboard-no-js")
    page.get_by_role("button", name="导出个人排行榜").click()
    entry = page.locator("#export_list li").first
    expect(entry).to_contain_text("南京市总工会")
    expect(entry).to_contain_text("生成中")
    gate.set()
    for _ in range(20):  # as a person would: reload until it is ready
        page.get_by_role("link", name="刷新列表").click()
        if "已完成" in entry.inner_text():
            break
    expect(entry).to_contain_text("已完成")
    expect(entry).to_contain_text("1 行")
    with page.expect_download() as download:
        entry.get_by_role("button", name="下载").click()
    assert "-JS-NJ-" in download.value.suggested_filename
