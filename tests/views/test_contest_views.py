"""Works-collection pages: the admin's forms, submitting with uploads, review, voting in place with htmx and
without JavaScript, the public gallery, share links and results, and bad input answered in Chinese."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Contest, ContestVote, ContestWork, WorkKind, WorkStatus
from tests.campaign_helpers import member_of, today_local
from tests.conftest import DEFAULT_PASSWORD
from tests.contest_helpers import approved, at, category, open_collection, photo_work
from tests.route_helpers import photo_bytes
from tests.support import text_of


def _signed_in(client, user):
    """A second browser, signed in as ``user``."""
    other = client.application.test_client()
    assert (
        other.post("/auth/login", data={"phone": user.phone, "password": DEFAULT_PASSWORD}).status_code == 303
    )
    return other


def _admin(tree, make_user):
    return make_user(admin_of=tree["js"], real_name="李秀兰")


def test_an_admin_opens_a_collection_and_bad_dates_are_explained_keeping_the_input(
    client, tree, make_user, login
):
    login(_admin(tree, make_user))
    today = today_local()
    form = {
        "org_code": "JS",
        "title": "网络正能量摄影作品征集",
        "rules": "原创摄影作品",
        "submit_from": str(today),
        "submit_until": str(today + timedelta(days=10)),
        "vote_from": str(today + timedelta(days=12)),
        "vote_until": str(today + timedelta(days=11)),
        "results_on": str(today + timedelta(days=20)),
        "votes_per_day": "5",
        "categories": ["0", "1"],
    }
    refused = client.post("/admin/contests/new", data=form)
    assert refused.status_code == 200
    page = text_of(refused.data)
    assert "投票截止日期不能早于投票开始日期" in page
    assert "网络正能量摄影作品征集" in refused.data.decode()
    assert db.session.scalar(select(func.count()).select_from(Contest)) == 0
    form["vote_until"] = str(today + timedelta(days=15))
    created = client.post("/admin/contests/new", data=form)
    assert created.status_code == 303
    contest = db.session.scalar(select(Contest))
    assert [c.name for c in contest.categories] == ["摄影作品", "微视频"] and contest.opened_at is None
    assert client.post(f"/admin/contests/{contest.id}/open").status_code == 303
    db.session.refresh(contest)
    assert contest.opened_at is not None


def test_an_admin_of_another_tree_cannot_reach_the_collection(client, tree, make_user, login):
    contest = open_collection(tree["js"])
    login(make_user(admin_of=tree["sx"]))
    assert client.get(f"/admin/contests/{contest.id}").status_code == 404
    assert client.get(f"/admin/contests/{contest.id}/review").status_code == 404
    refused = client.post("/admin/contests/new", data={"org_code": "JS", "title": "x"})
    assert refused.status_code == 200


def _submit(client, contest, **fields):
    data = {
        "category": str(category(contest, WorkKind.PHOTO).id),
        "title": "检修一线",
        "body": "",
        "video_url": "",
    }
    data.update(fields)
    return client.post(f"/contests/{contest.id}/submit", data=data, content_type="multipart/form-data")


def test_a_member_submits_a_photo_work_which_waits_for_review(client, tree, make_user, login):
    contest = open_collection(tree["js"])
    author = member_of(make_user(real_name="张一明"), tree["njmu"])
    login(author)
    response = _submit(client, contest, photos=[(io.BytesIO(photo_bytes(gps=True)), "shot.jpg")])
    assert response.status_code == 303
    work = db.session.scalar(select(ContestWork))
    assert work.status is WorkStatus.PENDING and len(work.images) == 1
    assert "检修一线" in text_of(client.get(f"/contests/{contest.id}/mine").data)
    # Not in the gallery, and its page and photo are the author's and the admins' only.
    assert "检修一线" not in text_of(client.get(f"/contests/{contest.id}").data)
    assert client.get(f"/contests/works/{work.id}/photos/{work.images[0].id}").status_code == 200
    other = client.application.test_client()
    assert other.get(f"/contests/works/{work.id}").status_code == 404
    assert other.get(f"/contests/works/{work.id}/photos/{work.images[0].id}").status_code == 404


def test_bad_submissions_are_explained_in_chinese_and_keep_what_was_typed(client, tree, make_user, login):
    contest = open_collection(tree["js"])
    login(member_of(make_user(), tree["njmu"]))
    no_photo = text_of(_submit(client, contest, body="我的说明文字").data)
    assert "至少" in no_photo and "我的说明文字" in no_photo
    video = str(category(contest, WorkKind.VIDEO).id)
    elsewhere = _submit(client, contest, category=video, video_url="https://example.com/v.mp4")
    page = text_of(elsewhere.data)
    assert "bilibili.com" in page and "https://example.com/v.mp4" in elsewhere.data.decode()
    other = open_collection(tree["js"], title="另一个征集")
    forged = _submit(
        client, contest, category=str(other.categories[0].id), photos=[(io.BytesIO(photo_bytes()), "a.jpg")]
    )
    assert forged.status_code == 200 and db.session.scalar(select(func.count()).select_from(ContestWork)) == 0


def test_a_work_edited_after_the_window_closes_is_refused_and_kept(client, tree, make_user, login):
    contest = open_collection(tree["js"], submit=(-3, 3))
    author = member_of(make_user(), tree["njmu"])
    work = photo_work(contest, author)
    contest.submit_until = today_local() - timedelta(days=1)
    db.session.commit()
    login(author)
    response = client.post(
        f"/contests/works/{work.id}/edit",
        data={"category": str(work.category_id), "title": "改过的标题", "body": "", "video_url": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "征集已截止" in text_of(response.data)
    assert "改过的标题" in response.data.decode()
    db.session.expire_all()
    assert db.session.get(ContestWork, work.id).title == "晨光中的工地"


def test_someone_else_cannot_edit_a_work(client, tree, make_user, login):
    contest = open_collection(tree["js"])
    work = approved(photo_work(contest, member_of(make_user(), tree["njmu"])), _admin(tree, make_user))
    login(member_of(make_user(), tree["njmu"]))
    assert client.get(f"/contests/works/{work.id}/edit").status_code == 404
    assert client.post(f"/contests/works/{work.id}/edit", data={"title": "x"}).status_code == 404


def test_review_approves_into_the_gallery_and_a_rejection_needs_its_reason(client, tree, make_user, login):
    contest = open_collection(tree["js"])
    author = member_of(make_user(real_name="张一明"), tree["njmu"])
    first, second = photo_work(contest, author, title="第一幅"), photo_work(contest, author, title="第二幅")
    login(_admin(tree, make_user))
    queue = text_of(client.get(f"/admin/contests/{contest.id}/review").data)
    assert "第一幅" in queue and "第二幅" in queue
    url = f"/admin/contests/{contest.id}/works/{{}}/review"
    assert (
        client.post(
            url.format(first.id), data={"revision": first.revision, "decision": "approve"}
        ).status_code
        == 303
    )
    no_reason = client.post(url.format(second.id), data={"revision": second.revision, "decision": "reject"})
    assert "理由" in text_of(client.get(no_reason.headers["Location"]).data)
    client.post(
        url.format(second.id), data={"revision": second.revision, "decision": "reject", "reason": "画面模糊"}
    )
    stale = client.post(
        url.format(first.id), data={"revision": first.revision - 1 or 99, "decision": "reject", "reason": "x"}
    )
    assert "修改" in text_of(client.get(stale.headers["Location"]).data)
    gallery = text_of(client.get(f"/contests/{contest.id}").data)
    assert "第一幅" in gallery and "第二幅" not in gallery
    own = _signed_in(client, author)
    assert "画面模糊" in text_of(own.get(f"/contests/{contest.id}/mine").data)


def test_voting_with_htmx_updates_the_count_in_place(client, tree, make_user, login):
    contest = open_collection(tree["js"], votes_per_day=3)
    work = approved(photo_work(contest, member_of(make_user(), tree["njmu"])), _admin(tree, make_user))
    login(member_of(make_user(), tree["nj_company"]))
    headers = {"HX-Request": "true", "HX-Target": f"vote-{work.id}"}
    first = client.post(f"/contests/works/{work.id}/vote", headers=headers)
    fragment = first.data.decode()
    assert first.status_code == 200 and fragment.lstrip().startswith(f'<div id="vote-{work.id}"')
    assert 'data-testid="vote-count">1<' in fragment and "今日还可投 2 票" in text_of(fragment)
    again = client.post(f"/contests/works/{work.id}/vote", headers=headers)
    assert again.status_code == 422 and "今天已经" in text_of(again.data)
    assert 'data-testid="vote-count">1<' in again.data.decode()
    assert db.session.scalar(select(func.count()).select_from(ContestVote)) == 1


def test_voting_without_javascript_returns_to_the_page_with_a_message(client, tree, make_user, login):
    contest = open_collection(tree["js"])
    work = approved(photo_work(contest, member_of(make_user(), tree["njmu"])), _admin(tree, make_user))
    login(member_of(make_user(), tree["nj_company"]))
    response = client.post(
        f"/contests/works/{work.id}/vote", data={"next": f"/contests/{contest.id}?sort=votes"}
    )
    assert (
        response.status_code == 303 and response.headers["Location"] == f"/contests/{contest.id}?sort=votes"
    )
    page = text_of(client.get(response.headers["Location"]).data)
    assert "感谢投票" in page
    assert "今日已投" in page
    outside = client.post(f"/contests/works/{work.id}/vote", data={"next": "https://evil.example/"})
    assert outside.headers["Location"] == f"/contests/works/{work.id}"


def test_votes_outside_the_window_and_forged_ids_are_refused(client, tree, make_user, login):
    contest = open_collection(tree["js"], vote=(1, 3), results=4)
    author = member_of(make_user(), tree["njmu"])
    work = approved(photo_work(contest, author), _admin(tree, make_user))
    pending = photo_work(contest, author, title="待审")
    login(member_of(make_user(), tree["nj_company"]))
    early = client.post(
        f"/contests/works/{work.id}/vote", headers={"HX-Request": "true", "HX-Target": f"vote-{work.id}"}
    )
    assert early.status_code == 422 and "尚未开始" in text_of(early.data)
    assert client.post(f"/contests/works/{pending.id}/vote").status_code == 404
    assert client.post("/contests/works/999999/vote").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ContestVote)) == 0


def test_a_member_outside_the_subtree_sees_the_gallery_but_cannot_vote(client, tree, make_user, login):
    contest = open_collection(tree["js"])
    work = approved(photo_work(contest, member_of(make_user(), tree["njmu"])), _admin(tree, make_user))
    login(member_of(make_user(), tree["xa"]))
    assert "仅限" in text_of(client.get(f"/contests/works/{work.id}").data)
    refused = client.post(
        f"/contests/works/{work.id}/vote", headers={"HX-Request": "true", "HX-Target": f"vote-{work.id}"}
    )
    assert refused.status_code == 422 and "仅限" in text_of(refused.data)


def test_the_share_link_and_the_results_are_public(client, tree, make_user, login):
    contest = open_collection(tree["js"], submit=(-5, -2), vote=(-2, -1), results=0)
    author = member_of(make_user(real_name="张一明"), tree["njmu"])
    work = approved(
        photo_work(contest, author, now=at(today_local() - timedelta(days=3))), _admin(tree, make_user)
    )
    anonymous = client.application.test_client()
    page = text_of(anonymous.get(f"/contests/works/{work.id}").data)
    assert "晨光中的工地" in page and "张*明" in page and "张一明" not in page
    assert f"/contests/works/{work.id}" in anonymous.get(f"/contests/works/{work.id}").data.decode()
    login(_admin(tree, make_user))
    assert "请先评出" in text_of(client.post(f"/admin/contests/{contest.id}/results/publish").data)
    added = client.post(
        f"/admin/contests/{contest.id}/results", data={"work": work.id, "award": "一等奖", "position": 1}
    )
    assert added.status_code == 303
    assert client.post(f"/admin/contests/{contest.id}/results/publish").status_code == 303
    results = text_of(anonymous.get(f"/contests/{contest.id}/results").data)
    assert "一等奖" in results and "晨光中的工地" in results
    again = client.post(f"/admin/contests/{contest.id}/results", data={"work": work.id, "award": "二等奖"})
    assert again.status_code == 200


def test_a_collection_without_categories_is_not_opened_and_categories_are_managed(
    client, tree, make_user, login
):
    from portal.contests.contest import Windows, create_contest

    today = today_local()
    contest = create_contest(
        None,
        tree["js"],
        title="案例征集",
        rules="",
        windows=Windows(*[today] * 5),
        votes_per_day=3,
        categories=[],
    )
    db.session.commit()
    login(_admin(tree, make_user))
    refused = client.post(f"/admin/contests/{contest.id}/open")
    page = text_of(refused.data)
    assert "请先添加至少一个类别" in page and 'value="案例征集"' in refused.data.decode()
    empty = client.post(f"/admin/contests/{contest.id}/categories", data={"name": "", "kind": "text"})
    assert "请填写类别名称" in text_of(empty.data)
    added = client.post(
        f"/admin/contests/{contest.id}/categories", data={"name": "维权服务案例", "kind": "text"}
    )
    assert added.status_code == 303
    twice = client.post(
        f"/admin/contests/{contest.id}/categories", data={"name": "维权服务案例", "kind": "text"}
    )
    assert "已有同名类别" in text_of(twice.data)
    assert client.post(f"/admin/contests/{contest.id}/open").status_code == 303
    db.session.expire_all()
    assert [c.name for c in db.session.get(Contest, contest.id).categories] == ["维权服务案例"]


def test_forged_ids_in_admin_forms_are_refused(client, tree, make_user, login):
    contest = open_collection(tree["js"])
    other = open_collection(tree["js"], title="另一个征集")
    author = member_of(make_user(), tree["njmu"])
    admin = _admin(tree, make_user)
    work = approved(photo_work(other, author), admin)
    pending = photo_work(contest, author, title="待审")
    login(admin)
    crossed = client.post(f"/admin/contests/{contest.id}/works/{work.id}/review", data={"revision": 1})
    assert crossed.status_code == 404
    award = client.post(f"/admin/contests/{contest.id}/results", data={"work": pending.id, "award": "一等奖"})
    assert award.status_code == 200 and "不是有效的选择" in text_of(award.data)
    assert client.post(f"/admin/contests/{contest.id}/results/99999/remove").status_code == 404
    assert (
        client.post(f"/admin/contests/{contest.id}/categories/{other.categories[0].id}/remove").status_code
        == 404
    )
    elsewhere = _signed_in(client, make_user(admin_of=tree["sx"]))
    review_url = f"/admin/contests/{contest.id}/works/{pending.id}/review"
    assert elsewhere.post(review_url, data={"revision": 1}).status_code == 404
