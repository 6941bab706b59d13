"""Every 2xx answer of every /api/v1 operation is described by a real schema in the OpenAPI document: no
empty schema and no free-form object (``additionalProperties`` only), at any depth of arrays, ``$ref``s and
combinations. Issue 9: clients generate code from the document, so a free-form answer is an undocumented one.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

# Free by design, and only there: an audit event's ``before`` and ``after`` are snapshots of whichever
# entity changed (an application, a loan, a debt ...), so their keys depend on ``entity_type``.
FREE_BY_DESIGN: dict[str, list[str]] = {
    "GET /api/v1/staff/audit-events": ["200/items/before/anyOf", "200/items/after/anyOf"],
}


def free_form(
    schema: Any, components: dict[str, Any], seen: frozenset[str] = frozenset(), nested: bool = False
) -> list[str]:
    """Where ``schema`` leaves an answer undescribed, as JSON-pointer-like paths ('' for the root).

    Inside a described object, a map with described values (a rule's ``figures``) is described enough;
    the answer itself, or an item of a list answer, must name its fields."""
    if not isinstance(schema, dict):
        return [""]
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return [] if name in seen else free_form(components[name], components, seen | {name}, nested)
    parts = [k for k in ("anyOf", "oneOf", "allOf") if k in schema]
    if parts:
        return [
            f"/{k}{p}"
            for k in parts
            for option in schema[k]
            for p in free_form(option, components, seen, nested)
        ]
    kind = schema.get("type")
    if kind is None and "const" not in schema and "enum" not in schema:
        return [""]  # {} or a description only: anything goes
    if kind == "array":
        return [f"/items{p}" for p in free_form(schema.get("items"), components, seen, nested)]
    if kind == "object":
        properties = schema.get("properties")
        if properties:
            return [f"/{k}{p}" for k, v in properties.items() for p in free_form(v, components, seen, True)]
        values = schema.get("additionalProperties")
        if nested and isinstance(values, dict) and values:
            return [f"/*{p}" for p in free_form(values, components, seen, True)]
        return [""]  # {"type": "object"} or a dict[str, Any]: the fields are undocumented
    return []


def undescribed(spec: dict[str, Any]) -> dict[str, list[str]]:
    components = spec["components"]["schemas"]
    found: dict[str, list[str]] = {}
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                content = response.get("content", {"application/json": {}})
                for media in content.values():
                    holes = free_form(media.get("schema"), components)
                    if holes:
                        found.setdefault(f"{method.upper()} {path}", []).extend(f"{status}{h}" for h in holes)
    return found


def test_the_walk_finds_free_form_schemas() -> None:
    components = {"Named": {"type": "object", "properties": {"a": {"type": "integer"}}}}
    assert free_form({"$ref": "#/components/schemas/Named"}, components) == []
    assert free_form({}, components) == [""]
    assert free_form({"type": "object", "additionalProperties": True}, components) == [""]
    assert free_form({"type": "array", "items": {"type": "object"}}, components) == ["/items"]
    assert free_form({"anyOf": [{"type": "null"}, {}]}, components) == ["/anyOf"]
    typed_map = {"type": "object", "additionalProperties": {"type": "integer"}}
    assert free_form(typed_map, components) == [""]
    assert free_form({"type": "object", "properties": {"figures": typed_map}}, components) == []
    assert free_form({"type": "object", "properties": {"x": {"type": "object"}}}, components) == ["/x"]


def test_every_2xx_answer_of_the_api_has_a_described_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    found = undescribed(spec)
    assert found == FREE_BY_DESIGN
