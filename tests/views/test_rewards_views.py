"""Points and prizes over HTTP, as members and admins use them: the page, drawing in place (htmx) and
without JavaScript, the address once, admins' pools, codes, log and exports, and the bad input the issue
lists."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, ChanceSource, Draw, DrawChance, PrizeCode, PrizeKind, ShippingAddress
from portal.models.base import utcnow
from tests.campaign_helpers import enrolled, member_of, running_campaign
from tests.rewards_helpers import give_chance, give_points, make_pool
from tests.support import text_of


def _member(tree, make_user, preset="teachers-7day", **user):
    org, unit = (tree["edu"], tree["njmu"]) if preset == "teachers-7day" else (tree["sx"], tree["xa"])
    campaign = running_campaign(org, preset)
    member = member_of(make_user(**user), unit)
    return campaign, member, enrolled(member, campaign, unit)


def _pool_panel(pool_id: int) -> dict:
    return {"HX-Request": "true", "HX-Target": f"pool-{pool_id}"}


def test_check_in_gives_todays_draw_and_drawing_answers_in_place(client, tree, make_user, login):
    campaign, member, _enrollment = _member(tree, make_user)
    pool = make_pool(campaign, ChanceSource.CHECKIN, [("0.5元红包", PrizeKind.CASH, 1, 3)])
    login(member)
    client.post(f"/campaigns/{campaign.id}/checkin")
    campaign_page = client.get(f"/campaigns/{campaign.id}").data.decode()
    assert "今日签到抽奖" in campaign_page and "积分与抽奖" in campaign_page
    page = text_of(client.get(f"/campaigns/{campaign.id}/rewards/").data.decode())
    assert "你有 1 次抽奖机会。" in page and "每日签到抽奖" in page
    chance = db.session.scalar(select(DrawChance))
    answer = client.post(
        f"/campaigns/{campaign.id}/rewards/pools/{pool.id}/draw",
        data={"chance_id": chance.id},
        headers=_pool_panel(pool.id),
    )
    fragment = answer.data.decode()
    assert answer.status_code == 200 and "<html" not in fragment
    assert f'id="pool-{pool.id}"' in fragment and "恭喜你抽中：0.5元红包！" in text_of(fragment)
    assert "你有" not in text_of(fragment)  # the same draw is not offered again
    again = client.post(
        f"/campaigns/{campaign.id}/rewards/pools/{pool.id}/draw",
        data={"chance_id": chance.id},
        headers=_pool_panel(pool.id),
    )
    assert "这次机会已经抽过了" in text_of(again.data.decode())
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 1


def test_without_javascript_a_draw_redirects_with_the_result(client, tree, make_user, login):
    campaign, member, enrollment = _member(tree, make_user)
    pool = make_pool(
        campaign, ChanceSource.CHECKIN, [("保温杯", PrizeKind.PHYSICAL, 0, 3)], no_prize_weight=1
    )
    give_chance(enrollment, pool, "day:1")
    login(member)
    answer = client.post(f"/campaigns/{campaign.id}/rewards/pools/{pool.id}/draw", data={})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"#pool-{pool.id}")
    page = text_of(client.get(f"/campaigns/{campaign.id}/rewards/").data.decode())
    assert "很遗憾，这次没有中奖，谢谢参与！" in page and "未中奖" in page


def test_bad_draws_get_a_clear_message_and_lose_nothing(client, tree, make_user, login):
    campaign, member, enrollment = _member(tree, make_user)
    pool = make_pool(campaign, ChanceSource.CHECKIN, [("红包", PrizeKind.CASH, 1, 3)])
    other = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    theirs = give_chance(other, pool, "day:1")
    expired = give_chance(enrollment, pool, "day:0", expires_at=utcnow() - timedelta(minutes=1))
    elsewhere = running_campaign(tree["sx"], "motherland-100")
    foreign = make_pool(elsewhere, ChanceSource.POINTS, [("红包", PrizeKind.CASH, 1, 3)])
    login(member)
    url = f"/campaigns/{campaign.id}/rewards/pools/{pool.id}/draw"
    cases = [
        (url, {}, "你在该奖池已没有抽奖机会。"),  # no chance
        (url, {"chance_id": theirs.id}, "这不是你在该奖池的抽奖机会。"),  # another member's chance
        (url, {"chance_id": expired.id}, "这次机会已过期"),  # after the deadline
        (url, {"chance_id": "99999"}, "这不是你在该奖池的抽奖机会。"),
        (
            f"/campaigns/{campaign.id}/rewards/pools/{foreign.id}/draw",
            {},
            "本活动没有这个奖池。",
        ),  # forged pool
    ]
    for target, data, message in cases:
        answer = client.post(target, data=data)
        assert answer.status_code == 303
        assert message in text_of(client.get(f"/campaigns/{campaign.id}/rewards/").data.decode()), message
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 0
    assert theirs.used_at is None and db.session.get(DrawChance, theirs.id).used_at is None


def test_redeeming_points_on_the_page(client, tree, make_user, login):
    campaign, member, enrollment = _member(tree, make_user, "motherland-100")
    give_points(enrollment, 25)
    login(member)
    page = text_of(client.get(f"/campaigns/{campaign.id}/rewards/").data.decode())
    assert "每 20 积分可兑换1次“积分抽红包”抽奖机会" in page and "答题正确 +25" in page
    client.post(f"/campaigns/{campaign.id}/rewards/redeem")
    page = text_of(client.get(f"/campaigns/{campaign.id}/rewards/").data.decode())
    assert "兑换成功：抽奖机会加1。" in page and "兑换抽奖机会 -20" in page and "你有 1 次抽奖机会。" in page
    client.post(f"/campaigns/{campaign.id}/rewards/redeem")
    page = text_of(client.get(f"/campaigns/{campaign.id}/rewards/").data.decode())
    assert "积分还不够兑换一次抽奖机会。" in page and "你有 1 次抽奖机会。" in page


def test_a_shipping_address_once_and_the_page_warns_first(client, tree, make_user, login):
    campaign, member, enrollment = _member(tree, make_user)
    pool = make_pool(campaign, ChanceSource.CHECKIN, [("保温杯", PrizeKind.PHYSICAL, 1, 3)])
    give_chance(enrollment, pool, "day:1")
    login(member)
    client.post(f"/campaigns/{campaign.id}/rewards/pools/{pool.id}/draw", data={})
    record = db.session.scalar(select(Draw))
    url = f"/campaigns/{campaign.id}/rewards/prizes/{record.id}"
    form_page = text_of(client.get(url).data.decode())
    assert "地址一旦提交将无法更改" in form_page
    address = {"recipient": "周晓燕", "phone": "13912345678", "address": "江苏省南京市鼓楼区北京西路1号"}
    unconfirmed = client.post(url, data=address)
    assert unconfirmed.status_code == 422 and "请勾选确认地址无误。" in text_of(unconfirmed.data.decode())
    bad_phone = client.post(url, data={**address, "phone": "12345", "confirm": "y"})
    assert bad_phone.status_code == 422 and "请输入11位中国大陆手机号" in text_of(bad_phone.data.decode())
    assert client.post(url, data={**address, "confirm": "y"}).status_code == 303
    shown = text_of(client.get(url).data.decode())
    assert "江苏省南京市鼓楼区北京西路1号" in shown and "地址已提交，无法再更改。" in shown
    second = client.post(url, data={**address, "address": "陕西省西安市雁塔区长安南路2号", "confirm": "y"})
    assert "该奖品的收货地址已提交，无法再更改。" in text_of(second.data.decode())
    assert db.session.scalar(select(func.count()).select_from(ShippingAddress)) == 1
    other = make_user()
    member_of(other, tree["njmu"])
    enrolled(other, campaign, tree["njmu"])
    client.post("/auth/logout")
    login(other)
    assert client.get(url).status_code == 404  # another member's prize


def test_badges_and_points_in_the_personal_center(client, tree, make_user, login):
    campaign, member, enrollment = _member(tree, make_user, "motherland-100")
    give_points(enrollment, 7)
    login(member)
    page = text_of(client.get("/me/").data.decode())
    assert "奖章与积分" in page and f"{campaign.title} · 7 积分" in page


def test_admins_see_pools_upload_codes_and_export(client, tree, make_user, login):
    admin = make_user(admin_of=tree["edu"])
    campaign, _member_user, enrollment = _member(tree, make_user, real_name="吴海波")
    voucher_pool = next(pool for pool in _pools(campaign) if pool.source is ChanceSource.FINAL_RANK)
    tier = voucher_pool.tiers[0]
    login(admin)
    page = text_of(client.get(f"/admin/campaigns/{campaign.id}/prizes/").data.decode())
    assert "每日签到抽红包" in page and "电影消费券抽奖" in page and "0 / 1,000" in page
    answer = client.post(
        f"/admin/campaigns/{campaign.id}/prizes/tiers/{tier.id}/codes",
        data={f"t{tier.id}-codes": "MOVIE-0001\nMOVIE-0002"},
    )
    assert answer.status_code == 303
    bad = client.post(
        f"/admin/campaigns/{campaign.id}/prizes/tiers/{tier.id}/codes", data={f"t{tier.id}-codes": "a b"}
    )
    assert bad.status_code == 422 and "每行一个券码" in text_of(bad.data.decode())
    elsewhere = running_campaign(tree["sx"], "motherland-100")
    foreign_tier = _pools(elsewhere)[0].tiers[0]
    forged = client.post(f"/admin/campaigns/{campaign.id}/prizes/tiers/{foreign_tier.id}/codes", data={})
    assert forged.status_code == 404
    assert client.get(f"/admin/campaigns/{elsewhere.id}/prizes/").status_code == 404  # outside the scope

    give_chance(enrollment, voucher_pool, "final")
    voucher_pool.no_prize_weight = 0
    db.session.commit()
    from portal.rewards.draws import draw

    draw(enrollment, voucher_pool)
    db.session.commit()
    log = text_of(client.get(f"/admin/campaigns/{campaign.id}/prizes/draws").data.decode())
    assert " / 1,000 → 60元电影消费券 → 中奖" in log and "MOVIE-0001" in log and "抽奖时的权重" in log
    workbook = load_workbook(
        io.BytesIO(client.get(f"/admin/campaigns/{campaign.id}/prizes/winners.xlsx").data)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("抽奖时间", "抽奖编号", "奖池", "奖品")
    assert rows[1][3:10] == (
        "60元电影消费券",
        "消费券",
        60,  # a number of yuan, shown as money
        "吴海波",
        enrollment.user.phone,
        "南京医科大学工会",
        "MOVIE-0001",
    )
    assert workbook.active.cell(row=2, column=6).number_format == "#,##0.00"
    assert workbook.active.freeze_panes == "A2"  # the headers stay in view
    addresses = load_workbook(
        io.BytesIO(client.get(f"/admin/campaigns/{campaign.id}/prizes/addresses.xlsx").data)
    )
    assert len(list(addresses.active.iter_rows(values_only=True))) == 1  # the headers, no address yet
    audited = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("prizes.%"))).all()
    assert sorted(audited) == ["prizes.codes", "prizes.export_addresses", "prizes.export_winners"]
    assert (
        db.session.scalar(select(func.count()).select_from(PrizeCode).where(PrizeCode.draw_id.is_not(None)))
        == 1
    )


def test_members_cannot_reach_the_prize_admin(client, tree, make_user, login):
    campaign, member, _enrollment = _member(tree, make_user)
    login(member)
    assert client.get(f"/admin/campaigns/{campaign.id}/prizes/").status_code == 404


def _pools(campaign):
    from portal.rewards.pools import pools_of

    return pools_of(campaign)


def test_admins_change_a_prize_and_bad_values_are_refused_in_place(client, tree, make_user, login):
    admin = make_user(admin_of=tree["edu"])
    campaign, _member_user, _enrollment = _member(tree, make_user)
    checkin_pool = next(pool for pool in _pools(campaign) if pool.source is ChanceSource.CHECKIN)
    tier = checkin_pool.tiers[0]
    login(admin)
    url = f"/admin/campaigns/{campaign.id}/prizes/tiers/{tier.id}/edit"
    answer = client.post(url, data={f"e{tier.id}-weight": "2500", f"e{tier.id}-stock": "30000"})
    assert answer.status_code == 303
    db.session.refresh(tier)
    assert (tier.weight, tier.stock, tier.remaining) == (2500, 30000, 30000)
    refused = client.post(url, data={f"e{tier.id}-weight": "-1", f"e{tier.id}-stock": "10"})
    page = text_of(refused.data.decode())
    assert refused.status_code == 422 and "请输入0至1,000,000之间的整数。" in page
    pool_url = f"/admin/campaigns/{campaign.id}/prizes/{checkin_pool.id}/edit"
    assert client.post(pool_url, data={f"p{checkin_pool.id}-weight": "100"}).status_code == 303
    elsewhere = running_campaign(tree["sx"], "motherland-100")
    foreign = _pools(elsewhere)[0]
    forged = f"/admin/campaigns/{campaign.id}/prizes/{foreign.id}/edit"
    assert client.post(forged, data={f"p{foreign.id}-weight": "1"}).status_code == 404
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "prizes.edit")).all() == [
        "prizes.edit",
        "prizes.edit",
    ]


def test_a_voucher_winner_sees_the_code(client, tree, make_user, login):
    from portal.rewards.draws import draw
    from portal.rewards.pools import upload_codes

    admin = make_user(admin_of=tree["edu"])
    campaign, member, enrollment = _member(tree, make_user)
    pool = make_pool(
        campaign, ChanceSource.FINAL_RANK, [("60元电影消费券", PrizeKind.VOUCHER, 1, 0)], top_n=5
    )
    upload_codes(admin, campaign, pool.tiers[0], "FILM-7788")
    record = draw(enrollment, pool, give_chance(enrollment, pool, "final").id)
    db.session.commit()
    login(member)
    page = text_of(client.get(f"/campaigns/{campaign.id}/rewards/").data.decode())
    assert "60元电影消费券 · 券码 FILM-7788" in page
    prize = text_of(client.get(f"/campaigns/{campaign.id}/rewards/prizes/{record.id}").data.decode())
    assert "你的券码： FILM-7788" in prize
