"""Who may use every route. A route added without a row here fails ``test_every_route_has_a_row``.

Roles: anonymous; a member; the admin of 江苏省教育科技工会 (the organisation used is inside that
scope), the admin of its sibling 南京市总工会, of its parent 江苏省总工会, of another province (西安);
a platform admin.
Out-of-scope objects answer 404, never 403.
"""

from __future__ import annotations

import pytest

from portal.extensions import limiter

ROLES = (
    "anonymous",
    "member",
    "admin_target",
    "admin_sibling",
    "admin_parent",
    "admin_other_province",
    "platform",
)
EVERYONE = dict.fromkeys(ROLES, 200)
LOGIN_REDIRECT = 302
SIGNED_IN = ROLES[1:]


def only(allowed: dict[str, int], default: int) -> dict[str, int]:
    return {role: allowed.get(role, default) for role in ROLES}


# endpoint: (method, path, form data, {role: expected status})
MATRIX = {
    "main.index": ("GET", "/", None, EVERYONE),
    "main.privacy": ("GET", "/privacy", None, EVERYONE),
    "main.health": ("GET", "/healthz", None, EVERYONE),
    "main.set_language": ("POST", "/language", {"language": "en"}, dict.fromkeys(ROLES, 303)),
    "auth.send_code": ("POST", "/auth/code/register", {"phone": "13912340000"}, EVERYONE),
    # Signed-in people are sent on to their center instead of seeing the sign-in pages.
    "auth.register": ("GET", "/auth/register", None, only({"anonymous": 200}, 303)),
    "auth.login": ("GET", "/auth/login", None, only({"anonymous": 200}, 303)),
    "auth.login_code": ("GET", "/auth/login/code", None, only({"anonymous": 200}, 303)),
    "auth.reset": ("GET", "/auth/reset", None, EVERYONE),
    "auth.logout": ("POST", "/auth/logout", {}, dict.fromkeys(ROLES, 303)),
    "me.index": ("GET", "/me/", None, only(dict.fromkeys(SIGNED_IN, 200), LOGIN_REDIRECT)),
    "me.profile": ("GET", "/me/profile", None, only(dict.fromkeys(SIGNED_IN, 200), LOGIN_REDIRECT)),
    "admin.index": (
        "GET",
        "/admin/",
        None,
        only({"anonymous": LOGIN_REDIRECT, "member": 404}, 200),
    ),
    "admin.org_detail": (
        "GET",
        "/admin/orgs/{njmu}",
        None,
        only(
            {"anonymous": LOGIN_REDIRECT, "admin_target": 200, "admin_parent": 200, "platform": 200},
            404,
        ),
    ),
}


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - set(MATRIX) == set(), "add the new routes to MATRIX"
    assert set(MATRIX) - endpoints == set(), "MATRIX lists routes that no longer exist"


@pytest.fixture
def people(tree, make_user):
    return {
        "anonymous": None,
        "member": make_user(),
        "admin_target": make_user(admin_of=tree["edu"]),
        "admin_sibling": make_user(admin_of=tree["nj"]),
        "admin_parent": make_user(admin_of=tree["js"]),
        "admin_other_province": make_user(admin_of=tree["xa"]),
        "platform": make_user(platform_admin=True),
    }


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_access(app, tree, people, endpoint):
    method, path, data, expected = MATRIX[endpoint]
    path = path.format(njmu=tree["njmu"].id)
    for role in ROLES:
        limiter.reset()  # the same form data is posted once per role
        client = app.test_client()
        if people[role] is not None:
            signed_in = client.post(
                "/auth/login", data={"phone": people[role].phone, "password": "steady-walker-42"}
            )
            assert signed_in.status_code == 303
        response = client.open(path, method=method, data=data)
        assert response.status_code == expected[role], f"{role} {method} {path}"
