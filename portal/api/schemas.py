"""Request and response bodies of /api/v1, as pydantic models. The OpenAPI document is built from them,
so what the API checks and what it documents cannot drift apart."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def _whole(value):
    """JSON Schema counts 6000.0 as an integer; so do we. 2.5, true and "6000" stay refused."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Numbers are strict (true, 2.5 and "6000" are refused); dates and times come as ISO-8601 strings.
Day = Annotated[date, Field(strict=False, description="Local calendar day, YYYY-MM-DD.")]
Instant = Annotated[
    datetime,
    Field(strict=False, description="ISO-8601; without an offset it is read in the campaign's time zone."),
]
Steps = Annotated[int, Field(ge=0, le=1_000_000, description="Steps of the whole day so far.")]


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _whole_numbers(cls, value):
        return _whole(value)


RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class StepReport(_Body):
    campaign_id: RowId
    day: Day
    steps: Steps
    reported_at: Instant | None = None
    checkin: bool = False


class PartnerRecord(_Body):
    phone: str = Field(description="The member's 11-digit mainland mobile number.")
    day: Day
    steps: Steps
    reported_at: Instant | None = None
    checkin: bool = False


MAX_BATCH = 10_000


class PartnerBatch(_Body):
    records: list[PartnerRecord] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="Each record is checked on its own: a bad one gets an error result, the others go "
        "through.",
    )


class PartnerEnvelope(_Body):
    """What is refused whole: a body that is not a list of records, or more of them than a batch holds.
    The records themselves are checked one by one (``PartnerRecord``)."""

    records: list[object] = Field(min_length=1, max_length=MAX_BATCH)


class RecordError(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = Field(default_factory=dict)


class DayResult(BaseModel):
    campaign_id: int
    day: date
    reported_steps: int = Field(description="The day as stored now (this report's, or the one that stands).")
    counted_steps: int
    qualified: bool
    reason: Literal["qualified", "qualified_capped", "below_threshold", "outside_settle_window", "flagged"]
    applied: bool = Field(description="Whether this report changed the stored day; not_applied says why not.")
    not_applied: Literal["older_than_stored", "same_as_stored"] | None = Field(
        default=None,
        description="older_than_stored: a newer report of the day is stored (or in the same batch); "
        "same_as_stored: it says what is stored already (a replay).",
    )
    checked_in: bool = Field(description="The day's check-in that this report asked for is recorded.")
    checkin_error: RecordError | None = Field(
        default=None, description="Why the check-in this report asked for was not recorded."
    )
    last_synced_at: datetime = Field(
        description="The day's sync time: reported_at of the report that won the day, or its arrival."
    )


class CampaignSummary(BaseModel):
    id: int
    title: str
    organisation: str
    start_day: date
    end_day: date
    enrolled: bool
    unit: str | None


class MyCampaigns(BaseModel):
    campaigns: list[CampaignSummary]


class ProgressDay(BaseModel):
    day: date
    reported_steps: int | None
    counted_steps: int
    qualified: bool
    reason: str | None
    checked_in: bool


class Progress(BaseModel):
    campaign_id: int
    qualified_days: int
    checkin_days: int
    counted_steps: int
    last_synced_at: datetime | None
    days: list[ProgressDay]


class BulkResult(BaseModel):
    index: int
    status: Literal["ok", "error"]
    result: DayResult | None = None
    error: RecordError | None = None


class BulkResponse(BaseModel):
    accepted: int
    refused: int
    results: list[BulkResult]


class RankingRow(BaseModel):
    rank: int
    name: str
    unit: str
    qualified_days: int
    checkin_days: int
    steps: int
    last_synced_at: datetime | None
    phone: str | None = Field(default=None, description="Only for a partner token of this campaign.")


class _BoardHead(BaseModel):
    updated_at: datetime | None = Field(
        description="When the board was computed (now for a small campaign ranked live); null while a large "
        "campaign's first snapshot is being computed."
    )
    frozen: bool = Field(default=False, description="The final board: the campaign has ended.")


class Ranking(_BoardHead):
    rows: list[RankingRow]


class UnitRankingRow(BaseModel):
    rank: int = Field(description="Within the row's group.")
    group: str = Field(description="The kind of union; each kind is ranked among itself.")
    unit: str
    members: int = Field(description="Enrolled members in the unit's subtree.")
    active_members: int = Field(description="Enrolled members with any record.")
    participation_rate: float = Field(description="active_members / members")
    qualification_rate: float = Field(description="qualified days / (members × campaign days so far)")
    score: float = Field(description="0.5 × participation_rate + 0.5 × qualification_rate")


class UnitRanking(_BoardHead):
    rows: list[UnitRankingRow]


class TeamRankingRow(BaseModel):
    rank: int
    team_id: int
    team: str
    unit: str = Field(description="The unit the team's captain walks for.")
    members: int
    qualified_days: int = Field(description="Team-qualified days settled so far.")
    qualification_rate: float = Field(description="qualified_days / campaign days so far")
    counted_steps: int = Field(description="The members' counted steps, each member's total cap applied.")
    steps_per_member: float = Field(description="the members' counted steps / members")


class TeamRanking(_BoardHead):
    rows: list[TeamRankingRow]


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str]


class ErrorResponse(BaseModel):
    error: ErrorBody
