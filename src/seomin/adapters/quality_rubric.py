"""Load the call and chat quality rubric (``seomin/data/quality_rubric.toml``), validated at load: a bad file
fails with one line naming the field."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from seomin.domain.quality import Disclosure, Rubric


class RubricError(ValueError):
    """The rubric file is missing a field or holds a bad value."""


def _get(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise RubricError(f"quality_rubric.toml: field {where}{key}: must be {kind.__name__}")
    return value


def _phrases(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _get(data, key, list, where)
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise RubricError(f"quality_rubric.toml: field {where}{key}: must be a list of text")
    return tuple(values)


def parse_rubric(data: dict[str, Any]) -> Rubric:
    try:
        greeting = _get(data, "greeting", dict, "")
        identity = _get(data, "identity", dict, "")
        prohibited = _get(data, "prohibited", dict, "")
        disclosures = tuple(
            Disclosure(
                code=_get(row, "code", str, f"disclosure[{i}]."),
                topics=frozenset(_phrases(row, "topics", f"disclosure[{i}].")),
                weight=_get(row, "weight", int, f"disclosure[{i}]."),
                phrases=_phrases(row, "phrases", f"disclosure[{i}]."),
                words_ko=_get(row, "words_ko", str, f"disclosure[{i}]."),
                words_en=_get(row, "words_en", str, f"disclosure[{i}]."),
            )
            for i, row in enumerate(_get(data, "disclosure", list, ""))
        )
        return Rubric(
            version=_get(data, "version", int, ""),
            pass_score=_get(data, "pass_score", int, ""),
            greeting_weight=_get(greeting, "weight", int, "greeting."),
            greetings=_phrases(greeting, "phrases", "greeting."),
            names=_phrases(greeting, "names", "greeting."),
            identity_weight=_get(identity, "weight", int, "identity."),
            identity_checks=_phrases(identity, "checks", "identity."),
            personal_words=_phrases(identity, "personal", "identity."),
            disclosures=disclosures,
            prohibited_weight=_get(prohibited, "weight", int, "prohibited."),
            prohibited=_phrases(prohibited, "phrases", "prohibited."),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        if isinstance(exc, RubricError):
            raise
        raise RubricError(f"quality_rubric.toml: {exc}") from None


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    """The packaged rubric, read once."""
    text = resources.files("seomin.data").joinpath("quality_rubric.toml").read_text(encoding="utf-8")
    return parse_rubric(tomllib.loads(text))
