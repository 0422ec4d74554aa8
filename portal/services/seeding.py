"""Loading seed data (union trees, demo people) through the same services as the pages. Idempotent:
loading twice changes nothing the second time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from portal.extensions import db
from portal.models.org import Organisation, OrgKind
from portal.services.accounts import complete_profile, create_account, find_user_by_phone
from portal.services.orgs import create_org, get_org_by_code
from portal.services.roles import grant_union_admin, make_platform_admin

_ORG_FIGURES = ("name", "quota", "member_total")


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_org_tree(node: dict[str, Any], parent: Organisation | None = None) -> int:
    """Create the nodes of ``node``'s tree that do not exist yet (by code); refresh names and figures of
    those that do. Returns how many nodes were created."""
    org = db.session.scalar(select(Organisation).where(Organisation.code == node["code"]))
    created = 0
    if org is None:
        org = create_org(
            code=node["code"],
            name=node["name"],
            kind=OrgKind(node["kind"]),
            parent=parent,
            quota=node.get("quota"),
            member_total=node.get("member_total"),
        )
        created = 1
    else:
        for attribute in _ORG_FIGURES:
            if attribute in node and getattr(org, attribute) != node[attribute]:
                setattr(org, attribute, node[attribute])
    for child in node.get("children") or ():
        created += load_org_tree(child, org)
    return created


def load_people(data: dict[str, Any]) -> int:
    """Create the demo accounts that do not exist yet, with profiles and admin roles."""
    created = 0
    for person in data["people"]:
        user = find_user_by_phone(person["phone"])
        if user is None:
            user = create_account(person["phone"], data["password"])
            created += 1
        if person.get("name") and not user.has_profile:
            complete_profile(user, person["name"], person["id_number"])
        if person.get("platform_admin"):
            make_platform_admin(user, actor=None)
        for code in person.get("admin_of", ()):
            grant_union_admin(user, get_org_by_code(code), actor=None)
    db.session.flush()
    return created


def load_demo(seeds_dir: Path) -> dict[str, int]:
    """Every union tree under ``seeds/orgs`` and the demo people."""
    orgs = sum(load_org_tree(read_yaml(path)) for path in sorted((seeds_dir / "orgs").glob("*.yaml")))
    people = load_people(read_yaml(seeds_dir / "demo_people.yaml"))
    return {"organisations": orgs, "people": people}
