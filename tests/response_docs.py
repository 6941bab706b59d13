"""Whether an answer is exactly what its response model documents (issue 9)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter


def documented(model: Any, body: Any) -> bool:
    """``body`` validates as ``model`` and dumps back to itself: no undocumented or missing field, and
    every value of the documented type and rendering (dates ISO, rates as the same decimal strings)."""
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    return bool(adapter.dump_python(adapter.validate_python(body), mode="json", exclude_unset=True) == body)
