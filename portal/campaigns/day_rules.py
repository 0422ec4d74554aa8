"""How one day counts (rules §5), as pure functions of the rules: no database, no clock of their own.

- Counted steps = min(reported, daily cap). Qualification is judged on the day's counted steps; the total
  cap limits only the campaign total (``campaign_total``), so backfilling an early day never changes
  whether a later day qualified.
- A qualified day has counted steps ≥ the threshold and, where the rules have a settle window, a report
  made inside that window of the same local day.
- A flagged day counts nothing until an admin clears it.
- A day accepts reports from its local start until local midnight plus the rules' grace period; a future
  day never does.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from portal.campaigns.rules import RuleSet
from portal.models.steps import DayFlag

# A jump is a day above both of these, measured against the member's own earlier days.
JUMP_FACTOR = 3
JUMP_FLOOR = 30_000
JUMP_HISTORY_DAYS = 3
REPEATED_DIGITS_MIN_LENGTH = 5


class DayReason(StrEnum):
    QUALIFIED = "qualified"
    QUALIFIED_CAPPED = "qualified_capped"  # qualified; the excess over the daily cap is not counted
    BELOW_THRESHOLD = "below_threshold"
    OUTSIDE_SETTLE_WINDOW = "outside_settle_window"
    FLAGGED = "flagged"


@dataclass(frozen=True)
class DayOutcome:
    counted: int
    qualified: bool
    reason: DayReason


def local_datetime(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def as_utc(moment: datetime | None, zone: str) -> datetime | None:
    """``moment`` in UTC; a time without an offset is read in ``zone`` (the campaign's)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))).astimezone(ZoneInfo("UTC"))


def local_today(now: datetime, zone: str) -> date:
    return local_datetime(now, zone).date()


def end_of_local_day(day: date, zone: str) -> datetime:
    """Local midnight at the end of ``day``."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(zone))


def day_closes_at(day: date, rules: RuleSet, zone: str) -> datetime:
    """The instant after which reports for ``day`` are refused: local midnight plus the grace period."""
    return end_of_local_day(day, zone) + timedelta(minutes=rules.grace_minutes)


def detect_flag(
    rules: RuleSet, steps: int, earlier_days: Sequence[int] | Callable[[], Sequence[int]]
) -> DayFlag | None:
    """Why a report looks faked, if it does: above the implausible limit, one digit repeated (66666),
    or a jump far above the member's own history (3× the median of at least 3 earlier days, and above
    30,000). ``earlier_days`` may be a callable: the history is then read only for a day above 30,000."""
    if steps > rules.implausible_steps:
        return DayFlag.IMPLAUSIBLE
    digits = str(steps)
    if len(digits) >= REPEATED_DIGITS_MIN_LENGTH and len(set(digits)) == 1:
        return DayFlag.REPEATED_DIGITS
    if steps <= JUMP_FLOOR:
        return None
    history = [value for value in (earlier_days() if callable(earlier_days) else earlier_days) if value > 0]
    if len(history) >= JUMP_HISTORY_DAYS and steps > JUMP_FACTOR * statistics.median(history):
        return DayFlag.JUMP
    return None


def in_settle_window(rules: RuleSet, day: date, reported_at: datetime, zone: str) -> bool:
    if rules.settle_window is None:
        return True
    local = local_datetime(reported_at, zone)
    return local.date() == day and rules.settle_window.start <= local.time() <= rules.settle_window.end


def evaluate_day(
    rules: RuleSet, *, day: date, steps: int, reported_at: datetime, zone: str, flag: DayFlag | None
) -> DayOutcome:
    """The day's counted steps, whether it qualifies, and the reason the member is shown."""
    if flag is not None:
        return DayOutcome(0, False, DayReason.FLAGGED)
    capped = rules.daily_cap is not None and steps > rules.daily_cap
    counted = rules.daily_cap if capped else steps
    if counted < rules.qualify_steps:
        return DayOutcome(counted, False, DayReason.BELOW_THRESHOLD)
    if not in_settle_window(rules, day, reported_at, zone):
        return DayOutcome(counted, False, DayReason.OUTSIDE_SETTLE_WINDOW)
    return DayOutcome(counted, True, DayReason.QUALIFIED_CAPPED if capped else DayReason.QUALIFIED)


def campaign_total(rules: RuleSet, counted_days: Iterable[int]) -> int:
    """The campaign's counted steps for one member: the sum of the days, limited by the total cap."""
    total = sum(counted_days)
    return min(total, rules.total_cap) if rules.total_cap is not None else total
