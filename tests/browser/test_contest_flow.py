"""A works collection as people use it, at 390 px: a member submits a photo work (without JavaScript), the
union admin approves it, another member votes and sees the count change in place, and the admin ends the
voting and publishes the winners, which anyone can then read."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.models import ContestWork
from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import member_of, today_local
from tests.contest_helpers import open_collection
from tests.route_helpers import photo_bytes


def test_submit_review_vote_and_publish(
    live_server, page_without_js, another_page, third_page, tree, make_user, screenshot, tmp_path
):
    base = live_server
    contest = open_collection(tree["js"], title="网络正能量摄影作品征集", submit=(-3, 3), vote=(-1, 5))
    author = member_of(make_user(real_name="周晓燕"), tree["njmu"])
    voter = member_of(make_user(real_name="吴海波"), tree["nj_company"])
    admin = make_user(admin_of=tree["js"], real_name="刘思远")
    photo = tmp_path / "检修现场.jpg"
    photo.write_bytes(photo_bytes(size=(1600, 1200), gps=True))

    # The author, on a phone with JavaScript off, finds the collection from their center and submits.
    member = page_without_js
    sign_in(member, base, author.phone)
    member.get_by_role("button", name="作品征集").click()
    member.get_by_role("link", name="网络正能量摄影作品征集").click()
    member.get_by_role("button", name="提交作品").first.click()
    member.get_by_label("类别").select_option(label="摄影作品（照片）")
    member.get_by_label("作品名称").fill("检修一线的清晨")
    member.get_by_label("照片（JPEG 或 PNG）").set_input_files(str(photo))
    screenshot(member, "contest-1-submit")
    member.get_by_role("button", name="提交审核").click()
    expect(member.get_by_text("已提交")).to_be_visible()
    expect(member.get_by_test_id("my-work")).to_contain_text("待审核")
    screenshot(member, "contest-2-my-works")

    # The admin approves it from the review queue.
    sign_in(another_page, base, admin.phone)
    another_page.goto(f"{base}/admin/")
    another_page.get_by_role("button", name="作品征集").click()
    another_page.get_by_role("link", name="网络正能量摄影作品征集").click()
    another_page.get_by_role("button", name="审核作品").first.click()
    expect(another_page.get_by_test_id("review-item")).to_contain_text("检修一线的清晨")
    screenshot(another_page, "contest-3-review")
    another_page.get_by_role("button", name="通过", exact=True).click()
    expect(another_page.get_by_text("已通过：《检修一线的清晨》已进入作品展示。")).to_be_visible()

    # Another member votes from the gallery: the count changes in place (htmx), the page stays.
    sign_in(third_page, base, voter.phone)
    gallery = f"{base}/contests/{contest.id}"
    third_page.goto(gallery)
    card = third_page.get_by_test_id("work-card").filter(has_text="检修一线的清晨")
    expect(card.get_by_test_id("vote-count")).to_have_text("0")
    card.get_by_role("button", name="投票").click()
    expect(card.get_by_test_id("vote-count")).to_have_text("1")
    expect(card.get_by_text("感谢投票！今日还可投 2 票。")).to_be_visible()
    expect(card.get_by_role("button", name="今日已投")).to_be_disabled()
    expect(third_page.get_by_test_id("votes-left")).to_have_text("今日还可投 2 票（共 3 票）。")
    expect(third_page).to_have_url(gallery)
    screenshot(third_page, "contest-4-voted")
    card.get_by_role("link", name="检修一线的清晨").click()
    db.session.commit()  # a fresh read of what the portal wrote
    work_id = db.session.scalar(select(ContestWork.id).where(ContestWork.title == "检修一线的清晨"))
    expect(third_page.get_by_test_id("share-url")).to_have_value(f"{base}/contests/works/{work_id}")
    screenshot(third_page, "contest-5-work")

    # The admin ends voting (yesterday was its last day), names the winner and publishes.
    another_page.goto(f"{base}/admin/contests/{contest.id}")
    today = today_local()
    another_page.get_by_label("投票截止日期").fill(str(today - timedelta(days=1)))
    another_page.get_by_label("结果公布日期").fill(str(today))
    another_page.get_by_role("button", name="保存", exact=True).click()
    expect(another_page.get_by_text("已保存")).to_be_visible()
    another_page.get_by_role("button", name="投票与评奖").first.click()
    expect(another_page.get_by_test_id("vote-summary")).to_contain_text("1")
    another_page.get_by_label("作品", exact=True).select_option(index=0)
    another_page.get_by_label("奖项").fill("一等奖")
    another_page.get_by_role("button", name="添加获奖作品").click()
    expect(another_page.get_by_test_id("winner-line")).to_contain_text("一等奖")
    another_page.get_by_role("button", name="公布结果").click()
    expect(another_page.get_by_text("结果已公布。")).to_be_visible()
    screenshot(another_page, "contest-6-winners")

    # The results page is public.
    third_page.goto(f"{base}/contests/{contest.id}/results")
    expect(third_page.get_by_test_id("award-line")).to_contain_text("一等奖")
    expect(third_page.get_by_test_id("award-line")).to_contain_text("检修一线的清晨")
    screenshot(third_page, "contest-7-results")


def test_an_admin_creates_and_opens_a_collection(live_server, page, tree, make_user, screenshot):
    base = live_server
    admin = make_user(admin_of=tree["js"], real_name="刘思远")
    member = member_of(make_user(real_name="赵小红"), tree["njmu"])
    sign_in(page, base, admin.phone)
    page.goto(f"{base}/admin/contests/")
    page.get_by_role("button", name="新建征集").click()
    expect(page.get_by_label("主办工会（代码）")).to_have_value("JS")
    page.get_by_label("标题").fill("维权服务案例征集")
    page.get_by_label("征集规则").fill("征集依托互联网开展的维权服务优秀案例。")
    today = today_local()
    for label, offset in (
        ("征集开始日期", 0),
        ("征集截止日期", 10),
        ("投票开始日期", 12),
        ("投票截止日期", 11),
        ("结果公布日期", 20),
    ):
        page.get_by_label(label).fill(str(today + timedelta(days=offset)))
    page.get_by_label("维权服务案例（文字作品）").check()
    page.get_by_role("button", name="创建").click()
    # The voting window is backwards: the field says so, and everything typed is still there.
    expect(page.get_by_text("投票截止日期不能早于投票开始日期。")).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value("维权服务案例征集")
    expect(page.get_by_label("维权服务案例（文字作品）")).to_be_checked()
    screenshot(page, "contest-admin-1-new")
    page.get_by_label("投票截止日期").fill(str(today + timedelta(days=15)))
    page.get_by_role("button", name="创建").click()
    expect(page.get_by_text("已创建")).to_be_visible()
    expect(page.get_by_test_id("category-line")).to_have_count(1)
    page.get_by_label("类别名称").fill("普惠服务平台推荐")
    page.get_by_role("button", name="添加类别").click()
    expect(page.get_by_test_id("category-line")).to_have_count(2)
    page.get_by_role("button", name="向会员开放").click()
    expect(page.get_by_text("已开放")).to_be_visible()
    screenshot(page, "contest-admin-2-edit")

    # A member of a union below sees it among their collections.
    page.context.clear_cookies()
    sign_in(page, base, member.phone)
    page.goto(f"{base}/contests/")
    expect(page.get_by_test_id("contest-line")).to_contain_text("维权服务案例征集")
    expect(page.get_by_test_id("contest-line")).to_contain_text("征集进行中")
