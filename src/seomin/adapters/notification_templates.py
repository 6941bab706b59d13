"""The packaged notification templates (``data/notification_templates.toml``), parsed and checked once."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from seomin.domain.notifications import TemplateBook, parse_templates


@cache
def default_templates() -> TemplateBook:
    text = resources.files("seomin.data").joinpath("notification_templates.toml").read_text(encoding="utf-8")
    return parse_templates(tomllib.loads(text))
