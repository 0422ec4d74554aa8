"""The step API's two ways to store a report — one statement from token to row for a campaign that has
started, and the slower way through the loaded enrolment — must store the same day and refuse the same
requests with the same answers (docs/benchmarks.md explains why there are two)."""

import json
from datetime import timedelta

import pytest

from portal.campaigns.steps import report_steps, settled_terms
from portal.campaigns.tokens import TokenUses, issue_partner_token, issue_personal_token, revoke_token
from portal.extensions import db
from portal.models import DailyRecord, DayFlag, ReportSource
from portal.models.api import ApiToken
from portal.models.base import utcnow
from portal.workflows.campaign_setup import create_campaign
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local


@pytest.fixture
def api(app, tree, make_user):
    campaign = running_campaign(tree["edu"], started_days_ago=4)
    member = member_of(make_user(), tree["njmu"])
    enrollment = enrolled(member, campaign, tree["njmu"])
    issued = issue_personal_token(member, "phone")
    db.session.commit()
    return campaign, enrollment, {"Authorization": f"Bearer {issued.secret}"}, issued.token


def post(client, headers, body):
    return client.post(
        "/api/v1/steps", headers=headers, data=json.dumps(body), content_type="application/json"
    )


def stored(enrollment, day):
    db.session.expire_all()
    return db.session.scalars(
        db.select(DailyRecord).where(DailyRecord.enrollment_id == enrollment.id, DailyRecord.day == day)
    ).one()


def test_both_ways_store_the_same_day(client, api, make_user, tree):
    campaign, enrollment, headers, _token = api
    day = today_local()
    # The API (the campaign has started: one statement) and the service (the slower way) side by side.
    answer = post(client, headers, {"campaign_id": campaign.id, "day": day.isoformat(), "steps": 12345})
    assert answer.status_code == 200
    by_token = stored(enrollment, day)

    other = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    report_steps(other, day=day, steps=12345, source=ReportSource.API, now=by_token.received_at)
    db.session.commit()
    by_service = stored(other, day)

    columns = [c.key for c in DailyRecord.__table__.columns if c.key not in ("id", "enrollment_id")]
    assert {c: getattr(by_token, c) for c in columns} == {c: getattr(by_service, c) for c in columns}
    assert answer.json["counted_steps"] == by_token.counted_steps == 12345
    assert answer.json["qualified"] is True and answer.json["reason"] == by_token.reason


def test_a_new_report_clears_an_appeal_on_either_way(client, api):
    campaign, enrollment, headers, _token = api
    day = today_local()
    assert post(client, headers, {"campaign_id": campaign.id, "day": day.isoformat(), "steps": 77777}).json[
        "reason"
    ] == ("flagged")
    record = stored(enrollment, day)
    assert record.flag == DayFlag.REPEATED_DIGITS
    record.appeal_note, record.appealed_at = "手机计步", utcnow()
    db.session.commit()
    assert post(client, headers, {"campaign_id": campaign.id, "day": day.isoformat(), "steps": 9000}).json[
        "qualified"
    ]
    record = stored(enrollment, day)
    assert (record.flag, record.appeal_note, record.appealed_at, record.review) == (None, None, None, None)


def test_a_report_above_the_jump_floor_reads_the_history(client, api):
    campaign, enrollment, headers, _token = api
    today = today_local()
    for days_ago in (1, 2, 3):
        report_steps(
            enrollment,
            day=today - timedelta(days=days_ago),
            steps=5000,
            source=ReportSource.IMPORT,
            allow_closed=True,
        )
    db.session.commit()
    # Three days of about 5,000: a day of 40,000 is a jump, found only by reading the history.
    answer = post(client, headers, {"campaign_id": campaign.id, "day": today.isoformat(), "steps": 40000})
    assert answer.json["reason"] == "flagged"
    assert stored(enrollment, today).flag == DayFlag.JUMP


