"""Dependencies point inward (docs/architecture.md): the domain imports nothing from the services, the
adapters or any framework; the services import no HTTP, web or CLI code; only the edges use the bootstrap."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import seomin

SRC = Path(seomin.__file__).parent

FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "alembic", "jinja2", "typer", "rich", "httpx", "uvicorn")


def imports(path: Path, root: Path) -> Iterator[tuple[int, str]]:
    """Every module a file imports (absolute names), with its line, including imports inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(root.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield node.lineno, base
            for alias in node.names:  # `from seomin.adapters import http` names a module too
                yield node.lineno, f"{base}.{alias.name}"


def violations(folder: str, forbidden: tuple[str, ...], root: Path = SRC) -> list[str]:
    found = []
    for path in sorted((root / folder).rglob("*.py")):
        for line, name in imports(path, root):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(root)}:{line} imports {name}")
    return found


def test_the_domain_imports_no_service_adapter_or_framework() -> None:
    forbidden = ("seomin.services", "seomin.adapters", "seomin.bootstrap", "seomin.settings", *FRAMEWORKS)
    assert violations("domain", forbidden) == []


def test_services_import_no_http_web_or_cli_code() -> None:
    forbidden = (
        "seomin.adapters.http",
        "seomin.adapters.web",
        "seomin.adapters.cli",
        "seomin.bootstrap",
        "fastapi",
        "starlette",
        "jinja2",
        "typer",
    )
    assert violations("services", forbidden) == []


def test_only_the_edges_build_a_platform_from_settings() -> None:
    assert violations("domain", ("seomin.bootstrap",)) == []
    assert violations("services", ("seomin.bootstrap",)) == []


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        ("from seomin.adapters.db import models", "seomin.adapters.db"),
        ("import sqlalchemy.orm", "sqlalchemy.orm"),
        ("def f():\n    from ..services import loans", "seomin.services"),
    ],
)
def test_the_checker_sees_a_forbidden_import(tmp_path: Path, source: str, reported: str) -> None:
    """The rule cannot pass vacuously: a planted import, even a relative one in a function, is reported."""
    root = tmp_path / "seomin"
    (root / "domain").mkdir(parents=True)
    (root / "domain" / "rules.py").write_text(source + "\n", encoding="utf-8")
    found = violations("domain", ("seomin.services", "seomin.adapters", *FRAMEWORKS), root)
    assert any(line.endswith(f"imports {reported}") for line in found), found
