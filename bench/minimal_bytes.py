"""A ceiling for the board pages: a minimal Flask app that answers ``/`` with bytes read once from the
file ``BENCH_BODY`` names (a page the portal rendered), so that sending those bytes, and nothing else,
is measured beside the page itself. gunicorn bench.minimal_bytes:app"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

app = Flask(__name__)
BODY = Path(os.environ["BENCH_BODY"]).read_bytes()


@app.get("/")
def page():
    return BODY, {"Content-Type": "text/html; charset=utf-8"}
