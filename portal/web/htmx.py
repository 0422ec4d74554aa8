"""The one way views answer both full-page and htmx requests.

``render("auth/register.html", block="sms_status")`` returns only the block ``sms_status`` (the element
with that id) when htmx asks for that target, and the whole page otherwise. Elements repeated in a
list take the id ``<block>-<key>`` (``application-12``); a target of that form selects the block too.
Blocks named in ``oob`` are appended for out-of-band swaps. Every response says ``Vary: HX-Request``
so caches keep the two apart. The htmx request headers are read through htmx-flask (``request.htmx``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import make_response, render_template
from flask.typing import ResponseReturnValue
from htmx_flask import request
from jinja2_fragments.flask import render_blocks

_SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,63}")


def is_htmx() -> bool:
    return bool(request.htmx)


def htmx_target() -> str | None:
    """The id of the element htmx will swap, if it is a plain id."""
    target = request.htmx.target
    return target if target and _SAFE_ID.fullmatch(target) else None


def asks_for_block(block: str) -> bool:
    """Whether this is an htmx request for ``block`` alone (``render`` then renders only that block)."""
    target = htmx_target() if is_htmx() else None
    return target is not None and (target == block or target.startswith(f"{block}-"))


def render(
    template: str,
    *,
    block: str | None = None,
    oob: Sequence[str] = (),
    status: int = 200,
    **context: Any,
) -> ResponseReturnValue:
    if block is not None and asks_for_block(block):
        body = render_blocks(template, [block, *oob], htmx_oob=bool(oob), **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
