"""Works of a collection (rules §10): members submit and edit them while submissions are open, admins
review them, and the approved ones make the public gallery.

- Photos follow the poster upload rules (``images.read_upload``: content-checked JPEG or PNG, limited in
  bytes and pixels, re-encoded from the pixels so EXIF and GPS are gone); each is kept at most 1,600 px
  on its long side, with a 480 px copy for the gallery.
- Video works link to a host of ``CONTEST_VIDEO_HOSTS`` over http(s); the portal never embeds them.
- Every edit sends the work back to review and raises its ``revision``; a review applies only to the
  revision the reviewer saw (a conditional UPDATE), so an approval never covers content added after.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload, selectinload

from portal.common.audit import record_audit
from portal.common.errors import NotFound
from portal.common.images import encode, read_upload
from portal.common.media import save_media
from portal.contests.contest import contest_state, require_eligible
from portal.contests.errors import (
    RejectionNeedsReason,
    SubmissionsClosed,
    SubmissionsNotOpen,
    TooManyPhotos,
    VideoHostNotAllowed,
    VideoLinkRequired,
    WorkChangedSinceReview,
    WorkNeedsPhotos,
    WorkNeedsText,
)
from portal.contests.permissions import can_manage_contest
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.contest import (
    Contest,
    ContestCategory,
    ContestWork,
    ContestWorkImage,
    WorkKind,
    WorkStatus,
)
from portal.models.identity import User
from portal.orgs.permissions import require
from portal.orgs.scope import AdminScope

MEDIA_KIND = "works"
MAX_PHOTOS = 6
PHOTO_LONG_SIDE = 1600
THUMB_LONG_SIDE = 480
GALLERY_PAGE_SIZE = 24
# What a list of works shows of each: its photos, category, author and union, loaded with the list.
WORK_CARD = (
    selectinload(ContestWork.images),
    joinedload(ContestWork.category),
    joinedload(ContestWork.author),
    joinedload(ContestWork.organisation),
)


@dataclass
class WorkDraft:
    """What a member typed and uploaded, checked together before anything is written."""

    category: ContestCategory
    title: str
    body: str = ""
    video_url: str = ""
    photos: list[bytes] | None = None  # new uploads
    remove_image_ids: frozenset[int] = frozenset()


def check_video_url(url: str) -> str | None:
    """The link as given, if it points at an allowed video host; None for an empty link."""
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    allowed = current_app.config["CONTEST_VIDEO_HOSTS"]
    if (
        parts.scheme not in ("http", "https")
        or parts.username
        or parts.password
        or not any(host == name or host.endswith("." + name) for name in allowed)
    ):
        raise VideoHostNotAllowed(
            _l("Video links are accepted from these sites only: %(hosts)s.", hosts="、".join(allowed))
        )
    return url


def _require_submissions_open(contest: Contest, now: datetime | None) -> None:
    state = contest_state(contest, now)
    if state.before_submissions:
        raise SubmissionsNotOpen()
    if not state.submissions_open:
        raise SubmissionsClosed()


def _check_content(draft: WorkDraft, photos_after: int) -> str | None:
    """The checked video link; a refusal naming the field when the category's needs are not met."""
    video_url = check_video_url(draft.video_url)
    if photos_after > MAX_PHOTOS:
        raise TooManyPhotos(_l("A work has at most %(n)s photos.", n=MAX_PHOTOS))
    kind = draft.category.kind
    if kind is WorkKind.PHOTO and photos_after == 0:
        raise WorkNeedsPhotos()
    if kind is WorkKind.VIDEO and video_url is None:
        raise VideoLinkRequired()
    if kind is WorkKind.TEXT and not draft.body.strip():
        raise WorkNeedsText()
    return video_url


def _prepare_photos(uploads: list[bytes]) -> list[Image.Image]:
    """Every upload decoded (or the first refusal) before a single file is written."""
    return [read_upload(data) for data in uploads]


def _save_photos(work: ContestWork, images: list[Image.Image]) -> None:
    position = max((image.position for image in work.images), default=0)
    for image in images:
        position += 1
        token = secrets.token_hex(6)
        large = image.copy()
        large.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE), Image.Resampling.LANCZOS)
        small = image.copy()
        small.thumbnail((THUMB_LONG_SIDE, THUMB_LONG_SIDE), Image.Resampling.LANCZOS)
        name, thumb = f"{work.id}-{token}.jpg", f"{work.id}-{token}-s.jpg"
        save_media(MEDIA_KIND, name, encode(large, "JPEG"))
        save_media(MEDIA_KIND, thumb, encode(small, "JPEG"))
        work.images.append(
            ContestWorkImage(
                position=position, name=name, thumb_name=thumb, width=large.width, height=large.height
            )
        )


def submit_work(
    user: User, contest: Contest, draft: WorkDraft, *, now: datetime | None = None
) -> ContestWork:
    """A member's new work, waiting for review."""
    union = require_eligible(user, contest)
    _require_submissions_open(contest, now)
    if draft.category.contest_id != contest.id:
        raise NotFound()
    photos = _prepare_photos(draft.photos or [])
    video_url = _check_content(draft, len(photos))
    instant = now or utcnow()
    work = ContestWork(
        contest_id=contest.id,
        category_id=draft.category.id,
        author_id=user.id,
        organisation_id=union.id,
        title=draft.title.strip(),
        body=draft.body.strip(),
        video_url=video_url,
        submitted_at=instant,
        updated_at=instant,
    )
    db.session.add(work)
    db.session.flush()
    _save_photos(work, photos)
    db.session.flush()
    return work


