"""Tree management, admin appointments, the audit log and member import pages."""

import io

from sqlalchemy import select

from portal.extensions import db
from portal.models import Membership, Organisation, UnionAdminRole
from tests.conftest import fresh_id_number
from tests.support import text_of


def test_add_rename_and_move_within_scope(client, tree, make_user, login):
    login(make_user(admin_of=tree["edu"]))
    response = client.post(
        f"/admin/orgs/{tree['njmu'].id}/children",
        data={"name": "护理学院分工会", "code": "JS-EDU-NJMU-9", "kind": "unit", "quota": "120"},
    )
    assert response.status_code == 303
    child = db.session.scalar(select(Organisation).where(Organisation.code == "JS-EDU-NJMU-9"))
    assert child.parent_id == tree["njmu"].id and child.quota == 120
    duplicate = client.post(
        f"/admin/orgs/{tree['njmu'].id}/children",
        data={"name": "重复", "code": "JS-EDU-NJMU-9", "kind": "unit"},
    )
    assert "该组织代码已被使用" in text_of(duplicate.data)

    response = client.post(f"/admin/orgs/{child.id}/edit", data={"name": "护理学院工会", "quota": "150"})
    assert response.status_code == 303
    db.session.refresh(child)
    assert (child.name, child.quota) == ("护理学院工会", 150)

    response = client.post(f"/admin/orgs/{child.id}/move", data={"parent_code": "JS-NJ"})
    assert "只能操作你所管理的工会" in text_of(response.data)
    response = client.post(f"/admin/orgs/{child.id}/move", data={"parent_code": "NOPE"})
    assert "没有使用该代码的组织" in text_of(response.data)
    response = client.post(f"/admin/orgs/{tree['njmu'].id}/move", data={"parent_code": child.code})
    assert "不能移动到自身或其下级组织之下" in text_of(response.data)
    response = client.post(f"/admin/orgs/{child.id}/move", data={"parent_code": "JS-EDU"})
    assert response.status_code == 303
    db.session.refresh(child)
    assert child.parent_id == tree["edu"].id and child.depth == 2


def test_bad_numbers_in_forms_get_chinese_messages(client, tree, make_user, login):
    login(make_user(admin_of=tree["edu"]))
    response = client.post(f"/admin/orgs/{tree['njmu'].id}/edit", data={"name": "x", "quota": "-5"})
    assert "请输入整数人数" in text_of(response.data)


def test_admins_are_appointed_below_their_own_node_only(client, tree, make_user, login):
    admin, candidate = make_user(admin_of=tree["edu"]), make_user()
    login(admin)
    assert "任命管理员" not in text_of(client.get(f"/admin/orgs/{tree['edu'].id}").data)
    response = client.post(f"/admin/orgs/{tree['edu'].id}/admins", data={"phone": candidate.phone})
    assert response.status_code == 200 and "你只能为下级工会任命管理员" in text_of(response.data)
    response = client.post(f"/admin/orgs/{tree['njmu'].id}/admins", data={"phone": "13800000009"})
    assert "该手机号尚未注册" in text_of(response.data)
    response = client.post(f"/admin/orgs/{tree['njmu'].id}/admins", data={"phone": candidate.phone})
    assert response.status_code == 303
    assert (
        db.session.scalar(
            select(UnionAdminRole.organisation_id).where(UnionAdminRole.user_id == candidate.id)
        )
        == tree["njmu"].id
    )
    audit = text_of(client.get("/admin/audit").data)
    assert "admin.grant" in audit
    page = text_of(client.get(f"/admin/orgs/{tree['njmu'].id}").data)
    assert "撤销" in page
    response = client.post(f"/admin/orgs/{tree['njmu'].id}/admins/{candidate.id}/revoke")
    assert response.status_code == 303
    assert db.session.scalar(select(UnionAdminRole).where(UnionAdminRole.user_id == candidate.id)) is None
    assert "撤销了管理员" in text_of(client.get("/admin/audit").data)


def test_audit_log_shows_only_entries_in_scope(client, tree, make_user, login):
    make_user(admin_of=tree["xa"])  # an entry about 西安
    login(make_user(admin_of=tree["edu"]))
    page = text_of(client.get("/admin/audit").data)
    assert str(tree["xa"].id) not in page or "SX-XA" not in page
    assert page.count("admin.grant") == 1  # only the grant on 江苏省教育科技工会 itself


def _csv(rows):
    text = "\n".join(",".join(row) for row in [["姓名", "手机号", "身份证号", "单位代码"], *rows])
    return io.BytesIO(text.encode("utf-8-sig"))


def test_import_preview_then_confirm(client, tree, make_user, login):
    login(make_user(admin_of=tree["edu"]))
    data = {
        "org_code": "JS-EDU",
        "file": (
            _csv(
                [
                    ["王芳", "13912340001", fresh_id_number(), "JS-EDU-NJMU-1"],
                    ["坏行", "123", "x", "JS-EDU-NJMU-1"],
                ]
            ),
            "m.csv",
        ),
    }
    preview = client.post("/admin/import/", data=data, content_type="multipart/form-data")
    page = text_of(preview.data)
    assert "导入预览" in page and "不能导入的行数 1" in page and "请输入11位中国大陆手机号" in page
    assert db.session.scalar(select(Membership)) is None  # nothing written yet
    response = client.post("/admin/import/confirm")
    assert response.status_code == 303
    assert "新建账号 1 个，新增会员 1 人" in text_of(client.get(response.headers["Location"]).data)
    assert client.post("/admin/import/confirm").status_code == 303  # the preview is spent
    assert "预览已过期" in text_of(client.get("/admin/import/").data)


def test_import_refuses_what_is_not_a_spreadsheet_and_targets_out_of_scope(client, tree, make_user, login):
    login(make_user(admin_of=tree["edu"]))
    picture = {"org_code": "JS-EDU", "file": (io.BytesIO(b"\x89PNG\r\n\x1a\nrest"), "photo.png")}
    page = text_of(client.post("/admin/import/", data=picture, content_type="multipart/form-data").data)
    assert "不是 CSV 或 Excel" in page
    outside = {"org_code": "JS-NJ", "file": (_csv([]), "m.csv")}
    page = text_of(client.post("/admin/import/", data=outside, content_type="multipart/form-data").data)
    assert "只能操作你所管理的工会" in page
    missing = {"org_code": "JS-EDU"}
    page = text_of(client.post("/admin/import/", data=missing, content_type="multipart/form-data").data)
    assert "请选择要导入的文件" in page
