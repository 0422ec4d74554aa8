"""The virtual route (rules §6): which landmarks a member has lit, passing them, reflections.

A landmark lights when the member's progress reaches its target: in ``per_qualified_day`` mode the
number of qualified days (the k-th qualified day lights landmark k), in ``cumulative_steps`` mode the
campaign's counted steps (after the total cap). Flagged days count only once cleared, because the
stored ``counted_steps`` and ``qualified`` already say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import campaign_total
from portal.campaigns.permissions import can_manage
from portal.campaigns.rules import RouteMode
from portal.common.audit import record_audit
from portal.common.errors import NotFound
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.points import PointReason
from portal.models.route import Landmark, LandmarkVisit, Reflection
from portal.models.steps import DailyRecord
from portal.orgs.permissions import require
from portal.rewards.errors import InvalidChoice
from portal.rewards.points import award_points
from portal.route.errors import AlreadyReflected, InvalidReflection, LandmarkNotLit, LandmarkNotPassed

REFLECTION_LENGTH = (10, 1000)


def list_landmarks(campaign: Campaign) -> list[Landmark]:
    return list(
        db.session.scalars(
            select(Landmark).where(Landmark.campaign_id == campaign.id).order_by(Landmark.position)
        )
    )


def landmark_of(campaign: Campaign, landmark_id: int) -> Landmark:
    """A landmark of this campaign; any other id (another campaign's, a forged one) is a 404."""
    landmark = db.session.get(Landmark, landmark_id)
    if landmark is None or landmark.campaign_id != campaign.id:
        raise NotFound()
    return landmark


@dataclass(frozen=True)
class Progress:
    qualified_days: int
    counted_steps: int


def progress_of(enrollment: Enrollment) -> Progress:
    """The member's qualified days and counted steps so far, in one aggregate query."""
    qualified, steps = db.session.execute(
        select(
            func.count().filter(DailyRecord.qualified),
            func.coalesce(func.sum(DailyRecord.counted_steps), 0),
        ).where(DailyRecord.enrollment_id == enrollment.id)
    ).one()
    rules = campaign_rules(enrollment.campaign)
    return Progress(qualified_days=int(qualified), counted_steps=campaign_total(rules, [int(steps)]))


def target_of(landmark: Landmark) -> int:
    """What lights the landmark: qualified days or cumulative steps."""
    return landmark.qualified_days if landmark.qualified_days is not None else landmark.steps_target


def progress_value(landmark: Landmark, progress: Progress) -> int:
    return progress.qualified_days if landmark.qualified_days is not None else progress.counted_steps


def is_lit(landmark: Landmark, progress: Progress) -> bool:
    return progress_value(landmark, progress) >= target_of(landmark)


@dataclass(frozen=True)
class Stop:
    landmark: Landmark
    lit: bool
    passed: bool


@dataclass(frozen=True)
class RouteView:
    """The route as a member sees it: each stop, where they are, and how far the next one is."""

    mode: RouteMode
    stops: list[Stop]
    progress: Progress
    next_stop: Stop | None
    to_next: int  # qualified days or steps still needed for the next stop (0 at the end)
    position: float  # 0 is the start, k is stop k; a fraction lies between two stops

    @property
    def lit_count(self) -> int:
        return sum(1 for stop in self.stops if stop.lit)

    @property
    def passed_count(self) -> int:
        return sum(1 for stop in self.stops if stop.passed)


def place_on_route(targets: list[int], value: int) -> tuple[int, int, float]:
    """Where ``value`` (qualified days or counted steps) stands on a route whose stops light at the
    ascending ``targets``: how many are lit, what the next one still needs (0 at the end), and the
    position for drawing (0 the start, k stop k, fractions in between)."""
    lit = sum(1 for target in targets if value >= target)
    if lit == len(targets):
        return lit, 0, float(lit)
    previous = targets[lit - 1] if lit else 0
    target = targets[lit]
    fraction = max(0.0, min(1.0, (value - previous) / max(1, target - previous)))
    return lit, target - value, lit + fraction


def route_view(enrollment: Enrollment) -> RouteView:
    landmarks = list_landmarks(enrollment.campaign)
    progress = progress_of(enrollment)
    passed = set(
        db.session.scalars(
            select(LandmarkVisit.landmark_id).where(
                LandmarkVisit.enrollment_id == enrollment.id, LandmarkVisit.passed_at.is_not(None)
            )
        )
    )
    stops = [Stop(landmark, is_lit(landmark, progress), landmark.id in passed) for landmark in landmarks]
    value = progress_value(landmarks[0], progress) if landmarks else 0
    _lit, to_next, position = place_on_route([target_of(landmark) for landmark in landmarks], value)
    next_stop = next((stop for stop in stops if not stop.lit), None)
    mode = campaign_rules(enrollment.campaign).route.mode
    return RouteView(mode, stops, progress, next_stop, to_next, position)


def _visit(enrollment: Enrollment, landmark: Landmark) -> LandmarkVisit:
    visit = db.session.scalar(
        select(LandmarkVisit).where(
            LandmarkVisit.enrollment_id == enrollment.id, LandmarkVisit.landmark_id == landmark.id
        )
    )
    if visit is None:
        visit = LandmarkVisit(enrollment_id=enrollment.id, landmark_id=landmark.id)
        try:
            with db.session.begin_nested():
                db.session.add(visit)
        except IntegrityError:  # another request made it first
            return _visit(enrollment, landmark)
    return visit


def find_visit(enrollment: Enrollment, landmark: Landmark) -> LandmarkVisit | None:
    return db.session.scalar(
        select(LandmarkVisit).where(
            LandmarkVisit.enrollment_id == enrollment.id, LandmarkVisit.landmark_id == landmark.id
        )
    )


def _require_lit(enrollment: Enrollment, landmark: Landmark) -> None:
    if not is_lit(landmark, progress_of(enrollment)):
        raise LandmarkNotLit()


def pass_without_question(enrollment: Enrollment, landmark: Landmark) -> LandmarkVisit | None:
    """A lit landmark that asks nothing is passed when the member opens it; None otherwise."""
    if landmark.question or not is_lit(landmark, progress_of(enrollment)):
        return None
    visit = _visit(enrollment, landmark)
    visit.passed_at = visit.passed_at or utcnow()
    return visit


def answer_landmark(enrollment: Enrollment, landmark: Landmark, choice: int | None) -> bool:
    """Answer the landmark's question: True when right (it is passed, once), False when wrong (counted,
    and the member may try again). Refused for an unlit landmark or a choice that is not offered."""
    _require_lit(enrollment, landmark)
    visit = _visit(enrollment, landmark)
    if visit.passed_at is not None:
        return True
    if landmark.question is None:
        visit.passed_at = utcnow()
        return True
    if choice is None or not 0 <= choice < len(landmark.choices):
        raise InvalidChoice()
    if choice != landmark.answer:
        visit.wrong_answers = LandmarkVisit.wrong_answers + 1  # counted in SQL: racing tries all count
        db.session.flush()
        return False
    visit.passed_at = utcnow()
    return True


def is_passed(enrollment: Enrollment, landmark: Landmark) -> bool:
    visit = find_visit(enrollment, landmark)
    return visit is not None and visit.passed_at is not None


def require_passed(enrollment: Enrollment, landmark: Landmark) -> None:
    if not is_passed(enrollment, landmark):
        raise LandmarkNotPassed()


def find_reflection(enrollment: Enrollment, landmark: Landmark) -> Reflection | None:
    return db.session.scalar(
        select(Reflection).where(
            Reflection.enrollment_id == enrollment.id, Reflection.landmark_id == landmark.id
        )
    )


def write_reflection(enrollment: Enrollment, landmark: Landmark, text: str) -> Reflection:
    """The member's reflection on a passed landmark; it earns the rules' reflection points, once."""
    text = (text or "").strip()
    if not REFLECTION_LENGTH[0] <= len(text) <= REFLECTION_LENGTH[1]:
        raise InvalidReflection()
    require_passed(enrollment, landmark)
    reflection = Reflection(enrollment_id=enrollment.id, landmark_id=landmark.id, text=text)
    try:
        with db.session.begin_nested():
            db.session.add(reflection)
    except IntegrityError:
        raise AlreadyReflected() from None
    points = campaign_rules(enrollment.campaign).points.reflection
    award_points(enrollment, PointReason.REFLECTION, f"landmark:{landmark.id}", points)
    return reflection


def visible_reflections(landmark: Landmark, *, limit: int = 10) -> list[Reflection]:
    return list(
        db.session.scalars(
            select(Reflection)
            .where(Reflection.landmark_id == landmark.id, Reflection.hidden_at.is_(None))
            .order_by(Reflection.created_at.desc(), Reflection.id.desc())
            .limit(limit)
        )
    )


def hide_reflection(actor: User, reflection: Reflection) -> None:
    """An admin hides a reflection from others (the member keeps its points and still sees it)."""
    require(can_manage(actor, db.session.get(Campaign, reflection.landmark.campaign_id)))
    if reflection.hidden_at is not None:
        return
    reflection.hidden_at = utcnow()
    reflection.hidden_by_id = actor.id
    campaign = reflection.landmark.campaign_id
    record_audit(
        actor,
        "reflection.hide",
        subject_type="reflection",
        subject_id=reflection.id,
        organisation_id=db.session.get(Campaign, campaign).organisation_id,
        before={"hidden": False},
        after={"hidden": True},
    )
