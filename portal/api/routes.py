"""The /api/v1 endpoints (docs/api.md). Bearer tokens only: a session cookie never authenticates here, so the
API needs no CSRF protection and has none."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.api import API_PATH_PREFIX
from portal.api.errors import ApiError, domain_error, error_response, validation_error
from portal.api.openapi import openapi_document
from portal.api.schemas import (
    BulkResponse,
    BulkResult,
    CampaignSummary,
    DayResult,
    MyCampaigns,
    PartnerEnvelope,
    PartnerRecord,
    Progress,
    ProgressDay,
    Ranking,
    RankingRow,
    RecordError,
    StepReport,
    TeamRanking,
    TeamRankingRow,
    UnitRanking,
    UnitRankingRow,
)
from portal.api.support import (
    answer,
    bearer_secret,
    invalid_token,
    not_enrolled,
    read_body,
    require_token,
    retried,
    wrong_token_kind,
)
from portal.api.throttle import BULK_PER_TOKEN, check_rate
from portal.boards.reading import read_board
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import local_today
from portal.campaigns.errors import NotAPersonalToken, OwnerNotEnrolled, UnknownToken
from portal.campaigns.participation import campaigns_open_to, day_history, find_enrollment, totals_of
from portal.campaigns.partner_sync import PartnerDay, sync_partner_batch
from portal.campaigns.rules import BoardKind
from portal.campaigns.steps import (
    ReportResult,
)
from portal.campaigns.tokens import report_with_token
from portal.common.errors import DomainError
from portal.extensions import csrf, db
from portal.models.api import TokenKind
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User

bp = Blueprint("api", __name__, url_prefix=API_PATH_PREFIX + "v1")
csrf.exempt(bp)


@bp.before_request
def _per_token_rate():
    check_rate()


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, error.fields, error.headers)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())


def _record_error(error: DomainError) -> RecordError:
    api_error = domain_error(error)
    return RecordError(code=api_error.code, message=api_error.message, fields=api_error.fields)


def _day_result(
    campaign_id: int, result: ReportResult, checked_in: bool, checkin_refused: DomainError | None = None
) -> DayResult:
    record = result.record
    return DayResult(
        campaign_id=campaign_id,
        day=record.day,
        reported_steps=record.reported_steps,
        counted_steps=record.counted_steps,
        qualified=record.qualified,
        reason=record.reason,
        applied=result.applied,
        not_applied=result.not_applied,
        checked_in=checked_in,
        checkin_error=_record_error(checkin_refused) if checkin_refused else None,
        last_synced_at=record.reported_at,
    )


@bp.get("/me/campaigns")
def my_campaigns():
    """The campaigns open to the token's owner, and whether they are enrolled."""
    user = require_token(TokenKind.PERSONAL).user
    summaries = []
    for campaign in campaigns_open_to(user):
        enrollment = find_enrollment(user, campaign)
        summaries.append(
            CampaignSummary(
                id=campaign.id,
                title=campaign.title,
                organisation=campaign.organisation.name,
                start_day=campaign.start_day,
                end_day=campaign.end_day,
                enrolled=enrollment is not None,
                unit=enrollment.unit.name if enrollment else None,
            )
        )
    return answer(MyCampaigns(campaigns=summaries))


def _own_enrollment(user: User, campaign_id: int) -> Enrollment:
    """The caller's enrolment in the campaign, loaded with the campaign in one query, or a 404."""
    enrollment = db.session.scalar(
        select(Enrollment)
        .join(Enrollment.campaign)
        .options(contains_eager(Enrollment.campaign))
        .where(Enrollment.user_id == user.id, Enrollment.campaign_id == campaign_id)
    )
    if enrollment is None:
        raise not_enrolled()
    return enrollment


@bp.post("/steps")
def post_steps():
    """Report a day's steps (and check in): answered with the day as counted. The hot path of the API
    (``campaigns.tokens.report_with_token``, docs/benchmarks.md)."""
    secret = bearer_secret()
    try:
        body = read_body(StepReport)
    except ApiError:
        require_token(TokenKind.PERSONAL)  # a bad token is answered before a bad body
        raise
    try:
        campaign_id, report = report_with_token(
            secret,
            body.campaign_id,
            day=body.day,
            steps=body.steps,
            reported_at=body.reported_at,
            checkin=body.checkin,
            now=utcnow(),
        )
    except UnknownToken:
        raise invalid_token() from None
    except NotAPersonalToken:
        raise wrong_token_kind() from None
    except OwnerNotEnrolled:
        raise not_enrolled() from None
    except DomainError as error:
        raise domain_error(error) from None
    return answer(_day_result(campaign_id, report.result, report.checked_in, report.checkin_refused))


