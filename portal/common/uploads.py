"""Uploads waiting between a preview and its confirmation, kept under instance/imports for a day."""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{16,64}")


def _directory() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.upload"):
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    return path


def save_pending_upload(data: bytes) -> str:
    token = secrets.token_urlsafe(16)
    path = _directory() / f"{token}.upload"
    path.write_bytes(data)
    now = time.time()
    os.utime(path, (now, now))  # aged by the clock that sweeps it, not the file system's (a test clock too)
    return token


def take_pending_upload(token: str | None) -> bytes | None:
    """The upload's bytes, removed from disk (a preview is confirmed once), or None if gone."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    path = _directory() / f"{token}.upload"
    if not path.exists():
        return None
    data = path.read_bytes()
    path.unlink(missing_ok=True)
    return data
