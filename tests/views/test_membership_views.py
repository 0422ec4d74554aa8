"""The join/transfer wizard and the personal center over HTTP (the no-JavaScript path, plus htmx search)."""

import re

from sqlalchemy import event, select

from portal.extensions import db
from portal.membership.applications import approve_application, reject_application
from portal.models import Application, ApplicationStatus
from tests.membership_helpers import apply
from tests.support import text_of


def walk_to_confirm(client, tree, kind="join", union=None):
    assert client.post(f"/membership/{kind}/category", data={"category": "enterprise"}).status_code == 303
    assert client.post(f"/membership/{kind}/region", data={"region": tree["edu"].id}).status_code == 303
    response = client.post(f"/membership/{kind}/union", data={"union": (union or tree["njmu"]).id})
    assert response.status_code == 303 and response.headers["Location"] == f"/membership/{kind}/confirm"


def submit(client, sms_outbox, user, kind="join"):
    client.post(f"/membership/{kind}/code")
    return client.post(
        f"/membership/{kind}/confirm", data={"code": sms_outbox.last_code(user.phone), "agree": "y"}
    )


def test_join_wizard_end_to_end(client, tree, make_user, login, sms_outbox):
    member = make_user()
    login(member)
    assert client.get("/membership/join/").headers["Location"] == "/membership/join/category"
    walk_to_confirm(client, tree)
    page = text_of(client.get("/membership/join/confirm").data)
    assert "入会申请书" in page and "本人自愿加入工会" in page and "南京医科大学工会" in page
    assert member.real_name in page and "企业职工" in page
    response = submit(client, sms_outbox, member)
    assert response.status_code == 303 and response.headers["Location"] == "/me/"
    center = text_of(client.get("/me/").data)
    assert "申请已提交" in center and "待审核" in center and "撤回申请" in center


def test_going_back_shows_earlier_answers(client, tree, make_user, login):
    login(make_user())
    walk_to_confirm(client, tree)
    assert re.search(r'checked[^>]*value="enterprise"', client.get("/membership/join/category").data.decode())
    region_page = client.get("/membership/join/region").data.decode()
    assert re.search(rf'selected[^>]*value="{tree["edu"].id}"', region_page)
    assert f'value="{tree["njmu"].id}" checked' in client.get("/membership/join/union").data.decode()


def test_steps_cannot_be_skipped(client, tree, make_user, login):
    login(make_user())
    assert client.get("/membership/join/confirm").headers["Location"] == "/membership/join/category"


def test_union_search_answers_htmx_with_the_results_only(client, tree, make_user, login):
    login(make_user())
    client.post("/membership/join/category", data={"category": "enterprise"})
    client.post("/membership/join/region", data={"region": tree["edu"].id})
    response = client.get(
        "/membership/join/union?q=医科", headers={"HX-Request": "true", "HX-Target": "union_results"}
    )
    body = response.data.decode()
    assert body.strip().startswith('<div id="union_results"') and "南京医科大学工会" in body
    assert "<html" not in body
    nothing = client.get(
        "/membership/join/union?q=不存在", headers={"HX-Request": "true", "HX-Target": "union_results"}
    )
    assert "没有匹配的工会" in text_of(nothing.data)


def test_a_union_outside_the_region_or_a_forged_id_is_refused(client, tree, make_user, login):
    login(make_user())
    client.post("/membership/join/category", data={"category": "enterprise"})
    client.post("/membership/join/region", data={"region": tree["edu"].id})
    for forged in (tree["nj_company"].id, tree["edu"].id, 999_999):
        response = client.post("/membership/join/union", data={"union": forged})
        assert response.status_code == 200 and "请从列表中选择基层工会" in text_of(response.data)
    response = client.post("/membership/join/region", data={"region": tree["njmu"].id})  # not a region
    assert "请选择你的单位所属的市总工会或产业工会" in text_of(response.data)


def test_member_without_profile_is_sent_to_complete_it_and_brought_back(client, tree, make_user, login):
    login(make_user(profile=False))
    response = client.get("/membership/join/category")
    assert response.headers["Location"] == "/me/profile?next=/membership/join/category"
    response = client.post(
        "/me/profile?next=/membership/join/category",
        data={"real_name": "李文静", "id_number": "320102199003150025", "next": "/membership/join/category"},
    )
    assert response.headers["Location"] == "/membership/join/category"


def test_second_pending_application_is_refused(client, tree, make_user, login):
    member = make_user()
    apply(member, tree["njmu"])
    login(member)
    response = client.get("/membership/join/category")
    assert response.headers["Location"] == "/me/"
    assert "你有一份申请正在等待审核" in text_of(client.get("/me/").data)


def test_wrong_code_keeps_the_wizard(client, tree, make_user, login, sms_outbox):
    member = make_user()
    login(member)
    walk_to_confirm(client, tree)
    client.post("/membership/join/code")
    code = sms_outbox.last_code(member.phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post("/membership/join/confirm", data={"code": wrong, "agree": "y"})
    assert "验证码错误" in text_of(response.data) and "入会申请书" in text_of(response.data)
    assert db.session.scalar(select(Application)) is None


def test_withdraw_own_application_only(app, client, tree, make_user, login):
    member, other = make_user(), make_user()
    application = apply(member, tree["njmu"])
    login(other)
    assert client.post(f"/membership/applications/{application.id}/withdraw").status_code == 404
    member_client = app.test_client()
    member_client.post("/auth/login", data={"phone": member.phone, "password": "steady-walker-42"})
    assert member_client.post(f"/membership/applications/{application.id}/withdraw").status_code == 303
    db.session.refresh(application)
    assert application.status is ApplicationStatus.WITHDRAWN


def test_center_shows_membership_history_rejection_and_notifications(client, tree, make_user, login):
    member, admin = make_user(), make_user(platform_admin=True)
    approve_application(admin, apply(member, tree["nj_company"]))
    db.session.commit()
    transfer = apply(
        member,
        tree["njmu"],
        kind=__import__("portal.models", fromlist=["ApplicationKind"]).ApplicationKind.TRANSFER,
    )
    reject_application(admin, transfer, "请提供新单位证明")
    db.session.commit()
    login(member)
    page = text_of(client.get("/me/").data)
    assert "紫金公司工会" in page and "已驳回" in page and "请提供新单位证明" in page and "申请转会" in page
    assert 'data-testid="unread-badge">2' in client.get("/me/").data.decode()
    notes = text_of(client.get("/me/notifications").data)
    assert "申请已通过" in notes and "申请未通过" in notes
    assert "unread-badge" not in client.get("/me/").data.decode()


def test_the_header_badge_is_read_with_the_signed_in_user_in_one_statement(client, tree, make_user, login):
    member, admin = make_user(), make_user(platform_admin=True)
    approve_application(admin, apply(member, tree["nj_company"]))
    db.session.commit()
    login(member)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    for expected in ("1", None):
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = client.get("/campaigns/").data.decode()
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        badge = 'data-testid="unread-badge">1' in page
        assert badge == (expected is not None)
        assert not any("FROM notifications" in s and "FROM users" not in s for s in statements), statements
        statements.clear()
        client.get("/me/notifications")  # opening the list reads them all
