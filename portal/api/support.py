"""Helpers of the JSON API: bearer-token authentication, strict JSON bodies, answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, g, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from portal import transactions
from portal.api.errors import ApiError, validation_error
from portal.campaigns.tokens import find_active_token
from portal.models.api import ApiToken, TokenKind


def bearer_secret() -> str:
    """The token in the request's Authorization header, or a 401."""
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthenticated", _("Send an API token: Authorization: Bearer <token>."))
    return secret.strip()


def invalid_token() -> ApiError:
    return ApiError(401, "invalid_token", _("This token is unknown or was revoked."))


def wrong_token_kind() -> ApiError:
    return ApiError(403, "wrong_token_kind", _("This endpoint needs another kind of token."))


def not_enrolled() -> ApiError:
    return ApiError(
        404, "not_enrolled", _("You are not enrolled in this campaign."), {"campaign_id": _("Not yours.")}
    )


def require_token(*kinds: TokenKind) -> ApiToken:
    """The bearer token of the request, of one of the given kinds, or a 401 (403 for another kind)."""
    token = find_active_token(bearer_secret())
    if token is None:
        raise invalid_token()
    if token.kind not in kinds:
        raise wrong_token_kind()
    g.api_token = token
    return token


def _refuse_constant(name: str) -> Any:
    raise ApiError(400, "invalid_json", _("NaN and Infinity are not numbers in JSON."))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    duplicated = {key for key in keys if keys.count(key) > 1}
    if duplicated:
        raise ApiError(
            400, "invalid_json", _("A key appears twice: %(keys)s.", keys=", ".join(sorted(duplicated)))
        )
    return dict(pairs)


def read_body(model: type[BaseModel]) -> Any:
    """The JSON body checked against ``model``: strict JSON (no NaN, no duplicate keys), strict types."""
    if not request.is_json:
        raise ApiError(
            415 if request.data else 400,
            "invalid_json",
            _("Send a JSON body with Content-Type: application/json."),
        )
    try:
        data = json.loads(
            request.get_data(as_text=True), object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant
        )
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested thousands deep
        raise ApiError(400, "invalid_json", _("The body is not valid JSON.")) from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_error(error) from None


def answer(model: BaseModel, status: int = 200) -> Response:
    """The model as JSON, serialised by pydantic (in Rust) in the order of its fields."""
    return Response(model.model_dump_json(), status=status, mimetype="application/json")


T = TypeVar("T")

RETRY_AFTER_SECONDS = 2


def retried(work: Callable[[], T]) -> T:
    """``portal.transactions.retried``, with its last refusal answered as the API's 503 ``busy`` and
    ``Retry-After`` (docs/api.md: what is safe to send again)."""
    try:
        return transactions.retried(work)
    except transactions.StillBusy:
        raise ApiError(
            503,
            "busy",
            _("The database was busy with other writes; nothing of this request was stored. Send it again."),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None
