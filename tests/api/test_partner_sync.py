"""The partner sync's rules (docs/decisions.md, "Partner sync"): sync times, check-ins, idempotence,
per-record validation, closed and frozen days; over HTTP as a partner sends them, and the personal
endpoint under the same rules."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.boards.definitions import individual_board
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at
from portal.campaigns.settled_totals import TOTALS_MARGIN, settle_totals
from portal.campaigns.tokens import issue_partner_token, issue_personal_token
from portal.extensions import db, limiter
from portal.models import Checkin, DailyRecord, Enrollment, EnrollmentTotals
from portal.models.base import utcnow
from portal.models.board import TotalsCutoff
from portal.models.campaign import Campaign, CampaignDay
from tests.campaign_helpers import (
    board_rows,
    enrolled,
    member_of,
    rows_from_records_alone,
    running_campaign,
    today_local,
)

ZONE = "+08:00"


def post(client, path, headers, body):
    return client.post(path, headers=headers, data=json.dumps(body), content_type="application/json")


def at(day, clock: str) -> str:
    """``2026-12-05T20:01:00+08:00``: a local time of ``day``."""
    return f"{day.isoformat()}T{clock}{ZONE}"


@dataclass
class Partner:
    campaign: Campaign
    phones: list[str]  # the three members'
    ids: list[int]  # their enrolments, in the same order
    raw: Callable  # body -> the response
    send: Callable  # records -> the JSON answer of a 200


@pytest.fixture
def partner(client, tree, make_user) -> Partner:
    """A teachers' campaign (check-in required, ranks second) three days old, three members, a partner."""
    campaign = running_campaign(tree["edu"], started_days_ago=3)
    members = [enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"]) for _ in range(3)]
    secret = issue_partner_token(None, campaign, "步数平台").secret
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    path = f"/api/v1/campaigns/{campaign.id}/steps/bulk"

    def raw(body):
        return post(client, path, headers, body)

    def send(records):
        response = raw({"records": records})
        assert response.status_code == 200, response.json
        return response.json

    phones = [db.session.get(Enrollment, member.id).user.phone for member in members]
    return Partner(campaign, phones, [member.id for member in members], raw, send)


def board(campaign) -> dict[int, object]:
    """The individual board's rows by enrolment, with their names (rank, checkin_days, …)."""
    return {row.enrollment_id: row for row in db.session.execute(individual_board(campaign))}


def stored_days(campaign):
    return sorted(
        db.session.execute(
            select(
                DailyRecord.enrollment_id,
                DailyRecord.day,
                DailyRecord.reported_steps,
                DailyRecord.reported_at,
                DailyRecord.received_at,
            ).where(DailyRecord.campaign_id == campaign.id)
        ).all()
    )


def test_a_past_days_check_in_counts_and_the_board_ranks_by_it(partner):
    phones, send = partner.phones, partner.send
    yesterday = today_local() - timedelta(days=1)
    # Both walked the same; only the first checked in (in the partner's app) yesterday.
    answer = send(
        [
            {
                "phone": phones[1],
                "day": yesterday.isoformat(),
                "steps": 9000,
                "reported_at": at(yesterday, "21:00:00"),
            },
            {
                "phone": phones[0],
                "day": yesterday.isoformat(),
                "steps": 9000,
                "reported_at": at(yesterday, "21:00:00"),
                "checkin": True,
            },
        ]
    )
    assert [r["result"]["checked_in"] for r in answer["results"]] == [False, True]
    assert db.session.scalar(select(Checkin.day)) == yesterday
    ranks = {member: (row.rank, row.checkin_days) for member, row in board(partner.campaign).items()}
    assert (ranks[partner.ids[0]], ranks[partner.ids[1]]) == ((1, 1), (2, 0))


def test_a_check_in_the_campaign_does_not_offer_is_refused_by_code_and_the_steps_stay(
    app, tree, make_user, client
):
    campaign = running_campaign(tree["js"], preset="eco-walk")  # no check-in
    member = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    secret = issue_partner_token(None, campaign, "p").secret
    db.session.commit()
    phone = db.session.get(Enrollment, member.id).user.phone
    response = post(
        client,
        f"/api/v1/campaigns/{campaign.id}/steps/bulk",
        {"Authorization": f"Bearer {secret}"},
        {"records": [{"phone": phone, "day": today_local().isoformat(), "steps": 7000, "checkin": True}]},
    )
    result = response.json["results"][0]
    assert result["status"] == "ok" and result["result"]["applied"] is True
    assert result["result"]["checked_in"] is False
    assert result["result"]["checkin_error"]["code"] == "checkin_not_offered"
    assert result["result"]["checkin_error"]["message"]
    assert db.session.scalar(select(Checkin)) is None


def test_the_sync_time_is_the_phones_and_equal_keys_share_a_rank(partner):
    campaign, phones, send = partner.campaign, partner.phones, partner.send
    yesterday = today_local() - timedelta(days=1)
    day = yesterday.isoformat()
    # The partner lists the member who synced later first: the order of the batch must not matter.
    send(
        [
            {"phone": phones[0], "day": day, "steps": 8000, "reported_at": at(yesterday, "21:30:00")},
            {"phone": phones[1], "day": day, "steps": 8000, "reported_at": at(yesterday, "20:05:00")},
            {"phone": phones[2], "day": day, "steps": 8000, "reported_at": at(yesterday, "20:05:00")},
        ]
    )
    rows = board(campaign)
    assert [rows[member].rank for member in partner.ids] == [3, 1, 1]
    noon = datetime(yesterday.year, yesterday.month, yesterday.day, 12, 5, tzinfo=UTC)  # 20:05 in Beijing
    assert rows[partner.ids[1]].last_synced_at == noon


def test_replaying_a_batch_changes_nothing_not_even_the_sync_time(partner):
    campaign, phones, send = partner.campaign, partner.phones, partner.send
    today, yesterday = today_local(), today_local() - timedelta(days=1)
    records = [
        {
            "phone": phones[0],
            "day": yesterday.isoformat(),
            "steps": 8000,
            "reported_at": at(yesterday, "21:00:00"),
        },
        {
            "phone": phones[1],
            "day": yesterday.isoformat(),
            "steps": 5000,
            "checkin": True,
        },  # no time of its own
        {"phone": phones[2], "day": today.isoformat(), "steps": 3000, "checkin": True},
    ]
    first = send(records)
    assert [r["result"]["applied"] for r in first["results"]] == [True, True, True]
    days, board = stored_days(campaign), board_rows(campaign)
    for _ in range(2):
        again = send(list(reversed(records)))
        assert {(r["result"]["applied"], r["result"]["not_applied"]) for r in again["results"]} == {
            (False, "same_as_stored")
        }
        assert all(r["result"]["checked_in"] for r in again["results"] if r["index"] != 2)
        assert stored_days(campaign) == days and board_rows(campaign) == board


def test_within_a_batch_the_newest_record_of_a_day_wins_and_the_others_say_why(partner):
    phones, send = partner.phones, partner.send
    yesterday = today_local() - timedelta(days=1)
    day = yesterday.isoformat()
    answer = send(
        [
            {"phone": phones[0], "day": day, "steps": 9000, "reported_at": at(yesterday, "22:00:00")},
            {"phone": phones[0], "day": day, "steps": 4000, "reported_at": at(yesterday, "12:00:00")},
            {"phone": phones[0], "day": day, "steps": 9000, "reported_at": at(yesterday, "22:00:00")},
        ]
    )
    results = [r["result"] for r in answer["results"]]
    assert [(r["applied"], r["not_applied"]) for r in results] == [
        (True, None),
        (False, "older_than_stored"),
        (False, "same_as_stored"),
    ]
    assert {r["reported_steps"] for r in results} == {9000}  # each answers with the day as stored


def test_a_report_time_ahead_of_its_arrival_is_refused_and_freezes_nothing(partner):
    phones, send = partner.phones, partner.send
    today = today_local()
    ahead = (utcnow() + timedelta(hours=3)).isoformat()
    slightly_ahead = (utcnow() + timedelta(minutes=2)).isoformat()  # within the allowed clock skew
    answer = send(
        [
            {"phone": phones[0], "day": today.isoformat(), "steps": 9000, "reported_at": ahead},
            {"phone": phones[1], "day": today.isoformat(), "steps": 9000, "reported_at": slightly_ahead},
        ]
    )
    assert answer["results"][0]["error"]["code"] == "reported_at_in_future"
    assert answer["results"][0]["error"]["fields"] == {
        "reported_at": answer["results"][0]["error"]["message"]
    }
    assert answer["results"][1]["status"] == "ok"
    later = send([{"phone": phones[0], "day": today.isoformat(), "steps": 10000}])  # a genuine report
    assert later["results"][0]["result"]["applied"] is True


def test_each_record_is_checked_on_its_own(partner):
    phones, send = partner.phones, partner.send
    today = today_local().isoformat()
    answer = send(
        [
            {"phone": phones[0], "day": "2026-02-30", "steps": 9000},
            {"phone": phones[1], "day": today, "steps": "9000"},
            {"phone": "not a phone", "day": today, "steps": 9000},
            {"phone": phones[2], "day": today, "steps": 9000},
            {"phone": "13800000000", "day": today, "steps": 9000},
            "not a record",
            {"phone": phones[2], "day": "2000-01-01", "steps": 9000},
            {"phone": phones[2], "day": (today_local() + timedelta(days=1)).isoformat(), "steps": 1},
            {
                "phone": phones[2],
                "day": today,
                "steps": 1,
                "reported_at": at(today_local() - timedelta(days=1), "23:00:00"),
            },
        ]
    )
    codes = [r["error"]["code"] if r["status"] == "error" else "ok" for r in answer["results"]]
    assert codes == [
        "invalid_request",
        "invalid_request",
        "invalid_phone",
        "ok",
        "not_enrolled",
        "invalid_request",
        "day_outside_campaign",
        "day_not_yet",
        "reported_at_before_day",
    ]
    assert "day" in answer["results"][0]["error"]["fields"]
    assert "steps" in answer["results"][1]["error"]["fields"]
    assert (answer["accepted"], answer["refused"]) == (1, 8)
    assert all(r["error"]["message"] for r in answer["results"] if r["status"] == "error")


def test_only_a_body_that_is_not_a_list_of_records_is_refused_whole(partner):
    for body in ({"records": "x"}, {"records": []}, [], {"rows": []}, {"records": [{}] * 10_001}):
        response = partner.raw(body)
        assert response.status_code == 422 and response.json["error"]["code"] == "invalid_request"


def test_a_closed_day_backfilled_after_settlement_reaches_the_board(partner):
    campaign, phones, send = partner.campaign, partner.phones, partner.send
    two_days_ago = today_local() - timedelta(days=2)
    send(
        [
            {
                "phone": phones[0],
                "day": two_days_ago.isoformat(),
                "steps": 4000,
                "reported_at": at(two_days_ago, "10:00:00"),
            }
        ]
    )
    rules = campaign_rules(campaign)
    settle_totals(campaign, now=day_closes_at(two_days_ago, rules, campaign.timezone) + TOTALS_MARGIN)
    db.session.commit()
    answer = send(
        [
            {
                "phone": phones[0],
                "day": two_days_ago.isoformat(),
                "steps": 12000,
                "reported_at": at(two_days_ago, "22:00:00"),
                "checkin": True,
            }
        ]
    )
    assert answer["results"][0]["result"]["applied"] is True
    assert board_rows(campaign) == rows_from_records_alone(campaign)
    mine = board(campaign)[partner.ids[0]]
    assert (mine.qualified_days, mine.checkin_days, mine.steps) == (1, 1, 12000)


def test_after_the_final_boards_froze_a_late_record_is_refused(partner):
    campaign, phones, send = partner.campaign, partner.phones, partner.send
    campaign.start_day -= timedelta(days=10)  # the seven days ended three days ago
    campaign.end_day -= timedelta(days=10)
    db.session.commit()
    last = campaign.end_day
    record = {"phone": phones[0], "day": last.isoformat(), "steps": 9000, "reported_at": at(last, "21:00:00")}
    # Before the last day's final settlement a late record is still taken …
    assert send([record])["results"][0]["status"] == "ok"
    closes = day_closes_at(last, campaign_rules(campaign), campaign.timezone)
    db.session.add(
        CampaignDay(
            campaign_id=campaign.id,
            day=last,
            enrolled=3,
            reporting=1,
            qualified=1,
            counted_steps=9000,
            settled_at=closes + timedelta(minutes=30),
        )
    )
    db.session.commit()
    # … after it, never: the final boards are frozen.
    late = send([{**record, "steps": 12000, "reported_at": at(last, "22:00:00")}])
    assert late["results"][0]["error"]["code"] == "campaign_frozen"
    assert db.session.scalar(select(DailyRecord.reported_steps)) == 9000


def test_a_transient_conflict_is_retried_and_then_answered_503_with_retry_after(partner, monkeypatch):
    from portal.api import routes

    phones, send = partner.phones, partner.send
    calls = []
    real = routes.sync_partner_batch

    class Deadlock(Exception):
        sqlstate = "40P01"

    def conflicting(*args, **kwargs):
        calls.append(1)
        if len(calls) < 2:
            raise OperationalError("INSERT …", {}, Deadlock("deadlock detected"))
        return real(*args, **kwargs)

    monkeypatch.setattr(routes, "sync_partner_batch", conflicting)
    answer = send([{"phone": phones[0], "day": today_local().isoformat(), "steps": 7000}])
    assert answer["accepted"] == 1 and len(calls) == 2

    def always(*args, **kwargs):
        raise OperationalError("INSERT …", {}, Deadlock("deadlock detected"))

    monkeypatch.setattr(routes, "sync_partner_batch", always)
    response = partner.raw(
        {"records": [{"phone": phones[0], "day": today_local().isoformat(), "steps": 7000}]}
    )
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json["error"]["code"] == "busy"


# The property: whatever the order and the chunking, the stored days and the board are those of a plain
# reference: per member and day the record with the latest (reported_at, steps) among those accepted;
# a day checked in when any accepted record of it asked; the board ranked as docs/rules say.
MINUTES = st.integers(0, 23 * 60)  # the record's time on its day, in minutes after local midnight
record_strategy = st.fixed_dictionaries(
    {
        "member": st.integers(0, 2),
        "back": st.integers(0, 2),  # days before today
        "steps": st.sampled_from([0, 3000, 6000, 6000, 9000, 20000, 25000, 66666]),  # 66666: flagged
        "minute": MINUTES,
        "future": st.integers(0, 4).map(lambda n: n == 0),  # one in five: refused, ahead of its arrival
        "checkin": st.booleans(),
    }
)


def _moment(day, minute: int, now: datetime) -> datetime:
    """``minute`` minutes after the local midnight that begins ``day``, but never later than ``now``."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=8)
    return min(midnight + timedelta(minutes=minute), now - timedelta(seconds=1))


def _reference(partner, records, today):
    days, checkins = {}, set()
    for record in records:
        if record["future"]:
            continue
        day = today - timedelta(days=record["back"])
        key = (partner.ids[record["member"]], day)
        moment = record["at"]
        days[key] = max(days.get(key, (moment, record["steps"])), (moment, record["steps"]))
        if record["checkin"]:
            checkins.add(key)
    rules = campaign_rules(partner.campaign)
    board = {}
    for member in partner.ids:
        mine = [(key[1], value) for key, value in days.items() if key[0] == member]
        counted = [0 if steps == 66666 else min(steps, rules.daily_cap) for _day, (_at, steps) in mine]
        board[member] = (
            sum(1 for steps in counted if steps >= rules.qualify_steps),
            sum(1 for key in checkins if key[0] == member),
            min(sum(counted), rules.total_cap),
            max((moment for _day, (moment, _steps) in mine), default=None),
        )

    def order(member):
        qualified, checked, steps, synced = board[member]
        return (-qualified, -checked, -steps, synced is None, synced or datetime.min.replace(tzinfo=UTC))

    ranks = {
        member: 1 + sum(1 for other in partner.ids if order(other) < order(member)) for member in partner.ids
    }
    return days, checkins, {member: (ranks[member], *board[member]) for member in partner.ids}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(record_strategy, min_size=1, max_size=25),
    seed=st.integers(0, 2**16),
    settle_after=st.none() | st.integers(0, 3),  # settle the closed days after that many batches
)
def test_any_order_and_chunking_give_the_reference_days_and_board(
    partner, monkeypatch, records, seed, settle_after
):
    monkeypatch.setattr(limiter, "enabled", False)  # many batches a minute, from one token
    records = [dict(record) for record in records]
    db.session.rollback()  # a read left open by the last example would hold a stale snapshot (SQLite)
    db.session.execute(DailyRecord.__table__.delete())
    db.session.execute(Checkin.__table__.delete())
    db.session.execute(EnrollmentTotals.__table__.delete())
    db.session.execute(TotalsCutoff.__table__.delete())
    db.session.commit()
    today = today_local()
    shuffle = random.Random(seed)

    now = utcnow()
    for record in records:  # each record's time, once (``_moment`` reads the clock)
        day = today - timedelta(days=record["back"])
        record["at"] = now + timedelta(hours=2) if record["future"] else _moment(day, record["minute"], now)

    def as_sent(record):
        day = today - timedelta(days=record["back"])
        moment = record["at"]
        return {
            "phone": partner.phones[record["member"]],
            "day": day.isoformat(),
            "steps": record["steps"],
            "reported_at": moment.isoformat(),
            "checkin": record["checkin"],
        }

    sent = [as_sent(record) for record in records]
    days, checkins, expected_board = _reference(partner, records, today)
    for _replay in range(2):  # the second time in another order: nothing may change
        order = sent[:]
        shuffle.shuffle(order)
        batches = 0
        while order:
            if batches == settle_after:  # the nightly settlement: what follows adds to the totals
                yesterday = today - timedelta(days=1)
                rules = campaign_rules(partner.campaign)
                settle_totals(
                    partner.campaign, now=day_closes_at(yesterday, rules, "Asia/Shanghai") + TOTALS_MARGIN
                )
                db.session.commit()
            size = shuffle.randint(1, len(order))
            answer = partner.send(order[:size])
            order = order[size:]
            batches += 1
            assert all(
                r["error"]["code"] == "reported_at_in_future"
                for r in answer["results"]
                if r["status"] == "error"
            )
        stored = {
            (row.enrollment_id, row.day): (row.reported_at, row.reported_steps)
            for row in stored_days(partner.campaign)
        }
        assert stored == days
        assert {
            tuple(row) for row in db.session.execute(select(Checkin.enrollment_id, Checkin.day))
        } == checkins
        rows = board(partner.campaign)
        got = {
            member: (row.rank, row.qualified_days, row.checkin_days, row.steps, row.last_synced_at)
            for member, row in rows.items()
        }
        assert got == expected_board
        assert board_rows(partner.campaign) == rows_from_records_alone(partner.campaign)


def test_the_personal_endpoint_follows_the_same_rules(client, tree, make_user):
    campaign = running_campaign(tree["edu"])
    member = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    secret = issue_personal_token(db.session.get(Enrollment, member.id).user, "phone").secret
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    today = today_local()

    def report(**body):
        return post(
            client, "/api/v1/steps", headers, {"campaign_id": campaign.id, "day": today.isoformat(), **body}
        )

    ahead = report(steps=9000, reported_at=(utcnow() + timedelta(hours=2)).isoformat())
    assert (ahead.status_code, ahead.json["error"]["code"]) == (422, "reported_at_in_future")
    moment = _moment(today, 10, utcnow()).isoformat()
    first = report(steps=9000, reported_at=moment, checkin=True)
    assert first.json["applied"] is True and first.json["checked_in"] is True
    assert datetime.fromisoformat(first.json["last_synced_at"]) == datetime.fromisoformat(moment)
    again = report(steps=9000, reported_at=moment, checkin=True)
    assert (again.json["applied"], again.json["not_applied"], again.json["checked_in"]) == (
        False,
        "same_as_stored",
        True,
    )
    # A report timed at its arrival that says the stored count again changes nothing either.
    received = db.session.scalar(select(DailyRecord.received_at))
    plain = report(steps=9000)
    assert (plain.json["applied"], plain.json["not_applied"]) == (False, "same_as_stored")
    assert db.session.scalar(select(DailyRecord.received_at)) == received
    newer = report(steps=9500)
    assert newer.json["applied"] is True
