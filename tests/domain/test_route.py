"""The virtual route: seeded routes, both lighting modes, passing, reflections, posters, certificates,
the question bank and the sponsor donation (rules §6; rules §9)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select

from portal.campaigns.participation import sponsor_donation
from portal.common.errors import FontMissing, ImageTooLarge, InvalidImage, NotASpreadsheet
from portal.common.images import read_upload
from portal.extensions import db
from portal.models import AuditEntry, Certificate, PointEntry
from portal.models.base import utcnow
from portal.rewards.errors import AlreadyAnswered, InvalidChoice, NotInQuizSet
from portal.rewards.points import points_of
from portal.rewards.quiz import answer_quiz_question, check_question_rows, daily_set, import_questions
from portal.route.certificates import certificate_by_number, draw_certificate, issue_certificate
from portal.route.errors import AlreadyReflected, InvalidReflection, LandmarkNotLit, LandmarkNotPassed
from portal.route.posters import POSTER_SIZE, make_poster
from portal.route.progress import (
    answer_landmark,
    hide_reflection,
    list_landmarks,
    place_on_route,
    route_view,
    visible_reflections,
    write_reflection,
)
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.route_helpers import bomb_png, photo_bytes, walk_days


@pytest.fixture
def eco(app, tree, make_user):
    """An eco-walk campaign (a landmark per qualified day) ten days in, and an enrolled member."""
    campaign = running_campaign(tree["js"], "eco-walk", started_days_ago=20)
    member = member_of(make_user(real_name="林小雨"), tree["njmu"])
    return campaign, enrolled(member, campaign, tree["njmu_unit"])


@pytest.fixture
def motherland(app, tree, make_user):
    """A motherland-100 campaign (checkpoints on cumulative steps, daily cap 10,000)."""
    campaign = running_campaign(tree["sx"], "motherland-100", started_days_ago=20)
    member = member_of(make_user(), tree["xa"])
    return campaign, enrolled(member, campaign, tree["xa"])


def test_presets_bring_their_routes(eco, motherland):
    ecology = list_landmarks(eco[0])
    assert [landmark.qualified_days for landmark in ecology] == list(range(1, 14))
    assert ecology[0].name == "紫金山"
    assert all(landmark.question and landmark.introduction for landmark in ecology)
    checkpoints = list_landmarks(motherland[0])
    targets = [landmark.steps_target for landmark in checkpoints]
    assert len(targets) == 13 and targets == sorted(targets) and targets[-1] == 700_000
    assert checkpoints[-1].name == "陕西省总工会"


def test_a_landmark_per_qualified_day(eco):
    _campaign, enrollment = eco
    walk_days(enrollment, [6000, 3000, 5000, 12000])  # three qualified days
    view = route_view(enrollment)
    assert [stop.lit for stop in view.stops[:5]] == [True, True, True, False, False]
    assert view.next_stop.landmark.position == 4 and view.to_next == 1 and view.position == 3.0


def test_flagged_days_light_nothing_until_cleared(eco):
    _campaign, enrollment = eco
    walk_days(enrollment, [66666])  # repeated digits: held for review
    assert route_view(enrollment).lit_count == 0


def test_checkpoints_on_cumulative_counted_steps(motherland):
    _campaign, enrollment = motherland
    walk_days(enrollment, [15000] * 6)  # the daily cap counts 10,000 of each
    view = route_view(enrollment)
    assert view.progress.counted_steps == 60_000 and view.lit_count == 1
    assert view.to_next == 40_000 and view.position == pytest.approx(1.2)


@given(
    targets=st.lists(st.integers(1, 1_000_000), min_size=1, max_size=20, unique=True).map(sorted),
    value=st.integers(0, 1_200_000),
)
def test_place_on_route_agrees_with_a_reference(targets, value):
    lit, to_next, position = place_on_route(targets, value)
    reference_lit = [target for target in targets if target <= value]
    assert lit == len(reference_lit)
    if lit == len(targets):
        assert (to_next, position) == (0, float(lit))
    else:
        assert to_next == targets[lit] - value > 0
        assert lit <= position < lit + 1


def test_answering_unlit_wrong_then_right(eco):
    _campaign, enrollment = eco
    first, second = list_landmarks(enrollment.campaign)[:2]
    with pytest.raises(LandmarkNotLit):
        answer_landmark(enrollment, first, first.answer)
    walk_days(enrollment, [5000])
    with pytest.raises(InvalidChoice):
        answer_landmark(enrollment, first, 7)
    wrong = (first.answer + 1) % len(first.choices)
    assert answer_landmark(enrollment, first, wrong) is False
    assert answer_landmark(enrollment, first, first.answer) is True
    assert answer_landmark(enrollment, first, wrong) is True  # passed stays passed, once
    db.session.commit()
    view = route_view(enrollment)
    assert view.stops[0].passed and not view.stops[1].passed
    with pytest.raises(LandmarkNotLit):
        answer_landmark(enrollment, second, second.answer)


def test_a_reflection_earns_its_points_once(eco):
    campaign, enrollment = eco
    first = list_landmarks(campaign)[0]
    walk_days(enrollment, [5000])
    with pytest.raises(LandmarkNotPassed):
        write_reflection(enrollment, first, "紫金山的森林真美，空气很好。")
    answer_landmark(enrollment, first, first.answer)
    with pytest.raises(InvalidReflection):
        write_reflection(enrollment, first, "太短")
    reflection = write_reflection(enrollment, first, "紫金山的森林真美，空气很好。")
    db.session.commit()
    with pytest.raises(AlreadyReflected):
        write_reflection(enrollment, first, "再写一篇也不会再得积分。")
    assert points_of(enrollment) == 2
    assert db.session.scalar(select(func.count()).select_from(PointEntry)) == 1
    assert visible_reflections(first) == [reflection]


def test_an_admin_hides_a_reflection(eco, make_user, tree):
    campaign, enrollment = eco
    first = list_landmarks(campaign)[0]
    walk_days(enrollment, [5000])
    answer_landmark(enrollment, first, first.answer)
    reflection = write_reflection(enrollment, first, "一段需要隐藏的感想文字。")
    admin = make_user(admin_of=tree["js"])
    hide_reflection(admin, reflection)
    db.session.commit()
    assert visible_reflections(first) == [] and points_of(enrollment) == 2
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reflection.hide")) is not None


def test_poster_combines_the_photo_and_drops_its_metadata(eco):
    campaign, enrollment = eco
    first = list_landmarks(campaign)[0]
    walk_days(enrollment, [5000])
    with pytest.raises(LandmarkNotPassed):
        make_poster(enrollment, first, photo_bytes())
    answer_landmark(enrollment, first, first.answer)
    png = make_poster(enrollment, first, photo_bytes(gps=True))
    poster = Image.open(io.BytesIO(png))
    assert poster.format == "PNG" and poster.size == POSTER_SIZE
    assert not poster.getexif() and "exif" not in poster.info
    colours = poster.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is None or len(colours) > 50  # photo, band and text: not blank


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"GIF89a not really", InvalidImage),
        (b"%PDF-1.4 a document", InvalidImage),
        (photo_bytes(image_format="GIF"), InvalidImage),
        (photo_bytes()[:200], InvalidImage),  # a truncated JPEG
        (bomb_png(), ImageTooLarge),
        (b"\xff\xd8" + b"0" * (11 * 1024 * 1024), ImageTooLarge),
    ],
)
def test_uploads_are_refused_clearly(app, data, error):
    with pytest.raises(error):
        read_upload(data)


def test_uploads_keep_only_pixels(app):
    image = read_upload(photo_bytes(gps=True))
    assert image.mode == "RGB" and not image.getexif()


def test_a_missing_font_is_a_clear_error(eco, monkeypatch, app):
    campaign, enrollment = eco
    first = list_landmarks(campaign)[0]
    walk_days(enrollment, [5000])
    answer_landmark(enrollment, first, first.answer)
    monkeypatch.setitem(app.config, "CJK_FONT", "/nonexistent/font.ttc")
    with pytest.raises(FontMissing):
        make_poster(enrollment, first, photo_bytes())


def test_certificate_at_thirteen_qualified_days_once(eco):
    _campaign, enrollment = eco
    walk_days(enrollment, [5000] * 12)
    assert issue_certificate(enrollment) is None
    walk_days(enrollment, [5000] * 13)
    certificate = issue_certificate(enrollment)
    db.session.commit()
    assert issue_certificate(enrollment) is certificate
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert certificate.holder_name == "林小雨" and certificate.qualified_days == 13
    assert certificate_by_number(certificate.number.lower()) is certificate
    assert certificate_by_number("JBZ-NOTANUMBER") is None
    png = Image.open(io.BytesIO(draw_certificate(certificate, "http://example.test/v", "Asia/Shanghai")))
    assert png.size == (1600, 1132)


def test_question_bank_import_daily_set_and_points(eco, make_user, tree):
    campaign, enrollment = eco
    lines = ["题目,选项,答案"] + [f"第{n}题：一天走多少步算达标？,5000|3000|100,A" for n in range(1, 9)]
    lines += ["没有答案的题,甲|乙,", "只有一个选项,甲,A"]
    rows = check_question_rows("\n".join(lines).encode(), "bank.csv")
    assert [row.ok for row in rows] == [True] * 8 + [False, False]
    with pytest.raises(NotASpreadsheet):
        check_question_rows(b"\x89PNG", "bank.png")
    assert import_questions(make_user(admin_of=tree["js"]), campaign, rows) == 8
    db.session.commit()
    today = today_local()
    todays = daily_set(enrollment, today)
    assert len(todays) == 5 and daily_set(enrollment, today) == todays  # stable on reload
    answer_quiz_question(enrollment, todays[0].id, 0, day=today, now=utcnow())
    answer_quiz_question(enrollment, todays[1].id, 1, day=today, now=utcnow())
    db.session.commit()
    with pytest.raises(AlreadyAnswered):
        answer_quiz_question(enrollment, todays[0].id, 0, day=today, now=utcnow())
    outside = max(question.id for question in todays) + 1000
    with pytest.raises(NotInQuizSet):
        answer_quiz_question(enrollment, outside, 0, day=today, now=utcnow())
    assert points_of(enrollment) == 1
    tomorrow = daily_set(enrollment, today + timedelta(days=1))
    assert not {question.id for question in tomorrow} & {todays[0].id, todays[1].id}


def test_sponsor_donation_from_settled_days(eco, app, tree, make_user):
    campaign, enrollment = eco
    other = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu_unit"])
    walk_days(enrollment, [90_000, 80_000])
    walk_days(other, [50_000, 0])
    assert sponsor_donation(campaign).yuan == 0  # nothing settled yet
    for back in (1, 2):
        settle_day(campaign, today_local() - timedelta(days=back))
    db.session.commit()
    donation = sponsor_donation(campaign)
    assert donation.counted_steps == 220_000 and donation.yuan == 2 and donation.as_of is not None


def test_question_bank_from_excel(app):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["题目", "选项", "答案"])
    sheet.append(["长江里的“微笑天使”是？", "江豚｜海豚｜鲨鱼", "A"])
    sheet.append(["一天几步达标？", "3000；5000；8000", 2])  # a number typed in Excel
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = check_question_rows(buffer.getvalue(), "题库.xlsx")
    assert [(row.choices, row.answer) for row in rows] == [
        (["江豚", "海豚", "鲨鱼"], 0),
        (["3000", "5000", "8000"], 1),
    ]
