"""The portal's Flask class."""

from __future__ import annotations

from collections.abc import Callable
from inspect import CO_COROUTINE
from typing import Any

from flask import Flask


class Portal(Flask):
    """Flask, with one per-request cost taken out.

    Flask passes every hook, view and error handler through ``ensure_sync`` on every request, and its
    check (``inspect.iscoroutinefunction``: unwrapping, three attribute lookups, one of them failing with
    a formatted ``AttributeError``) was about a fiftieth of a step report (docs/benchmarks.md). A plain
    function or bound method says what it is in its code object's flags: that is read directly, and
    anything else (a partial, a callable object) still goes through Flask's own check, so an
    ``async def`` view keeps working as Flask documents."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        code = getattr(func, "__code__", None)
        if code is not None and not code.co_flags & CO_COROUTINE:
            return func
        return super().ensure_sync(func)
