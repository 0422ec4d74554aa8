"""Issuing, finding and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from flask import current_app
from sqlalchemy import ARRAY, Connection, String, and_, bindparam, column, func, or_, select, update
from sqlalchemy.orm import joinedload

from portal.campaigns.campaign import rules_of
from portal.campaigns.day_rules import as_utc
from portal.campaigns.errors import NotAPersonalToken, OwnerNotEnrolled, UnknownToken
from portal.campaigns.permissions import can_manage
from portal.campaigns.steps import (
    CampaignTerms,
    StepTarget,
    TokenReport,
    check_in_on,
    needs_history,
    report_steps,
    report_steps_by_token,
    settled_terms,
)
from portal.common.audit import record_audit
from portal.common.errors import DomainError
from portal.extensions import app_state, db
from portal.models.api import ApiToken, TokenKind
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.steps import ReportSource
from portal.orgs.permissions import require

TOKEN_PREFIX = "jbz_"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(**fields) -> IssuedToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(token_hash=hash_token(secret), prefix=secret[:10], **fields)
    db.session.add(token)
    db.session.flush()
    return IssuedToken(token=token, secret=secret)


def issue_personal_token(user: User, name: str) -> IssuedToken:
    return _issue(
        kind=TokenKind.PERSONAL, name=name.strip()[:60] or "API", user_id=user.id, created_by_id=user.id
    )


def issue_partner_token(actor: User | None, campaign: Campaign, name: str) -> IssuedToken:
    require(can_manage(actor, campaign))
    issued = _issue(
        kind=TokenKind.PARTNER,
        name=name.strip()[:60] or "partner",
        campaign_id=campaign.id,
        created_by_id=actor.id if actor else None,
    )
    record_audit(
        actor,
        "token.partner",
        subject_type="campaign",
        subject_id=campaign.id,
        organisation_id=campaign.organisation_id,
        after={"token": issued.token.prefix, "name": issued.token.name},
    )
    return issued


def find_active_token(secret: str) -> ApiToken | None:
    """The live token with this secret; its use is noted for the token's "last used"."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))  # every personal call needs the owner: one round trip
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
    )
    if token is not None:
        token_uses().note(token.token_hash)
    return token


@dataclass(frozen=True, slots=True)
class TokenForCampaign:
    """A live token and, when it is a personal token whose owner is enrolled, the report target."""

    token_id: int
    kind: TokenKind
    target: StepTarget | None


@lru_cache(maxsize=1)
def _token_for_campaign_statement():
    enrollment, campaign = Enrollment.__table__, Campaign.__table__
    tokens = ApiToken.__table__
    return (
        select(
            tokens.c.id,
            tokens.c.kind,
            enrollment.c.id,
            campaign.c.id,
            campaign.c.start_day,
            campaign.c.end_day,
            campaign.c.timezone,
            campaign.c.rules,
        )
        .select_from(tokens)
        .outerjoin(
            enrollment,
            and_(
                enrollment.c.user_id == tokens.c.user_id, enrollment.c.campaign_id == bindparam("campaign_id")
            ),
        )
        .outerjoin(campaign, campaign.c.id == enrollment.c.campaign_id)
        .where(tokens.c.token_hash == bindparam("token_hash"), tokens.c.revoked_at.is_(None))
    )


def find_token_for_campaign(secret: str, campaign_id: int) -> TokenForCampaign | None:
    """The live token with this secret and its owner's enrolment in the campaign, in one statement: the
    step API's hot path (docs/benchmarks.md). None when the token is unknown or revoked."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token_hash = hash_token(secret)
    row = (
        db.session.connection()
        .execute(_token_for_campaign_statement(), {"token_hash": token_hash, "campaign_id": campaign_id})
        .first()
    )
    if row is None:
        return None
    token_id, kind, enrollment_id, campaign_id, start_day, end_day, timezone, rules = row
    token_uses().note(token_hash)
    target = None
    if enrollment_id is not None:
        terms = CampaignTerms(
            campaign_id=campaign_id,
            start_day=start_day,
            end_day=end_day,
            timezone=timezone,
            rules=rules_of(rules),
        )
        target = StepTarget(enrollment_id=enrollment_id, terms=terms)
    return TokenForCampaign(token_id=token_id, kind=TokenKind(kind), target=target)


class TokenUses:
    """Each token's last use, written in batches: noting a use costs nothing on the request, and at most
    once per ``interval`` seconds the uses noted since are written with one statement, in the transaction
    of the request that notes the next use. A restart, or that request rolling back, loses at most one
    interval of "last used" times, which only inform the token's owner."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._pending: dict[str, datetime] = {}  # token hash → last use
        self._lock = threading.Lock()
        self._written_at = time.monotonic()

    def note(
        self, token_hash: str, when: datetime | None = None, connection: Connection | None = None
    ) -> None:
        """Note a use; when the batch is due, write it on ``connection`` (default: the session's)."""
        with self._lock:
            self._pending[token_hash] = when or utcnow()
            due = time.monotonic() - self._written_at >= self.interval
        if due:
            self.write(connection)

    def write(self, connection: Connection | None = None) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._written_at = time.monotonic()
        if not pending:
            return
        connection = connection or db.session.connection()
        # Concurrent batches lock rows in one order, so cannot deadlock: row by row in this sorted order; on
        # PostgreSQL as its join visits the table, the same for every writer.
        hashes = sorted(pending)
        if connection.dialect.name == "postgresql":
            times = [pending[key] for key in hashes]
            connection.execute(_uses_from_arrays(), {"hashes": hashes, "times": times})
        else:
            rows = [{"used_hash": key, "used_at": pending[key]} for key in hashes]
            connection.execute(_uses_row_by_row(), rows)


