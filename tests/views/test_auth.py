"""Registering, signing in and out, and password reset over HTTP: full pages and htmx fragments."""

import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import SmsCode, User
from tests.support import text_of

PHONE = "13912345678"
GOOD_PASSWORD = "river-path-2026"


def _user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _send_code(client, phone=PHONE, purpose="register", htmx=False, **form):
    headers = {"HX-Request": "true", "HX-Target": "sms_status"} if htmx else {}
    return client.post(f"/auth/code/{purpose}", data={"phone": phone, **form}, headers=headers)


def _register(client, code, phone=PHONE, password=GOOD_PASSWORD, **extra):
    data = {"phone": phone, "code": code, "password": password, "password_confirm": password, "consent": "y"}
    data.update(extra)
    return client.post("/auth/register", data=data)


def test_register_page_is_chinese_and_labelled(client):
    page = client.get("/auth/register")
    assert page.status_code == 200
    body = page.data.decode()
    assert '<html lang="zh-CN"' in body
    for text in ("注册账号", "手机号", "短信验证码", "获取验证码", "确认密码", "隐私声明"):
        assert text in body
    assert 'for="phone"' in body and 'id="phone"' in body


def test_send_code_without_javascript_returns_the_page_filled_in(client, sms_outbox):
    response = _send_code(client, phone="１３９１２３４５６７８", password="typed-before")
    assert response.status_code == 200
    body = response.data.decode()
    assert "验证码已发送至 139****5678（如该号码可用于此操作），5分钟内有效。" in text_of(body)
    assert 'value="１３９１２３４５６７８"' in body  # what the member typed is kept
    assert "typed-before" not in body  # passwords are never echoed back
    assert len(sms_outbox.outbox) == 1


def test_send_code_with_htmx_returns_only_the_status_box(client):
    response = _send_code(client, htmx=True)
    body = response.data.decode()
    assert body.startswith('<div id="sms_status"')
    assert "<html" not in body
    assert "HX-Request" in response.headers["Vary"]
    assert "演示模式" not in body  # the demo code is shown only in demo mode


def test_demo_mode_shows_the_code(client, app, sms_outbox):
    app.config["DEMO"] = True
    try:
        body = _send_code(client, htmx=True).data.decode()
    finally:
        app.config["DEMO"] = False
    assert f'data-testid="demo-code">{sms_outbox.last_code(PHONE)}<' in body


def test_full_registration_signs_in_and_asks_for_the_profile(client, sms_outbox):
    _send_code(client)
    response = _register(client, sms_outbox.last_code(PHONE))
    assert response.status_code == 303 and response.headers["Location"] == "/me/profile"
    assert "注册成功" in text_of(client.get("/me/profile").data)
    assert _user_count() == 1


def test_malformed_phone_gets_a_chinese_message_and_sends_nothing(client, sms_outbox):
    for bad in ("1391234567", "23912345678", "abc"):
        body = text_of(_send_code(client, phone=bad, htmx=True).data)
        assert "请输入11位中国大陆手机号" in body
    assert sms_outbox.outbox == []


