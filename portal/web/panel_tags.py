"""Conditional polls of the board panel (docs/decisions.md, Boards: "A repeat poll is answered 304").

An open board page asks for its panel every minute, and the browser keeps the answer (``private,
no-cache``) with a validator: its ``ETag``. The next poll sends it back (``If-None-Match``), and while the
board's snapshot and the panel's kept frame are the same, the answer is ``304 Not Modified`` with no
body, decided in this process without the database: the snapshot pointer and the kept frames are
already held here (``current_snapshot``, the ``html`` board cache). When this process holds no such
frame (it was kept 30 s), the poll is read in full and still answered 304 if nothing changed.

A tag names, in this order: the snapshot table the panel was read from; the scope it resolved to and the
scope's unit or city; the number of rows; a digest of the kept frame (the same in every process, since
it digests the frame's text); a keyed digest of the session's user and nonce (a tag answers only the
member it was made for); and a digest of the viewer's own parts. The last is not checked by the 304
(their rank and row are fixed by the snapshot; only their name could change within it), so a member who
hides their name sees it on their own row, in a page left open, until the next snapshot.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import NamedTuple

from flask import Response, current_app, request
from werkzeug.http import quote_etag

from portal.boards.reading import Scope
from portal.boards.tables import board_cache, current_snapshot, is_live
from portal.campaigns.rules import BoardKind
from portal.i18n import select_locale


class KeptFrame(NamedTuple):
    """A board panel rendered around its rows without the viewer's parts (``boards.assemble_panel``), and
    the digest a poll's tag names it by."""

    html: str
    digest: str


def keep_frame(html: str) -> KeptFrame:
    return KeptFrame(html, hashlib.blake2b(html.encode(), digest_size=8).hexdigest())


def frame_key(rows_key: tuple, show_all: bool) -> tuple:
    """Where a panel's frame is kept in the ``html`` board cache: its page of rows, length and language
    (the request's, as ``select_locale`` chooses it for Flask-Babel: a cookie, read without Babel)."""
    return (rows_key, show_all, select_locale())


def viewer_mark(user_id: int, nonce: str) -> str:
    """The session's user and nonce, digested with the app's secret: no tag answers another member."""
    key = _mark_key(current_app.secret_key)
    return hashlib.blake2b(f"{user_id}:{nonce}".encode(), key=key, digest_size=8).hexdigest()


@lru_cache(maxsize=4)
def _mark_key(secret: str | bytes) -> bytes:
    secret = secret.encode() if isinstance(secret, str) else secret
    return hashlib.blake2b(secret, digest_size=32, person=b"panel-tag").digest()


def panel_tag(rows_key: tuple, frame: KeptFrame, viewer: str, viewer_parts: str) -> str:
    """The tag of one member's panel. ``rows_key`` is ``BoardView.rows_key``: (table, scope, scope's id,
    rows, offset); a panel starts at the top, so the offset is left out."""
    table, scope, scope_id, limit, _offset = rows_key
    parts = hashlib.blake2b(viewer_parts.encode(), digest_size=8).hexdigest()
    scoped = scope_id if scope_id is not None else "-"
    return f"{table}.{scope}.{scoped}.{limit}.{frame.digest}.{viewer}.{parts}"


class _Tag(NamedTuple):
    rows_key: tuple
    frame_digest: str
    viewer: str


def _read_tag(tag: str) -> _Tag | None:
    fields = tag.split(".")
    if len(fields) != 7 or not fields[3].isdigit():
        return None
    table, scope, scope_id, limit, frame_digest, viewer, _parts = fields
    try:
        resolved = Scope(scope)
    except ValueError:
        return None
    if scope_id != "-" and not scope_id.isdigit():
        return None
    rows_key = (table, resolved, None if scope_id == "-" else int(scope_id), int(limit), 0)
    return _Tag(rows_key, frame_digest, viewer)


def unchanged_tag(
    campaign_id: int, kind: BoardKind, claimed: tuple[int, str], *, show_all: bool
) -> str | None:
    """The tag the poll sent back, when it still names its panel: the campaign's current snapshot table
    for ``kind``, a frame kept in this process with the same digest, the member the session claims. No
    database but the snapshot pointers' read when this process's copy is older than 5 s: anything not
    already held here says no (None), and the poll is answered in full."""
    if not request.if_none_match:
        return None
    snapshot = current_snapshot(campaign_id)
    if snapshot is None or is_live(campaign_id, snapshot) or kind not in snapshot.tables:
        return None
    table = snapshot.tables[kind].name
    viewer = viewer_mark(*claimed)
    frames = board_cache("html")
    for sent in request.if_none_match.as_set():
        tag = _read_tag(sent)
        if tag is None or tag.rows_key[0] != table or tag.viewer != viewer:
            continue
        kept = frames.get(frame_key(tag.rows_key, show_all))
        if kept is not None and kept.digest == tag.frame_digest:
            return sent
    return None


# The browser keeps a poll's answer only to ask about it again (its tag), for this member, and apart from
# the page at the same address.
KEPT_TO_ASK_AGAIN = (("Cache-Control", "private, no-cache"), ("Vary", "HX-Request, HX-Target"))


def answer_conditionally(response: Response, tag: str) -> Response:
    """A poll's answer with its tag; 304 with no body when the poll sent this tag back (or ``*``, as HTTP
    says)."""
    if request.if_none_match.contains(tag):
        return not_modified(tag)  # read again (the kept panel had expired), and nothing changed
    response.headers.extend([("ETag", quote_etag(tag)), *KEPT_TO_ASK_AGAIN])
    return response


def not_modified(tag: str) -> Response:
    """The answer to a poll whose tag still names its panel (``unchanged_tag``). Its headers are written
    as they are: Werkzeug's header objects cost a third of this answer."""
    return Response(status=304, headers=[("ETag", quote_etag(tag)), *KEPT_TO_ASK_AGAIN])
