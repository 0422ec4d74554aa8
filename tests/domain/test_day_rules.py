"""The day rules against a small reference implementation written here, plus time-zone edges."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from portal.campaigns.day_rules import (
    DayReason,
    campaign_total,
    day_closes_at,
    detect_flag,
    evaluate_day,
    local_today,
)
from portal.campaigns.rules import RuleSet
from portal.models import DayFlag

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 5, 10)


def reference(steps, qualify, cap, window, reported_local):
    """rules §5 read literally: counted = min(reported, cap); qualified if counted ≥ threshold and, with
    a settle window, the report was made inside it on that day."""
    counted = min(steps, cap) if cap is not None else steps
    in_window = window is None or (
        reported_local.date() == DAY and window[0] <= reported_local.time() <= window[1]
    )
    return counted, counted >= qualify and in_window


rules_strategy = st.builds(
    lambda qualify, cap_extra, window: RuleSet(
        length_days=30,
        qualify_steps=qualify,
        daily_cap=None if cap_extra is None else qualify + cap_extra,
        settle_window=None if window is None else {"start": window[0], "end": window[1]},
        implausible_steps=200_000,
    ),
    qualify=st.integers(1000, 20_000),
    cap_extra=st.none() | st.integers(0, 30_000),
    window=st.none() | st.just((time(20, 0), time(23, 59, 59))),
)


@given(
    rules=rules_strategy,
    steps=st.integers(0, 150_000),
    minutes=st.integers(-24 * 60, 48 * 60),
)
def test_evaluate_day_agrees_with_the_reference(rules, steps, minutes):
    reported_local = datetime.combine(DAY, time.min, tzinfo=SHANGHAI) + timedelta(minutes=minutes)
    outcome = evaluate_day(
        rules,
        day=DAY,
        steps=steps,
        reported_at=reported_local.astimezone(UTC),
        zone="Asia/Shanghai",
        flag=None,
    )
    window = (rules.settle_window.start, rules.settle_window.end) if rules.settle_window else None
    assert (outcome.counted, outcome.qualified) == reference(
        steps, rules.qualify_steps, rules.daily_cap, window, reported_local
    )
    if outcome.qualified:
        capped = rules.daily_cap is not None and steps > rules.daily_cap
        assert outcome.reason is (DayReason.QUALIFIED_CAPPED if capped else DayReason.QUALIFIED)


@given(days=st.lists(st.integers(0, 30_000), max_size=10), cap=st.none() | st.integers(6000, 200_000))
def test_total_is_the_capped_sum(days, cap):
    rules = RuleSet(length_days=10, qualify_steps=5000, total_cap=cap)
    assert campaign_total(rules, days) == (min(sum(days), cap) if cap else sum(days))


def test_flagged_days_count_nothing_and_say_why():
    rules = RuleSet(length_days=7, qualify_steps=6000)
    outcome = evaluate_day(
        rules, day=DAY, steps=9000, reported_at=datetime.now(UTC), zone="Asia/Shanghai", flag=DayFlag.JUMP
    )
    assert (outcome.counted, outcome.qualified, outcome.reason) == (0, False, DayReason.FLAGGED)


def test_flags_for_implausible_repeated_digits_and_jumps():
    rules = RuleSet(length_days=7, qualify_steps=6000)
    assert detect_flag(rules, 100_001, []) is DayFlag.IMPLAUSIBLE
    assert detect_flag(rules, 66666, []) is DayFlag.REPEATED_DIGITS
    assert detect_flag(rules, 88888, []) is DayFlag.REPEATED_DIGITS
    assert detect_flag(rules, 6666, []) is None  # too short to say
    assert detect_flag(rules, 45_000, [8000, 9000, 7000]) is DayFlag.JUMP
    assert detect_flag(rules, 45_000, [8000, 9000]) is None  # not enough history
    assert detect_flag(rules, 25_000, [5000, 6000, 7000]) is None  # below the floor
    assert detect_flag(rules, 45_000, [20_000, 18_000, 16_000]) is None  # usual for this member


def test_local_days_with_the_server_in_utc():
    # 15:59:59 UTC is 23:59:59 in Shanghai; one second later it is the next day there.
    assert local_today(datetime(2026, 5, 10, 15, 59, 59, tzinfo=UTC), "Asia/Shanghai") == DAY
    assert local_today(datetime(2026, 5, 10, 16, 0, 0, tzinfo=UTC), "Asia/Shanghai") == DAY + timedelta(
        days=1
    )
    rules = RuleSet(length_days=7, qualify_steps=6000, grace_minutes=30)
    assert day_closes_at(DAY, rules, "Asia/Shanghai") == datetime(2026, 5, 10, 16, 30, tzinfo=UTC)


def test_settle_window_edges():
    rules = RuleSet(length_days=7, qualify_steps=6000, settle_window={"start": "20:00:00", "end": "23:59:59"})

    def at(hour, minute, second, day=DAY):
        local = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)
        return evaluate_day(
            rules, day=DAY, steps=8000, reported_at=local.astimezone(UTC), zone="Asia/Shanghai", flag=None
        )

    assert at(19, 59, 59).reason is DayReason.OUTSIDE_SETTLE_WINDOW
    assert at(20, 0, 0).qualified
    assert at(23, 59, 59).qualified
    assert at(0, 0, 0, DAY + timedelta(days=1)).reason is DayReason.OUTSIDE_SETTLE_WINDOW