def test_wrong_expired_and_reused_codes(client, sms_outbox):
    _send_code(client)
    code = sms_outbox.last_code(PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert "验证码错误。" in text_of(_register(client, wrong).data)
    assert _user_count() == 0
    # The wrong attempt was counted although the request failed.
    assert db.session.scalar(select(SmsCode.failed_attempts)) == 1

    assert _register(client, code).status_code == 303
    client.post("/auth/logout")
    # Reusing the spent code for another registration of the same number.
    body = text_of(_register(client, code).data)
    assert "验证码已过期或已使用" in body


def test_expired_code(client, sms_outbox, app):
    from datetime import timedelta

    _send_code(client)
    from portal.models.base import utcnow

    db.session.execute(SmsCode.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    body = text_of(_register(client, sms_outbox.last_code(PHONE)).data)
    assert "验证码已过期或已使用，请重新获取。" in body
    assert _user_count() == 0


def test_bad_form_input_is_reported_per_field_and_nothing_is_written(client, sms_outbox):
    _send_code(client)
    code = sms_outbox.last_code(PHONE)
    body = text_of(_register(client, "12ab", password="short").data)
    assert "请输入短信中的6位数字验证码。" in body
    body = text_of(_register(client, code, password="12345678").data)
    assert "该密码过于常见" in body
    body = text_of(
        client.post(
            "/auth/register",
            data={
                "phone": PHONE,
                "code": code,
                "password": GOOD_PASSWORD,
                "password_confirm": "other-one-99",
            },
        ).data
    )
    assert "两次输入的密码不一致。" in body and "注册前请阅读并同意隐私声明。" in body
    assert _user_count() == 0
    # None of this spent the code.
    assert _register(client, code).status_code == 303


def test_duplicate_registration_is_refused_without_telling_the_number_is_registered(
    client, make_user, sms_outbox
):
    user = make_user()
    registered = text_of(_send_code(client, phone=user.phone, htmx=True).data)
    new = text_of(_send_code(client, phone="13700000077", htmx=True).data)
    masked = re.compile(r"\d{3}\*{4}\d{4}")
    assert masked.sub("…", registered) == masked.sub("…", new)  # the same words for both
    assert sms_outbox.last_code(user.phone) is None  # and nothing sent to the registered number
    body = text_of(_register(client, "123456", phone=user.phone).data)
    assert "验证码已过期或已使用" in body and "已注册" not in body
    assert _user_count() == 1


def test_sending_too_often_answers_429_in_chinese(client):
    assert _send_code(client).status_code == 200
    response = _send_code(client)
    assert response.status_code == 429
    assert "操作过于频繁" in text_of(response.data)
    htmx = _send_code(client, htmx=True)
    assert htmx.status_code == 429 and htmx.data.decode().startswith('<div id="sms_status"')


def test_too_many_password_attempts_answer_429(client, make_user):
    user = make_user()
    for _ in range(10):
        response = client.post("/auth/login", data={"phone": user.phone, "password": "wrong-password-1"})
        assert response.status_code == 200
        assert "手机号或密码错误。" in text_of(response.data)
    response = client.post("/auth/login", data={"phone": user.phone, "password": "wrong-password-1"})
    assert response.status_code == 429
    assert "操作过于频繁" in text_of(response.data)


def test_password_login_renews_the_session_and_logout_ends_it(client, make_user):
    user = make_user()
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    response = client.post("/auth/login", data={"phone": user.phone, "password": "steady-walker-42"})
    assert response.status_code == 303 and response.headers["Location"] == "/me/"
    with client.session_transaction() as session:
        assert "planted" not in session
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/me/").status_code == 200
    client.post("/auth/logout")
    assert client.get("/me/").status_code == 302


def test_login_redirects_only_to_local_next(client, make_user):
    user = make_user()
    data = {"phone": user.phone, "password": "steady-walker-42"}
    response = client.post("/auth/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/me/"
    client.post("/auth/logout")
    response = client.post("/auth/login", data={**data, "next": "/me/profile"})
    assert response.headers["Location"] == "/me/profile"


def test_login_with_sms_code(client, make_user, sms_outbox):
    user = make_user()
    _send_code(client, phone=user.phone, purpose="login")
    response = client.post(
        "/auth/login/code", data={"phone": user.phone, "code": sms_outbox.last_code(user.phone)}
    )
    assert response.status_code == 303
    assert client.get("/me/").status_code == 200


def test_login_code_for_unknown_number_says_the_same_and_sends_nothing(client, make_user, sms_outbox):
    unknown = text_of(_send_code(client, purpose="login", htmx=True).data)
    user = make_user()
    known = text_of(_send_code(client, phone=user.phone, purpose="login", htmx=True).data)
    masked = re.compile(r"\d{3}\*{4}\d{4}")
    assert "尚未注册" not in unknown and masked.sub("…", unknown) == masked.sub("…", known)
    assert sms_outbox.last_code(PHONE) is None and sms_outbox.last_code(user.phone)


def test_reset_password_signs_out_other_sessions(app, client, make_user, sms_outbox):
    user = make_user()
    other_phone = app.test_client()
    other_phone.post("/auth/login", data={"phone": user.phone, "password": "steady-walker-42"})
    assert other_phone.get("/me/").status_code == 200

    _send_code(client, phone=user.phone, purpose="reset_password")
    response = client.post(
        "/auth/reset",
        data={
            "phone": user.phone,
            "code": sms_outbox.last_code(user.phone),
            "password": "fresh-start-2026",
            "password_confirm": "fresh-start-2026",
        },
    )
    assert response.status_code == 303
    assert client.get("/me/").status_code == 200
    assert other_phone.get("/me/").status_code == 302  # the old session no longer counts


def test_unknown_sms_purpose_is_404(client):
    assert _send_code(client, phone="13912345601", purpose="verify").status_code == 404
    assert _send_code(client, phone="13912345602", purpose="nonsense").status_code == 404


def test_sign_out_ends_the_session_and_remember_me_on_the_server(app, client, make_user):
    user = make_user()
    answer = client.post(
        "/auth/login", data={"phone": user.phone, "password": "steady-walker-42", "remember": "y"}
    )
    cookies = {cookie.key: cookie.value for cookie in client._cookies.values()}
    assert {"portal_session", "remember_token"} <= set(cookies)
    assert "Expires" in next(
        c for c in answer.headers.getlist("Set-Cookie") if c.startswith("remember_token")
    )
    copies = {}
    for name in ("portal_session", "remember_token"):  # a copied session cookie, a copied remember-me
        copy = app.test_client()
        copy.set_cookie(name, cookies[name])
        assert copy.get("/me/").status_code == 200
        copies[name] = copy
    assert client.post("/auth/logout").status_code == 303
    assert client.get("/me/").status_code == 302
    for copy in copies.values():
        assert copy.get("/me/").status_code == 302


def test_remember_me_lasts_thirty_days_at_most(app):
    assert app.config["REMEMBER_COOKIE_DURATION"] == 30 * 24 * 3600


def test_sign_out_without_a_token_asks_with_a_button(make_app, make_user):
    import re

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make_user()
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/auth/login").get_data(as_text=True)
    )
    signed_in = client.post(
        "/auth/login", data={"phone": user.phone, "password": "steady-walker-42", "csrf_token": token[1]}
    )
    assert signed_in.status_code == 303
    for asked in (client.post("/auth/logout"), client.get("/auth/logout")):  # no token: a page, not a 400
        assert asked.status_code == 200 and "退出登录" in text_of(asked.data)
    assert client.get("/me/").status_code == 200  # a form of another site cannot sign anyone out
    page = client.get("/auth/logout").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/me/").status_code == 302


def test_sign_in_limits_count_failures_per_number_and_address(app, make_user):
    """Ten good sign-ins in a row are fine; ten wrong passwords from one address lock that address out
    of that number, not the owner signing in from their own phone."""
    user = make_user()
    good = {"phone": user.phone, "password": "steady-walker-42"}
    owner, guesser = app.test_client(), app.test_client()
    for _ in range(12):
        assert owner.post("/auth/login", data=good).status_code == 303
        owner.post("/auth/logout")
    attacker = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(10):
        wrong = guesser.post("/auth/login", data={**good, "password": "guess-0000"}, environ_base=attacker)
        assert wrong.status_code == 200
    assert guesser.post("/auth/login", data=good, environ_base=attacker).status_code == 429
    assert owner.post("/auth/login", data=good).status_code == 303
