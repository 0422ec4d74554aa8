"""Points and prizes on a phone: check in → the day's draw → the result in place → not offered again;
redeem points for a chance and draw it; a shipped prize's address, given once."""

import re

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import ChanceSource, PrizeKind
from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import enrolled, member_of, running_campaign
from tests.rewards_helpers import give_chance, give_points, make_pool


def test_check_in_then_the_daily_draw_once(live_server, page, tree, make_user, screenshot):
    base = live_server
    campaign = running_campaign(tree["edu"])  # seed 002: a red-packet draw for each day's check-in
    member = member_of(make_user(real_name="陈志强"), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    sign_in(page, base, member.phone)
    page.goto(f"{base}/campaigns/{campaign.id}")
    page.get_by_role("button", name="签到").click()
    expect(page.get_by_text("今日签到成功")).to_be_visible()
    page.get_by_test_id("checkin-draw").click()
    expect(page.get_by_text("你有 1 次抽奖机会。")).to_be_visible()
    screenshot(page, "rewards-1-daily-draw")
    page.get_by_role("button", name="抽奖", exact=True).click()
    expect(page.get_by_test_id("draw-result")).to_contain_text(re.compile("恭喜你抽中|谢谢参与"))
    expect(page.get_by_role("button", name="抽奖", exact=True)).to_have_count(0)  # swapped in place
    screenshot(page, "rewards-2-result")
    page.reload()
    expect(page.get_by_text("暂无抽奖机会：每天签到可获得当天的抽奖机会")).to_be_visible()
    expect(page.get_by_role("button", name="抽奖", exact=True)).to_have_count(0)
    expect(page.locator("#prizes li")).to_have_count(1)


def test_redeem_points_for_a_chance_and_draw_it(live_server, page, tree, make_user, screenshot):
    base = live_server
    campaign = running_campaign(tree["sx"], "motherland-100")  # seed 001: 20 points = 1 red-packet draw
    member = member_of(make_user(real_name="刘思远"), tree["xa"])
    enrollment = enrolled(member, campaign, tree["xa"])
    give_points(enrollment, 26)
    sign_in(page, base, member.phone)
    page.goto(f"{base}/campaigns/{campaign.id}")
    page.get_by_role("button", name="积分与抽奖").click()  # a link drawn as a button
    expect(page.get_by_test_id("balance")).to_contain_text("26")
    page.get_by_role("button", name="用 20 积分兑换抽奖机会").click()
    expect(page.get_by_text("兑换成功：抽奖机会加1。")).to_be_visible()
    expect(page.get_by_test_id("balance")).to_contain_text("6")
    expect(page.get_by_role("button", name="用 20 积分兑换抽奖机会")).to_be_disabled()
    screenshot(page, "rewards-3-redeemed")
    page.get_by_role("button", name="抽奖", exact=True).click()
    expect(page.get_by_test_id("draw-result")).to_contain_text(
        "恭喜你抽中"
    )  # seed 001's red packets: no blanks
    expect(page.locator("#prizes li")).to_have_count(1)  # the list of draws swapped beside the result
    screenshot(page, "rewards-4-red-packet")
    expect(page.locator("#ledger")).to_contain_text("兑换抽奖机会")
    page.get_by_role("link", name="个人中心").click()
    expect(page.locator("#rewards")).to_contain_text("与祖国同行 · 6 积分")
    screenshot(page, "rewards-5-personal-center")


def test_a_shipped_prize_address_once(live_server, page_without_js, tree, make_user, screenshot):
    base = live_server
    page = page_without_js
    campaign = running_campaign(tree["sx"], "motherland-100")
    member = member_of(make_user(real_name="赵小红"), tree["xa"])
    enrollment = enrolled(member, campaign, tree["xa"])
    pool = make_pool(campaign, ChanceSource.BADGE, [("保温杯", PrizeKind.PHYSICAL, 1, 3)])
    give_chance(enrollment, pool, "badge:route_complete")
    db.session.commit()
    sign_in(page, base, member.phone)
    page.goto(f"{base}/campaigns/{campaign.id}/rewards/")
    page.get_by_role("button", name="抽奖", exact=True).click()  # without JavaScript: the page again
    expect(page.get_by_text("恭喜你抽中：保温杯！")).to_be_visible()
    page.get_by_role("link", name="填写收货地址").click()
    expect(page.get_by_text("地址一旦提交将无法更改")).to_be_visible()
    page.get_by_label("收件人", exact=True).fill("赵小红")
    page.get_by_label("收件人手机号").fill("13900001111")
    page.get_by_label("详细地址（仅限中国大陆）").fill("陕西省西安市碑林区南大街1号2单元301")
    screenshot(page, "rewards-6-address")
    page.get_by_role("button", name="提交地址").click()
    expect(page.get_by_text("请勾选确认地址无误。")).to_be_visible()
    expect(page.get_by_label("详细地址（仅限中国大陆）")).to_have_value("陕西省西安市碑林区南大街1号2单元301")
    page.get_by_label("我已核对地址，提交后无法更改。").check()
    page.get_by_role("button", name="提交地址").click()
    expect(page.get_by_text("地址已保存，奖品将寄往该地址。")).to_be_visible()
    expect(page.get_by_test_id("address")).to_contain_text("陕西省西安市碑林区南大街1号2单元301")
    expect(page.get_by_role("button", name="提交地址")).to_have_count(0)
    screenshot(page, "rewards-7-address-given")


def test_admin_uploads_codes_reads_the_log_and_exports(live_server, page, tree, make_user, screenshot):
    base = live_server
    admin = make_user(admin_of=tree["edu"])
    campaign = running_campaign(tree["edu"])  # seed 002: vouchers for the top 10,000, codes uploaded
    member = enrolled(member_of(make_user(real_name="周晓燕"), tree["njmu"]), campaign, tree["njmu"])
    checkin_pool = make_pool(campaign, ChanceSource.CHECKIN, [("0.5元红包", PrizeKind.CASH, 1, 2)])
    give_chance(member, checkin_pool, "day:1")
    from portal.rewards.draws import draw

    draw(member, checkin_pool)
    db.session.commit()
    sign_in(page, base, admin.phone)
    page.goto(f"{base}/admin/campaigns/{campaign.id}")
    page.get_by_role("button", name="奖品", exact=True).click()
    expect(page.get_by_role("heading", name="电影消费券抽奖")).to_be_visible()
    page.get_by_label("券码（每行一个）").fill("MOVIE-A001\nMOVIE-A002\nbad code")
    page.get_by_role("button", name="上传券码").click()
    expect(page.get_by_text("每行一个券码")).to_be_visible()  # refused, and what was pasted is kept
    expect(page.get_by_label("券码（每行一个）")).to_have_value("MOVIE-A001\nMOVIE-A002\nbad code")
    page.get_by_label("券码（每行一个）").fill("MOVIE-A001\nMOVIE-A002\nMOVIE-A003")
    page.get_by_role("button", name="上传券码").click()
    expect(page.get_by_text("已添加 3 个券码。")).to_be_visible()
    panel = page.locator("#pool-" + str(checkin_pool.id))
    expect(panel).to_contain_text("1 / 1")  # won / drawn
    panel.get_by_text("修改权重和总数").click()
    panel.get_by_label("总数").fill("0")
    panel.get_by_role("button", name="保存").first.click()
    expect(page.get_by_text("总数不能少于已抽出的 1 份。")).to_be_visible()  # refused, the form open
    panel = page.locator("#pool-" + str(checkin_pool.id))
    panel.get_by_label("总数").fill("10")
    panel.get_by_role("button", name="保存").first.click()
    expect(page.get_by_text("已保存：0.5元红包。")).to_be_visible()
    expect(page.locator(f"#tier-{checkin_pool.tiers[0].id}")).to_contain_text("9")  # 9 of 10 left
    screenshot(page, "rewards-8-admin-pools")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出中奖名单").click()
    assert download.value.suggested_filename.startswith(f"winners-{campaign.id}-")
    page.get_by_role("button", name="抽奖记录").click()
    expect(page.locator(".draw-line")).to_have_count(1)
    expect(page.locator(".draw-line")).to_contain_text("随机数 0 / 1 → 0.5元红包 → 中奖")
    screenshot(page, "rewards-9-admin-log")
