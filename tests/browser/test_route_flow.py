"""The virtual route on a phone: qualified days light landmarks → open one → answer wrong, then right →
upload a photo → download the poster. Then the same answer without JavaScript, and the admin's side:
a question bank, a landmark edited, the daily quiz, a certificate verified by anyone."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from PIL import Image
from playwright.sync_api import expect

from portal.extensions import db
from portal.route.progress import list_landmarks
from portal.workflows.campaign_setup import create_campaign
from tests.browser.test_membership_flows import sign_in
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.route_helpers import photo_bytes, walk_days


def _eco_member(tree, make_user, days):
    campaign = running_campaign(tree["js"], "eco-walk", started_days_ago=20)
    member = member_of(make_user(real_name="许文晴"), tree["njmu"])
    walk_days(enrolled(member, campaign, tree["njmu_unit"]), days)
    return campaign, member, list_landmarks(campaign)


def test_light_answer_and_make_a_poster(live_server, page, tree, make_user, screenshot, tmp_path):
    campaign, member, landmarks = _eco_member(tree, make_user, [6000, 3000])  # one qualified day so far
    first = landmarks[0]
    photo = tmp_path / "me.jpg"
    photo.write_bytes(photo_bytes(size=(1200, 900), gps=True))
    sign_in(page, live_server, member.phone)
    page.goto(f"{live_server}/campaigns/{campaign.id}")
    page.get_by_label("今日步数").fill("7000")
    page.get_by_role("button", name="上报步数").click()
    expect(page.get_by_test_id("today-reason")).to_have_text("已达标：7,000 步")

    page.get_by_role("button", name="虚拟路线").click()
    expect(page.get_by_test_id("route-summary")).to_contain_text("已点亮 2/13 站")
    expect(page.get_by_test_id("stop-2")).to_have_attribute("data-state", "lit")
    expect(page.get_by_test_id("stop-3")).to_have_attribute("data-state", "unlit")
    screenshot(page, "route-1-map")
    page.wait_for_load_state("load")  # htmx (a deferred script) opens the panel in place from here on

    page.get_by_role("link", name=first.name).first.click()  # the landmark on the map, answered in place
    panel = page.locator("#landmark_panel")
    expect(panel.get_by_role("heading", name=re.compile(first.name))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/route/$"))  # no page load: the panel came by htmx
    wrong = first.choices[(first.answer + 1) % len(first.choices)]
    panel.get_by_label(wrong).check()
    panel.get_by_role("button", name="提交答案").click()
    expect(panel.get_by_text("回答错误")).to_be_visible()
    screenshot(page, "route-2-wrong")
    panel.get_by_label(first.choices[first.answer]).check()
    panel.get_by_role("button", name="提交答案").click()
    expect(panel.get_by_test_id("landmark-passed")).to_be_visible()

    panel.get_by_label(re.compile("你的照片")).set_input_files(str(photo))
    panel.get_by_role("button", name="生成我的海报").click()
    expect(page.get_by_text("海报已生成")).to_be_visible()
    screenshot(page, "route-3-poster-ready")
    with page.expect_download() as download_info:
        page.get_by_test_id("poster-download").click()
    poster = Image.open(io.BytesIO(download_info.value.path().read_bytes()))
    assert poster.format == "PNG" and poster.size == (1080, 1440)
    assert len(poster.convert("RGB").getcolors(maxcolors=1_000_000) or range(51)) > 50  # not blank


def test_answer_without_javascript(live_server, page_without_js, tree, make_user):
    campaign, member, landmarks = _eco_member(tree, make_user, [5000])
    first = landmarks[0]
    page = page_without_js
    sign_in(page, live_server, member.phone)
    page.goto(f"{live_server}/campaigns/{campaign.id}/route/")
    page.locator(".stop-list").get_by_role("link", name=first.name).click()
    page.get_by_label(first.choices[first.answer]).check()
    page.get_by_role("button", name="提交答案").click()
    expect(page.get_by_text("回答正确！你已通过这一站。")).to_be_visible()
    expect(page.get_by_test_id("landmark-passed")).to_be_visible()


def test_admin_bank_and_landmark_then_quiz_and_certificate(
    live_server, page, another_page, tree, make_user, screenshot, tmp_path
):
    campaign, member, _landmarks = _eco_member(tree, make_user, [5000] * 13)
    draft = create_campaign(None, tree["js"], preset="eco-walk", start_day=today_local() + timedelta(days=5))
    db.session.commit()
    admin = make_user(admin_of=tree["js"])
    bank = tmp_path / "bank.csv"
    bank.write_text(
        "题目,选项,答案\n" + "".join(f"第{n}题：步行是低碳出行吗？,是|否,A\n" for n in range(1, 8))
    )

    sign_in(another_page, live_server, admin.phone)
    another_page.goto(f"{live_server}/admin/campaigns/{campaign.id}")
    another_page.get_by_role("button", name="题库").click()
    another_page.get_by_label("题库文件（CSV 或 Excel）").set_input_files(str(bank))
    another_page.get_by_role("button", name="导入").click()
    expect(another_page.get_by_text("已导入 7 道题。")).to_be_visible()
    another_page.goto(f"{live_server}/admin/campaigns/{draft.id}/route")
    stop = another_page.locator("article").filter(has_text="第 1 站").first
    stop.get_by_text("编辑").click()
    stop.get_by_label("地标名称").fill("钟山风景区")
    stop.get_by_role("button", name="保存").click()
    expect(another_page.get_by_text("已保存「钟山风景区」。")).to_be_visible()
    another_page.locator("article").filter(has_text="第 1 站").first.get_by_role(
        "button", name="后移"
    ).click()
    expect(another_page.locator("article").filter(has_text="第 2 站").first).to_contain_text("钟山风景区")
    screenshot(another_page, "route-admin-landmarks")

    sign_in(page, live_server, member.phone)
    page.goto(f"{live_server}/campaigns/{campaign.id}")
    page.get_by_role("button", name="每日答题").click()
    questions = page.get_by_test_id("quiz-question")
    expect(questions).to_have_count(5)
    questions.first.get_by_label("是").check()
    questions.first.get_by_role("button", name="提交答案").click()
    expect(page.get_by_text("你的积分：1")).to_be_visible()
    screenshot(page, "route-quiz")

    page.goto(f"{live_server}/campaigns/{campaign.id}")
    page.get_by_role("button", name="荣誉证书").click()
    expect(page.get_by_text("恭喜！你已获得荣誉证书。")).to_be_visible()
    number = page.get_by_test_id("certificate-number").inner_text()
    picture = page.get_by_role("img", name="你的荣誉证书")
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("image => image.naturalWidth") == 1600
    screenshot(page, "route-certificate")
    another_page.goto(f"{live_server}/certificates/verify")
    another_page.get_by_label("证书编号").fill(number)
    another_page.get_by_role("button", name="查验").click()
    expect(another_page.get_by_test_id("certificate-valid")).to_contain_text("许*晴")
    screenshot(another_page, "route-certificate-verified")
