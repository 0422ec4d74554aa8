"""Files the portal keeps for members and admins (landmark pictures, posters, certificates), under
``MEDIA_DIR``/<kind>/ (instance/media unless
configured; never in static/). Every host of a deployment must see the same folder (a shared volume)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app

_NAME = re.compile(r"[A-Za-z0-9_\-]{1,60}\.(png|jpg)")


def media_path(kind: str, name: str) -> Path | None:
    """Where a stored file lives, or None for a name that is not one the portal gives (no ../)."""
    if not _NAME.fullmatch(name):
        return None
    root = current_app.config.get("MEDIA_DIR") or Path(current_app.instance_path) / "media"
    return Path(root) / kind / name


def save_media(kind: str, name: str, data: bytes) -> Path:
    path = media_path(kind, name)
    if path is None:
        raise ValueError(f"not a media name: {name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(data)
    temporary.replace(path)  # readers never see half a file
    return path


def read_media(kind: str, name: str | None) -> bytes | None:
    path = media_path(kind, name) if name else None
    return path.read_bytes() if path is not None and path.is_file() else None
