"""Member import: reading CSV and XLSX, checking every row, importing idempotently by ID number."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.common.errors import MissingColumns, NotASpreadsheet
from portal.common.pii import decrypt_text
from portal.extensions import db
from portal.identity.accounts import ID_NUMBER_CONTEXT, masked_id_number
from portal.models import AuditEntry, MemberCategory, Membership, User
from portal.workflows.member_import import check_rows, import_rows, read_member_file
from tests.conftest import fresh_id_number

HEADER = ["姓名", "手机号", "身份证号", "单位代码"]


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8-sig", header=HEADER) -> bytes:
    return "\n".join(",".join(row) for row in [header, *rows]).encode(encoding)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_reads_xlsx_with_numbers_typed_as_numbers_and_chinese_headers():
    records = read_member_file(xlsx([["王芳", 13912345678, "320102199003150025", "JS-EDU-NJMU-1"]]), "m.xlsx")
    assert records == [
        {
            "name": "王芳",
            "phone": "13912345678",
            "id_number": "320102199003150025",
            "unit_code": "JS-EDU-NJMU-1",
        }
    ]


def test_reads_gbk_csv_as_excel_in_china_saves_it():
    data = csv_bytes([["王芳", "13912345678", "320102199003150025", "U1"]], encoding="gb18030")
    assert read_member_file(data, "members.csv")[0]["name"] == "王芳"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "photo.png"),
        (b"\x00\x01\x02", "members.csv"),
        (b"PK\x03\x04broken", "m.xlsx"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(app, data, name):
    with pytest.raises(NotASpreadsheet) as raised:
        read_member_file(data, name)
    assert "不是 CSV 或 Excel" in str(raised.value.message)


def test_missing_columns_are_named(app):
    with pytest.raises(MissingColumns) as raised:
        read_member_file(csv_bytes([["x", "y"]], header=["姓名", "电话"]), "m.csv")
    assert "手机号" in str(raised.value.message) and "身份证号" in str(raised.value.message)


def test_every_broken_row_gets_its_reasons_and_good_rows_import_once(app, tree, make_user):
    good_id, other_id = fresh_id_number(), fresh_id_number()
    records = read_member_file(
        csv_bytes(
            [
                ["王芳", "13912340001", good_id, "JS-EDU-NJMU-1"],
                ["李强", "1391234", "320102199003150026", "JS-EDU-NJMU-1"],  # bad phone, bad checksum
                ["赵敏", "13912340003", other_id, "NOPE"],  # unknown unit
                ["钱多", "13912340004", fresh_id_number(), "JS-NJ-1"],  # outside the import's root
                ["孙丽", "13912340005", good_id, "JS-EDU-NJMU-1"],  # same ID as line 2
                ["周杰", "13912340001", fresh_id_number(), "JS-EDU-NJMU"],  # same phone as line 2
            ]
        ),
        "m.csv",
    )
    rows = check_rows(tree["edu"], records)
    assert [row.ok for row in rows] == [True, False, False, False, False, False]
    assert any("手机号" in e for e in rows[1].errors) and any("校验位" in e for e in rows[1].errors)
    assert "没有该代码" in rows[2].errors[0] and "没有该代码" in rows[3].errors[0]
    assert "第 2 行重复" in rows[4].errors[0] and "第 2 行重复" in rows[5].errors[0]

    outcome = import_rows(None, tree["edu"], rows, source="m.csv")
    db.session.commit()
    assert (outcome.accounts_created, outcome.memberships_started) == (1, 1)
    user = db.session.scalar(select(User).where(User.phone == "13912340001"))
    assert user.real_name == "王芳" and masked_id_number(user).endswith(good_id[-4:])
    assert user.password_hash is None  # signs in with an SMS code
    assert db.session.scalar(select(AuditEntry.action)) == "members.import"

    # The same file again changes nothing.
    again = import_rows(None, tree["edu"], check_rows(tree["edu"], records), source="m.csv")
    db.session.commit()
    assert (again.accounts_created, again.memberships_started, again.unchanged) == (0, 0, 1)
    assert _count(User) == 1 and _count(Membership) == 1


def test_existing_people_are_recognised_and_never_moved_from_another_union(app, tree, make_user):
    registered_without_profile = make_user(profile=False)
    phone_owner = make_user()
    elsewhere = make_user()
    db.session.add(
        Membership(user_id=elsewhere.id, organisation_id=tree["nj_company"].id, category=MemberCategory.OTHER)
    )
    db.session.commit()
    elsewhere_id = decrypt_text(elsewhere.id_number_cipher, context=ID_NUMBER_CONTEXT)
    records = [
        {
            "name": "陈晨",
            "phone": registered_without_profile.phone,
            "id_number": fresh_id_number(),
            "unit_code": "JS-EDU-NJMU",
        },
        {"name": "刘洋", "phone": "13912340009", "id_number": "", "unit_code": "JS-EDU-NJMU"},
        {
            "name": "何平",
            "phone": phone_owner.phone,
            "id_number": fresh_id_number(),
            "unit_code": "JS-EDU-NJMU",
        },
        {
            "name": elsewhere.real_name,
            "phone": elsewhere.phone,
            "id_number": elsewhere_id,
            "unit_code": "JS-EDU-NJMU",
        },
    ]
    rows = check_rows(tree["edu"], records)
    assert rows[0].ok and rows[0].existing == registered_without_profile  # the import completes the profile
    assert not rows[1].ok
    assert "另一身份证号" in rows[2].errors[0]
    assert "需由本人申请转会" in rows[3].errors[0]  # reported, not moved
