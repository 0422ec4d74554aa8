"""Forms of points and prizes: redeeming, drawing, the shipping address, and admins' voucher codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

MAX_WEIGHT = 1_000_000
MAX_STOCK = 10_000_000


class RedeemForm(FlaskForm):
    pass


class DrawForm(FlaskForm):
    # The chance the button showed; without it the one that expires first is drawn.
    chance_id = HiddenField()


class AddressForm(FlaskForm):
    recipient = StringField(
        _l("Recipient"),
        validators=[DataRequired(_l("Write the recipient's name.")), Length(max=20)],
        render_kw={"autocomplete": "name"},
    )
    phone = StringField(
        _l("Recipient's mobile number"),
        validators=[DataRequired(_l("Write a mobile number the courier can call."))],
        render_kw={"inputmode": "tel", "autocomplete": "tel", "maxlength": 11},
    )
    address = TextAreaField(
        _l("Full address (mainland China)"),
        validators=[DataRequired(_l("Write the address.")), Length(max=200)],
        description=_l("Province, city, district, street, building and room."),
        render_kw={"rows": 3, "autocomplete": "street-address"},
    )
    confirm = BooleanField(
        _l("I have checked the address: it cannot be changed after it is submitted."),
        validators=[DataRequired(_l("Tick the box to confirm the address is right."))],
    )


class CodesForm(FlaskForm):
    codes = TextAreaField(
        _l("Voucher codes, one per line"),
        validators=[DataRequired(_l("Paste the codes, one per line."))],
        render_kw={"rows": 6, "autocomplete": "off", "spellcheck": "false"},
    )


class GrantForm(FlaskForm):
    pass


def weight_field(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Enter the weight.")),
            NumberRange(min=0, max=MAX_WEIGHT, message=_l("Enter a whole number from 0 to 1,000,000.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class TierForm(FlaskForm):
    weight = weight_field(_l("Weight"))
    stock = IntegerField(
        _l("Stock"),
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_STOCK, message=_l("Enter a whole number from 0 to 10,000,000.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class NoPrizeForm(FlaskForm):
    weight = weight_field(_l("Weight of “no prize”"))
