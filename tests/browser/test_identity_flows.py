"""A member registers, reads the SMS code, completes the profile, logs out and back in, on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

PASSWORD = "morning-walk-2026"


def register(page: Page, base: str, phone: str, shot=None, prefix: str = "") -> None:
    page.goto(f"{base}/auth/register")
    expect(page.get_by_role("heading", name="注册账号")).to_be_visible()
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    code = page.get_by_test_id("demo-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    if shot:
        shot(page, f"{prefix}01-register-code-sent")
    page.get_by_label("短信验证码").fill(code.inner_text())
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="注册", exact=True).click()
    expect(page).to_have_url(f"{base}/me/profile")


def test_register_profile_logout_login(live_server: str, page: Page, screenshot):
    base = live_server
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="职工健步走，一起走起来")).to_be_visible()
    screenshot(page, "00-home")

    register(page, base, "13912345678", screenshot)
    expect(page.get_by_text("注册成功！请完成实名认证")).to_be_visible()
    screenshot(page, "02-profile-form")

    page.get_by_label("真实姓名").fill("林晓雨")
    page.get_by_label("居民身份证号").fill("320102199003150026")  # wrong check character
    page.get_by_role("button", name="提交认证").click()
    expect(page.get_by_text("身份证号校验位不正确")).to_be_visible()
    expect(page.get_by_label("真实姓名")).to_have_value("林晓雨")
    screenshot(page, "03-profile-error")
    page.get_by_label("居民身份证号").fill("320102199003150025")
    page.get_by_role("button", name="提交认证").click()

    expect(page).to_have_url(f"{base}/me/")
    expect(page.get_by_text("3201**********0025")).to_be_visible()
    expect(page.get_by_text("尚未在本平台加入任何工会")).to_be_visible()
    screenshot(page, "04-personal-center")

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("你已退出登录。")).to_be_visible()

    page.get_by_role("link", name="登录", exact=True).click()
    page.get_by_label("手机号").fill("13912345678")
    page.get_by_label("密码", exact=True).fill("not-my-password")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_text("手机号或密码错误。")).to_be_visible()
    screenshot(page, "05-login-error")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(f"{base}/me/")
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(f"{base}/")


def test_login_with_sms_code(live_server: str, page: Page, screenshot, make_user):
    base = live_server
    member = make_user()
    page.goto(f"{base}/auth/login")
    page.get_by_role("link", name="验证码登录").click()
    page.get_by_label("手机号").fill(member.phone)
    page.get_by_role("button", name="获取验证码").click()
    code = page.get_by_test_id("demo-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    screenshot(page, "06-login-code")
    page.get_by_label("短信验证码").fill(code.inner_text())
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(f"{base}/me/")


def test_registration_works_without_javascript(live_server: str, page_without_js: Page, screenshot):
    page = page_without_js
    base = live_server
    register(page, base, "13912340002", screenshot, prefix="nojs-")
    expect(page.get_by_role("heading", name="实名认证")).to_be_visible()


def test_bad_phone_and_rate_limit_are_explained(live_server: str, page: Page, screenshot):
    base = live_server
    page.goto(f"{base}/auth/register")
    page.get_by_label("手机号").fill("1391234")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("请输入11位中国大陆手机号")).to_be_visible()
    page.get_by_label("手机号").fill("13912340003")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_test_id("demo-code")).to_be_visible()
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("你在短时间内尝试次数过多")).to_be_visible()
    screenshot(page, "07-rate-limited")


def sign_in(page: Page, base: str, phone: str, password: str = "steady-walker-42") -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(f"{base}/me/")


def test_signing_out_on_the_phone_signs_out_the_other_device_too(
    live_server: str, page: Page, another_page: Page, screenshot, make_user
):
    base = live_server
    member = make_user()
    sign_in(page, base, member.phone)
    sign_in(another_page, base, member.phone)  # the office computer
    # A link to the sign-out address (no token) asks first, with a button.
    page.goto(f"{base}/auth/logout")
    expect(page.get_by_text("本设备和你登录过的其他设备都将退出")).to_be_visible()
    screenshot(page, "08-logout-confirm")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("你已退出登录。")).to_be_visible()
    another_page.goto(f"{base}/me/")
    expect(another_page).to_have_url(re.compile(r"/auth/login"))


def test_a_code_for_an_unregistered_number_says_the_same(live_server: str, page: Page, screenshot):
    base = live_server
    page.goto(f"{base}/auth/login/code")
    page.get_by_label("手机号").fill("13912340088")
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送至 139****0088（如该号码可用于此操作）")).to_be_visible()
    expect(page.get_by_test_id("demo-code")).to_have_count(0)  # nothing was sent, and nothing says so
    screenshot(page, "09-login-code-unknown-number")
