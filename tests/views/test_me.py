"""The personal center and the real-name profile."""

from tests.support import text_of


def test_personal_center_needs_login(client):
    response = client.get("/me/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login?next=")


def test_profile_flow_shows_masked_id_and_derived_facts(client, make_user, login):
    user = make_user(profile=False)
    login(user)
    assert "去实名认证" in text_of(client.get("/me/").data)
    response = client.post("/me/profile", data={"real_name": "李文静", "id_number": "320102199003150025"})
    assert response.status_code == 303
    page = text_of(client.get("/me/").data)
    assert "3201**********0025" in page and "320102199003150025" not in page
    assert "李文静" in page and "女" in page and "1990-03-15" in page
    assert user.phone in page  # the owner sees the whole number
    assert "尚未在本平台加入任何工会" in page


def test_wrong_checksum_keeps_what_was_typed(client, make_user, login):
    login(make_user(profile=False))
    response = client.post("/me/profile", data={"real_name": "李文静", "id_number": "320102199003150026"})
    body = response.data.decode()
    assert "身份证号校验位不正确" in text_of(body)
    assert 'value="李文静"' in body and 'value="320102199003150026"' in body
    assert 'aria-invalid="true"' in body


def test_id_number_of_another_account_is_refused(client, make_user, login):
    make_user().id_number_cipher  # noqa: B018 - a first account with some ID number
    from portal.extensions import db
    from portal.identity.accounts import complete_profile

    owner = make_user(profile=False)
    complete_profile(owner, "张三", "320104198807220031")
    db.session.commit()
    login(make_user(profile=False))
    body = text_of(
        client.post("/me/profile", data={"real_name": "李四", "id_number": "320104198807220031"}).data
    )
    assert "该身份证号已绑定其他账号。" in body


def test_verified_profile_cannot_be_overwritten(client, make_user, login):
    user = make_user()
    login(user)
    name = user.real_name
    client.post("/me/profile", data={"real_name": "别人", "id_number": "320104198807220031"})
    from portal.extensions import db

    db.session.refresh(user)
    assert user.real_name == name


def test_the_shortcut_guide_names_the_members_own_campaigns_and_the_address(client, tree, make_user, login):
    from tests.campaign_helpers import enrolled, member_of, running_campaign

    mine = running_campaign(tree["edu"])
    other = running_campaign(tree["edu"], preset="eco-walk")
    member = member_of(make_user(), tree["njmu"])
    login(member)
    page = text_of(client.get("/me/tokens/shortcut").data)
    assert "你还没有报名任何活动" in page
    assert "http://localhost/api/v1/steps" in page

    enrolled(member, mine, tree["njmu"])
    page = text_of(client.get("/me/tokens/shortcut").data)
    assert f"{mine.title} {mine.id}" in page and other.title not in page
    assert "如何用 iPhone 快捷指令自动上报步数" in text_of(client.get("/me/tokens").data)
    assert "/me/tokens/shortcut" in client.get(f"/campaigns/{mine.id}").data.decode()  # under today's form
