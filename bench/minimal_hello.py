"""The baseline of the board benchmark: a minimal Flask "hello" endpoint. gunicorn bench.minimal_hello:app"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
