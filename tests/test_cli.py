"""Flask CLI commands: seeds, admins and campaigns."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, User
from portal.orgs.tree import get_org_by_code


def test_seed_demo_twice(runner):
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "8 people, 3 campaigns and 1 works collections created" in first.output
    again = runner.invoke(args=["seed", "demo"])
    assert (
        again.exit_code == 0
        and "0 organisations, 0 people, 0 campaigns and 0 works collections created" in again.output
    )


def test_admin_create_union_admin_and_platform_admin(runner, tree):
    result = runner.invoke(
        args=[
            "admin",
            "create",
            "--phone",
            "139 1234 5678",
            "--org",
            "JS-EDU",
            "--password",
            "union-desk-2026",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "union admin of JS-EDU" in result.output
    user = db.session.scalar(select(User).where(User.phone == "13912345678"))
    assert [role.organisation_id for role in user.admin_roles] == [get_org_by_code("JS-EDU").id]
    assert db.session.scalar(select(AuditEntry.action)) == "admin.grant"

    result = runner.invoke(args=["admin", "create", "--phone", "13912345678", "--platform"])
    assert result.exit_code == 0 and "platform admin" in result.output
    db.session.refresh(user)
    assert user.is_platform_admin


def test_admin_create_refuses_bad_input_in_chinese(runner, tree):
    result = runner.invoke(args=["admin", "create", "--phone", "12345", "--platform", "--password", "x"])
    assert result.exit_code != 0 and "请输入11位中国大陆手机号" in result.output
    result = runner.invoke(
        args=["admin", "create", "--phone", "13912345678", "--org", "NOPE", "--password", "union-desk-2026"]
    )
    assert result.exit_code != 0 and "没有使用该代码的组织" in result.output
    assert db.session.scalar(select(User)) is None  # nothing half-written
    result = runner.invoke(
        args=["admin", "create", "--phone", "13912345678", "--password", "12345678", "--platform"]
    )
    assert result.exit_code != 0 and "常见" in result.output


def test_member_import_twice(runner, tree, tmp_path):
    from tests.conftest import fresh_id_number

    path = tmp_path / "members.csv"
    path.write_text(
        "姓名,手机号,身份证号,单位代码\n"
        f"王芳,13912340001,{fresh_id_number()},JS-EDU-NJMU-1\n"
        "坏行,123,x,JS-EDU-NJMU-1\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["member", "import", str(path), "--org", "JS-EDU"])
    assert result.exit_code == 1, result.output  # a row was left out: a script must see it
    assert "1 accounts created, 1 memberships started, 0 unchanged, 1 rows refused" in result.output
    assert "line 3:" in result.output and "手机号" in result.output
    again = runner.invoke(args=["member", "import", str(path), "--org", "JS-EDU"])
    assert "0 accounts created, 0 memberships started, 1 unchanged" in again.output
    bad = runner.invoke(args=["member", "import", str(path), "--org", "NOPE"])
    assert bad.exit_code != 0 and "没有使用该代码的组织" in bad.output


def test_campaign_create_prints_the_id(runner, tree):
    from datetime import timedelta

    from portal.models import Campaign
    from tests.campaign_helpers import today_local

    start = today_local() + timedelta(days=1)
    create = ["campaign", "create", "--preset", "teachers-7day", "--org", "JS-EDU", "--start"]
    result = runner.invoke(args=[*create, start.isoformat()])
    assert result.exit_code == 0, result.output
    campaign = db.session.get(Campaign, int(result.output.strip()))
    assert campaign.end_day == start + timedelta(days=6) and campaign.published_at is None  # a draft
    published = runner.invoke(args=[*create, start.isoformat(), "--publish"])
    assert published.exit_code == 0, published.output
    assert db.session.get(Campaign, int(published.output.strip())).published_at is not None
    # --publish runs the page's checklist: eco-walk needs its question bank first, and nothing is created
    count = db.session.scalar(select(func.count()).select_from(Campaign))
    eco = ["campaign", "create", "--preset", "eco-walk", "--org", "JS-EDU", "--publish", "--start"]
    unready = runner.invoke(args=[*eco, start.isoformat()])
    assert unready.exit_code != 0 and "还不能发布" in unready.output, unready.output
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == count
    bad = runner.invoke(
        args=["campaign", "create", "--preset", "nope", "--org", "JS-EDU", "--start", start.isoformat()]
    )
    assert bad.exit_code != 0 and "没有该名称的规则模板" in bad.output
    # A first day in the past is refused, saying what it would mean, unless the admin means it.
    past = (today_local() - timedelta(days=3)).isoformat()
    refused = runner.invoke(args=[*create, past])
    assert refused.exit_code != 0 and "--allow-past-start" in refused.output
    assert "only report from today on" in refused.output
    meant = runner.invoke(args=[*create, past, "--allow-past-start"])
    assert meant.exit_code == 0, meant.output


def test_campaign_settle_and_rank(runner, tree, make_user):
    from portal.campaigns.steps import report_steps
    from portal.models import Board, ReportSource
    from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local

    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(real_name="王小明"), tree["njmu"])
    report_steps(
        enrolled(member, campaign, tree["njmu"]), day=today_local(), steps=7000, source=ReportSource.API
    )
    db.session.commit()
    day = today_local().isoformat()
    first = runner.invoke(args=["campaign", "settle", "--campaign", str(campaign.id), "--day", day])
    again = runner.invoke(args=["campaign", "settle", "--campaign", str(campaign.id), "--day", day])
    assert first.exit_code == 0 and first.output == again.output
    assert "1/1 reported, 1 qualified, 7000 counted steps" in first.output
    rank = runner.invoke(args=["campaign", "rank", "--campaign", str(campaign.id)])
    refreshed, first_row = rank.output.splitlines()[:2]
    assert refreshed.startswith("refreshed at ") and refreshed.endswith("UTC: individual 1 rows")
    assert first_row == "1\t王*明\t南京医科大学工会\t1\t0\t7000"
    assert db.session.scalar(db.select(Board.row_count).where(Board.campaign_id == campaign.id)) == 1
    outside = runner.invoke(
        args=["campaign", "settle", "--campaign", str(campaign.id), "--day", "2000-01-01"]
    )
    assert outside.exit_code != 0


def test_campaign_figures(runner, tree, make_user):
    from portal.models import NodeDayFigures, NodeFigures
    from tests.campaign_helpers import enrolled, member_of, running_campaign

    campaign = running_campaign(tree["edu"], started_days_ago=2)
    enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    every = runner.invoke(args=["campaign", "figures", "--campaign", str(campaign.id), "--all-days"])
    assert every.exit_code == 0 and every.output.startswith("refreshed 3 days at "), every.output
    open_days = runner.invoke(args=["campaign", "figures", "--campaign", str(campaign.id)])
    assert open_days.output.startswith("refreshed 2 days at ")
    participants = db.session.scalar(
        select(NodeFigures.participants).where(NodeFigures.org_id == tree["js"].id)
    )
    assert participants == 1  # the node above the campaign's union counts it too
    # Enrolled today: rows for today only, one per node from 南京医科大学工会 up to 江苏省总工会.
    assert db.session.scalar(select(db.func.count()).select_from(NodeDayFigures)) == 3


def test_member_import_can_enrol(runner, tree, tmp_path):
    from portal.models import Enrollment
    from tests.campaign_helpers import running_campaign
    from tests.conftest import fresh_id_number

    campaign = running_campaign(tree["edu"])
    path = tmp_path / "members.csv"
    path.write_text(
        f"姓名,手机号,身份证号,单位代码\n王芳,13912340001,{fresh_id_number()},JS-EDU-NJMU-1\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        args=["member", "import", str(path), "--org", "JS-EDU", "--enrol", str(campaign.id)]
    )
    assert result.exit_code == 0, result.output
    assert "1 enrolled, 0 already enrolled, 0 refused" in result.output
    again = runner.invoke(
        args=["member", "import", str(path), "--org", "JS-EDU", "--enrol", str(campaign.id)]
    )
    assert "0 enrolled, 1 already enrolled" in again.output
    assert db.session.scalar(select(Enrollment.unit_id)) == tree["njmu_unit"].id


def test_member_import_says_why_each_enrolment_was_refused(runner, tree, tmp_path):
    from tests.campaign_helpers import running_campaign
    from tests.conftest import fresh_id_number

    campaign = running_campaign(tree["edu"])
    campaign.enrolment_closed = True  # the admin closed enrolment
    db.session.commit()
    path = tmp_path / "members.csv"
    path.write_text(
        f"姓名,手机号,身份证号,单位代码\n王芳,13912340001,{fresh_id_number()},JS-EDU-NJMU-1\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        args=["member", "import", str(path), "--org", "JS-EDU", "--enrol", str(campaign.id)]
    )
    assert result.exit_code == 1
    assert "line 2: 13912340001 not enrolled: 该活动目前不接受报名。" in result.output
    assert "0 enrolled, 0 already enrolled, 1 refused" in result.output


def test_campaign_export_writes_the_board(runner, tree, make_user, tmp_path):
    from openpyxl import load_workbook

    from portal.campaigns.steps import report_steps
    from portal.models import ReportSource
    from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local

    campaign = running_campaign(tree["edu"])
    member = member_of(make_user(real_name="王小明"), tree["njmu"])
    report_steps(
        enrolled(member, campaign, tree["njmu"]), day=today_local(), steps=7000, source=ReportSource.API
    )
    db.session.commit()
    out = tmp_path / "board.xlsx"
    result = runner.invoke(args=["campaign", "export", "--campaign", str(campaign.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    assert rows[2][:3] == (1, "王小明", member.phone)
    refused = runner.invoke(
        args=["campaign", "export", "--campaign", str(campaign.id), "--board", "team", "--out", str(out)]
    )
    assert refused.exit_code != 0 and "no team board" in refused.output


def test_campaign_final_draws_waits_for_the_settled_last_day(runner, tree, make_user):
    from tests.campaign_helpers import running_campaign

    campaign = running_campaign(tree["edu"])  # seed 002: the top 10,000 draw for vouchers
    result = runner.invoke(args=["campaign", "final-draws", "--campaign", str(campaign.id)])
    assert result.exit_code != 0 and "最终排名尚未结算" in result.output
