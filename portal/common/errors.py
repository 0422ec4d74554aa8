"""Domain errors every feature shares. Each carries a translatable message a member can act on,
and the form field it concerns; a feature's own errors live in its package's ``errors`` module."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class NotFound(LookupError):
    """The thing asked for does not exist, or lies outside what the caller may see: both answer the same,
    so nobody learns what exists outside their scope. Not a ``DomainError``: a form never shows it as a
    message; the web layer answers 404 (``portal.web.errors``), the API its JSON ``not_found``."""


class DomainError(Exception):
    """A rule said no. ``message`` is shown to the person; ``field`` names the input it is about."""

    message = _l("The request could not be completed.")
    field: str | None = None
    status = 422

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))


class InvalidPhone(DomainError):
    message = _l("Enter an 11-digit mainland mobile number, such as 13912345678.")
    field = "phone"


class NotASpreadsheet(DomainError):
    field = "file"
    message = _l(
        "This file is not a CSV or Excel (.xlsx) spreadsheet. Save it as one of those and try again."
    )


class MissingColumns(DomainError):
    field = "file"


class InvalidImage(DomainError):
    field = "photo"
    message = _l("Upload a photo as a JPEG or PNG file.")


class ImageTooLarge(DomainError):
    field = "photo"
    message = _l("This image is too large: at most 10 MB and 40 megapixels.")
    status = 413


class FontMissing(DomainError):
    message = _l(
        "The server has no Chinese font, so it cannot draw this picture. Ask the administrator to install "
        "fonts-noto-cjk."
    )
    status = 503
