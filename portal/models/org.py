"""The union organisation tree (rules §1).

Each node keeps a materialized ``path`` of its ancestors' ids (``/1/7/42/``). "Everything under a node"
is a range scan on the indexed path: ``path >= '/1/7/' AND path < '/1/70'`` (the character after ``/`` is
``0``), which both SQLite and PostgreSQL answer from a B-tree. On PostgreSQL the column uses the ``C``
collation so that the comparison is bytewise, as the range needs.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, str_enum, utcnow

PATH_TYPE = String(255).with_variant(String(255, collation="C"), "postgresql")


class OrgKind(enum.StrEnum):
    PROVINCE_FEDERATION = "province_federation"  # 省总工会
    CITY_UNION = "city_union"  # 市总工会
    INDUSTRY_UNION = "industry_union"  # 省产业工会
    DIRECT_UNION = "direct_union"  # 直属/直协管工会
    DISTRICT_UNION = "district_union"  # 区县总工会
    GRASSROOTS_UNION = "grassroots_union"  # 基层工会
    UNIT = "unit"  # 单位/部门


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("quota IS NULL OR quota >= 0", name="quota_not_negative"),
        CheckConstraint("member_total IS NULL OR member_total >= 0", name="member_total_not_negative"),
        CheckConstraint("depth >= 0", name="depth_not_negative"),
        Index("ix_organisations_parent_id_name", "parent_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind))
    # Participation target (seed 001's 分配指标) and registered members (会员总数); both optional.
    quota: Mapped[int | None]
    member_total: Mapped[int | None]
    path: Mapped[str] = mapped_column(PATH_TYPE, index=True, unique=True)
    depth: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this node, itself included, read off the path."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def contains(self, other: Organisation) -> bool:
        """True when ``other`` is this node or lies below it."""
        return other.path.startswith(self.path)

    def __repr__(self) -> str:
        return f"<Organisation {self.code} {self.name}>"
