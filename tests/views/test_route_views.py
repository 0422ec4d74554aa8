"""The route, landmarks, posters, reflections, quiz and certificates over HTTP, as members and admins use
them: whole pages, htmx fragments, and the bad input the issue lists."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Certificate, Landmark, LandmarkVisit, PointEntry, Question, Reflection
from portal.route.progress import list_landmarks
from portal.workflows.campaign_setup import create_campaign
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.route_helpers import bomb_png, photo_bytes, walk_days
from tests.support import text_of

PANEL = {"HX-Request": "true", "HX-Target": "landmark_panel"}


def _eco_member(tree, make_user, **user):
    campaign = running_campaign(tree["js"], "eco-walk", started_days_ago=20)
    member = member_of(make_user(**user), tree["njmu"])
    return campaign, member, enrolled(member, campaign, tree["njmu_unit"])


def test_route_page_lights_a_landmark_per_qualified_day(client, tree, make_user, login):
    campaign, member, enrollment = _eco_member(tree, make_user)
    walk_days(enrollment, [5000, 7000, 1000, 9000])
    login(member)
    page = client.get(f"/campaigns/{campaign.id}/route/").data.decode()
    assert (
        'data-testid="stop-3" data-state="lit"' in page and 'data-testid="stop-4" data-state="unlit"' in page
    )
    assert "已点亮 3/13 站" in text_of(page) and "再达标 1 天点亮「天目湖」" in text_of(page)
    assert "<svg" in page and 'class="stop-list"' in page  # drawn, and the same as a list


def test_route_page_on_cumulative_steps(client, tree, make_user, login):
    campaign = running_campaign(tree["sx"], "motherland-100", started_days_ago=20)
    member = member_of(make_user(), tree["xa"])
    walk_days(enrolled(member, campaign, tree["xa"]), [15000] * 6)
    login(member)
    text = text_of(client.get(f"/campaigns/{campaign.id}/route/").data)
    assert "已点亮 1/13 站" in text and "还差 40,000 步到达「咸阳」" in text


def test_a_lit_landmark_opens_in_place_and_passes_on_the_right_answer(client, tree, make_user, login):
    campaign, member, enrollment = _eco_member(tree, make_user)
    walk_days(enrollment, [5000])
    first = list_landmarks(campaign)[0]
    login(member)
    fragment = client.get(f"/campaigns/{campaign.id}/route/{first.id}", headers=PANEL).data.decode()
    assert fragment.lstrip().startswith('<article id="landmark_panel"') and "<html" not in fragment
    assert first.introduction[:10] in fragment
    wrong = (first.answer + 1) % len(first.choices)
    url = f"/campaigns/{campaign.id}/route/{first.id}/answer"
    answered = client.post(url, data={"choice": wrong}, headers=PANEL).data.decode()
    assert "回答错误" in text_of(answered) and "已答错 1 次" in text_of(answered)
    right = client.post(url, data={"choice": first.answer}, headers=PANEL).data.decode()
    assert "回答正确" in text_of(right) and 'data-testid="landmark-passed"' in right
    assert db.session.scalar(select(LandmarkVisit.passed_at)) is not None


def test_unlit_and_forged_landmarks(client, tree, make_user, login):
    campaign, member, _enrollment = _eco_member(tree, make_user)
    first = list_landmarks(campaign)[0]
    other = running_campaign(tree["sx"], "motherland-100")
    foreign = list_landmarks(other)[0]
    login(member)
    assert "尚未点亮：再达标 1 天即可点亮" in text_of(
        client.get(f"/campaigns/{campaign.id}/route/{first.id}").data
    )
    refused = client.post(f"/campaigns/{campaign.id}/route/{first.id}/answer", data={"choice": first.answer})
    assert "这个地标还没有点亮" in text_of(refused.data)
    assert db.session.scalar(select(func.count()).select_from(LandmarkVisit)) == 0
    assert client.get(f"/campaigns/{campaign.id}/route/{foreign.id}").status_code == 404
    assert client.get(f"/campaigns/{campaign.id}/route/99999999").status_code == 404
    assert client.get(f"/campaigns/{campaign.id}/route/99999999999999").status_code == 404


def _passed_first(client, tree, make_user, login, **user):
    campaign, member, enrollment = _eco_member(tree, make_user, **user)
    walk_days(enrollment, [5000])
    first = list_landmarks(campaign)[0]
    login(member)
    client.post(f"/campaigns/{campaign.id}/route/{first.id}/answer", data={"choice": first.answer})
    return campaign, first, enrollment


def test_poster_from_an_uploaded_photo(client, tree, make_user, login):
    campaign, first, _enrollment = _passed_first(client, tree, make_user, login)
    url = f"/campaigns/{campaign.id}/route/{first.id}/poster"
    for data, message in (
        (b"not an image at all", "请上传 JPEG 或 PNG 格式的照片"),
        (photo_bytes(image_format="GIF"), "请上传 JPEG 或 PNG 格式的照片"),
        (bomb_png(), "图片太大"),  # over 10 MB is refused the same way (tests/domain/test_route.py)
    ):
        refused = client.post(url, data={"photo": (io.BytesIO(data), "photo.jpg")})
        assert refused.status_code == 200 and message in text_of(refused.data)
    assert client.get(f"{url}.png").status_code == 404  # nothing was made
    # 50 MB: refused on the declared length before a byte of the body is read.
    huge = client.post(url, data=b"0" * (50 * 1024 * 1024), content_type="multipart/form-data; boundary=x")
    assert huge.status_code == 413 and "文件过大" in text_of(huge.data)
    made = client.post(url, data={"photo": (io.BytesIO(photo_bytes(gps=True)), "me.jpg")})
    assert made.status_code == 303
    download = client.get(f"{url}.png")
    assert download.mimetype == "image/png" and "attachment" in download.headers["Content-Disposition"]
    assert Image.open(io.BytesIO(download.data)).size == (1080, 1440)


def test_reflection_in_place_and_points_once(client, tree, make_user, login):
    campaign, first, _enrollment = _passed_first(client, tree, make_user, login)
    url = f"/campaigns/{campaign.id}/route/{first.id}/reflection"
    short = client.post(url, data={"text": "好"}, headers=PANEL)
    assert "感想请写 10 至 1000 个字" in text_of(short.data)
    done = client.post(url, data={"text": "紫金山上空气清新，走得很开心。"}, headers=PANEL).data.decode()
    assert "感谢你的分享" in text_of(done) and 'data-testid="my-reflection"' in done
    again = client.post(url, data={"text": "再写一遍试试看能不能再得分。"})
    assert "你已经在这一站写过感想了" in text_of(again.data)
    assert db.session.scalar(select(func.sum(PointEntry.points))) == 2


def test_admins_hide_a_reflection_from_others(client, tree, make_user, login):
    campaign, first, _enrollment = _passed_first(client, tree, make_user, login)
    client.post(
        f"/campaigns/{campaign.id}/route/{first.id}/reflection", data={"text": "这段话会被隐藏起来。"}
    )
    client.post("/auth/logout")
    login(make_user(admin_of=tree["js"]))
    reflection = db.session.scalar(select(Reflection))
    assert "这段话会被隐藏起来" in text_of(client.get(f"/admin/campaigns/{campaign.id}/reflections").data)
    assert client.post(f"/admin/campaigns/{campaign.id}/reflections/{reflection.id}/hide").status_code == 303
    db.session.refresh(reflection)
    assert reflection.hidden_at is not None


def test_certificate_page_png_and_public_verification(client, tree, make_user, login):
    campaign, member, enrollment = _eco_member(tree, make_user, real_name="林小雨")
    login(member)
    assert "你已达标 0 天，还差 13 天" in text_of(client.get(f"/campaigns/{campaign.id}/certificate").data)
    assert client.get(f"/campaigns/{campaign.id}/certificate.png").status_code == 404
    walk_days(enrollment, [5000] * 13)
    page = text_of(client.get(f"/campaigns/{campaign.id}/certificate").data)
    number = db.session.scalar(select(Certificate.number))
    assert "恭喜" in page and number in page
    png = client.get(f"/campaigns/{campaign.id}/certificate.png")
    assert png.mimetype == "image/png" and Image.open(io.BytesIO(png.data)).size == (1600, 1132)
    client.post("/auth/logout")
    verified = text_of(client.get(f"/certificates/verify?number={number.lower()}").data)
    assert "该证书真实有效" in verified and "林*雨" in verified and "林小雨" not in verified
    assert "没有找到这个编号的证书" in text_of(client.get("/certificates/verify?number=JBZ-FAKE").data)


def test_daily_quiz_in_place(client, tree, make_user, login):
    campaign, member, _enrollment = _eco_member(tree, make_user)
    admin = make_user(admin_of=tree["js"])
    login(admin)
    bad = "题目,选项,答案\n对的题,甲|乙,A\n错的题,甲|乙,C\n".encode()
    refused = client.post(
        f"/admin/campaigns/{campaign.id}/questions", data={"file": (io.BytesIO(bad), "q.csv")}
    )
    assert "第 3 行" in text_of(refused.data) and "没有导入任何题目" in text_of(refused.data)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    good = "题目,选项,答案\n" + "".join(f"第{n}题,对|错,A\n" for n in range(6))
    imported = client.post(
        f"/admin/campaigns/{campaign.id}/questions", data={"file": (io.BytesIO(good.encode()), "q.csv")}
    )
    assert imported.status_code == 303
    client.post("/auth/logout")
    login(member)
    page = client.get(f"/campaigns/{campaign.id}/quiz/").data.decode()
    assert page.count('data-testid="quiz-question"') == 5
    question = db.session.scalar(select(Question).where(Question.text == text_of(page).split("1. ")[1][:3]))
    answered = client.post(
        f"/campaigns/{campaign.id}/quiz/{question.id}",
        data={f"q{question.id}-choice": "0", f"q{question.id}-question_id": question.id},
        headers={"HX-Request": "true", "HX-Target": "quiz_panel"},
    ).data.decode()
    assert "<html" not in answered and "回答正确" in text_of(answered) and "你的积分：1" in text_of(answered)


def test_sponsor_donation_on_the_campaign_page(client, tree, make_user, login):
    campaign, member, enrollment = _eco_member(tree, make_user)
    walk_days(enrollment, [60_000, 70_000])
    for back in (1, 2):
        settle_day(campaign, today_local() - timedelta(days=back))
    db.session.commit()
    login(member)
    text = text_of(client.get(f"/campaigns/{campaign.id}").data)
    assert "爱心企业已累计捐赠 ¥1" in text and "130,000" in text


def test_admins_edit_reorder_and_illustrate_a_route(client, tree, make_user, login):
    campaign = create_campaign(
        None, tree["sx"], preset="motherland-100", start_day=today_local() + timedelta(days=3)
    )
    db.session.commit()
    first, second = list_landmarks(campaign)[:2]
    login(make_user(admin_of=tree["sx"]))
    base = f"/admin/campaigns/{campaign.id}/route"
    form = {
        f"l{first.id}-name": "大雁塔",
        f"l{first.id}-introduction": "唐代古塔。",
        f"l{first.id}-steps_target": "120000",  # above the next stop's 100,000
        f"l{first.id}-question": "大雁塔在哪座城市？",
        f"l{first.id}-choices": "西安\n北京",
        f"l{first.id}-answer": "1",
    }
    refused = client.post(f"{base}/{first.id}", data=form)
    assert "累计步数目标须大于 0、小于 100000" in text_of(refused.data)
    assert client.post(f"{base}/{first.id}", data={**form, f"l{first.id}-answer": "3"}).status_code == 200
    saved = client.post(f"{base}/{first.id}", data={**form, f"l{first.id}-steps_target": "40000"})
    assert saved.status_code == 303
    db.session.refresh(first)
    assert (first.name, first.steps_target, first.choices, first.answer) == (
        "大雁塔",
        40000,
        ["西安", "北京"],
        0,
    )
    assert client.post(f"{base}/{first.id}/move/down").status_code == 303
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.position, first.steps_target) == (2, 100_000) and (
        second.position,
        second.steps_target,
    ) == (1, 40000)
    not_image = client.post(
        f"{base}/{first.id}/image", data={f"i{first.id}-image": (io.BytesIO(b"text"), "a.png")}
    )
    assert "请上传 JPEG 或 PNG 格式的照片" in text_of(not_image.data)
    picture = photo_bytes(size=(2400, 1200), image_format="PNG")
    uploaded = client.post(
        f"{base}/{first.id}/image", data={f"i{first.id}-image": (io.BytesIO(picture), "a.png")}
    )
    assert uploaded.status_code == 303
    served = client.get(f"{base}/{first.id}/image")
    assert served.mimetype == "image/jpeg" and Image.open(io.BytesIO(served.data)).size == (1200, 600)
    drawn = client.get(f"{base}/{second.id}/image")
    assert drawn.mimetype == "image/svg+xml" and b"<svg" in drawn.data
    added = client.post(f"{base}/new", data={"new-name": "终点之后", "new-steps_target": "800000"})
    assert added.status_code == 303
    assert (
        db.session.scalar(
            select(func.count()).select_from(Landmark).where(Landmark.campaign_id == campaign.id)
        )
        == 14
    )


def test_a_missing_font_is_said_on_the_certificate_page(client, tree, make_user, login, app, monkeypatch):
    campaign, member, enrollment = _eco_member(tree, make_user)
    walk_days(enrollment, [5000] * 13)
    login(member)
    monkeypatch.setitem(app.config, "CJK_FONT", "/nonexistent/font.ttc")
    page = client.get(f"/campaigns/{campaign.id}/certificate")
    assert "服务器缺少中文字体" in text_of(page.data) and "certificate.png" not in page.data.decode()
    picture = client.get(f"/campaigns/{campaign.id}/certificate.png")
    assert picture.status_code == 503 and "服务器缺少中文字体" in text_of(picture.data)


def test_a_hidden_author_is_anonymous_under_their_reflection(client, tree, make_user, login):
    campaign, first, enrollment = _passed_first(client, tree, make_user, login, real_name="欧阳明月")
    client.post(
        f"/campaigns/{campaign.id}/route/{first.id}/reflection", data={"text": "山清水秀，走得开心。"}
    )
    client.post("/me/boards", data={"hide": "y"})
    client.post("/auth/logout")
    other = member_of(make_user(), tree["njmu"])
    walk_days(enrolled(other, campaign, tree["njmu_unit"]), [5000])
    login(other)
    page = text_of(client.get(f"/campaigns/{campaign.id}/route/{first.id}").data)
    assert "山清水秀" in page and "匿名职工" in page and "欧*月" not in page
    assert enrollment.id
