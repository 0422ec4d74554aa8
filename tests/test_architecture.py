"""The layers of docs/architecture.md, checked over every module's imports (``ast``, nothing imported).

A module may import its own package and the packages below it; a feature imports another feature only
when that one sits lower in the list, and never a name that starts with ``_`` from another package. The
web layer alone speaks HTTP: nothing below it imports ``flask.abort``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[1] / "portal"

# Lowest first. A name is a package or module directly under portal/; one entry may hold several that
# sit side by side and may import each other.
LAYERS: list[tuple[str, ...]] = [
    ("config", "extensions", "database", "transactions", "i18n", "labels", "models", "data"),
    ("common",),
    ("identity",),
    ("orgs",),
    ("membership",),
    ("campaigns",),
    ("boards",),
    ("rewards",),
    ("route",),
    ("teams",),
    ("contests",),
    ("dashboard",),
    ("workflows",),
    ("demo",),
    ("jobs",),
    ("web", "api", "cli", "__init__"),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
ENTRY = RANK["web"]


def _top(path: Path) -> str:
    relative = path.relative_to(PORTAL)
    return relative.parts[0].removesuffix(".py")


def _imports(path: Path):
    """Each ``portal.…`` import of a module: (line, imported module, imported names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = node.module
            names = [alias.name for alias in node.names]
            if module == "portal":
                for name in names:
                    yield node.lineno, f"portal.{name}", []
            elif module.startswith("portal."):
                yield node.lineno, module, names
            else:
                yield node.lineno, module, names
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []


MODULES = sorted(PORTAL.rglob("*.py"))


def test_every_top_level_name_has_a_layer():
    tops = {_top(path) for path in MODULES}
    assert tops <= set(RANK), f"add to LAYERS: {sorted(tops - set(RANK))}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PORTAL)))
def test_imports_point_down_and_stay_out_of_other_features_internals(path):
    own = _top(path)
    wrong = []
    for line, module, names in _imports(path):
        if module == "flask" and "abort" in names and RANK[own] < ENTRY:
            wrong.append(f"{line}: flask.abort below the web layer (raise a domain error instead)")
        if not module.startswith("portal."):
            continue
        target = module.split(".")[1]
        if target not in RANK:
            continue
        if RANK[target] > RANK[own]:
            wrong.append(f"{line}: {own} (layer {RANK[own]}) imports {module} (layer {RANK[target]})")
        if target != own:
            private = [name for name in names if name.startswith("_") and name != "__version__"]
            if private or any(part.startswith("_") for part in module.split(".")[2:]):
                wrong.append(f"{line}: reaches into {module}'s internals ({', '.join(private) or module})")
    assert not wrong, "\n".join(wrong)
