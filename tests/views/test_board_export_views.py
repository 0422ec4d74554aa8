"""Boards too large for a page request are exported in the background: the admin pages offer a
form instead of a link, the admin's list follows the export until it is ready, and only they download it."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.boards.export_files import run_board_export
from portal.extensions import db
from portal.models import BoardExport
from tests.campaign_helpers import board_of_three

LIST = {"HX-Request": "true", "HX-Target": "export_list"}


@pytest.fixture
def page_limit_of_two(app):
    app.config["BOARD_EXPORT_MAX_ROWS"] = 2
    yield
    app.config["BOARD_EXPORT_MAX_ROWS"] = 150_000


def downloaded(client, export_id: int):
    return client.get(f"/admin/exports/{export_id}.xlsx")


def sheet_ranks(response) -> list:
    rows = load_workbook(io.BytesIO(response.data), read_only=True).active.iter_rows(values_only=True)
    return [row[0] for row in list(rows)[2:]]


def the_export() -> BoardExport:
    return db.session.scalars(select(BoardExport)).one()


def test_a_board_too_large_for_the_page_is_written_in_the_background(
    page_limit_of_two, client, login, tree, make_user
):
    campaign = board_of_three(tree, make_user)
    login(make_user(admin_of=tree["js"]))
    page = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    background = f'action="/admin/campaigns/{campaign.id}/boards/individual/export"'
    assert background in page and "全榜 3 行，后台生成" in page and "我的导出文件" in page
    assert f'href="/admin/campaigns/{campaign.id}/boards/individual.xlsx"' not in page
    # The address of the page's export still answers, with what to do instead.
    refused = client.get(f"/admin/campaigns/{campaign.id}/boards/individual.xlsx")
    assert refused.status_code == 303 and refused.headers["Location"].endswith("#boards")
    told = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "这份排行榜有 3 行，网页直接导出最多 2 行。请点击导出按钮在后台生成" in told

    asked = client.post(f"/admin/campaigns/{campaign.id}/boards/individual/export")
    assert asked.status_code == 303 and asked.headers["Location"].endswith("/admin/exports/")
    listing = client.get("/admin/exports/").get_data(as_text=True)
    assert "正在后台生成导出文件" in listing and "生成中" in listing and 'hx-trigger="every 3s"' in listing
    assert client.post(f"/admin/campaigns/{campaign.id}/boards/individual/export").status_code == 303
    export = the_export()  # a second click while it is written asks for nothing more

    run_board_export(export.id)
    polled = client.get("/admin/exports/", headers=LIST).get_data(as_text=True)
    assert polled.lstrip().startswith('<section id="export_list"') and "<html" not in polled
    assert "已完成" in polled and "3 行" in polled and "hx-trigger" not in polled  # ready: no more asking
    download = downloaded(client, export.id)
    assert download.status_code == 200
    assert f"ranking-{campaign.id}-individual-" in download.headers["Content-Disposition"]
    assert sheet_ranks(download) == [1, 2, 3]


def test_only_the_admin_who_asked_downloads_the_file(page_limit_of_two, client, login, tree, make_user):
    campaign = board_of_three(tree, make_user)
    login(make_user(admin_of=tree["js"]))
    client.post(f"/admin/campaigns/{campaign.id}/boards/individual/export")
    run_board_export(the_export().id)
    export_id = the_export().id
    client.post("/auth/logout")
    login(make_user(admin_of=tree["js"]))  # an admin of the same union
    assert downloaded(client, export_id).status_code == 404
    assert f"/admin/exports/{export_id}.xlsx" not in client.get("/admin/exports/").get_data(as_text=True)


def test_the_dashboard_exports_its_nodes_rows_in_the_background(
    page_limit_of_two, client, login, tree, make_user
):
    campaign = board_of_three(tree, make_user)
    login(make_user(admin_of=tree["nj"]))
    page = client.get(f"/admin/dashboard/{campaign.id}?org={tree['nj'].id}").get_data(as_text=True)
    action = f"/admin/dashboard/{campaign.id}/boards/individual/export?org={tree['nj'].id}"
    assert f'action="{action}"' in page
    assert client.post(action).status_code == 303
    run_board_export(the_export().id)
    assert "南京市总工会" in client.get("/admin/exports/").get_data(as_text=True)
    download = downloaded(client, the_export().id)
    assert "-JS-NJ-" in download.headers["Content-Disposition"]
    assert sheet_ranks(download) == [2]  # the city's one member, with their whole-board rank


def test_a_failed_export_offers_to_ask_again(page_limit_of_two, client, login, tree, make_user, monkeypatch):
    from portal.boards import export_files as board_export_files

    campaign = board_of_three(tree, make_user)
    login(make_user(admin_of=tree["js"]))
    client.post(f"/admin/campaigns/{campaign.id}/boards/individual/export")

    def broken(*args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(board_export_files, "export_board", broken)
    run_board_export(the_export().id)
    listing = client.get("/admin/exports/").get_data(as_text=True)
    assert "生成失败" in listing and f'href="/admin/campaigns/{campaign.id}#boards"' in listing
    assert downloaded(client, the_export().id).status_code == 404
