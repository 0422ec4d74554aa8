"""Campaign rule sets: data, not code (rules §4). A typed, validated schema (pydantic), stored as JSON on
the campaign and loaded from presets under ``seeds/presets``.

Every contradiction a union admin could type is refused with a message in Chinese, so a campaign can
never run on rules that disagree with themselves.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Self

import yaml
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from portal.campaigns.errors import InvalidRules

PRESETS_DIR = Path(__file__).resolve().parents[2] / "seeds" / "presets"


class CheckinMode(StrEnum):
    NONE = "none"  # no daily check-in
    POINTS = "points"  # check-in earns points (seed 001)
    REQUIRED = "required"  # check-in counts in the ranking (seed 002)

    @property
    def label(self):
        """Its display name (``portal.labels.label`` shows it)."""
        return _CHECKIN_MODE_LABELS[self]


_CHECKIN_MODE_LABELS = {
    CheckinMode.NONE: _l("No check-in"),
    CheckinMode.POINTS: _l("Check-in earns points"),
    CheckinMode.REQUIRED: _l("Check-in counts in the ranking"),
}


class RouteMode(StrEnum):
    NONE = "none"
    PER_QUALIFIED_DAY = "per_qualified_day"  # the k-th qualified day lights landmark k (seed 000)
    CUMULATIVE_STEPS = "cumulative_steps"  # landmark i lights at its step target (seed 001)


class BoardKind(StrEnum):
    INDIVIDUAL = "individual"
    TEAM = "team"
    UNIT = "unit"


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SettleWindow(_Rules):
    """A report must arrive between these local times of the day for the day to qualify (seed 001)."""

    start: time
    end: time  # 23:59:59 stands for midnight

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start >= self.end:
            raise ValueError(str(_l("The settle window must start before it ends.")))
        return self


class Route(_Rules):
    mode: RouteMode = RouteMode.NONE
    landmarks: int = Field(default=0, ge=0, le=100)
    total_steps: int | None = Field(default=None, gt=0)  # cumulative mode: steps to the last landmark


class Teams(_Rules):
    enabled: bool = False
    size: int = Field(default=6, ge=2, le=50)
    member_goal: int = Field(default=6000, gt=0)
    team_goal: int = Field(default=36000, gt=0)


class Points(_Rules):
    checkin: int = Field(default=1, ge=0)
    steps_per_point: int = Field(default=2000, gt=0)
    step_points_daily_max: int = Field(default=5, ge=0)
    qualified_day: int = Field(default=1, ge=0)
    team_qualified_day: int = Field(default=2, ge=0)
    reflection: int = Field(default=2, ge=0)
    captain_full_team: int = Field(default=20, ge=0)
    points_per_draw: int = Field(default=20, gt=0)


class Quiz(_Rules):
    """The question bank (百题问答): how many questions a member gets each day, and what one earns."""

    daily_questions: int = Field(default=0, ge=0, le=20)
    points_per_correct: int = Field(default=1, ge=0, le=100)


class Ranking(_Rules):
    kinds: tuple[BoardKind, ...] = (BoardKind.INDIVIDUAL,)
    refresh_minutes: int = Field(default=5, ge=1, le=1440)
    top_n: int = Field(default=600, ge=1, le=100_000)


class RuleSet(_Rules):
    """Everything that decides how a campaign counts a day. See rules §4 and §5."""

    length_days: int = Field(ge=1, le=366)
    qualify_steps: int = Field(gt=0, le=100_000)
    daily_cap: int | None = Field(default=None, gt=0)
    total_cap: int | None = Field(default=None, gt=0)
    checkin: CheckinMode = CheckinMode.NONE
    settle_window: SettleWindow | None = None
    # Reports for a day are accepted until local midnight plus this many minutes.
    grace_minutes: int = Field(default=0, ge=0, le=24 * 60)
    enrolment_after_start: bool = True
    # Flagged for an admin and not counted until cleared (rules §5).
    implausible_steps: int = Field(default=100_000, gt=0)
    health_distance_km: float | None = Field(default=None, gt=0)
    donation_steps_per_yuan: int | None = Field(default=None, gt=0)
    # The certificate of honour is earned on this many qualified days (seed 000: 13).
    certificate_qualified_days: int | None = Field(default=None, ge=1)
    route: Route = Route()
    quiz: Quiz = Quiz()
    teams: Teams = Teams()
    points: Points = Points()
    ranking: Ranking = Ranking()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = []
        if self.daily_cap is not None and self.daily_cap < self.qualify_steps:
            problems.append(_l("The daily cap is below the qualifying steps: no day could qualify."))
        if self.total_cap is not None and self.total_cap < self.qualify_steps:
            problems.append(_l("The total cap is below the qualifying steps of a single day."))
        if self.implausible_steps <= self.qualify_steps:
            problems.append(_l("The implausible-steps limit must be above the qualifying steps."))
        if self.route.mode is RouteMode.CUMULATIVE_STEPS and not self.route.total_steps:
            problems.append(_l("A route lit by cumulative steps needs the steps to its last landmark."))
        if self.route.mode is not RouteMode.NONE and self.route.landmarks < 1:
            problems.append(_l("A route needs at least one landmark."))
        if self.route.mode is RouteMode.PER_QUALIFIED_DAY and self.route.landmarks > self.length_days:
            problems.append(_l("More landmarks than campaign days: the last ones could never light."))
        if self.certificate_qualified_days and self.certificate_qualified_days > self.length_days:
            problems.append(_l("The certificate needs more qualified days than the campaign has."))
        if self.teams.enabled and self.teams.team_goal < self.teams.member_goal:
            problems.append(_l("The team goal is below one member's goal."))
        if self.teams.enabled and self.daily_cap and self.teams.member_goal > self.daily_cap:
            problems.append(_l("The member goal is above the daily cap: no member could reach it."))
        if BoardKind.TEAM in self.ranking.kinds and not self.teams.enabled:
            problems.append(_l("A team ranking needs teams."))
        if problems:
            raise ValueError("；".join(str(problem) for problem in problems))
        return self


def parse_rules(data: dict) -> RuleSet:
    """A checked rule set, or ``InvalidRules`` whose message lists every contradiction."""
    try:
        return RuleSet.model_validate(data)
    except ValidationError as error:
        messages = []
        for item in error.errors():
            text = str(item.get("msg", ""))
            messages.append(text.removeprefix("Value error, "))
        raise InvalidRules("；".join(messages)) from None


@cache
def preset_names() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in PRESETS_DIR.glob("*.yaml")))


def load_preset(name: str) -> tuple[dict, RuleSet]:
    """The preset's campaign defaults (title, description) and its checked rules."""
    if name not in preset_names():
        raise InvalidRules(_l("There is no preset with this name."))
    with (PRESETS_DIR / f"{name}.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return data["campaign"], parse_rules(data["rules"])
