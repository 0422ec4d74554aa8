"""The baseline of the step-API benchmark: a minimal Flask endpoint doing the same single upsert of a
daily record and nothing else (no token lookup, no rules, no checks). gunicorn bench.minimal_upsert:app"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(
    os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1), pool_size=5
)
UPSERT = text(
    """
    INSERT INTO daily_records (enrollment_id, campaign_id, day, reported_steps, reported_at, received_at,
                               source, counted_steps, qualified, reason)
    VALUES (:enrollment_id, :campaign_id, :day, :steps, :now, :now, 'api', :steps, true, 'qualified')
    ON CONFLICT (enrollment_id, day) DO UPDATE SET reported_steps = excluded.reported_steps,
        reported_at = excluded.reported_at, received_at = excluded.received_at,
        counted_steps = excluded.counted_steps
    WHERE daily_records.reported_at <= excluded.reported_at
    """
)


@app.post("/api/v1/steps")
def steps():
    body = request.get_json()
    # The benchmark's tokens are "jbz_bench_<user id>" and enrolment ids equal user ids.
    enrollment_id = int(request.headers["Authorization"].rsplit("_", 1)[1])
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            UPSERT,
            {
                "enrollment_id": enrollment_id,
                "campaign_id": body["campaign_id"],
                "day": date.fromisoformat(body["day"]),
                "steps": body["steps"],
                "now": now,
            },
        )
    return jsonify(ok=True)
