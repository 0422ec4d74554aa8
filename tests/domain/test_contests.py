"""Works collections (rules §10): windows with an injected clock, submissions and their uploads, review,
votes and their limits, the late-account split, winners and their publication."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.common.errors import InvalidImage
from portal.common.media import read_media
from portal.contests import errors
from portal.contests.contest import (
    Windows,
    add_category,
    contest_state,
    contests_for,
    create_contest,
    remove_category,
)
from portal.contests.results import add_award, publish_results, remove_award, results_of
from portal.contests.votes import VoteSummary, cast_vote, vote_summary, voter_day
from portal.contests.works import (
    GalleryOrder,
    WorkDraft,
    check_video_url,
    edit_work,
    gallery_page,
    review_work,
    submit_work,
)
from portal.extensions import db
from portal.models import ContestVote, ContestWork, ContestWorkImage, WorkKind, WorkStatus
from tests.campaign_helpers import NAMES, member_of, today_local
from tests.contest_helpers import approved, at, category, open_collection, photo_work
from tests.route_helpers import photo_bytes


@pytest.fixture
def contest(tree):
    return open_collection(tree["js"])


@pytest.fixture
def member(tree, make_user):
    return member_of(make_user(real_name=NAMES[0]), tree["njmu"])


@pytest.fixture
def reviewer(tree, make_user):
    return make_user(admin_of=tree["js"], real_name=NAMES[1])


def _voters(tree, make_user, count: int):
    return [member_of(make_user(real_name=NAMES[i % len(NAMES)]), tree["nj_company"]) for i in range(count)]


# --- windows ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offsets", "field"),
    [
        ((0, -1, 0, 1, 2), "submit_until"),
        ((0, 3, -1, 1, 2), "vote_from"),
        ((0, 3, 2, 1, 4), "vote_until"),
        ((0, 3, 1, 5, 4), "results_on"),
    ],
)
def test_windows_out_of_order_are_refused_naming_the_field(tree, offsets, field):
    today = today_local()
    days = [today + timedelta(days=n) for n in offsets]
    with pytest.raises(errors.ContestWindowsOutOfOrder) as refused:
        create_contest(
            None, tree["js"], title="征集", rules="", windows=Windows(*days), votes_per_day=3, categories=[]
        )
    assert refused.value.field == field


def test_the_state_follows_the_clock_across_the_windows(tree):
    contest = open_collection(tree["js"], submit=(0, 2), vote=(2, 4), results=6)
    today = today_local()
    before = contest_state(contest, at(today - timedelta(days=1), 23))
    assert before.before_submissions and not before.submissions_open and before.before_voting
    first = contest_state(contest, at(today, 0))
    assert first.submissions_open and not first.voting_open
    overlap = contest_state(contest, at(today + timedelta(days=2), 23))
    assert overlap.submissions_open and overlap.voting_open
    after = contest_state(contest, at(today + timedelta(days=5), 0))
    assert after.voting_over and not after.voting_open and not after.submissions_open


def test_members_see_the_opened_collections_of_their_unions_only(tree, make_user, member):
    open_collection(tree["js"], title="江苏征集")
    open_collection(tree["sx"], title="陕西征集")
    draft = create_contest(
        None,
        tree["edu"],
        title="未开放",
        rules="",
        windows=Windows(*[today_local()] * 5),
        votes_per_day=1,
        categories=[],
    )
    db.session.commit()
    assert [c.title for c in contests_for(member)] == ["江苏征集"]
    assert draft.opened_at is None
    assert contests_for(make_user()) == []  # not a member of any union


# --- submissions --------------------------------------------------------------------------------------


def test_a_photo_work_is_stored_without_metadata_and_waits_for_review(contest, member, tree):
    work = submit_work(
        member,
        contest,
        WorkDraft(
            category=category(contest, WorkKind.PHOTO),
            title="夜班",
            photos=[photo_bytes(size=(3200, 2400), gps=True)],
        ),
    )
    db.session.commit()
    assert work.status is WorkStatus.PENDING and work.organisation_id == tree["njmu"].id
    [image] = work.images
    large = Image.open(io.BytesIO(read_media("works", image.name)))
    small = Image.open(io.BytesIO(read_media("works", image.thumb_name)))
    assert large.format == "JPEG" and max(large.size) == 1600 and max(small.size) == 480
    assert not large.getexif() and not small.getexif()
    assert gallery_page(contest, category=None, order=GalleryOrder.NEWEST, page=1).total == 0


@pytest.mark.parametrize(
    ("kind", "draft", "error"),
    [
        (WorkKind.PHOTO, {}, errors.WorkNeedsPhotos),
        (WorkKind.VIDEO, {"body": "朗读《劳动最光荣》"}, errors.VideoLinkRequired),
        (WorkKind.TEXT, {"body": "   "}, errors.WorkNeedsText),
        (WorkKind.PHOTO, {"photos": [photo_bytes()] * 7}, errors.TooManyPhotos),
        (WorkKind.PHOTO, {"photos": [b"GIF89a not a photo"]}, InvalidImage),
        (WorkKind.VIDEO, {"video_url": "https://example.com/v/1"}, errors.VideoHostNotAllowed),
    ],
)
def test_a_work_missing_what_its_category_needs_is_refused_and_nothing_is_kept(
    contest, member, kind, draft, error
):
    with pytest.raises(error):
        submit_work(member, contest, WorkDraft(category=category(contest, kind), title="作品", **draft))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ContestWork)) == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://www.bilibili.com/video/BV1xx411c7mD",
        "https://v.qq.com/x/page/abc.html",
        "http://v.douyin.com/abc/",
        "https://channels.weixin.qq.com/x",
    ],
)
def test_video_links_on_allowed_hosts_and_their_subdomains_pass(app, url):
    assert check_video_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://evilbilibili.com/video/1",
        "https://www.bilibili.com.evil.cn/video/1",
        "https://v.qq.com@evil.cn/x",
        "javascript:alert(1)//v.qq.com",
        "ftp://v.qq.com/x",
        "https://qq.com/x",
    ],
)
def test_video_links_elsewhere_are_refused_with_the_allowed_list(app, url):
    with pytest.raises(errors.VideoHostNotAllowed) as refused:
        check_video_url(url)
    assert "bilibili.com" in str(refused.value.message)


def test_submissions_follow_the_window(tree, member):
    contest = open_collection(tree["js"], submit=(1, 2), vote=(1, 3), results=4)
    draft = WorkDraft(category=category(contest, WorkKind.TEXT), title="案例", body="线上入会服务案例")
    today = today_local()
    with pytest.raises(errors.SubmissionsNotOpen):
        submit_work(member, contest, draft, now=at(today))
    assert submit_work(member, contest, draft, now=at(today + timedelta(days=2), 23)).id
    with pytest.raises(errors.SubmissionsClosed):
        submit_work(member, contest, draft, now=at(today + timedelta(days=3), 0))


def test_only_members_of_the_subtree_submit(tree, make_user, contest):
    outsider = member_of(make_user(), tree["xa"])
    draft = WorkDraft(category=category(contest, WorkKind.TEXT), title="案例", body="正文")
    for person in (outsider, make_user()):
        with pytest.raises(errors.NotEligibleForContest):
            submit_work(person, contest, draft)


def test_an_edit_returns_the_work_to_review_and_a_stale_review_is_refused(contest, member, reviewer):
    work = approved(photo_work(contest, member), reviewer)
    seen = work.revision
    old_image, old_name = work.images[0].id, work.images[0].name
    edit_work(
        member,
        work,
        WorkDraft(
            category=work.category,
            title="晨光（修改）",
            photos=[photo_bytes(colour=(200, 40, 40))],
            remove_image_ids=frozenset({old_image}),
        ),
    )
    db.session.commit()
    assert work.status is WorkStatus.PENDING and work.revision == seen + 1
    assert [image.name for image in work.images] != [old_name] and len(work.images) == 1
    with pytest.raises(errors.WorkChangedSinceReview):
        review_work(reviewer, work, approve=True, revision=seen)
    db.session.rollback()
    assert db.session.get(ContestWork, work.id).status is WorkStatus.PENDING


def test_an_edit_after_the_window_is_refused_and_the_work_is_unchanged(tree, member):
    contest = open_collection(tree["js"], submit=(-3, 0), vote=(-1, 2), results=3)
    work = photo_work(contest, member)
    tomorrow = today_local() + timedelta(days=1)
    with pytest.raises(errors.SubmissionsClosed):
        edit_work(member, work, WorkDraft(category=work.category, title="改了"), now=at(tomorrow, 0))
    db.session.rollback()
    assert db.session.get(ContestWork, work.id).title == "晨光中的工地"


def test_a_rejection_needs_a_reason_the_author_sees(contest, member, reviewer):
    work = photo_work(contest, member)
    with pytest.raises(errors.RejectionNeedsReason):
        review_work(reviewer, work, approve=False, revision=work.revision, reason="  ")
    review_work(reviewer, work, approve=False, revision=work.revision, reason="非原创作品")
    db.session.commit()
    assert (work.status, work.reject_reason) == (WorkStatus.REJECTED, "非原创作品")


def test_a_category_with_works_stays(contest, member, reviewer):
    photo_work(contest, member)
    with pytest.raises(errors.CategoryHasWorks):
        remove_category(reviewer, contest, category(contest, WorkKind.PHOTO))
    with pytest.raises(errors.CategoryNameTaken):
        add_category(reviewer, contest, name="摄影作品", kind=WorkKind.PHOTO)
    remove_category(reviewer, contest, category(contest, WorkKind.VIDEO))
    assert "微视频" not in [c.name for c in contest.categories]


# --- votes --------------------------------------------------------------------------------------------


def test_votes_follow_the_window(tree, member, reviewer, make_user):
    contest = open_collection(tree["js"], submit=(-2, 2), vote=(1, 2), results=3)
    work = approved(photo_work(contest, member), reviewer)
    [voter] = _voters(tree, make_user, 1)
    today = today_local()
    with pytest.raises(errors.VotingNotOpen):
        cast_vote(voter, work, now=at(today, 23))
    assert cast_vote(voter, work, now=at(today + timedelta(days=1), 0)) == 2
    with pytest.raises(errors.VotingClosed):
        cast_vote(voter, work, now=at(today + timedelta(days=3), 0))


def test_one_vote_per_work_per_day_and_the_daily_limit(contest, member, reviewer, tree, make_user):
    works = [approved(photo_work(contest, member, title=f"作品{i}"), reviewer) for i in range(4)]
    [voter] = _voters(tree, make_user, 1)
    today = today_local()
    assert cast_vote(voter, works[0], now=at(today)) == 2
    with pytest.raises(errors.AlreadyVotedToday):
        cast_vote(voter, works[0], now=at(today, 20))
    cast_vote(voter, works[1], now=at(today))
    cast_vote(voter, works[2], now=at(today))
    with pytest.raises(errors.DailyVotesUsed) as used:
        cast_vote(voter, works[3], now=at(today))
    assert "3" in str(used.value.message)
    db.session.commit()
    # The refused vote left nothing behind; tomorrow the member votes again, for the same work too.
    assert db.session.scalar(select(func.count()).select_from(ContestVote)) == 3
    assert works[3].votes == 0
    assert cast_vote(voter, works[0], now=at(today + timedelta(days=1))) == 2
    db.session.commit()
    assert works[0].votes == 2
    day = voter_day(voter, contest, [w.id for w in works], today)
    assert day.left == 0 and day.voted == {works[0].id, works[1].id, works[2].id}


def test_only_approved_works_take_votes_and_only_members_of_the_subtree_vote(
    contest, member, tree, make_user
):
    work = photo_work(contest, member)
    [voter] = _voters(tree, make_user, 1)
    with pytest.raises(errors.WorkNotOpenToVotes):
        cast_vote(voter, work)
    outsider = member_of(make_user(), tree["xa"])
    with pytest.raises(errors.NotEligibleForContest):
        cast_vote(outsider, work)


def test_votes_from_accounts_registered_after_voting_opened_are_counted_apart(
    contest, member, reviewer, tree, make_user
):
    work = approved(photo_work(contest, member), reviewer)
    old, new = _voters(tree, make_user, 2)
    old.created_at = at(today_local() - timedelta(days=30))  # voting opened yesterday
    db.session.commit()
    cast_vote(old, work)
    cast_vote(new, work)
    db.session.commit()
    assert (work.votes, work.late_votes) == (2, 1)
    assert vote_summary(contest) == VoteSummary(votes=2, late_votes=1, voters=2, late_voters=1)


def test_the_gallery_orders_by_newest_or_by_votes_and_filters_by_category(
    contest, member, reviewer, tree, make_user
):
    today = today_local()
    first = approved(photo_work(contest, member, title="先交", now=at(today, 8)), reviewer)
    second = approved(photo_work(contest, member, title="后交", now=at(today, 9)), reviewer)
    essay = submit_work(
        member,
        contest,
        WorkDraft(category=category(contest, WorkKind.TEXT), title="网评", body="正能量"),
        now=at(today, 10),
    )
    approved(essay, reviewer)
    photo_work(contest, member, title="待审")  # pending: never in the gallery
    for voter in _voters(tree, make_user, 2):
        cast_vote(voter, first)
    db.session.commit()
    newest = gallery_page(contest, category=None, order=GalleryOrder.NEWEST, page=1)
    assert [w.title for w in newest.works] == ["网评", "后交", "先交"]
    photos = gallery_page(
        contest, category=category(contest, WorkKind.PHOTO), order=GalleryOrder.VOTES, page=1
    )
    assert [w.title for w in photos.works] == ["先交", "后交"]
    assert second.votes == 0


# --- results ------------------------------------------------------------------------------------------


def test_winners_are_published_after_voting_closes_and_are_final(tree, member, reviewer):
    contest = open_collection(tree["js"], submit=(-3, 0), vote=(-1, 0), results=2)
    work = approved(photo_work(contest, member, now=at(today_local() - timedelta(days=1))), reviewer)
    pending = photo_work(contest, member, title="待审")
    with pytest.raises(errors.NoWinners):
        publish_results(reviewer, contest, now=at(today_local() + timedelta(days=1)))
    with pytest.raises(errors.AwardNeedsApprovedWork):
        add_award(reviewer, contest, pending, award="一等奖")
    award = add_award(reviewer, contest, work, award="一等奖", position=1)
    with pytest.raises(errors.WorkAlreadyAwarded):
        add_award(reviewer, contest, work, award="二等奖")
    with pytest.raises(errors.ResultsBeforeVotingEnds):
        publish_results(reviewer, contest, now=at(today_local(), 23))
    publish_results(reviewer, contest, now=at(today_local() + timedelta(days=1)))
    db.session.commit()
    with pytest.raises(errors.ResultsAlreadyPublished):
        remove_award(reviewer, contest, award.id)
    # Published the day after voting closed, public from the announced day.
    assert not contest_state(contest, at(today_local() + timedelta(days=1))).results_public
    assert contest_state(contest, at(today_local() + timedelta(days=2), 0)).results_public
    [group] = results_of(contest)
    assert group.category.kind is WorkKind.PHOTO and [a.work.title for a in group.awards] == ["晨光中的工地"]


def test_a_removed_image_leaves_the_work(contest, member):
    work = photo_work(contest, member)
    db.session.delete(work)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ContestWorkImage)) == 0
