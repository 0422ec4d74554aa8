"""A member's campaign pages over HTTP: list, enrol, check in, report, history."""

from datetime import timedelta

from portal.extensions import db
from portal.models import DailyRecord
from portal.models.base import utcnow
from portal.models.steps import Checkin, ReportSource, Run
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.support import counted_queries, text_of

PANEL = {"HX-Request": "true", "HX-Target": "today_panel"}


def test_members_see_their_campaigns_and_others_do_not(client, tree, make_user, login):
    campaign = running_campaign(tree["edu"])
    login(member_of(make_user(), tree["njmu"]))
    assert campaign.title in text_of(client.get("/campaigns/").data)
    other = make_user()
    client.post("/auth/logout")
    login(member_of(other, tree["nj_company"]))
    assert "暂时没有你可以参加的活动" in text_of(client.get("/campaigns/").data)
    assert client.get(f"/campaigns/{campaign.id}").status_code == 404


def test_enrol_with_a_unit_of_ones_union_only(client, tree, make_user, login):
    campaign = running_campaign(tree["edu"])
    login(member_of(make_user(), tree["njmu"]))
    page = client.get(f"/campaigns/{campaign.id}").data.decode()
    assert "基础医学院分工会" in page and "紫金公司工会" not in page
    refused = client.post(f"/campaigns/{campaign.id}/enrol", data={"unit": tree["nj_company"].id})
    assert "请选择你所在工会的单位" in text_of(refused.data)
    response = client.post(f"/campaigns/{campaign.id}/enrol", data={"unit": tree["njmu_unit"].id})
    assert response.status_code == 303
    assert "报名成功" in text_of(client.get(f"/campaigns/{campaign.id}").data)


def test_report_answers_in_place_with_the_shortfall_then_qualifies(client, tree, make_user, login):
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    login(member)
    response = client.post(f"/campaigns/{campaign.id}/steps", data={"steps": "4200"}, headers=PANEL)
    body = response.data.decode()
    assert body.strip().startswith('<article id="today_panel"') and "<html" not in body
    assert "距 6,000 步还差 1,800 步" in text_of(body)
    response = client.post(f"/campaigns/{campaign.id}/steps", data={"steps": "25000"}, headers=PANEL)
    assert "已达标；计入 20,000 步，超出每日上限的 5,000 步不计" in text_of(response.data)
    response = client.post(f"/campaigns/{campaign.id}/checkin", headers=PANEL)
    assert "今日签到成功" in text_of(response.data)
    page = text_of(client.get(f"/campaigns/{campaign.id}").data)
    assert "达标天数 1" in page and "签到天数 1" in page and "有效步数 20,000" in page


def test_bad_step_input_is_explained_and_nothing_is_written(client, tree, make_user, login):
    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    login(member)
    for bad in ("-1", "abc", "2.5", "1000001", ""):
        response = client.post(f"/campaigns/{campaign.id}/steps", data={"steps": bad}, headers=PANEL)
        assert response.status_code == 422, bad
        assert "步数" in text_of(response.data)
    assert db.session.scalar(db.select(DailyRecord)) is None


def test_not_enrolled_cannot_report(client, tree, make_user, login):
    campaign = running_campaign(tree["edu"])
    login(member_of(make_user(), tree["njmu"]))
    assert client.post(f"/campaigns/{campaign.id}/steps", data={"steps": "5000"}).status_code == 404


def test_member_appeals_a_flagged_day_and_admin_reviews(app, client, tree, make_user, login):
    from portal.campaigns.steps import report_steps
    from portal.models import ReportSource
    from tests.campaign_helpers import today_local

    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(), tree["njmu"])
    record = report_steps(
        enrolled(member, campaign, tree["njmu"]), day=today_local(), steps=88888, source=ReportSource.API
    ).record
    db.session.commit()
    login(member)
    page = text_of(client.get(f"/campaigns/{campaign.id}").data)
    assert "待审核" in page and "重复数字" in page
    assert (
        client.post(
            f"/campaigns/{campaign.id}/days/{record.id}/appeal", data={"note": "手环同步"}
        ).status_code
        == 303
    )
    assert "已申诉" in text_of(client.get(f"/campaigns/{campaign.id}").data)

    stranger = app.test_client()
    other = member_of(make_user(), tree["njmu"])
    enrolled(other, campaign, tree["njmu"])
    stranger.post("/auth/login", data={"phone": other.phone, "password": "steady-walker-42"})
    assert (
        stranger.post(f"/campaigns/{campaign.id}/days/{record.id}/appeal", data={"note": "x"}).status_code
        == 404
    )

    admin_client = app.test_client()
    admin = make_user(admin_of=tree["edu"])
    admin_client.post("/auth/login", data={"phone": admin.phone, "password": "steady-walker-42"})
    queue = text_of(admin_client.get("/admin/campaigns/flags").data)
    assert "手环同步" in queue
    assert (
        admin_client.post(f"/admin/campaigns/flags/{record.id}", data={"decision": "cleared"}).status_code
        == 303
    )
    db.session.refresh(record)
    assert record.counted_steps == 20000
    assert (
        admin_client.post(f"/admin/campaigns/flags/{record.id}", data={"decision": "nonsense"}).status_code
        == 400
    )


