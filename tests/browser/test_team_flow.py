"""Teams on phones: a captain makes a team and shares the link → five colleagues join → a seventh is
refused with a clear message → the captain posts an announcement that a member sees."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import enrolled, member_of, running_campaign


def _phone(browser):
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_captain_invites_five_a_seventh_is_refused_and_all_read_the_news(
    live_server, page, browser, tree, make_user, screenshot
):
    campaign = running_campaign(tree["sx"], "motherland-100")
    names = ("陈晓东", "刘思远", "王雅琴", "张明辉", "李佳怡", "杨志强", "黄丽娜")
    people = [member_of(make_user(real_name=name), tree["xa"]) for name in names]
    for person in people:
        enrolled(person, campaign, tree["xa"])
    captain, joiners, seventh = people[0], people[1:6], people[6]

    sign_in(page, live_server, captain.phone)
    page.goto(f"{live_server}/campaigns/{campaign.id}")
    page.get_by_role("button", name="我的团队").click()
    page.get_by_label("团队名称").fill("秦岭健步队")
    page.get_by_label("口号（可不填）").fill("日行万步，百日同行")
    page.get_by_role("button", name="创建团队").click()
    expect(page.get_by_text("团队已创建")).to_be_visible()
    link = page.get_by_test_id("invite-link").inner_text()
    screenshot(page, "team-1-made")

    for person in joiners:
        context, phone = _phone(browser)
        sign_in(phone, live_server, person.phone)
        phone.goto(link)
        phone.get_by_role("button", name="加入团队").click()
        expect(phone.get_by_text("欢迎加入「秦岭健步队」！")).to_be_visible()
        context.close()

    context, phone = _phone(browser)
    sign_in(phone, live_server, seventh.phone)
    phone.goto(link)
    expect(phone.get_by_text("队员 6/6 人")).to_be_visible()
    expect(phone.get_by_test_id("join-refused")).to_have_text("该团队已满员，人数已达规则上限。")
    expect(phone.get_by_role("button", name="加入团队")).to_have_count(0)
    screenshot(phone, "team-2-full")
    context.close()

    page.reload()
    expect(page.get_by_test_id("team-members").locator("li")).to_have_count(6)
    page.get_by_role("textbox", name="公告").fill("周六早上七点，城墙南门集合一起走！")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("已发布。")).to_be_visible()
    screenshot(page, "team-3-captain")

    context, phone = _phone(browser)
    sign_in(phone, live_server, joiners[0].phone)
    phone.goto(f"{live_server}/campaigns/{campaign.id}/teams/")
    expect(phone.get_by_test_id("announcements")).to_contain_text("城墙南门集合")
    expect(phone.get_by_role("button", name="保存目标")).to_have_count(0)
    screenshot(phone, "team-4-member")
    context.close()
