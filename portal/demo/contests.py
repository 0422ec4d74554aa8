"""The demo's works collection (seeds/demo_contests.yaml): created, opened, filled with works, reviewed and
voted on through the same services as the pages, on the days the YAML names. Loaded once."""

from __future__ import annotations

import io
import random
from contextlib import suppress
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import select

from portal.common.errors import DomainError
from portal.contests.contest import Windows, category_presets, create_contest, open_contest
from portal.contests.votes import cast_vote
from portal.contests.works import WorkDraft, review_work, submit_work
from portal.extensions import db
from portal.identity.accounts import find_user_by_phone
from portal.models.contest import Contest, ContestWork, WorkStatus
from portal.orgs.tree import get_org_by_code


def demo_photo(palette: list[str], seed: int) -> bytes:
    """An invented scene (sky, sun, hills, buildings) in the work's two colours: no real picture."""
    rng = random.Random(seed)
    sky, ground = palette
    image = Image.new("RGB", (1200, 900), sky)
    draw = ImageDraw.Draw(image)
    draw.ellipse((rng.randrange(100, 900), 80, rng.randrange(100, 900) + 160, 240), fill="#fff4d6")
    for _ in range(6):
        left = rng.randrange(-200, 1100)
        draw.polygon([(left, 900), (left + 250, rng.randrange(380, 620)), (left + 520, 900)], fill=ground)
    for _ in range(8):
        left, height = rng.randrange(0, 1150), rng.randrange(120, 360)
        draw.rectangle((left, 900 - height, left + rng.randrange(40, 110), 900), fill="#2b2b2b")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _at(day: date, hour: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(zone))


def load_demo_contests(data: dict[str, Any], *, today: date, crowd_first_phone: str | None) -> int:
    loaded = 0
    for entry in data.get("contests", []):
        org = get_org_by_code(entry["org"])
        if db.session.scalar(
            select(Contest.id).where(Contest.organisation_id == org.id, Contest.title == entry["title"])
        ):
            continue
        admin = find_user_by_phone(entry["admin"])
        days = {
            name: today + timedelta(days=entry[key][index])
            for name, key, index in (
                ("submit_from", "submit", 0),
                ("submit_until", "submit", 1),
                ("vote_from", "vote", 0),
                ("vote_until", "vote", 1),
            )
        }
        contest = create_contest(
            admin,
            org,
            title=entry["title"],
            rules=entry["rules"],
            windows=Windows(**days, results_on=today + timedelta(days=entry["results"])),
            votes_per_day=entry["votes_per_day"],
            categories=list(category_presets()),
        )
        open_contest(admin, contest)
        categories = {category.name: category for category in contest.categories}
        for number, work in enumerate(entry["works"]):
            submitted = submit_work(
                find_user_by_phone(work["author"]),
                contest,
                WorkDraft(
                    category=categories[work["category"]],
                    title=work["title"],
                    body=work.get("body", ""),
                    video_url=work.get("video_url", ""),
                    photos=[demo_photo(work["palette"], number)] if "palette" in work else [],
                ),
                now=_at(today - timedelta(days=work["days_ago"]), 9, contest.timezone),
            )
            review = work.get("review", "approved")
            if review != "pending":
                review_work(
                    admin,
                    submitted,
                    approve=review == "approved",
                    revision=submitted.revision,
                    reason=work.get("reason", ""),
                )
        if crowd_first_phone and entry.get("votes"):
            _cast_demo_votes(contest, entry["votes"], crowd_first_phone, today)
        loaded += 1
    return loaded


def _cast_demo_votes(contest: Contest, votes: dict[str, int], first_phone: str, today: date) -> None:
    """Crowd members vote on the voting days so far; an account votes only on days after it was made."""
    rng = random.Random(votes["seed"])
    works = list(
        db.session.scalars(
            select(ContestWork).where(
                ContestWork.contest_id == contest.id, ContestWork.status == WorkStatus.APPROVED
            )
        )
    )
    voters = [find_user_by_phone(str(int(first_phone) + index)) for index in range(votes["voters"])]
    day = contest.vote_from
    while day <= today:
        for voter in voters:
            if voter is None or rng.random() > 0.4:
                continue
            instant = _at(day, rng.randrange(8, 22), contest.timezone)
            if day == today:  # today, accounts made at load time vote too (a minute after)
                instant = max(instant, voter.created_at + timedelta(minutes=1))
            if voter.created_at > instant:
                continue
            for work in rng.sample(works, k=min(len(works), rng.randrange(1, 4))):
                with suppress(DomainError):  # the day's votes used up, or a member outside the subtree
                    cast_vote(voter, work, now=instant)
        day += timedelta(days=1)