def edit_work(user: User, work: ContestWork, draft: WorkDraft, *, now: datetime | None = None) -> None:
    """The author's changes, while submissions are open; the work goes back to review."""
    if work.author_id != user.id:
        raise NotFound()
    contest = work.contest
    _require_submissions_open(contest, now)
    if draft.category.contest_id != contest.id:
        raise NotFound()
    kept = [image for image in work.images if image.id not in draft.remove_image_ids]
    photos = _prepare_photos(draft.photos or [])
    video_url = _check_content(draft, len(kept) + len(photos))
    for image in list(work.images):
        if image.id in draft.remove_image_ids:
            work.images.remove(image)  # its files stay on disk (docs/operations.md, "Media and fonts")
    work.category_id = draft.category.id
    work.title = draft.title.strip()
    work.body = draft.body.strip()
    work.video_url = video_url
    work.status = WorkStatus.PENDING
    work.reject_reason = None
    work.revision += 1
    work.updated_at = now or utcnow()
    db.session.flush()
    _save_photos(work, photos)
    db.session.flush()


def review_work(actor: User, work: ContestWork, *, approve: bool, revision: int, reason: str = "") -> None:
    """Approve the work, or reject it with a reason the author sees: only the revision the reviewer saw."""
    require(can_manage_contest(actor, work.contest))
    reason = reason.strip()
    if not approve and not reason:
        raise RejectionNeedsReason()
    status = WorkStatus.APPROVED if approve else WorkStatus.REJECTED
    result = db.session.execute(
        update(ContestWork)
        .where(ContestWork.id == work.id, ContestWork.revision == revision)
        .values(
            status=status,
            reject_reason=None if approve else reason,
            reviewed_by_id=actor.id,
            reviewed_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise WorkChangedSinceReview()
    db.session.refresh(work)
    record_audit(
        actor,
        "contest.work_approve" if approve else "contest.work_reject",
        subject_type="contest_work",
        subject_id=work.id,
        organisation_id=work.contest.organisation_id,
        after={"title": work.title, "revision": revision, **({} if approve else {"reason": reason})},
    )


# --- reading --------------------------------------------------------------------------------------------


class GalleryOrder(StrEnum):
    NEWEST = "newest"
    VOTES = "votes"


@dataclass(frozen=True)
class GalleryPage:
    works: list[ContestWork]
    page: int
    pages: int
    total: int


def gallery_page(
    contest: Contest, *, category: ContestCategory | None, order: GalleryOrder, page: int
) -> GalleryPage:
    """Approved works, newest first or most voted first (ties: the earlier submission)."""
    conditions = [ContestWork.contest_id == contest.id, ContestWork.status == WorkStatus.APPROVED]
    if category is not None:
        conditions.append(ContestWork.category_id == category.id)
    total = db.session.scalar(select(func.count()).where(*conditions)) or 0
    pages = max(1, -(-total // GALLERY_PAGE_SIZE))
    page = min(max(page, 1), pages)
    ordering = (
        (ContestWork.votes.desc(), ContestWork.submitted_at, ContestWork.id)
        if order is GalleryOrder.VOTES
        else (ContestWork.submitted_at.desc(), ContestWork.id.desc())
    )
    works = db.session.scalars(
        select(ContestWork)
        .options(*WORK_CARD)
        .where(*conditions)
        .order_by(*ordering)
        .limit(GALLERY_PAGE_SIZE)
        .offset((page - 1) * GALLERY_PAGE_SIZE)
    ).all()
    return GalleryPage(list(works), page, pages, total)


def works_of(user: User, contest: Contest) -> list[ContestWork]:
    return list(
        db.session.scalars(
            select(ContestWork)
            .options(*WORK_CARD)
            .where(ContestWork.contest_id == contest.id, ContestWork.author_id == user.id)
            .order_by(ContestWork.submitted_at.desc())
        )
    )


def review_queue(contest: Contest, status: WorkStatus | None) -> list[ContestWork]:
    """Works to review, the longest waiting first; or every work of a status."""
    query = select(ContestWork).options(*WORK_CARD).where(ContestWork.contest_id == contest.id)
    if status is not None:
        query = query.where(ContestWork.status == status)
    return list(db.session.scalars(query.order_by(ContestWork.updated_at, ContestWork.id).limit(200)))


def count_by_status(contest: Contest) -> dict[WorkStatus, int]:
    rows = db.session.execute(
        select(ContestWork.status, func.count())
        .where(ContestWork.contest_id == contest.id)
        .group_by(ContestWork.status)
    ).all()
    counts = dict.fromkeys(WorkStatus, 0)
    counts.update({status: count for status, count in rows})
    return counts


def can_see_work(user: User, work: ContestWork, scope: AdminScope | None) -> bool:
    """Approved works of an opened collection are public; the others are seen by their author and by the
    collection's admins."""
    if work.status is WorkStatus.APPROVED and work.contest.opened_at is not None:
        return True
    if user.is_authenticated and work.author_id == user.id:
        return True
    return scope is not None and scope.contains(work.contest.organisation)


def visible_work(user: User, work_id: int, scope: AdminScope | None) -> ContestWork:
    work = db.session.get(ContestWork, work_id)
    if work is None or not can_see_work(user, work, scope):
        raise NotFound()
    return work


def work_of(contest: Contest, work_id: int | None) -> ContestWork:
    """A work of ``contest`` (which the caller has already found in scope); any other id is a 404."""
    work = db.session.get(ContestWork, work_id) if work_id else None
    if work is None or work.contest_id != contest.id:
        raise NotFound()
    return work
