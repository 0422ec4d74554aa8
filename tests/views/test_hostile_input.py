"""No request answers 5xx because of what it contains: every route of the URL map, GET and POST, pages
and API, as anonymous, a member and a platform admin, with hostile values in each query parameter and
form field the portal reads (huge integers, NUL bytes, far dates, bytes that are not UTF-8, long text) and
in its path's words; the API also with deep JSON. Bad input answers 4xx (the API in its JSON shape).
A route added to the URL map is walked here as soon as ``MATRIX`` lists it."""

from __future__ import annotations

import json
import re

import pytest

from portal.extensions import limiter
from tests.views.test_authorization_matrix import MATRIX, _path, _signed_in, people  # noqa: F401

HOSTILE_VALUES = (
    "99999999999999999999",  # past every integer column
    "0001-01-01",  # days whose arithmetic overflows
    "9999-12-31",
    "a\x00b",  # NUL, which PostgreSQL refuses in text
    "%FF%FE",  # not UTF-8 once decoded
    "x" * 5000,
)
# Every name the portal reads from a query or a form (request.args / request.form and the WTForms
# fields), and the filters' names.
_READ_NAMES = """
agree answer award back_status body category chance_id checkin choice choices code codes confirm
consent daily_cap decision description enrolment_closed grace_minutes hide id_number ids
implausible_steps introduction kind language length_days limit member_goal member_total name
new_captain next note number offset open_to_non_members order org org_code page parent_code
password phone pool position preset qualify_steps question question_id quota real_name reason
recipient region remember revision rules scope settle_start show size slogan sort start_day
status steps steps_target stock team_goal text title total_cap union unit video_url
votes_per_day work from to day campaign city tab filter
"""
NAMES = sorted(set(_READ_NAMES.split()))
ROLES = ("anonymous", "member_a", "platform")


def _query(value: str) -> str:
    return "&".join(f"{name}={value}" for name in NAMES)


def _path_words(path: str) -> list[str]:
    """The path with each plain word that a route takes as a string (``<kind>``, ``<purpose>``) made
    hostile; numeric ids are bounded by the ``id`` converter already."""
    words = [part for part in path.split("/") if part and not part.isdigit()]
    variants = []
    for word in words[1:]:
        for hostile in ("%00", "x" * 300):
            variants.append(path.replace(f"/{word}", f"/{hostile}", 1))
    return variants


def _answers(client, method: str, path: str, value: str, *, api: bool) -> list[tuple[str, int]]:
    """The status of the request with ``value`` in the query, the form or the JSON body."""
    separator = "&" if "?" in path else "?"
    target = f"{path}{separator}{_query(value)}"
    statuses = []
    if method == "GET":
        statuses.append((target, client.get(target).status_code))
        return statuses
    form = dict.fromkeys(NAMES, value)
    statuses.append((target, client.open(target, method=method, data=form).status_code))
    raw = b"phone=\xff\xfe&name=\xc3\x28&steps=\xff"  # not UTF-8
    statuses.append(
        (
            path + " (bytes)",
            client.open(
                path, method=method, data=raw, content_type="application/x-www-form-urlencoded"
            ).status_code,
        )
    )
    if api:
        body = json.dumps(dict.fromkeys(NAMES, value))
        headers = {"Authorization": "Bearer jbz_hostile"}
        statuses.append(
            (
                path + " (json)",
                client.open(
                    path, method=method, data=body, content_type="application/json", headers=headers
                ).status_code,
            )
        )
    return statuses


@pytest.mark.slow
def test_no_route_answers_5xx_for_what_a_request_contains(app, tree, people):  # noqa: F811
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 is an answer here, not a raised error
    clients = {role: _signed_in(app, people, role) for role in ROLES}
    failures = []
    for endpoint, (method, template, _data, _expected) in sorted(MATRIX.items()):
        path = _path(tree, people, template)
        api = path.startswith("/api/")
        for role, client in clients.items():
            for candidate in (path, *_path_words(path.split("?")[0])):
                for value in HOSTILE_VALUES:
                    limiter.reset()
                    for target, status in _answers(client, method, candidate, value, api=api):
                        if status >= 500:
                            failures.append(f"{endpoint} as {role}: {method} {target[:160]} → {status}")
            if role != "anonymous" and method != "GET":
                break  # a write may change what the next role meets; one signed-in role is enough
    assert failures == [], "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


def test_a_json_body_nested_100_000_deep_is_a_400(client):
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/v1/steps", data=deep, content_type="application/json", headers={"Authorization": "Bearer x"}
    )
    assert response.status_code in (400, 401) and response.json["error"]["code"]
    assert re.search(r"[\u4e00-\u9fff]", response.json["error"]["message"])  # a Chinese message
