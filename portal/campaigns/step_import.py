"""Admins' import of steps from a spreadsheet (rules §5): phone, day, steps; preview first, then apply.

Each row goes through ``report_steps`` like any other report (source ``import``, reported now, so an
import corrects earlier reports of those days); past days are allowed, as for partners.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from portal.campaigns.day_rules import local_today
from portal.campaigns.permissions import can_manage
from portal.campaigns.steps import MAX_STEPS, report_steps
from portal.common.audit import record_audit
from portal.common.errors import DomainError
from portal.common.phones import parse_phone
from portal.common.spreadsheets import read_spreadsheet
from portal.extensions import db
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.steps import ReportSource
from portal.orgs.permissions import require

STEP_HEADERS = {
    "phone": ("phone", "手机号", "手机号码", "手机"),
    "day": ("day", "日期"),
    "steps": ("steps", "步数"),
}
_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


@dataclass
class StepRow:
    line: int
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    enrollment: Enrollment | None = None
    day: date | None = None
    steps: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def read_step_file(data: bytes, filename: str) -> list[dict[str, str]]:
    return read_spreadsheet(data, filename, STEP_HEADERS)


def _parse_day(text: str) -> date | None:
    match = _DAY.match(text.strip())  # also "2026-11-24 00:00:00", as Excel dates come out
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def check_step_rows(campaign: Campaign, records: list[dict[str, str]], *, now: datetime) -> list[StepRow]:
    rows = [StepRow(line=index + 2, raw=record) for index, record in enumerate(records)]
    phones: dict[int, str] = {}
    for row in rows:
        try:
            phones[row.line] = parse_phone(row.raw["phone"])
        except DomainError as error:
            row.errors.append(str(error.message))
    enrollments = {
        phone: enrollment
        for enrollment, phone in db.session.execute(
            select(Enrollment, User.phone)
            .join(User, User.id == Enrollment.user_id)
            .where(Enrollment.campaign_id == campaign.id, User.phone.in_(set(phones.values())))
        )
    }
    today = local_today(now, campaign.timezone)
    seen: dict[tuple[str, date], int] = {}
    for row in rows:
        phone = phones.get(row.line)
        if phone is not None:
            row.enrollment = enrollments.get(phone)
            if row.enrollment is None:
                row.errors.append(_("No member with this number is enrolled in the campaign."))
        row.day = _parse_day(row.raw["day"])
        if row.day is None:
            row.errors.append(_("Write the day as 2026-05-10."))
        elif not campaign.start_day <= row.day <= min(campaign.end_day, today):
            row.errors.append(_("This day is not part of the campaign."))
        text = row.raw["steps"].replace(",", "").strip()
        if text.isdigit() and int(text) <= MAX_STEPS:
            row.steps = int(text)
        else:
            row.errors.append(_("Enter the step count as a whole number from 0 to 1,000,000."))
        if phone and row.day:
            key = (phone, row.day)
            if key in seen:
                row.errors.append(_("Same number and day as line %(line)d.", line=seen[key]))
            seen.setdefault(key, row.line)
    return rows


def import_step_rows(
    actor: User, campaign: Campaign, rows: list[StepRow], *, now: datetime, source: str
) -> int:
    """Apply the good rows; returns how many were applied."""
    require(can_manage(actor, campaign))
    applied = 0
    for row in rows:
        if not row.ok:
            continue
        report_steps(
            row.enrollment,
            day=row.day,
            steps=row.steps,
            source=ReportSource.IMPORT,
            reported_at=now,
            now=now,
            allow_closed=True,
        )
        applied += 1
    record_audit(
        actor,
        "steps.import",
        subject_type="campaign",
        subject_id=campaign.id,
        organisation_id=campaign.organisation_id,
        after={"source": source, "rows": len(rows), "applied": applied, "refused": len(rows) - applied},
    )
    return applied