@pytest.mark.parametrize("warm", [False, True], ids=["terms-not-cached", "terms-cached"])
def test_refusals_are_the_same_whatever_is_cached(client, api, app, tree, make_user, warm):
    campaign, _enrollment, headers, token = api
    day = today_local().isoformat()
    if warm:  # a first good report caches the campaign's terms in this process
        assert (
            post(client, headers, {"campaign_id": campaign.id, "day": day, "steps": 8000}).status_code == 200
        )

    stranger = issue_personal_token(make_user(), "not enrolled")
    partner = issue_partner_token(None, campaign, "partner")
    revoked = issue_personal_token(make_user(), "revoked")
    revoke_token(revoked.token)
    db.session.commit()

    def code(secret, **body):
        response = post(
            client, {"Authorization": f"Bearer {secret}"}, {"campaign_id": campaign.id, "day": day, **body}
        )
        return response.status_code, response.json["error"]["code"]

    assert code(stranger.secret, steps=8000) == (404, "not_enrolled")
    assert code(partner.secret, steps=8000) == (403, "wrong_token_kind")
    assert code(revoked.secret, steps=8000) == (401, "invalid_token")
    assert code("jbz_unknown", steps=8000) == (401, "invalid_token")
    # A bad token is answered before a refused day or a bad body.
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    assert code(revoked.secret, steps=8000, day=tomorrow) == (401, "invalid_token")
    assert code(revoked.secret, steps=-1) == (401, "invalid_token")
    owner_headers = headers
    response = post(client, owner_headers, {"campaign_id": campaign.id, "day": tomorrow, "steps": 8000})
    assert (response.status_code, response.json["error"]["code"]) == (409, "day_not_yet")
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_settled_terms_only_for_a_published_campaign_that_has_started(app, tree):
    now = utcnow()
    started = running_campaign(tree["edu"])
    upcoming = create_campaign(
        None, tree["edu"], preset="teachers-7day", start_day=today_local() + timedelta(days=3), publish=True
    )
    draft = create_campaign(
        None, tree["edu"], preset="teachers-7day", start_day=today_local() - timedelta(days=1)
    )
    db.session.commit()
    assert settled_terms(upcoming.id, now=now) is None
    assert settled_terms(draft.id, now=now) is None
    assert settled_terms(999_999, now=now) is None
    terms = settled_terms(started.id, now=now)
    assert (terms.campaign_id, terms.start_day, terms.end_day) == (
        started.id,
        started.start_day,
        started.end_day,
    )
    assert settled_terms(started.id, now=now) is terms  # kept: they can no longer change


def test_token_uses_are_written_in_batches(app, make_user):
    first = issue_personal_token(make_user(), "a")
    second = issue_personal_token(make_user(), "b")
    db.session.commit()
    uses = TokenUses(interval=3600)
    earlier, later = utcnow() - timedelta(minutes=5), utcnow()
    uses.note(first.token.token_hash, earlier)
    uses.note(second.token.token_hash, earlier)
    uses.note(first.token.token_hash, later)
    db.session.commit()
    db.session.expire_all()
    assert first.token.last_used_at is None  # not due yet: nothing written
    uses.write()
    db.session.commit()
    db.session.expire_all()
    assert (first.token.last_used_at, second.token.last_used_at) == (later, earlier)
    uses.note(first.token.token_hash, earlier)  # an older use never moves "last used" back
    uses.write()
    db.session.commit()
    db.session.expire_all()
    assert first.token.last_used_at == later


def test_a_report_through_the_api_notes_the_token_use(client, api):
    campaign, _enrollment, headers, token = api
    post(client, headers, {"campaign_id": campaign.id, "day": today_local().isoformat(), "steps": 8000})
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_a_report_that_changes_nothing_is_answered_without_the_slower_way(client, api, app):
    """A shortcut sending the same count again is common: the one-statement path answers it with one more
    read (two statements), saying why, instead of going the slower way (five)."""
    from sqlalchemy import event

    campaign, _enrollment, headers, _token = api
    body = {"campaign_id": campaign.id, "day": today_local().isoformat(), "steps": 7000, "checkin": True}
    assert post(client, headers, body).json["applied"] is True
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        again = post(client, headers, body).json
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert (again["applied"], again["not_applied"], again["checked_in"]) == (False, "same_as_stored", True)
    kinds = [" ".join(s.split()[:3]) for s in statements if not s.startswith(("BEGIN", "COMMIT"))]
    # The upsert, the read of the day that stood, the check-in: nothing of the slower way (the token's
    # "last used" is written besides, once a minute at most).
    assert [kind for kind in kinds if not kind.startswith("UPDATE api_tokens")] == [
        "INSERT INTO daily_records",
        "SELECT daily_records.enrollment_id, daily_records.day,",
        "INSERT INTO checkins",
    ]
