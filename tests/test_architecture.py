"""The layers hold (faces -> domain -> storage): the domain core and the signing module never import
Flask, the domain imports no face, and no module imports itself round a circle."""

import ast
from pathlib import Path

import pytest

SANDBOX = Path(__file__).parent.parent / "sandbox"
PURE = [*sorted((SANDBOX / "domain").rglob("*.py")), *sorted((SANDBOX / "queries").glob("*.py")), SANDBOX / "signature.py", SANDBOX / "runtime" / "certs.py",
        SANDBOX / "runtime" / "storage.py", *sorted((SANDBOX / "models").glob("*.py")), SANDBOX / "runtime" / "world.py",
        SANDBOX / "cbui" / "pipelines.py"]


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(SANDBOX)))
def test_no_flask(path):
    assert not imported(path) & {"flask", "flask_sqlalchemy", "flask_wtf", "werkzeug"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SANDBOX.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in SANDBOX.rglob("*.py")}


def _runs(node: ast.AST):
    """Every node that can run, function bodies included; not `if TYPE_CHECKING:` blocks (annotations)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
            continue
        yield child
        yield from _runs(child)


def imports_of(name: str) -> set[str]:
    """The sandbox modules `name` imports anywhere in its code, and the packages those live in."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _runs(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], *filter(None, [base])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            if target in MODULES and target not in (name, "sandbox"):
                found.add(target)  # named: even its own package (`from . import bp` in a package's module)
            while "." in (target := target.rpartition(".")[0]):  # importing a.b.c runs the package a.b first,
                if target in MODULES and target != name and not name.startswith(target + "."):  # unless running it
                    found.add(target)
    return found


def test_no_import_circles():
    """Function-local imports count: a circle that works only because an import hides in a function is
    still a circle. The root package is left out: importing any module runs it first, and at module
    level it imports only its configuration."""
    graph = {name: imports_of(name) for name in MODULES}
    circles, done = [], set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            circles.append(path[path.index(name):] + [name])
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert not circles, "\n".join(" -> ".join(c) for c in circles[:10])


def test_domain_and_queries_import_no_face():
    for name in MODULES:
        if name.startswith(("sandbox.domain", "sandbox.queries")):
            faces = {t for t in imports_of(name) if t.split(".")[1] in ("api", "cbui", "admin", "merchant", "cli")}
            assert not faces, (name, faces)


def test_faces_reach_tables_through_the_domain_and_queries():
    """The Co-Branded pages, the console and the API run no table queries of their own."""
    for name, path in MODULES.items():
        if name.split(".")[1:2] in (["api"], ["cbui"], ["admin"], ["merchant"]):
            assert "sandbox.models" not in imports_of(name), name
            assert "Session(" not in path.read_text(), name


@pytest.mark.parametrize("path", sorted(SANDBOX.rglob("*.py")), ids=lambda p: str(p.relative_to(SANDBOX)))
def test_modules_stay_small(path):
    assert len(path.read_text().splitlines()) <= 300, "split it: a module over 300 lines does too much"
