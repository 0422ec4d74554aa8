"""The approval queue: scope, filters, search, inline decisions (htmx fragments) and bulk approval."""

from portal.extensions import db
from portal.membership.applications import approve_application
from portal.models import ApplicationKind, ApplicationStatus, OrgKind
from portal.orgs.tree import create_org
from tests.membership_helpers import apply
from tests.support import text_of

HTMX = {"HX-Request": "true"}


def test_queue_lists_only_applications_in_scope(client, tree, make_user, login):
    apply(make_user(real_name="王芳"), tree["njmu"])
    apply(make_user(real_name="李强"), tree["nj_company"])
    login(make_user(admin_of=tree["edu"]))
    page = text_of(client.get("/admin/applications/").data)
    assert "王芳" in page and "李强" not in page and "共 1 份申请" in page


def test_search_by_name_last_digits_and_masked_phone(client, tree, make_user, login):
    first = make_user(real_name="王芳")
    apply(first, tree["njmu"])
    apply(make_user(real_name="李强"), tree["nj_company"])
    login(make_user(admin_of=tree["js"]))
    masked = f"{first.phone[:3]}****{first.phone[-4:]}"
    for query in ("王芳", first.phone[-4:], masked):
        page = text_of(client.get("/admin/applications/", query_string={"q": query}).data)
        assert "王芳" in page and "李强" not in page, query
    page = text_of(client.get("/admin/applications/", query_string={"union": "紫金"}).data)
    assert "李强" in page and "王芳" not in page
    page = text_of(client.get("/admin/applications/", query_string={"kind": "transfer"}).data)
    assert "没有符合条件的申请" in page
    page = text_of(client.get("/admin/applications/", query_string={"from": "2999-01-01"}).data)
    assert "没有符合条件的申请" in page


def test_inline_approve_swaps_the_row(client, tree, make_user, login):
    application = apply(make_user(real_name="王芳"), tree["njmu"])
    login(make_user(admin_of=tree["edu"]))
    target = f"application-{application.id}"
    response = client.post(
        f"/admin/applications/{application.id}/approve", headers={**HTMX, "HX-Target": target}
    )
    body = response.data.decode()
    assert body.strip().startswith(f'<article id="{target}"') and "已通过" in text_of(body)
    assert "<html" not in body
    again = client.post(
        f"/admin/applications/{application.id}/approve", headers={**HTMX, "HX-Target": target}
    )
    assert "该申请已被处理或已撤回" in text_of(again.data)


def test_an_htmx_approval_without_a_row_to_swap_goes_back_to_the_queue(client, tree, make_user, login):
    application = apply(make_user(real_name="王芳"), tree["njmu"])
    login(make_user(admin_of=tree["edu"]))
    response = client.post(f"/admin/applications/{application.id}/approve", headers=HTMX)  # no HX-Target
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/applications/")
    db.session.expire_all()
    assert application.status is ApplicationStatus.APPROVED
    assert "已通过" in text_of(client.get("/admin/applications/?status=all").data)


def test_reject_needs_a_reason(client, tree, make_user, login):
    application = apply(make_user(), tree["njmu"])
    login(make_user(admin_of=tree["njmu"]))
    target = {**HTMX, "HX-Target": f"application-{application.id}"}
    response = client.post(
        f"/admin/applications/{application.id}/reject", data={"reason": " "}, headers=target
    )
    assert "请填写驳回理由" in text_of(response.data)
    db.session.refresh(application)
    assert application.status is ApplicationStatus.PENDING
    response = client.post(f"/admin/applications/{application.id}/reject", data={"reason": "非本单位职工"})
    assert response.status_code == 303
    db.session.refresh(application)
    assert application.status is ApplicationStatus.REJECTED and application.reject_reason == "非本单位职工"


def test_forged_or_out_of_scope_application_ids_are_404(client, tree, make_user, login):
    application = apply(make_user(), tree["njmu"])
    login(make_user(admin_of=tree["nj"]))
    assert client.post(f"/admin/applications/{application.id}/approve").status_code == 404
    assert client.post("/admin/applications/999999/approve").status_code == 404


def test_bulk_approve_skips_what_it_cannot(client, tree, make_user, login):
    admin = make_user(admin_of=tree["js"])
    mine = [apply(make_user(), tree["njmu"]), apply(make_user(), tree["nj_company"])]
    decided = apply(make_user(), tree["njmu"])
    approve_application(admin, decided)
    db.session.commit()
    unselected = apply(make_user(), tree["njmu"])  # in scope and pending, but not in the selection
    xa_union = create_org(
        code="SX-XA-1", name="西安某公司工会", kind=OrgKind.GRASSROOTS_UNION, parent=tree["xa"]
    )
    db.session.commit()
    outside = apply(make_user(), xa_union)
    login(admin)
    ids = [a.id for a in (*mine, decided, outside)]
    response = client.post("/admin/applications/bulk-approve", data={"ids": [str(i) for i in ids]})
    assert response.status_code == 303
    page = text_of(client.get("/admin/applications/?status=all").data)
    assert "已通过 2 份，跳过 2 份" in page
    for application in (*mine, outside, unselected):
        db.session.refresh(application)
    assert [a.status for a in mine] == [ApplicationStatus.APPROVED] * 2
    assert outside.status is ApplicationStatus.PENDING and unselected.status is ApplicationStatus.PENDING
    assert client.post("/admin/applications/bulk-approve", data={}).status_code == 303


def test_transfer_rows_show_where_from(client, tree, make_user, login):
    member, admin = make_user(), make_user(platform_admin=True)
    approve_application(admin, apply(member, tree["nj_company"]))
    db.session.commit()
    apply(member, tree["njmu"], ApplicationKind.TRANSFER)
    login(admin)
    page = text_of(client.get("/admin/applications/").data)
    assert "转会" in page and "转出工会 紫金公司工会" in page


def test_every_pending_application_of_the_page_is_approved_in_one_click(client, tree, make_user, login):
    """No checkbox to tick (and none needed without JavaScript): the page's pending applications go along."""
    admin = make_user(admin_of=tree["edu"])
    waiting = [apply(make_user(), tree["njmu"]) for _ in range(3)]
    login(admin)
    page = text_of(client.get("/admin/applications/").data)
    assert "通过本页全部 3 份" in page
    on_page = [str(application.id) for application in waiting]
    response = client.post(
        "/admin/applications/bulk-approve", data={"every": "page", "on_page": on_page, "ids": []}
    )
    assert response.status_code == 303
    for application in waiting:
        db.session.refresh(application)
    assert {application.status for application in waiting} == {ApplicationStatus.APPROVED}
