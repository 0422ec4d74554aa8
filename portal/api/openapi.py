"""The OpenAPI 3.1 document, built from the same pydantic models that check requests and shape answers.

OpenAPI 3.1 uses JSON Schema 2020-12, which is what pydantic emits, so the schemas go in unchanged.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from portal.api import schemas

_MODELS: tuple[type[BaseModel], ...] = (
    schemas.StepReport,
    schemas.PartnerBatch,
    schemas.DayResult,
    schemas.MyCampaigns,
    schemas.Progress,
    schemas.BulkResponse,
    schemas.Ranking,
    schemas.UnitRanking,
    schemas.TeamRanking,
    schemas.ErrorResponse,
)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _errors(*statuses: int) -> dict[str, Any]:
    texts = {
        400: "Not JSON, NaN or a duplicate key.",
        401: "No token, or an unknown or revoked one.",
        403: "A token of another kind.",
        404: "Not found, or not yours.",
        409: "In conflict with the current state.",
        415: "The body is not JSON.",
        422: "A field is not valid, or a rule refuses the report.",
        429: "Too many requests for this token.",
    }
    return {str(status): _json(schemas.ErrorResponse, texts[status]) for status in statuses}


def _campaign_id() -> dict[str, Any]:
    return {
        "name": "campaign_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    }


@cache
def openapi_document() -> dict[str, Any]:
    _, definitions = models_json_schema(
        [
            (model, "validation" if model in (schemas.StepReport, schemas.PartnerBatch) else "serialization")
            for model in _MODELS
        ],
        ref_template="#/components/schemas/{model}",
    )
    personal = [{"personalToken": []}]
    partner = [{"partnerToken": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "职工健步走 API",
            "version": "1.0.0",
            "description": (
                "Steps, progress and rankings for apps, watches, iOS Shortcuts and partner platforms. "
                'Errors: {"error": {"code", "message", "fields"}}.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": definitions["$defs"],
            "securitySchemes": {
                "personalToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Made in 个人中心 → API.",
                },
                "partnerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Issued by a union admin for one campaign.",
                },
            },
        },
        "paths": {
            "/me/campaigns": {
                "get": {
                    "operationId": "myCampaigns",
                    "security": personal,
                    "responses": {
                        "200": _json(schemas.MyCampaigns, "Campaigns open to the token's owner."),
                        **_errors(401, 403, 429),
                    },
                }
            },
            "/steps": {
                "post": {
                    "operationId": "reportSteps",
                    "security": personal,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(schemas.StepReport)}},
                    },
                    "responses": {
                        "200": _json(schemas.DayResult, "The day as counted."),
                        **_errors(400, 401, 403, 404, 409, 415, 422, 429),
                    },
                }
            },
            "/campaigns/{campaign_id}/progress": {
                "get": {
                    "operationId": "progress",
                    "security": personal,
                    "parameters": [_campaign_id()],
                    "responses": {
                        "200": _json(schemas.Progress, "Totals and every day so far."),
                        **_errors(401, 403, 404, 429),
                    },
                }
            },
            "/campaigns/{campaign_id}/steps/bulk": {
                "post": {
                    "operationId": "bulkSteps",
                    "security": partner,
                    "parameters": [_campaign_id()],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref(schemas.PartnerBatch)}},
                    },
                    "responses": {
                        "200": _json(schemas.BulkResponse, "One result per record."),
                        **_errors(400, 401, 403, 404, 415, 422, 429),
                    },
                }
            },
            "/campaigns/{campaign_id}/rankings/{kind}": {
                "get": {
                    "operationId": "ranking",
                    "security": personal + partner,
                    "parameters": [
                        _campaign_id(),
                        {
                            "name": "kind",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": ["individual", "team", "unit"]},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                        },
                        {
                            "name": "offset",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0, "default": 0},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Individual rows, or team or unit rows for those kinds.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "anyOf": [
                                            _ref(schemas.Ranking),
                                            _ref(schemas.TeamRanking),
                                            _ref(schemas.UnitRanking),
                                        ]
                                    }
                                }
                            },
                        },
                        **_errors(400, 401, 403, 404, 429),
                    },
                }
            },
        },
    }