_TOKENS = ApiToken.__table__


def _newer(used_at) -> object:
    return or_(_TOKENS.c.last_used_at.is_(None), _TOKENS.c.last_used_at < used_at)


@lru_cache(maxsize=1)
def _uses_from_arrays():
    """A batch of uses as one statement joined to two arrays (PostgreSQL): a minute's uses of 12,000
    tokens take 110-200 ms of the request that writes them (PostgreSQL's share about 40 ms, the rows
    updated in place: migration 3c5e1a7d9b20), where a statement per token took 240-340 ms."""
    used_at_type = _TOKENS.c.last_used_at.type
    uses = (
        func.unnest(bindparam("hashes", type_=ARRAY(String)), bindparam("times", type_=ARRAY(used_at_type)))
        .table_valued(column("token_hash", String), column("used_at", used_at_type))
        .render_derived(name="uses")
    )
    return (
        update(_TOKENS)
        .where(_TOKENS.c.token_hash == uses.c.token_hash, _newer(uses.c.used_at))
        .values(last_used_at=uses.c.used_at)
    )


@lru_cache(maxsize=1)
def _uses_row_by_row():
    """A batch of uses as one statement per token (SQLite, the single-machine default)."""
    return (
        update(_TOKENS)
        .where(_TOKENS.c.token_hash == bindparam("used_hash"), _newer(bindparam("used_at")))
        .values(last_used_at=bindparam("used_at"))
    )


def token_uses() -> TokenUses:
    """The application's recorder of token uses (``API_TOKEN_USE_WRITE_SECONDS`` apart)."""
    return app_state("token_uses", lambda: TokenUses(current_app.config["API_TOKEN_USE_WRITE_SECONDS"]))


def list_personal_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.kind == TokenKind.PERSONAL,
                ApiToken.revoked_at.is_(None),
            )
            .order_by(ApiToken.id.desc())
        )
    )


def revoke_token(token: ApiToken) -> None:
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def report_with_token(
    secret: str,
    campaign_id: int,
    *,
    day: date,
    steps: int,
    reported_at: datetime | None,
    checkin: bool,
    now: datetime,
) -> tuple[int, TokenReport]:
    """A member's report through the API with their personal token: (the campaign, the day as counted).

    For a campaign that has started, a report that needs none of the member's history is one statement
    (token, enrolment and upsert together, ``steps.report_steps_by_token``), committed on a connection of
    its own: the request's ORM session is never opened on this path, which a session made and committed
    for it would cost about a sixth of a report (1,507,520 → 1,767,363 instructions, docs/benchmarks.md,
    "The move by feature"); it is the one write outside ``portal.transactions`` besides background jobs.
    Whenever that stores nothing, the same report goes the slower way, through the request's session,
    which also says why it was refused (``UnknownToken``, ``NotAPersonalToken``, ``OwnerNotEnrolled`` or
    the report's own refusal)."""
    terms = settled_terms(campaign_id, now=now)
    if terms is not None and not needs_history(terms, steps):
        token_hash = hash_token(secret)
        try:
            with db.engine.begin() as connection:
                stored = report_steps_by_token(
                    connection,
                    token_hash,
                    terms,
                    day=day,
                    steps=steps,
                    source=ReportSource.API,
                    reported_at=as_utc(reported_at, terms.timezone),
                    checkin=checkin,
                    now=now,
                )
                if stored is not None:
                    token_uses().note(token_hash, now, connection)
        except DomainError:
            stored = None  # the slower way answers a bad token before a refused report
        if stored is not None:
            return terms.campaign_id, stored
    found = find_token_for_campaign(secret, campaign_id)
    if found is None:
        raise UnknownToken()
    if found.kind is not TokenKind.PERSONAL:
        raise NotAPersonalToken()
    if found.target is None:
        raise OwnerNotEnrolled()
    target = found.target
    at = as_utc(reported_at, target.terms.timezone)
    result = report_steps(target, day=day, steps=steps, source=ReportSource.API, reported_at=at, now=now)
    refused = check_in_on(target, day, at=at or now) if checkin else None
    return target.terms.campaign_id, TokenReport(result, checkin and refused is None, refused)
