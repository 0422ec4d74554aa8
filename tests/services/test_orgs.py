"""The union tree: materialized paths, subtree queries, and their cost at 100,000 nodes."""

from sqlalchemy import insert, select, text

from portal.extensions import db
from portal.models import Organisation, OrgKind
from portal.services.orgs import count_subtree, list_ancestors, list_subtree, scope_clause, subtree_clause


def test_paths_follow_the_tree(tree):
    assert tree["js"].path == f"/{tree['js'].id}/"
    assert tree["njmu_unit"].path == f"{tree['njmu'].path}{tree['njmu_unit'].id}/"
    assert tree["njmu_unit"].depth == 3
    assert tree["edu"].contains(tree["njmu_unit"]) and not tree["nj"].contains(tree["njmu"])
    assert [o.code for o in list_ancestors(tree["njmu_unit"])] == ["JS", "JS-EDU", "JS-EDU-NJMU"]


def test_subtree_lists_the_node_and_everything_below_it_only(tree):
    assert [o.code for o in list_subtree(tree["edu"])] == ["JS-EDU", "JS-EDU-NJMU", "JS-EDU-NJMU-1"]
    assert count_subtree(tree["js"]) == 6
    assert count_subtree(tree["sx"]) == 2


def test_subtree_range_does_not_leak_into_siblings_whose_ids_share_a_prefix(make_org):
    # Ids 1 and 10..19 share a leading digit: "/1/" must not match "/10/".
    root = make_org("根", kind=OrgKind.PROVINCE_FEDERATION)
    nodes = [make_org(parent=None) for _ in range(12)]
    assert any(str(node.id).startswith(str(root.id)) for node in nodes)
    assert [o.id for o in list_subtree(root)] == [root.id]


def test_scope_clause_unions_subtrees(tree):
    paths = [tree["nj"].path, tree["xa"].path]
    codes = db.session.scalars(select(Organisation.code).where(scope_clause(paths)).order_by(Organisation.code))
    assert list(codes) == ["JS-NJ", "JS-NJ-1", "SX-XA"]
    assert list(db.session.scalars(select(Organisation).where(scope_clause([])))) == []


def _generate_tree(total: int) -> None:
    """A province-shaped tree: 1 root, 20 cities, 100 districts each, grassroots unions below them."""
    rows: list[dict] = [
        {"id": 1, "parent_id": None, "code": "G", "name": "根", "kind": "province_federation", "path": "/1/", "depth": 0}
    ]
    next_id = 2
    frontier = [rows[0]]
    for kind, fan_out in (("city_union", 20), ("district_union", 100), ("grassroots_union", 50)):
        new_frontier = []
        for parent in frontier:
            for _ in range(fan_out):
                if next_id > total:
                    break
                row = {
                    "id": next_id,
                    "parent_id": parent["id"],
                    "code": f"G{next_id}",
                    "name": f"节点{next_id}",
                    "kind": kind,
                    "path": f"{parent['path']}{next_id}/",
                    "depth": parent["depth"] + 1,
                }
                rows.append(row)
                new_frontier.append(row)
                next_id += 1
        frontier = new_frontier
    from portal.models.base import utcnow

    now = utcnow()
    for row in rows:
        row["created_at"] = now
    for start in range(0, len(rows), 10_000):
        db.session.execute(insert(Organisation), rows[start : start + 10_000])
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('organisations_id_seq', :n)"), {"n": len(rows)})
        db.session.execute(text("ANALYZE organisations"))
    else:
        db.session.execute(text("ANALYZE"))
    db.session.commit()


def _plan(query) -> str:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    return "\n".join(str(row[-1]) for row in db.session.execute(text(prefix + str(compiled))))


def test_subtree_query_uses_the_path_index_at_100000_nodes(app):
    _generate_tree(100_000)
    assert db.session.scalar(select(db.func.count()).select_from(Organisation)) == 100_000
    city = db.session.get(Organisation, 5)
    # A city has 100 districts and up to 5,000 grassroots unions below it.
    assert count_subtree(city) == 1 + 100 + 100 * 50

    plan = _plan(select(Organisation.id).where(subtree_clause(city.path)))
    assert "ix_organisations_path" in plan, plan
    assert "SCAN organisations" not in plan and "Seq Scan" not in plan, plan
