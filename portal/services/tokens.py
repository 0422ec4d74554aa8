"""Issuing, finding and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models.api import ApiToken, TokenKind
from portal.models.base import utcnow
from portal.models.campaign import Campaign
from portal.models.identity import User
from portal.services.audit import record_audit

TOKEN_PREFIX = "jbz_"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(**fields) -> IssuedToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(token_hash=_hash(secret), prefix=secret[:10], **fields)
    db.session.add(token)
    db.session.flush()
    return IssuedToken(token=token, secret=secret)


def issue_personal_token(user: User, name: str) -> IssuedToken:
    return _issue(
        kind=TokenKind.PERSONAL, name=name.strip()[:60] or "API", user_id=user.id, created_by_id=user.id
    )


def issue_partner_token(actor: User | None, campaign: Campaign, name: str) -> IssuedToken:
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
    """The live token with this secret; its last use is recorded (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))  # every personal call needs the owner: one round trip
        .where(ApiToken.token_hash == _hash(secret), ApiToken.revoked_at.is_(None))
    )
    if token is not None:
        now = utcnow()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            token.last_used_at = now
    return token


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
