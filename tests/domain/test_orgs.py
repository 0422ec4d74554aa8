"""The union tree: materialized paths, subtree queries, and their cost at 100,000 nodes."""

from sqlalchemy import select, text

from bench.generate import generate_org_tree
from portal.extensions import db
from portal.models import Organisation, OrgKind
from portal.orgs.tree import (
    count_subtree,
    list_ancestors,
    list_subtree,
    scope_clause,
    subtree_clause,
    under_node,
)


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
    codes = db.session.scalars(
        select(Organisation.code).where(scope_clause(paths)).order_by(Organisation.code)
    )
    assert list(codes) == ["JS-NJ", "JS-NJ-1", "SX-XA"]
    assert list(db.session.scalars(select(Organisation).where(scope_clause([])))) == []


def test_under_node_is_the_subtree_of_a_node_named_by_id(tree, make_org):
    def codes(clause):
        return list(db.session.scalars(select(Organisation.code).where(clause).order_by(Organisation.code)))

    for key in ("js", "nj", "edu", "sx"):
        assert codes(under_node(tree[key].id)) == codes(subtree_clause(tree[key].path))
    root = make_org("根", kind=OrgKind.PROVINCE_FEDERATION)  # "/1/" must not match "/10/" here either
    others = [make_org(parent=None) for _ in range(12)]
    assert codes(under_node(root.id)) == [root.code] and others
    assert codes(under_node(0)) == []  # no such node: nothing


def _plan(query) -> str:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    return "\n".join(str(row[-1]) for row in db.session.execute(text(prefix + str(compiled))))


def test_subtree_query_uses_the_path_index_at_100000_nodes(app):
    generate_org_tree(100_000)
    assert db.session.scalar(select(db.func.count()).select_from(Organisation)) == 100_000
    city = db.session.get(Organisation, 5)
    # A city has 100 districts and up to 5,000 grassroots unions below it.
    assert count_subtree(city) == 1 + 100 + 100 * 50

    plan = _plan(select(Organisation.id).where(subtree_clause(city.path)))
    assert "ix_organisations_path" in plan, plan
    assert "SCAN organisations" not in plan and "Seq Scan" not in plan, plan
