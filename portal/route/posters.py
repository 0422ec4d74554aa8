"""Posters (rules §6): after passing a landmark, the member's photo with the landmark, their name and the
campaign, as a PNG to keep or share."""

from __future__ import annotations

from PIL import Image, ImageDraw

from portal.common.images import cjk_font, cover, encode, font_path, read_upload, text_lines
from portal.common.media import read_media, save_media
from portal.models.campaign import Enrollment
from portal.models.route import Landmark
from portal.route.progress import require_passed

POSTER_SIZE = (1080, 1440)
PHOTO_HEIGHT = 1080
KIND = "posters"


def poster_name(enrollment: Enrollment, landmark: Landmark) -> str:
    return f"{enrollment.id}-{landmark.id}.png"


def member_display_name(enrollment: Enrollment) -> str:
    user = enrollment.user
    return user.real_name or f"{user.phone[:3]}****{user.phone[-4:]}"


def make_poster(enrollment: Enrollment, landmark: Landmark, upload: bytes) -> bytes:
    """Draw and keep the member's poster for a landmark they passed; a new photo replaces the old one."""
    require_passed(enrollment, landmark)
    font_path()  # a missing font is refused before the upload is even decoded
    photo = read_upload(upload)
    png = draw_poster(
        photo,
        landmark_name=landmark.name,
        position=landmark.position,
        campaign_title=enrollment.campaign.title,
        member_name=member_display_name(enrollment),
    )
    save_media(KIND, poster_name(enrollment, landmark), png)
    return png


def find_poster(enrollment: Enrollment, landmark: Landmark) -> bytes | None:
    return read_media(KIND, poster_name(enrollment, landmark))


def draw_poster(
    photo: Image.Image, *, landmark_name: str, position: int, campaign_title: str, member_name: str
) -> bytes:
    width, height = POSTER_SIZE
    poster = Image.new("RGB", POSTER_SIZE, "#fff8f0")
    poster.paste(cover(photo, (width, PHOTO_HEIGHT)), (0, 0))
    draw = ImageDraw.Draw(poster)
    draw.rectangle((0, PHOTO_HEIGHT, width, height), fill="#b3261e")
    margin = 64
    stop = cjk_font(40)
    draw.text((margin, PHOTO_HEIGHT + 48), f"第 {position} 站", font=stop, fill="#ffe9a8")
    title = cjk_font(84)
    lines = text_lines(draw, landmark_name, title, width - 2 * margin)[:2]
    y = PHOTO_HEIGHT + 104
    for line in lines:
        draw.text((margin, y), line, font=title, fill="#ffffff")
        y += 96
    small = cjk_font(36)
    draw.text((margin, height - 112), f"{member_name} · {campaign_title}", font=small, fill="#ffffff")
    draw.text((margin, height - 64), "职工健步走", font=cjk_font(28), fill="#ffe9a8")
    return encode(poster)
