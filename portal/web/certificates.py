"""Certificates of honour: the member's own, and the public page that verifies a number."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, url_for
from flask_login import current_user, login_required

from portal.boards.definitions import mask_name
from portal.campaigns.participation import enrollment_for_member
from portal.common.errors import DomainError, FontMissing
from portal.common.images import font_path
from portal.route.certificates import (
    certificate_by_number,
    certificate_needs,
    certificate_png,
    issue_certificate,
    normalise_number,
)
from portal.route.progress import progress_of
from portal.web.htmx import render

bp = Blueprint("certificates", __name__)


def _enrolled_with_certificate_or_404(campaign_id: int):
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    if certificate_needs(enrollment) is None:
        abort(404)
    return campaign, enrollment


@bp.get("/campaigns/<id:campaign_id>/certificate")
@login_required
def mine(campaign_id: int):
    """The member's certificate once earned, or how far they still have to go."""
    campaign, enrollment = _enrolled_with_certificate_or_404(campaign_id)
    certificate = issue_certificate(enrollment)
    font_error = None
    if certificate is not None:
        try:
            font_path()  # said on the page, rather than as a picture that does not load
        except FontMissing as error:
            font_error = error.message
    return render(
        "certificates/mine.html",
        campaign=campaign,
        certificate=certificate,
        needed=certificate_needs(enrollment),
        qualified=progress_of(enrollment).qualified_days,
        font_error=font_error,
    )


@bp.get("/campaigns/<id:campaign_id>/certificate.png")
@login_required
def image(campaign_id: int):
    """The certificate as a PNG to keep, with the QR code of its public verification page."""
    campaign, enrollment = _enrolled_with_certificate_or_404(campaign_id)
    certificate = issue_certificate(enrollment)
    if certificate is None:
        abort(404)
    verify_url = url_for("certificates.verify", number=certificate.number, _external=True)
    try:
        png = certificate_png(certificate, verify_url, campaign.timezone)
    except DomainError as error:
        return render(
            "certificates/mine.html",
            campaign=campaign,
            certificate=certificate,
            needed=certificate_needs(enrollment),
            qualified=certificate.qualified_days,
            font_error=error.message,
            status=error.status,
        )
    return Response(
        png,
        mimetype="image/png",
        headers={"Content-Disposition": f'inline; filename="{certificate.number}.png"'},
    )


@bp.get("/certificates/verify")
def verify():
    """Anyone can check a certificate number (the QR code on a certificate leads here)."""
    number = normalise_number(request.args.get("number", ""))
    certificate = certificate_by_number(number) if number else None
    return render(
        "certificates/verify.html",
        number=number,
        certificate=certificate,
        holder=mask_name(certificate.holder_name) if certificate else None,
    )
