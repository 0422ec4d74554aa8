"""Headers, error pages, language and the translation catalogue."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.support import text_of

ROOT = Path(__file__).resolve().parents[2]


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_api_answers_carry_the_api_security_headers(client):
    """A JSON answer is never a document: it gets a policy that loads nothing and may not be framed, and
    nosniff; the pages' referrer and permissions policies are for documents only."""
    response = client.get("/api/v1/openapi.json")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Permissions-Policy" not in response.headers and "Referrer-Policy" not in response.headers
    error = client.get("/api/v1/me/campaigns")  # an error answer too
    assert error.status_code == 401 and error.headers["X-Content-Type-Options"] == "nosniff"


def test_home_page_says_what_the_portal_is(client):
    page = text_of(client.get("/").data)
    assert "职工健步走" in page and "入会" in page and "手机号注册" in page


def test_error_pages_are_chinese(client, app):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in text_of(response.data)
    refused = client.get("/language")  # a form's address, for POST only
    assert refused.status_code == 405 and refused.headers["Allow"] == "OPTIONS, POST"
    trace = client.open("/", method="TRACE")
    assert trace.status_code == 405 and "GET" in trace.headers["Allow"]


def test_500_page_is_chinese(make_app):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500 and "出错了" in text_of(response.data)


def test_csrf_failure_is_explained(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/auth/login", data={"phone": "13912345678", "password": "x"})
    assert response.status_code == 400 and "页面已过期" in text_of(response.data)


def test_csrf_is_checked_on_every_page_blueprint_and_never_on_the_api(make_app):
    """CSRF protection runs on the page blueprints it was moved to (``fast_paths``), the admin's included,
    and a bearer-token call to the API is not asked for a CSRF token."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    refused = client.post("/admin/orgs/1/edit")  # before the admin check would send them to sign in
    assert refused.status_code == 400 and "页面已过期" in text_of(refused.data)
    response = client.post("/api/v1/steps", json={}, headers={"Authorization": "Bearer jbz_unknown"})
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_token"


def test_english_on_request(client):
    response = client.post("/language", data={"language": "en", "next": "/auth/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert "Log in" in text_of(client.get("/auth/login").data)


def test_each_request_translates_in_its_own_language(client):
    """The translations are kept for one request only (i18n.RequestTranslationsDomain): switching the
    language changes the next page's template strings and the form's messages from Python alike."""
    english = ("en", "Log in", "Enter your mobile number.")
    chinese = ("zh_Hans_CN", "登录", "请输入手机号。")
    for language, heading, error in (english, chinese, english, chinese):
        client.post("/language", data={"language": language, "next": "/auth/login"})
        assert heading in text_of(client.get("/auth/login").data)
        assert error in text_of(client.post("/auth/login", data={"phone": "", "password": ""}).data)


def test_every_string_in_the_code_has_a_chinese_translation():
    method_map = [("portal/**.py", "python"), ("portal/templates/**.html", "jinja2")]
    found = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            str(ROOT),
            method_map,
            keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None},
            directory_filter=lambda path: "node_modules" not in path and "/." not in path,
        )
    }
    po = ROOT / "portal/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    translated = {message.id for message in catalog if message.id and message.string and not message.fuzzy}
    assert sorted(found - translated) == []
