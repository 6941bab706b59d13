"""Load the offline-help directory (1397 callbacks, integrated support centers by region group) from
``seomin/data/support_centers.toml``, validated at load: a bad file fails with one line naming the field."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from seomin.services.help import Center, HelpDirectory, RegionGroup, SlotRules, Topic


class SupportCentersError(ValueError):
    """The support-centers file is missing a field or holds a bad value."""


def _get(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise SupportCentersError(f"support_centers.toml: field {where}{key}: must be {kind.__name__}")
    return value


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _get(data, key, list, where)
    if not values or not all(isinstance(v, str) and v for v in values):
        raise SupportCentersError(f"support_centers.toml: field {where}{key}: must be a list of text")
    return tuple(values)


def parse_support_centers(data: dict[str, Any]) -> HelpDirectory:
    try:
        slots = {
            name: SlotRules(
                capacity=_get(_get(data, name, dict, ""), "capacity", int, f"{name}."),
                slots=_strings(data[name], "slots", f"{name}."),
            )
            for name in ("callback", "visit")
        }
        groups = tuple(
            RegionGroup(
                code=_get(row, "code", str, f"region_group[{i}]."),
                name_ko=_get(row, "name_ko", str, f"region_group[{i}]."),
                name_en=_get(row, "name_en", str, f"region_group[{i}]."),
                regions=_strings(row, "regions", f"region_group[{i}]."),
                centers=_get(row, "centers", int, f"region_group[{i}]."),
            )
            for i, row in enumerate(_get(data, "region_group", list, ""))
        )
        topics = tuple(
            Topic(
                code=_get(row, "code", str, f"topic[{i}]."),
                name_ko=_get(row, "name_ko", str, f"topic[{i}]."),
                name_en=_get(row, "name_en", str, f"topic[{i}]."),
            )
            for i, row in enumerate(_get(data, "topic", list, ""))
        )
        centers = tuple(
            Center(
                code=_get(row, "code", str, f"center[{i}]."),
                name_ko=_get(row, "name_ko", str, f"center[{i}]."),
                name_en=_get(row, "name_en", str, f"center[{i}]."),
                group=_get(row, "group", str, f"center[{i}]."),
                address=_get(row, "address", str, f"center[{i}]."),
                hours=_get(row, "hours", str, f"center[{i}]."),
                confidence=_get(row, "confidence", str, f"center[{i}]."),
                relocated=_get(row, "relocated", bool, f"center[{i}]."),
            )
            for i, row in enumerate(data.get("center", []))
        )
        return HelpDirectory(
            source=_get(data, "source", str, ""),
            printed_total=_get(data, "printed_total", int, ""),
            call_center=_get(data, "call_center", str, ""),
            max_days_ahead=_get(data, "max_days_ahead", int, ""),
            callback=slots["callback"],
            visit=slots["visit"],
            groups=groups,
            topics=topics,
            centers=centers,
        )
    except (ValueError, TypeError, AttributeError) as exc:
        if isinstance(exc, SupportCentersError):
            raise
        raise SupportCentersError(f"support_centers.toml: {exc}") from None


def load_support_centers(path: Path) -> HelpDirectory:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SupportCentersError(f"{path.name}: not valid TOML: {exc}") from None
    return parse_support_centers(data)


@lru_cache(maxsize=1)
def default_support_centers() -> HelpDirectory:
    """The packaged directory, read once."""
    text = resources.files("seomin.data").joinpath("support_centers.toml").read_text(encoding="utf-8")
    return parse_support_centers(tomllib.loads(text))
