"""SMS senders. ``PORTAL_SMS_SENDER`` names the class (``module:Class``) that delivers codes.

A sender is any class with ``__init__(self, app)`` and ``send_code(self, phone, code, purpose)``. To use a
carrier gateway (Aliyun, Tencent Cloud …), write such a class that calls it and name it in the setting.
"""

from __future__ import annotations

import logging
from typing import Protocol

from flask import Flask

from portal.common.phones import mask_phone
from portal.models.identity import SmsPurpose

logger = logging.getLogger("portal.sms")


class SmsSender(Protocol):
    def send_code(self, phone: str, code: str, purpose: SmsPurpose) -> None: ...


class LogSender:
    """The default: writes the code to the application log instead of sending a message."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def send_code(self, phone: str, code: str, purpose: SmsPurpose) -> None:
        logger.warning("SMS to %s (%s): verification code %s", mask_phone(phone), purpose.value, code)
