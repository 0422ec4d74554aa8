"""Certificates of honour (rules §9, seed 000): earned at the rules' number of qualified days, with a
number anyone can verify on a public page, which the QR code on the certificate leads to."""

from __future__ import annotations

import qrcode
from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import local_datetime
from portal.common.codes import normalise_code, readable_code
from portal.common.images import cjk_font, encode, text_lines
from portal.common.media import read_media, save_media
from portal.extensions import db
from portal.models.campaign import Enrollment
from portal.models.route import Certificate
from portal.route.posters import member_display_name
from portal.route.progress import progress_of

CERTIFICATE_SIZE = (1600, 1132)
KIND = "certificates"


def new_certificate_number() -> str:
    return "JBZ-" + readable_code(10)


def normalise_number(text: str) -> str:
    code = normalise_code(text)
    return "JBZ-" + code.removeprefix("JBZ") if code else ""


def certificate_needs(enrollment: Enrollment) -> int | None:
    """The qualified days the campaign's certificate needs, or None when it has none."""
    return campaign_rules(enrollment.campaign).certificate_qualified_days


def find_certificate(enrollment: Enrollment) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.enrollment_id == enrollment.id))


def issue_certificate(enrollment: Enrollment) -> Certificate | None:
    """The member's certificate, issued the first time its rule is met (once: the enrolment is unique
    on the table); None while the rule is not met or the campaign has no certificate."""
    existing = find_certificate(enrollment)
    if existing is not None:
        return existing
    needed = certificate_needs(enrollment)
    qualified = progress_of(enrollment).qualified_days
    if needed is None or qualified < needed:
        return None
    for _attempt in range(3):
        certificate = Certificate(
            enrollment_id=enrollment.id,
            number=new_certificate_number(),
            holder_name=member_display_name(enrollment),
            unit_name=enrollment.unit.name,
            campaign_title=enrollment.campaign.title,
            qualified_days=qualified,
        )
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
        except IntegrityError:  # issued by a concurrent request, or (rarely) a number already taken
            existing = find_certificate(enrollment)
            if existing is not None:
                return existing
            continue
        return certificate
    raise RuntimeError("no free certificate number after three tries")


def certificate_by_number(number: str) -> Certificate | None:
    number = normalise_number(number)
    if not number or len(number) > 24:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def certificate_png(certificate: Certificate, verify_url: str, zone: str) -> bytes:
    """The certificate's picture: drawn once, then kept (what it says never changes)."""
    name = f"{certificate.number}.png"
    png = read_media(KIND, name)
    if png is None:
        png = draw_certificate(certificate, verify_url, zone)
        save_media(KIND, name, png)
    return png


def draw_certificate(certificate: Certificate, verify_url: str, zone: str) -> bytes:
    width, height = CERTIFICATE_SIZE
    image = Image.new("RGB", CERTIFICATE_SIZE, "#fffaf0")
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, width - 24, height - 24), outline="#b3261e", width=12)
    draw.rectangle((52, 52, width - 52, height - 52), outline="#d4a017", width=4)
    title = cjk_font(110)
    heading = "荣誉证书"
    draw.text(((width - draw.textlength(heading, font=title)) / 2, 110), heading, font=title, fill="#b3261e")
    body = cjk_font(46)
    text = (
        f"{certificate.holder_name}（{certificate.unit_name}）在「{certificate.campaign_title}」"
        f"活动中累计达标 {certificate.qualified_days} 天，表现优异，特发此证，以资鼓励。"
    )
    y = 330
    for line in text_lines(draw, text, body, width - 360):
        draw.text((180, y), line, font=body, fill="#2b2b2b")
        y += 72
    small = cjk_font(32)
    issued = local_datetime(certificate.issued_at, zone).strftime("%Y-%m-%d")
    draw.text((180, height - 220), f"证书编号：{certificate.number}", font=small, fill="#2b2b2b")
    draw.text((180, height - 170), f"颁发日期：{issued}", font=small, fill="#2b2b2b")
    draw.text((180, height - 120), "扫描二维码可查验真伪", font=cjk_font(26), fill="#6b6b6b")
    code = qrcode.QRCode(border=1, box_size=8)
    code.add_data(verify_url)
    code.make(fit=True)
    qr = code.make_image(fill_color="#2b2b2b", back_color="#fffaf0").get_image().convert("RGB")
    qr = qr.resize((240, 240), Image.Resampling.NEAREST)
    image.paste(qr, (width - 180 - 240, height - 330))
    return encode(image)
