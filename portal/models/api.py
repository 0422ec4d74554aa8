"""API tokens (docs/api.md): personal tokens of a member, partner tokens for one campaign. Only a hash is
kept; the token itself is shown once, when it is made."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, str_enum, utcnow
from portal.models.campaign import Campaign
from portal.models.identity import User


class TokenKind(enum.StrEnum):
    PERSONAL = "personal"
    PARTNER = "partner"


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'personal' AND user_id IS NOT NULL) OR (kind = 'partner' AND campaign_id IS NOT NULL)",
            name="owner_matches_kind",
        ),
        # Half of each page left free, so that the batched writes of last_used_at (in no index) keep each
        # row on its page and touch no index (HOT updates; migration 3c5e1a7d9b20, docs/benchmarks.md).
        {"postgresql_with": {"fillfactor": 50}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TokenKind] = mapped_column(str_enum(TokenKind))
    name: Mapped[str] = mapped_column(String(60))
    # SHA-256 of the token: tokens carry 256 random bits, so no salt or slow hash is needed to protect them.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so people can tell tokens apart
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    campaign: Mapped[Campaign | None] = relationship()
