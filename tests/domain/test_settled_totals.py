"""The closed days' totals per enrolment (``settled_totals``): a board from the totals plus the records
after their cutoff is the board from the records alone, whatever was settled and written later."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.boards.definitions import individual_board
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at
from portal.campaigns.flags import review_day
from portal.campaigns.settled_totals import (
    TOTALS_MARGIN,
    last_closed_day,
    nothing_settled,
    settle_totals,
    totals_cutoff,
)
from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import (
    Checkin,
    DailyRecord,
    DayFlag,
    DayReview,
    EnrollmentTotals,
    ReportSource,
)
from portal.models.base import utcnow
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import (
    board_rows,
    enrolled,
    member_of,
    rows_from_records_alone,
    running_campaign,
    today_local,
)

DAYS = 5  # the campaign began five days before today
STEPS = st.sampled_from([None, 0, 4000, 9000, 12000, 30000])  # None: no record that day
members = st.lists(
    st.fixed_dictionaries(
        {
            "steps": st.lists(STEPS, min_size=DAYS, max_size=DAYS),  # oldest day first
            "checkins": st.lists(st.booleans(), min_size=DAYS, max_size=DAYS),
        }
    ),
    min_size=1,
    max_size=5,
)


def settle_through(campaign, day):
    """Settle the totals at the moment ``day`` may go into them; returns that moment."""
    rules = campaign_rules(campaign)
    now = day_closes_at(day, rules, campaign.timezone) + TOTALS_MARGIN
    assert settle_totals(campaign, now=now) == day
    return now


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=members,
    settled_back=st.integers(1, DAYS),
    late=st.none()
    | st.tuples(st.integers(0, 4), st.integers(1, DAYS), STEPS.filter(lambda s: s is not None)),
)
def test_totals_and_the_records_after_them_make_the_board_of_the_records(
    app, tree, make_user, people, settled_back, late
):
    campaign = running_campaign(tree["js"], started_days_ago=DAYS)
    today, unit = today_local(), tree["njmu"]
    moment = utcnow()
    enrollments = []
    for index, person in enumerate(people):
        member = enrolled(member_of(make_user(), unit), campaign, unit)
        enrollments.append(member)
        for back, (steps, checked) in enumerate(zip(person["steps"], person["checkins"], strict=True)):
            day = today - timedelta(days=DAYS - back)
            at = moment + timedelta(minutes=index % 2)  # ties on the time of last sync, and not
            if steps is not None:
                report_steps(
                    member, day=day, steps=steps, source=ReportSource.IMPORT, now=at, allow_closed=True
                )
            if checked:
                db.session.add(Checkin(enrollment_id=member.id, day=day, checked_in_at=at))
    db.session.commit()
    expected = rows_from_records_alone(campaign)

    settled_at = settle_through(campaign, today - timedelta(days=settled_back))
    db.session.commit()
    assert board_rows(campaign) == expected

    if late is not None:  # a closed day changed after the settlement (an import, a partner's backfill)
        who, back, steps = late
        member = enrollments[who % len(enrollments)]
        report_steps(
            member,
            day=today - timedelta(days=back),
            steps=steps,
            source=ReportSource.IMPORT,
            now=max(utcnow(), settled_at) + timedelta(minutes=1),  # newer than every report
            allow_closed=True,
        )
        db.session.commit()
        assert board_rows(campaign) == rows_from_records_alone(campaign)


def test_settlement_moves_the_cutoff_and_a_write_to_a_settled_day_moves_it_back(app, tree, make_user):
    campaign = running_campaign(tree["js"], started_days_ago=DAYS)
    assert totals_cutoff(campaign) == nothing_settled(campaign.start_day)
    unit = tree["njmu"]
    member = enrolled(member_of(make_user(), unit), campaign, unit)
    three_days_ago = today_local() - timedelta(days=3)
    report_steps(member, day=three_days_ago, steps=9000, source=ReportSource.IMPORT, allow_closed=True)
    settle_day(campaign, today_local() - timedelta(days=1))
    db.session.commit()
    settled = totals_cutoff(campaign)
    assert settled == last_closed_day(campaign, utcnow()) and settled >= three_days_ago
    totals = db.session.get(EnrollmentTotals, member.id)
    assert (totals.record_days, totals.qualified_days, totals.steps) == (1, 1, 9000)
    before = board_rows(campaign)
    settle_day(campaign, today_local() - timedelta(days=1))  # again: the same totals
    db.session.commit()
    assert totals_cutoff(campaign) == settled and board_rows(campaign) == before

    report_steps(member, day=three_days_ago, steps=12000, source=ReportSource.IMPORT, allow_closed=True)
    db.session.commit()
    assert totals_cutoff(campaign) == settled  # the cutoff stays; the member's totals were recounted
    assert db.session.get(EnrollmentTotals, member.id).steps == 12000
    assert board_rows(campaign) == rows_from_records_alone(campaign) != before


def test_a_flagged_day_cleared_after_settlement_counts_on_the_board(app, tree, make_user):
    campaign = running_campaign(tree["js"], started_days_ago=DAYS)
    unit = tree["njmu"]
    member = enrolled(member_of(make_user(), unit), campaign, unit)
    day = today_local() - timedelta(days=3)
    report_steps(member, day=day, steps=66666, source=ReportSource.IMPORT, allow_closed=True)
    db.session.commit()
    record = db.session.scalar(select(DailyRecord).where(DailyRecord.enrollment_id == member.id))
    assert record.flag is DayFlag.REPEATED_DIGITS and record.counted_steps == 0
    settle_day(campaign, today_local() - timedelta(days=1))
    db.session.commit()
    assert [row.steps for row in db.session.execute(individual_board(campaign))] == [0]

    review_day(make_user(admin_of=tree["js"]), record, DayReview.CLEARED)
    db.session.commit()
    rows = board_rows(campaign)
    assert rows == rows_from_records_alone(campaign)
    assert [row.steps for row in db.session.execute(individual_board(campaign))] == [record.counted_steps]
    assert record.counted_steps > 0
