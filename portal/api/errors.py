"""The API's error shape: ``{"error": {"code", "message", "fields"}}`` with the right HTTP status."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError

from portal.common.errors import DomainError

# Pydantic error types → a message a developer or a partner's support staff can act on.
_FIELD_MESSAGES = {
    "missing": _l("This field is required."),
    "extra_forbidden": _l("This field is not part of the request."),
    "int_type": _l("Must be a whole number."),
    "int_parsing": _l("Must be a whole number."),
    "int_from_float": _l("Must be a whole number."),
    "bool_type": _l("Must be true or false."),
    "string_type": _l("Must be a string."),
    "date_type": _l("Must be a date such as 2026-05-10."),
    "date_parsing": _l("Must be a date such as 2026-05-10."),
    "date_from_datetime_parsing": _l("Must be a date such as 2026-05-10."),
    "date_from_datetime_inexact": _l("Must be a date such as 2026-05-10."),
    "datetime_type": _l("Must be an ISO-8601 time such as 2026-05-10T21:30:00+08:00."),
    "datetime_parsing": _l("Must be an ISO-8601 time such as 2026-05-10T21:30:00+08:00."),
    "datetime_from_date_parsing": _l("Must be an ISO-8601 time such as 2026-05-10T21:30:00+08:00."),
    "greater_than_equal": _l("Too small."),
    "less_than_equal": _l("Too large."),
    "too_long": _l("Too many items."),
    "too_short": _l("Too few items."),
    "list_type": _l("Must be a list."),
    "model_type": _l("Must be an object."),
    "dict_type": _l("Must be an object."),
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: str, fields: dict[str, str] | None = None, headers: dict | None = None
):
    response = jsonify(error={"code": code, "message": message, "fields": fields or {}})
    response.status_code = status
    response.headers.update(headers or {})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def field_errors(error: ValidationError, *, prefix: str = "") -> dict[str, str]:
    """``{"records.3.steps": "Must be a whole number."}``, translated."""
    fields = {}
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        fields[prefix + location] = str(_FIELD_MESSAGES.get(item["type"], _l("Not valid here.")))
    return fields


def validation_error(error: ValidationError) -> ApiError:
    return ApiError(422, "invalid_request", _("Some fields are not valid."), field_errors(error))


def domain_error(error: DomainError) -> ApiError:
    code = type(error).__name__
    snake = "".join("_" + c.lower() if c.isupper() else c for c in code).lstrip("_")
    fields = {error.field: str(error.message)} if error.field else {}
    return ApiError(error.status, snake, str(error.message), fields)
