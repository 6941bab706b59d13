"""The pages place and word a service's refusal by its field and stable code, never by its English text."""

from __future__ import annotations

import ast
from pathlib import Path

import seomin.adapters.web as web

WEB = Path(web.__file__).parent


def text_matches(path: Path) -> list[str]:
    """``"..." in exc.message``, ``exc.message.split(...)``, ``.startswith``/``.endswith`` on a message."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare) and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
            for side in node.comparators:
                if isinstance(side, ast.Attribute) and side.attr in ("message", "message_en"):
                    found.append(f"{path.name}:{node.lineno}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("split", "startswith", "endswith", "partition")
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr in ("message", "message_en")
        ):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_page_matches_a_message_text() -> None:
    assert [hit for path in sorted(WEB.glob("*.py")) for hit in text_matches(path)] == []


def test_the_check_finds_a_text_match(tmp_path: Path) -> None:
    planted = tmp_path / "page.py"
    planted.write_text('if "after today" in exc.message:\n    pass\nexc.message.split(" / ")\n')
    assert text_matches(planted) == ["page.py:1", "page.py:3"]
