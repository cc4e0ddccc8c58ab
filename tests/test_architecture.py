"""The layers of the pipeline, and the one direction imports run between them.

source -> model -> views -> render -> engine -> checks -> cache -> build ->
publish; authoring and cli beside them (docs/architecture.md). A module may
import from its own layer and from the layers before it, never from one
after it: a test that walks every import (those inside functions too)
keeps it so.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cxsite"
LAYERS = ["diagnostics", "source", "model", "views", "render", "engine", "checks", "cache", "build", "publish"]
#: Beside the pipeline: what each may use.
BESIDE = {"authoring": {"diagnostics", "source", "model", "views", "authoring"}, "cli": set(LAYERS) | {"authoring", "cli"}}
#: The only layer that may import the site engine.
ENGINES = ("mkdocs", "properdocs", "material")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path) -> list[tuple[str, int]]:
    """Every module ``name`` imports (absolute names), with the line."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]  # `from . import model`
    return found


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "cxsite" or len(parts) < 2:
        return None
    return parts[1]


def test_every_module_belongs_to_a_layer():
    strays = [name for name in modules() if name.count(".") >= 1 and layer(name) not in [*LAYERS, *BESIDE, "__main__"]]
    assert strays == []


def test_imports_run_one_way_along_the_layers():
    known = modules()
    wrong = []
    for name, path in known.items():
        own = layer(name)
        if own is None or own == "__main__":
            continue
        allowed = BESIDE[own] if own in BESIDE else set(LAYERS[: LAYERS.index(own) + 1])
        for target, line in imports(name, path):
            other = layer(target)
            if other is None or target not in known:
                continue  # not a cxsite module (a name imported from one is listed with the module)
            if other not in allowed:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} imports {target}")
    assert wrong == []


def test_only_the_engine_layer_imports_the_site_engine():
    wrong = []
    for name, path in modules().items():
        if layer(name) == "engine":
            continue
        for target, line in imports(name, path):
            if target.split(".")[0] in ENGINES:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target}")
    assert wrong == []


#: Reading the wall clock: only the build's one moment may (views/clock.py).
WALL_CLOCK = {"datetime": {"now", "today", "utcnow"}, "date": {"today"}, "dt": set(),
              "time": {"time", "time_ns", "localtime", "gmtime", "ctime"}}


def test_only_the_clock_reads_the_time_of_day():
    """Everything the pipeline makes depends on the build's moment only
    through the questions its clock records (docs/architecture.md)."""
    wrong = []
    for name, path in modules().items():
        if layer(name) not in ("source", "model", "views", "render", "engine", "checks") or name.endswith(".clock"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                if node.func.attr in WALL_CLOCK.get(owner_name, ()):
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {owner_name}.{node.func.attr}()")
    assert wrong == []
