"""No spreadsheet the portal writes holds a formula, whatever members and admins named things
(OWASP "CSV Injection"): every ``.xlsx`` route of the URL map is downloaded with hostile names in the
data and its cells read back with openpyxl."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from portal.boards.export_files import request_board_export, run_board_export
from portal.campaigns.rules import BoardKind
from portal.common.spreadsheets import FORMULA_STARTS, as_text_cell
from portal.extensions import db
from portal.models import Organisation
from tests.views.test_authorization_matrix import MATRIX, _path, _signed_in, people  # noqa: F401

HOSTILE = '=HYPERLINK("http://e.vil","点我")'


def test_a_text_that_looks_like_a_formula_is_written_as_text():
    for start in FORMULA_STARTS:
        assert as_text_cell(start + "1+1") == "'" + start + "1+1"
    assert as_text_cell("张三") == "张三" and as_text_cell(-5) == -5 and as_text_cell(None) is None


def test_every_workbook_route_writes_hostile_names_as_text(app, tree, people):  # noqa: F811
    people["member_a"].real_name = HOSTILE
    people["team"].name = "+HYPERLINK(1)"
    db.session.get(Organisation, tree["njmu"].id).name = "@SUM(1,2)"
    people["campaign"].title = "-2+3"
    db.session.commit()
    export = request_board_export(people["platform"], people["campaign"], BoardKind.INDIVIDUAL)
    db.session.commit()
    run_board_export(export.id)
    people["export"] = export
    client = _signed_in(app, people, "platform")
    routes = sorted(endpoint for endpoint, row in MATRIX.items() if row[0] == "GET" and ".xlsx" in row[1])
    assert len(routes) >= 7, routes  # boards, dashboard, approvals, winners, addresses, background files
    checked = 0
    for endpoint in routes:
        response = client.get(_path(tree, people, MATRIX[endpoint][1]))
        assert response.status_code == 200, endpoint
        workbook = load_workbook(io.BytesIO(response.data))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (endpoint, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(FORMULA_STARTS), (endpoint, cell.value)
                        checked += cell.value.startswith("'")
    assert checked >= len(routes)  # every workbook met at least one hostile name
