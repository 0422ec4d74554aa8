"""Loading seed data (union trees, demo people) through the same services as the pages. Idempotent:
loading twice changes nothing the second time."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select

from portal.campaigns.campaign import campaign_rules, enrol
from portal.campaigns.day_rules import local_today
from portal.campaigns.participation import find_enrollment
from portal.campaigns.steps import report_steps
from portal.dashboard.node_figures import refresh_figures
from portal.demo.contests import load_demo_contests
from portal.extensions import db
from portal.identity.accounts import complete_profile, create_account, find_user_by_phone
from portal.identity.id_numbers import check_character
from portal.identity.sms_codes import issue_code
from portal.membership.applications import (
    active_membership,
    approve_application,
    pending_application,
    submit_application,
)
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import SmsPurpose
from portal.models.membership import ApplicationKind, MemberCategory
from portal.models.org import Organisation, OrgKind
from portal.models.steps import DailyRecord, ReportSource
from portal.orgs.roles import grant_union_admin, make_platform_admin
from portal.orgs.tree import create_org, get_org_by_code
from portal.rewards.pools import copy_preset_pools
from portal.rewards.quiz import check_question_rows, count_questions, import_questions
from portal.route.admin import copy_preset_route
from portal.teams.team import create_team, team_of
from portal.workflows.campaign_setup import create_campaign
from portal.workflows.member_import import check_rows, import_rows
from portal.workflows.settlement import settle_day

_ORG_FIGURES = ("name", "quota", "member_total")


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_org_tree(node: dict[str, Any], parent: Organisation | None = None) -> int:
    """Create the nodes of ``node``'s tree that do not exist yet (by code); refresh names and figures of
    those that do. Returns how many nodes were created."""
    org = db.session.scalar(select(Organisation).where(Organisation.code == node["code"]))
    created = 0
    if org is None:
        org = create_org(
            code=node["code"],
            name=node["name"],
            kind=OrgKind(node["kind"]),
            parent=parent,
            quota=node.get("quota"),
            member_total=node.get("member_total"),
        )
        created = 1
    else:
        for attribute in _ORG_FIGURES:
            if attribute in node and getattr(org, attribute) != node[attribute]:
                setattr(org, attribute, node[attribute])
    for child in node.get("children") or ():
        created += load_org_tree(child, org)
    return created


def load_people(data: dict[str, Any]) -> int:
    """Create the demo accounts that do not exist yet, with profiles and admin roles."""
    created = 0
    for person in data["people"]:
        user = find_user_by_phone(person["phone"])
        if user is None:
            user = create_account(person["phone"], data["password"])
            created += 1
        if person.get("name") and not user.has_profile:
            complete_profile(user, person["name"], person["id_number"])
        if person.get("platform_admin"):
            make_platform_admin(user, actor=None)
        for code in person.get("admin_of", ()):
            grant_union_admin(user, get_org_by_code(code), actor=None)
    db.session.flush()
    return created


def _join_through_the_flow(user, org, approver) -> None:
    """A demo membership made the way members get one: an application, its SMS check, an approval."""
    if active_membership(user) is not None or pending_application(user) is not None:
        return
    code = issue_code(user.phone, SmsPurpose.VERIFY).code
    application = submit_application(user, ApplicationKind.JOIN, org, MemberCategory.PUBLIC_INSTITUTION, code)
    approve_application(approver, application)


def _load_question_bank(campaign: Campaign, seeds_dir: Path) -> None:
    """The preset's sample bank (seeds/questions/<preset>.csv), if the campaign has no questions yet."""
    path = seeds_dir / "questions" / f"{campaign.preset}.csv"
    if path.exists() and not count_questions(campaign):
        import_questions(None, campaign, check_question_rows(path.read_bytes(), path.name))


def load_demo_campaigns(data: dict[str, Any], *, today: date, seeds_dir: Path) -> int:
    """One published campaign per entry (skipped when one of that preset already runs for the union), its
    demo members and crowd, their past days, and the admin dashboard's figures."""
    created = 0
    by_preset: dict[str, Campaign] = {}
    for entry in data["campaigns"]:
        org = get_org_by_code(entry["org"])
        campaign = db.session.scalar(
            select(Campaign).where(Campaign.organisation_id == org.id, Campaign.preset == entry["preset"])
        )
        if campaign is None:
            start = today - timedelta(days=entry["started_days_ago"])
            campaign = create_campaign(None, org, preset=entry["preset"], start_day=start, publish=True)
            created += 1
        copy_preset_route(campaign, campaign_rules(campaign))  # campaigns made before routes existed
        copy_preset_pools(campaign)  # … and before prize pools
        _load_question_bank(campaign, seeds_dir)
        by_preset[entry["preset"]] = campaign
    for entry in data["enrolments"]:
        user = find_user_by_phone(entry["phone"])
        campaign = by_preset[entry["preset"]]
        if (
            db.session.scalar(
                select(Enrollment.id).where(
                    Enrollment.user_id == user.id, Enrollment.campaign_id == campaign.id
                )
            )
            is None
        ):
            enrol(user, campaign, get_org_by_code(entry["unit"]))
    for entry in data.get("crowd", []):
        _load_crowd(entry, by_preset[entry["preset"]], today)
    for entry in data.get("history", []):
        _walk_history(find_user_by_phone(entry["phone"]), by_preset[entry["preset"]], entry["steps"], today)
    for entry in data.get("teams", []):
        captain = find_enrollment(find_user_by_phone(entry["captain"]), by_preset[entry["preset"]])
        if team_of(captain) is None:
            create_team(captain, entry["name"], entry.get("slogan", ""))
    for campaign in by_preset.values():
        refresh_figures(campaign)  # the dashboard's figures of today (settlement did the past days')
    db.session.flush()
    return created


SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦许何吕施张孔曹严华金魏陶姜谢邹柏窦章苏潘葛范彭鲁韦马方"
GIVEN = (
    "晓明",
    "海燕",
    "建华",
    "文静",
    "志强",
    "丽娟",
    "立新",
    "春梅",
    "永刚",
    "玉兰",
    "红霞",
    "俊杰",
    "慧敏",
    "子涵",
)


def _load_crowd(entry: dict, campaign: Campaign, today: date) -> None:
    """Invented members of ``entry["unions"]``, imported as a union admin imports a spreadsheet of its
    members (portal/workflows/member_import.py: the accounts sign in by SMS code), most of them then
    enrolled on some day since the campaign's start, with steps on past days (settled with the rest of
    the demo's days). Once: a second load finds them imported and changes nothing."""
    rng = random.Random(entry["seed"])
    records = []
    for index in range(entry["people"]):
        birth = date(1970, 1, 1) + timedelta(days=rng.randrange(12_000))
        first17 = f"610102{birth:%Y%m%d}{rng.randrange(1000):03d}"
        records.append(
            {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "phone": str(int(entry["first_phone"]) + index),
                "id_number": first17 + check_character(first17),
                "unit_code": rng.choice(entry["unions"]),
            }
        )
    rows = [row for row in check_rows(campaign.organisation, records) if row.ok and row.existing is None]
    if not rows:
        return
    import_rows(None, campaign.organisation, rows, source="demo crowd")
    # Imported the day before the campaign started, except the last ``recent`` accounts: made just now,
    # they are the "new accounts" whose votes the works collection's admin sees apart.
    imported_at = datetime.combine(campaign.start_day - timedelta(days=1), time(8), tzinfo=UTC)
    for row in rows[: len(rows) - entry.get("recent", 0)]:
        row.existing.created_at = imported_at
    days_so_far = (today - campaign.start_day).days
    for row in rows:
        if rng.random() < 0.15:
            continue  # a member who has not enrolled
        enrollment = enrol(row.existing, campaign, row.org)
        joined = rng.randrange(days_so_far + 1)
        enrollment.enrolled_at = datetime.combine(
            campaign.start_day + timedelta(days=joined), time(8), tzinfo=UTC
        )
        for day_index in range(joined, days_so_far):
            if rng.random() < 0.75:
                day = campaign.start_day + timedelta(days=day_index)
                evening = time(20 + rng.randrange(4), rng.randrange(60))  # inside seed 001's settle window
                report_steps(
                    enrollment,
                    day=day,
                    steps=rng.randrange(1500, 16000),
                    source=ReportSource.IMPORT,
                    reported_at=datetime.combine(day, evening, tzinfo=ZoneInfo(campaign.timezone)),
                    allow_closed=True,
                )


def _walk_history(user, campaign: Campaign, steps: list[int], today: date) -> None:
    """Past days of a demo member, once; then every past day of the campaign is settled (idempotent)."""
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.campaign_id == campaign.id)
    )
    has_days = db.session.scalar(
        select(DailyRecord.id).where(DailyRecord.enrollment_id == enrollment.id).limit(1)
    )
    if has_days is None:
        for back, count in enumerate(reversed(steps), start=1):
            report_steps(
                enrollment,
                day=today - timedelta(days=back),
                steps=count,
                source=ReportSource.IMPORT,
                allow_closed=True,
            )
    day = campaign.start_day
    while day < today:
        settle_day(campaign, day)
        day += timedelta(days=1)


def load_demo(seeds_dir: Path, *, today: date | None = None) -> dict[str, int]:
    """Every union tree under ``seeds/orgs``, the demo people with their memberships, and the campaigns."""
    orgs = sum(load_org_tree(read_yaml(path)) for path in sorted((seeds_dir / "orgs").glob("*.yaml")))
    people_data = read_yaml(seeds_dir / "demo_people.yaml")
    people = load_people(people_data)
    approver = next(find_user_by_phone(p["phone"]) for p in people_data["people"] if p.get("platform_admin"))
    for person in people_data["people"]:
        if person.get("member_of"):
            _join_through_the_flow(
                find_user_by_phone(person["phone"]), get_org_by_code(person["member_of"]), approver
            )
    today = today or local_today(utcnow(), "Asia/Shanghai")
    campaigns_data = read_yaml(seeds_dir / "demo_campaigns.yaml")
    campaigns = load_demo_campaigns(campaigns_data, today=today, seeds_dir=seeds_dir)
    crowd = campaigns_data.get("crowd") or [{}]
    contests = load_demo_contests(
        read_yaml(seeds_dir / "demo_contests.yaml"),
        today=today,
        crowd_first_phone=crowd[0].get("first_phone"),
    )
    return {"organisations": orgs, "people": people, "campaigns": campaigns, "contests": contests}
