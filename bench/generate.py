"""Generators of large data sets, shared by the benchmarks and the tests that check query plans."""

from __future__ import annotations

from sqlalchemy import insert, text

from portal.extensions import db
from portal.models import Organisation
from portal.models.base import utcnow

# A province-shaped tree: 20 cities, 100 districts under each, then grassroots unions.
TREE_SHAPE = (("city_union", 20), ("district_union", 100), ("grassroots_union", 50))


def generate_org_tree(total: int, *, batch: int = 10_000) -> None:
    """Insert a tree of ``total`` nodes (ids 1..total, root 1) with core bulk inserts, then ANALYZE."""
    now = utcnow()
    root = {"id": 1, "parent_id": None, "code": "G1", "name": "根", "kind": "province_federation"}
    root.update(path="/1/", depth=0, created_at=now)
    rows = [root]
    frontier = [root]
    for kind, fan_out in TREE_SHAPE:
        below: list[dict] = []
        for parent in frontier:
            for _ in range(fan_out):
                if len(rows) >= total:
                    break
                node_id = len(rows) + 1
                row = {
                    "id": node_id,
                    "parent_id": parent["id"],
                    "code": f"G{node_id}",
                    "name": f"节点{node_id}",
                    "kind": kind,
                    "path": f"{parent['path']}{node_id}/",
                    "depth": parent["depth"] + 1,
                    "created_at": now,
                }
                rows.append(row)
                below.append(row)
        frontier = below
    for start in range(0, len(rows), batch):
        db.session.execute(insert(Organisation), rows[start : start + batch])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('organisations_id_seq', :n)"), {"n": len(rows)})
        db.session.execute(text("ANALYZE organisations"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()
