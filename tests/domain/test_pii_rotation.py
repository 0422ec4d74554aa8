"""Rotating PORTAL_PII_KEY (``flask pii rotate-key``): ID numbers and shipping addresses read back under
the new key alone, ID numbers are still found by their lookup hash, and nothing is readable with the old
key any more."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from portal.common.pii import decrypt_text, derive_keys, lookup_digest
from portal.extensions import db
from portal.identity.accounts import ID_NUMBER_CONTEXT
from portal.models import ChanceSource, PrizeKind, User
from portal.models.prizes import ShippingAddress
from portal.rewards.draws import draw
from portal.rewards.shipping import AddressInput, address_context, submit_address
from tests.campaign_helpers import enrolled, member_of, running_campaign
from tests.rewards_helpers import give_chance, make_pool

NEW_KEY = "Tm93IGEgbmV3IGtleSBvZiB0aGlydHktdHdvIGJ5dGVzIQ=="  # 32 bytes


def test_rotating_the_key_keeps_everything_readable_under_the_new_key_only(app, tree, make_user, runner):
    person = make_user()  # with a verified profile
    id_number = decrypt_text(person.id_number_cipher, context=ID_NUMBER_CONTEXT)
    campaign = running_campaign(tree["edu"], "teachers-7day")
    member = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    pool = make_pool(campaign, ChanceSource.CHECKIN, [("保温杯", PrizeKind.PHYSICAL, 1, 2)])
    record = draw(member, pool, give_chance(member, pool, "day:1").id)
    submit_address(member, record.id, AddressInput("张三", "13912345678", "江苏省南京市玄武区中山路1号"))
    db.session.commit()
    old_cipher = person.id_number_cipher

    result = runner.invoke(args=["pii", "rotate-key"], env={"NEW_PII_KEY": NEW_KEY})
    assert result.exit_code == 0, result.output
    assert "re-encrypted 2 ID numbers and 1 shipping addresses" in result.output  # both members

    db.session.expire_all()
    new = derive_keys(NEW_KEY)
    user = db.session.get(User, person.id)
    assert decrypt_text(user.id_number_cipher, context=ID_NUMBER_CONTEXT, keys=new) == id_number
    assert user.id_number_digest == lookup_digest(id_number, context=ID_NUMBER_CONTEXT, keys=new)
    address = db.session.scalar(db.select(ShippingAddress))
    assert decrypt_text(address.address_encrypted, context=address_context("address"), keys=new).startswith(
        "江苏"
    )
    with pytest.raises(InvalidTag):  # the old key reads nothing written by the rotation
        decrypt_text(user.id_number_cipher, context=ID_NUMBER_CONTEXT)
    assert old_cipher != user.id_number_cipher


def test_a_key_too_short_is_refused_and_nothing_changes(app, make_user, runner):
    person = make_user()
    db.session.commit()
    before = person.id_number_cipher
    result = runner.invoke(args=["pii", "rotate-key"], env={"NEW_PII_KEY": "c2hvcnQ="})
    assert result.exit_code != 0 and "32 random bytes" in result.output
    db.session.expire_all()
    assert db.session.get(User, person.id).id_number_cipher == before
