"""Admins editing a campaign's route: landmarks' texts, questions, targets, order and images.

Targets stay ascending along the route, so the k-th landmark is always the k-th to light. In
``per_qualified_day`` mode a landmark's day is its position; in ``cumulative_steps`` mode each target
lies strictly between its neighbours'. Moving a landmark moves its content: targets belong to positions.
Once the campaign has started, the order and the targets are frozen (as the counting rules are); texts,
questions and images can still be mended.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from portal.campaigns.campaign import campaign_rules, campaign_started
from portal.campaigns.permissions import can_manage
from portal.campaigns.rules import RouteMode, RuleSet
from portal.common.audit import record_audit
from portal.common.images import encode, read_upload
from portal.common.media import save_media
from portal.extensions import db
from portal.models.campaign import Campaign
from portal.models.identity import User
from portal.models.route import Landmark, Reflection
from portal.orgs.permissions import require
from portal.route.errors import InvalidLandmark, RouteFrozen
from portal.route.progress import list_landmarks

MAX_IMAGE_WIDTH = 1200

ROUTES_DIR = Path(__file__).resolve().parents[2] / "seeds" / "routes"


@dataclass(frozen=True)
class LandmarkText:
    name: str
    introduction: str
    question: str | None
    choices: list[str]
    answer: int | None  # index into choices


def _checked(text: LandmarkText) -> LandmarkText:
    name, introduction = text.name.strip(), text.introduction.strip()
    question = (text.question or "").strip() or None
    choices = [choice.strip() for choice in text.choices if choice.strip()]
    if not 1 <= len(name) <= 60:
        raise InvalidLandmark(_("The name must have 1 to 60 characters."), field="name")
    if len(introduction) > 2000:
        raise InvalidLandmark(_("The introduction can have at most 2,000 characters."), field="introduction")
    if question is None:
        return LandmarkText(name, introduction, None, [], None)
    if len(question) > 300:
        raise InvalidLandmark(_("The question can have at most 300 characters."), field="question")
    if not 2 <= len(choices) <= 8 or any(len(choice) > 100 for choice in choices):
        raise InvalidLandmark(
            _("Give 2 to 8 answers, one a line, of at most 100 characters."), field="choices"
        )
    if text.answer is None or not 0 <= text.answer < len(choices):
        raise InvalidLandmark(_("The right answer must be the number of one of the answers."), field="answer")
    return LandmarkText(name, introduction, question, choices, text.answer)


def _check_target(campaign: Campaign, position: int, target: int | None, landmarks: list[Landmark]) -> None:
    before = [item.steps_target for item in landmarks if item.position < position]
    after = [item.steps_target for item in landmarks if item.position > position]
    low, high = (max(before) if before else 0), (min(after) if after else None)
    if target is None or target <= low or (high is not None and target >= high):
        if high is None:
            message = _(
                "The steps target must be above %(low)s, so the stops light in order.", low=f"{low:,}"
            )
        else:
            message = _(
                "The steps target must be above %(low)s and below %(high)s, so the stops light in order.",
                low=low,
                high=high,
            )
        raise InvalidLandmark(message, field="steps_target")


def _audit(actor: User, action: str, landmark: Landmark, campaign: Campaign, after: dict) -> None:
    record_audit(
        actor,
        action,
        subject_type="landmark",
        subject_id=landmark.id,
        organisation_id=campaign.organisation_id,
        after=after,
    )


def update_landmark(
    actor: User, campaign: Campaign, landmark: Landmark, text: LandmarkText, steps_target: int | None
) -> None:
    """Mend a landmark's texts and question; its target too, before the campaign starts."""
    require(can_manage(actor, campaign))
    text = _checked(text)
    if landmark.steps_target is not None and steps_target != landmark.steps_target:
        if campaign_started(campaign):
            raise RouteFrozen()
        others = [item for item in list_landmarks(campaign) if item.id != landmark.id]
        _check_target(campaign, landmark.position, steps_target, others)
        landmark.steps_target = steps_target
    landmark.name, landmark.introduction = text.name, text.introduction
    landmark.question, landmark.choices, landmark.answer = text.question, text.choices, text.answer
    _audit(actor, "landmark.update", landmark, campaign, {"name": text.name, "question": text.question})


