"""Subtree queries on a 100,000-node union tree (rules §1: "must be cheap at 100,000 nodes").

    python -m bench.org_subtree                                  # SQLite in a temporary folder
    python -m bench.org_subtree --database-url postgresql+psycopg://postgres@127.0.0.1/portal_bench

Times, over repeated runs, the three questions the portal asks of the tree: how many nodes lie under a
node, list a node's subtree, and the admin scope check (is this node inside any of my subtrees).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select, text

from bench.generate import generate_org_tree
from portal import create_app
from portal.extensions import db
from portal.models import Organisation
from portal.orgs.tree import count_subtree, list_subtree, scope_clause

NODES = 100_000
RUNS = 200


def timed(label: str, action, runs: int = RUNS) -> str:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    return f"| {label} | {p50:.2f} | {p99:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database; SQLite in a temporary folder by default")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PII_KEY": "A" * 43 + "="})
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
        start = time.perf_counter()
        generate_org_tree(NODES)
        print(f"{db.engine.dialect.name}: generated {NODES:,} nodes in {time.perf_counter() - start:.1f} s")
        city = db.session.get(Organisation, 2)  # 1 + 100 districts + 5,000 grassroots unions below
        district = db.session.get(Organisation, 30)  # 1 + 50 grassroots unions
        admin_paths = [city.path, db.session.get(Organisation, 7).path]
        leaf = db.session.scalar(select(Organisation).where(Organisation.depth == 3).limit(1))
        print(f"subtree sizes: city {count_subtree(city):,}, district {count_subtree(district):,}")
        print("| query | p50 ms | p99 ms |")
        print("|---|---|---|")
        print(timed("count a city's subtree (5,101 nodes)", lambda: count_subtree(city)))
        print(timed("list a district's subtree (51 nodes)", lambda: list_subtree(district)))
        print(timed("list a city's subtree (5,101 nodes)", lambda: list_subtree(city), runs=50))
        in_scope = select(Organisation.id).where(Organisation.id == leaf.id, scope_clause(admin_paths))
        print(timed("scope check: node inside any of 2 subtrees", lambda: db.session.scalar(in_scope)))
        db.session.execute(text("SELECT 1"))
        for engine in db.engines.values():
            engine.dispose()


if __name__ == "__main__":
    main()
