"""The packaged recourse servicing rules (``data/recourse_rules.toml``), parsed and checked once."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from seomin.domain.recourse_servicing import RequestRules, parse_rules


@cache
def default_recourse_rules() -> RequestRules:
    text = resources.files("seomin.data").joinpath("recourse_rules.toml").read_text(encoding="utf-8")
    return parse_rules(tomllib.loads(text))
