"""Domain errors of boards (the shared base and the generic ones are in ``portal.common.errors``)."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from portal.common.errors import DomainError


class BoardTooLargeToExport(DomainError):
    """A page request has about 30 s (gunicorn's timeout); openpyxl writes about 8,500 rows a second here.
    Larger boards are written in the background (``boards.export_files``)."""

    status = 409

    def __init__(self, rows: int, limit: int) -> None:
        super().__init__(
            _(
                "This board has %(rows)s rows; exports straight from the page stop at %(limit)s. Use the "
                "button to write it in the background, then download it from your exports.",
                rows=format_decimal(rows),
                limit=format_decimal(limit),
            )
        )
