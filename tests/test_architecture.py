"""The house rules that hold the codebase's shape, read from the source with `ast` (see ARCHITECTURE.md).

- Imports point downward only: a feature imports features of lower layers, never its own layer or above
  (function-level imports count too, so a dependency can't hide in a late import).
- Route modules are plain functions: only a feature's blueprint.py builds its URL table, and no other
  module imports a blueprint back (only the feature's __init__.py registers it).
- Views never commit: the one commit site for a request is engagement.core.actions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "engagement"

# Lowest first. A feature may import any feature of a lower layer. `extensions` and `config` are core.
LAYERS = [
    {"core"},
    {"teams"},
    {"accounts"},
    {"events", "news"},
    {"signups", "surveys", "speedwatch", "feeds"},
    {"priorities"},
    {"newsletter", "privacy"},
    {"printing", "ops", "demo"},
]
LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path, ast.parse(path.read_text(), filename=str(path))


def _imported(name: str, path: Path, tree: ast.AST) -> list[tuple[str, int]]:
    """Every engagement.* module name imported anywhere in the file (relative imports resolved)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            found.append((base, node.lineno))
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return [(target, line) for target, line in found if target.startswith("engagement.")]


def _feature(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    return "core" if parts[1] in ("extensions", "config") else parts[1]


MODULES = list(_modules())


def test_every_feature_has_a_layer():
    features = {_feature(name) for name, _path, _tree in MODULES} - {None}
    assert sorted(features - set(LAYER)) == [], "add the new feature to LAYERS (and to ARCHITECTURE.md)"


def test_imports_point_downward():
    wrong = []
    for name, path, tree in MODULES:
        mine = _feature(name)
        if mine is None:
            continue
        for target, line in _imported(name, path, tree):
            theirs = _feature(target)
            if theirs and theirs != mine and theirs in LAYER and LAYER[theirs] >= LAYER[mine]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({mine}) imports {target}")
    assert wrong == []


def _blueprint_modules():
    return [(name, path, tree) for name, path, tree in MODULES if path.name == "blueprint.py"]


def _view_modules() -> dict[str, Path]:
    """The modules a blueprint.py takes its view functions from (a views/ package counts whole)."""
    by_name = {name: path for name, path, _tree in MODULES}
    views = {}
    for name, path, tree in _blueprint_modules():
        imported = {target for target, _line in _imported(name, path, tree)}
        # `from pkg import views` lists both pkg and pkg.views: keep the most specific modules only.
        targets = {t for t in imported if t in by_name and not any(o.startswith(t + ".") for o in imported)}
        for target in targets:
            for candidate, candidate_path in by_name.items():
                if candidate == target or candidate.startswith(target + "."):
                    if not candidate.endswith(".blueprint") and _feature(candidate) == _feature(name):
                        views[candidate] = candidate_path
    return views


def test_every_feature_with_routes_has_a_blueprint_file():
    features_with_bp = {_feature(name) for name, _path, _tree in _blueprint_modules()}
    builds = []
    for name, path, tree in MODULES:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Blueprint":
                builds.append((name, path))
    assert builds, "no Blueprint(...) found: the test reads the wrong folder"
    assert [str(p) for name, p in builds if p.name != "blueprint.py"] == []
    assert {_feature(name) for name, _p in builds} <= features_with_bp


def test_no_module_imports_a_blueprint_back():
    wrong = []
    for name, path, tree in MODULES:
        for target, line in _imported(name, path, tree):
            if target.endswith(".blueprint") or ".blueprint." in target:
                importer_is_init = path.name == "__init__.py" and target.startswith(name + ".")
                if not importer_is_init:
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert wrong == []


@pytest.mark.parametrize("call", ["commit"])
def test_views_never_commit(call):
    views = _view_modules()
    assert len(views) >= 10, "too few view modules found: the blueprint files' imports were not read"
    wrong = []
    for name, path in sorted(views.items()):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == call:
                if isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "session":
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert wrong == [], "views commit through engagement.core.actions (perform/submit/commit)"


def test_files_stay_small():
    big = [
        f"{p.relative_to(PACKAGE.parent)}: {n}"
        for _name, p, _t in MODULES
        if (n := len(p.read_text().splitlines())) > 420
    ]
    assert big == [], "split files past ~400 lines"
