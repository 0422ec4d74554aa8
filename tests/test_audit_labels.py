"""Every kind of audit entry the code writes has a readable label: a new kind without one fails here."""

from __future__ import annotations

import ast
from pathlib import Path

from portal.labels import AUDIT_ACTIONS
from portal.models.membership import ApplicationKind
from portal.models.steps import DayReview

PORTAL = Path(__file__).resolve().parents[1] / "portal"
AUDIT_CALLS = {"record_audit", "_audit", "audit_contest", "_audit_export"}
# Kinds the code builds from an enum's value: f"<prefix>.{value}".
BUILT = {"application": ApplicationKind, "day": DayReview}


def _written_kinds() -> set[str]:
    kinds: set[str] = set()
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in AUDIT_CALLS:
                continue
            for argument in node.args[:3]:
                for part in ast.walk(argument):
                    if (
                        isinstance(part, ast.Constant)
                        and isinstance(part.value, str)
                        and "." in part.value.rstrip(".")
                    ):
                        kinds.add(part.value)
                    elif isinstance(part, ast.JoinedStr):
                        prefix = part.values[0].value.rstrip(".")
                        kinds.update(f"{prefix}.{member.value}" for member in BUILT[prefix])
    return kinds


def test_every_audit_kind_written_has_a_label():
    kinds = _written_kinds()
    assert len(kinds) > 30  # the scan found the calls
    assert kinds <= set(AUDIT_ACTIONS), (
        f"label these in portal/labels.py: {sorted(kinds - set(AUDIT_ACTIONS))}"
    )