@bp.get("/campaigns/<id:campaign_id>/progress")
def progress(campaign_id: int):
    """The token owner's totals and every day so far."""
    user = require_token(TokenKind.PERSONAL).user
    enrollment = _own_enrollment(user, campaign_id)
    days = day_history(enrollment, today=local_today(utcnow(), enrollment.campaign.timezone))
    totals = totals_of(enrollment, days)
    return answer(
        Progress(
            campaign_id=campaign_id,
            qualified_days=totals.qualified_days,
            checkin_days=totals.checkin_days,
            counted_steps=totals.counted_steps,
            last_synced_at=totals.last_synced_at,
            days=[
                ProgressDay(
                    day=view.day,
                    reported_steps=view.record.reported_steps if view.record else None,
                    counted_steps=view.record.counted_steps if view.record else 0,
                    qualified=bool(view.record and view.record.qualified),
                    reason=view.record.reason if view.record else None,
                    checked_in=view.checked_in,
                )
                for view in days
            ],
        )
    )


@bp.post("/campaigns/<id:campaign_id>/steps/bulk")
def bulk_steps(campaign_id: int):
    """A partner's batch: one result per record; a bad record never spoils the good ones."""
    check_rate(BULK_PER_TOKEN, "bulk")
    token = require_token(TokenKind.PARTNER)
    if token.campaign_id != campaign_id:
        raise ApiError(404, "not_found", _("No such campaign for this token."))
    results, positions, partner_days = _parse_records(read_body(PartnerEnvelope).records)
    outcomes = retried(lambda: sync_partner_batch(campaign_id, partner_days, now=utcnow()))
    for index, outcome in zip(positions, outcomes, strict=True):
        if outcome.error is not None:
            results[index] = BulkResult(index=index, status="error", error=_record_error(outcome.error))
        else:
            result = _day_result(campaign_id, outcome.result, outcome.checked_in, outcome.checkin_refused)
            results[index] = BulkResult(index=index, status="ok", result=result)
    accepted = sum(1 for result in results if result.status == "ok")
    return answer(BulkResponse(accepted=accepted, refused=len(results) - accepted, results=results))


def _parse_records(items: list) -> tuple[list[BulkResult | None], list[int], list[PartnerDay]]:
    """Each record checked on its own: the refusals answered in place, the valid records as the days the
    service syncs, with their positions in the batch."""
    results: list[BulkResult | None] = [None] * len(items)
    positions, partner_days = [], []
    for index, item in enumerate(items):
        try:
            record = PartnerRecord.model_validate(item)
        except ValidationError as error:
            invalid = validation_error(error)
            results[index] = BulkResult(
                index=index,
                status="error",
                error=RecordError(code=invalid.code, message=invalid.message, fields=invalid.fields),
            )
            continue
        positions.append(index)
        partner_days.append(
            PartnerDay(
                phone=record.phone,
                day=record.day,
                steps=record.steps,
                reported_at=record.reported_at,
                checkin=record.checkin,
            )
        )
    return results, positions, partner_days


def _fields_of(schema, row) -> dict:
    """The row's figures that the schema names."""
    return {name: getattr(row, name) for name in schema.model_fields}


@bp.get("/campaigns/<id:campaign_id>/rankings/<kind>")
def rankings(campaign_id: int, kind: str):
    """A ranking board the campaign's rules name: individual, team or unit."""
    token = require_token(TokenKind.PERSONAL, TokenKind.PARTNER)
    campaign = db.session.get(Campaign, campaign_id)
    visible = campaign is not None and (
        token.campaign_id == campaign_id
        if token.kind is TokenKind.PARTNER
        else campaign in campaigns_open_to(token.user)
    )
    if not visible:
        raise ApiError(404, "not_found", _("No such campaign for this token."))
    if kind not in campaign_rules(campaign).ranking.kinds:
        raise ApiError(404, "ranking_unavailable", _("This campaign has no such ranking (yet)."))
    try:
        limit = int(request.args.get("limit", 100))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise ApiError(400, "invalid_request", _("limit and offset must be whole numbers.")) from None
    if not (1 <= limit <= 1000 and 0 <= offset <= 2**31 - 1):
        raise ApiError(400, "invalid_request", _("limit must be 1 to 1000 and offset 0 or more."))
    board = read_board(campaign, BoardKind(kind), limit=limit, offset=offset)
    head = {"updated_at": board.updated_at, "frozen": board.frozen}
    if board.kind is BoardKind.TEAM:
        rows = [TeamRankingRow(**_fields_of(TeamRankingRow, row)) for row in board.rows]
        return answer(TeamRanking(**head, rows=rows))
    if board.kind is BoardKind.UNIT:
        units = [UnitRankingRow(**_fields_of(UnitRankingRow, row)) for row in board.rows]
        return answer(UnitRanking(**head, rows=units))
    partner = token.kind is TokenKind.PARTNER
    return answer(
        Ranking(
            **head,
            rows=[
                RankingRow(
                    rank=row.rank,
                    name=row.name,
                    unit=row.unit,
                    qualified_days=row.qualified_days,
                    checkin_days=row.checkin_days,
                    steps=row.steps,
                    last_synced_at=row.last_synced_at,
                    phone=row.phone if partner else None,
                )
                for row in board.rows
            ],
        )
    )