def test_the_review_queue_says_why_to_the_admin(app, client, tree, make_user, login):
    """The member reads "why" about their own days; the admin reads it about a member's."""
    from portal.campaigns.steps import report_steps
    from portal.models.steps import DayFlag

    campaign = running_campaign(tree["edu"])
    admin = make_user(admin_of=tree["edu"])
    said = {
        DayFlag.IMPLAUSIBLE: "单日步数超出合理范围。",
        DayFlag.REPEATED_DIGITS: "步数为重复数字，疑似刷步工具所致。",
        DayFlag.JUMP: "远高于该成员平时的步数。",
    }
    for flag in said:
        enrollment = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
        record = report_steps(enrollment, day=today_local(), steps=88888, source=ReportSource.API).record
        record.flag = flag
    db.session.commit()
    login(admin)
    queue = text_of(client.get("/admin/campaigns/flags").data)
    assert all(words in queue for words in said.values())
    assert "原因：" not in queue and "你平时" not in queue


def test_runs_need_consent_then_show_a_health_day(client, tree, make_user, login, walk_start):
    import io

    from tests.campaign_helpers import gpx_track

    campaign = running_campaign(tree["edu"], "eco-walk")
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    login(member)
    track = gpx_track(walk_start)
    upload = {"gpx": (io.BytesIO(track), "run.gpx")}
    client.post(f"/campaigns/{campaign.id}/runs", data=upload, content_type="multipart/form-data")
    assert "请先同意" in text_of(client.get(f"/campaigns/{campaign.id}").data)
    client.post(f"/campaigns/{campaign.id}/location-consent", data={"agree": "y"})
    upload = {"gpx": (io.BytesIO(track), "run.gpx")}
    response = client.post(f"/campaigns/{campaign.id}/runs", data=upload, content_type="multipart/form-data")
    assert response.status_code == 303
    page = text_of(client.get(f"/campaigns/{campaign.id}").data)
    assert "健康日" in page and "km" in page


def test_a_50_mb_upload_is_refused_in_chinese(client, tree, make_user, login):

    campaign = running_campaign(tree["edu"], "eco-walk")
    member = member_of(make_user(), tree["njmu"])
    enrolled(member, campaign, tree["njmu"])
    login(member)
    # Raw bytes: the server refuses on the declared length before reading a byte of the body.
    huge = b"0" * (50 * 1024 * 1024)
    response = client.post(
        f"/campaigns/{campaign.id}/runs", data=huge, content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 413 and "文件过大" in text_of(response.data)


def test_the_campaign_page_reads_the_same_few_statements_however_long_the_history(
    client, tree, make_user, login
):
    """The signed-in user; the campaign with the member's enrolment and its union; the sponsor's pledge
    (this preset has one); the member's runs, records and check-ins; and, once they have checked in
    today, their draw chance: never one per day."""
    campaign = running_campaign(tree["edu"], "eco-walk", started_days_ago=5)
    member = member_of(make_user(), tree["njmu"])
    enrollment = enrolled(member, campaign, tree["njmu"])
    login(member)
    page_url = f"/campaigns/{campaign.id}"

    def statements_of_the_page() -> int:
        with counted_queries() as statements:
            assert client.get(page_url).status_code == 200
        return len([statement for statement in statements if statement.lstrip().upper().startswith("SELECT")])

    assert statements_of_the_page() == 6
    now = utcnow()
    for back in range(1, 6):
        day = today_local() - timedelta(days=back)
        db.session.add_all(
            [
                DailyRecord(
                    enrollment_id=enrollment.id,
                    campaign_id=campaign.id,
                    day=day,
                    reported_steps=9000,
                    reported_at=now,
                    source=ReportSource.FORM,
                    counted_steps=9000,
                    qualified=True,
                    reason="qualified",
                ),
                Checkin(enrollment_id=enrollment.id, day=day),
                Run(
                    enrollment_id=enrollment.id,
                    day=day,
                    started_at=now - timedelta(days=back),
                    distance_m=3000 + back,
                    duration_s=1800,
                    too_fast=back == 1,
                ),
            ]
        )
    db.session.commit()
    assert statements_of_the_page() == 6
    page = text_of(client.get(page_url).data)
    assert page.count("已签到") == 5 and page.count("运动 3.00 公里") == 4  # the too-fast run is not counted
    client.post(f"/campaigns/{campaign.id}/checkin")
    assert statements_of_the_page() == 7
    report_url = f"/campaigns/{campaign.id}/steps"
    with counted_queries() as statements:
        answer = client.post(report_url, data={"steps": "7000"}, headers=PANEL)
    assert answer.get_data(as_text=True).strip().startswith('<article id="today_panel"')
    assert "已达标：7,000 步" in text_of(answer.data)
    # today's panel reads today alone: not the sponsor's pledge, not the days before
    assert not any("campaign_days" in statement for statement in statements)
    records_read = [s for s in statements if s.lstrip().startswith("SELECT daily_records.id")]
    assert len(records_read) == 1 and "daily_records.day >=" in records_read[0]
