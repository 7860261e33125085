"""The domain core and the signing module never import Flask (faces -> domain -> storage)."""

import ast
from pathlib import Path

import pytest

SANDBOX = Path(__file__).parent.parent / "sandbox"
PURE = [*sorted((SANDBOX / "domain").glob("*.py")), SANDBOX / "signature.py", SANDBOX / "certs.py",
        SANDBOX / "storage.py", SANDBOX / "models.py", SANDBOX / "world.py", SANDBOX / "cbui" / "pipelines.py"]


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


def test_domain_does_not_import_faces():
    for path in (SANDBOX / "domain").glob("*.py"):
        source = path.read_text()
        assert "from ..api" not in source and "from ..cbui" not in source and "from ..admin" not in source