def add_landmark(actor: User, campaign: Campaign, text: LandmarkText, steps_target: int | None) -> Landmark:
    """A new last landmark (before the campaign starts)."""
    require(can_manage(actor, campaign))
    if campaign_started(campaign):
        raise RouteFrozen()
    text = _checked(text)
    rules = campaign_rules(campaign)
    landmarks = list_landmarks(campaign)
    position = len(landmarks) + 1
    landmark = Landmark(
        campaign_id=campaign.id,
        position=position,
        name=text.name,
        introduction=text.introduction,
        question=text.question,
        choices=text.choices,
        answer=text.answer,
    )
    if rules.route.mode is RouteMode.PER_QUALIFIED_DAY:
        if position > rules.length_days:
            raise InvalidLandmark(
                _("A route lit per qualified day can have no more landmarks than days."), field="name"
            )
        landmark.qualified_days = position
    else:
        _check_target(campaign, position, steps_target, landmarks)
        landmark.steps_target = steps_target
    db.session.add(landmark)
    db.session.flush()
    _audit(actor, "landmark.add", landmark, campaign, {"name": text.name, "position": position})
    return landmark


def move_landmark(actor: User, campaign: Campaign, landmark: Landmark, offset: int) -> None:
    """Swap a landmark with its neighbour (``offset`` -1 earlier, +1 later); targets stay in place."""
    require(can_manage(actor, campaign))
    if campaign_started(campaign):
        raise RouteFrozen()
    landmarks = list_landmarks(campaign)
    index = next(i for i, item in enumerate(landmarks) if item.id == landmark.id)
    other_index = index + offset
    if offset not in (-1, 1) or not 0 <= other_index < len(landmarks):
        return
    other = landmarks[other_index]
    spare = max(item.position for item in landmarks) + 1
    first, second = landmark.position, other.position
    landmark.position = spare  # the unique (campaign, position) holds at every step
    db.session.flush()
    other.position = first
    db.session.flush()
    landmark.position = second
    landmark.qualified_days, other.qualified_days = other.qualified_days, landmark.qualified_days
    landmark.steps_target, other.steps_target = other.steps_target, landmark.steps_target
    db.session.flush()
    _audit(actor, "landmark.move", landmark, campaign, {"position": second})


def set_landmark_image(actor: User, campaign: Campaign, landmark: Landmark, upload: bytes) -> None:
    """Store an uploaded picture for the landmark: re-encoded JPEG, at most 1,200 px wide, no metadata."""
    require(can_manage(actor, campaign))
    image = read_upload(upload)
    if image.width > MAX_IMAGE_WIDTH:
        image = image.resize((MAX_IMAGE_WIDTH, round(image.height * MAX_IMAGE_WIDTH / image.width)))
    name = f"{landmark.id}-{secrets.token_hex(6)}.jpg"
    save_media("landmarks", name, encode(image, "JPEG"))
    landmark.image_name = name
    _audit(actor, "landmark.image", landmark, campaign, {"image": name})


def list_reflections(campaign: Campaign, *, limit: int = 100) -> list[Reflection]:
    return list(
        db.session.scalars(
            select(Reflection)
            .join(Reflection.landmark)
            .where(Landmark.campaign_id == campaign.id)
            .order_by(Reflection.created_at.desc(), Reflection.id.desc())
            .limit(limit)
        )
    )


def copy_preset_route(campaign: Campaign, rules: RuleSet) -> int:
    """Give a campaign made from a preset the preset's landmarks (seeds/routes/<preset>.yaml), unless it
    has landmarks already."""
    path = ROUTES_DIR / f"{campaign.preset}.yaml"
    if not campaign.preset or not path.exists():
        return 0
    if db.session.scalar(select(Landmark.id).where(Landmark.campaign_id == campaign.id).limit(1)):
        return 0  # it has its route already
    with path.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)["landmarks"]
    per_day = rules.route.mode is RouteMode.PER_QUALIFIED_DAY
    for position, entry in enumerate(entries, start=1):
        question = entry.get("question") or {}
        db.session.add(
            Landmark(
                campaign_id=campaign.id,
                position=position,
                name=entry["name"],
                introduction=entry.get("introduction", ""),
                palette=entry.get("palette", ""),
                qualified_days=position if per_day else None,
                steps_target=None if per_day else entry["steps_target"],
                question=question.get("text"),
                choices=list(question.get("choices", [])),
                answer=question.get("answer"),
            )
        )
    db.session.flush()
    return len(entries)
